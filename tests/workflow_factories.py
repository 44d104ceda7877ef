"""Builders for the workflow tests: powers with a basis, taken through the lifecycle in the domain,
and the review panel (a reviewer per office, and the leading group) in the domain and over HTTP."""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from domain import lifecycle, revisions
from domain.access import Viewer
from domain.enums import DisclosureScope, GroupRole, ReviewDecision, ReviewOffice, ReviewSeat, Role
from domain.leading_group import MemberData, create_member
from domain.models import Power, Unit
from domain.services.bases import BasisData, create_basis
from domain.services.flow import FlowChartData, FlowStepData, create_flow_chart, create_flow_step
from domain.services.flow_edges import FlowEdgeData, create_flow_edge
from domain.tokens import create_token
from domain.workflow_models import LeadingGroupMember
from tests.factories import ADMIN, first_article, make_document, make_power, make_unit, staff_of, unique
from tests.helpers import gql_data

ALL_OPINIONS = [lifecycle.OpinionData(office, f"{office.label}：同意") for office in ReviewOffice]
#: One reviewer per seat: each office enters its own opinion, 县公开办 decides, the leading group approves.
SEATS = {seat: Viewer(role=Role.REVIEWER, name=f"test-{seat.value.lower()}", seat=seat) for seat in ReviewSeat}
OPENNESS, LEADING_GROUP = SEATS[ReviewSeat.OPENNESS_OFFICE], SEATS[ReviewSeat.LEADING_GROUP]


async def decided(
    power_id: int, decision: ReviewDecision = ReviewDecision.RETAIN, reason: str = "符合规定。", required_changes: str = ""
) -> Power:
    """A power IN_REVIEW through the whole panel: every office's opinion, 县公开办's decision, and
    the leading group's approval (the decision takes effect)."""
    for office in ReviewOffice:
        await lifecycle.record_opinion(SEATS[ReviewSeat(office.value)], power_id, lifecycle.OpinionData(office, f"{office.label}：同意"))
    await lifecycle.decide(OPENNESS, power_id, decision, reason, required_changes)
    return await lifecycle.approve(LEADING_GROUP, power_id, True)


async def seat_holder(seat: ReviewSeat) -> LeadingGroupMember:
    """A member of the leading group (附1) holding `seat` (a token is issued only for a held seat)."""
    held = await LeadingGroupMember.filter(seat=seat).first()
    if held is not None:
        return held
    role = GroupRole.DEPUTY if seat == ReviewSeat.LEADING_GROUP else GroupRole.MEMBER
    data = MemberData(f"{seat.label}成员{unique('')}", f"{seat.label}负责人", (await make_unit()).id, role, seat)
    return await create_member(ADMIN, data)


async def seat_tokens() -> dict[ReviewSeat, str]:
    """A reviewer token per seat, each seat held by a member of the leading group."""
    tokens = {}
    for seat in ReviewSeat:
        await seat_holder(seat)
        tokens[seat] = (await create_token(Role.REVIEWER, seat=seat))[1]
    return tokens


OPINION = """mutation ($id: ID!, $input: ReviewOpinionInput!) { recordReviewOpinion(powerId: $id, input: $input) {
  __typename ... on PermissionDeniedError { message } } }"""
DECIDE = """mutation ($id: ID!, $input: DecidePowerInput!) { decidePower(id: $id, input: $input) {
  __typename ... on ValidationErrors { errors { field message code } } ... on PermissionDeniedError { message } } }"""
APPROVE = """mutation ($id: ID!) { approvePowerDecision(id: $id, approve: true) {
  __typename ... on Power { id code name status } ... on ValidationErrors { message errors { field message code } }
  ... on IllegalTransitionError { message action currentStatus } ... on PermissionDeniedError { message } } }"""


async def panel_decides(
    client: httpx.AsyncClient, seats: dict[ReviewSeat, str], power_id: str, input: dict[str, Any]
) -> dict[str, Any]:
    """Over HTTP: each office's opinion with its own token, 县公开办's decision (`input`), the leading
    group's approval. Returns the approval's result, or the decision's refusal."""
    for office in ReviewOffice:
        opinion = {"office": office.value, "opinion": f"{office.label}：同意"}
        done = await gql_data(client, OPINION, {"id": power_id, "input": opinion}, seats[ReviewSeat(office.value)])
        assert done["recordReviewOpinion"]["__typename"] == "Review", done
    decision = (await gql_data(client, DECIDE, {"id": power_id, "input": input}, seats[ReviewSeat.OPENNESS_OFFICE]))["decidePower"]
    if decision["__typename"] != "Power":
        return decision
    return (await gql_data(client, APPROVE, {"id": power_id}, seats[ReviewSeat.LEADING_GROUP]))["approvePowerDecision"]


async def based_power(unit: Unit, **fields: Any) -> Power:
    """A DRAFT power resting on the first article of a new law in force."""
    power = await make_power(unit, **fields)
    article = await first_article(await make_document())
    await create_basis(ADMIN, BasisData(power_id=power.id, article_id=article.id))
    return power


STEPS: tuple[tuple[str, int | None], ...] = (("受理", None), ("决定", None))


async def charted(power: Power, steps: tuple[tuple[str, int | None], ...] = STEPS) -> Power:
    """Give a DRAFT power its flow chart (每项权力都附一张流程图) of `steps` (name, working days) joined
    in order, with its complaint channel: by default the two steps publication needs."""
    chart = await create_flow_chart(ADMIN, FlowChartData(power_id=power.id, complaint_channel="县监察局举报电话12388"))
    made = [
        await create_flow_step(ADMIN, FlowStepData(chart_id=chart.id, name=name, time_limit_days=days))
        for name, days in steps
    ]
    for source, target in itertools.pairwise(made):
        await create_flow_edge(ADMIN, FlowEdgeData(source.id, target.id))
    return power


async def keeper_of(power: Power) -> Viewer:
    """Who of its unit works on a power: its staff, or for one disclosed to the leadership only
    (领导班子内公开), which its staff do not see, its lead."""
    unit = await Unit.get(id=power.unit_id)
    return await staff_of(unit, Role.UNIT_LEAD if power.disclosure_scope == DisclosureScope.LEADERSHIP else Role.UNIT_STAFF)


async def in_review(power: Power) -> Power:
    unit = await Unit.get(id=power.unit_id)
    await lifecycle.declare(await staff_of(unit, Role.UNIT_LEAD), power.id, "同意申报。")
    return await lifecycle.submit(await keeper_of(power), power.id)


async def published_power(
    unit: Unit | None = None, steps: tuple[tuple[str, int | None], ...] = STEPS, **fields: Any
) -> Power:
    """A PUBLISHED power of `unit` (a new department by default), with a basis and a chart of `steps`
    (publication needs two: a single step is followed by 办结), through every step."""
    unit = unit or await make_unit()
    steps = (*steps, ("办结", None)) if len(steps) == 1 else steps or STEPS
    power = await in_review(await charted(await based_power(unit, **fields), steps))
    await decided(power.id)
    return await lifecycle.publish(ADMIN, power.id)


async def revise(power: Power, edit: Callable[[Power], Awaitable[object]], reason: str = "依据新规调整。") -> Power:
    """A published power changed through a revision: opened by its unit, `edit` applied to the
    draft, declared, submitted and approved. Returns the power as now published."""
    revision = await revisions.open_revision(await keeper_of(power), power.id, reason)
    draft = await Power.get(id=revision.draft_id)
    await edit(draft)
    await draft.refresh_from_db()  # as edited (its scope decides who of the unit submits it)
    await in_review(draft)
    return await decided(draft.id)
