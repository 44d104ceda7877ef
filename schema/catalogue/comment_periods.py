"""公示 and 征求意见 in the schema: comment periods, their frozen comment versions (公示稿) and the
public's comments. What the caller sees is decided by domain.access (comment_period_q,
public_comment_q) on the county date, read once per request (resolvers.loaders)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry
from tortoise.expressions import Q

from domain import access, personal
from domain import comment_models as cm
from domain import comment_periods as rules
from resolvers.ids import decode_id
from resolvers.pagination import page_of, paginate
from schema.catalogue.unit import Unit
from schema.context import Info
from schema.enums import (
    CommentHiddenReason,
    CommentPeriodStatus,
    CommentStatus,
)
from schema.node import Node, page_args, to_connection
from schema.relay import Connection, encode_id
from schema.workflow.reviews import load_power
from schema.workflow.revisions import SnapshotFields, VersionFlowChart, _chart

if TYPE_CHECKING:
    from schema.catalogue.power import Power

LazyPower = Annotated["Power", strawberry.lazy("schema.catalogue.power")]


@strawberry.type(description="职权依据 of a 公示稿: the citation and the article's text as when the period opened.")
class CommentDraftBasis:
    ordinal: int
    note: str
    document_title: str
    article_label: str = strawberry.field(description="第X条")
    article_text: str = strawberry.field(description="the article's text, as cited when the period opened")

    @strawberry.field(description="《文件名》第X条")
    def citation(self) -> str:
        return f"《{self.document_title}》{self.article_label}"


@strawberry.type(
    description="公示稿 (征求意见稿): a draft power frozen when its comment period opened. The public reads it "
    "only while the period is open; it is a draft for comment, not a published power."
)
class CommentDraft(SnapshotFields, Node):
    db_id: strawberry.Private[int]
    period_id: strawberry.Private[int]
    power_id: strawberry.Private[int]
    ordinal: int = strawberry.field(description="position in its period")
    code: str = strawberry.field(description="职权编码 (of the draft)")
    name: str = strawberry.field(description="职权全称, as put up for comment")
    label: str = strawberry.field(description="always 征求意见稿: show it wherever the text is shown")
    draft_for_comment: bool = strawberry.field(description="always true: this is a draft for comment, not a published power")

    @classmethod
    def from_model(cls, d: cm.CommentDraft) -> CommentDraft:
        return cls(
            id=encode_id("CommentDraft", d.id), db_id=d.id, period_id=d.period_id, power_id=d.power_id,
            snapshot=d.snapshot, ordinal=d.ordinal, code=d.code, name=d.name, label=rules.DRAFT_LABEL,
            draft_for_comment=True,
        )  # fmt: skip

    @strawberry.field(description="职权依据 with the articles' text, from the highest legal rank down")
    def bases(self) -> list[CommentDraftBasis]:
        return [
            CommentDraftBasis(
                ordinal=b["ordinal"], note=b["note"], document_title=b["document_title"],
                article_label=b["article_label"], article_text=b.get("article_text", ""),
            )  # fmt: skip
            for b in self.snapshot["bases"]
        ]

    @strawberry.field(description="一图 as put up for comment")
    def flow_chart(self) -> VersionFlowChart | None:
        return _chart(self.snapshot.get("flow_chart"))

    @strawberry.field(description="the comment period")
    async def period(self, info: Info) -> CommentPeriod | None:
        found = await info.context.loaders.comment_period_by_id.load(self.period_id)
        return CommentPeriod.from_model(found) if found else None

    @strawberry.field(description="the draft power now (its unit and oversight only: null for everyone else)")
    async def power(self, info: Info) -> LazyPower | None:
        return await load_power(info, self.power_id)

    @strawberry.field(
        description="意见: the public reads the published and answered ones; the unit and oversight all, oldest first"
    )
    async def comments(self, info: Info, first: int | None = None, after: str | None = None) -> Connection[PublicComment]:
        limit, offset = page_args(first, after)
        found = await info.context.loaders.public_comments_by_draft_id.load(self.db_id)
        settings = info.context.settings
        page = page_of(found, first=limit, offset=offset, default=settings.default_page_size, maximum=settings.max_page_size)
        return to_connection(page, PublicComment.from_model)


@strawberry.type(description="公示: a unit puts draft powers up for public comment for some working days.")
class CommentPeriod(Node):
    db_id: strawberry.Private[int]
    db_unit_id: strawberry.Private[int]
    model: strawberry.Private[cm.CommentPeriod]
    title: str
    starts_on: date = strawberry.field(description="first day (county date)")
    ends_on: date = strawberry.field(description="last day: `workdays` working days from startsOn")
    workdays: int = strawberry.field(description="length in working days (statutory holidays and 调休 counted)")
    ends_provisional: bool = strawberry.field(description="counted on weekends alone (a year without a holiday table)")
    closed_on: date | None = strawberry.field(description="closed early on this day (提前结束)")
    close_reason: str

    @classmethod
    def from_model(cls, p: cm.CommentPeriod) -> CommentPeriod:
        return cls(
            id=encode_id("CommentPeriod", p.id), db_id=p.id, db_unit_id=p.unit_id, model=p, title=p.title,
            starts_on=p.starts_on, ends_on=p.ends_on, workdays=p.workdays, ends_provisional=p.ends_provisional,
            closed_on=p.closed_on, close_reason=p.close_reason,
        )  # fmt: skip

    @strawberry.field(description="as of today (county date)")
    def status(self, info: Info) -> CommentPeriodStatus:
        return rules.period_status(self.model, info.context.loaders.today)  # type: ignore[return-value]

    @strawberry.field(description="who opened it: the unit and oversight roles only")
    def opened_by(self, info: Info) -> str | None:
        return self.model.opened_by if access.oversees_unit(info.context.viewer, self.db_unit_id) else None

    @strawberry.field(description="who closed it early: the unit and oversight roles only")
    def closed_by(self, info: Info) -> str | None:
        return self.model.closed_by if access.oversees_unit(info.context.viewer, self.db_unit_id) else None

    @strawberry.field
    async def unit(self, info: Info) -> Unit:
        unit = await info.context.loaders.unit_by_id.load(self.db_unit_id)
        assert unit is not None  # a unit with periods cannot be deleted
        return Unit.from_model(unit)

    @strawberry.field(description="公示稿, in the order they were put up (at most 200)")
    async def drafts(self, info: Info) -> list[CommentDraft]:
        return [CommentDraft.from_model(d) for d in await info.context.loaders.comment_drafts_by_period_id.load(self.db_id)]


@strawberry.type(description="意见 on a 公示稿. Name and contact reach only the unit and oversight roles.")
class PublicComment(Node):
    db_unit_id: strawberry.Private[int]
    draft_id: strawberry.Private[int]
    model: strawberry.Private[cm.PublicComment]
    status: CommentStatus
    received_on: date
    moderated_on: date | None

    @classmethod
    def from_model(cls, c: cm.PublicComment) -> PublicComment:
        return cls(
            id=encode_id("PublicComment", c.id), db_unit_id=c.unit_id, draft_id=c.draft_id, model=c,
            status=c.status, received_on=c.received_on, moderated_on=c.moderated_on,
        )  # fmt: skip

    def _personal(self, info: Info) -> bool:
        return access.sees_personal_data(info.context.viewer, self.db_unit_id)

    def _text(self, info: Info, text: str) -> str:
        """A free text, the commenter's own name masked in it for who may not see personal data."""
        return text if self._personal(info) else personal.mask_names(text, personal.person_names(self.model.commenter_name))

    @strawberry.field(description="意见内容")
    def body(self, info: Info) -> str:
        return self._text(info, self.model.body)

    @strawberry.field(description="答复 (empty until answered)")
    def answer(self, info: Info) -> str:
        return self._text(info, self.model.answer)

    @strawberry.field(description="姓名: only for the unit and oversight roles")
    def commenter_name(self, info: Info) -> str | None:
        return self.model.commenter_name if self._personal(info) else None

    @strawberry.field(description="联系方式: only for the unit and oversight roles")
    def commenter_contact(self, info: Info) -> str | None:
        return self.model.commenter_contact if self._personal(info) else None

    @strawberry.field(description="不予公开的理由: the unit and oversight roles only")
    def hidden_reason(self, info: Info) -> CommentHiddenReason | None:
        return self.model.hidden_reason if access.oversees_unit(info.context.viewer, self.db_unit_id) else None  # type: ignore[return-value]

    @strawberry.field(description="不予公开的说明: the unit and oversight roles only")
    def hidden_note(self, info: Info) -> str | None:
        return self.model.hidden_note if access.oversees_unit(info.context.viewer, self.db_unit_id) else None

    @strawberry.field(description="who moderated it: the unit and oversight roles only")
    def moderated_by(self, info: Info) -> str | None:
        return self.model.moderated_by if access.oversees_unit(info.context.viewer, self.db_unit_id) else None

    @strawberry.field(description="the 公示稿 commented on")
    async def draft(self, info: Info) -> CommentDraft | None:
        found = await info.context.loaders.comment_draft_by_id.load(self.draft_id)
        return CommentDraft.from_model(found) if found else None


@strawberry.input(description="Filters of `draftComments`.")
class DraftCommentFilter:
    period_id: strawberry.ID | None = None
    draft_id: strawberry.ID | None = None
    unit_id: strawberry.ID | None = strawberry.field(default=None, description="a unit; its offices included")
    statuses: list[CommentStatus] | None = None


async def node(info: Info, type_name: str, pk: int) -> Node | None:
    """node(id) of this module's types, through the same loaders (and rules) as the lists."""
    loaders = info.context.loaders
    if type_name == "CommentPeriod":
        period = await loaders.comment_period_by_id.load(pk)
        return CommentPeriod.from_model(period) if period else None
    if type_name == "CommentDraft":
        draft = await loaders.comment_draft_by_id.load(pk)
        return CommentDraft.from_model(draft) if draft else None
    if type_name == "PublicComment":
        found = await cm.PublicComment.filter(access.public_comment_q(info.context.viewer, loaders.today), id=pk).first()
        return PublicComment.from_model(found) if found else None
    return None


NODE_TYPES = frozenset({"CommentPeriod", "CommentDraft", "PublicComment"})


@strawberry.type
class CommentPeriodQuery:
    @strawberry.field(
        description="公示 the caller may see, newest first: open ones for everyone; a unit also its own past and "
        "coming ones; oversight roles all. `open`: true only those open today, false only those not"
    )
    async def comment_periods(
        self,
        info: Info,
        unit_id: strawberry.ID | None = None,
        open: bool | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[CommentPeriod]:
        loaders = info.context.loaders
        on = loaders.today
        q = access.comment_period_q(info.context.viewer, on)
        if unit_id is not None:
            q &= Q(unit_id__in=sorted(await loaders.unit_subtree(decode_id(unit_id, "Unit", "unitId"))))
        if open is not None:
            now_open = Q(starts_on__lte=on, ends_on__gte=on, closed_at__isnull=True)
            q &= now_open if open else ~now_open
        limit, offset = page_args(first, after)
        settings = info.context.settings
        page = await paginate(
            cm.CommentPeriod.filter(q).order_by("-starts_on", "-id"),
            first=limit, offset=offset, default=settings.default_page_size, maximum=settings.max_page_size,
        )  # fmt: skip
        return to_connection(page, CommentPeriod.from_model)

    @strawberry.field(description="意见 the caller may see (the public: published and answered ones of open 公示), newest first")
    async def draft_comments(
        self, info: Info, filter: DraftCommentFilter | None = None, first: int | None = None, after: str | None = None
    ) -> Connection[PublicComment]:
        f = filter or DraftCommentFilter()
        loaders = info.context.loaders
        q = access.public_comment_q(info.context.viewer, loaders.today)
        if f.period_id is not None:
            q &= Q(draft__period_id=decode_id(f.period_id, "CommentPeriod", "filter.periodId"))
        if f.draft_id is not None:
            q &= Q(draft_id=decode_id(f.draft_id, "CommentDraft", "filter.draftId"))
        if f.unit_id is not None:
            q &= Q(unit_id__in=sorted(await loaders.unit_subtree(decode_id(f.unit_id, "Unit", "filter.unitId"))))
        if f.statuses:
            q &= Q(status__in=sorted(f.statuses))
        limit, offset = page_args(first, after)
        settings = info.context.settings
        page = await paginate(
            cm.PublicComment.filter(q).order_by("-id"),
            first=limit, offset=offset, default=settings.default_page_size, maximum=settings.max_page_size,
        )  # fmt: skip
        return to_connection(page, PublicComment.from_model)


