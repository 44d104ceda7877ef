"""An index knows the database it was built from: served with another database's index (the default
./data/search-index after changing QINGQUAN_DATABASE_URL), search is refused with a typed error or
answers after a rebuild from this database, never from the other database's index.

Two real databases, the real commands (`upload-document`, `reindex`, `index`, `search`, `serve`)."""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from search.backend import SearchBackend
from search.embedded import EmbeddedBackend
from search.manifest import IndexNotReady, IndexState, Manifest, index_format, ownership, require_ready
from tests.conftest import run_cli
from tests.test_serve import serving

#: Database A: a county's rules on 招标公告 (its articles get ids 1–3).
TENDERING = "甲县招标公告管理办法\n招标人应当在指定媒介发布招标公告。\n招标公告应当载明招标人的名称和地址。\n依法必须进行招标的项目，招标公告应当同时在县政府网站公开。\n"
#: Database B: criminal law first (ids 1–3: the ids of A's hits), then its own rule on 招标公告 (id 4).
CRIMINAL = "刑法摘录\n犯罪以后自动投案，如实供述自己的罪行的，是自首。\n对于自首的犯罪分子，可以从轻或者减轻处罚。\n盗窃公私财物，数额较大的，处三年以下有期徒刑。\n"
NOTICE = "乙县招标公告发布规定\n招标公告发布后不得随意更改。\n"
SEARCH = """
query ($q: String!) {
  searchLegalBasis(query: $q, filter: { allVersions: true }) {
    totalCount
    edges { node { snippet article { text } document { title } } }
  }
}
"""


@pytest.fixture
async def two_databases(new_database: Callable[..., Awaitable[str]], tmp_path: Path) -> tuple[str, str, Path]:
    """Database A indexed into a folder by `qingquan reindex`; database B, never indexed there."""
    index = tmp_path / "search-index"
    a, b = await new_database(migrated=True), await new_database(migrated=True)
    with index_dir(index):
        upload(a, tmp_path / "a.txt", TENDERING)
        run_cli("reindex", db_url=a)
        upload(b, tmp_path / "b1.txt", CRIMINAL)
        upload(b, tmp_path / "b2.txt", NOTICE)
    return a, b, index


@contextmanager
def index_dir(path: Path) -> Iterator[None]:
    """QINGQUAN_SEARCH_INDEX_DIR for the commands run_cli starts."""
    previous = os.environ.get("QINGQUAN_SEARCH_INDEX_DIR")
    os.environ["QINGQUAN_SEARCH_INDEX_DIR"] = str(path)
    try:
        yield
    finally:
        if previous is None:
            del os.environ["QINGQUAN_SEARCH_INDEX_DIR"]
        else:
            os.environ["QINGQUAN_SEARCH_INDEX_DIR"] = previous


def upload(db_url: str, path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    run_cli("upload-document", str(path), db_url=db_url)


@contextmanager
def serve(db_url: str, index: Path, *, indexer: bool) -> Iterator[str]:
    env = {
        **os.environ,
        "QINGQUAN_DATABASE_URL": db_url,
        "QINGQUAN_SEARCH_INDEX_DIR": str(index),
        "QINGQUAN_SEARCH_INDEXER": "true" if indexer else "false",
    }
    with serving(env) as server:
        yield server.base
    # strawberry logs each error with its traceback: only the refusals may be there
    output = server.log()
    raised = [line for line in output.splitlines() if re.match(r"[\w.]+(Error|Exception|NotReady): ", line)]
    assert all(line.split(":")[0].endswith("IndexNotReady") for line in raised), output


def search(base: str, query: str = "招标公告") -> dict:
    response = httpx.post(f"{base}/graphql", json={"query": SEARCH, "variables": {"q": query}}, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def texts(body: dict) -> list[str]:
    return [e["node"]["article"]["text"] for e in body["data"]["searchLegalBasis"]["edges"]]


def test_a_server_without_an_indexer_refuses_search_on_another_databases_index(
    two_databases: tuple[str, str, Path],
) -> None:
    _, b, index = two_databases
    with serve(b, index, indexer=False) as base:
        refused = search(base)
        assert refused["data"] is None
        [error] = refused["errors"]
        assert error["extensions"] == {"code": "search_index_not_ready", "reason": "foreign"}
        assert "another database" in error["message"]

        with index_dir(index):  # `qingquan index` rebuilds an index of another database before draining
            indexed = run_cli("index", db_url=b)
        assert "articles: 4 indexed, rebuilt from this database" in indexed.stderr
        assert texts(search(base)) == ["招标公告发布后不得随意更改。"]  # B's own rule, the same server


def test_the_server_rebuilds_another_databases_index_and_answers_only_after(
    two_databases: tuple[str, str, Path],
) -> None:
    a, b, index = two_databases
    answers = []
    with serve(b, index, indexer=True) as base:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            body = search(base)
            answers.append(body)
            if body.get("data"):
                break
            assert body["errors"][0]["extensions"]["code"] == "search_index_not_ready", body
            time.sleep(0.1)
    # every answer was a refusal until the index was B's, then B's rule alone: never A's three hits
    # (which, looked up in B, would be its criminal-law articles)
    assert texts(answers[-1]) == ["招标公告发布后不得随意更改。"], answers
    manifest = json.loads((index / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["state"], manifest["format"]) == ("ready", index_format())

    # and back on A, its index is no longer A's: refused until rebuilt (the CLI search too)
    with index_dir(index):
        refused = run_cli("search", "招标公告", db_url=a, check=False)
        assert refused.returncode == 3 and "another database" in " ".join(refused.stderr.split())
        run_cli("reindex", db_url=a)
        hits = json.loads(run_cli("search", "招标公告", "--json", "--all-versions", db_url=a).stdout)
    assert [h["name"] for h in hits[0]["hits"]] == [f"甲县招标公告管理办法 第{n}段" for n in (1, 2, 3)]




async def test_a_manifest_of_another_format_or_an_unfinished_build_is_not_ready(
    database: str, backend: SearchBackend
) -> None:
    with pytest.raises(IndexNotReady) as missing:
        await require_ready(backend)
    assert missing.value.reason == "foreign"

    own = await ownership(backend)
    ready = Manifest(own.database, own.format, IndexState.READY)
    await backend.write_manifest(ready.as_dict())
    await require_ready(backend)  # this database, this format, complete

    await backend.write_manifest({**ready.as_dict(), "format": "0-00000000"})
    with pytest.raises(IndexNotReady) as other_format:
        await require_ready(backend)
    assert other_format.value.reason == "foreign"

    await backend.write_manifest(own.building("someone").as_dict())
    with pytest.raises(IndexNotReady) as building:
        await require_ready(backend)
    assert building.value.reason == "building"

    if isinstance(backend, EmbeddedBackend):  # an unreadable manifest is no manifest
        assert backend.manifest_path is not None
        backend.manifest_path.write_text("{not json", encoding="utf-8")
        with pytest.raises(IndexNotReady):
            await require_ready(backend)
