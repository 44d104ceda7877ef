"""公开范围 as the plan defines them, on records (附7 and 公开记录): PUBLIC 向社会公开 to everyone,
LIMITED 一定范围或依申请 and INTERNAL 内部公开 to the unit, LEADERSHIP 领导班子内公开 to its leads —
and oversight roles all. A 附7 record names one of the seven networks only when it runs in one."""

from __future__ import annotations

import httpx

from domain import operations
from domain.enums import DisclosureScope, Role
from schema.relay import encode_id
from tests.factories import make_unit, staff_of
from tests.helpers import gql_data, token_for
from tests.oversight_factories import D, timely_power

RECORDS = """query ($code: String!) { power(code: $code) { operationRecords { subject scope network } } }"""
CREATE = """mutation ($input: CreateOperationRecordInput!) { createOperationRecord(input: $input) {
  __typename ... on OperationRecord { scope network } ... on ValidationErrors { errors { field code } } } }"""


async def test_each_scope_reaches_whom_the_plan_says(client: httpx.AsyncClient) -> None:
    unit = await make_unit()
    power = await timely_power(unit)
    lead = await staff_of(unit, Role.UNIT_LEAD)
    for scope in DisclosureScope:
        await operations.create_operation(lead, operations.OperationData(
            power_id=power.id, network=None, subject=scope.label, handler="张三", decision="予以受理",
            decided_on=D(2026, 10, 8), scope=scope,
        ))  # fmt: skip
    seen = {
        who: {r["subject"] for r in (await gql_data(client, RECORDS, {"code": power.code}, token))["power"]["operationRecords"]}
        for who, token in {
            "public": None, "staff": await token_for(Role.UNIT_STAFF, unit), "lead": await token_for(Role.UNIT_LEAD, unit),
            "other unit's lead": await token_for(Role.UNIT_LEAD, await make_unit()),
            "inspector": await token_for(Role.INSPECTOR),
        }.items()
    }  # fmt: skip
    everything = {s.label for s in DisclosureScope}
    assert seen == {
        "public": {"向社会公开"},
        "staff": {"向社会公开", "一定范围或依申请公开", "内部公开"},
        "lead": everything,
        "other unit's lead": {"向社会公开"},
        "inspector": everything,
    }


async def test_a_leadership_record_is_kept_by_the_leads_and_the_network_is_optional(client: httpx.AsyncClient) -> None:
    unit = await make_unit()
    power = await timely_power(unit)
    record = {"powerId": encode_id("Power", power.id), "subject": "行政处罚决定", "handler": "李四",
              "decision": "给予警告", "decidedOn": "2026-10-09"}  # fmt: skip
    staff = await token_for(Role.UNIT_STAFF, unit)
    refused = await gql_data(client, CREATE, {"input": {**record, "scope": "LEADERSHIP"}}, staff)
    assert refused["createOperationRecord"]["errors"] == [{"field": "scope", "code": "forbidden_scope"}]
    made = await gql_data(client, CREATE, {"input": {**record, "scope": "LEADERSHIP"}}, await token_for(Role.UNIT_LEAD, unit))
    assert made["createOperationRecord"] == {"__typename": "OperationRecord", "scope": "LEADERSHIP", "network": None}
    inside = await gql_data(client, CREATE, {"input": {**record, "network": "ADMINISTRATIVE_LICENSING"}}, staff)
    assert inside["createOperationRecord"]["network"] == "ADMINISTRATIVE_LICENSING"
