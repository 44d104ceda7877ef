"""Resolvers of unit lists."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise.expressions import Q

from domain import models as m
from resolvers.ids import decode_id
from resolvers.keyset import PageArgs, SortKey, keyset_page
from resolvers.pagination import Page

if TYPE_CHECKING:
    from qingquan.settings import Settings
    from schema.catalogue.unit import UnitFilter


async def units_page(settings: Settings, *, args: PageArgs, filter: UnitFilter | None) -> Page[m.Unit]:
    """Units are public (DESIGN.md): every caller sees the whole tree."""
    q = Q()
    if filter is not None:
        if filter.parent_id is not None:
            q &= Q(parent_id=decode_id(filter.parent_id, "Unit", field="filter.parentId"))
        if filter.roots_only:
            q &= Q(parent_id=None)
        if filter.kind is not None:
            q &= Q(kind=filter.kind)
        if filter.kinds:
            q &= Q(kind__in=list(filter.kinds))
        if filter.name_contains:
            q &= Q(name__icontains=filter.name_contains.strip())
        if filter.code:
            q &= Q(code=filter.code.strip())
    return await keyset_page(
        m.Unit,
        q,
        SortKey("code", str),
        args,
        default=settings.default_page_size,
        maximum=settings.max_page_size,
    )
