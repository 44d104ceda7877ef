"""Builders for tests of the write operations: units, powers and documents of their own, unique codes."""

from __future__ import annotations

import itertools
import os
from typing import Any

from domain.access import Viewer, unit_subtree_ids
from domain.codes import MAX_SERIAL, power_code
from domain.enums import LegalLevel, PowerCategory, Role, UnitKind
from domain.models import (
    AuditEvent,
    FlowChart,
    FlowEdge,
    FlowStep,
    LegalArticle,
    LegalDocument,
    LegalWork,
    Position,
    Power,
    PowerBasis,
    Unit,
)
from domain.services.legal_articles import ArticleData
from domain.services.legal_documents import LegalDocumentData, create_legal_document
from domain.services.powers import PowerData, create_power
from domain.services.units import UnitData, create_unit

ADMIN = Viewer(role=Role.ADMIN, name="test-admin")
REVIEWER = Viewer(role=Role.REVIEWER, name="test-reviewer")
PUBLIC = Viewer()
_serial = itertools.count(1)
_own_serial = itertools.count(1)
_run = f"{os.getpid() % 10000:04d}"


def unique(prefix: str = "T") -> str:
    """A code no other test (or the demo county) uses."""
    return f"{prefix}{_run}{next(_serial):05d}"


def own_code(unit: Unit, category: PowerCategory = PowerCategory.PENALTY) -> str:
    """A new power code in the unit's own range, for an admin to choose (serials rise call by call)."""
    return power_code(unit.code, category, next(_own_serial) % MAX_SERIAL + 1)


def power_name(base: str) -> str:
    """A power name of these tests only, so that no public text of the demo county contains it."""
    return f"{base}（测试{unique('')}）"


async def make_unit(parent: Unit | None = None, **fields: Any) -> Unit:
    data = UnitData(
        code=fields.pop("code", unique("5")),  # numeric, as domain.codes expects; not the demo county's 360723
        name=fields.pop("name", "测试单位"),
        kind=fields.pop("kind", UnitKind.OFFICE if parent else UnitKind.DEPARTMENT),
        region_code=fields.pop("region_code", "360723"),
        parent_id=parent.id if parent else None,
        **fields,
    )
    return await create_unit(ADMIN, data)


async def staff_of(unit: Unit, role: Role = Role.UNIT_STAFF) -> Viewer:
    """A unit token's viewer: the unit and its offices."""
    return Viewer(role=role, name=f"staff@{unit.code}", unit_id=unit.id, unit_ids=await unit_subtree_ids(unit.id))


async def make_power(unit: Unit, **fields: Any) -> Power:
    data = PowerData(
        unit_id=unit.id,
        name=fields.pop("name", None) or power_name("对违反测试管理规定行为的行政处罚"),
        category=fields.pop("category", PowerCategory.PENALTY),
        code=fields.pop("code", ""),  # the next of the unit and category
        **fields,
    )
    return await create_power(ADMIN, data)


async def make_document(level: LegalLevel = LegalLevel.LAW, articles: int = 3, **fields: Any) -> LegalDocument:
    data = LegalDocumentData(
        title=fields.pop("title", f"测试管理法{unique('')}"),
        level=level,
        articles=[ArticleData(number=n, text=f"第{n}条的内容。") for n in range(1, articles + 1)],
        **fields,
    )
    return await create_legal_document(ADMIN, data)


async def first_article(document: LegalDocument) -> LegalArticle:
    return await LegalArticle.get(document_id=document.id, ordinal=1)


COUNTED = (Unit, Position, Power, PowerBasis, FlowChart, FlowStep, FlowEdge, LegalWork, LegalDocument, LegalArticle, AuditEvent)


async def row_counts() -> dict[str, int]:
    """Rows per table, to show that a rejected change wrote nothing."""
    return {model.__name__: await model.all().count() for model in COUNTED}


async def audit_actions(entity_type: str, entity_id: int) -> list[str]:
    return [e.action for e in await AuditEvent.filter(entity_type=entity_type, entity_id=str(entity_id))]
