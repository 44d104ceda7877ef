"""The root Query: node, units, powers, legalDocuments, viewer."""

from __future__ import annotations

from enum import Enum

import strawberry

from domain import access
from domain import models as m
from domain import workflow_models as wm
from resolvers.ids import parse_id
from resolvers.legal import legal_documents_page
from resolvers.power import powers_page
from resolvers.prefetch import prefetch_connection
from resolvers.unit import units_page
from schema import comment_periods
from schema.catalog import CatalogQuery
from schema.comment_periods import CommentPeriodQuery
from schema.context import Info
from schema.dashboard import DashboardQuery
from schema.enums import LegalLevel, LegalSource, LegalStatus, OrderDirection, Role, UnitKind
from schema.flow import FlowChart, FlowEdge, FlowStep
from schema.information_requests import InformationRequestQuery, information_request_node
from schema.leading_group import LeadingGroupQuery
from schema.legal import LegalArticle, LegalDocument
from schema.node import Node, page_args, to_connection
from schema.oversight import Complaint, Inspection, OperationStep, OversightQuery
from schema.power import Power, PowerBasis, PowerFilter, PowerOrder
from schema.records import DisclosureRecord, OperationRecord
from schema.relay import Connection
from schema.revisions import RevisionQuery, revision_node, version_node
from schema.search import SearchQuery
from schema.thesaurus import ThesaurusQuery
from schema.tokens import TokenQuery
from schema.unit import Position, Unit
from schema.webhooks import WebhookQuery
from schema.workflow import ChangeNotice, Review, WorkflowQuery


@strawberry.input(description="Filters of `units`.")
class UnitFilter:
    parent_id: strawberry.ID | None = strawberry.field(default=None, description="direct children of this unit")
    roots_only: bool = strawberry.field(default=False, description="only units without a parent")
    kind: UnitKind | None = None
    kinds: list[UnitKind] | None = None
    name_contains: str | None = None
    code: str | None = None


@strawberry.input(description="Filters of `legalDocuments`.")
class LegalDocumentFilter:
    title_contains: str | None = None
    level: LegalLevel | None = None
    levels: list[LegalLevel] | None = None
    status: LegalStatus | None = None
    statuses: list[LegalStatus] | None = None
    source: LegalSource | None = None


@strawberry.enum
class LegalDocumentOrderField(Enum):
    TITLE = "title"
    LEVEL = "level"
    VERSION_DATE = "version_date"
    EFFECTIVE_DATE = "effective_date"


@strawberry.input
class LegalDocumentOrder:
    field: LegalDocumentOrderField = LegalDocumentOrderField.TITLE
    direction: OrderDirection = OrderDirection.ASC


@strawberry.type(description="Who the caller is, as the API sees them.")
class Viewer:
    role: Role
    name: str
    unit_db_id: strawberry.Private[int | None]

    @strawberry.field(description="the unit a UNIT_STAFF / UNIT_LEAD token is scoped to")
    async def unit(self, info: Info) -> Unit | None:
        if self.unit_db_id is None:
            return None
        unit = await info.context.loaders.unit_by_id.load(self.unit_db_id)
        return Unit.from_model(unit) if unit else None


async def _node(info: Info, type_name: str, pk: int) -> Node | None:
    """One object by type and pk, through the same visibility rules as the lists."""
    ctx = info.context
    viewer = ctx.viewer
    loaders = ctx.loaders
    if type_name == "Unit":
        unit = await loaders.unit_by_id.load(pk)
        return Unit.from_model(unit) if unit else None
    if type_name == "Position":
        position = await loaders.position_by_id.load(pk)
        return Position.from_model(position) if position else None
    if type_name == "Power":
        power = await loaders.power_by_id.load(pk)
        return Power.from_model(power) if power else None
    if type_name == "LegalDocument":
        doc = await loaders.document_by_id.load(pk)
        return LegalDocument.from_model(doc) if doc else None
    if type_name == "LegalArticle":
        article = await loaders.article_by_id.load(pk)
        return LegalArticle.from_model(article) if article else None
    if type_name == "FlowChart":
        chart = await m.FlowChart.filter(access.power_q(viewer, "power__"), id=pk).first()
        return FlowChart.from_model(chart) if chart else None
    if type_name == "FlowStep":
        step = await m.FlowStep.filter(access.power_q(viewer, "chart__power__"), id=pk).first()
        return FlowStep.from_model(step) if step else None
    if type_name == "FlowEdge":
        edge = await m.FlowEdge.filter(access.power_q(viewer, "chart__power__"), id=pk).first()
        return FlowEdge.from_model(edge) if edge else None
    if type_name == "PowerBasis":
        basis = await m.PowerBasis.filter(access.power_q(viewer, "power__"), id=pk).first()
        return PowerBasis.from_model(basis) if basis else None
    if type_name == "DisclosureRecord":
        rec = await m.DisclosureRecord.filter(access.record_q(viewer), id=pk).select_related("power", "operation").first()
        return DisclosureRecord.from_model(rec, rec.power.unit_id) if rec else None
    if type_name == "OperationRecord":
        op = await m.OperationRecord.filter(access.record_q(viewer), id=pk).select_related("power").first()
        return OperationRecord.from_model(op, op.power.unit_id) if op else None
    if type_name == "OperationStep":
        step = await wm.OperationStep.filter(access.record_q(viewer, "operation__"), id=pk).select_related("operation__power").first()
        if step is None:
            return None
        return OperationStep.from_model(step, await ctx.calendar(), step.operation.applicant, step.operation.power.unit_id)
    if type_name == "Review":
        review = await wm.Review.filter(access.internal_q(viewer), id=pk).first()
        return Review.from_model(review) if review else None
    if type_name == "ChangeNotice":
        notice = await wm.ChangeNotice.filter(access.internal_q(viewer), id=pk).first()
        return ChangeNotice.from_model(notice) if notice else None
    if type_name == "PowerRevision":
        return await revision_node(info, pk)
    if type_name == "PowerVersion":
        return await version_node(info, pk)
    if type_name == "InformationRequest":
        return await information_request_node(info, pk)
    if type_name in comment_periods.NODE_TYPES:
        return await comment_periods.node(info, type_name, pk)
    if type_name in ("Complaint", "Inspection"):
        model, node = (wm.Complaint, Complaint) if type_name == "Complaint" else (wm.Inspection, Inspection)
        found = await model.filter(access.internal_q(viewer, ""), id=pk).first()
        return node.from_model(found) if found else None  # type: ignore[attr-defined]
    return None


@strawberry.type
class Query(SearchQuery, WorkflowQuery, RevisionQuery, OversightQuery, DashboardQuery, TokenQuery, CatalogQuery, WebhookQuery, ThesaurusQuery, LeadingGroupQuery, CommentPeriodQuery, InformationRequestQuery):
    @strawberry.field(description="Any object by its global id; null when it does not exist or is hidden from the caller.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        parsed = parse_id(id)
        return await _node(info, *parsed) if parsed else None

    @strawberry.field(description="单位 (the whole county tree is public)")
    async def units(
        self, info: Info, first: int | None = None, after: str | None = None, filter: UnitFilter | None = None
    ) -> Connection[Unit]:
        limit, offset = page_args(first, after)
        page = await units_page(info.context.settings, first=limit, offset=offset, filter=filter)
        await prefetch_connection(info, "Unit", page.items)
        return to_connection(page, Unit.from_model)

    @strawberry.field(description="职权 the caller may see; totalCount counts only those")
    async def powers(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: PowerFilter | None = None,
        order_by: PowerOrder | None = None,
    ) -> Connection[Power]:
        limit, offset = page_args(first, after)
        ctx = info.context
        page = await powers_page(
            ctx.viewer, ctx.settings, ctx.loaders, first=limit, offset=offset, filter=filter, order_by=order_by
        )
        await prefetch_connection(info, "Power", page.items)
        return to_connection(page, Power.from_model)

    @strawberry.field(description="one power by its code (职权编码), if the caller may see it")
    async def power(self, info: Info, code: str) -> Power | None:
        found = await m.Power.filter(access.power_q(info.context.viewer), code=code.strip()).first()
        return Power.from_model(found) if found else None

    @strawberry.field(description="one unit by its code")
    async def unit(self, code: str) -> Unit | None:
        found = await m.Unit.get_or_none(code=code.strip())
        return Unit.from_model(found) if found else None

    @strawberry.field(description="法律法规及规范性文件 (each version is one document)")
    async def legal_documents(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: LegalDocumentFilter | None = None,
        order_by: LegalDocumentOrder | None = None,
    ) -> Connection[LegalDocument]:
        limit, offset = page_args(first, after)
        page = await legal_documents_page(
            info.context.settings, first=limit, offset=offset, filter=filter, order_by=order_by
        )
        return to_connection(page, LegalDocument.from_model)

    @strawberry.field(description="the caller")
    def viewer(self, info: Info) -> Viewer:
        v = info.context.viewer
        return Viewer(role=v.role, name=v.name, unit_db_id=v.unit_id)
