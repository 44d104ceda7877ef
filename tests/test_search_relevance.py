"""Relevance on the whole Markdown corpus, as staff type their queries: the article that answers
each one must come in the top 5 of searchLegalBasis, highlighted, on the embedded default.

The corpus goes the way of production: `qingquan import-laws` queues every document in the outbox,
`qingquan index` drains it into the index, and a real `qingquan serve` answers over HTTP.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import CORPUS, run_cli
from tests.test_serve import serving

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the Markdown law corpus is not at {CORPUS}"),
]

#: (query as typed, law whose title ends so, article that must be in the top 5)
CASES = [
    ("行政许可 决定 期限", "行政许可法", "第四十二条"),
    ("违法行为 二年内未被发现", "行政处罚法", "第三十六条"),
    ("招标公告", "招标投标法", "第十六条"),
    ("行政处罚 种类", "行政处罚法", "第九条"),
    ("听证 较大数额罚款", "行政处罚法", "第六十三条"),
    ("当场 作出 行政处罚决定", "行政处罚法", "第五十一条"),
    ("行政强制措施 种类", "行政强制法", "第九条"),
    ("查封 扣押 期限", "行政强制法", "第二十五条"),
    ("催告 履行 义务", "行政强制法", "第三十五条"),
    ("行政复议 申请 六十日", "行政复议法", "第二十条"),
    ("政府信息公开 申请 20个工作日", "政府信息公开条例", "第三十三条"),
    ("主动公开 公众参与决策", "政府信息公开条例", "第十九条"),
    ("行政许可 听证", "行政许可法", "第四十六条"),
    ("申请人 如实 提交 材料", "行政许可法", "第三十一条"),
    ("被许可人 变更", "行政许可法", "第四十九条"),
    ("撤销 行政许可", "行政许可法", "第六十九条"),
    ("注销 行政许可", "行政许可法", "第七十条"),
    ("投标文件 截止 二十日", "招标投标法", "第二十四条"),
    ("中标通知书", "招标投标法", "第四十五条"),
    ("政府采购 方式", "政府采购法", "第二十六条"),
    ("食品生产经营 许可制度", "食品安全法", "第三十五条"),
    ("征收土地 公平 合理 补偿", "土地管理法", "第四十八条"),
    ("劳动合同 试用期", "劳动合同法", "第十九条"),
    ("最低工资", "劳动法", "第四十八条"),
    ("饮酒后驾驶", "道路交通安全法", "第九十一条"),
    ("提起诉讼 六个月内", "行政诉讼法", "第四十六条"),
    ("消防 验收", "消防法", "第十三条"),
    ("设定行政许可 事项", "行政许可法", "第十二条"),
    ("行政处罚 管辖", "行政处罚法", "第二十二条"),
    ("行政机关 委托 实施 行政许可", "行政许可法", "第二十四条"),
    ("复议机关 决定 期限", "行政复议法", "第六十二条"),
]
SEARCH = """
query ($q: String!) {
  searchLegalBasis(query: $q, first: 5) {
    totalCount
    edges { node { snippet titleHighlight article { label } document { title status } } }
  }
}
"""


@pytest.fixture(scope="module")
def corpus_server(tmp_path_factory: pytest.TempPathFactory, fresh_db_url_module: str) -> Iterator[str]:
    """A server on a fresh database holding the whole corpus, its index built through the outbox."""
    index_dir = tmp_path_factory.mktemp("corpus-index")
    env = {
        **os.environ,
        "QINGQUAN_DATABASE_URL": fresh_db_url_module,
        "QINGQUAN_SEARCH_INDEX_DIR": str(index_dir),
    }
    previous = os.environ.get("QINGQUAN_SEARCH_INDEX_DIR")
    os.environ["QINGQUAN_SEARCH_INDEX_DIR"] = str(index_dir)  # run_cli passes the environment on
    try:
        run_cli("import-laws", str(CORPUS), db_url=fresh_db_url_module)
        indexed = run_cli("index", db_url=fresh_db_url_module)
    finally:
        if previous is None:
            del os.environ["QINGQUAN_SEARCH_INDEX_DIR"]
        else:
            os.environ["QINGQUAN_SEARCH_INDEX_DIR"] = previous
    assert "changes indexed" in indexed.stderr + indexed.stdout
    with serving(env) as server:
        yield server.base
    assert "Traceback" not in server.log(), server.log()


@pytest.fixture(scope="module")
def fresh_db_url_module(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database of this module's own, on the session's engine."""
    import asyncio

    from tests.conftest import database_url, drop_database, make_database

    url = asyncio.run(make_database(database_url(f"relevance_{os.getpid()}", tmp_path_factory.mktemp("corpus-db")), migrated=True))
    yield url
    asyncio.run(drop_database(url))


def test_staff_queries_find_the_right_article_in_the_top_5(corpus_server: str) -> None:
    misses = []
    with httpx.Client(base_url=corpus_server, timeout=10) as client:
        for query, law, label in CASES:
            body = client.post("/graphql", json={"query": SEARCH, "variables": {"q": query}}).json()
            assert not body.get("errors"), body
            nodes = [e["node"] for e in body["data"]["searchLegalBasis"]["edges"]]
            found = [
                n for n in nodes if n["document"]["title"].endswith(law) and n["article"]["label"] == label
            ]
            if not found:
                misses.append(
                    f"{query} → {law}{label}: {[n['document']['title'] + n['article']['label'] for n in nodes]}"
                )
                continue
            assert "<em>" in found[0]["snippet"] + (found[0]["titleHighlight"] or ""), found[0]
            assert found[0]["document"]["status"] == "IN_FORCE"
    assert not misses, "\n".join(misses)
    assert len(CASES) >= 30


# --- how people ask: the development set of issue 10 ------------------------------------------

DEVSET = Path(__file__).parent / "fixtures" / "search_devset.tsv"
#: 30 questions written as people talk for issue 22's second round (h4, session 12), after the changes measured
#: on them were chosen (their answers verified by reading the article); tuned on since session 13 (h3: the
#: thesaurus's words of their misses, search/thesaurus.tsv), so no longer a measure of unseen questions
FRESH = Path(__file__).parent / "fixtures" / "search_fresh.tsv"
#: recall@5 of the fresh questions (11 of 30 before the thesaurus's words of their misses, 20 after, 22 with the
#: widening of everyday words by meaning, search/nearby.py: bench/RESULTS.md, session 13, h3): a floor that fails
#: without either
FRESH_AT_5 = 0.70
#: 30 more, written in session 13 (h3) before any search of them and before the thesaurus's words above, answers
#: read in the corpus: the blind set. Never tune on them (write a new set first).
FRESH2 = Path(__file__).parent / "fixtures" / "search_fresh2.tsv"
#: recall@5 of the blind questions (18 of 30 measured by words and thesaurus, 20 with the widening by meaning,
#: search/nearby.py, measured once: bench/RESULTS.md, session 13, h3): a floor that fails without the widening
FRESH2_AT_5 = 0.65
DEVSET_QUERY = """
query ($q: String!) {
  searchLegalBasis(query: $q, first: 10) { edges { node { article { label } document { title } } } }
}
"""
#: recall@5 each kind must reach (the figures of the last measurement, a little below: see bench/RESULTS.md)
THRESHOLDS = {"question": 0.75, "everyday": 0.70, "loose_law": 0.80, "citation": 0.95}
HARD_KINDS_AT_5 = 0.86
#: recall@1 of the keyword queries (issue 10's goal: 0.85; 0.87 measured, see bench/RESULTS.md)
KEYWORD_AT_1 = 0.85


@dataclass(frozen=True)
class Case:
    """A query with its one verified answer (tests/fixtures/search_devset.tsv, or the keyword CASES)."""

    kind: str
    query: str
    law: str
    article: str


def devset_cases(path: Path = DEVSET, *, keywords: bool = True) -> list[Case]:
    with path.open(encoding="utf-8") as f:
        rows = [Case(r["kind"], r["query"], r["law"], r["article"]) for r in csv.DictReader(f, delimiter="\t")]
    return rows + ([Case("keyword", q, law, label) for q, law, label in CASES] if keywords else [])


def rank_of(case: Case, nodes: list[dict]) -> int | None:
    """1-based rank of the answer: the law by its exact title (by how the title ends, for keywords)."""
    for i, n in enumerate(nodes, 1):
        title = n["document"]["title"]
        same_law = title.endswith(case.law) if case.kind == "keyword" else title == case.law
        if same_law and n["article"]["label"] == case.article:
            return i
    return None


def recall(ranks: list[int | None], k: int) -> float:
    return sum(1 for r in ranks if r is not None and r <= k) / len(ranks)


def test_how_people_ask_questions_everyday_words_loose_names_and_citations(corpus_server: str) -> None:
    ranks: dict[str, list[int | None]] = {}
    with httpx.Client(base_url=corpus_server, timeout=30) as client:
        for case in devset_cases():
            body = client.post("/graphql", json={"query": DEVSET_QUERY, "variables": {"q": case.query}}).json()
            assert not body.get("errors"), (case.query, body)
            ranks.setdefault(case.kind, []).append(rank_of(case, [e["node"] for e in body["data"]["searchLegalBasis"]["edges"]]))
    assert {k: len(v) for k, v in ranks.items() if k != "keyword"} == {"question": 48, "everyday": 28, "loose_law": 30, "citation": 32}
    at5 = {kind: recall(r, 5) for kind, r in ranks.items()}
    assert all(at5[kind] >= floor for kind, floor in THRESHOLDS.items()), at5
    hard = [r for kind, rs in ranks.items() if kind != "keyword" for r in rs]
    assert recall(hard, 5) >= HARD_KINDS_AT_5, recall(hard, 5)
    at1 = recall(ranks["keyword"], 1)
    assert at5["keyword"] >= 0.97 and at1 >= KEYWORD_AT_1, (at5["keyword"], at1)


@pytest.mark.parametrize(("path", "floor"), [(FRESH, FRESH_AT_5), (FRESH2, FRESH2_AT_5)], ids=["fresh", "blind"])
def test_questions_written_after_the_tuning(corpus_server: str, path: Path, floor: float) -> None:
    """The fresh questions (their misses' words since in the thesaurus) and the blind ones (never tuned on): a
    floor under what the search finds for each."""
    ranks = []
    with httpx.Client(base_url=corpus_server, timeout=30) as client:
        for case in devset_cases(path, keywords=False):
            body = client.post("/graphql", json={"query": DEVSET_QUERY, "variables": {"q": case.query}}).json()
            assert not body.get("errors"), (case.query, body)
            ranks.append(rank_of(case, [e["node"] for e in body["data"]["searchLegalBasis"]["edges"]]))
    assert len(ranks) == 30 and recall(ranks, 5) >= floor, recall(ranks, 5)
