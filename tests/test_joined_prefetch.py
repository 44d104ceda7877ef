"""To-one relations read in the statement of the level that holds them (resolvers/prefetch.py, issue 27).

A page of powers reads its units, their parents and the powers' charts in the page's own statement, the
bases their articles and documents, the steps their positions and the positions' units. The objects primed
into the loaders that way must be the very ones those loaders read on their own, and a join must show
nothing of a power the caller may not see: each hidden case alone (涉密, unpublished, 领导班子内公开) beside a
power the caller sees, whose own chart is missing (so that a chart primed under the wrong power shows).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from graphql import FieldNode, OperationDefinitionNode, parse

from domain import access
from domain import models as m
from domain.enums import DisclosureScope, PowerStatus, Role
from qingquan.app import create_app
from qingquan.settings import Settings, get_settings
from resolvers.columns import columns_for
from resolvers.keyset import PageArgs
from resolvers.loaders import Loaders
from resolvers.power import powers_page
from resolvers.prefetch import joins_below, prefetch_below_connection
from schema import build_schema
from schema.compiled import CompiledQueries
from tests.factories import make_power, make_unit, unique
from tests.helpers import count_queries, token_for
from tests.test_query_count import PAGE

pytestmark = pytest.mark.usefixtures("demo")

#: a page whose powers' charts, steps, positions and units are all read through joins, with cursors (a
#: compiled plan answers it); BACKWARDS the same page backwards (no plan: the normal execution)
SELECTION = """{ edges { cursor node {
    code
    unit { name parent { name } }
    flowChart { title steps { name position { name unit { name } } } }
} } }"""
CHARTS = "query Charts($first: Int, $after: String) { powers(first: $first, after: $after) " + SELECTION + " }"
BACKWARDS = "query Backwards($last: Int, $before: String) { powers(last: $last, before: $before) " + SELECTION + " }"
#: loaders a page of PAGE fills only through joins (resolvers/prefetch.py, `Step.join`)
JOINED = ("unit_by_id", "flow_chart_by_power_id", "article_by_id", "document_by_id", "position_by_id")
#: a statement of one of JOINED's loaders: never sent on such a page
JOINED_LOADS = re.compile(r'FROM "(unit|legal_article|legal_document|position)" WHERE "id" IN|FROM "flow_chart" WHERE "power_id" IN')


@dataclass
class Case:
    """A unit of its own holding a power the caller may not see, with a chart marked `secret`, beside a
    published public power without chart."""

    name: str
    unit: m.Unit
    visible: m.Power
    hidden: m.Power
    secret: str


async def _charted(power: m.Power, secret: str) -> None:
    office = await make_unit(name=f"岗位科室{secret}")
    position = await m.Position.create(unit=office, name=f"岗位{secret}")
    chart = await m.FlowChart.create(power=power, title=f"流程图{secret}")
    await m.FlowStep.create(chart=chart, ordinal=1, name=f"受理{secret}", position=position)
    await m.FlowStep.create(chart=chart, ordinal=2, name=f"办结{secret}")  # no position: nothing joined


@pytest.fixture(scope="module")
async def cases(database: str) -> AsyncIterator[dict[str, Case]]:
    found: dict[str, Case] = {}
    for name, fields, status in (
        ("confidential", {"confidential": True}, PowerStatus.PUBLISHED),
        ("unpublished", {}, PowerStatus.DRAFT),
        ("leadership", {"disclosure_scope": DisclosureScope.LEADERSHIP}, PowerStatus.PUBLISHED),
    ):
        unit = await make_unit(code=unique("0"), name=f"联查测试{name}")  # type: ignore[arg-type]  # its powers head the page
        visible = await make_power(unit)
        hidden = await make_power(unit, **fields)
        await m.Power.filter(id__in=[visible.id, hidden.id]).update(status=status)
        await m.Power.filter(id=visible.id).update(status=PowerStatus.PUBLISHED)
        secret = unique("密")
        await _charted(hidden, secret)
        found[name] = Case(name, unit, await m.Power.get(id=visible.id), await m.Power.get(id=hidden.id), secret)
    yield found
    powers = [p for case in found.values() for p in (case.visible.id, case.hidden.id)]
    await m.FlowStep.filter(chart__power_id__in=powers).delete()
    await m.FlowChart.filter(power_id__in=powers).delete()
    await m.Power.filter(id__in=powers).delete()
    offices = [f"岗位科室{case.secret}" for case in found.values()]
    await m.Position.filter(unit__name__in=offices).delete()
    await m.Unit.filter(name__in=offices).delete()
    await m.Unit.filter(id__in=[case.unit.id for case in found.values()]).delete()


@pytest.fixture(scope="module")
async def clients(database: str) -> AsyncIterator[dict[str, tuple[httpx.AsyncClient, CompiledQueries]]]:
    """Clients of the app with compiled plans and without (schema/compiled.py), no response cache; each
    with its app's plans (to tell which answered)."""
    made = {}
    for name, compiled in (("plans", True), ("no plans", False)):
        settings = Settings(**{**get_settings().model_dump(), "response_cache_bytes": 0, "compiled_queries": compiled})
        app = create_app(settings, manage_db=False)
        endpoint = next(r for r in app.routes if getattr(r, "path", None) == "/graphql" and hasattr(r, "methods")).endpoint
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://qingquan.test")
        made[name] = (client, endpoint.schema.compiled)
    yield made
    for client, _ in made.values():
        await client.aclose()


async def _data(client: httpx.AsyncClient, query: str, variables: dict[str, Any], token: str | None) -> tuple[bytes, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    assert response.status_code == 200 and b'"errors"' not in response.content, response.text[:500]
    return response.content, response.json()["data"]


async def _viewers(case: Case) -> dict[str, tuple[str | None, bool]]:
    """Viewer -> (token, whether it may see the case's hidden power)."""
    own_staff = await token_for(Role.UNIT_STAFF, case.unit)
    return {
        "public": (None, False),
        "other unit's staff": (await token_for(Role.UNIT_STAFF, await m.Unit.get(code="36072308")), False),
        "own unit's staff": (own_staff, case.name != "leadership"),  # not its unit's LEADERSHIP powers
        "own unit's lead": (await token_for(Role.UNIT_LEAD, case.unit), True),
        "admin": (await token_for(Role.ADMIN), True),
    }


@pytest.mark.parametrize("case_name", ["confidential", "unpublished", "leadership"])
async def test_a_joined_chart_shows_nothing_of_a_hidden_power(
    cases: dict[str, Case], clients: dict[str, tuple[httpx.AsyncClient, CompiledQueries]], case_name: str
) -> None:
    """The page's charts, steps, positions and units come in the page's statement: whoever may not see the
    hidden power finds none of its chart, on the first page and on one after a cursor (a statement built
    for the window), with plans and without; whoever may see it finds its chart whole (so the case is
    really on the page), and the power beside it never takes its chart."""
    case = cases[case_name]
    for viewer, (token, sees) in (await _viewers(case)).items():
        for name, (client, compiled) in clients.items():
            await _data(client, CHARTS, {"first": 100}, token)  # validates the document (then planned)
            answered = compiled.answered
            raw, data = await _data(client, CHARTS, {"first": 100}, token)
            assert compiled.answered == answered + (name == "plans")
            edges = data["powers"]["edges"]
            nodes = {e["node"]["code"]: e["node"] for e in edges}
            assert nodes[case.visible.code]["flowChart"] is None, (viewer, name)
            assert (case.hidden.code in nodes) == sees, (viewer, name)
            assert (case.secret.encode() in raw) == sees, (viewer, name)
            if sees:
                chart = nodes[case.hidden.code]["flowChart"]
                assert chart["title"] == f"流程图{case.secret}"
                assert [(s["name"], s["position"] and s["position"]["name"]) for s in chart["steps"]] == [
                    (f"受理{case.secret}", f"岗位{case.secret}"),
                    (f"办结{case.secret}", None),
                ]
                assert chart["steps"][0]["position"]["unit"]["name"] == f"岗位科室{case.secret}"
            # the page after the cursor before the case's first power (the window's statement), and backwards
            index = next(i for i, e in enumerate(edges) if e["node"]["code"] in (case.visible.code, case.hidden.code))
            for query, variables in ((CHARTS, {"first": 50, "after": edges[index - 1]["cursor"] if index else None}),
                                     (BACKWARDS, {"last": 3, "before": edges[min(index + 2, len(edges) - 1)]["cursor"]})):  # fmt: skip
                raw, data = await _data(client, query, variables, token)
                nodes = {e["node"]["code"]: e["node"] for e in data["powers"]["edges"]}
                assert nodes[case.visible.code]["flowChart"] is None, (viewer, name, variables)
                assert (case.hidden.code in nodes) == sees, (viewer, name, variables)
                assert (case.secret.encode() in raw) == sees, (viewer, name, variables)


def _powers_field(query: str) -> tuple[OperationDefinitionNode, list[FieldNode]]:
    operation = parse(query).definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    return operation, [s for s in operation.selection_set.selections if isinstance(s, FieldNode)]


async def _loaded_page(viewer: access.Viewer, columns: Any, args: PageArgs) -> tuple[Loaders, list[str]]:
    """A page of PAGE loaded as `powers` loads it (the page with its joins, then the levels below), by
    loaders reading `columns`; and the statements it sent."""
    loaders = Loaders(viewer)
    loaders.columns = columns
    _, field_nodes = _powers_field(PAGE)
    with count_queries() as counter:
        joined = joins_below(loaders, "Power", m.Power, field_nodes, {})
        page = await powers_page(viewer, get_settings(), loaders, args=args, filter=None, order_by=None, joined=joined)
        await prefetch_below_connection(loaders, "Power", page.items, field_nodes, {})
    assert page.items
    return loaders, counter.statements


async def test_what_a_join_primes_is_what_the_loader_reads(cases: dict[str, Case]) -> None:
    """Every object a join primed (None for a power without chart) is the one its loader reads for the same
    key on its own: the same attributes, of the same types, partial or whole alike; for whole rows and for
    the page's selected columns, per viewer, on the first page (a compiled statement) and after a cursor (one
    tortoise builds); and none of those loaders sent a statement of its own."""
    schema = build_schema()._schema
    operation, _ = _powers_field(PAGE)
    staff = access.Viewer(Role.UNIT_STAFF, unit_id=cases["leadership"].unit.id,
                          unit_ids=frozenset({cases["leadership"].unit.id}))  # fmt: skip
    for viewer in (access.CLI, access.PUBLIC, staff):
        for columns in (None, columns_for(schema, operation, {})):
            after = (await powers_page(viewer, get_settings(), Loaders(viewer), args=PageArgs(first=40),
                                       filter=None, order_by=None)).cursors[1]  # fmt: skip
            for args in (PageArgs(first=40), PageArgs(first=40, after=after)):
                loaders, statements = await _loaded_page(viewer, columns, args)
                assert not [s for s in statements if JOINED_LOADS.search(s)], statements
                own = Loaders(viewer)
                own.columns = columns
                for name in JOINED:
                    primed = {k: f.result() for k, f in getattr(loaders, name).cache_map.cache_map.items()}
                    assert primed, name
                    keys = list(primed)
                    for key, theirs in zip(keys, await getattr(own, name).load_fn(keys), strict=True):
                        ours = primed[key]
                        assert (ours is None) == (theirs is None), (name, key)
                        if ours is not None:
                            assert type(ours) is type(theirs)
                            assert vars(ours) == vars(theirs), (name, key)
                            assert {k: type(v) for k, v in vars(ours).items()} == {k: type(v) for k, v in vars(theirs).items()}
                charts = {k: f.result() for k, f in loaders.flow_chart_by_power_id.cache_map.cache_map.items()}
                assert None in charts.values() and any(charts.values())  # powers without chart are known to have none


async def test_a_join_reaches_only_one_row_per_row() -> None:
    """A relation that may hold many rows (a power's bases) is refused as a join: it would repeat the page's rows."""
    from domain.rows import Join, Joined, Rows

    joined = Joined((Join("bases", m.PowerBasis),), lambda objects, related: None)
    with pytest.raises(TypeError, match="not a to-one relation"):
        await Rows(m.Power.all().order_by("id"), shared=True, joined=joined).where_in("id", [1])
    with pytest.raises(TypeError, match="not a to-one relation"):
        await Rows(m.Power.filter(id=1), joined=joined)  # built by tortoise: refused all the same
