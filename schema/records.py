"""DisclosureRecord (公开记录) and OperationRecord (附7 权力运行记录)."""

from __future__ import annotations

from datetime import date

import strawberry

from domain import models as m
from domain.enums import Role
from schema.context import Info
from schema.enums import DisclosureChannel, DisclosureScope, DisclosureTiming, Network, OperationStage
from schema.node import Node
from schema.relay import encode_id


@strawberry.type(description="公开记录: when, where and to whom an exercise of a power was disclosed.")
class DisclosureRecord(Node):
    scope: DisclosureScope
    timing: DisclosureTiming
    channel: DisclosureChannel
    content: str
    disclosed_on: date

    @classmethod
    def from_model(cls, rec: m.DisclosureRecord) -> DisclosureRecord:
        return cls(
            id=encode_id("DisclosureRecord", rec.id),
            scope=rec.scope,
            timing=rec.timing,
            channel=rec.channel,
            content=rec.content,
            disclosed_on=rec.disclosed_on,
        )


@strawberry.type(description="附7 权力动态运行情况: one exercise of a power, 决策 → 执行 → 结果.")
class OperationRecord(Node):
    network: Network = strawberry.field(description="七大网络")
    subject: str = strawberry.field(description="办理事项")
    applicant_name: strawberry.Private[str]
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
    def from_model(cls, rec: m.OperationRecord) -> OperationRecord:
        return cls(
            id=encode_id("OperationRecord", rec.id),
            network=rec.network,
            subject=rec.subject,
            applicant_name=rec.applicant,
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

    @strawberry.field(description="当事人; personal data, withheld from callers without a token")
    def applicant(self, info: Info) -> str | None:
        return None if info.context.viewer.role == Role.PUBLIC else self.applicant_name
