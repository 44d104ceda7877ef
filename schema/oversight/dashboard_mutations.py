"""The programme's dashboard as a mutation: setStageDeadline (admins). The dashboards themselves and the audit
trail are in schema.oversight.dashboard."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from domain.errors import DomainError
from domain.statistics import set_stage_deadline
from schema.context import Info
from schema.enums import ProgrammeStage
from schema.errors import MutationError, error_result
from schema.oversight.dashboard import StageDeadline


@strawberry.type
class DashboardMutations:
    @strawberry.mutation(description="Set the county's deadline of a stage (admin)")
    async def set_stage_deadline(
        self, info: Info, stage: ProgrammeStage, deadline: date
    ) -> Annotated[StageDeadline | MutationError, strawberry.union("SetStageDeadlineResult")]:
        try:
            row = await set_stage_deadline(info.context.viewer, stage, deadline)
        except DomainError as exc:
            return error_result(exc)
        return StageDeadline(stage=row.stage, deadline=row.deadline)
