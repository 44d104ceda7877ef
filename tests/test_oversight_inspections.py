"""检查验收 / 绩效评估 / 定级: an inspector records an inspection of a unit with findings and a score;
the grade follows from the score; oversight roles and the unit itself see it, nobody else."""

from __future__ import annotations

import httpx
import pytest

from domain.enums import Grade, Role
from domain.inspections import grade_for
from domain.models import AuditEvent
from schema.relay import encode_id
from tests.factories import make_unit
from tests.helpers import gql_data, token_for
from tests.oversight_factories import ERRORS

RECORD = f"""
mutation ($input: RecordInspectionInput!) {{
  recordInspection(input: $input) {{
    ... on Inspection {{ id kind inspectedOn findings followUp score grade inspector unit {{ code }} }}
    {ERRORS}
  }}
}}"""
LIST = """query ($unit: ID) { inspections(first: 20, unitId: $unit) { totalCount nodes { id score grade } } }"""
NODE = "query ($id: ID!) { node(id: $id) { ... on Inspection { id grade } } }"


def _input(unit_id: int, **over: object) -> dict[str, object]:
    return {
        "unitId": encode_id("Unit", unit_id), "kind": "ACCEPTANCE", "inspectedOn": "2026-11-02",
        "findings": "公开栏内容未及时更新；两项职权流程图缺少监督制约环节。", "score": 86,
        "followUp": "十个工作日内整改到位并书面报告。", **over,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("score", "grade"),
    [(100, Grade.EXCELLENT), (90, Grade.EXCELLENT), (89, Grade.GOOD), (80, Grade.GOOD), (79, Grade.PASS),
     (60, Grade.PASS), (59, Grade.FAIL), (0, Grade.FAIL)],
)  # fmt: skip
def test_the_grade_follows_from_the_score(score: int, grade: Grade) -> None:
    assert grade_for(score) == grade


async def test_an_inspector_records_an_inspection_and_the_grade_is_derived(client: httpx.AsyncClient) -> None:
    unit = await make_unit()
    body = (await gql_data(client, RECORD, {"input": _input(unit.id)}, await token_for(Role.INSPECTOR)))
    inspection = body["recordInspection"]
    assert (inspection["score"], inspection["grade"], inspection["kind"]) == (86, "GOOD", "ACCEPTANCE")
    assert inspection["unit"]["code"] == unit.code and inspection["inspector"]
    assert await AuditEvent.exists(action="inspection.create", entity_type="inspection")


async def test_a_score_outside_0_to_100_and_missing_findings_are_refused(client: httpx.AsyncClient) -> None:
    unit = await make_unit()
    inspector = await token_for(Role.INSPECTOR)
    for score in (-1, 101):
        body = await gql_data(client, RECORD, {"input": _input(unit.id, score=score, findings=" ")}, inspector)
        assert {(e["field"], e["code"]) for e in body["recordInspection"]["errors"]} == {
            ("score", "out_of_range"), ("findings", "required"),
        }  # fmt: skip
    body = await gql_data(client, RECORD, {"input": _input(unit.id, inspectedOn="2099-01-01")}, inspector)
    assert body["recordInspection"]["errors"] == [{"field": "inspectedOn", "code": "future"}]


@pytest.mark.parametrize("role", [None, Role.REVIEWER, Role.UNIT_LEAD, Role.ADMIN])
async def test_only_inspectors_record_inspections(client: httpx.AsyncClient, role: Role | None) -> None:
    unit = await make_unit()
    token = await token_for(role, unit if role == Role.UNIT_LEAD else None) if role else None
    body = await gql_data(client, RECORD, {"input": _input(unit.id)}, token)
    assert body["recordInspection"]["__typename"] == "PermissionDeniedError"


async def test_oversight_roles_and_the_unit_see_its_inspections_nobody_else(client: httpx.AsyncClient) -> None:
    parent = await make_unit()
    office = await make_unit(parent)
    inspector = await token_for(Role.INSPECTOR)
    failed = (await gql_data(client, RECORD, {"input": _input(office.id, score=42)}, inspector))["recordInspection"]
    assert failed["grade"] == "FAIL"
    seen = {}
    for who, token in {
        "public": None, "office": await token_for(Role.UNIT_STAFF, office), "parent": await token_for(Role.UNIT_LEAD, parent),
        "other unit": await token_for(Role.UNIT_STAFF, await make_unit()), "reviewer": await token_for(Role.REVIEWER),
    }.items():  # fmt: skip
        node = (await gql_data(client, NODE, {"id": failed["id"]}, token))["node"]
        listed = (await gql_data(client, LIST, {"unit": encode_id("Unit", office.id)}, token))["inspections"]
        seen[who] = (node is not None, listed["totalCount"])
    assert seen == {
        "public": (False, 0), "office": (True, 1), "parent": (True, 1), "other unit": (False, 0), "reviewer": (True, 1),
    }  # fmt: skip
