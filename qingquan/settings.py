"""Settings from the environment (QINGQUAN_*), through pydantic-settings."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
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
    # GraphQL limits
    max_page_size: int = 100
    default_page_size: int = 20
    max_query_depth: int = 12
    max_query_tokens: int = 2000
    max_aliases: int = 30
    graphiql: bool = True


@lru_cache
def get_settings() -> Settings:
    return Settings()
