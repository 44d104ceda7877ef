"""DisclosureRecord (公开记录) and OperationRecord (附7 权力运行记录)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry

from domain import access
from domain import models as m
from schema.context import Info
from schema.enums import DisclosureChannel, DisclosureScope, DisclosureTiming, Network, OperationStage
from schema.node import Node
from schema.relay import encode_id

if TYPE_CHECKING:
    from schema.oversight import OperationStep


@strawberry.type(description="公开记录: when, where and to whom an exercise of a power was disclosed.")
class DisclosureRecord(Node):
    scope: DisclosureScope
    timing: DisclosureTiming
    channel: DisclosureChannel
    content: str
    disclosed_on: date
    operation_db_id: strawberry.Private[int | None]

    @classmethod
    def from_model(cls, rec: m.DisclosureRecord) -> DisclosureRecord:
        return cls(
            id=encode_id("DisclosureRecord", rec.id),
            operation_db_id=rec.operation_id,
            scope=rec.scope,
            timing=rec.timing,
            channel=rec.channel,
            content=rec.content,
            disclosed_on=rec.disclosed_on,
        )

    @strawberry.field(description="the exercise this discloses, if one (null if none, or hidden from the caller)")
    async def operation(self, info: Info) -> OperationRecord | None:
        if self.operation_db_id is None:
            return None
        op = await info.context.loaders.operation_record_by_id.load(self.operation_db_id)
        return OperationRecord.from_model(op, op.power.unit_id) if op else None

@strawberry.type(description="附7 权力动态运行情况: one exercise of a power, 决策 → 执行 → 结果.")
class OperationRecord(Node):
    db_id: strawberry.Private[int]
    network: Network = strawberry.field(description="七大网络")
    subject: str = strawberry.field(description="办理事项")
    applicant_name: strawberry.Private[str]
    unit_id: strawberry.Private[int]
    stage: OperationStage
    scope: DisclosureScope
    handler: str = strawberry.field(description="经办人")
    decision: str
    decided_on: date | None
    execution: str
    executed_on: date | None
    result: str
    finished_on: date | None

    @classmethod
    def from_model(cls, rec: m.OperationRecord, unit_id: int) -> OperationRecord:
        """`unit_id`: the unit holding the record's power, which decides who sees personal data."""
        return cls(
            id=encode_id("OperationRecord", rec.id),
            db_id=rec.id,
            network=rec.network,
            subject=rec.subject,
            applicant_name=rec.applicant,
            unit_id=unit_id,
            stage=rec.stage,
            scope=rec.scope,
            handler=rec.handler,
            decision=rec.decision,
            decided_on=rec.decided_on,
            execution=rec.execution,
            executed_on=rec.executed_on,
            result=rec.result,
            finished_on=rec.finished_on,
        )

    @strawberry.field(description="当事人: personal data, shown only to the handling unit and oversight roles")
    def applicant(self, info: Info) -> str | None:
        return self.applicant_name if access.sees_personal_data(info.context.viewer, self.unit_id) else None

    @strawberry.field(description="the steps of the power's flow chart this exercise went through, timed (电子监察)")
    async def steps(self, info: Info) -> list[Annotated[OperationStep, strawberry.lazy("schema.oversight")]]:
        from schema.oversight import OperationStep

        calendar = await info.context.calendar()
        steps = await info.context.loaders.steps_by_operation_id.load(self.db_id)
        return [OperationStep.from_model(s, calendar) for s in steps]
