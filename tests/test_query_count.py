"""DataLoaders everywhere: a page of powers with their unit, bases, articles, documents, flow
charts, steps, positions and records costs the same number of SQL queries for 5 items as for 50 (to-one
relations read in the statement of the level that holds them: resolvers/prefetch.py)."""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from domain.enums import Role, UnitKind
from domain.models import Unit
from schema.relay import encode_id
from tests.factories import unique
from tests.helpers import app_client, count_queries, gql_data, token_for

pytestmark = pytest.mark.usefixtures("demo")

PAGE = """
query Page($first: Int!) {
  powers(first: $first) {
    totalCount
    edges { node {
      code name
      unit { name parent { name } }
      rules { timeLimit }
      bases { note article { label text document { title level status versions { versionDate } } } }
      flowChart { title steps { name position { name unit { name } } } edges { label } }
      disclosureRecords { channel }
      operationRecords { network stage }
    } }
  }
}
"""


async def queries_for(client: httpx.AsyncClient, first: int, token: str) -> tuple[int, dict]:
    with count_queries() as counter:
        data = await gql_data(client, PAGE, {"first": first}, token)
    return counter.count, data


async def test_sql_queries_do_not_grow_with_page_size(client: httpx.AsyncClient) -> None:
    token = await token_for(Role.ADMIN)
    await gql_data(client, "{ viewer { role } }", token=token)  # a token's first use is written down: not counted
    small, small_data = await queries_for(client, 5, token)
    large, large_data = await queries_for(client, 50, token)
    nodes = [e["node"] for e in large_data["powers"]["edges"]]
    assert len(small_data["powers"]["edges"]) == 5 and len(nodes) == 50
    # the page really reaches every level the loaders serve
    assert any(n["bases"] and n["bases"][0]["article"]["document"]["title"] for n in nodes)
    assert any(n["flowChart"] and n["flowChart"]["steps"] and n["flowChart"]["edges"] for n in nodes)
    assert any(n["operationRecords"] for n in nodes) and any(n["disclosureRecords"] for n in nodes)
    assert small == large, f"{small} queries for 5 powers but {large} for 50"
    # the token, the total, the page (its units, their parents and the charts joined in), the bases (their
    # articles and documents joined in), the versions, the steps (their positions and the positions' units
    # joined in), the edges, the two kinds of record; the floor (bench/floor_app.py) sends 8
    assert large == 9, large


NESTED = "query($first: Int!) { units(first: $first) { edges { node { id code powers(first: 3) { totalCount edges { node { code } } } } } } }"


async def test_nested_unit_powers_cost_two_statements_per_unit(client: httpx.AsyncClient) -> None:
    """A connection inside a connection pages per parent: COUNT and SELECT for each unit, nothing more
    (the subtrees for the filters are read together, in one statement per request)."""
    token = await token_for(Role.ADMIN)
    await gql_data(client, "{ viewer { role } }", token=token)  # a token's first use is written down: not counted
    counts = {}
    for first in (5, 20):
        with count_queries() as counter:
            data = await gql_data(client, NESTED, {"first": first}, token)
        counts[first] = counter.count
    assert counts[20] - counts[5] == 2 * 15, counts
    # each unit's powers are those of its subtree, as asked for one unit at a time: the page's resolvers
    # ask for the unit tree together, and none may see it half read
    units = [e["node"] for e in data["units"]["edges"]]
    assert sum(u["powers"]["totalCount"] > 0 for u in units) > 1
    for unit in units:
        alone = await gql_data(client, "query($id: ID!) { powers(filter: {unitId: $id}) { totalCount } }", {"id": unit["id"]}, token)
        assert unit["powers"]["totalCount"] == alone["powers"]["totalCount"], unit["code"]


ARTICLE_BY_LABEL = '{ legalDocuments(first: $first) { edges { node { title article(label: "第一条") { label text } } } } }'


async def test_an_article_by_label_on_a_page_of_documents_is_one_query(client: httpx.AsyncClient) -> None:
    counts = {}
    # once the document is known valid, a public request also reads the data version (the response cache)
    await gql_data(client, "query($first: Int!) " + ARTICLE_BY_LABEL, {"first": 1})
    for first in (5, 40):
        with count_queries() as counter:
            data = await gql_data(client, "query($first: Int!) " + ARTICLE_BY_LABEL, {"first": first})
        assert sum(1 for e in data["legalDocuments"]["edges"] if e["node"]["article"]) >= first // 2
        counts[first] = counter.count
    assert counts[5] == counts[40], counts


HISTORY = """
query($first: Int!) { powers(first: $first) { edges { node {
  code versions { number } revisions { status review { round } } revisionOf { status }
} } } }
"""


async def test_versions_and_revisions_of_a_page_do_not_grow_with_it(client: httpx.AsyncClient) -> None:
    """动态管理's fields batch per level like the rest (one statement each, whatever the page size)."""
    token = await token_for(Role.ADMIN)
    await gql_data(client, "{ viewer { role } }", token=token)  # a token's first use is written down: not counted
    counts = {}
    for first in (5, 40):
        with count_queries() as counter:
            data = await gql_data(client, HISTORY, {"first": first}, token)
        assert len(data["powers"]["edges"]) == first
        counts[first] = counter.count
    assert counts[5] == counts[40], counts


async def test_what_a_request_loaded_is_freed_without_the_garbage_collector(client: httpx.AsyncClient) -> None:
    """graphql-core's execution context refers to itself, so only the collector frees it; the request's
    loaders are let go when the answer is built, so that what they loaded (models, futures, converted
    objects) is freed at once: what is left for the collector does not grow with the page."""
    token = await token_for(Role.ADMIN)
    await gql_data(client, PAGE, {"first": 5}, token)  # the token's first use and the document's parsing
    left = {}
    for first in (5, 50):
        gc.collect()
        gc.disable()
        try:
            data = await gql_data(client, PAGE, {"first": first}, token)
            left[first] = gc.collect()
        finally:
            gc.enable()
        assert len(data["powers"]["edges"]) == first
    assert left[50] - left[5] < 50, left  # a page of 50 loads ~4,000 objects more than one of 5


UNIT_PAGES = """
query($id: ID!, $code: String!) {
  powers(first: 20, filter: {unitId: $id}) { totalCount edges { node { code unit { name } } } }
  unit(code: $code) { name children { name } powers(first: 20) { totalCount edges { node { code } } } }
}
"""
READS_UNITS = re.compile(r'\b(?:FROM|JOIN)\s+"?unit"?(?:\s|$)', re.I)


@contextmanager
def unit_rows_read() -> Iterator[list[int]]:
    """The rows each statement reading the unit table returns, as the database client hands them over."""
    client = type(Unit._choose_db())
    seen: list[int] = []
    plain, as_dicts = client.execute_query, client.execute_query_dict

    async def execute_query(self: Any, query: str, values: list | None = None) -> Any:
        count, rows = await plain(self, query, values)
        if READS_UNITS.search(query):
            seen.append(len(rows))
        return count, rows

    async def execute_query_dict(self: Any, query: str, values: list | None = None) -> Any:
        rows = await as_dicts(self, query, values)
        if READS_UNITS.search(query):
            seen.append(len(rows))
        return rows

    client.execute_query, client.execute_query_dict = execute_query, execute_query_dict
    try:
        yield seen
    finally:
        client.execute_query, client.execute_query_dict = plain, as_dicts


async def test_a_units_page_does_not_grow_with_the_number_of_units(database: str) -> None:
    """Issue 20: a unit's powers are its subtree's, read alone: 220 more units elsewhere in the tree (a
    province holds a hundred counties) change neither the statements nor the unit rows the page reads,
    for the public (each answer computed: no response cache) and for the unit's staff."""
    unit = await Unit.get(code="36072308")  # 国土资源局 and its offices
    staff = await token_for(Role.UNIT_STAFF, unit)
    variables = {"id": encode_id("Unit", unit.id), "code": unit.code}

    async def measure() -> dict[str | None, tuple[int, list[int], dict]]:
        found = {}
        async with app_client(response_cache_bytes=0) as client:
            for token in (None, staff):
                await gql_data(client, UNIT_PAGES, variables, token)  # the token's first use, the document's parsing
                with count_queries() as counter, unit_rows_read() as rows:
                    data = await gql_data(client, UNIT_PAGES, variables, token)
                found[token] = (counter.count, sorted(rows), data)  # statements run side by side: any order
        return found

    before = await measure()
    roots = [await Unit.create(code=unique("R"), name="外县", kind=UnitKind.COUNTY_GOVERNMENT, region_code="361001") for _ in range(20)]
    offices = [
        Unit(code=unique("O"), name="外县科室", kind=UnitKind.OFFICE, region_code="361001", parent_id=root.id)
        for root in roots
        for _ in range(10)
    ]
    await Unit.bulk_create(offices)
    try:
        after = await measure()
    finally:
        await Unit.filter(parent_id__in=[r.id for r in roots]).delete()
        await Unit.filter(id__in=[r.id for r in roots]).delete()
    for token in (None, staff):
        statements, rows, data = before[token]
        codes = [e["node"]["code"] for e in data["powers"]["edges"]]
        assert codes and codes == [e["node"]["code"] for e in data["unit"]["powers"]["edges"]]
        assert data["powers"]["totalCount"] == data["unit"]["powers"]["totalCount"] > 0
        assert after[token] == before[token], (token and "staff", before[token][:2], after[token][:2])
        assert sum(rows) < 50, rows  # the department's subtree (and the page's units), not the whole tree
