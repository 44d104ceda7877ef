"""Which errors are the database being unreachable (qingquan/outage.py): real errors of the real drivers,
and the errors that look alike but are not the database's. (The answers a server gives while its
database is gone: tests/test_serve.py.)"""

from __future__ import annotations

import socket
from pathlib import Path

import aiosqlite
import asyncpg
import pytest

from qingquan.outage import database_unavailable


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_postgres_refusing_connections_is_an_outage() -> None:
    with pytest.raises(OSError) as refused:
        await asyncpg.connect(f"postgresql://postgres@127.0.0.1:{closed_port()}/none", timeout=5)
    assert database_unavailable(refused.value)


async def test_an_sqlite_file_that_cannot_be_opened_is_an_outage(tmp_path: Path) -> None:
    with pytest.raises(Exception) as failed:
        await aiosqlite.connect(tmp_path / "gone" / "q.sqlite3")
    assert database_unavailable(failed.value)


async def test_an_error_raised_while_handling_an_outage_is_one_too() -> None:
    try:
        try:
            await asyncpg.connect(f"postgresql://postgres@127.0.0.1:{closed_port()}/none", timeout=5)
        except OSError as exc:
            raise RuntimeError("could not load the viewer") from exc
    except RuntimeError as wrapped:
        assert database_unavailable(wrapped)


def test_look_alikes_are_not_outages(tmp_path: Path) -> None:
    with pytest.raises(OSError) as missing:
        (tmp_path / "missing.docx").read_bytes()  # a file of ours, not the database's
    assert not database_unavailable(missing.value)
    with pytest.raises(OSError) as refused:
        socket.create_connection(("127.0.0.1", closed_port()), timeout=5)  # another service, not the database
    assert not database_unavailable(refused.value)
    assert not database_unavailable(ValueError("bad input"))
    assert not database_unavailable(asyncpg.exceptions.QueryCanceledError("statement timeout"))
    assert not database_unavailable(None)
