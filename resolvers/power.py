"""Resolvers of power lists and lookups; visibility from domain.access on every one."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from tortoise.expressions import Q, Subquery

from domain import access, workload
from domain import models as m
from domain.enums import PowerCategory
from domain.loop_models import NetworkPower
from resolvers.ids import decode_id
from resolvers.keyset import PageArgs, keyset_page, sort_key
from resolvers.pagination import Page

if TYPE_CHECKING:
    from domain.rows import Joined
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


#: the column behind each PowerOrderField and what its values are
_POWER_KEYS: dict[str, tuple[type, bool]] = {
    "code": (str, False), "name": (str, False), "category": (PowerCategory, False), "updated_at": (datetime, False),
}  # fmt: skip


async def powers_page(
    viewer: access.Viewer,
    settings: Settings,
    loaders: Loaders,
    *,
    args: PageArgs,
    filter: PowerFilter | None,
    order_by: PowerOrder | None,
    within_unit: int | None = None,
    joined: Joined | None = None,
) -> Page[m.Power]:
    """A page of the powers `viewer` may see; the total counts only those (`joined`: to-one relations read
    with the page's rows)."""
    q = access.power_q(viewer) & power_filter_q(filter)
    unit_ids = [within_unit] if within_unit is not None else []
    if filter is not None and filter.unit_id is not None:
        unit_ids.append(decode_id(filter.unit_id, "Unit", field="filter.unitId"))
    for unit_id in unit_ids:
        q &= Q(unit_id__in=sorted(await loaders.unit_subtree(unit_id)))
    if filter is not None and filter.position_id is not None:
        q &= Q(id__in=await workload.powers_held_by(decode_id(filter.position_id, "Position", field="filter.positionId")))
    page = await keyset_page(
        m.Power,
        q,
        sort_key(order_by, _POWER_KEYS, "code"),
        args,
        fields=loaders.fields_of(m.Power, "id"),
        default=settings.default_page_size,
        maximum=settings.max_page_size,
        joined=joined,
    )
    for power in page.items:
        loaders.power_by_id.prime(power.id, power)
    return page
