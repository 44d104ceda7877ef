"""createPower, updatePower, deletePower: a unit's powers (职权), by its staff or an admin."""

from __future__ import annotations

import strawberry

from domain.errors import DomainError
from domain.services import powers
from schema.catalogue.power import Power
from schema.context import Info
from schema.enums import DisclosureScope, DisclosureTiming, ExerciseMode, PowerCategory
from schema.mutation_base import Deleted, as_data, failure, given, pk, result

CreatePowerResult = result("CreatePowerResult", Power)
UpdatePowerResult = result("UpdatePowerResult", Power)
DeletePowerResult = result("DeletePowerResult", Deleted)


@strawberry.input(description="A new power of a unit (清理登记); it starts as DRAFT.")
class CreatePowerInput:
    unit_id: strawberry.ID = strawberry.field(description="实施主体: the unit or office")
    name: str = strawberry.field(description="职权全称 (不得使用简称)")
    category: PowerCategory
    code: str = strawberry.field(
        default="",
        description="职权编码, left out: the next of the unit and category (36072308CF-0001). Only an ADMIN may "
        "give one, exactly the unit's code, the category's letters, '-' and a 4-digit serial",
    )
    exercise_mode: ExerciseMode = ExerciseMode.EXCLUSIVE
    description: str = ""
    confidential: bool = strawberry.field(default=False, description="涉密不宜公开")
    confidentiality_reason: str = strawberry.field(default="", description="不宜公开的理由")
    confidentiality_basis: str = strawberry.field(default="", description="保密依据")
    disclosure_scope: DisclosureScope = DisclosureScope.PUBLIC
    disclosure_form: str = strawberry.field(default="", description="公开形式")
    disclosure_timing: DisclosureTiming = DisclosureTiming.LONG_TERM
    disclosure_deadline: str = strawberry.field(default="", description="公开时限说明")
    fee_basis: str = strawberry.field(default="", description="收费依据")
    fee_standard: str = strawberry.field(default="", description="收费标准")
    time_limit: str = strawberry.field(default="", description="办理时限")
    time_limit_days: int | None = strawberry.field(default=None, description="办理时限 (工作日), 0 to 1000")
    online: bool = strawberry.field(
        default=False, description="可网上办理: residents may apply online even outside the appliable categories"
    )


@strawberry.input(description="Changes to a power; fields left out stay as they are. The unit and status are not edited here.")
class UpdatePowerInput:
    code: str | None = strawberry.field(
        default=strawberry.UNSET, description="职权编码: only an ADMIN changes it; a category change without a new code "
        "gives a code of the new category"
    )
    name: str | None = strawberry.UNSET
    category: PowerCategory | None = strawberry.UNSET
    exercise_mode: ExerciseMode | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    confidential: bool | None = strawberry.UNSET
    confidentiality_reason: str | None = strawberry.UNSET
    confidentiality_basis: str | None = strawberry.UNSET
    disclosure_scope: DisclosureScope | None = strawberry.UNSET
    disclosure_form: str | None = strawberry.UNSET
    disclosure_timing: DisclosureTiming | None = strawberry.UNSET
    disclosure_deadline: str | None = strawberry.UNSET
    fee_basis: str | None = strawberry.UNSET
    fee_standard: str | None = strawberry.UNSET
    time_limit: str | None = strawberry.UNSET
    time_limit_days: int | None = strawberry.UNSET
    online: bool | None = strawberry.UNSET


@strawberry.type
class PowerMutations:
    @strawberry.mutation(description="Register a power of a unit; it starts as DRAFT.")
    async def create_power(self, info: Info, input: CreatePowerInput) -> CreatePowerResult:
        try:
            data = powers.PowerData(**as_data(input, unit_id=pk(input.unit_id, "Unit", "unitId")))
            power = await powers.create_power(info.context.viewer, data)
        except DomainError as exc:
            return failure(exc)
        return Power.from_model(power)

    @strawberry.mutation(description="Change a power's name, code, category, rules or confidentiality.")
    async def update_power(self, info: Info, id: strawberry.ID, input: UpdatePowerInput) -> UpdatePowerResult:
        try:
            power_id = pk(id, "Power")
            power = await powers.update_power(info.context.viewer, power_id, given(input))  # type: ignore[arg-type]
        except DomainError as exc:
            return failure(exc)
        return Power.from_model(power)

    @strawberry.mutation(description="Delete a DRAFT power without records; later ones leave through review (废止 / 剔除).")
    async def delete_power(self, info: Info, id: strawberry.ID) -> DeletePowerResult:
        try:
            power_id = pk(id, "Power")
            await powers.delete_power(info.context.viewer, power_id)
        except DomainError as exc:
            return failure(exc)
        return Deleted.of("Power", power_id)
