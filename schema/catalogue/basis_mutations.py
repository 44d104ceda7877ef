"""createPowerBasis, updatePowerBasis, deletePowerBasis: the articles a power rests on (职权依据)."""

from __future__ import annotations

import strawberry

from domain.errors import DomainError
from domain.services import bases
from schema.catalogue.power import PowerBasis
from schema.context import Info
from schema.mutation_base import Deleted, failure, given, pk, result

CreatePowerBasisResult = result("CreatePowerBasisResult", PowerBasis)
UpdatePowerBasisResult = result("UpdatePowerBasisResult", PowerBasis)
DeletePowerBasisResult = result("DeletePowerBasisResult", Deleted)


@strawberry.input(description="Cite an article as a basis of a power.")
class CreatePowerBasisInput:
    power_id: strawberry.ID
    article_id: strawberry.ID = strawberry.field(description="the LegalArticle cited")
    ordinal: int | None = strawberry.field(
        default=None, description="1-based place; left out, the basis goes in its place by legal rank (法律 > 行政法规 > …)"
    )
    note: str = ""


@strawberry.input(description="Changes to a basis; a new article without an ordinal moves to its place by rank.")
class UpdatePowerBasisInput:
    article_id: strawberry.ID | None = strawberry.UNSET
    ordinal: int | None = strawberry.UNSET
    note: str | None = strawberry.UNSET


@strawberry.type
class BasisMutations:
    @strawberry.mutation(description="Cite an article as a basis of a power; one article once per power.")
    async def create_power_basis(self, info: Info, input: CreatePowerBasisInput) -> CreatePowerBasisResult:
        try:
            data = bases.BasisData(
                power_id=pk(input.power_id, "Power", "powerId"),
                article_id=pk(input.article_id, "LegalArticle", "articleId"),
                ordinal=input.ordinal,
                note=input.note,
            )
            basis = await bases.create_basis(info.context.viewer, data)
        except DomainError as exc:
            return failure(exc)
        return PowerBasis.from_model(basis)

    @strawberry.mutation(description="Change a basis's note, article or place.")
    async def update_power_basis(
        self, info: Info, id: strawberry.ID, input: UpdatePowerBasisInput
    ) -> UpdatePowerBasisResult:
        try:
            changes = given(input, ids={"article_id": "LegalArticle"})
            basis = await bases.update_basis(info.context.viewer, pk(id, "PowerBasis"), changes)  # type: ignore[arg-type]
        except DomainError as exc:
            return failure(exc)
        return PowerBasis.from_model(basis)

    @strawberry.mutation(description="Remove a basis; the others close ranks.")
    async def delete_power_basis(self, info: Info, id: strawberry.ID) -> DeletePowerBasisResult:
        try:
            basis_id = pk(id, "PowerBasis")
            await bases.delete_basis(info.context.viewer, basis_id)
        except DomainError as exc:
            return failure(exc)
        return Deleted.of("PowerBasis", basis_id)
