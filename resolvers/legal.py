"""Resolvers of legal document lists."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from tortoise.expressions import Q

from domain import models as m
from domain.enums import LegalLevel
from resolvers.keyset import PageArgs, keyset_page, sort_key
from resolvers.pagination import Page

if TYPE_CHECKING:
    from qingquan.settings import Settings
    from schema.library.legal import LegalDocumentFilter, LegalDocumentOrder


#: the column behind each LegalDocumentOrderField: what its values are, whether it may be null
_KEYS: dict[str, tuple[type, bool]] = {
    "title": (str, False), "level": (LegalLevel, False), "version_date": (date, True), "effective_date": (date, True),
}  # fmt: skip


async def legal_documents_page(
    settings: Settings,
    *,
    args: PageArgs,
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
    return await keyset_page(
        m.LegalDocument,
        q,
        sort_key(order_by, _KEYS, "title"),
        args,
        default=settings.default_page_size,
        maximum=settings.max_page_size,
    )
