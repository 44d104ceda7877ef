"""动态管理 over real HTTP: a published power changes (or is withdrawn) only through a revision that
goes through declare → submit → opinions → decide, while the public, and other units' staff, keep
seeing the published version on every path; approval publishes a new version, puts the change on a
change notice and keeps every published version readable (history, catalogueAsOf)."""

from __future__ import annotations

import datetime
from typing import Any

import httpx

from domain.enums import ChangeNoticeStatus, PowerStatus, ReviewSeat, Role
from domain.models import Power
from domain.workdays import today
from domain.workflow_models import ChangeNotice, PowerRevision, PowerVersion
from schema.relay import encode_id
from tests.factories import make_unit, power_name
from tests.helpers import gql_data, token_for
from tests.workflow_factories import panel_decides, published_power, seat_tokens

EDIT_ERRORS = """
  __typename
  ... on ValidationErrors { message errors { field message code } }
  ... on NotFoundError { message }
  ... on PermissionDeniedError { message }
"""
ERRORS = """
  __typename
  ... on ValidationErrors { message errors { field message code } }
  ... on NotFoundError { message }
  ... on PermissionDeniedError { message }
  ... on IllegalTransitionError { message action currentStatus }
"""
REVISION = "... on PowerRevision { id kind status reason versionNumber draft { id code status name } power { id name } }"
OPEN = f"""mutation ($id: ID!, $input: OpenPowerRevisionInput!) {{
  openPowerRevision(powerId: $id, input: $input) {{ {REVISION} {ERRORS} }}
}}"""
DISCARD = f"""mutation ($id: ID!) {{ discardPowerRevision(id: $id) {{ {REVISION} {ERRORS} }} }}"""
UPDATE = f"""mutation ($id: ID!, $input: UpdatePowerInput!) {{
  updatePower(id: $id, input: $input) {{ ... on Power {{ id name }} {EDIT_ERRORS} }}
}}"""
DELETE = f"""mutation ($id: ID!) {{ deletePower(id: $id) {{ ... on Deleted {{ deletedId }} {EDIT_ERRORS} }} }}"""
DELETE_BASIS = f"""mutation ($id: ID!) {{ deletePowerBasis(id: $id) {{ ... on Deleted {{ deletedId }} {EDIT_ERRORS} }} }}"""
DELETE_CHART = f"""mutation ($id: ID!) {{ deleteFlowChart(id: $id) {{ ... on Deleted {{ deletedId }} {EDIT_ERRORS} }} }}"""
STEP = "... on Power { id code name status }"
DECLARE = f"""mutation ($id: ID!) {{ declarePower(id: $id, leadOpinion: "同意修订。") {{ {STEP} {ERRORS} }} }}"""
SUBMIT = f"""mutation ($id: ID!) {{ submitPowerForReview(id: $id) {{ {STEP} {ERRORS} }} }}"""
POWER = """query ($id: ID!) { node(id: $id) { ... on Power {
  id code name status bases { id } flowChart { id steps { name } }
  versions { number name publishedOn supersededOn endedAs bases { articleLabel } flowChart { steps { name } } }
  revisions { status kind } changeNotices { status explanation changes { action } }
} } }"""
BY_CODE = """query ($code: String!) { power(code: $code) { id name } }"""
UNIT_POWERS = """query ($unit: ID!) { powers(first: 50, filter: {unitId: $unit}) { totalCount nodes { code name } } }"""
AS_OF = """query ($date: Date!, $unit: ID) { catalogueAsOf(date: $date, unitId: $unit) {
  totalCount nodes { code name number publishedOn power { id } }
} }"""


async def call(client: httpx.AsyncClient, query: str, token: str | None, **variables: Any) -> dict[str, Any]:
    data = await gql_data(client, query, variables, token)
    return next(iter(data.values()))


class Unit:
    """A unit's tokens: staff, lead, and a reviewer and another unit's staff to look from outside."""

    def __init__(self, unit: Any, staff: str, lead: str, seats: dict[ReviewSeat, str], stranger: str) -> None:
        self.unit, self.staff, self.lead, self.seats, self.stranger = unit, staff, lead, seats, stranger
        self.reviewer = seats[ReviewSeat.OPENNESS_OFFICE]

    @classmethod
    async def make(cls) -> Unit:
        unit = await make_unit()
        return cls(
            unit, await token_for(Role.UNIT_STAFF, unit), await token_for(Role.UNIT_LEAD, unit),
            await seat_tokens(), await token_for(Role.UNIT_STAFF, await make_unit()),
        )  # fmt: skip

    async def decides(self, client: httpx.AsyncClient, draft_id: str, decision: str, **more: str) -> dict[str, Any]:
        """The review panel's decision on a power IN_REVIEW, approved by the leading group."""
        return await panel_decides(client, self.seats, draft_id, {"decision": decision, "reason": "经审核，同意。", **more})

    async def through_review(self, client: httpx.AsyncClient, draft_id: str, decision: str) -> dict[str, Any]:
        assert (await call(client, DECLARE, self.lead, id=draft_id))["status"] == "DECLARED"
        assert (await call(client, SUBMIT, self.staff, id=draft_id))["status"] == "IN_REVIEW"
        return await self.decides(client, draft_id, decision)


async def opened(client: httpx.AsyncClient, who: Unit, power: Power, **input: Any) -> dict[str, Any]:
    revision = await call(client, OPEN, who.staff, id=encode_id("Power", power.id), input={"reason": "依据新规调整。", **input})
    assert revision["__typename"] == "PowerRevision", revision
    return revision


async def test_a_change_is_reviewed_before_anyone_outside_sees_it(client: httpx.AsyncClient) -> None:
    who = await Unit.make()
    power = await published_power(who.unit, name=power_name("对违法排污行为的行政处罚"))
    power_id, unit_id = encode_id("Power", power.id), encode_id("Unit", who.unit.id)

    refused = await call(client, UPDATE, who.staff, id=power_id, input={"name": "简称"})
    assert refused["__typename"] == "ValidationErrors" and refused["errors"][0]["code"] == "published"
    assert "openPowerRevision" in refused["errors"][0]["message"]

    revision = await opened(client, who, power)
    draft = revision["draft"]
    assert revision["kind"] == "CHANGE" and revision["status"] == "OPEN"
    assert draft["status"] == "DRAFT" and draft["code"] == f"{power.code}.R1" and draft["name"] == power.name
    new_name = power_name("对违法排放污染物行为的行政处罚")
    assert (await call(client, UPDATE, who.staff, id=draft["id"], input={"name": new_name}))["name"] == new_name
    locked = await call(client, UPDATE, who.staff, id=draft["id"], input={"category": "INSPECTION"})
    assert locked["errors"][0]["code"] == "locked"
    again = await call(client, OPEN, who.staff, id=power_id, input={"reason": "再次修订"})
    assert again["errors"][0]["code"] == "duplicate"

    async def outside_sees_the_published_version() -> None:
        for token in (None, who.stranger):
            assert (await call(client, POWER, token, id=power_id))["name"] == power.name
            assert await call(client, POWER, token, id=draft["id"]) is None
            assert await call(client, BY_CODE, token, code=draft["code"]) is None
            listed = await call(client, UNIT_POWERS, token, unit=unit_id)
            assert listed["totalCount"] == 1 and listed["nodes"] == [{"code": power.code, "name": power.name}]
            now = await call(client, AS_OF, token, date=today().isoformat(), unit=unit_id)
            assert [(n["code"], n["name"]) for n in now["nodes"]] == [(power.code, power.name)]

    await outside_sees_the_published_version()
    assert (await call(client, DECLARE, who.lead, id=draft["id"]))["status"] == "DECLARED"
    await outside_sees_the_published_version()
    assert (await call(client, SUBMIT, who.staff, id=draft["id"]))["status"] == "IN_REVIEW"
    await outside_sees_the_published_version()
    own = await call(client, UNIT_POWERS, who.staff, unit=unit_id)
    assert own["totalCount"] == 2  # the unit sees its draft beside the published power

    decided = await who.decides(client, draft["id"], "RETAIN")
    assert decided == {"__typename": "Power", "id": power_id, "code": power.code, "name": new_name, "status": "PUBLISHED"}
    public = await call(client, POWER, None, id=power_id)
    assert public["name"] == new_name and len(public["bases"]) == 1 and len(public["flowChart"]["steps"]) == 2
    assert [(v["number"], v["name"]) for v in public["versions"]] == [(1, power.name), (2, new_name)]
    assert public["versions"][0]["supersededOn"] == today().isoformat() and public["versions"][1]["supersededOn"] is None
    assert public["revisions"] == [] and public["changeNotices"] == []  # internal
    assert await call(client, POWER, who.staff, id=draft["id"]) is None  # the draft is gone
    mine = await call(client, POWER, who.staff, id=power_id)
    assert mine["revisions"] == [{"status": "PUBLISHED", "kind": "CHANGE"}]
    (notice,) = mine["changeNotices"]
    assert notice["status"] == "ACCEPTED" and notice["explanation"] == "依据新规调整。"
    assert [c["action"] for c in notice["changes"]] == ["revision.publish"]
    listed = await call(client, UNIT_POWERS, who.staff, unit=unit_id)
    assert listed["totalCount"] == 1


async def test_the_catalogue_as_it_stood_on_a_date(client: httpx.AsyncClient) -> None:
    who = await Unit.make()
    power = await published_power(who.unit, name=power_name("对无证经营行为的行政处罚"))
    last_month = today() - datetime.timedelta(days=30)
    await PowerVersion.filter(power_id=power.id).update(published_on=last_month)  # published a month ago
    revision = await opened(client, who, power)
    await call(client, UPDATE, who.staff, id=revision["draft"]["id"], input={"feeStandard": "不收费"})
    await who.through_review(client, revision["draft"]["id"], "RETAIN")
    unit_id = encode_id("Unit", who.unit.id)
    before = await call(client, AS_OF, None, date=(today() - datetime.timedelta(days=1)).isoformat(), unit=unit_id)
    assert [n["number"] for n in before["nodes"]] == [1]
    now = await call(client, AS_OF, None, date=today().isoformat(), unit=unit_id)
    assert [n["number"] for n in now["nodes"]] == [2]
    earlier = await call(client, AS_OF, None, date=(last_month - datetime.timedelta(days=1)).isoformat(), unit=unit_id)
    assert earlier["totalCount"] == 0


async def test_a_withdrawal_goes_through_review(client: httpx.AsyncClient) -> None:
    who = await Unit.make()
    power = await published_power(who.unit, name=power_name("对擅自占道经营行为的行政处罚"))
    power_id, unit_id = encode_id("Power", power.id), encode_id("Unit", who.unit.id)
    deleted = await call(client, DELETE, who.staff, id=power_id)
    assert deleted["errors"][0]["code"] == "in_use" and "openPowerRevision" in deleted["errors"][0]["message"]
    declared = await call(client, DECLARE, who.lead, id=power_id)
    assert declared["__typename"] == "IllegalTransitionError" and "openPowerRevision" in declared["message"]
    yesterday = today() - datetime.timedelta(days=1)
    await PowerVersion.filter(power_id=power.id).update(published_on=yesterday)

    revision = await opened(client, who, power, withdrawal="ABOLISH")
    assert revision["kind"] == "WITHDRAWAL"
    draft_id = revision["draft"]["id"]
    assert (await call(client, DECLARE, who.lead, id=draft_id))["status"] == "DECLARED"
    assert (await call(client, POWER, None, id=power_id))["status"] == "PUBLISHED"
    decided = await call(client, SUBMIT, who.staff, id=draft_id)
    assert (await call(client, POWER, None, id=power_id))["status"] == "PUBLISHED"
    decided = await who.decides(client, draft_id, "ABOLISH")
    assert decided["id"] == power_id and decided["status"] == "ABOLISHED"
    assert await call(client, POWER, None, id=power_id) is None
    assert (await call(client, UNIT_POWERS, None, unit=unit_id))["totalCount"] == 0
    then = await call(client, AS_OF, None, date=yesterday.isoformat(), unit=unit_id)
    assert [(n["code"], n["power"]) for n in then["nodes"]] == [(power.code, None)]
    assert (await call(client, AS_OF, None, date=today().isoformat(), unit=unit_id))["totalCount"] == 0
    mine = await call(client, POWER, who.staff, id=power_id)
    assert [v["endedAs"] for v in mine["versions"]] == ["ABOLISHED"]
    assert mine["changeNotices"][0]["changes"] == [{"action": "revision.withdraw"}]
    assert (await PowerRevision.get(power_id=power.id)).status.value == "WITHDRAWN"


async def test_reviewers_may_keep_a_power_whose_withdrawal_was_proposed(client: httpx.AsyncClient) -> None:
    who = await Unit.make()
    power = await published_power(who.unit)
    revision = await opened(client, who, power, withdrawal="REMOVE")
    kept = await who.through_review(client, revision["draft"]["id"], "RETAIN")
    assert kept["status"] == "PUBLISHED" and kept["id"] == encode_id("Power", power.id)
    assert (await PowerRevision.get(power_id=power.id)).status.value == "REJECTED"
    assert await PowerVersion.filter(power_id=power.id).count() == 1
    assert not await ChangeNotice.filter(power_id=power.id).exists()


async def test_a_revision_cannot_publish_without_a_basis_or_a_chart(client: httpx.AsyncClient) -> None:
    who = await Unit.make()
    power = await published_power(who.unit)
    public = await call(client, POWER, None, id=encode_id("Power", power.id))
    for query, id_ in ((DELETE_BASIS, public["bases"][0]["id"]), (DELETE_CHART, public["flowChart"]["id"])):
        refused = await call(client, query, who.staff, id=id_)
        assert refused["errors"][0]["code"] == "published", refused
    revision = await opened(client, who, power)
    draft = await call(client, POWER, who.staff, id=revision["draft"]["id"])
    assert (await call(client, DELETE_BASIS, who.staff, id=draft["bases"][0]["id"]))["__typename"] == "Deleted"
    assert (await call(client, DELETE_CHART, who.staff, id=draft["flowChart"]["id"]))["__typename"] == "Deleted"
    refused = await who.through_review(client, revision["draft"]["id"], "RETAIN")
    assert refused["__typename"] == "ValidationErrors"
    assert {e["code"] for e in refused["errors"]} == {"no_legal_basis", "no_flow_chart"}
    after = await call(client, POWER, None, id=encode_id("Power", power.id))
    assert after["bases"] == public["bases"] and after["flowChart"] == public["flowChart"]


async def test_adjust_sends_the_revision_back_and_a_discard_drops_it(client: httpx.AsyncClient) -> None:
    who = await Unit.make()
    power = await published_power(who.unit)
    revision = await opened(client, who, power)
    draft_id = revision["draft"]["id"]
    back = await call(client, DECLARE, who.lead, id=draft_id)
    await call(client, SUBMIT, who.staff, id=draft_id)
    back = await who.decides(client, draft_id, "ADJUST", requiredChanges="请补充收费依据。")
    assert back["status"] == "DRAFT" and back["id"] == draft_id
    denied = await call(client, DISCARD, who.stranger, id=revision["id"])
    assert denied["__typename"] == "NotFoundError"
    dropped = await call(client, DISCARD, who.staff, id=revision["id"])
    assert dropped["status"] == "DISCARDED" and dropped["draft"] is None
    assert not await Power.exists(code=f"{power.code}.R1")
    assert (await Power.get(id=power.id)).status == PowerStatus.PUBLISHED
    again = await opened(client, who, power)  # a new revision may be opened now
    assert again["draft"]["code"] == f"{power.code}.R2"


async def test_only_the_unit_opens_a_revision(client: httpx.AsyncClient) -> None:
    who = await Unit.make()
    power = await published_power(who.unit)
    power_id = encode_id("Power", power.id)
    for token, expected in ((None, "PermissionDeniedError"), (who.stranger, "PermissionDeniedError"),
                            (who.reviewer, "PermissionDeniedError")):  # fmt: skip
        result = await call(client, OPEN, token, id=power_id, input={"reason": "改"})
        assert result["__typename"] == expected, result
    blank = await call(client, OPEN, who.staff, id=power_id, input={"reason": " "})
    assert blank["errors"][0]["field"] == "reason"
    assert not await PowerRevision.exists(power_id=power.id)


async def test_a_change_to_confidential_hides_the_power_once_approved(client: httpx.AsyncClient) -> None:
    who = await Unit.make()
    power = await published_power(who.unit, name=power_name("对涉密事项的行政检查"))
    power_id = encode_id("Power", power.id)
    revision = await opened(client, who, power)
    await call(client, UPDATE, who.staff, id=revision["draft"]["id"], input={
        "confidential": True, "confidentialityReason": "涉及国家秘密", "confidentialityBasis": "《保守国家秘密法》第九条",
    })  # fmt: skip
    await who.through_review(client, revision["draft"]["id"], "RETAIN")
    assert await call(client, POWER, None, id=power_id) is None
    now = await call(client, AS_OF, None, date=today().isoformat(), unit=encode_id("Unit", who.unit.id))
    assert now["totalCount"] == 0  # not its old public version either: not its name, not its count
    own = await call(client, POWER, who.staff, id=power_id)
    assert [v["number"] for v in own["versions"]] == [1, 2]
    notice = await ChangeNotice.get(power_id=power.id)
    assert notice.status == ChangeNoticeStatus.ACCEPTED
