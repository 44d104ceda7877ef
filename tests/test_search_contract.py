"""The contract every search backend keeps, run against each of them.

The embedded default always runs; the Meilisearch leg runs when QINGQUAN_TEST_MEILI_URL points at a
server (e.g. the one deploy/docker-compose.yml starts) and is skipped, saying so, otherwise.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from domain.access import Viewer
from domain.enums import Role
from search.backend import SearchBackend
from search.documents import is_public_power, keyword
from search.filters import visible_powers
from search.model import AnyOf, Between, Either, Ids, IndexChanges, IndexName, SearchRequest

ARTICLES = IndexName.ARTICLES
POWERS = IndexName.POWERS


def article(
    id: int, text: str, *, title: str = "某某条例", level: str = "LOCAL_REGULATION", **extra: Any
) -> dict:
    return {
        "id": id, "text": text, "title": title, "label": f"第{id}条", "chapter": "",
        "document_id": str(extra.pop("document_id", 100 + id)), "work_id": "1", "level": level,
        "status": extra.pop("status", "IN_FORCE"), "valid_from": extra.pop("valid_from", 20000101),
        "valid_to": extra.pop("valid_to", 99991231), "boost": 0.0, **extra,
    }  # fmt: skip




async def ids(backend: SearchBackend, query: str, **kwargs: Any) -> list[int]:
    result = await backend.search(ARTICLES, SearchRequest(query=query, **kwargs))
    return [h.id for h in result.hits]


async def test_a_word_is_found_inside_longer_words(backend: SearchBackend) -> None:
    await backend.upsert(ARTICLES, [
        article(1, "依照中华人民共和国行政许可法的规定办理"),
        article(2, "本条例自公布之日起施行"),
    ])  # fmt: skip
    assert await ids(backend, "许可") == [1]
    assert await ids(backend, "人民") == [1]
    assert await ids(backend, "行政许可法") == [1]


async def test_characters_scattered_apart_do_not_match(backend: SearchBackend) -> None:
    await backend.upsert(ARTICLES, [
        article(1, "当事人提出申请的，应当邀请人民调解员参加"),  # 申请 … 邀请人: not 申请人
        article(2, "申请人应当如实提交有关材料"),
    ])  # fmt: skip
    assert await ids(backend, "申请人") == [2]


async def test_a_single_character_query_works(backend: SearchBackend) -> None:
    await backend.upsert(
        ARTICLES, [article(1, "没收违法所得"), article(2, "处以罚款"), article(3, "予以警告")]
    )
    assert await ids(backend, "罚") == [2]


async def test_every_word_must_occur_unless_any_is_asked_for(backend: SearchBackend) -> None:
    await backend.upsert(ARTICLES, [
        article(1, "行政机关作出行政许可决定"),
        article(2, "行政许可的期限"),
        article(3, "行政许可决定应当在法定期限内作出"),
    ])  # fmt: skip
    assert await ids(backend, "行政许可 决定 期限") == [3]
    assert set(await ids(backend, "决定 期限", match_all=False)) == {1, 2, 3}


async def test_title_and_exact_phrase_rank_higher(backend: SearchBackend) -> None:
    await backend.upsert(ARTICLES, [
        article(1, "行政机关实施检查，可以依法许可有关事项"),
        article(2, "行政机关实施行政许可，应当公开"),
        article(3, "本法所称检查，是指行政机关的许可", title="中华人民共和国行政许可法"),
    ])  # fmt: skip
    ranked = await ids(backend, "行政许可")
    assert set(ranked) == {2, 3}  # 行政 … 许可 apart (article 1) is no match
    assert ranked[0] == 3  # the title counts more than the text
    ranked = await ids(backend, "实施 行政许可")
    assert ranked == [2]


async def test_highlights_mark_the_matches_and_escape_the_text(backend: SearchBackend) -> None:
    await backend.upsert(ARTICLES, [article(1, "申请<行政许可>的，申请人应当提交材料", title="行政许可法")])
    hit = (await backend.search(ARTICLES, SearchRequest(query="行政许可"))).hits[0]
    assert "&lt;<em>行政许可</em>&gt;" in hit.snippet
    assert hit.highlights["title"] == "<em>行政许可</em>法"
    assert hit.score > 0


async def test_long_text_is_cropped_around_the_match(backend: SearchBackend) -> None:
    text = "前言" * 200 + "应当依法取得许可" + "后文" * 200
    await backend.upsert(ARTICLES, [article(1, text)])
    hit = (await backend.search(ARTICLES, SearchRequest(query="取得许可", crop=60))).hits[0]
    assert "<em>取得许可</em>" in hit.snippet
    assert hit.snippet.startswith("…") and hit.snippet.endswith("…")
    assert len(hit.snippet) < 200


async def test_filters_and_facets(backend: SearchBackend) -> None:
    await backend.upsert(ARTICLES, [
        article(1, "罚款", level="LAW", document_id=7),
        article(2, "罚款", level="LAW", document_id=7, status="HISTORICAL", valid_from=19960101, valid_to=20210715),
        article(3, "罚款", level="LOCAL_REGULATION", document_id=8, valid_from=20210715),
        article(4, "警告", level="LAW", document_id=9),
    ])  # fmt: skip
    request = SearchRequest(query="罚款", facets=("level", "document_id"))
    result = await backend.search(ARTICLES, request)
    assert result.total == 3
    assert result.facets["level"] == [("LAW", 2), ("LOCAL_REGULATION", 1)]
    assert dict(result.facets["document_id"]) == {"7": 2, "8": 1}
    # each hit names its document, so that the articles and their documents are read at once
    assert {h.id: h.document_id for h in result.hits} == {1: 7, 2: 7, 3: 8}

    in_force_1999 = (Between("valid_from", None, 19990101), Between("valid_to", 19990102, None))
    assert await ids(backend, "罚款", filters=in_force_1999) == [2]
    assert sorted(
        await ids(backend, "罚款", filters=(AnyOf("level", ("LOCAL_REGULATION", "CONSTITUTION")),))
    ) == [3]
    either = Either(
        ((AnyOf("status", ("HISTORICAL",)),), (AnyOf("document_id", ("8",)), Between("valid_from", 20200101)))
    )
    result = await backend.search(ARTICLES, SearchRequest(query="罚款", filters=(either,), facets=("level",)))
    assert sorted(h.id for h in result.hits) == [2, 3]
    assert result.facets["level"] == [("LAW", 1), ("LOCAL_REGULATION", 1)]
    assert await ids(backend, "罚款", filters=(AnyOf("level", ()),)) == []
    # many keywords (a unit and its offices, a law's versions) select as a few do
    many = AnyOf("document_id", tuple(str(n) for n in range(8, 40)))
    assert sorted(await ids(backend, "罚款", filters=(many,))) == [3]
    # ids (the nearest texts by meaning), a few or hundreds (a term query each, or one term set): the same
    assert sorted(await ids(backend, "罚款", filters=(Ids((3, 4)),))) == [3]
    assert sorted(await ids(backend, "罚款", filters=(Ids((3, 4, *range(1000, 1300))),))) == [3]
    assert await ids(backend, "罚款", filters=(Ids(()),)) == []


async def test_hits_ranked_by_ids_only_are_read_whole_as_a_search_reads_them(backend: SearchBackend) -> None:
    await backend.upsert(ARTICLES, [article(i, f"第{i}项 违反本条例规定的，处以罚款。" * i) for i in range(1, 6)])
    request = SearchRequest(query="罚款", limit=3)
    whole = await backend.search(ARTICLES, request)
    ranked = await backend.search(ARTICLES, replace(request, ids_only=True))
    assert [(h.id, h.score) for h in ranked.hits] == [(h.id, h.score) for h in whole.hits]
    assert await backend.read(ARTICLES, request, ranked.hits) == whole.hits  # highlights, excerpt, document


async def test_pagination_and_an_empty_query(backend: SearchBackend) -> None:
    await backend.upsert(ARTICLES, [article(i, f"第{i}项 罚款") for i in range(1, 8)])
    first = await backend.search(ARTICLES, SearchRequest(query="罚款", limit=3))
    rest = await backend.search(ARTICLES, SearchRequest(query="罚款", limit=10, offset=3))
    assert first.total == rest.total == 7
    assert len(first.hits) == 3 and len(rest.hits) == 4
    assert {h.id for h in first.hits} | {h.id for h in rest.hits} == set(range(1, 8))
    assert (await backend.search(ARTICLES, SearchRequest(query="", limit=0))).total == 7


async def test_upsert_replaces_and_deletes_remove(backend: SearchBackend) -> None:
    await backend.upsert(
        ARTICLES,
        [article(1, "旧的条文"), article(2, "其他", document_id=5), article(3, "其他", document_id=5)],
    )
    await backend.upsert(ARTICLES, [article(1, "新的条文")])
    assert await ids(backend, "旧的") == []
    assert await ids(backend, "新的") == [1]
    await backend.apply(ARTICLES, IndexChanges(delete_where={"document_id": ["5"]}))
    assert await backend.count(ARTICLES) == 1
    await backend.delete(ARTICLES, [1])
    assert await backend.count(ARTICLES) == 0


async def test_clear_and_health(backend: SearchBackend) -> None:
    await backend.upsert(ARTICLES, [article(1, "条文")])
    await backend.upsert(IndexName.POWERS, [{
        "id": 1, "name": "行政许可", "code": "X-1", "description": "", "basis": "", "unit_name": "县局",
        "category_name": "行政许可", "unit_id": "1", "category": "LICENSING", "status": "PUBLISHED",
        "disclosure_scope": "PUBLIC", "confidential": "false", "public": "true", "boost": 0.0,
    }])  # fmt: skip
    assert await backend.health()
    await backend.clear(ARTICLES)
    assert await backend.count(ARTICLES) == 0
    assert await backend.count(IndexName.POWERS) == 1
    await backend.clear()
    assert await backend.count(IndexName.POWERS) == 0


async def test_an_unreachable_meilisearch_is_reported_as_unavailable() -> None:
    from search.backend import SearchUnavailable
    from search.meili import MeiliBackend

    down = MeiliBackend("http://127.0.0.1:9", timeout=2)  # nothing listens on the discard port
    try:
        assert not await down.health()
        with pytest.raises(SearchUnavailable):
            await down.search(ARTICLES, SearchRequest(query="许可"))
        with pytest.raises(SearchUnavailable):
            await down.upsert(ARTICLES, [article(1, "许可")])
    finally:
        await down.close()


def power(id: int, unit_id: int, scope: str = "PUBLIC", *, status: str = "PUBLISHED", confidential: bool = False) -> dict:
    """A power's index document as search.documents.power_documents writes it (`public` by its rule)."""
    rule = {"status": status, "disclosure_scope": scope, "confidential": confidential}
    return {
        "id": id, "code": f"P{id:04d}", "name": f"第{id}项行政检查", "description": "", "basis": "", "unit_name": "",
        "category_name": "行政检查", "unit_id": str(unit_id), "unit": unit_id, "category": "INSPECTION", "status": status,
        "disclosure_scope": scope, "confidential": "true" if confidential else "false",
        "public": keyword(is_public_power(rule)), "boost": 0.0,
    }  # fmt: skip


async def test_the_visibility_filter_on_each_engine(backend: SearchBackend) -> None:
    """search.filters.visible_powers as each engine applies it, in hits, totals and facets: the expected
    ids written out by hand. Unit 1 has an office, unit 2; the public-scope confidential power (3) is
    hidden by its confidential flag alone."""
    await backend.upsert(POWERS, [
        power(1, 1), power(2, 1, "INTERNAL"), power(3, 1, confidential=True), power(4, 1, "LEADERSHIP"),
        power(5, 1, status="DRAFT"), power(6, 10, "INTERNAL", confidential=True), power(7, 2), power(8, 2, "LIMITED"),
    ])  # fmt: skip
    unit_1 = frozenset({1, 10})
    seen = {
        Viewer(): {1, 7},
        Viewer(role=Role.UNIT_STAFF, unit_id=1, unit_ids=unit_1): {1, 2, 3, 5, 6, 7},
        Viewer(role=Role.UNIT_LEAD, unit_id=1, unit_ids=unit_1): {1, 2, 3, 4, 5, 6, 7},
        Viewer(role=Role.UNIT_STAFF, unit_id=10, unit_ids=frozenset({10})): {1, 6, 7},
        Viewer(role=Role.UNIT_STAFF, unit_id=2, unit_ids=frozenset({2})): {1, 7, 8},
        Viewer(role=Role.INSPECTOR): set(range(1, 9)),
    }
    for viewer, expected in seen.items():
        facets = ("unit_id", "unit", "confidential")
        request = SearchRequest(query="行政检查", filters=visible_powers(viewer), facets=facets)
        result = await backend.search(POWERS, request)
        assert {h.id for h in result.hits} == expected and result.total == len(expected), viewer
        assert sum(n for _, n in result.facets["unit_id"]) == len(expected), viewer
        assert sorted(result.facets["unit"]) == sorted(result.facets["unit_id"]), viewer  # the number, as text
        secret = sum(1 for i in expected if i in (3, 6))
        assert dict(result.facets["confidential"]).get("true", 0) == secret, viewer


def test_the_public_keyword_is_the_public_rule() -> None:
    """The `public` keyword the public's searches filter on (search.documents.is_public_power) holds exactly
    for the powers domain.access shows the public, for every status, scope and confidentiality."""
    from itertools import product
    from types import SimpleNamespace

    from domain.access import sees_power
    from domain.enums import DisclosureScope, PowerStatus

    shown = 0
    for status, scope, confidential in product(PowerStatus, DisclosureScope, (False, True)):
        values = {"status": status, "disclosure_scope": scope, "confidential": confidential}
        power = SimpleNamespace(unit_id=1, **values)  # the loaded power's fields sees_power reads
        assert is_public_power(values) == sees_power(Viewer(), power), values  # type: ignore[arg-type]
        assert is_public_power({**values, "confidential": int(confidential)}) == sees_power(Viewer(), power)  # type: ignore[arg-type]
        shown += is_public_power(values)
    assert shown == 1
