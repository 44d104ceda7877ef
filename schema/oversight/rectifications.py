"""整改 (a finding's requirement, deadline, the unit's reply with evidence, 县公开办's acceptance or return,
closure) and 责任追究: types and queries. Rectifications: the unit its own, oversight roles all; 责任追究:
oversight roles only (domain.rectifications). The mutations are in rectifications_mutations."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from domain import access
from domain import oversight_models as om
from domain import rectifications as rules
from domain import workflow_models as wm
from domain.models import StoredFile
from qingquan import evidence
from resolvers.ids import decode_id
from resolvers.pagination import paginate
from schema.catalogue.unit import Unit
from schema.context import Info
from schema.enums import RectificationStatus, Sanction
from schema.node import Node, page_args, to_connection
from schema.relay import Connection, encode_id

if TYPE_CHECKING:
    from schema.oversight.supervision import Inspection

LazyInspection = Annotated["Inspection", strawberry.lazy("schema.oversight.supervision")]


async def _unit(info: Info, unit_id: int) -> Unit:
    unit = await info.context.loaders.unit_by_id.load(unit_id)
    assert unit is not None  # a unit with rectifications or accountability records cannot be deleted
    return Unit.from_model(unit)


async def _inspection(info: Info, inspection_id: int | None) -> Inspection | None:
    from schema.oversight.supervision import Inspection

    if inspection_id is None:
        return None
    found = await wm.Inspection.get_or_none(id=inspection_id)
    return Inspection.from_model(found) if found else None


@strawberry.type(description="A download link of an evidence file: GET `url` (no token needed) before `expiresAt`.")
class EvidenceLink:
    url: str
    expires_at: datetime


@strawberry.type(description="佐证材料: a file attached to a reply (download: a signed link for the caller).")
class RectificationEvidence(Node):
    db_id: strawberry.Private[int]
    round: int = strawberry.field(description="the reply it came with (1 for the first)")
    filename: str
    content_type: str
    size: int
    sha256: str

    @classmethod
    def of(cls, row: om.RectificationEvidence, file: StoredFile) -> RectificationEvidence:
        return cls(id=encode_id("RectificationEvidence", row.id), db_id=row.id, round=row.round, filename=file.filename,
                   content_type=file.content_type, size=file.size, sha256=file.sha256)  # fmt: skip

    @strawberry.field(description="a signed link for the caller, valid for a few minutes (no token needed to follow it)")
    def download(self, info: Info) -> EvidenceLink:
        token, expires = evidence.sign(info.context.settings, info.context.viewer, self.db_id)
        return EvidenceLink(url=f"/evidence/{token}", expires_at=datetime.fromtimestamp(expires, UTC))


@strawberry.type(description="整改 of an inspection's finding. The unit inspected and oversight roles only.")
class Rectification(Node):
    db_id: strawberry.Private[int]
    db_unit_id: strawberry.Private[int]
    inspection_id: strawberry.Private[int]
    status: RectificationStatus
    finding: str = strawberry.field(description="发现的问题")
    requirement: str = strawberry.field(description="整改要求")
    workdays: int = strawberry.field(description="整改期限 in working days (from issuedOn, or from the last return)")
    issued_on: date
    issued_by: str
    due_on: date = strawberry.field(description="the last working day of the deadline now running")
    due_provisional: bool = strawberry.field(description="counted on weekends alone in a year without a holiday table")
    overdue: bool = strawberry.field(description="the unit owes a reply (OPEN or RETURNED) past dueOn")
    round: int = strawberry.field(description="replies so far")
    reply: str = strawberry.field(description="整改情况 (the latest reply)")
    replied_on: date | None
    replied_by: str
    review_opinion: str = strawberry.field(description="验收意见 or 退回理由")
    reviewed_on: date | None
    reviewed_by: str
    closed_on: date | None = strawberry.field(description="销号")
    closed_by: str

    @classmethod
    def from_model(cls, r: om.Rectification) -> Rectification:
        return cls(
            id=encode_id("Rectification", r.id), db_id=r.id, db_unit_id=r.unit_id, inspection_id=r.inspection_id,
            status=r.status, finding=r.finding, requirement=r.requirement, workdays=r.workdays, issued_on=r.issued_on,
            issued_by=r.issued_by, due_on=r.due_on, due_provisional=r.due_provisional, overdue=rules.is_overdue(r),
            round=r.round, reply=r.reply, replied_on=r.replied_on, replied_by=r.replied_by,
            review_opinion=r.review_opinion, reviewed_on=r.reviewed_on, reviewed_by=r.reviewed_by,
            closed_on=r.closed_on, closed_by=r.closed_by,
        )  # fmt: skip

    @strawberry.field(description="the unit inspected")
    async def unit(self, info: Info) -> Unit:
        return await _unit(info, self.db_unit_id)

    @strawberry.field(description="the inspection whose finding it is")
    async def inspection(self, info: Info) -> LazyInspection:
        found = await _inspection(info, self.inspection_id)
        assert found is not None  # an inspection with rectifications cannot be deleted
        return found

    @strawberry.field(description="佐证材料 of every reply, oldest first")
    async def evidence(self, info: Info) -> list[RectificationEvidence]:
        rows = await info.context.loaders.evidence_by_rectification_id.load(self.db_id)
        return [RectificationEvidence.of(row, file) for row, file in rows]


@strawberry.type(description="责任追究: who, what, the sanction and its basis. Oversight roles only.")
class Accountability(Node):
    db_unit_id: strawberry.Private[int]
    inspection_id: strawberry.Private[int | None]
    rectification_id: strawberry.Private[int | None]
    person: str = strawberry.field(description="责任人")
    post: str = strawberry.field(description="职务")
    violation: str = strawberry.field(description="违规事实")
    sanction: Sanction
    sanction_detail: str = strawberry.field(description="处理决定")
    basis: str = strawberry.field(description="处理依据")
    decided_on: date
    recorded_by: str

    @classmethod
    def from_model(cls, a: om.Accountability) -> Accountability:
        return cls(
            id=encode_id("Accountability", a.id), db_unit_id=a.unit_id, inspection_id=a.inspection_id,
            rectification_id=a.rectification_id, person=a.person, post=a.post, violation=a.violation,
            sanction=a.sanction, sanction_detail=a.sanction_detail, basis=a.basis, decided_on=a.decided_on,
            recorded_by=a.recorded_by,
        )  # fmt: skip

    @strawberry.field
    async def unit(self, info: Info) -> Unit:
        return await _unit(info, self.db_unit_id)

    @strawberry.field
    async def inspection(self, info: Info) -> LazyInspection | None:
        return await _inspection(info, self.inspection_id)

    @strawberry.field
    async def rectification(self, info: Info) -> Rectification | None:
        if self.rectification_id is None:
            return None
        found = await om.Rectification.get_or_none(id=self.rectification_id)
        return Rectification.from_model(found) if found else None


@strawberry.input(description="Filters of `rectifications`.")
class RectificationFilter:
    unit_id: strawberry.ID | None = strawberry.field(default=None, description="a unit; its offices included")
    inspection_id: strawberry.ID | None = None
    statuses: list[RectificationStatus] | None = None
    overdue: bool | None = strawberry.field(default=None, description="true: only those owing a reply past their deadline")


@strawberry.type
class RectificationQuery:
    @strawberry.field(description="整改 the caller may see (a unit its own, oversight roles all), newest first; overdue: true for the 逾期 list")
    async def rectifications(
        self, info: Info, first: int | None = None, after: str | None = None, filter: RectificationFilter | None = None
    ) -> Connection[Rectification]:
        f = filter or RectificationFilter()
        units = await access.unit_subtree_ids(decode_id(f.unit_id, "Unit", field="filter.unitId")) if f.unit_id else None
        inspection = decode_id(f.inspection_id, "Inspection", field="filter.inspectionId") if f.inspection_id else None
        q = rules.rectifications_q(
            info.context.viewer, statuses=f.statuses, overdue=f.overdue, unit_ids=units, inspection_id=inspection  # type: ignore[arg-type]
        )
        limit, offset = page_args(first, after)
        settings = info.context.settings
        page = await paginate(
            om.Rectification.filter(q).order_by("-issued_on", "-id"),
            first=limit, offset=offset, default=settings.default_page_size, maximum=settings.max_page_size,
        )  # fmt: skip
        return to_connection(page, Rectification.from_model)

    @strawberry.field(description="责任追究 records, newest first (oversight roles only: a PermissionDeniedError for anyone else)")
    async def accountabilities(
        self, info: Info, first: int | None = None, after: str | None = None, unit_id: strawberry.ID | None = None
    ) -> Connection[Accountability]:
        rules.require_accountability(info.context.viewer)
        q = om.Accountability.filter(rules.accountability_q(info.context.viewer))
        if unit_id is not None:
            q = q.filter(unit_id__in=sorted(await access.unit_subtree_ids(decode_id(unit_id, "Unit", field="unitId"))))
        limit, offset = page_args(first, after)
        settings = info.context.settings
        page = await paginate(
            q.order_by("-decided_on", "-id"),
            first=limit, offset=offset, default=settings.default_page_size, maximum=settings.max_page_size,
        )  # fmt: skip
        return to_connection(page, Accountability.from_model)


async def rectification_node(info: Info, type_name: str, pk: int) -> Node | None:
    """A Rectification, its evidence or an Accountability by id, through the same rules as the lists."""
    viewer = info.context.viewer
    if type_name == "RectificationEvidence":  # seen by who sees its rectification
        row = await om.RectificationEvidence.filter(access.unit_rows_q(viewer, "rectification__"), id=pk).first()
        return RectificationEvidence.of(row, await StoredFile.get(id=row.file_id)) if row else None
    if type_name == "Rectification":
        found = await om.Rectification.filter(access.unit_rows_q(viewer), id=pk).first()
        return Rectification.from_model(found) if found else None
    record = await om.Accountability.filter(rules.accountability_q(viewer), id=pk).first()
    return Accountability.from_model(record) if record else None
