"""网上审批 in the API (domain.cases): the types and queries. `applyOnline` (anyone, no token, rate-limited),
`caseByReceipt` (the applicant follows a case with the 查询码, by POST only, without personal data) and for
the unit and oversight `cases` and `node(id)` of a Case; the mutations are in cases_mutations."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from domain import access, personal
from domain import cases as rules
from domain.case_models import ApplicationCase, CaseSuspension, CaseTransition
from domain.case_models import CaseAttachment as AttachmentModel
from domain.enums import CaseStatus as CaseStatusModel
from domain.errors import NotFound
from domain.models import OperationRecord as OperationRecordModel
from domain.workdays import WorkCalendar, today
from qingquan import downloads
from resolvers.keyset import PageArgs
from resolvers.records import cases_page
from schema.catalogue.unit import Unit
from schema.context import Info
from schema.enums import CaseChannel, CaseOutcome, CaseStatus, FlowStepKind
from schema.node import BEFORE, LAST, Node, to_connection
from schema.oversight.records import OperationRecord
from schema.relay import Connection, decode_id, encode_id, parse_id
from schema.workflow.reviews import load_power

if TYPE_CHECKING:
    from schema.catalogue.power import Power

LazyPower = Annotated["Power", strawberry.lazy("schema.catalogue.power")]


@strawberry.type(description="A step of the flow chart a case follows (as the case started under it).")
class CaseChartStep:
    key: int = strawberry.field(description="the step's number in the case's chart: name it to moveCase")
    name: str
    kind: FlowStepKind
    time_limit_days: int | None = strawberry.field(description="办理时限 in working days")
    position: str = strawberry.field(description="承办岗位 (empty: the power's unit)")
    current: bool = strawberry.field(description="the step the case is at")
    visited: bool = strawberry.field(description="the case has been at this step")


@strawberry.type(description="程序与接口: an edge of the chart, with its condition.")
class CaseChartEdge:
    source: int
    target: int
    label: str = strawberry.field(description="条件 / 分支")


@strawberry.type(description="The flow chart a case follows, its current step marked.")
class CaseChart:
    title: str
    time_limit_days: int | None = strawberry.field(description="办理时限 of the power (working days)")
    steps: list[CaseChartStep]
    edges: list[CaseChartEdge]


@strawberry.type(description="A move of a case along its chart: when, from where to where, on what condition, why.")
class CaseMove:
    from_step: int | None = strawberry.field(description="null: the filing")
    to_step: int
    from_name: str
    to_name: str
    condition: str = strawberry.field(description="the edge's condition")
    opinion: str = strawberry.field(description="办理意见")
    day: date
    actor: str | None = strawberry.field(description="who moved it (null in caseByReceipt)")
    at: datetime | None = strawberry.field(description="when it was recorded (null in caseByReceipt)")


@strawberry.type(name="CaseSuspension", description="补正: the case waited for the applicant's supplement; its clock stood still.")
class CaseSuspensionType:
    reason: str = strawberry.field(description="需要补正的内容")
    suspended_on: date
    resumed_on: date | None


@strawberry.type(description="A file sent with the application (personal data: the unit and oversight only).")
class CaseAttachment:
    db_id: strawberry.Private[int]
    filename: str
    content_type: str
    size: int
    sha256: str

    @strawberry.field(description="a link to download the file, valid for a few minutes, for the caller only")
    def download_url(self, info: Info) -> str:
        token, _ = downloads.sign_case_attachment(info.context.settings, info.context.viewer, self.db_id)
        return f"/cases/attachments/{token}"


def _chart(case: ApplicationCase, visited: set[int]) -> CaseChart:
    c = case.chart
    return CaseChart(
        title=c.get("title", ""),
        time_limit_days=c.get("time_limit_days"),
        steps=[
            CaseChartStep(
                key=s["key"], name=s["name"], kind=FlowStepKind(s["kind"]), time_limit_days=s["time_limit_days"],  # type: ignore[misc]
                position=s["position"], current=s["key"] == case.current_step and case.status != CaseStatusModel.CLOSED,
                visited=s["key"] in visited,
            )  # fmt: skip
            for s in c["steps"]
        ],
        edges=[CaseChartEdge(source=e["source"], target=e["target"], label=e["label"]) for e in c["edges"]],
    )


def _clock(case: ApplicationCase, suspensions: list[CaseSuspension], calendar: WorkCalendar) -> rules.CaseClock:
    return rules.case_clock(calendar, case, [(s.suspended_on, s.resumed_on) for s in suspensions], today())


@strawberry.type(
    description="办件: an application and the case it became, moving along its power's chart. Seen by the unit (and "
    "the office holding its current step) and oversight roles only, who also see the applicant."
)
class Case(Node):
    model: strawberry.Private[ApplicationCase]
    status: CaseStatus
    channel: CaseChannel
    request: str = strawberry.field(description="申请事项")
    applicant_name: str = strawberry.field(description="申请人 (personal data)")
    applicant_contact: str = strawberry.field(description="联系方式 (personal data)")
    received_on: date
    outcome: CaseOutcome | None = strawberry.field(description="准予 / 不予, once closed")
    reasons: str = strawberry.field(description="决定理由")
    legal_basis: str = strawberry.field(description="法律依据")
    closed_on: date | None
    closed_by: str

    @classmethod
    def from_model(cls, c: ApplicationCase) -> Case:
        return cls(
            id=encode_id("Case", c.id), model=c, status=c.status, channel=c.channel, request=c.request,  # type: ignore[arg-type]
            applicant_name=c.applicant_name, applicant_contact=c.applicant_contact, received_on=c.received_on,
            outcome=c.outcome, reasons=c.reasons, legal_basis=c.legal_basis, closed_on=c.closed_on,  # type: ignore[arg-type]
            closed_by=c.closed_by,
        )  # fmt: skip

    @strawberry.field(description="the power applied for (null if hidden from the caller)")
    async def power(self, info: Info) -> LazyPower | None:
        return await load_power(info, self.model.power_id)

    @strawberry.field(description="the unit holding the power")
    async def unit(self, info: Info) -> Unit:
        unit = await info.context.loaders.unit_by_id.load(self.model.unit_id)
        assert unit is not None  # RESTRICT
        return Unit.from_model(unit)

    @strawberry.field(description="the version of the power the case started under (its number)")
    async def version_number(self) -> int | None:
        from domain.workflow_models import PowerVersion

        if self.model.version_id is None:
            return None
        version = await PowerVersion.get_or_none(id=self.model.version_id)
        return version.number if version else None

    @strawberry.field(description="the chart as the case started under it, its current step marked")
    async def chart(self) -> CaseChart:
        moves = await CaseTransition.filter(case_id=self.model.id).values_list("to_step", flat=True)
        return _chart(self.model, set(moves))  # type: ignore[arg-type]

    @strawberry.field(description="the step the case is at (null once closed)")
    def current_step(self) -> str | None:
        step = rules.step_of(self.model.chart, self.model.current_step)
        return step["name"] if step and self.model.status != CaseStatusModel.CLOSED else None

    @strawberry.field(description="where the chart's edges lead from the current step (moveCase), with the conditions")
    def next_steps(self) -> list[CaseChartEdge]:
        if self.model.status == CaseStatusModel.CLOSED:
            return []
        here = self.model.current_step or 0
        return [CaseChartEdge(source=here, target=s["key"], label=label) for s, label in rules.next_steps(self.model.chart, here)]

    @strawberry.field(description="every move, in order, with who, when and the opinion")
    async def moves(self) -> list[CaseMove]:
        return [
            CaseMove(from_step=t.from_step, to_step=t.to_step, from_name=t.from_name, to_name=t.to_name,
                     condition=t.condition, opinion=t.opinion, day=t.day, actor=t.actor, at=t.at)  # fmt: skip
            for t in await CaseTransition.filter(case_id=self.model.id).order_by("id")
        ]

    @strawberry.field(description="补正 suspensions, in order")
    async def suspensions(self) -> list[CaseSuspensionType]:
        return [
            CaseSuspensionType(reason=s.reason, suspended_on=s.suspended_on, resumed_on=s.resumed_on)
            for s in await CaseSuspension.filter(case_id=self.model.id).order_by("id")
        ]

    @strawberry.field(description="files sent with the application")
    async def attachments(self) -> list[CaseAttachment]:
        rows = await AttachmentModel.filter(case_id=self.model.id).order_by("id").values(
            "id", "filename", "content_type", "size", "sha256"
        )
        return [CaseAttachment(db_id=r.pop("id"), **r) for r in rows]

    @strawberry.field(description="working days taken since receipt, those suspended for 补正 left out")
    async def workdays_taken(self, info: Info) -> int:
        suspensions = await CaseSuspension.filter(case_id=self.model.id)
        return _clock(self.model, suspensions, await info.context.calendar()).workdays

    @strawberry.field(description="working days the clock stood still for 补正")
    async def suspended_workdays(self, info: Info) -> int:
        suspensions = await CaseSuspension.filter(case_id=self.model.id)
        return _clock(self.model, suspensions, await info.context.calendar()).suspended

    @strawberry.field(description="its 附7 record (权力运行记录)")
    async def operation(self, info: Info) -> OperationRecord | None:
        op = await OperationRecordModel.filter(access.record_q(info.context.viewer), id=self.model.operation_id).first()
        return OperationRecord.from_model(op, self.model.unit_id) if op else None


@strawberry.type(
    description="What an applicant sees of their case with its 查询码: the chart with the current step, progress and "
    "result; no personal data, no staff names."
)
class CaseProgress:
    db_power_id: strawberry.Private[int]
    status: CaseStatus
    received_on: date
    current_step: str | None = strawberry.field(description="the step the case is at (null once closed)")
    chart: CaseChart
    moves: list[CaseMove]
    suspensions: list[CaseSuspensionType]
    outcome: CaseOutcome | None
    reasons: str
    legal_basis: str
    closed_on: date | None
    workdays_taken: int
    suspended_workdays: int

    @strawberry.field(description="the power applied for")
    async def power(self, info: Info) -> LazyPower | None:
        return await load_power(info, self.db_power_id)


async def progress_of(case: ApplicationCase, calendar: WorkCalendar) -> CaseProgress:
    """The applicant's view: free texts masked of the applicant's name (the code may be shared)."""

    def masked(text: str) -> str:
        return personal.record_note(access.PUBLIC, case.unit_id, case.applicant_name, text)

    moves = await CaseTransition.filter(case_id=case.id).order_by("id")
    suspensions = await CaseSuspension.filter(case_id=case.id).order_by("id")
    clock = _clock(case, suspensions, calendar)
    step = rules.step_of(case.chart, case.current_step)
    return CaseProgress(
        db_power_id=case.power_id, status=case.status, received_on=case.received_on,  # type: ignore[arg-type]
        current_step=step["name"] if step and case.status != CaseStatusModel.CLOSED else None,
        chart=_chart(case, {t.to_step for t in moves}),
        moves=[
            CaseMove(from_step=t.from_step, to_step=t.to_step, from_name=t.from_name, to_name=t.to_name,
                     condition=t.condition, opinion=masked(t.opinion), day=t.day, actor=None, at=None)
            for t in moves
        ],
        suspensions=[CaseSuspensionType(reason=masked(s.reason), suspended_on=s.suspended_on, resumed_on=s.resumed_on)
                     for s in suspensions],
        outcome=case.outcome, reasons=masked(case.reasons), legal_basis=case.legal_basis, closed_on=case.closed_on,  # type: ignore[arg-type]
        workdays_taken=clock.workdays, suspended_workdays=clock.suspended,
    )  # fmt: skip


@strawberry.type(description="回执 of an application: what the applicant keeps (no token is needed to apply).")
class CaseReceipt:
    id: strawberry.ID = strawberry.field(description="this receipt's own global id")
    case_id: strawberry.ID = strawberry.field(
        description="the case's number (its global id), to quote when asking after it (caseByReceipt)"
    )
    received_on: date
    current_step: str = strawberry.field(description="the chart's first step, where the case starts")
    receipt_code: str = strawberry.field(
        description="查询码: shown this once; with the number it follows the case (caseByReceipt)"
    )


@strawberry.input(description="Filters of `cases`.")
class CaseFilter:
    statuses: list[CaseStatus] | None = None
    unit_id: strawberry.ID | None = strawberry.field(default=None, description="a unit; its offices included")
    power_id: strawberry.ID | None = None


async def case_node(info: Info, pk_: int) -> Case | None:
    """node(id): through the same rule as the list (never public)."""
    found = await rules.visible_case(info.context.viewer, pk_)
    return Case.from_model(found) if found else None


@strawberry.type
class CaseQuery:
    @strawberry.field(
        description="An applicant, with or without a token, follows a case by its number and 查询码 (by POST only, "
        "refused over GET: a 查询码 in a URL ends up in histories and logs; never cached)"
    )
    async def case_by_receipt(self, info: Info, id: strawberry.ID, code: str) -> CaseProgress | None:
        parsed = parse_id(id)
        # the case's id, or its receipt's (both name the case)
        if parsed is None or parsed[0] not in ("Case", "CaseReceipt"):
            return None
        try:
            case = await rules.case_by_receipt(parsed[1], code)
        except NotFound:
            return None
        return await progress_of(case, await info.context.calendar())

    @strawberry.field(
        description="办件 the caller may see (a unit its own, oversight roles all), newest receipt first; pages both ways by keyset"
    )
    async def cases(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: CaseFilter | None = None,
        last: LAST = None,
        before: BEFORE = None,
    ) -> Connection[Case]:
        f = filter or CaseFilter()
        units = None if f.unit_id is None else await access.unit_subtree_ids(decode_id(f.unit_id, "Unit", "filter.unitId"))
        power_id = None if f.power_id is None else decode_id(f.power_id, "Power", "filter.powerId")
        q = rules.cases_q(info.context.viewer, statuses=f.statuses, unit_ids=units, power_id=power_id)  # type: ignore[arg-type]
        page = await cases_page(info.context.settings, args=PageArgs(first, after, last, before), where=q)
        return to_connection(page, Case.from_model)

