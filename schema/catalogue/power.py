"""Power (职权) with its bases, exercise rules, flow chart and records; the catalogue's entry points `units`,
`powers`, `power` and `unit`. Their mutations are in power_mutations and basis_mutations."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry
from graphql import FieldNode, FragmentDefinitionNode

from domain import access
from domain import models as m
from domain.cases import appliable
from resolvers.keyset import PageArgs
from resolvers.power import powers_page
from resolvers.prefetch import joins_below, now_or_later, prefetch_below_connection, prefetch_connection
from resolvers.unit import units_page
from schema.catalogue.flow import FlowChart
from schema.catalogue.unit import Unit, UnitFilter
from schema.context import Context, Info
from schema.enums import (
    DisclosureScope,
    DisclosureTiming,
    ExerciseMode,
    Network,
    OrderDirection,
    PowerCategory,
    PowerStatus,
)
from schema.library.legal import LegalArticle
from schema.node import BEFORE, LAST, Node, of_row, to_connection
from schema.oversight.records import DisclosureRecord, OperationRecord
from schema.relay import Connection, encode_id
from schema.workflow.reviews import ChangeNotice, Review, load_power

if TYPE_CHECKING:
    from schema.oversight.functions import UnitFunction
    from schema.workflow.revisions import PowerRevision, PowerVersion


@strawberry.type(description="行使规则: disclosure, fees and time limits.")
class ExerciseRules:
    disclosure_scope: DisclosureScope = strawberry.field(description="公开范围")
    disclosure_form: str = strawberry.field(description="公开形式")
    disclosure_timing: DisclosureTiming = strawberry.field(description="公开时限 (长期 / 及时)")
    disclosure_deadline: str = strawberry.field(description="公开时限说明")
    fee_basis: str = strawberry.field(description="收费依据")
    fee_standard: str = strawberry.field(description="收费标准")
    time_limit: str = strawberry.field(description="办理时限")
    time_limit_days: int | None = strawberry.field(description="办理时限 (工作日)")


@strawberry.type(description="涉密不宜公开: shown only to callers who may see confidential powers.")
class Confidentiality:
    confidential: bool
    reason: str = strawberry.field(description="不宜公开的理由")
    basis: str = strawberry.field(description="保密依据")


@strawberry.type(description="职权依据: one article a power rests on.")
class PowerBasis(Node):
    article_id: strawberry.Private[int]
    power_id: strawberry.Private[int]
    ordinal: int = strawberry.field(description="order, from the highest legal rank down")
    note: str

    @classmethod
    def from_model(cls, basis: m.PowerBasis) -> PowerBasis:
        return of_row(cls, basis, id=encode_id("PowerBasis", basis.id))

    @strawberry.field
    def article(self, info: Info) -> LegalArticle:
        # cited articles cannot be deleted: it is there
        return now_or_later(info.context.loaders.article_by_id, self.article_id, LegalArticle.from_model)

    @strawberry.field(description="the power resting on this basis (null if hidden from the caller)")
    async def power(self, info: Info) -> Power | None:
        return await load_power(info, self.power_id)


@strawberry.type(description="职权: one administrative power held by a unit.")
class Power(Node):
    db_id: strawberry.Private[int]
    unit_id: strawberry.Private[int]
    model: strawberry.Private[m.Power]
    code: str = strawberry.field(description="职权编码, e.g. 36072300XK-0001")
    name: str = strawberry.field(description="职权全称")
    category: PowerCategory
    exercise_mode: ExerciseMode
    status: PowerStatus
    description: str
    online: bool = strawberry.field(description="可网上办理: marked by the unit as taking applications online")
    created_at: datetime
    updated_at: datetime

    @strawberry.field(
        description="在线申请: whether a resident may apply for it online (published, public, of 许可/给付/确认/奖励/裁决 "
        "or marked 可网上办理; applyOnline)"
    )
    def accepts_applications(self) -> bool:
        return appliable(self.model)

    @classmethod
    def from_model(cls, power: m.Power) -> Power:
        return of_row(cls, power, id=encode_id("Power", power.id), db_id=power.id, model=power)

    @strawberry.field(description="实施主体")
    def unit(self, info: Info) -> Unit:
        # a unit with powers cannot be deleted: it is there
        return now_or_later(info.context.loaders.unit_by_id, self.unit_id, Unit.from_model)

    @strawberry.field(description="职权依据, from the highest legal rank down")
    def bases(self, info: Info) -> list[PowerBasis]:
        return now_or_later(
            info.context.loaders.bases_by_power_id, self.db_id, lambda bs: [PowerBasis.from_model(b) for b in bs]
        )

    @strawberry.field(description="行使规则")
    def rules(self) -> ExerciseRules:
        return of_row(ExerciseRules, self.model)  # its fields are the power's columns of the same names

    @strawberry.field(description="涉密不宜公开")
    def confidentiality(self) -> Confidentiality:
        p = self.model
        return Confidentiality(
            confidential=p.confidential, reason=p.confidentiality_reason, basis=p.confidentiality_basis
        )

    @strawberry.field(description="一图: the flow chart")
    def flow_chart(self, info: Info) -> FlowChart | None:
        return now_or_later(
            info.context.loaders.flow_chart_by_power_id, self.db_id, lambda c: FlowChart.from_model(c) if c else None
        )

    @strawberry.field(description="公开记录 the caller may see, newest first")
    def disclosure_records(self, info: Info) -> list[DisclosureRecord]:
        return now_or_later(
            info.context.loaders.disclosure_records_by_power_id,
            self.db_id,
            lambda rs: [DisclosureRecord.from_model(r, self.unit_id) for r in rs],
        )

    @strawberry.field(description="权力运行记录 (附7) the caller may see, newest first")
    def operation_records(self, info: Info) -> list[OperationRecord]:
        return now_or_later(
            info.context.loaders.operation_records_by_power_id,
            self.db_id,
            lambda rs: [OperationRecord.from_model(r, self.unit_id) for r in rs],
        )

    @strawberry.field(description="清理审核 rounds, oldest first; empty for callers outside the unit and the reviewers")
    async def reviews(self, info: Info) -> list[Review]:
        return [Review.from_model(r) for r in await info.context.loaders.reviews_by_power_id.load(self.db_id)]

    @strawberry.field(description="变更说明, newest first; empty for callers outside the unit and the reviewers")
    async def change_notices(self, info: Info) -> list[ChangeNotice]:
        return [ChangeNotice.from_model(n) for n in await info.context.loaders.change_notices_by_power_id.load(self.db_id)]

    @strawberry.field(
        description="三定职能 it carries out (四个对应): null for callers who may not see its unit's functions (its staff and oversight roles do)"
    )
    async def functions(self, info: Info) -> list[Annotated[UnitFunction, strawberry.lazy("schema.oversight.functions")]] | None:
        from schema.oversight.functions import UnitFunction

        if not access.oversees_unit(info.context.viewer, self.unit_id):
            return None
        return [UnitFunction.from_model(f) for f in await info.context.loaders.functions_by_power_id.load(self.db_id)]

    @strawberry.field(description="公开版本: every published version the caller may read, oldest first (动态管理)")
    async def versions(self, info: Info) -> list[Annotated[PowerVersion, strawberry.lazy("schema.workflow.revisions")]]:
        from schema.workflow.revisions import power_versions

        return await power_versions(info, self.db_id)

    @strawberry.field(description="修订 of this power, oldest first; empty for callers outside the unit and the reviewers")
    async def revisions(self, info: Info) -> list[Annotated[PowerRevision, strawberry.lazy("schema.workflow.revisions")]]:
        from schema.workflow.revisions import power_revisions

        return await power_revisions(info, self.db_id)

    @strawberry.field(description="the revision this power is the working copy of (a DRAFT coded <code>.R<n>), if it is one")
    async def revision_of(self, info: Info) -> Annotated[PowerRevision, strawberry.lazy("schema.workflow.revisions")] | None:
        from schema.workflow.revisions import draft_revision

        return await draft_revision(info, self.db_id)


@strawberry.input(description="Filters of `powers`; all given conditions must hold.")
class PowerFilter:
    unit_id: strawberry.ID | None = strawberry.field(default=None, description="a unit; its offices included")
    category: PowerCategory | None = None
    categories: list[PowerCategory] | None = None
    status: PowerStatus | None = None
    statuses: list[PowerStatus] | None = None
    exercise_mode: ExerciseMode | None = None
    name_contains: str | None = None
    code: str | None = None
    position_id: strawberry.ID | None = strawberry.field(
        default=None, description="powers whose flow chart has a step this post (岗位) holds"
    )
    network: Network | None = strawberry.field(default=None, description="七大网络: the powers that run in this network")


@strawberry.enum
class PowerOrderField(Enum):
    CODE = "code"
    NAME = "name"
    CATEGORY = "category"
    UPDATED_AT = "updated_at"


@strawberry.input
class PowerOrder:
    field: PowerOrderField = PowerOrderField.CODE
    direction: OrderDirection = OrderDirection.ASC


async def powers_connection(
    context: Context,
    args: PageArgs,
    filter: PowerFilter | None,
    order_by: PowerOrder | None,
    field_nodes: Sequence[FieldNode],
    fragments: Mapping[str, FragmentDefinitionNode],
) -> Connection[Power]:
    """`powers`: a page of the powers the viewer may see, the levels below the connection's `field_nodes`
    loaded ahead (resolvers/prefetch.py), the powers' units and charts in the page's statement. Its resolver
    and its plan (schema/compiled.py) both answer by it."""
    loaders = context.loaders
    joined = joins_below(loaders, "Power", m.Power, field_nodes, fragments)
    # (a plan reads this on one connection, domain.db.one_connection; the normal execution may not: see there)
    page = await powers_page(
        context.viewer, context.settings, loaders, args=args, filter=filter, order_by=order_by, joined=joined
    )
    await prefetch_below_connection(loaders, "Power", page.items, field_nodes, fragments)
    return to_connection(page, Power.from_model)


@strawberry.type
class UnitsAndPowersQuery:
    # the catalogue's entry points: units, powers, power, unit (one class: the root Query keeps this order)
    @strawberry.field(description="单位 (the whole county tree is public)")
    async def units(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: LAST = None,
        before: BEFORE = None,
        filter: UnitFilter | None = None,
    ) -> Connection[Unit]:
        args = PageArgs(first, after, last, before)
        page = await units_page(info.context.settings, args=args, filter=filter)
        await prefetch_connection(info, "Unit", page.items)
        return to_connection(page, Unit.from_model)

    @strawberry.field(description="职权 the caller may see; totalCount counts only those")
    async def powers(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: LAST = None,
        before: BEFORE = None,
        filter: PowerFilter | None = None,
        order_by: PowerOrder | None = None,
    ) -> Connection[Power]:
        raw = info._raw_info
        return await powers_connection(
            info.context, PageArgs(first, after, last, before), filter, order_by, raw.field_nodes, raw.fragments
        )

    @strawberry.field(description="one power by its code (职权编码), if the caller may see it")
    async def power(self, info: Info, code: str) -> Power | None:
        found = await m.Power.filter(access.power_q(info.context.viewer), code=code.strip()).first()
        return Power.from_model(found) if found else None

    @strawberry.field(description="one unit by its code")
    async def unit(self, code: str) -> Unit | None:
        found = await m.Unit.get_or_none(code=code.strip())
        return Unit.from_model(found) if found else None
