"""The root Query, merged from the areas' query classes in schema/<area>/ (schema/README.md), with `node` (any
object by its global id, through each area's visibility rules) and `viewer`."""

from __future__ import annotations

import strawberry

from domain import access
from domain import models as m
from domain import workflow_models as wm
from domain.enums import Role as DomainRole
from domain.library.upload import downloadable_file
from resolvers.ids import parse_id
from schema.admin.live import EventCursorQuery
from schema.admin.tokens import ApiToken, TokenQuery
from schema.admin.webhooks import WebhookQuery, webhook_node
from schema.catalogue import comment_periods
from schema.catalogue.comment_periods import CommentPeriodQuery
from schema.catalogue.exchange import CatalogQuery
from schema.catalogue.flow import FlowChart, FlowEdge, FlowStep
from schema.catalogue.power import Power, PowerBasis, UnitsAndPowersQuery
from schema.catalogue.unit import Position, Unit
from schema.context import Info
from schema.enums import Role
from schema.library.legal import LegalArticle, LegalDocument, LegalDocumentQuery
from schema.library.search import SearchQuery
from schema.library.thesaurus import ThesaurusQuery
from schema.library.upload import StoredFile
from schema.node import Node
from schema.oversight import loop
from schema.oversight.alarms import AlarmQuery, alarm_node
from schema.oversight.cases import CaseQuery, case_node
from schema.oversight.dashboard import DashboardQuery
from schema.oversight.functions import FunctionQuery, function_node
from schema.oversight.information_requests import InformationRequestQuery, information_request_node
from schema.oversight.loop import LoopQuery
from schema.oversight.records import DisclosureRecord, OperationRecord, OperationRecordQuery
from schema.oversight.rectifications import RectificationQuery, rectification_node
from schema.oversight.supervision import Complaint, Inspection, OperationStep, OversightQuery
from schema.workflow.leading_group import LeadingGroupMember, LeadingGroupQuery
from schema.workflow.reviews import ChangeNotice, Review, WorkflowQuery
from schema.workflow.revisions import RevisionQuery, revision_node, version_node


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
    if type_name == "Case":
        return await case_node(info, pk)
    if type_name in loop.NODE_TYPES:
        return await loop.node(info, type_name, pk)
    if type_name in comment_periods.NODE_TYPES:
        return await comment_periods.node(info, type_name, pk)
    if type_name == "UnitFunction":
        return await function_node(info, pk)
    if type_name in ("Rectification", "RectificationEvidence", "Accountability"):
        return await rectification_node(info, type_name, pk)
    if type_name in ("Webhook", "WebhookDelivery"):
        return await webhook_node(viewer, type_name, pk)
    if type_name == "ApiToken":  # admins only, as apiTokens
        token = await m.ApiToken.get_or_none(id=pk) if viewer.role == DomainRole.ADMIN else None
        return ApiToken.from_model(token) if token else None
    if type_name == "LeadingGroupMember":  # signed-in roles, as leadingGroup
        member = await loaders.leading_group_member_by_id.load(pk) if viewer.role != DomainRole.PUBLIC else None
        return LeadingGroupMember.from_model(member) if member else None
    if type_name == "StoredFile":  # a library document's original (public, as /files/{id})
        stored = await downloadable_file(pk)
        return StoredFile.from_model(stored) if stored else None
    if type_name == "Alarm":
        return await alarm_node(info, pk)
    if type_name in ("Complaint", "Inspection"):
        model, node = (wm.Complaint, Complaint) if type_name == "Complaint" else (wm.Inspection, Inspection)
        found = await model.filter(access.unit_rows_q(viewer), id=pk).first()
        return node.from_model(found) if found else None  # type: ignore[attr-defined]
    return None


@strawberry.type
class NodeQuery:
    @strawberry.field(description="Any object by its global id; null when it does not exist or is hidden from the caller.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        parsed = parse_id(id)
        return await _node(info, *parsed) if parsed else None


@strawberry.type
class Query(
    # The SDL (schema.graphql) lists the fields in the order of these bases, then `viewer`: keep the order, add
    # a class at the end.
    SearchQuery,  # library: search
    WorkflowQuery,  # workflow: reviews
    RevisionQuery,  # workflow: revisions
    OversightQuery,  # oversight: supervision
    DashboardQuery,  # oversight: dashboard
    TokenQuery,  # admin: tokens
    CatalogQuery,  # catalogue: exchange
    WebhookQuery,  # admin: webhooks
    ThesaurusQuery,  # library: thesaurus
    LeadingGroupQuery,  # workflow: leading_group
    CommentPeriodQuery,  # catalogue: comment_periods
    InformationRequestQuery,  # oversight: information_requests
    NodeQuery,  # node, above
    UnitsAndPowersQuery,  # catalogue: power (units, powers, power, unit)
    LegalDocumentQuery,  # library: legal
    FunctionQuery,  # oversight: functions (三定, 四个对应)
    RectificationQuery,  # oversight: rectifications (整改, 责任追究)
    CaseQuery,  # oversight: cases
    AlarmQuery,  # oversight: alarms
    EventCursorQuery,  # admin: live (subscriptions)
    LoopQuery,  # oversight: loop (networks, surveys, bulletins, powers on request)
    OperationRecordQuery,  # oversight: records (附7)
):
    @strawberry.field(description="the caller")
    def viewer(self, info: Info) -> Viewer:
        v = info.context.viewer
        return Viewer(role=v.role, name=v.name, unit_db_id=v.unit_id)
