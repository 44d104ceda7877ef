"""What complaints and disclosure requests (依申请公开) share: anyone files one and gets a 查询码, shown
once and stored hashed, with which they follow it; the unit and oversight list them by status and
deadline."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Collection
from typing import Any, TypeVar

from tortoise.expressions import Q
from tortoise.models import Model

from domain import access
from domain.errors import NotFound
from domain.workdays import today

M = TypeVar("M", bound=Model)


def receipt_hash(code: str) -> str:
    return hashlib.sha256(code.strip().encode("utf-8")).hexdigest()


def issue(filed: Any) -> str:
    """A new 查询码 for `filed` (before it is saved): its hash kept, the code itself returned to show once."""
    code = secrets.token_urlsafe(12)
    filed.receipt_hash = receipt_hash(code)
    return code


async def by_receipt(model: type[M], object_id: int, code: str, not_found: str) -> M:
    """The `model` row whose number and 查询码 these are; anything else answers as not found."""
    found = await model.get_or_none(id=object_id)
    stored = getattr(found, "receipt_hash", "") if found is not None else ""
    if not stored or not secrets.compare_digest(stored, receipt_hash(code)):
        raise NotFound(not_found)
    return found  # type: ignore[return-value]


def filed_q(
    viewer: access.Viewer,
    waiting: Collection[Any],
    *,
    statuses: list[Any] | None = None,
    overdue: bool | None = None,
    unit_ids: frozenset[int] | None = None,
    on: datetime.date | None = None,
) -> Q:
    """Filings `viewer` may see (oversight roles all, a unit its own and its offices'), by status, by being
    overdue (still `waiting` past its due date on `on`) and by unit."""
    q = access.unit_rows_q(viewer)
    if statuses:
        q &= Q(status__in=statuses)
    if overdue is not None:
        late = Q(status__in=list(waiting), due_on__lt=on or today())
        q &= late if overdue else ~late
    if unit_ids is not None:
        q &= Q(unit_id__in=sorted(unit_ids))
    return q
