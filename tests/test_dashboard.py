"""Dashboards count only what the caller may see; the audit trail is for inspectors and admins."""

from __future__ import annotations

import httpx
import pytest

from domain import models as m
from domain.enums import Role
from resolvers.ids import encode_id
from tests.helpers import gql, gql_data, token_for
from tests.test_visibility import is_public

pytestmark = pytest.mark.usefixtures("demo")

PROGRESS = "{ unitProgress { unit { code } total done stage stageDeadline behindSchedule withChart byStatus { status count } byCategory { category count } } }"


async def test_public_progress_counts_only_public_powers(client: httpx.AsyncClient) -> None:
    rows = (await gql_data(client, PROGRESS))["unitProgress"]
    assert sum(r["total"] for r in rows) == sum(1 for p in await m.Power.all() if is_public(p))
    assert all(s["status"] == "PUBLISHED" for r in rows for s in r["byStatus"])
    # public powers are all published: 公开运行, or 检查验收 once an inspection passed the unit (the demo has two)
    assert {r["stage"] for r in rows} <= {"OPERATION", "CATALOGUE", "ACCEPTANCE"}


async def test_admin_progress_counts_everything_and_stages(client: httpx.AsyncClient) -> None:
    rows = (await gql_data(client, PROGRESS, token=await token_for(Role.ADMIN)))["unitProgress"]
    assert sum(r["total"] for r in rows) == await m.Power.all().count()
    for row in rows:
        assert sum(s["count"] for s in row["byStatus"]) == row["total"] == sum(c["count"] for c in row["byCategory"])
    assert {r["stage"] for r in rows} >= {"CLEANUP", "OPERATION"}
    assert sum(r["withChart"] for r in rows) == await m.FlowChart.all().count()


async def test_audit_trail_only_for_inspectors_and_admins(client: httpx.AsyncClient) -> None:
    query = '{ auditEvents(filter: { actionPrefix: "demo." }, first: 5) { totalCount edges { node { actor action entityType detail } } } }'
    for token in (None, await token_for(Role.REVIEWER)):
        body = await gql(client, query, token=token)
        assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "forbidden"
    data = await gql_data(client, query, token=await token_for(Role.INSPECTOR))
    assert data["auditEvents"]["totalCount"] >= 1
    assert data["auditEvents"]["edges"][0]["node"]["action"].startswith("demo.")


async def test_progress_of_chosen_units(client: httpx.AsyncClient) -> None:
    unit = await m.Unit.get(code="36072308")
    query = "query($ids: [ID!]) { unitProgress(unitIds: $ids) { unit { code } total } }"
    rows = (await gql_data(client, query, {"ids": [encode_id("Unit", unit.id)]}, await token_for(Role.ADMIN)))["unitProgress"]
    assert rows == [{"unit": {"code": "36072308"}, "total": await m.Power.filter(unit_id=unit.id).count()}]


SET_DEADLINE = """
mutation($stage: ProgrammeStage!, $deadline: Date!) {
  setStageDeadline(stage: $stage, deadline: $deadline) {
    __typename
    ... on StageDeadline { stage deadline }
    ... on ValidationErrors { errors { field code } }
    ... on PermissionDeniedError { message }
  }
}"""


async def test_stage_deadlines_put_units_behind_schedule(client: httpx.AsyncClient) -> None:
    admin = await token_for(Role.ADMIN)
    staff = await token_for(Role.UNIT_STAFF, await m.Unit.get(code="36072308"))
    denied = (await gql_data(client, SET_DEADLINE, {"stage": "CLEANUP", "deadline": "2000-01-01"}, staff))["setStageDeadline"]
    assert denied["__typename"] == "PermissionDeniedError"
    for stage, deadline in (("MOBILIZATION", "2000-01-01"), ("CLEANUP", "2000-02-01"), ("CATALOGUE", "2999-01-01")):
        done = (await gql_data(client, SET_DEADLINE, {"stage": stage, "deadline": deadline}, admin))["setStageDeadline"]
        assert done == {"__typename": "StageDeadline", "stage": stage, "deadline": deadline}
    out_of_order = (await gql_data(client, SET_DEADLINE, {"stage": "OPERATION", "deadline": "1999-01-01"}, admin))["setStageDeadline"]
    assert out_of_order == {"__typename": "ValidationErrors", "errors": [{"field": "deadline", "code": "out_of_order"}]}
    rows = (await gql_data(client, PROGRESS, token=admin))["unitProgress"]
    for row in rows:
        expected = row["stage"] in ("MOBILIZATION", "CLEANUP")  # deadlines in 2000 have passed
        assert row["behindSchedule"] is expected, row
    assert any(r["behindSchedule"] for r in rows) and not all(r["behindSchedule"] for r in rows)
