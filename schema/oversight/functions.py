"""三定 functions (职能) and the 四个对应 report (职权—依据—主体—职能): types and queries. Never public: a unit's
staff (or of a unit above it) and the oversight roles (domain.functions). The mutations are in
functions_mutations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from domain import access
from domain import functions as rules
from domain import oversight_models as om
from resolvers.ids import decode_id
from schema.catalogue.unit import Unit
from schema.context import Info
from schema.node import Node
from schema.relay import encode_id

if TYPE_CHECKING:
    from schema.catalogue.power import Power

LazyPower = Annotated["Power", strawberry.lazy("schema.catalogue.power")]


def _power(p: object) -> Power:
    from schema.catalogue.power import Power

    return Power.from_model(p)  # type: ignore[arg-type]


@strawberry.type(description="一项三定职能: a function a unit's 三定方案 gives it. Its unit's staff and oversight roles only.")
class UnitFunction(Node):
    db_id: strawberry.Private[int]
    unit_id: strawberry.Private[int]
    ordinal: int = strawberry.field(description="序号 in the 三定方案")
    title: str = strawberry.field(description="职能")
    description: str = strawberry.field(description="具体内容")
    source: str = strawberry.field(description="三定方案 (文号)")

    @classmethod
    def from_model(cls, f: om.UnitFunction) -> UnitFunction:
        return cls(id=encode_id("UnitFunction", f.id), db_id=f.id, unit_id=f.unit_id, ordinal=f.ordinal, title=f.title,
                   description=f.description, source=f.source)  # fmt: skip

    @strawberry.field(description="the unit whose 三定方案 gives it")
    async def unit(self, info: Info) -> Unit:
        unit = await info.context.loaders.unit_by_id.load(self.unit_id)
        assert unit is not None  # a unit with functions cannot be deleted
        return Unit.from_model(unit)

    @strawberry.field(description="the live powers that carry it out, of those the caller may see")
    async def powers(self, info: Info) -> list[LazyPower]:
        return [_power(p) for p in await info.context.loaders.carriers_by_function_id.load(self.db_id)]


@strawberry.type(description="四个对应 of one power: 职权—依据—主体—职能.")
class CorrespondenceRow:
    row: strawberry.Private[rules.CorrespondenceRow]

    @strawberry.field
    def power(self) -> LazyPower:
        return _power(self.row.power)

    @strawberry.field(description="职权依据, as citations")
    def bases(self) -> list[str]:
        return self.row.bases

    @strawberry.field(description="职权—依据: a basis in force, none ended or not yet in force")
    def basis_in_force(self) -> bool:
        return self.row.basis_in_force

    @strawberry.field(description="职权—主体: no other unit claims the same power (职责不清)")
    def subject_clear(self) -> bool:
        return self.row.subject_clear

    @strawberry.field(description="职权—职能: the functions it carries out (none: 越权 or not yet linked)")
    def functions(self) -> list[UnitFunction]:
        return [UnitFunction.from_model(f) for f in self.row.functions]

    @strawberry.field(description="all four correspond")
    def corresponds(self) -> bool:
        return self.row.corresponds

    @strawberry.field(description="what is wrong with the basis or the subject, as the pre-review check says it")
    def findings(self) -> list[str]:
        return [f.message for f in self.row.findings]


@strawberry.type(description="四个对应 of a unit and its offices (不遗漏、不越权), over the live powers the caller may see.")
class CorrespondenceReport:
    report: strawberry.Private[rules.CorrespondenceReport]

    @strawberry.field
    def unit(self) -> Unit:
        return Unit.from_model(self.report.unit)

    @strawberry.field(description="the functions of the unit and its offices, by unit and number")
    def functions(self) -> list[UnitFunction]:
        return [UnitFunction.from_model(f) for f in self.report.functions]

    @strawberry.field(description="one row per live power, by code")
    def rows(self) -> list[CorrespondenceRow]:
        return [CorrespondenceRow(row=r) for r in self.report.rows]

    @strawberry.field(description="不遗漏: functions no power carries out")
    def functions_without_power(self) -> list[UnitFunction]:
        return [UnitFunction.from_model(f) for f in self.report.functions_without_power]

    @strawberry.field(description="不越权: powers that carry out no function")
    def powers_without_function(self) -> list[LazyPower]:
        return [_power(p) for p in self.report.powers_without_function]

    @strawberry.field(description="powers without a basis in force, or with one ended or not yet in force")
    def powers_with_basis_not_in_force(self) -> list[CorrespondenceRow]:
        return [CorrespondenceRow(row=r) for r in self.report.powers_basis_not_in_force]

    @strawberry.field(description="every function carried and every power corresponding in all four")
    def complete(self) -> bool:
        return self.report.complete


@strawberry.type
class FunctionQuery:
    @strawberry.field(description="三定 functions of a unit and its offices (its staff and oversight roles)")
    async def unit_functions(self, info: Info, unit_id: strawberry.ID) -> list[UnitFunction]:
        found = await rules.functions_of(info.context.viewer, decode_id(unit_id, "Unit", field="unitId"))
        return [UnitFunction.from_model(f) for f in found]

    @strawberry.field(description="四个对应 of a unit (its staff and oversight roles); the Word table is generateFiling(form: FUNCTIONS)")
    async def four_correspondences(self, info: Info, unit_id: strawberry.ID) -> CorrespondenceReport:
        report = await rules.correspondence(info.context.viewer, decode_id(unit_id, "Unit", field="unitId"))
        return CorrespondenceReport(report=report)


async def function_node(info: Info, pk: int) -> UnitFunction | None:
    found = await om.UnitFunction.get_or_none(id=pk)
    if found is None or not access.oversees_unit(info.context.viewer, found.unit_id):
        return None
    return UnitFunction.from_model(found)
