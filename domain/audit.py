"""The append-only audit trail: every change is recorded with who, when and what."""

from __future__ import annotations

from typing import Any

from domain.access import Viewer
from domain.models import AuditEvent


async def record(viewer: Viewer, action: str, entity_type: str, entity_id: object, **detail: Any) -> AuditEvent:
    return await AuditEvent.create(
        actor=viewer.name,
        role=viewer.role,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        detail=detail,
    )
