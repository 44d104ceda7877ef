"""HTTP-level helpers: an httpx client on the real ASGI app, GraphQL calls, tokens, SQL counting."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from domain.enums import Role
from domain.models import Unit
from domain.tokens import create_token
from qingquan.app import create_app
from qingquan.settings import Settings, get_settings


@asynccontextmanager
async def app_client(**settings: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the real app on the open database, with these settings changed (QINGQUAN_* names)."""
    changed = Settings(**{**get_settings().model_dump(), **settings}) if settings else None
    app = create_app(changed, manage_db=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://qingquan.test") as c:
        yield c


@asynccontextmanager
async def caller(app: Any, host: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client of `app` without a token, from the client address `host` (anonymous filings are rate-limited
    per address, counted in the database: a new address starts with a fresh allowance)."""
    transport = httpx.ASGITransport(app=app, client=(host, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://qingquan.test") as c:
        yield c


@pytest.fixture(scope="session")
async def client(database: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the real app, on the session database (opened by the `database` fixture)."""
    async with app_client() as c:
        yield c


async def gql(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None, token: str | None = None
) -> dict[str, Any]:
    """POST a GraphQL request; return the whole JSON body (data and errors)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
    assert response.status_code in (200, 401), response.text
    return response.json()


async def gql_data(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None, token: str | None = None
) -> dict[str, Any]:
    """POST a GraphQL request that must succeed; return its data."""
    body = await gql(client, query, variables, token)
    assert not body.get("errors"), body["errors"]
    return body["data"]


async def token_for(role: Role, unit: Unit | None = None) -> str:
    _, plaintext = await create_token(role, unit.code if unit else None)
    return plaintext


@dataclass
class QueryCounter(logging.Handler):
    """Counts the SQL statements tortoise sends (it logs each one on `tortoise.db_client`)."""

    statements: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        logging.Handler.__init__(self, level=logging.DEBUG)

    def __hash__(self) -> int:
        return id(self)

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.lstrip().split(" ", 1)[0].upper() in {"SELECT", "INSERT", "UPDATE", "DELETE", "WITH"}:
            self.statements.append(message)

    @property
    def count(self) -> int:
        return len(self.statements)


@contextmanager
def count_queries() -> Iterator[QueryCounter]:
    logger = logging.getLogger("tortoise.db_client")
    counter = QueryCounter()
    old_level = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(counter)
    try:
        yield counter
    finally:
        logger.removeHandler(counter)
        logger.setLevel(old_level)
