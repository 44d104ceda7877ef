"""Who sees what (DESIGN.md, "Who sees what"), decided here once and used by every path.

PUBLIC sees units, legal documents and powers that are PUBLISHED, disclosed to PUBLIC and not
confidential, with their public records. UNIT_STAFF and UNIT_LEAD see in addition everything of
their own unit and its children. REVIEWER, INSPECTOR and ADMIN see everything. An item the caller
may not see answers as not found.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tortoise.expressions import Q

from domain.enums import DisclosureScope, PowerStatus, Role
from domain.errors import PermissionDenied
from domain.models import Unit

UNIT_ROLES = frozenset({Role.UNIT_STAFF, Role.UNIT_LEAD})
SEE_ALL_ROLES = frozenset({Role.REVIEWER, Role.INSPECTOR, Role.ADMIN})


@dataclass(frozen=True)
class Viewer:
    """The caller: a role, and for unit roles the ids of their unit and its descendants."""

    role: Role = Role.PUBLIC
    name: str = "public"
    unit_id: int | None = None
    unit_ids: frozenset[int] = field(default_factory=frozenset)
    token_id: int | None = None

    @property
    def sees_all(self) -> bool:
        return self.role in SEE_ALL_ROLES

    @property
    def sees_confidential(self) -> bool:
        """Whether confidential (涉密) powers may reach this caller at all."""
        return self.sees_all or bool(self.unit_ids)


PUBLIC = Viewer()
CLI = Viewer(role=Role.ADMIN, name="cli")


def _prefixed(prefix: str, **lookups: object) -> dict[str, object]:
    return {f"{prefix}{key}": value for key, value in lookups.items()}


def power_q(viewer: Viewer, prefix: str = "") -> Q:
    """The powers `viewer` may see; `prefix` reaches a power through a relation (`power__`)."""
    if viewer.sees_all:
        return Q()
    public = Q(
        **_prefixed(
            prefix,
            status=PowerStatus.PUBLISHED,
            disclosure_scope=DisclosureScope.PUBLIC,
            confidential=False,
        )
    )
    if viewer.unit_ids:
        return public | Q(**_prefixed(prefix, unit_id__in=sorted(viewer.unit_ids)))
    return public


def record_q(viewer: Viewer) -> Q:
    """Disclosure and operation records: PUBLIC ones of visible powers, or all of the unit's own."""
    if viewer.sees_all:
        return Q()
    public = Q(scope=DisclosureScope.PUBLIC) & power_q(PUBLIC, "power__")
    if viewer.unit_ids:
        return public | Q(power__unit_id__in=sorted(viewer.unit_ids))
    return public


def can_edit_unit_content(viewer: Viewer, unit_id: int) -> bool:
    """Powers, positions, bases and flow charts of a unit: its own staff, or an admin."""
    return viewer.role == Role.ADMIN or (viewer.role in UNIT_ROLES and unit_id in viewer.unit_ids)


def require_unit_content(viewer: Viewer, unit_id: int) -> None:
    if not can_edit_unit_content(viewer, unit_id):
        raise PermissionDenied("你无权修改该单位的职权信息 (not allowed to change this unit's content)")


def require_admin(viewer: Viewer) -> None:
    if viewer.role != Role.ADMIN:
        raise PermissionDenied("需要管理员权限 (admin role required)")


async def unit_subtree_ids(unit_id: int) -> frozenset[int]:
    """A unit and all its descendants, one query per tree level."""
    found = {unit_id}
    frontier = [unit_id]
    while frontier:
        frontier = await Unit.filter(parent_id__in=frontier).values_list("id", flat=True)
        frontier = [i for i in frontier if i not in found]
        found.update(frontier)
    return frozenset(found)
