"""searchLegalBasis, searchLegalDocuments and searchPowers through the real app: highlights, filters,
facets, versions, paging, and the visibility rule in hits and in counts."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

import httpx
import pytest

from domain import models as m
from domain.access import CLI
from domain.enums import DisclosureScope, LegalLevel, LegalStatus, PowerCategory, PowerStatus, Role
from domain.services.legal_articles import ArticleData
from domain.services.legal_documents import LegalDocumentData, create_legal_document, delete_legal_document
from resolvers.ids import encode_id
from search import SearchBackend
from search.indexer import drain
from tests.factories import make_unit, power_name
from tests.helpers import count_queries, gql, gql_data, token_for
from tests.workflow_factories import published_power

pytestmark = pytest.mark.usefixtures("search_backend")

LEGAL = """
query Legal($q: String!, $filter: LegalSearchFilter, $first: Int, $after: String) {
  searchLegalBasis(query: $q, filter: $filter, first: $first, after: $after) {
    totalCount matchedAllWords
    pageInfo { hasNextPage endCursor }
    edges { cursor node {
      score snippet titleHighlight
      article { id label text }
      document { id title level status versionDate }
    } }
    facets { levels { level count } statuses { status count } documents { document { id title } count } }
  }
}
"""
DOCUMENTS = """
query Docs($q: String!) {
  searchLegalDocuments(query: $q, first: 5) {
    totalCount edges { node { titleHighlight document { title level } } }
    facets { levels { level count } }
  }
}
"""
POWERS = """
query Powers($q: String!, $filter: PowerSearchFilter, $first: Int, $after: String) {
  searchPowers(query: $q, filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { score nameHighlight snippet power { id code name unit { id name } } } }
    facets { categories { category count } units { unit { id } count } }
  }
}
"""


async def test_legal_basis_hits_carry_article_document_highlights_and_facets(
    search_client: httpx.AsyncClient,
) -> None:
    data = (await gql_data(search_client, LEGAL, {"q": "行政许可", "first": 5}))["searchLegalBasis"]
    assert data["totalCount"] > 5 and data["matchedAllWords"]
    assert data["pageInfo"]["hasNextPage"]
    for edge in data["edges"]:
        hit = edge["node"]
        assert "<em>行政许可</em>" in hit["snippet"] or "<em>行政许可</em>" in (hit["titleHighlight"] or "")
        assert hit["score"] > 0 and hit["article"]["label"] and hit["document"]["title"]
        assert hit["document"]["status"] == "IN_FORCE"
    facets = data["facets"]
    assert sum(f["count"] for f in facets["levels"]) == data["totalCount"]
    assert sum(f["count"] for f in facets["statuses"]) == data["totalCount"]
    assert facets["documents"] and all(f["count"] > 0 and f["document"]["title"] for f in facets["documents"])


async def test_filters_by_level_and_document_and_pages_on(search_client: httpx.AsyncClient) -> None:
    everything = (await gql_data(search_client, LEGAL, {"q": "罚款", "first": 1}))["searchLegalBasis"]
    law_count = next(f["count"] for f in everything["facets"]["levels"] if f["level"] == "LAW")
    laws = await gql_data(search_client, LEGAL, {"q": "罚款", "filter": {"levels": ["LAW"]}, "first": 3})
    laws = laws["searchLegalBasis"]
    assert laws["totalCount"] == law_count
    assert {e["node"]["document"]["level"] for e in laws["edges"]} == {"LAW"}

    top = everything["facets"]["documents"][0]
    one = await gql_data(
        search_client, LEGAL, {"q": "罚款", "filter": {"documentIds": [top["document"]["id"]]}, "first": 2}
    )
    one = one["searchLegalBasis"]
    assert one["totalCount"] == top["count"]
    after = one["pageInfo"]["endCursor"]
    rest = await gql_data(
        search_client,
        LEGAL,
        {"q": "罚款", "filter": {"documentIds": [top["document"]["id"]]}, "after": after},
    )
    labels = [e["node"]["article"]["label"] for e in one["edges"] + rest["searchLegalBasis"]["edges"]]
    assert len(labels) == len(set(labels)) == min(top["count"], 2 + 20)


async def test_versions_in_force_today_by_default_older_on_request(
    search_client: httpx.AsyncClient, search_backend: SearchBackend
) -> None:
    def version(day: date, status: LegalStatus, text: str) -> LegalDocumentData:
        return LegalDocumentData(
            title="测试用戊己庚辛管理条例", level=LegalLevel.LOCAL_REGULATION, status=status, version_date=day,
            effective_date=day, articles=[ArticleData(number=1, text=text)],
        )  # fmt: skip

    old = await create_legal_document(
        CLI, version(date(2001, 1, 1), LegalStatus.HISTORICAL, "戊己庚辛 罚款五十元")
    )
    new = await create_legal_document(
        CLI, version(date(2020, 1, 1), LegalStatus.IN_FORCE, "戊己庚辛 罚款一百元")
    )
    await drain(search_backend)

    async def found(filter: dict | None) -> set[str]:
        data = await gql_data(search_client, LEGAL, {"q": "戊己庚辛", "filter": filter})
        return {e["node"]["document"]["id"] for e in data["searchLegalBasis"]["edges"]}

    old_id, new_id = encode_id("LegalDocument", old.id), encode_id("LegalDocument", new.id)
    assert await found(None) == {new_id}
    assert await found({"inForceOn": "2010-06-01"}) == {old_id}
    assert await found({"allVersions": True}) == {old_id, new_id}
    assert await found({"allVersions": True, "statuses": ["HISTORICAL"]}) == {old_id}
    for document in (old, new):
        await delete_legal_document(CLI, document.id)
    await drain(search_backend)
    assert await found({"allVersions": True}) == set()


async def test_no_hit_with_every_word_falls_back_to_some_words(search_client: httpx.AsyncClient) -> None:
    data = (await gql_data(search_client, LEGAL, {"q": "行政许可 不存在的词语甲乙", "first": 3}))[
        "searchLegalBasis"
    ]
    assert data["matchedAllWords"] is False and data["totalCount"] > 0


async def test_legal_documents_by_title(search_client: httpx.AsyncClient) -> None:
    data = (await gql_data(search_client, DOCUMENTS, {"q": "行政许可法"}))["searchLegalDocuments"]
    assert data["totalCount"] >= 1
    assert "<em>行政许可法</em>" in data["edges"][0]["node"]["titleHighlight"]


async def test_a_bad_cursor_or_page_size_is_a_typed_error(search_client: httpx.AsyncClient) -> None:
    body = await gql(search_client, LEGAL, {"q": "罚款", "first": 1000})
    assert body["errors"][0]["extensions"]["code"] == "invalid"
    body = await gql(search_client, LEGAL, {"q": "罚款", "after": "nonsense"})
    assert body["errors"][0]["extensions"]["code"] == "invalid"


async def everything_visible(client: httpx.AsyncClient, token: str | None) -> tuple[int, set[str], dict]:
    """Every power an empty query finds for the caller, with the facets."""
    ids: set[str] = set()
    after = None
    while True:
        data = (await gql_data(client, POWERS, {"q": "", "first": 100, "after": after}, token))[
            "searchPowers"
        ]
        ids |= {e["node"]["power"]["id"] for e in data["edges"]}
        if not data["pageInfo"]["hasNextPage"]:
            return data["totalCount"], ids, data["facets"]
        after = data["pageInfo"]["endCursor"]


async def subtree(unit_id: int) -> set[int]:
    """A unit and the units below it, walked here from the parent links."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in await m.Unit.all().values_list("id", "parent_id"):
        children.setdefault(parent, []).append(pk)
    found, frontier = {unit_id}, [unit_id]
    while frontier:
        frontier = [c for u in frontier for c in children.get(u, []) if c not in found]
        found.update(frontier)
    return found


async def expected(role: Role, unit: m.Unit | None = None) -> tuple[set[str], Counter[str]]:
    """The powers `role` (of `unit`) sees and their count per category, by the rule written out here
    (DESIGN.md, "Who sees what"), never asked of domain.access: anyone those PUBLISHED, disclosed to
    PUBLIC and not confidential; a unit's staff besides every power of their unit and the units below
    it but the LEADERSHIP ones, which its leads see too; an admin everything."""
    own = await subtree(unit.id) if unit else set()
    seen: set[str] = set()
    categories: Counter[str] = Counter()
    rows = await m.Power.all().values_list("id", "unit_id", "status", "disclosure_scope", "confidential", "category")
    for pk, unit_id, status, scope, confidential, category in rows:
        public = status == PowerStatus.PUBLISHED and scope == DisclosureScope.PUBLIC and not confidential
        mine = unit_id in own and (role == Role.UNIT_LEAD or scope != DisclosureScope.LEADERSHIP)
        if role == Role.ADMIN or public or mine:
            seen.add(encode_id("Power", pk))
            categories[PowerCategory(category).value] += 1
    return seen, categories


def by_category(facets: dict) -> Counter[str]:
    return Counter({f["category"]: f["count"] for f in facets["categories"]})


async def test_power_search_obeys_the_visibility_rule_in_hits_and_counts(
    search_client: httpx.AsyncClient, search_backend: SearchBackend
) -> None:
    # a power published, disclosed to PUBLIC and confidential: only its confidential flag hides it
    # (every confidential power of the demo county is INTERNAL or LEADERSHIP besides)
    secret = await published_power(
        name=power_name("向社会公开而涉密的行政检查"), category=PowerCategory.INSPECTION, confidential=True,
        confidentiality_reason="涉及国家秘密", confidentiality_basis="《中华人民共和国保守国家秘密法》第十三条",
    )  # fmt: skip
    assert secret.status == PowerStatus.PUBLISHED and secret.disclosure_scope == DisclosureScope.PUBLIC
    await drain(search_backend)  # writes of earlier tests, and this one's

    total, ids, facets = await everything_visible(search_client, None)
    visible, categories = await expected(Role.PUBLIC)
    assert encode_id("Power", secret.id) not in visible
    assert ids == visible and total == len(ids)
    assert by_category(facets) == categories
    assert sum(f["count"] for f in facets["units"]) <= total

    # its name, read as a question (partial matches ranked): the power itself neither found nor counted
    data = (await gql_data(search_client, POWERS, {"q": secret.name}))["searchPowers"]
    assert encode_id("Power", secret.id) not in {e["node"]["power"]["id"] for e in data["edges"]}
    assert sum(f["count"] for f in data["facets"]["categories"]) == data["totalCount"]
    assert len(data["edges"]) == min(data["totalCount"], 20)

    admin = await token_for(Role.ADMIN)
    total, ids, facets = await everything_visible(search_client, admin)
    visible, categories = await expected(Role.ADMIN)
    assert ids == visible and total == await m.Power.all().count()
    assert by_category(facets) == categories
    data = (await gql_data(search_client, POWERS, {"q": secret.name}, admin))["searchPowers"]
    assert data["edges"][0]["node"]["power"]["id"] == encode_id("Power", secret.id)

    # its unit's staff find it; another unit's staff do not, nor count it
    for unit, found in ((await m.Unit.get(id=secret.unit_id), True), (await make_unit(), False)):
        total, ids, facets = await everything_visible(search_client, await token_for(Role.UNIT_STAFF, unit))
        visible, categories = await expected(Role.UNIT_STAFF, unit)
        assert ids == visible and total == len(ids)
        assert by_category(facets) == categories
        assert (encode_id("Power", secret.id) in ids) is found

    # a demo power confidential and not LEADERSHIP: its unit's staff see it with the rest of their unit
    demo_secret = await m.Power.filter(confidential=True, disclosure_scope=DisclosureScope.INTERNAL).first()
    assert demo_secret is not None
    unit = await m.Unit.get(id=demo_secret.unit_id)
    total, ids, facets = await everything_visible(search_client, await token_for(Role.UNIT_STAFF, unit))
    visible, categories = await expected(Role.UNIT_STAFF, unit)
    assert ids == visible and total == len(ids) and encode_id("Power", demo_secret.id) in ids
    assert by_category(facets) == categories

    # a power disclosed to the leadership only (领导班子内公开): its unit's leads find it, its staff do not
    leadership = await m.Power.filter(disclosure_scope=DisclosureScope.LEADERSHIP).first()
    assert leadership is not None
    unit = await m.Unit.get(id=leadership.unit_id)
    for role, found in ((Role.UNIT_STAFF, False), (Role.UNIT_LEAD, True)):
        total, ids, facets = await everything_visible(search_client, await token_for(role, unit))
        visible, categories = await expected(role, unit)
        assert ids == visible and total == len(ids)
        assert by_category(facets) == categories
        assert (encode_id("Power", leadership.id) in ids) is found


async def test_power_search_filters_and_highlights(search_client: httpx.AsyncClient) -> None:
    data = (await gql_data(search_client, POWERS, {"q": "许可", "filter": {"categories": ["LICENSING"]}}))[
        "searchPowers"
    ]
    assert data["totalCount"] > 0
    assert [f["category"] for f in data["facets"]["categories"]] == ["LICENSING"]
    assert any("<em>许可</em>" in e["node"]["nameHighlight"] for e in data["edges"])
    unit_id = data["facets"]["units"][0]["unit"]["id"]
    one = await gql_data(
        search_client, POWERS, {"q": "许可", "filter": {"categories": ["LICENSING"], "unitIds": [unit_id]}}
    )
    assert one["searchPowers"]["totalCount"] == data["facets"]["units"][0]["count"]
    assert {e["node"]["power"]["unit"]["id"] for e in one["searchPowers"]["edges"]} == {unit_id}


SLIM = """
query Slim($q: String!) {
  searchLegalBasis(query: $q, first: 5) {
    totalCount
    edges { node { snippet article { id label } document { id title } } }
    facets { documents { document { id title } count } }
  }
}
"""


async def test_a_search_reads_its_bookkeeping_at_once_and_only_the_columns_it_selects(
    search_client: httpx.AsyncClient,
) -> None:
    token = await token_for(Role.ADMIN)
    await gql_data(search_client, SLIM, {"q": "行政许可"}, token)  # the token's first use, the vocabulary built
    with count_queries() as counter:
        data = (await gql_data(search_client, SLIM, {"q": "行政许可"}, token))["searchLegalBasis"]
    assert data["edges"] and data["facets"]["documents"]
    # the token; the vocabulary's fingerprint with the database's identity; the articles; their documents
    assert len(counter.statements) == 4, counter.statements
    read = set(re.findall(r'"(\w+)"', " ".join(counter.statements)))
    assert {"label", "title", "document_id"} <= read
    assert not read & {"text", "history", "body", "chapter_path", "issuer"}, read


@pytest.mark.parametrize("query", [LEGAL, DOCUMENTS, POWERS])
async def test_search_answers_are_those_of_whole_rows(search_client: httpx.AsyncClient, query: str) -> None:
    """The same search, its rows read as selected and read whole (a field the column map does not know)."""
    token = await token_for(Role.ADMIN)
    variables = {"q": "行政许可"}
    pruned = await gql_data(search_client, query, variables, token)
    whole = await gql_data(search_client, query.replace("{\n", "{\n  viewer { role }\n", 1), variables, token)
    assert whole.pop("viewer") == {"role": "ADMIN"}
    assert pruned == whole
    assert next(iter(pruned.values()))["totalCount"] > 0


async def test_a_power_hits_units_are_read_with_the_facets_units(search_client: httpx.AsyncClient) -> None:
    """Issue 20: the hits' units are read in the statement of the facets' units, whether or not they are
    among the facets' 20 (in a province they seldom are): no statement of their own, no second batch."""
    token = await token_for(Role.ADMIN)
    without_units = POWERS.replace("power { id code name unit { id name } }", "power { id code name }")
    variables = {"q": "许可", "first": 20}
    await gql_data(search_client, POWERS, variables, token)  # the token's first use, the vocabulary built
    counts = {}
    for query in (POWERS, without_units):
        with count_queries() as counter:
            data = (await gql_data(search_client, query, variables, token))["searchPowers"]
        counts[query] = counter.count
    hits = {e["node"]["power"]["unit"]["id"] for e in (await gql_data(search_client, POWERS, variables, token))["searchPowers"]["edges"]}
    facets = {u["unit"]["id"] for u in data["facets"]["units"]}
    assert len(facets) == 20 and hits - facets, "some hit's unit must be outside the facets' 20"
    assert counts[POWERS] == counts[without_units], counts
