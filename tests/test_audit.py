"""The audit trail is append-only: in the model and in the database itself."""

from __future__ import annotations

import pytest
from tortoise import connections
from tortoise.exceptions import OperationalError

from domain import access, audit
from domain.models import AuditEvent


async def test_audit_events_cannot_be_changed_or_deleted(database: str) -> None:
    event = await audit.record(access.CLI, "test.append_only", "Test", 1, note="original")
    event.action = "tampered"
    with pytest.raises(OperationalError):
        await event.save()
    with pytest.raises(OperationalError):
        await event.delete()
    # below the model too: the database refuses bulk updates, deletes and raw SQL
    with pytest.raises(Exception, match="append-only"):
        await AuditEvent.filter(id=event.id).update(action="tampered")
    with pytest.raises(Exception, match="append-only"):
        await AuditEvent.filter(id=event.id).delete()
    with pytest.raises(Exception, match="append-only"):
        await connections.get("default").execute_query(f"DELETE FROM audit_event WHERE id = {event.id}")
    stored = await AuditEvent.get(id=event.id)
    assert stored.action == "test.append_only" and stored.detail == {"note": "original"}
