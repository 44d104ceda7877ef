"""DataLoaders, one per request, each answering a whole page in one query (`XByYLoader`).

Loaders that return powers or records apply the request's viewer through domain.access, so a
nested field can never reach what the root connection would hide.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date
from functools import cached_property, partial
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader
from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.queryset import QuerySet

from domain import access, workdays, workload
from domain import comment_models as cm
from domain import models as m
from domain import oversight_models as om
from domain import workflow_models as wm
from domain.rows import Joined, Rows
from domain.rules import INACTIVE
from resolvers.columns import Columns

M = TypeVar("M", bound=Model)
# a document without its body (the text outside articles, up to a whole law's preamble): no field shows it
# (db_fields holds work_id only once tortoise is initialised: before, the key is added here, once)
DOCUMENT_INFO = tuple(dict.fromkeys((*sorted(f for f in m.LegalDocument._meta.db_fields if f != "body"), "work_id")))
STORED_FILE_INFO = ("id", "document_id", "filename", "content_type", "size", "sha256", "created_at")


async def _where_in(queryset: QuerySet[M] | Rows[M], key_field: str, keys: list[Any]) -> list[M]:
    if isinstance(queryset, Rows):
        return await queryset.where_in(key_field, keys)
    return await queryset.filter(**{f"{key_field}__in": set(keys)})


def _arranged(key_field: str, many: bool, objects: list[M], keys: list[Any]) -> list[Any]:
    """Per key, the object whose `key_field` it is (None where there is none), or with `many` the list of
    those objects in the order read."""
    if not many:
        found = {getattr(obj, key_field): obj for obj in objects}
        return [found.get(key) for key in keys]
    groups: dict[Any, list[M]] = defaultdict(list)
    for obj in objects:
        groups[getattr(obj, key_field)].append(obj)
    return [groups.get(key, []) for key in keys]


async def _read(queryset: QuerySet[M] | Rows[M], key_field: str, many: bool, keys: list[Any]) -> list[Any]:
    return _arranged(key_field, many, await _where_in(queryset, key_field, keys), keys)


class RowsLoader(DataLoader[Any, Any]):
    """A loader of a Rows' objects by `key_field`: one each (`many` False) or a list each. What it reads is
    known (`rows`, `key_field`), so that resolvers.prefetch may read a level with to-one relations joined
    (`load_joined`), or read a relation in the statement of the level that holds it (a `Join` of `rows`)."""

    def __init__(self, rows: Rows[Any], key_field: str, many: bool) -> None:
        self.rows, self.key_field, self.many = rows, key_field, many
        # not a bound method: the loader would refer to itself, and only the collector could free what it holds
        super().__init__(load_fn=partial(_read, rows, key_field, many))

    async def load_joined(self, keys: list[Any], joined: Joined) -> list[Any]:
        """The values of `keys`, as the loader's batch, with the relations of `joined` read in the same statement."""
        return await _read(replace(self.rows, joined=joined), self.key_field, self.many, keys)


def _loader(queryset: QuerySet[M] | Rows[M], key_field: str, many: bool) -> DataLoader[Any, Any]:
    if isinstance(queryset, Rows):
        return RowsLoader(queryset, key_field, many)
    return DataLoader(load_fn=partial(_read, queryset, key_field, many))


def by_id(queryset: QuerySet[M] | Rows[M]) -> DataLoader[int, M | None]:
    """One object per id (None where missing or hidden)."""
    return _loader(queryset, "id", many=False)


def grouped(queryset: QuerySet[M] | Rows[M], key_field: str) -> DataLoader[int, list[M]]:
    """All objects whose `key_field` is the key, in the queryset's order."""
    return _loader(queryset, key_field, many=True)


def one_by(queryset: QuerySet[M] | Rows[M], key_field: str) -> DataLoader[int, M | None]:
    """The one object whose `key_field` is the key."""
    return _loader(queryset, key_field, many=False)


def powers_citing(powers: Q) -> DataLoader[int, list[m.Power]]:
    """Per article id, the powers (among `powers`) that rest on it, by code."""

    async def load(keys: list[int]) -> list[list[m.Power]]:
        groups: dict[int, list[m.Power]] = defaultdict(list)
        bases = m.PowerBasis.filter(powers, article_id__in=set(keys)).select_related("power")
        for basis in await bases.order_by("power__code", "id"):
            groups[basis.article_id].append(basis.power)
        return [groups.get(key, []) for key in keys]

    return DataLoader(load_fn=load)


def article_by_label() -> DataLoader[tuple[int, str], m.LegalArticle | None]:
    """An article by (document id, label such as 第四十二条): one query for a whole page of documents."""

    async def load(keys: list[tuple[int, str]]) -> list[m.LegalArticle | None]:
        docs, labels = {d for d, _ in keys}, {label for _, label in keys}
        found = {(a.document_id, a.label): a for a in await m.LegalArticle.filter(document_id__in=docs, label__in=labels)}
        return [found.get(key) for key in keys]

    return DataLoader(load_fn=load)


class Loaders:
    """Every loader of one request, built for its viewer when first asked for (a request uses a few)."""

    def __init__(self, viewer: access.Viewer) -> None:
        self.viewer = viewer
        #: per model, the columns the request's query reads (resolvers.columns); None: whole rows
        self.columns: Columns | None = None

    def fields_of(self, model: type[Model], key_field: str, whole: tuple[str, ...] | None = None) -> tuple[str, ...] | None:
        """The columns a loader of `model` keyed by `key_field` reads: those the query selects (set before
        the first load), else `whole` (None: every column)."""
        selected = self.columns.get(model) if self.columns is not None else None
        if selected is None:
            return whole
        return tuple(sorted({*selected, key_field}))

    async def unit_subtree(self, unit_id: int) -> frozenset[int]:
        """A unit and its descendants. The resolvers of a page ask at once (each unit's powers): one
        statement reads the subtrees of them all, and only those (never the whole tree: issue 20)."""
        return await self.unit_subtree_by_id.load(unit_id)

    @cached_property
    def unit_subtree_by_id(self) -> DataLoader[int, frozenset[int]]:
        async def load(keys: list[int]) -> list[frozenset[int]]:
            found = await access.unit_subtrees(keys)
            return [found[key] for key in keys]

        return DataLoader(load_fn=load)

    @cached_property
    def workload_by_position_id(self) -> DataLoader[int, workload.PostWorkload | None]:
        """Who handles what, per post (domain.workload): the posts of a page in a few statements."""

        async def load(keys: list[int]) -> list[workload.PostWorkload | None]:
            found = await workload.post_workloads(self.viewer, await m.Position.filter(id__in=set(keys)))
            return [found.get(key) for key in keys]

        return DataLoader(load_fn=load)

    @classmethod
    def for_viewer(cls, viewer: access.Viewer) -> Loaders:
        return cls(viewer)

    def release(self) -> None:
        """Drop every loader and what it holds, once the request is answered. graphql-core's execution
        context refers to itself (its helpers are its bound methods), so it and the request context are
        freed only by the garbage collector; without this, so would be every object the request loaded
        (~1,800 for a page of 20 powers), and collecting them cost ~10% of the request (issue 9)."""
        viewer = self.viewer
        self.__dict__.clear()
        Loaders.__init__(self, viewer)  # as new: usable again, holding nothing

    @cached_property
    def unit_by_id(self) -> DataLoader[int, m.Unit | None]:
        return by_id(Rows(m.Unit.all(), self.fields_of(m.Unit, "id"), shared=True))

    @cached_property
    def leading_group_member_by_id(self) -> DataLoader[int, wm.LeadingGroupMember | None]:
        """Members of the leading group (附1), read by any signed-in role through reviews and tokens."""
        return by_id(wm.LeadingGroupMember.all())

    @cached_property
    def units_by_parent_id(self) -> DataLoader[int, list[m.Unit]]:
        return grouped(Rows(m.Unit.all(), self.fields_of(m.Unit, "parent_id"), shared=True), "parent_id")

    @cached_property
    def position_by_id(self) -> DataLoader[int, m.Position | None]:
        return by_id(Rows(m.Position.all(), self.fields_of(m.Position, "id"), shared=True))

    @cached_property
    def positions_by_unit_id(self) -> DataLoader[int, list[m.Position]]:
        return grouped(Rows(m.Position.all(), self.fields_of(m.Position, "unit_id"), shared=True), "unit_id")

    @cached_property
    def power_by_id(self) -> DataLoader[int, m.Power | None]:
        return by_id(Rows(m.Power.all(), self.fields_of(m.Power, "id"), shared=True, where=access.power_q(self.viewer)))

    @cached_property
    def bases_by_power_id(self) -> DataLoader[int, list[m.PowerBasis]]:
        basis = m.PowerBasis
        return grouped(Rows(basis.all().order_by("ordinal", "id"), self.fields_of(basis, "power_id"), shared=True), "power_id")

    @cached_property
    def powers_by_article_id(self) -> DataLoader[int, list[m.Power]]:
        return powers_citing(access.power_q(self.viewer, "power__"))

    @cached_property
    def article_by_id(self) -> DataLoader[int, m.LegalArticle | None]:
        return by_id(Rows(m.LegalArticle.all(), self.fields_of(m.LegalArticle, "id"), shared=True))

    @cached_property
    def article_by_document_label(self) -> DataLoader[tuple[int, str], m.LegalArticle | None]:
        return article_by_label()

    @cached_property
    def document_by_id(self) -> DataLoader[int, m.LegalDocument | None]:
        return by_id(Rows(m.LegalDocument.all(), self.fields_of(m.LegalDocument, "id", DOCUMENT_INFO), shared=True))

    @cached_property
    def work_by_id(self) -> DataLoader[int, m.LegalWork | None]:
        return by_id(Rows(m.LegalWork.all(), shared=True))

    @cached_property
    def documents_by_work_id(self) -> DataLoader[int, list[m.LegalDocument]]:
        return grouped(
            Rows(
                m.LegalDocument.all().order_by("version_date", "id"),
                self.fields_of(m.LegalDocument, "work_id", DOCUMENT_INFO),
                shared=True,
            ),
            "work_id",
        )

    @cached_property
    def files_by_document_id(self) -> DataLoader[int, list[m.StoredFile]]:
        return grouped(  # without the bytes: those are for downloads
            Rows(m.StoredFile.all().order_by("id"), STORED_FILE_INFO, shared=True), "document_id"
        )

    @cached_property
    def flow_chart_by_power_id(self) -> DataLoader[int, m.FlowChart | None]:
        return one_by(Rows(m.FlowChart.all(), self.fields_of(m.FlowChart, "power_id"), shared=True), "power_id")

    @cached_property
    def steps_by_chart_id(self) -> DataLoader[int, list[m.FlowStep]]:
        steps = m.FlowStep.all().order_by("ordinal", "id")
        return grouped(Rows(steps, self.fields_of(m.FlowStep, "chart_id"), shared=True), "chart_id")

    @cached_property
    def edges_by_chart_id(self) -> DataLoader[int, list[m.FlowEdge]]:
        return grouped(Rows(m.FlowEdge.all().order_by("id"), self.fields_of(m.FlowEdge, "chart_id"), shared=True), "chart_id")

    @cached_property
    def disclosure_records_by_power_id(self) -> DataLoader[int, list[m.DisclosureRecord]]:
        visible = access.record_q(self.viewer)
        records = m.DisclosureRecord.all().order_by("-disclosed_on", "-id")
        fields = self.fields_of(m.DisclosureRecord, "power_id")
        if fields is None:  # whole, with the operation, whose applicant is masked in the content
            return grouped(records.filter(visible).select_related("operation"), "power_id")
        return grouped(Rows(records, fields, shared=True, where=visible), "power_id")

    @cached_property
    def operation_records_by_power_id(self) -> DataLoader[int, list[m.OperationRecord]]:
        records = m.OperationRecord.all().order_by("-id")
        fields = self.fields_of(m.OperationRecord, "power_id")
        return grouped(Rows(records, fields, shared=True, where=access.record_q(self.viewer)), "power_id")

    @cached_property
    def operation_record_by_id(self) -> DataLoader[int, m.OperationRecord | None]:
        return by_id(m.OperationRecord.filter(access.record_q(self.viewer)).select_related("power"))

    @cached_property
    def steps_by_operation_id(self) -> DataLoader[int, list[wm.OperationStep]]:
        return grouped(
            wm.OperationStep.filter(access.record_q(self.viewer, "operation__")).order_by("started_on", "id"),
            "operation_id",
        )

    @cached_property
    def reviews_by_power_id(self) -> DataLoader[int, list[wm.Review]]:
        return grouped(wm.Review.filter(access.internal_q(self.viewer)).order_by("round"), "power_id")

    @cached_property
    def opinions_by_review_id(self) -> DataLoader[int, list[wm.ReviewOpinion]]:
        return grouped(
            wm.ReviewOpinion.filter(access.internal_q(self.viewer, "review__power__")).order_by("id"), "review_id"
        )

    @cached_property
    def versions_by_power_id(self) -> DataLoader[int, list[wm.PowerVersion]]:
        return grouped(wm.PowerVersion.filter(access.version_q(self.viewer)).order_by("number"), "power_id")

    @cached_property
    def revisions_by_power_id(self) -> DataLoader[int, list[wm.PowerRevision]]:
        return grouped(wm.PowerRevision.filter(access.internal_q(self.viewer)).order_by("id"), "power_id")

    @cached_property
    def revision_by_draft_id(self) -> DataLoader[int, wm.PowerRevision | None]:
        return one_by(wm.PowerRevision.filter(access.internal_q(self.viewer, "draft__")), "draft_id")

    @cached_property
    def review_by_id(self) -> DataLoader[int, wm.Review | None]:
        return by_id(wm.Review.filter(access.internal_q(self.viewer)))

    @cached_property
    def change_notices_by_power_id(self) -> DataLoader[int, list[wm.ChangeNotice]]:
        return grouped(wm.ChangeNotice.filter(access.internal_q(self.viewer)).order_by("-id"), "power_id")

    # -- 公示 and 征求意见: what is visible depends on the county date, read once per request ----------

    @cached_property
    def today(self) -> date:
        return workdays.today()

    @cached_property
    def comment_period_by_id(self) -> DataLoader[int, cm.CommentPeriod | None]:
        return by_id(cm.CommentPeriod.filter(access.comment_period_q(self.viewer, self.today)))

    @cached_property
    def comment_draft_by_id(self) -> DataLoader[int, cm.CommentDraft | None]:
        return by_id(cm.CommentDraft.filter(access.comment_draft_q(self.viewer, self.today)))

    @cached_property
    def comment_drafts_by_period_id(self) -> DataLoader[int, list[cm.CommentDraft]]:
        return grouped(
            cm.CommentDraft.filter(access.comment_draft_q(self.viewer, self.today)).order_by("ordinal"),
            "period_id",
        )

    @cached_property
    def public_comments_by_draft_id(self) -> DataLoader[int, list[cm.PublicComment]]:
        """Every comment of the drafts the caller may read, in one query (a draft's page is cut from it)."""
        return grouped(cm.PublicComment.filter(access.public_comment_q(self.viewer, self.today)).order_by("id"), "draft_id")

    # -- issue 24: 三定 functions, 整改 -------------------------------------------------------------

    @cached_property
    def functions_by_power_id(self) -> DataLoader[int, list[om.UnitFunction]]:
        """The functions each power carries out, its own unit's first, by number (callers decide who may ask)."""

        async def load(keys: list[int]) -> list[list[om.UnitFunction]]:
            groups: dict[int, list[om.UnitFunction]] = defaultdict(list)
            links = om.PowerFunction.filter(power_id__in=set(keys)).select_related("function")
            for link in await links.order_by("function__unit_id", "function__ordinal"):
                groups[link.power_id].append(link.function)
            return [groups.get(key, []) for key in keys]

        return DataLoader(load_fn=load)

    @cached_property
    def carriers_by_function_id(self) -> DataLoader[int, list[m.Power]]:
        """The live powers the viewer may see that carry out each function, by code, in one query."""

        async def load(keys: list[int]) -> list[list[m.Power]]:
            groups: dict[int, list[m.Power]] = defaultdict(list)
            links = om.PowerFunction.filter(access.power_q(self.viewer, "power__"), function_id__in=set(keys))
            links = links.exclude(power__status__in=list(INACTIVE)).select_related("power")
            for link in await links.order_by("power__code"):
                groups[link.function_id].append(link.power)
            return [groups.get(key, []) for key in keys]

        return DataLoader(load_fn=load)

    @cached_property
    def rectifications_by_inspection_id(self) -> DataLoader[int, list[om.Rectification]]:
        return grouped(om.Rectification.filter(access.unit_rows_q(self.viewer)).order_by("id"), "inspection_id")

    @cached_property
    def evidence_by_rectification_id(self) -> DataLoader[int, list[tuple[om.RectificationEvidence, m.StoredFile]]]:
        """Each rectification's evidence with its file's description (never its bytes), in two queries."""

        async def load(keys: list[int]) -> list[list[tuple[om.RectificationEvidence, m.StoredFile]]]:
            rows = await om.RectificationEvidence.filter(rectification_id__in=set(keys)).order_by("round", "id")
            files = {f.id: f for f in await m.StoredFile.filter(id__in=[r.file_id for r in rows]).only(*STORED_FILE_INFO)}
            groups: dict[int, list[tuple[om.RectificationEvidence, m.StoredFile]]] = defaultdict(list)
            for row in rows:
                groups[row.rectification_id].append((row, files[row.file_id]))
            return [groups.get(key, []) for key in keys]

        return DataLoader(load_fn=load)
