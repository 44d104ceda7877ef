"""openPowerRevision, discardPowerRevision, repointPowerBases: 动态管理 of published powers
(domain.revisions, domain.repoint). A revision's draft is edited with the ordinary mutations and
declared, submitted and decided like any power; the decision settles the revision."""

from __future__ import annotations

from typing import Annotated

import strawberry

from domain import repoint, revisions
from domain.errors import DomainError
from schema.catalogue.power import Power
from schema.context import Info
from schema.enums import ReviewDecision
from schema.mutation_base import optional_pk, pk
from schema.workflow.reviews_mutations import Refusal, refused, workflow_result
from schema.workflow.revisions import PowerRevision

PowerRevisionResult = workflow_result("PowerRevisionResult", PowerRevision)
StepError = Annotated[Refusal, strawberry.union("StepError")]


@strawberry.type(description="改引 of one power's bases to the new version of a law, on a revision for review.")
class RepointedPower:
    power: Power
    revision: PowerRevision | None = strawberry.field(description="the revision holding the re-pointed bases")
    repointed: int = strawberry.field(description="bases now citing the new version")
    unmatched: list[str] = strawberry.field(description="cited articles the new version no longer has: for the unit to replace")
    error: StepError | None = strawberry.field(description="why this power was left as it was")


@strawberry.type(description="What repointPowerBases did, power by power (by code).")
class RepointedBases:
    powers: list[RepointedPower]


RepointBasesResult = workflow_result("RepointBasesResult", RepointedBases)


@strawberry.input(description="提出修订 of a published (or approved) power; with `withdrawal`, 提出废止 / 剔除.")
class OpenPowerRevisionInput:
    reason: str = strawberry.field(description="修订理由: the 变更说明 the approval will put on record")
    withdrawal: ReviewDecision | None = strawberry.field(
        default=None, description="ABOLISH or REMOVE to propose withdrawing the power; null for a change"
    )


@strawberry.type
class RevisionMutations:
    @strawberry.mutation(
        description="Open a revision of a PUBLISHED or APPROVED power (its unit's staff or an admin): a DRAFT copy to "
        "edit, declare and submit; the public keeps the published version until the revision is approved."
    )
    async def open_power_revision(
        self, info: Info, power_id: strawberry.ID, input: OpenPowerRevisionInput
    ) -> PowerRevisionResult:
        try:
            revision = await revisions.open_revision(
                info.context.viewer, pk(power_id, "Power", "powerId"), input.reason, input.withdrawal  # type: ignore[arg-type]
            )
        except DomainError as exc:
            return refused(exc)
        return PowerRevision.from_model(revision)

    @strawberry.mutation(description="The unit withdraws its open revision before declaring it; the draft is deleted.")
    async def discard_power_revision(self, info: Info, id: strawberry.ID) -> PowerRevisionResult:
        try:
            revision = await revisions.discard_revision(info.context.viewer, pk(id, "PowerRevision"))
        except DomainError as exc:
            return refused(exc)
        return PowerRevision.from_model(revision)

    @strawberry.mutation(
        description="改引新版本: re-point the bases of published powers citing older versions of a law to the matching "
        "articles of `documentId` (a newer version), each power on a revision for review; for a unit (its staff) or "
        "the whole county (an admin, without unitId)."
    )
    async def repoint_power_bases(
        self, info: Info, document_id: strawberry.ID, unit_id: strawberry.ID | None = None
    ) -> RepointBasesResult:
        try:
            results = await repoint.repoint_bases(
                info.context.viewer, pk(document_id, "LegalDocument", "documentId"), optional_pk(unit_id, "Unit", "unitId")
            )
        except DomainError as exc:
            return refused(exc)
        return RepointedBases(
            powers=[
                RepointedPower(
                    power=Power.from_model(r.power),
                    revision=PowerRevision.from_model(r.revision) if r.revision else None,
                    repointed=r.repointed,
                    unmatched=r.unmatched,
                    error=refused(r.error) if r.error else None,
                )
                for r in results
            ]
        )
