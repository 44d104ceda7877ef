"""Keyset pagination both ways (issue 25, item 3): `first/after` and `last/before` on powers, units, legal
documents, operation records and cases, cursors that do not shift when rows are added, Relay's pageInfo in both directions,
a constant number of SQL statements whatever the page size, and typed errors for cursors we did not
hand out (or handed out for another order)."""

from __future__ import annotations

import base64
from datetime import date
from typing import Any

import httpx
import pytest

from domain.access import PUBLIC
from domain.cases import ApplicationData, file_application
from domain.enums import DisclosureScope, PowerCategory, Role
from resolvers.ids import encode_cursor
from schema.relay import encode_id
from tests.alarm_factories import posted_power, posts
from tests.factories import make_document, make_power, make_unit, power_name, unique
from tests.helpers import count_queries, gql, gql_data, token_for
from tests.oversight_factories import exercise
from tests.workflow_factories import published_power

POWERS = """
query($unit: ID!, $first: Int, $after: String, $last: Int, $before: String, $order: PowerOrder) {
  powers(filter: { unitId: $unit }, first: $first, after: $after, last: $last, before: $before, orderBy: $order) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { name } }
  }
}
"""

DOCUMENTS = """
query($title: String!, $first: Int, $after: String, $last: Int, $before: String, $order: LegalDocumentOrder) {
  legalDocuments(filter: { titleContains: $title }, first: $first, after: $after, last: $last, before: $before,
                 orderBy: $order) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { title versionDate } }
  }
}
"""

BY_NAME = {"field": "NAME", "direction": "ASC"}


@pytest.fixture(scope="module")
async def admin(database: str) -> str:
    return await token_for(Role.ADMIN)


@pytest.fixture(scope="module")
async def seven(database: str) -> tuple[str, list[str]]:
    """A unit of its own with seven powers named so that their order is known."""
    unit = await make_unit(name="分页测试局")
    tag = unique("")
    names = [f"分页测试{tag}-{n:02d}" for n in range(1, 8)]
    for name in reversed(names):  # created out of order: the order is the name's, not the id's
        await make_power(unit, name=name)
    return encode_id("Unit", unit.id), names


async def walk(client: httpx.AsyncClient, query: str, variables: dict[str, Any], token: str, *,
               size: int, forward: bool, key: str) -> tuple[list[Any], list[dict[str, Any]]]:  # fmt: skip
    """Every node, page by page in one direction, and each page's pageInfo."""
    nodes: list[Any] = []
    infos: list[dict[str, Any]] = []
    cursor = None
    while True:
        args = {"first": size, "after": cursor} if forward else {"last": size, "before": cursor}
        conn = next(iter((await gql_data(client, query, {**variables, **args}, token)).values()))
        page = [e["node"][key] for e in conn["edges"]]
        nodes = nodes + page if forward else page + nodes
        infos.append(conn["pageInfo"])
        more = conn["pageInfo"]["hasNextPage" if forward else "hasPreviousPage"]
        if not more:
            return nodes, infos
        cursor = conn["pageInfo"]["endCursor" if forward else "startCursor"]
        assert len(infos) < 20


async def test_powers_page_both_ways_with_relay_page_info(client: httpx.AsyncClient, admin: str, seven) -> None:
    unit, names = seven
    variables = {"unit": unit, "order": BY_NAME}
    forward, f_infos = await walk(client, POWERS, variables, admin, size=3, forward=True, key="name")
    backward, b_infos = await walk(client, POWERS, variables, admin, size=3, forward=False, key="name")
    assert forward == names and backward == names
    # forward: 3 + 3 + 1; each page knows what lies on both sides
    assert [(i["hasPreviousPage"], i["hasNextPage"]) for i in f_infos] == [(False, True), (True, True), (True, False)]
    # backward: 3 + 3 + 1 from the end
    assert [(i["hasPreviousPage"], i["hasNextPage"]) for i in b_infos] == [(True, False), (True, True), (False, True)]

    # last N of the rows before a cursor, first N of the rows after it, both cursors at once
    full = (await gql_data(client, POWERS, {**variables, "first": 7}, admin))["powers"]["edges"]
    cursors = [e["cursor"] for e in full]
    middle = (await gql_data(client, POWERS, {**variables, "after": cursors[1], "before": cursors[5], "first": 10}, admin))["powers"]
    assert [e["node"]["name"] for e in middle["edges"]] == names[2:5]
    assert middle["pageInfo"]["hasPreviousPage"] and middle["pageInfo"]["hasNextPage"] and middle["totalCount"] == 7
    tail = (await gql_data(client, POWERS, {**variables, "last": 2, "before": cursors[5]}, admin))["powers"]
    assert [e["node"]["name"] for e in tail["edges"]] == names[3:5]
    # a cursor is the same for the same row however it was reached
    assert [e["cursor"] for e in tail["edges"]] == cursors[3:5]


async def test_a_page_does_not_shift_when_rows_are_added_or_removed(client: httpx.AsyncClient, admin: str) -> None:
    unit = await make_unit(name="分页插入测试局")
    tag = unique("")
    for n in (2, 4, 6, 8, 10):
        await make_power(unit, name=f"插入测试{tag}-{n:02d}")
    variables = {"unit": encode_id("Unit", unit.id), "order": BY_NAME}
    first = (await gql_data(client, POWERS, {**variables, "first": 2}, admin))["powers"]
    assert [e["node"]["name"][-2:] for e in first["edges"]] == ["02", "04"]
    # rows added before, between and after the page already read; the next page starts where the last ended
    for n in (1, 3, 5):
        await make_power(unit, name=f"插入测试{tag}-{n:02d}")
    after = first["pageInfo"]["endCursor"]
    second = (await gql_data(client, POWERS, {**variables, "first": 2, "after": after}, admin))["powers"]
    assert [e["node"]["name"][-2:] for e in second["edges"]] == ["05", "06"]
    assert second["totalCount"] == 8 and second["pageInfo"]["hasPreviousPage"]
    # and backward from it, the rows added meanwhile are where they belong
    back = (await gql_data(client, POWERS, {**variables, "last": 3, "before": second["pageInfo"]["startCursor"]}, admin))["powers"]
    assert [e["node"]["name"][-2:] for e in back["edges"]] == ["02", "03", "04"]
    assert back["pageInfo"]["hasPreviousPage"] and back["pageInfo"]["hasNextPage"]


async def test_nullable_dates_page_the_same_both_ways(client: httpx.AsyncClient, admin: str) -> None:
    """Documents without a version date sort where the database puts NULL, and the cursors follow it."""
    title = f"分页日期测试{unique('')}"
    dates = [date(2020, 1, 1), None, date(2018, 5, 1), None, date(2020, 1, 1), date(2022, 3, 3)]
    for n, day in enumerate(dates):
        await make_document(title=f"{title}第{n}号", version_date=day, articles=1)
    for direction in ("ASC", "DESC"):
        variables = {"title": title, "order": {"field": "VERSION_DATE", "direction": direction}}
        whole = (await gql_data(client, DOCUMENTS, {**variables, "first": 100}, admin))["legalDocuments"]
        expected = [e["node"]["title"] for e in whole["edges"]]
        assert len(expected) == 6
        got = [e["node"]["versionDate"] for e in whole["edges"]]
        present = [d for d in got if d]
        assert present == sorted(present, reverse=direction == "DESC")
        for size in (1, 2, 4):
            forward, _ = await walk(client, DOCUMENTS, variables, admin, size=size, forward=True, key="title")
            backward, _ = await walk(client, DOCUMENTS, variables, admin, size=size, forward=False, key="title")
            assert forward == expected and backward == expected, (direction, size)


async def test_units_page_both_ways(client: httpx.AsyncClient) -> None:
    parent = await make_unit(name="分页上级")
    for _ in range(5):
        await make_unit(parent)
    query = """query($parent: ID!, $first: Int, $after: String, $last: Int, $before: String) {
      units(filter: { parentId: $parent }, first: $first, after: $after, last: $last, before: $before) {
        totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { node { code } } } }"""
    variables = {"parent": encode_id("Unit", parent.id)}
    forward, _ = await walk(client, query, variables, "", size=2, forward=True, key="code")
    backward, _ = await walk(client, query, variables, "", size=2, forward=False, key="code")
    assert len(forward) == 5 and forward == sorted(forward) and backward == forward


async def test_statements_do_not_grow_with_the_page_size(client: httpx.AsyncClient, admin: str, seven) -> None:
    unit, _ = seven
    variables = {"unit": unit, "order": BY_NAME}
    start = (await gql_data(client, POWERS, {**variables, "first": 1}, admin))["powers"]["pageInfo"]["endCursor"]
    counts = {}
    for size in (2, 6):
        for args in ({"first": size, "after": start}, {"last": size}, {"last": size, "before": start}):
            with count_queries() as counter:
                await gql_data(client, POWERS, {**variables, **args}, admin)
            counts[(size, tuple(args))] = counter.count
    for args in ({"first", "after"}, {"last"}, {"last", "before"}):
        small = next(v for (s, k), v in counts.items() if s == 2 and set(k) == args)
        large = next(v for (s, k), v in counts.items() if s == 6 and set(k) == args)
        assert small == large, counts


def field_code(error: dict[str, Any]) -> str:
    """The code of the one field a validation error names."""
    (field,) = error["extensions"]["fields"]
    return field["code"]


def b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


async def test_cursors_we_did_not_hand_out_are_typed_errors(client: httpx.AsyncClient, admin: str, seven) -> None:
    unit, names = seven
    variables = {"unit": unit, "order": BY_NAME}
    page = (await gql_data(client, POWERS, {**variables, "first": 2}, admin))["powers"]
    cursor = page["pageInfo"]["endCursor"]
    bad = [
        "garbage", "x" * 5000, cursor + "=", cursor[:-1],
        b64('["name","x",0]'), b64('["name",1,3]'), b64('["name","x",3,4]'), b64('["name" ,"x",3]'),
        b64('["code","x",3]'),  # a cursor of another order
    ]  # fmt: skip
    for value in bad:
        for arg in ("after", "before"):
            body = await gql(client, POWERS, {**variables, "first" if arg == "after" else "last": 2, arg: value}, admin)
            assert body["data"] is None, (value, body)
            error = body["errors"][0]
            assert field_code(error) == "invalid_cursor", error
            assert "游标" in error["message"] and "cursor" in error["message"]
    # a cursor of the name order used with the code order
    body = await gql(client, POWERS, {"unit": unit, "first": 2, "after": cursor}, admin)
    assert field_code(body["errors"][0]) == "invalid_cursor"
    # first and last together; last out of range
    for args in ({"first": 2, "last": 2}, {"last": -1}, {"last": 10_000}):
        body = await gql(client, POWERS, {**variables, **args}, admin)
        assert body["data"] is None and field_code(body["errors"][0]) in ("invalid", "out_of_range"), body


async def test_old_offset_cursors_still_page_forward(client: httpx.AsyncClient, admin: str, seven) -> None:
    """Clients that kept an `o:N` cursor get the page after it, with keyset cursors from then on."""
    unit, names = seven
    variables = {"unit": unit, "order": BY_NAME}
    page = (await gql_data(client, POWERS, {**variables, "first": 2, "after": encode_cursor(1)}, admin))["powers"]
    assert [e["node"]["name"] for e in page["edges"]] == names[2:4]
    assert page["pageInfo"]["hasPreviousPage"] and page["pageInfo"]["hasNextPage"]
    following = (await gql_data(client, POWERS, {**variables, "first": 2, "after": page["pageInfo"]["endCursor"]}, admin))
    assert [e["node"]["name"] for e in following["powers"]["edges"]] == names[4:6]
    body = await gql(client, POWERS, {**variables, "last": 2, "before": encode_cursor(3)}, admin)
    assert field_code(body["errors"][0]) == "invalid_cursor"


async def test_the_public_pages_only_what_it_sees(client: httpx.AsyncClient, admin: str, seven) -> None:
    """The seven powers are drafts: the public's pages, totals and pageInfo say nothing of them, even
    with a cursor an admin was handed (it names a row the public cannot see)."""
    unit, names = seven
    variables = {"unit": unit, "order": BY_NAME}
    cursor = (await gql_data(client, POWERS, {**variables, "first": 3}, admin))["powers"]["pageInfo"]["endCursor"]
    for token in ("", await token_for(Role.UNIT_STAFF, await make_unit(name="别的局"))):
        for args in ({"first": 3, "after": cursor}, {"last": 3, "before": cursor}, {"last": 3}):
            conn = (await gql_data(client, POWERS, {**variables, **args}, token))["powers"]
            assert conn["totalCount"] == 0 and conn["edges"] == []
            assert conn["pageInfo"] == {"hasNextPage": False, "hasPreviousPage": False, "startCursor": None, "endCursor": None}


async def test_the_node_limit_counts_last_as_it_counts_first(client: httpx.AsyncClient) -> None:
    """`last` pages as far as `first`: a query cannot slip past the node limit by paging backward."""
    for query in (
        "{ units(last: 100) { edges { node { powers(last: 100) { nodes { code } } } } } }",
        "query($n: Int) { units(first: 1, last: $n) { nodes { powers(last: 100) { nodes { code } } } } }",
    ):
        body = await gql(client, query, {"n": 100})
        assert "data" not in body  # the request never executed
        assert body["errors"][0]["extensions"]["code"] == "too_many_nodes", body["errors"]
        assert body["errors"][0]["extensions"]["nodes"] == 10_100


def by_unit(field: str, node: str) -> str:
    """A connection of a unit's rows, paged by the four arguments."""
    return f"""query($unit: ID!, $first: Int, $after: String, $last: Int, $before: String) {{
  {field}(filter: {{ unitId: $unit }}, first: $first, after: $after, last: $last, before: $before) {{
    totalCount
    pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }}
    edges {{ cursor node {{ {node} }} }}
  }}
}}"""


RECORDS = by_unit("operationRecords", "subject decidedOn applicant")
CASES = by_unit("cases", "request receivedOn applicantName")


async def both_ways(client: httpx.AsyncClient, query: str, variables: dict[str, Any], token: str, key: str) -> list[Any]:
    """The whole list in one page, checked against every walk forward and backward by 1 and by 4."""
    whole = next(iter((await gql_data(client, query, {**variables, "first": 100}, token)).values()))
    expected = [e["node"][key] for e in whole["edges"]]
    assert whole["totalCount"] == len(expected)
    for size in (1, 4):
        for forward in (True, False):
            nodes, infos = await walk(client, query, variables, token, size=size, forward=forward, key=key)
            assert nodes == expected, (size, forward)
            assert len(infos) == max(1, -(-len(expected) // size))
    return expected


async def statements_by_size(client: httpx.AsyncClient, query: str, variables: dict[str, Any], token: str) -> None:
    """The statements of a page do not grow with its size, in either direction."""
    conn = next(iter((await gql_data(client, query, {**variables, "first": 1}, token)).values()))
    start = conn["pageInfo"]["endCursor"]
    for args in ({"after": start}, {}, {"before": start}):
        counts = []
        for size in (1, 4):
            with count_queries() as counter:
                await gql_data(client, query, {**variables, **args, ("last" if "before" in args else "first"): size}, token)
            counts.append(counter.count)
        assert counts[0] == counts[1], (args, counts)


async def test_operation_records_page_both_ways_by_keyset(client: httpx.AsyncClient, admin: str) -> None:
    """附7 records, newest decision first (ties: the newest row), the same both ways; a page read stays put
    when records are added before and after it; the public pages the PUBLIC records without the
    当事人, another unit's staff likewise."""
    unit = await make_unit(name="运行记录分页局")
    power = await published_power(unit, name=power_name("运行记录分页的行政许可"))
    days = [date(2026, 3, d) for d in (2, 5, 5, 9, 12)]
    for n, day in enumerate(days):
        await exercise(power, day, subject=f"分页事项{n}", applicant=f"郑当事{n}")
    await exercise(power, date(2026, 3, 7), subject="内部事项", applicant="王内部", scope=DisclosureScope.INTERNAL)
    staff = await token_for(Role.UNIT_STAFF, unit)
    variables = {"unit": encode_id("Unit", unit.id)}
    subjects = await both_ways(client, RECORDS, variables, staff, "subject")
    assert subjects == ["分页事项4", "分页事项3", "内部事项", "分页事项2", "分页事项1", "分页事项0"]
    first = (await gql_data(client, RECORDS, {**variables, "first": 2}, staff))["operationRecords"]
    assert [e["node"]["applicant"] for e in first["edges"]] == ["郑当事4", "郑当事3"]  # the unit reads its 当事人
    await exercise(power, date(2026, 3, 20), subject="之后的新事项")  # before the page read: newest
    await exercise(power, date(2026, 3, 6), subject="中间的新事项")  # inside the pages to come
    second = (await gql_data(client, RECORDS, {**variables, "first": 2, "after": first["pageInfo"]["endCursor"]}, staff))
    conn = second["operationRecords"]
    assert [e["node"]["subject"] for e in conn["edges"]] == ["内部事项", "中间的新事项"]
    assert conn["totalCount"] == 8 and conn["pageInfo"]["hasPreviousPage"] and conn["pageInfo"]["hasNextPage"]
    back = (await gql_data(client, RECORDS, {**variables, "last": 3, "before": conn["pageInfo"]["startCursor"]}, staff))
    assert [e["node"]["subject"] for e in back["operationRecords"]["edges"]] == ["之后的新事项", "分页事项4", "分页事项3"]
    for token in ("", await token_for(Role.UNIT_STAFF, await make_unit(name="别的运行记录局"))):
        seen = await both_ways(client, RECORDS, variables, token, "subject")
        assert "内部事项" not in seen and len(seen) == 7
        page = (await gql_data(client, RECORDS, {**variables, "last": 7}, token))["operationRecords"]
        assert {e["node"]["applicant"] for e in page["edges"]} == {None}  # personal data stays with the unit
    await statements_by_size(client, RECORDS, variables, staff)


async def test_cases_page_both_ways_by_keyset(client: httpx.AsyncClient, admin: str) -> None:
    """办件, newest receipt first, both ways, stable under new applications; nothing of them for the public
    or another unit's staff."""
    staff = await posts(await make_unit(name="办件分页局"))
    power = await posted_power(staff, name=power_name("办件分页的行政许可"), category=PowerCategory.LICENSING)
    for n, day in enumerate((3, 4, 4, 6, 10)):
        data = ApplicationData(power.id, f"分页申请{n}", f"冯申请{n}", "13800000000")
        await file_application(PUBLIC, data, max_bytes=1 << 20, on=date(2026, 4, day))
    token = await token_for(Role.UNIT_STAFF, staff.unit)
    variables = {"unit": encode_id("Unit", staff.unit.id)}
    requests = await both_ways(client, CASES, variables, token, "request")
    assert requests == ["分页申请4", "分页申请3", "分页申请2", "分页申请1", "分页申请0"]
    first = (await gql_data(client, CASES, {**variables, "first": 2}, token))["cases"]
    for n, day in ((5, 11), (6, 5)):  # one newer than the page read, one inside the pages to come
        await file_application(PUBLIC, ApplicationData(power.id, f"分页申请{n}", "冯新", "1"), max_bytes=1 << 20, on=date(2026, 4, day))
    conn = (await gql_data(client, CASES, {**variables, "first": 2, "after": first["pageInfo"]["endCursor"]}, token))["cases"]
    assert [e["node"]["request"] for e in conn["edges"]] == ["分页申请6", "分页申请2"]
    assert conn["totalCount"] == 7 and conn["pageInfo"]["hasPreviousPage"] and conn["pageInfo"]["hasNextPage"]
    back = (await gql_data(client, CASES, {**variables, "last": 4, "before": conn["pageInfo"]["endCursor"]}, token))["cases"]
    assert [e["node"]["request"] for e in back["edges"]] == ["分页申请5", "分页申请4", "分页申请3", "分页申请6"]
    assert not back["pageInfo"]["hasPreviousPage"] and back["pageInfo"]["hasNextPage"]
    assert {e["node"]["applicantName"] for e in back["edges"]} >= {"冯申请4", "冯新"}  # the unit reads its applicants
    for other in ("", await token_for(Role.UNIT_STAFF, await make_unit(name="别的办件局"))):
        for args in ({"first": 3, "after": first["pageInfo"]["endCursor"]}, {"last": 3}):
            conn = (await gql_data(client, CASES, {**variables, **args}, other))["cases"]
            assert conn["totalCount"] == 0 and conn["edges"] == [] and not conn["pageInfo"]["hasPreviousPage"]
    await statements_by_size(client, CASES, variables, token)
