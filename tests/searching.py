"""Fixtures of the search tests: a session index in a temporary folder, filled from the session
database by the real indexer, and a client of the real app configured to search it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from qingquan.app import create_app
from qingquan.settings import Settings
from search import SearchBackend, backend_for
from search.indexer import sync_once


@pytest.fixture(scope="session")
def search_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(search_index_dir=str(tmp_path_factory.mktemp("search-index")), search_indexer=False)


@pytest.fixture(scope="session")
async def search_backend(search_settings: Settings, demo: object) -> SearchBackend:
    """The embedded index of the session database (library and demo county), built once."""
    backend = backend_for(search_settings)
    report = await sync_once(backend)
    assert not report.failed, report.error
    return backend


@pytest.fixture(scope="session")
async def search_client(
    search_settings: Settings, search_backend: SearchBackend
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(search_settings, manage_db=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://qingquan.test"
    ) as c:
        yield c
