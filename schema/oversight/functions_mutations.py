"""三定 functions as mutations: createUnitFunction, updateUnitFunction, deleteUnitFunction,
importUnitFunctions (a sheet), setPowerFunctions. A unit's staff or an admin; the types are in
schema.oversight.functions."""

from __future__ import annotations

import strawberry
from strawberry.file_uploads import Upload

from domain import function_sheets, functions
from domain import models as m
from domain.errors import DomainError
from schema.catalogue.power import Power
from schema.context import Info
from schema.mutation_base import Deleted, failure, given, pk, result
from schema.oversight.functions import UnitFunction

CreateUnitFunctionResult = result("CreateUnitFunctionResult", UnitFunction)
UpdateUnitFunctionResult = result("UpdateUnitFunctionResult", UnitFunction)
DeleteUnitFunctionResult = result("DeleteUnitFunctionResult", Deleted)
SetPowerFunctionsResult = result("SetPowerFunctionsResult", Power)


@strawberry.input(description="A function of a unit's 三定方案; its number is the next one when left out.")
class CreateUnitFunctionInput:
    unit_id: strawberry.ID
    title: str = strawberry.field(description="职能, up to 500 characters")
    description: str = strawberry.field(default="", description="具体内容")
    source: str = strawberry.field(default="", description="三定方案 (文号)")
    ordinal: int | None = strawberry.field(default=None, description="序号 (1..9999), unique in the unit")


@strawberry.input(description="Changes to a function; fields left out stay as they are.")
class UpdateUnitFunctionInput:
    title: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    source: str | None = strawberry.UNSET
    ordinal: int | None = strawberry.UNSET


@strawberry.type(description="What an import of 三定 functions did (or, with dryRun, would do).")
class UnitFunctionImport:
    created: int = strawberry.field(description="functions read from the sheet")
    replaced: int = strawberry.field(description="functions removed first (replace: true)")
    dry_run: bool
    functions: list[UnitFunction] = strawberry.field(description="the unit's functions now (unchanged on a dry run)")


ImportUnitFunctionsResult = result("ImportUnitFunctionsResult", UnitFunctionImport)


@strawberry.type
class FunctionMutations:
    @strawberry.mutation(description="Add a 三定 function to a unit (its staff or an admin).")
    async def create_unit_function(self, info: Info, input: CreateUnitFunctionInput) -> CreateUnitFunctionResult:
        try:
            data = functions.FunctionData(
                unit_id=pk(input.unit_id, "Unit", "unitId"), title=input.title, description=input.description,
                source=input.source, ordinal=input.ordinal,
            )  # fmt: skip
            return UnitFunction.from_model(await functions.create_function(info.context.viewer, data))
        except DomainError as exc:
            return failure(exc)

    @strawberry.mutation(description="Change a 三定 function (its unit's staff or an admin).")
    async def update_unit_function(
        self, info: Info, id: strawberry.ID, input: UpdateUnitFunctionInput
    ) -> UpdateUnitFunctionResult:
        try:
            changed = await functions.update_function(info.context.viewer, pk(id, "UnitFunction"), given(input))
            return UnitFunction.from_model(changed)
        except DomainError as exc:
            return failure(exc)

    @strawberry.mutation(description="Remove a 三定 function; powers naming it no longer do (its unit's staff or an admin).")
    async def delete_unit_function(self, info: Info, id: strawberry.ID) -> DeleteUnitFunctionResult:
        try:
            function_id = pk(id, "UnitFunction")
            await functions.delete_function(info.context.viewer, function_id)
        except DomainError as exc:
            return failure(exc)
        return Deleted.of("UnitFunction", function_id)

    @strawberry.mutation(
        description="Import a unit's 三定 functions from a sheet (.xlsx, .csv) with a 职能 column (序号, 具体内容 and 三定方案 "
        "optional): all rows or none; `replace` removes the unit's functions first; dryRun writes nothing"
    )
    async def import_unit_functions(
        self, info: Info, unit_id: strawberry.ID, file: Upload, replace: bool = False, dry_run: bool = False
    ) -> ImportUnitFunctionsResult:
        try:
            unit = pk(unit_id, "Unit", "unitId")
            data = await file.read(function_sheets.MAX_FILE_BYTES + 1)  # one byte over the limit is enough to refuse it
            done = await function_sheets.import_functions(
                info.context.viewer, unit, file.filename or "", data, replace=replace, dry_run=dry_run
            )
            now = await functions.functions_of(info.context.viewer, unit)
        except DomainError as exc:
            return failure(exc)
        return UnitFunctionImport(
            created=done.created, replaced=done.replaced, dry_run=dry_run, functions=[UnitFunction.from_model(f) for f in now]
        )

    @strawberry.mutation(description="The 三定 functions a power carries out, all at once (its unit's or a unit above it; its unit's staff or an admin).")
    async def set_power_functions(
        self, info: Info, power_id: strawberry.ID, function_ids: list[strawberry.ID]
    ) -> SetPowerFunctionsResult:
        try:
            ids = [pk(f, "UnitFunction", f"functionIds.{i}") for i, f in enumerate(function_ids)]
            power = await functions.set_power_functions(info.context.viewer, pk(power_id, "Power", "powerId"), ids)
            return Power.from_model(await m.Power.get(id=power.id))
        except DomainError as exc:
            return failure(exc)
