"""Resolvers of power lists and lookups; visibility from domain.access on every one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise.expressions import Q, Subquery

from domain import access
from domain import models as m
from domain.loop_models import NetworkPower
from domain.rows import Rows
from resolvers.ids import decode_id
from resolvers.pagination import Page, paginate

if TYPE_CHECKING:
    from qingquan.settings import Settings
    from resolvers.loaders import Loaders
    from schema.catalogue.power import PowerFilter, PowerOrder


def power_filter_q(f: PowerFilter | None) -> Q:
    """The conditions of a PowerFilter, without the unit (resolved separately to its subtree)."""
    q = Q()
    if f is None:
        return q
    if f.category is not None:
        q &= Q(category=f.category)
    if f.categories:
        q &= Q(category__in=list(f.categories))
    if f.status is not None:
        q &= Q(status=f.status)
    if f.statuses:
        q &= Q(status__in=list(f.statuses))
    if f.exercise_mode is not None:
        q &= Q(exercise_mode=f.exercise_mode)
    if f.name_contains:
        q &= Q(name__icontains=f.name_contains.strip())
    if f.code:
        q &= Q(code=f.code.strip())
    if f.network is not None:
        q &= Q(id__in=Subquery(NetworkPower.filter(network=f.network).values("power_id")))
    return q


async def powers_page(
    viewer: access.Viewer,
    settings: Settings,
    loaders: Loaders,
    *,
    first: int | None,
    offset: int,
    filter: PowerFilter | None,
    order_by: PowerOrder | None,
    within_unit: int | None = None,
) -> Page[m.Power]:
    """A page of the powers `viewer` may see; the total counts only those."""
    q = access.power_q(viewer) & power_filter_q(filter)
    unit_ids = [within_unit] if within_unit is not None else []
    if filter is not None and filter.unit_id is not None:
        unit_ids.append(decode_id(filter.unit_id, "Unit", field="filter.unitId"))
    for unit_id in unit_ids:
        q &= Q(unit_id__in=sorted(await loaders.unit_subtree(unit_id)))
    order = order_by.direction.apply(order_by.field.value) if order_by else "code"
    page = await paginate(
        Rows(m.Power.all().order_by(order, "id"), loaders.fields_of(m.Power, "id"), shared=True, where=q),
        first=first,
        offset=offset,
        default=settings.default_page_size,
        maximum=settings.max_page_size,
    )
    for power in page.items:
        loaders.power_by_id.prime(power.id, power)
    return page
