"""How the embedded index ranks near-identical articles (search.embedded; Meilisearch ranks its own way).

Each case is one of the ways BM25 on grams went wrong on the whole corpus (bench/RESULTS.md, "after
session 4"), reduced to a few articles; each fails when its remedy is taken out.
"""

from __future__ import annotations

from typing import Any

import pytest

from search import analysis, embedded
from search.embedded import FILLER, SENTENCE_GAP, EmbeddedBackend, indexed_units
from search.model import SPECS, AnyOf, IndexName, SearchRequest

ARTICLES = IndexName.ARTICLES
#: Articles that hold none of the query's words, so that the words' IDFs are those of a library.
OTHERS = [
    "本条例自公布之日起施行。",
    "县级以上人民政府应当加强对本行政区域内有关工作的领导。",
    "国家鼓励和支持有关科学研究，推广先进技术。",
    "违反本法规定，构成犯罪的，依法追究刑事责任。",
    "任何单位和个人都有权对违法行为进行举报。",
    "国务院有关部门按照职责分工负责有关监督管理工作。",
]


def article(id: int, text: str, title: str = "某某法") -> dict[str, Any]:
    return {
        "id": id, "text": text, "title": title, "label": f"第{id}条", "chapter": "", "lead": "",
        "document_id": str(100 + id), "work_id": str(id), "level": "LAW", "status": "IN_FORCE",
        "valid_from": 20000101, "valid_to": 99991231, "boost": 0.0,
    }  # fmt: skip


async def scored(texts: dict[int, str], query: str) -> dict[int, float]:
    """The articles found for `query`, best first, with their scores."""
    backend = EmbeddedBackend(None)
    await backend.upsert(ARTICLES, [article(i, t) for i, t in texts.items()] +
                         [article(900 + i, t) for i, t in enumerate(OTHERS)])  # fmt: skip
    result = await backend.search(ARTICLES, SearchRequest(query=query, limit=5))
    return {h.id: h.score for h in result.hits}


async def ranked(texts: dict[int, str], query: str) -> list[int]:
    return list(await scored(texts, query))


def test_a_sentence_end_is_followed_by_a_gap_and_a_long_text_by_padding() -> None:
    assert indexed_units("听证。罚款") == ["听", "证", "。", *[FILLER] * SENTENCE_GAP, "罚", "款"]
    assert indexed_units("听证，罚款", pad=3) == ["听", "证", "，", "罚", "款", FILLER, FILLER, FILLER]
    assert indexed_units("", pad=3) == []
    assert SENTENCE_GAP > embedded.NEAR_SLOP


async def test_the_padding_is_never_found() -> None:
    """The fillers and separators the analysis makes itself cannot be typed into a query: alone they are
    no query at all (a listing, as an empty query is), inside a word they vanish."""
    assert analysis.units(f"{FILLER}\u241f听{FILLER}证") == ["听", "证"]
    texts = {1: "当事人可以要求听证。罚款数额较大的，由负责人决定", 2: "罚款"}
    listing = await scored(texts, "")  # no words: every article alike
    padding = await scored(texts, FILLER * 2)
    assert len(padding) == len(listing) and set(padding.values()) == set(listing.values()) == {1.0}
    assert await ranked(texts, f"听{FILLER}证") == await ranked(texts, "听证") == [1]


async def test_words_close_together_count_only_within_one_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = {
        1: "当事人可以要求听证。罚款数额较大的，由负责人决定",
        2: "当事人可以要求听证，罚款数额较大的，由负责人决定",
    }
    scores = await scored(texts, "听证 罚款")
    assert scores[2] > scores[1] * 1.5
    monkeypatch.setattr(embedded, "SENTENCE_GAP", 0)
    scores = await scored(texts, "听证 罚款")
    assert scores[2] < scores[1] * 1.1  # the same but for the gap


async def test_the_article_about_the_words_beats_a_one_line_mention(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = {
        1: "劳动合同可以约定试用期。试用期最长不得超过六个月。",
        2: "劳动合同期限三个月以上不满一年的，试用期不得超过一个月；劳动合同期限一年以上不满三年的，"
        "试用期不得超过二个月；三年以上固定期限和无固定期限的劳动合同，试用期不得超过六个月。\n"
        "同一用人单位与同一劳动者只能约定一次试用期。\n"
        "以完成一定工作任务为期限的劳动合同或者劳动合同期限不满三个月的，不得约定试用期。\n"
        "试用期包含在劳动合同期限内。劳动合同仅约定试用期的，试用期不成立，该期限为劳动合同期限。",
    }
    assert (await ranked(texts, "劳动合同 试用期"))[:2] == [2, 1]
    monkeypatch.setattr(embedded, "LENGTH_PAD", {})
    assert (await ranked(texts, "劳动合同 试用期"))[:2] == [1, 2]  # BM25's own length normalisation


async def test_a_long_word_counts_as_one_word(monkeypatch: pytest.MonkeyPatch) -> None:
    """较大数额罚款 is a phrase of five bigrams, common ones (较大, 数额, 罚款): as the sum of their IDFs it
    outweighed 听证, and the article that says it twice beat the one about hearings."""
    monkeypatch.setattr(
        "tests.test_search_ranking.OTHERS",
        [
            *OTHERS,
            "处以罚款。",
            "数额较大的，处以罚款。",
            "情节较大的，没收违法所得。",
            "罚款数额由主管部门确定。",
        ],
    )
    texts = {
        1: "作出较大数额罚款决定前，应当告知当事人有要求听证的权利。较大数额罚款的标准另行规定。",
        2: "当事人要求听证的，行政机关应当组织听证；听证由非本案调查人员主持，对较大数额罚款",
    }
    assert (await ranked(texts, "听证 较大数额罚款"))[:2] == [2, 1]
    monkeypatch.setattr(embedded, "LONG_WORD", 0.0)
    assert (await ranked(texts, "听证 较大数额罚款"))[:2] == [1, 2]


def test_a_filter_of_a_few_keywords_is_skipped_through_not_marked_over_the_whole_index() -> None:
    """Issue 20: a term set query marks every document of the index that has one of its keywords before
    the search (the public rule's PUBLISHED, PUBLIC and not confidential: nearly all of them), a cost in
    proportion to the index; a few keywords are term queries, whose postings follow the text's matches."""
    index = embedded._Index(SPECS[IndexName.POWERS], None)
    for values in (("PUBLISHED",), ("PUBLISHED", "DRAFT")):
        assert "TermSet" not in repr(index.filter_query(AnyOf("status", values)))
    many = tuple(str(n) for n in range(embedded.TERMS_SKIPPED + 1))
    assert "TermSetQuery" in repr(index.filter_query(AnyOf("unit_id", many)))
