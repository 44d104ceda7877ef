"""DisclosureRecord (公开记录) and OperationRecord (附7 权力运行记录)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry
from tortoise.expressions import Q

from domain import access, personal
from domain import models as m
from resolvers.keyset import PageArgs
from resolvers.records import records_page
from schema.context import Info
from schema.enums import DisclosureChannel, DisclosureScope, DisclosureTiming, Network, OperationStage
from schema.node import BEFORE, LAST, Node, of_row, to_connection
from schema.relay import Connection, decode_id, encode_id

if TYPE_CHECKING:
    from schema.oversight.supervision import OperationStep


def _disclosure_content(root: DisclosureRecord, info: Info) -> str:
    """The content names the disclosed exercise's applicant only to who may see personal data (the record
    is then read whole, with its operation: resolvers/columns.py)."""
    record = root.model
    return personal.record_note(info.context.viewer, root.unit_id, personal.disclosed_applicant(record), record.content)


@strawberry.type(description="公开记录: when, where and to whom an exercise of a power was disclosed.")
class DisclosureRecord(Node):
    scope: DisclosureScope
    timing: DisclosureTiming
    channel: DisclosureChannel
    content: str = strawberry.field(resolver=_disclosure_content)
    disclosed_on: date
    model: strawberry.Private[m.DisclosureRecord]
    unit_id: strawberry.Private[int]

    @classmethod
    def from_model(cls, rec: m.DisclosureRecord, unit_id: int) -> DisclosureRecord:
        """`rec`: for `content`, fetched with its operation (select_related), whose applicant the content
        may name; `unit_id`: the unit holding its power."""
        return of_row(cls, rec, unit_id, id=encode_id("DisclosureRecord", rec.id), model=rec, unit_id=unit_id)

    @strawberry.field(description="the exercise this discloses, if one (null if none, or hidden from the caller)")
    async def operation(self, info: Info) -> OperationRecord | None:
        if self.model.operation_id is None:
            return None
        op = await info.context.loaders.operation_record_by_id.load(self.model.operation_id)
        return OperationRecord.from_model(op, op.power.unit_id) if op else None


def _text(root: OperationRecord, info: Info) -> personal.OperationRecordText:
    """The record's personal and free-text fields as the caller may read them (domain.personal),
    worked out once per record and request for all five fields."""
    if root.redacted is None:
        root.redacted = personal.operation_record_text(info.context.viewer, root.unit_id, root.model)
    return root.redacted


def _subject(root: OperationRecord, info: Info) -> str:
    return _text(root, info).subject


def _decision(root: OperationRecord, info: Info) -> str:
    return _text(root, info).decision


def _execution(root: OperationRecord, info: Info) -> str:
    return _text(root, info).execution


def _result(root: OperationRecord, info: Info) -> str:
    return _text(root, info).result


@strawberry.type(description="附7 权力动态运行情况: one exercise of a power, 决策 → 执行 → 结果.")
class OperationRecord(Node):
    """The free texts name the applicant only to who may see personal data; for anyone else the
    names the record knows are masked in them (刘建国 → 刘某), as in the Word filings."""

    db_id: strawberry.Private[int]
    model: strawberry.Private[m.OperationRecord]
    redacted: strawberry.Private[personal.OperationRecordText | None] = None
    network: Network | None = strawberry.field(description="七大网络 (null when the exercise runs in none)")
    subject: str = strawberry.field(resolver=_subject, description="办理事项")
    unit_id: strawberry.Private[int]
    stage: OperationStage
    scope: DisclosureScope
    handler: str = strawberry.field(description="经办人")
    decision: str = strawberry.field(resolver=_decision)
    decided_on: date | None
    execution: str = strawberry.field(resolver=_execution)
    executed_on: date | None
    result: str = strawberry.field(resolver=_result)
    finished_on: date | None

    @classmethod
    def from_model(cls, rec: m.OperationRecord, unit_id: int) -> OperationRecord:
        """`unit_id`: the unit holding the record's power, which decides who sees personal data."""
        return of_row(cls, rec, unit_id, id=encode_id("OperationRecord", rec.id), db_id=rec.id, model=rec, unit_id=unit_id)

    @strawberry.field(description="当事人: personal data, shown only to the handling unit and oversight roles")
    def applicant(self, info: Info) -> str | None:
        return _text(self, info).applicant

    @strawberry.field(description="the steps of the power's flow chart this exercise went through, timed (电子监察)")
    async def steps(self, info: Info) -> list[Annotated[OperationStep, strawberry.lazy("schema.oversight.supervision")]]:
        from schema.oversight.supervision import OperationStep

        calendar = await info.context.calendar()
        steps = await info.context.loaders.steps_by_operation_id.load(self.db_id)
        return [OperationStep.from_model(s, calendar, self.model.applicant, self.unit_id) for s in steps]


@strawberry.input(description="Filters of `operationRecords`.")
class OperationRecordFilter:
    unit_id: strawberry.ID | None = strawberry.field(default=None, description="a unit's powers; its offices' included")
    power_id: strawberry.ID | None = None
    network: Network | None = strawberry.field(default=None, description="七大网络")  # type: ignore[valid-type]


@strawberry.type
class OperationRecordQuery:
    @strawberry.field(
        description="权力运行记录 (附7) the caller may see (the public: PUBLIC records of public powers), newest decision "
        "first; pages both ways by keyset"
    )
    async def operation_records(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: LAST = None,
        before: BEFORE = None,
        filter: OperationRecordFilter | None = None,
    ) -> Connection[OperationRecord]:
        ctx, f = info.context, filter or OperationRecordFilter()
        where = Q()
        if f.unit_id is not None:
            units = await access.unit_subtree_ids(decode_id(f.unit_id, "Unit", "filter.unitId"))
            where &= Q(power__unit_id__in=sorted(units))
        if f.power_id is not None:
            where &= Q(power_id=decode_id(f.power_id, "Power", "filter.powerId"))
        if f.network is not None:
            where &= Q(network=f.network)
        page, units_of = await records_page(ctx.viewer, ctx.settings, ctx.loaders, args=PageArgs(first, after, last, before), where=where)
        return to_connection(page, lambda op: OperationRecord.from_model(op, units_of[op.id]))
