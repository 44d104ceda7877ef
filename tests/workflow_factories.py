"""Builders for the workflow tests: powers with a basis, taken through the lifecycle in the domain."""

from __future__ import annotations

from typing import Any

from domain import lifecycle
from domain.enums import ReviewDecision, ReviewOffice, Role
from domain.models import Power, Unit
from domain.services.bases import BasisData, create_basis
from tests.factories import ADMIN, REVIEWER, first_article, make_document, make_power, make_unit, staff_of

ALL_OPINIONS = [lifecycle.OpinionData(office, f"{office.label}：同意") for office in ReviewOffice]


async def based_power(unit: Unit, **fields: Any) -> Power:
    """A DRAFT power resting on the first article of a new law in force."""
    power = await make_power(unit, **fields)
    article = await first_article(await make_document())
    await create_basis(ADMIN, BasisData(power_id=power.id, article_id=article.id))
    return power


async def in_review(power: Power) -> Power:
    unit = await Unit.get(id=power.unit_id)
    await lifecycle.declare(await staff_of(unit, Role.UNIT_LEAD), power.id, "同意申报。")
    return await lifecycle.submit(await staff_of(unit), power.id)


async def published_power(unit: Unit | None = None, **fields: Any) -> Power:
    """A PUBLISHED power of `unit` (a new department by default), through every step."""
    unit = unit or await make_unit()
    power = await in_review(await based_power(unit, **fields))
    await lifecycle.decide(REVIEWER, power.id, ReviewDecision.RETAIN, "符合规定。", opinions=ALL_OPINIONS)
    return await lifecycle.publish(ADMIN, power.id)
