"""Fixtures of the search tests: a session index in a temporary folder, filled from the session
database by the real indexer, and a client of the real app configured to search it."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from qingquan.app import create_app
from qingquan.settings import Settings
from search import SearchBackend, backend_for
from search.embedded import EmbeddedBackend
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


MEILI_URL = os.environ.get("QINGQUAN_TEST_MEILI_URL", "")


@pytest.fixture(params=["embedded", "meilisearch"])
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SearchBackend]:
    """An empty index on each engine: embedded in a temporary folder, and Meilisearch when
    QINGQUAN_TEST_MEILI_URL names a server (its indexes, all under a prefix of their own, go after)."""
    if request.param == "embedded":
        yield EmbeddedBackend(tmp_path / "index")
        return
    if not MEILI_URL:
        pytest.skip("Meilisearch leg skipped: set QINGQUAN_TEST_MEILI_URL to a server (deploy/docker-compose.yml)")
    from search.meili import MeiliBackend

    meili = MeiliBackend(MEILI_URL, os.environ.get("QINGQUAN_TEST_MEILI_KEY"), prefix=f"t{uuid.uuid4().hex[:8]}_")
    try:
        yield meili
    finally:
        for index in await meili.client.get_indexes(limit=1000) or []:
            if index.uid.startswith(meili.prefix):
                await index.delete()
        await meili.close()
