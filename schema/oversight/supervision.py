"""Oversight's types and queries: operation steps and 电子监察 alarms, overdue disclosures,
complaints (投诉受理) and inspections (检查验收 / 绩效评估 / 定级). None of it is public. The mutations
(with recordDisclosure and the operation records') are in supervision_mutations."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry
from tortoise.expressions import Q

from domain import access, personal
from domain import complaints as complaint_rules
from domain import models as m
from domain import workflow_models as wm
from domain.disclosures import overdue_disclosures
from domain.errors import NotFound
from domain.operations import operation_alarms, step_timing
from domain.workdays import WorkCalendar, today
from resolvers.pagination import paginate
from schema.catalogue.flow import FlowStep
from schema.catalogue.unit import Unit
from schema.context import Info
from schema.enums import ComplaintStatus, Grade, InspectionKind, InspectionMethod, Network
from schema.node import Node, page_args, to_connection
from schema.oversight.records import OperationRecord
from schema.relay import Connection, decode_id, encode_id, parse_id
from schema.workflow.reviews import load_power

if TYPE_CHECKING:
    from schema.catalogue.power import Power
    from schema.oversight.loop import Survey
    from schema.oversight.rectifications import Rectification

LazyPower = Annotated["Power", strawberry.lazy("schema.catalogue.power")]
LazySurvey = Annotated["Survey", strawberry.lazy("schema.oversight.loop")]


async def _unit(info: Info, unit_id: int) -> Unit:
    unit = await info.context.loaders.unit_by_id.load(unit_id)
    assert unit is not None  # units with complaints, inspections or powers cannot be deleted
    return Unit.from_model(unit)


def _step_note(root: OperationStep, info: Info) -> str:
    """The note names the applicant only to who may see personal data (domain.personal)."""
    return personal.record_note(info.context.viewer, root.unit_id, root.applicant, root.raw_note)


@strawberry.type(description="A step of a power's flow chart one exercise went through, timed in working days (电子监察).")
class OperationStep(Node):
    flow_step_id: strawberry.Private[int | None]
    unit_id: strawberry.Private[int]
    applicant: strawberry.Private[str]
    raw_note: strawberry.Private[str]
    step_name: str = strawberry.field(description="the flow step's name when the step started")
    handler: str = strawberry.field(description="经办人")
    started_on: date
    finished_on: date | None
    note: str = strawberry.field(resolver=_step_note)
    time_limit_days: int | None = strawberry.field(description="办理时限 in working days, as when the step started")
    workdays_taken: int = strawberry.field(description="working days taken: to finishedOn, or to today while running")
    due_on: date | None = strawberry.field(description="the last working day within the limit")
    overdue: bool = strawberry.field(description="took (or is taking) longer than its limit: an alarm")

    @classmethod
    def from_model(cls, s: wm.OperationStep, calendar: WorkCalendar, applicant: str, unit_id: int) -> OperationStep:
        """`applicant` of the step's exercise and `unit_id` of its power: whom the note may name."""
        timing = step_timing(calendar, s, today())
        return cls(
            id=encode_id("OperationStep", s.id), flow_step_id=s.flow_step_id, unit_id=unit_id, applicant=applicant,
            raw_note=s.note, step_name=s.step_name, handler=s.handler, started_on=s.started_on, finished_on=s.finished_on,
            time_limit_days=s.time_limit_days, workdays_taken=timing.workdays,
            due_on=timing.due.day if timing.due else None, overdue=timing.overdue,
        )  # fmt: skip

    @strawberry.field(description="the flow step (null once deleted from the chart)")
    async def flow_step(self, info: Info) -> FlowStep | None:
        if self.flow_step_id is None:
            return None
        step = await m.FlowStep.filter(access.power_q(info.context.viewer, "chart__power__"), id=self.flow_step_id).first()
        return FlowStep.from_model(step) if step else None


@strawberry.type(description="电子监察: a step that outlasts its flow step's time limit.")
class OperationAlarm:
    step: OperationStep
    operation: OperationRecord
    power_id: strawberry.Private[int]
    running: bool = strawberry.field(description="still running (and already over its limit)")

    @strawberry.field
    async def power(self, info: Info) -> LazyPower | None:
        return await load_power(info, self.power_id)


@strawberry.type(description="An exercise of a TIMELY power not disclosed within its disclosure deadline.")
class OverdueDisclosure:
    operation: OperationRecord
    power_id: strawberry.Private[int]
    finished_on: date = strawberry.field(description="办结日期 of the exercise")
    deadline_workdays: int = strawberry.field(description="working days the power's 公开时限 allows (20 when it names none)")
    due_on: date
    due_provisional: bool = strawberry.field(description="counted on weekends alone in a year without a holiday table")
    disclosed_on: date | None = strawberry.field(description="a late disclosure, if one came after the deadline")

    @strawberry.field
    async def power(self, info: Info) -> LazyPower | None:
        return await load_power(info, self.power_id)


@strawberry.type(description="投诉: filed by anyone; the complainant's name and phone only reach the unit and oversight roles.")
class Complaint(Node):
    db_unit_id: strawberry.Private[int]
    power_id: strawberry.Private[int | None]
    name: strawberry.Private[str]
    phone: strawberry.Private[str]
    status: ComplaintStatus
    subject: str = strawberry.field(description="投诉事项")
    content: str = strawberry.field(description="投诉内容")
    received_on: date
    due_on: date | None = strawberry.field(description="deadline of the step it waits for (受理 5, 处理 10, 答复 15 working days)")
    due_provisional: bool
    accepted_on: date | None = strawberry.field(description="受理 (or 不予受理) date")
    decided_by: str
    rejection_reason: str = strawberry.field(description="不予受理的理由")
    handled_on: date | None
    handled_by: str
    handling: str = strawberry.field(description="处理情况")
    answered_on: date | None
    answered_by: str
    answer: str = strawberry.field(description="答复意见")

    @classmethod
    def from_model(cls, c: wm.Complaint) -> Complaint:
        waiting = c.status in complaint_rules.WAITING
        return cls(
            id=encode_id("Complaint", c.id), db_unit_id=c.unit_id, power_id=c.power_id, name=c.complainant_name,
            phone=c.complainant_phone, status=c.status, subject=c.subject, content=c.content,
            received_on=c.received_on, due_on=c.due_on if waiting else None, due_provisional=c.due_provisional,
            accepted_on=c.accepted_on, decided_by=c.decided_by, rejection_reason=c.rejection_reason,
            handled_on=c.handled_on, handled_by=c.handled_by, handling=c.handling, answered_on=c.answered_on,
            answered_by=c.answered_by, answer=c.answer,
        )  # fmt: skip

    @strawberry.field(description="waiting past its deadline")
    def overdue(self) -> bool:
        return self.due_on is not None and self.due_on < today()

    @strawberry.field(description="投诉人: only for the unit complained about and oversight roles")
    def complainant_name(self, info: Info) -> str | None:
        return self.name if access.sees_personal_data(info.context.viewer, self.db_unit_id) else None

    @strawberry.field(description="联系电话: only for the unit complained about and oversight roles")
    def complainant_phone(self, info: Info) -> str | None:
        return self.phone if access.sees_personal_data(info.context.viewer, self.db_unit_id) else None

    @strawberry.field(description="the unit complained about")
    async def unit(self, info: Info) -> Unit:
        return await _unit(info, self.db_unit_id)

    @strawberry.field(description="the power complained about, if one (null if hidden from the caller)")
    async def power(self, info: Info) -> LazyPower | None:
        return await load_power(info, self.power_id)


@strawberry.type(description="检查验收 / 绩效评估 of a unit: findings, score and grade (定级). Oversight roles and the unit.")
class Inspection(Node):
    db_id: strawberry.Private[int]
    db_unit_id: strawberry.Private[int]
    power_id: strawberry.Private[int | None]
    survey_id: strawberry.Private[int | None]
    kind: InspectionKind
    method: InspectionMethod = strawberry.field(description="检查方式: 明查, 暗访, 专项检查, 民意测验")
    network: Network | None = strawberry.field(description="the network inspected, if one")
    inspected_on: date
    findings: str = strawberry.field(description="发现的问题")
    follow_up: str = strawberry.field(description="整改要求")
    score: int = strawberry.field(description="0 to 100")
    grade: Grade = strawberry.field(description="定级, from the score: 优秀 ≥ 90, 良好 ≥ 80, 合格 ≥ 60, 不合格 below")
    inspector: str

    @classmethod
    def from_model(cls, i: wm.Inspection) -> Inspection:
        return cls(
            id=encode_id("Inspection", i.id), db_id=i.id, db_unit_id=i.unit_id, power_id=i.power_id, survey_id=i.survey_id,
            kind=i.kind, method=i.method, network=i.network, inspected_on=i.inspected_on,
            findings=i.findings, follow_up=i.follow_up, score=i.score, grade=i.grade, inspector=i.inspector,
        )  # fmt: skip

    @strawberry.field
    async def unit(self, info: Info) -> Unit:
        return await _unit(info, self.db_unit_id)

    @strawberry.field(description="整改 of its findings, oldest first (the unit and oversight roles, as the inspection)")
    async def rectifications(
        self, info: Info
    ) -> list[Annotated[Rectification, strawberry.lazy("schema.oversight.rectifications")]]:
        from schema.oversight.rectifications import Rectification

        found = await info.context.loaders.rectifications_by_inspection_id.load(int(self.db_id))
        return [Rectification.from_model(r) for r in found]
    @strawberry.field(description="the power inspected, if one (null if hidden from the caller)")
    async def power(self, info: Info) -> LazyPower | None:
        return await load_power(info, self.power_id)

    @strawberry.field(description="the 民意测验 a SURVEY inspection rests on")
    async def survey(self, info: Info) -> LazySurvey | None:
        from domain.loop_models import Survey as SurveyRow
        from domain.surveys import survey_q
        from schema.oversight.loop import Survey

        if self.survey_id is None:
            return None
        found = await SurveyRow.filter(survey_q(info.context.viewer), id=self.survey_id).first()
        return Survey.from_model(found) if found else None


@strawberry.input(description="Filters of `complaints`.")
class ComplaintFilter:
    statuses: list[ComplaintStatus] | None = None
    overdue: bool | None = strawberry.field(default=None, description="true: only those waiting past their deadline")
    unit_id: strawberry.ID | None = strawberry.field(default=None, description="a unit; its offices included")


async def _subtree(unit_id: strawberry.ID | None, field: str) -> frozenset[int] | None:
    return None if unit_id is None else await access.unit_subtree_ids(decode_id(unit_id, "Unit", field))


@strawberry.type(description="What a complainant may see of their complaint: its progress and the answer, no contact data.")
class ComplaintProgress:
    status: ComplaintStatus
    subject: str
    received_on: date
    due_on: date = strawberry.field(description="deadline of the step the complaint waits for")
    due_provisional: bool
    accepted_on: date | None = strawberry.field(description="受理 or 不予受理 date")
    rejection_reason: str
    answered_on: date | None
    answer: str = strawberry.field(description="答复意见")


@strawberry.type
class OversightQuery:
    @strawberry.field(
        description="A complainant, with or without a token, follows a complaint by its number and 查询码 "
        "(by POST only, refused over GET: a 查询码 in a URL ends up in histories and logs; never cached)"
    )
    async def complaint_by_receipt(self, id: strawberry.ID, code: str) -> ComplaintProgress | None:
        parsed = parse_id(id)
        # the complaint's id, or its receipt's (what `id` of the receipt was before it had its own)
        if parsed is None or parsed[0] not in ("Complaint", "ComplaintReceipt"):
            return None
        try:
            c = await complaint_rules.complaint_by_receipt(parsed[1], code)
        except NotFound:
            return None
        return ComplaintProgress(
            status=c.status, subject=c.subject, received_on=c.received_on, due_on=c.due_on,
            due_provisional=c.due_provisional, accepted_on=c.accepted_on, rejection_reason=c.rejection_reason,
            answered_on=c.answered_on, answer=c.answer,
        )  # fmt: skip

    @strawberry.field(description="Exercises of a unit's TIMELY powers (its offices included) not disclosed within their deadline, oldest first")
    async def overdue_disclosures(self, info: Info, unit_id: strawberry.ID) -> list[OverdueDisclosure]:
        found = await overdue_disclosures(info.context.viewer, decode_id(unit_id, "Unit", "unitId"))
        return [
            OverdueDisclosure(
                operation=OperationRecord.from_model(o.operation, o.operation.power.unit_id),
                power_id=o.operation.power_id, finished_on=o.operation.finished_on, deadline_workdays=o.workdays,
                due_on=o.due.day, due_provisional=o.due.provisional, disclosed_on=o.disclosed_on,
            )  # fmt: skip
            for o in found
        ]

    @strawberry.field(description="电子监察: steps of a unit's exercises (its offices included) over their time limit")
    async def operation_alarms(self, info: Info, unit_id: strawberry.ID, running_only: bool = False) -> list[OperationAlarm]:
        alarms = await operation_alarms(info.context.viewer, decode_id(unit_id, "Unit", "unitId"), running_only=running_only)
        calendar = await info.context.calendar()
        out = []
        for a in alarms:
            op = a.step.operation
            unit_id_ = op.power.unit_id
            out.append(
                OperationAlarm(
                    step=OperationStep.from_model(a.step, calendar, op.applicant, unit_id_),
                    operation=OperationRecord.from_model(op, unit_id_), power_id=op.power_id, running=a.running,
                )
            )
        return out

    @strawberry.field(description="投诉 the caller may see (a unit its own, oversight roles all), newest first")
    async def complaints(
        self, info: Info, first: int | None = None, after: str | None = None, filter: ComplaintFilter | None = None
    ) -> Connection[Complaint]:
        f = filter or ComplaintFilter()
        q = complaint_rules.complaints_q(
            info.context.viewer, statuses=f.statuses, overdue=f.overdue,  # type: ignore[arg-type]
            unit_ids=await _subtree(f.unit_id, "filter.unitId"),
        )  # fmt: skip
        limit, offset = page_args(first, after)
        settings = info.context.settings
        page = await paginate(
            wm.Complaint.filter(q).order_by("-received_on", "-id"),
            first=limit, offset=offset, default=settings.default_page_size, maximum=settings.max_page_size,
        )  # fmt: skip
        return to_connection(page, Complaint.from_model)

    @strawberry.field(description="检查验收 / 绩效评估 the caller may see (a unit its own, oversight roles all), newest first")
    async def inspections(
        self, info: Info, first: int | None = None, after: str | None = None, unit_id: strawberry.ID | None = None
    ) -> Connection[Inspection]:
        q = access.unit_rows_q(info.context.viewer)
        units = await _subtree(unit_id, "unitId")
        if units is not None:
            q &= Q(unit_id__in=sorted(units))
        limit, offset = page_args(first, after)
        settings = info.context.settings
        page = await paginate(
            wm.Inspection.filter(q).order_by("-inspected_on", "-id"),
            first=limit, offset=offset, default=settings.default_page_size, maximum=settings.max_page_size,
        )  # fmt: skip
        return to_connection(page, Inspection.from_model)
