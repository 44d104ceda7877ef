"""DataLoaders, one per request, each answering a whole page in one query (`XByYLoader`).

Loaders that return powers or records apply the request's viewer through domain.access, so a
nested field can never reach what the root connection would hide.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TypeVar

from strawberry.dataloader import DataLoader
from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.queryset import QuerySet

from domain import access
from domain import models as m
from domain import workflow_models as wm

M = TypeVar("M", bound=Model)
# a document without its body (the text outside articles, up to a whole law's preamble): no field shows it
DOCUMENT_INFO = (*sorted(f for f in m.LegalDocument._meta.db_fields if f != "body"), "work_id")
STORED_FILE_INFO = ("id", "document_id", "filename", "content_type", "size", "sha256", "created_at")


def by_id(queryset: QuerySet[M]) -> DataLoader[int, M | None]:
    """One object per id (None where missing or hidden)."""

    async def load(keys: list[int]) -> list[M | None]:
        found = {obj.pk: obj for obj in await queryset.filter(id__in=set(keys))}
        return [found.get(key) for key in keys]

    return DataLoader(load_fn=load)


def grouped(queryset: QuerySet[M], key_field: str) -> DataLoader[int, list[M]]:
    """All objects whose `key_field` is the key, in the queryset's order."""

    async def load(keys: list[int]) -> list[list[M]]:
        groups: dict[int, list[M]] = defaultdict(list)
        for obj in await queryset.filter(**{f"{key_field}__in": set(keys)}):
            groups[getattr(obj, key_field)].append(obj)
        return [groups.get(key, []) for key in keys]

    return DataLoader(load_fn=load)


def one_by(queryset: QuerySet[M], key_field: str) -> DataLoader[int, M | None]:
    """The one object whose `key_field` is the key."""

    async def load(keys: list[int]) -> list[M | None]:
        found = {getattr(obj, key_field): obj for obj in await queryset.filter(**{f"{key_field}__in": set(keys)})}
        return [found.get(key) for key in keys]

    return DataLoader(load_fn=load)


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


@dataclass
class Loaders:
    """Every loader of one request, built for its viewer."""

    unit_by_id: DataLoader[int, m.Unit | None]
    units_by_parent_id: DataLoader[int, list[m.Unit]]
    position_by_id: DataLoader[int, m.Position | None]
    positions_by_unit_id: DataLoader[int, list[m.Position]]
    power_by_id: DataLoader[int, m.Power | None]
    bases_by_power_id: DataLoader[int, list[m.PowerBasis]]
    powers_by_article_id: DataLoader[int, list[m.Power]]
    article_by_id: DataLoader[int, m.LegalArticle | None]
    article_by_document_label: DataLoader[tuple[int, str], m.LegalArticle | None]
    document_by_id: DataLoader[int, m.LegalDocument | None]
    work_by_id: DataLoader[int, m.LegalWork | None]
    documents_by_work_id: DataLoader[int, list[m.LegalDocument]]
    files_by_document_id: DataLoader[int, list[m.StoredFile]]
    flow_chart_by_power_id: DataLoader[int, m.FlowChart | None]
    steps_by_chart_id: DataLoader[int, list[m.FlowStep]]
    edges_by_chart_id: DataLoader[int, list[m.FlowEdge]]
    disclosure_records_by_power_id: DataLoader[int, list[m.DisclosureRecord]]
    operation_records_by_power_id: DataLoader[int, list[m.OperationRecord]]
    operation_record_by_id: DataLoader[int, m.OperationRecord | None]
    steps_by_operation_id: DataLoader[int, list[wm.OperationStep]]
    reviews_by_power_id: DataLoader[int, list[wm.Review]]
    opinions_by_review_id: DataLoader[int, list[wm.ReviewOpinion]]
    change_notices_by_power_id: DataLoader[int, list[wm.ChangeNotice]]

    _children: dict[int | None, list[int]] | None = field(default=None, init=False, repr=False)

    async def unit_subtree(self, unit_id: int) -> frozenset[int]:
        """A unit and its descendants, from the whole tree read once per request (one query)."""
        if self._children is None:
            self._children = defaultdict(list)
            for uid, parent in await m.Unit.all().values_list("id", "parent_id"):
                self._children[parent].append(uid)
        found, frontier = {unit_id}, [unit_id]
        while frontier:
            frontier = [c for u in frontier for c in self._children.get(u, []) if c not in found]
            found.update(frontier)
        return frozenset(found)

    @classmethod
    def for_viewer(cls, viewer: access.Viewer) -> Loaders:
        records = access.record_q(viewer)
        internal = access.internal_q(viewer)
        return cls(
            unit_by_id=by_id(m.Unit.all()),
            units_by_parent_id=grouped(m.Unit.all(), "parent_id"),
            position_by_id=by_id(m.Position.all()),
            positions_by_unit_id=grouped(m.Position.all(), "unit_id"),
            power_by_id=by_id(m.Power.filter(access.power_q(viewer))),
            bases_by_power_id=grouped(m.PowerBasis.all().order_by("ordinal", "id"), "power_id"),
            powers_by_article_id=powers_citing(access.power_q(viewer, "power__")),
            article_by_id=by_id(m.LegalArticle.all()),
            article_by_document_label=article_by_label(),
            document_by_id=by_id(m.LegalDocument.all().only(*DOCUMENT_INFO)),
            work_by_id=by_id(m.LegalWork.all()),
            documents_by_work_id=grouped(
                m.LegalDocument.all().only(*DOCUMENT_INFO).order_by("version_date", "id"), "work_id"
            ),
            files_by_document_id=grouped(  # without the bytes: those are for downloads
                m.StoredFile.all().only(*STORED_FILE_INFO).order_by("id"), "document_id"
            ),
            flow_chart_by_power_id=one_by(m.FlowChart.all(), "power_id"),
            steps_by_chart_id=grouped(m.FlowStep.all().order_by("ordinal", "id"), "chart_id"),
            edges_by_chart_id=grouped(m.FlowEdge.all().order_by("id"), "chart_id"),
            disclosure_records_by_power_id=grouped(  # with the operation, whose applicant is masked in them
                m.DisclosureRecord.filter(records).select_related("operation").order_by("-disclosed_on", "-id"),
                "power_id",
            ),
            operation_records_by_power_id=grouped(
                m.OperationRecord.filter(records).order_by("-id"), "power_id"
            ),
            operation_record_by_id=by_id(m.OperationRecord.filter(records).select_related("power")),
            steps_by_operation_id=grouped(
                wm.OperationStep.filter(access.record_q(viewer, "operation__")).order_by("started_on", "id"),
                "operation_id",
            ),
            reviews_by_power_id=grouped(wm.Review.filter(internal).order_by("round"), "power_id"),
            opinions_by_review_id=grouped(
                wm.ReviewOpinion.filter(access.internal_q(viewer, "review__power__")).order_by("id"), "review_id"
            ),
            change_notices_by_power_id=grouped(wm.ChangeNotice.filter(internal).order_by("-id"), "power_id"),
        )

