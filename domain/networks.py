"""七大网络 as things (issue 24, item 5): each of the seven networks (行政审批, 政府采购, 建设工程招投标,
土地出让, 专项资金管理, 产权交易, 公务员招录) has a lead unit (牵头单位), the powers that run in it and
the exercises (附7 records) recorded in it.

A network and its lead unit are public. Its powers and records are read through the one visibility
rule (access.power_q, access.record_q): counting, listing and filtering by network never shows or counts
a power or record the caller may not see. An admin names the lead unit; a unit's staff (or an admin)
says in which networks one of its powers runs.
"""

from __future__ import annotations

from collections import Counter

from tortoise.functions import Count
from tortoise.transactions import in_transaction

from domain import access
from domain.audit import record
from domain.enums import Network
from domain.errors import NotFound, Validator
from domain.loop_models import NetworkPower, NetworkProfile
from domain.models import OperationRecord, Power, Unit
from domain.operations import check_text

NETWORKS = tuple(Network)


async def profiles() -> dict[Network, NetworkProfile]:
    return {p.network: p for p in await NetworkProfile.all()}


async def power_counts(viewer: access.Viewer) -> Counter[Network]:
    """Per network, the powers that run in it which `viewer` may see."""
    rows = await (
        NetworkPower.filter(access.power_q(viewer, "power__"))
        .annotate(n=Count("id")).group_by("network").values("network", "n")
    )  # fmt: skip
    return Counter({Network(r["network"]): r["n"] for r in rows})


async def record_counts(viewer: access.Viewer) -> Counter[Network]:
    """Per network, the exercises (附7) recorded in it which `viewer` may see."""
    rows = await (
        OperationRecord.filter(access.record_q(viewer), network__isnull=False)
        .annotate(n=Count("id")).group_by("network").values("network", "n")
    )  # fmt: skip
    return Counter({Network(r["network"]): r["n"] for r in rows})


async def set_lead(viewer: access.Viewer, network: Network, lead_unit_id: int | None, description: str | None = None) -> NetworkProfile:
    """An admin names (or clears) a network's lead unit and describes what it covers."""
    access.require_admin(viewer)
    v = Validator()
    text = check_text(v, "description", "网络说明", description or "", required=False) if description is not None else None
    if lead_unit_id is not None and not await Unit.exists(id=lead_unit_id):
        v.add("lead_unit_id", "单位不存在 (unit not found)", "not_found")
    v.raise_if_any()
    async with in_transaction():
        profile, _ = await NetworkProfile.get_or_create(network=network)
        profile.lead_unit_id = lead_unit_id  # type: ignore[assignment]
        if text is not None:
            profile.description = text
        await profile.save()
        await record(viewer, "network.lead", "network", network.value, lead_unit_id=lead_unit_id)
    return profile


async def set_power_networks(viewer: access.Viewer, power_id: int, networks: list[Network]) -> Power:
    """The networks a power runs in (all of them: the list replaces the old one). The power's own unit
    (its staff, who see the power) or an admin; a classification, not the power's content, so it is
    allowed at any status and needs no revision."""
    power = await Power.filter(access.power_q(viewer), id=power_id).first()
    if power is None:
        raise NotFound("职权不存在或无权查看 (power not found)")
    access.require_power_content(viewer, power)
    wanted = list(dict.fromkeys(networks))  # a network named twice is one
    async with in_transaction():
        had = set(await NetworkPower.filter(power_id=power.id).values_list("network", flat=True))
        await NetworkPower.filter(power_id=power.id).exclude(network__in=wanted).delete()
        for network in wanted:
            if network not in had:
                await NetworkPower.create(network=network, power_id=power.id)
        await record(
            viewer, "power.networks", "power", power.id, unit_id=power.unit_id, networks=[n.value for n in wanted]
        )
    return power

