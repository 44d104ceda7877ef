"""Resolvers of legal document lists."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise.expressions import Q

from domain import models as m
from resolvers.pagination import Page, paginate

if TYPE_CHECKING:
    from qingquan.settings import Settings
    from schema.library.legal import LegalDocumentFilter, LegalDocumentOrder


async def legal_documents_page(
    settings: Settings,
    *,
    first: int | None,
    offset: int,
    filter: LegalDocumentFilter | None,
    order_by: LegalDocumentOrder | None,
) -> Page[m.LegalDocument]:
    """Legal documents are public (DESIGN.md)."""
    q = Q()
    if filter is not None:
        if filter.title_contains:
            q &= Q(title__icontains=filter.title_contains.strip())
        if filter.level is not None:
            q &= Q(level=filter.level)
        if filter.levels:
            q &= Q(level__in=list(filter.levels))
        if filter.status is not None:
            q &= Q(status=filter.status)
        if filter.statuses:
            q &= Q(status__in=list(filter.statuses))
        if filter.source is not None:
            q &= Q(source=filter.source)
    order = order_by.direction.apply(order_by.field.value) if order_by else "title"
    return await paginate(
        m.LegalDocument.filter(q).order_by(order, "id"),
        first=first,
        offset=offset,
        default=settings.default_page_size,
        maximum=settings.max_page_size,
    )
