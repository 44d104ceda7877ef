"""Who sees what (DESIGN.md, "Who sees what"), decided here once and used by every path.

PUBLIC sees units, legal documents and powers that are PUBLISHED, disclosed to PUBLIC and not
confidential, with their public records. UNIT_STAFF and UNIT_LEAD see in addition everything of
their own unit and its children, within the 公开范围 the plan gives them (record_scopes): a power or
record disclosed 领导班子内公开 (LEADERSHIP) only to the unit's leads, not its staff. REVIEWER,
INSPECTOR and ADMIN see everything. An item the caller may not see answers as not found.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

from tortoise.expressions import Q

from domain.enums import CommentStatus, DisclosureScope, PowerStatus, ReviewSeat, Role
from domain.errors import NotFound, PermissionDenied, Validator
from domain.models import Power, Unit

UNIT_ROLES = frozenset({Role.UNIT_STAFF, Role.UNIT_LEAD})
SEE_ALL_ROLES = frozenset({Role.REVIEWER, Role.INSPECTOR, Role.ADMIN})
#: comments on a 公示稿 the public reads (the unit moderates the others)
SHOWN_COMMENTS = frozenset({CommentStatus.PUBLISHED, CommentStatus.ANSWERED})


@dataclass(frozen=True)
class Viewer:
    """The caller: a role, and for unit roles the ids of their unit and its descendants."""

    role: Role = Role.PUBLIC
    name: str = "public"
    unit_id: int | None = None
    unit_ids: frozenset[int] = field(default_factory=frozenset)
    token_id: int | None = None
    seat: ReviewSeat | None = None  # a REVIEWER's office, or the leading group
    member_id: int | None = None  # the leading group's member (附1) a REVIEWER's token is bound to

    @property
    def sees_all(self) -> bool:
        return self.role in SEE_ALL_ROLES


PUBLIC = Viewer()
CLI = Viewer(role=Role.ADMIN, name="cli")


def _prefixed(prefix: str, **lookups: object) -> dict[str, object]:
    return {f"{prefix}{key}": value for key, value in lookups.items()}


#: The public rule as data: a power anyone may see has exactly these field values. power_q turns it
#: into a database filter and search/ into an index filter, so both paths apply one rule.
PUBLIC_POWER: Mapping[str, object] = MappingProxyType(
    {"status": PowerStatus.PUBLISHED, "disclosure_scope": DisclosureScope.PUBLIC, "confidential": False}
)


ALL_SCOPES = frozenset(DisclosureScope)


def record_scopes(viewer: Viewer) -> frozenset[DisclosureScope]:
    """The 公开范围 of its own units' powers and records a unit role reads: PUBLIC (向社会公开), LIMITED
    (一定范围或依申请公开) and INTERNAL (内部公开: the unit); LEADERSHIP (领导班子内公开) only its leads.
    Oversight roles read all."""
    if viewer.sees_all or viewer.role == Role.UNIT_LEAD:
        return ALL_SCOPES
    return ALL_SCOPES - {DisclosureScope.LEADERSHIP}


@dataclass(frozen=True)
class PowerVisibility:
    """Which powers a viewer sees: all, or those matching PUBLIC_POWER plus those of `unit_ids` whose
    disclosure_scope is one of `unit_scopes` (record_scopes: a unit's staff not its LEADERSHIP powers)."""

    sees_all: bool
    public: Mapping[str, object]
    unit_ids: frozenset[int]
    unit_scopes: frozenset[DisclosureScope] = ALL_SCOPES

    @property
    def unit_scopes_limited(self) -> bool:
        """Whether some of its own units' powers are hidden from the viewer by their scope."""
        return self.unit_scopes != ALL_SCOPES


def power_visibility(viewer: Viewer) -> PowerVisibility:
    return PowerVisibility(viewer.sees_all, PUBLIC_POWER, viewer.unit_ids, record_scopes(viewer))


def sees_unit_power(viewer: Viewer, unit_id: int, scope: object) -> bool:
    """Whether `viewer` sees a power of `unit_id` disclosed to `scope` through its own units (not
    through the public rule): oversight roles all, a unit role its units' within record_scopes."""
    rule = power_visibility(viewer)
    return rule.sees_all or (unit_id in rule.unit_ids and scope in rule.unit_scopes)


def sees_power(viewer: Viewer, power: Power) -> bool:
    """power_q's rule for a power already loaded (with unit_id and the fields of PUBLIC_POWER): for
    messages and findings that would otherwise name a power the caller may not see."""
    if sees_unit_power(viewer, power.unit_id, power.disclosure_scope):
        return True
    return all(getattr(power, name) == value for name, value in PUBLIC_POWER.items())


def own_power_q(viewer: Viewer, prefix: str = "") -> Q | None:
    """The powers `viewer` sees as its own units' (None: none): of `unit_ids`, within `unit_scopes`."""
    rule = power_visibility(viewer)
    if not rule.unit_ids:
        return None
    own = Q(**_prefixed(prefix, unit_id__in=sorted(rule.unit_ids)))
    if rule.unit_scopes_limited:
        own &= Q(**_prefixed(prefix, disclosure_scope__in=sorted(rule.unit_scopes)))
    return own


def power_q(viewer: Viewer, prefix: str = "") -> Q:
    """The powers `viewer` may see; `prefix` reaches a power through a relation (`power__`)."""
    rule = power_visibility(viewer)
    if rule.sees_all:
        return Q()
    public = Q(**_prefixed(prefix, **rule.public))
    own = own_power_q(viewer, prefix)
    return public if own is None else public | own


#: 依申请公开 (issue 24, item 6): a power disclosed 一定范围或依申请公开 (LIMITED) is not public, but anyone may
#: learn that it exists — its name, code, unit and category, marked 依申请公开 — to request its content
#: (domain.information_requests). Once published and not confidential only; never its rules, bases, notes,
#: chart or records, which stay under PUBLIC_POWER's rule. Only `powersOnRequest`, `node` of a
#: PowerOnRequest and the filing of a request read it; every other path keeps PUBLIC_POWER.
ON_REQUEST_POWER: Mapping[str, object] = MappingProxyType(
    {"status": PowerStatus.PUBLISHED, "disclosure_scope": DisclosureScope.LIMITED, "confidential": False}
)


def on_request_q(prefix: str = "") -> Q:
    """The powers anyone may know of and request (ON_REQUEST_POWER), whoever asks."""
    return Q(**_prefixed(prefix, **ON_REQUEST_POWER))


def disclosed_publicly(power: Power) -> bool:
    """PUBLIC_POWER's rule but for the status: what a power's published version shows the public."""
    return all(getattr(power, field) == value for field, value in PUBLIC_POWER.items() if field != "status")


def version_q(viewer: Viewer) -> Q:
    """Published versions of powers (domain.versions) `viewer` may read: those that were public when
    published, of powers not (now) confidential; those of the caller's own units whose power it sees
    as its own (own_power_q) and whose scope then it sees too (a unit's staff neither a LEADERSHIP
    power's versions nor one published while the power was LEADERSHIP); everything for the oversight
    roles. A version that was not public then stays hidden even if the power is public now."""
    if viewer.sees_all:
        return Q()
    public = Q(public=True, power__confidential=False)
    own = own_power_q(viewer, "power__")
    if own is None:
        return public
    rule = power_visibility(viewer)
    if rule.unit_scopes_limited:
        own &= Q(scope__in=sorted(rule.unit_scopes))
    return public | own


def check_record_scope(v: Validator, viewer: Viewer, scope: object) -> None:
    """A record is kept by who may read it: a LEADERSHIP one by the unit's leads (or an admin)."""
    v.check(
        not isinstance(scope, DisclosureScope) or scope in record_scopes(viewer),
        "scope",
        "领导班子内公开的记录由本单位负责人登记 (a LEADERSHIP record is kept by the unit's leads)",
        "forbidden_scope",
    )


def check_power_scope(v: Validator, viewer: Viewer, scope: object) -> None:
    """A power's disclosure_scope is set only to one its editor still sees the power in (record_scopes):
    LEADERSHIP by the unit's leads (or an admin), never by its staff, who would lose sight of it."""
    v.check(
        not isinstance(scope, DisclosureScope) or scope in record_scopes(viewer),
        "disclosure_scope",
        "只有本单位负责人可以将职权的公开范围定为领导班子内公开 (only the unit's leads may disclose a power to the leadership only)",
        "forbidden_scope",
    )


def record_q(viewer: Viewer, prefix: str = "") -> Q:
    """Disclosure and operation records: PUBLIC ones of visible powers, or the unit's own within the
    scopes its role reads (record_scopes) of the powers it sees as its own (own_power_q: none of a
    LEADERSHIP power for its staff); oversight roles all. `prefix` reaches a record through a
    relation (`operation__` from an operation's steps)."""
    if viewer.sees_all:
        return Q()
    public = Q(**_prefixed(prefix, scope=DisclosureScope.PUBLIC)) & power_q(PUBLIC, f"{prefix}power__")
    own = own_power_q(viewer, f"{prefix}power__")
    if own is not None and viewer.role in UNIT_ROLES:
        return public | (own & Q(**_prefixed(prefix, scope__in=sorted(record_scopes(viewer)))))
    return public


def can_edit_unit_content(viewer: Viewer, unit_id: int) -> bool:
    """Powers, positions, bases and flow charts of a unit: its own staff, or an admin."""
    return viewer.role == Role.ADMIN or (viewer.role in UNIT_ROLES and unit_id in viewer.unit_ids)


def require_unit_content(viewer: Viewer, unit_id: int) -> None:
    if not can_edit_unit_content(viewer, unit_id):
        raise PermissionDenied("你无权修改该单位的职权信息 (not allowed to change this unit's content)")


def require_power_content(viewer: Viewer, power: Power) -> None:
    """A power's own content (it, its bases, flow chart, positions' links, revisions, records): who sees
    the power (sees_power: a unit's LEADERSHIP power only its leads) and may change its unit's content
    (require_unit_content). A power the caller does not see is refused as not found, as if it did not
    exist, never named; callers normally reached it through power_q already."""
    if not sees_power(viewer, power):
        raise NotFound("职权不存在或无权查看 (power not found)")
    require_unit_content(viewer, power.unit_id)


def require_confidential_list(viewer: Viewer, unit_id: int) -> None:
    """附6 涉密不宜公开权力目录 of a unit: only to who may see that unit's confidential powers."""
    if not (viewer.sees_all or unit_id in viewer.unit_ids):
        raise PermissionDenied("你无权查看涉密不宜公开权力目录 (not allowed to see confidential powers)")


def require_staff(viewer: Viewer) -> None:
    """Any signed-in role (a token): the public has no business there."""
    if viewer.role == Role.PUBLIC:
        raise PermissionDenied("需要登录 (staff only)")


def require_admin(viewer: Viewer) -> None:
    if viewer.role != Role.ADMIN:
        raise PermissionDenied("需要管理员权限 (admin role required)")


def require_library_editor(viewer: Viewer) -> None:
    """Filing (uploading) and correcting documents of the legal library: admins only. Documents are
    county-wide and public, and belong to no unit, so unit roles cannot be scoped to "their own"."""
    if viewer.role != Role.ADMIN:
        raise PermissionDenied("只有管理员可以上传或修改文件库中的文件 (only admins may file or correct library documents)")


#: Each root with every unit below it, down the indexed parent_id: only the subtrees' rows are read, however
#: large the tree (issue 20: a province). UNION, not UNION ALL: a (root, unit) pair met again ends its branch,
#: so even a cycle of parents ends.
_SUBTREES = (
    'WITH RECURSIVE subtree (root, id) AS (SELECT "id", "id" FROM "unit" WHERE "id" IN ({roots}) '
    'UNION SELECT subtree.root, "unit"."id" FROM "unit" JOIN subtree ON "unit"."parent_id" = subtree.id) '
    "SELECT root, id FROM subtree"
)


async def unit_subtrees(unit_ids: Collection[int]) -> dict[int, frozenset[int]]:
    """Each of `unit_ids` with all its descendants, in one statement (a unit that does not exist: itself)."""
    roots = sorted(set(unit_ids))
    found = {root: {root} for root in roots}
    if roots:
        db = Unit._choose_db()
        sqlite = db.capabilities.dialect == "sqlite"
        marks = ", ".join("?" if sqlite else f"${i}" for i in range(1, len(roots) + 1))
        _, rows = await db.execute_query(_SUBTREES.format(roots=marks), roots)
        for row in rows:
            found[row[0]].add(row[1])
    return {root: frozenset(ids) for root, ids in found.items()}


async def unit_subtree_ids(unit_id: int) -> frozenset[int]:
    """A unit and all its descendants, in one statement."""
    return (await unit_subtrees([unit_id]))[unit_id]


async def viewer_for(
    role: Role,
    unit_id: int | None,
    *,
    name: str,
    token_id: int | None = None,
    seat: ReviewSeat | None = None,
    member_id: int | None = None,
) -> Viewer:
    """The viewer of a role (a token, a signed link, a webhook, a command's --role): a unit role sees
    its unit and the units below it."""
    unit_ids = await unit_subtree_ids(unit_id) if role in UNIT_ROLES and unit_id is not None else frozenset()
    return Viewer(
        role=role, name=name, unit_id=unit_id, unit_ids=unit_ids, token_id=token_id, seat=seat, member_id=member_id
    )


# -- the review workflow (domain/lifecycle.py, domain/change_notices.py) --------------------------


def internal_q(viewer: Viewer, prefix: str = "power__") -> Q:
    """Never public: reviews, their opinions, change notices and revisions, `prefix` reaching their
    power (`power__`, `review__power__`, `draft__`): unit roles see those of the powers they see as their
    own units' (own_power_q: not a LEADERSHIP power's for its staff). Oversight roles see all. Rows that
    belong to a unit rather than a power (complaints, inspections, requests): unit_rows_q."""
    if viewer.sees_all:
        return Q()
    own = own_power_q(viewer, prefix) if viewer.role in UNIT_ROLES else None
    return Q(id__in=[]) if own is None else own  # nothing (SQL `1=0`)


def unit_rows_q(viewer: Viewer, prefix: str = "") -> Q:
    """Rows that belong to a unit (`prefix` reaching the row holding `unit_id`), never public: unit roles
    see their own units', oversight roles all, anyone else nothing."""
    if viewer.sees_all:
        return Q()
    if viewer.unit_ids and viewer.role in UNIT_ROLES:
        return Q(**_prefixed(prefix, unit_id__in=sorted(viewer.unit_ids)))
    return Q(id__in=[])  # nothing (SQL `1=0`)


def _own_scopes_q(viewer: Viewer, prefix: str) -> Q:
    """Of a unit's rows, those about powers (`prefix` reaching one) whose scope `viewer` sees as its own."""
    rule = power_visibility(viewer)
    if rule.sees_all or not rule.unit_scopes_limited:
        return Q()
    return Q(**_prefixed(prefix, disclosure_scope__in=sorted(rule.unit_scopes)))


def require_declare(viewer: Viewer, unit_id: int) -> None:
    """确认申报 is signed by the unit's lead (主要负责人签署意见), nobody else."""
    if not (viewer.role == Role.UNIT_LEAD and unit_id in viewer.unit_ids):
        raise PermissionDenied("只有本单位主要负责人可以签署申报 (only the unit's lead may declare its powers)")


def require_reviewer(viewer: Viewer) -> None:
    """清理审核 steps that are not one seat's: reviewers (a seat's own steps: require_seat)."""
    if viewer.role != Role.REVIEWER:
        raise PermissionDenied("只有审核人员可以审核 (only a reviewer may review)")


def require_seat(viewer: Viewer, seat: ReviewSeat) -> None:
    """Each reviewing office enters only its own opinion, 县公开办 decides, the leading group (领导小组)
    approves: a reviewer acts only from the seat its token holds."""
    if not (viewer.role == Role.REVIEWER and viewer.seat == seat):
        raise PermissionDenied(
            f"只有{seat.label}的审核人员可以办理此项 (only a reviewer holding the {seat.value} seat may do this)"
        )


def require_publish(viewer: Viewer, unit_id: int) -> None:
    """公开运行 of an approved power: the unit's lead, a reviewer or an admin."""
    if not (viewer.role in (Role.REVIEWER, Role.ADMIN) or (viewer.role == Role.UNIT_LEAD and unit_id in viewer.unit_ids)):
        raise PermissionDenied("只有本单位负责人或审核人员可以公开职权 (only the unit's lead or a reviewer may publish)")


def oversees_unit(viewer: Viewer, unit_id: int) -> bool:
    """A unit's own staff (of it or a unit above), or an oversight role."""
    return viewer.sees_all or (viewer.role in UNIT_ROLES and unit_id in viewer.unit_ids)


def require_unit_workflow_view(viewer: Viewer, unit_id: int) -> None:
    """A unit's pre-review findings and notices: its own staff, and reviewers, inspectors, admins."""
    if not oversees_unit(viewer, unit_id):
        raise PermissionDenied("你无权查看该单位的审核信息 (not allowed to see this unit's review data)")


def sees_personal_data(viewer: Viewer, unit_id: int) -> bool:
    """Personal data in records (当事人, contacts): the handling unit's own staff and oversight roles."""
    return viewer.sees_all or unit_id in viewer.unit_ids


# -- oversight: records, 电子监察, complaints, inspections ------------------------------------------


def require_record_keeper(viewer: Viewer, unit_id: int) -> None:
    """公开记录 and 附7 权力运行记录 of a unit's powers are kept by its own staff (or an admin)."""
    if not can_edit_unit_content(viewer, unit_id):
        raise PermissionDenied("只有本单位工作人员可以登记运行和公开记录 (only the unit's staff may keep its records)")


def require_unit_oversight(viewer: Viewer, unit_id: int) -> None:
    """A unit's overdue disclosures, 电子监察 alarms and complaints: its own staff and oversight roles."""
    if not oversees_unit(viewer, unit_id):
        raise PermissionDenied("你无权查看该单位的监督信息 (not allowed to see this unit's oversight data)")


def alarm_q(viewer: Viewer) -> Q:
    """电子监察's alarms (domain/alarms.py), never public: a unit role those of its own units' exercises it
    reads as its own (internal_q: of the powers it sees as its own; record_scopes: a LEADERSHIP record's
    only its leads), oversight roles all, anyone else none (not another unit's, even of a public power)."""
    if viewer.sees_all:
        return Q()
    return internal_q(viewer, "operation__power__") & Q(operation__scope__in=sorted(record_scopes(viewer)))


def sees_alarm(viewer: Viewer, power: Power, record_scope: DisclosureScope) -> bool:
    """alarm_q's rule for an alarm already loaded (its exercise's power and 公开范围): for webhook events."""
    if viewer.sees_all:
        return True
    return viewer.role in UNIT_ROLES and sees_unit_power(viewer, power.unit_id, power.disclosure_scope) and (
        record_scope in record_scopes(viewer)
    )


def require_complaint_officer(viewer: Viewer) -> None:
    """受理 / 不予受理 and 答复 of complaints: 纪检监察 (INSPECTOR), as the plan assigns it."""
    if viewer.role != Role.INSPECTOR:
        raise PermissionDenied("只有纪检监察人员可以受理和答复投诉 (only an inspector may accept or answer complaints)")


def require_complaint_handler(viewer: Viewer, unit_id: int) -> None:
    """处理 of an accepted complaint: the unit complained about (its staff), or an inspector."""
    if not (viewer.role == Role.INSPECTOR or (viewer.role in UNIT_ROLES and unit_id in viewer.unit_ids)):
        raise PermissionDenied("你无权处理该投诉 (not allowed to handle this complaint)")


def require_inspector(viewer: Viewer) -> None:
    """检查验收 / 绩效评估 / 定级 are recorded by inspectors (县监察局、县公开办)."""
    if viewer.role != Role.INSPECTOR:
        raise PermissionDenied("只有检查人员可以登记检查结果 (only an inspector may record inspections)")


def require_audit_reader(viewer: Viewer) -> None:
    """The audit trail is read by inspectors and admins (and written by everyone's changes)."""
    if viewer.role not in (Role.INSPECTOR, Role.ADMIN):
        raise PermissionDenied("审计记录仅供检查人员和管理员查阅 (inspectors and admins only)")


# -- 公示 and 征求意见 (domain/comment_periods.py): the one addition to the public rule ---------------


def _public_or_own(viewer: Viewer, public: Q, prefix: str, own: Q | None = None) -> Q:
    """`public` for everyone, a unit role's own units' rows besides (unit_rows_q, narrowed by `own`), all
    for oversight roles."""
    if viewer.sees_all:
        return Q()
    mine = unit_rows_q(viewer, prefix)
    return public | (mine if own is None else mine & own)


def comment_period_q(viewer: Viewer, on: date, prefix: str = "") -> Q:
    """Comment periods (through `prefix`, their 公示稿) `viewer` may see on the county date `on`: for the
    public and other units' staff, only while open (started, not past its end, not closed early); a unit
    its own (and its offices') at any time; oversight roles all. Never the draft powers themselves."""
    return _public_or_own(viewer, Q(**_prefixed(prefix, starts_on__lte=on, ends_on__gte=on, closed_at__isnull=True)), prefix)


def comment_draft_q(viewer: Viewer, on: date, prefix: str = "") -> Q:
    """公示稿 `viewer` may read on `on`: those of the periods comment_period_q shows, and for anyone but the
    unit and oversight never one whose power has since been marked confidential (涉密) or narrowed to a
    disclosure scope other than PUBLIC: such a draft is not shown, even frozen; nor to the unit's staff
    one whose power has since been narrowed to LEADERSHIP (its leads see it)."""
    public = comment_period_q(PUBLIC, on, f"{prefix}period__") & Q(
        **_prefixed(prefix, power__confidential=False, power__disclosure_scope=DisclosureScope.PUBLIC)
    )
    return _public_or_own(viewer, public, prefix, _own_scopes_q(viewer, f"{prefix}power__"))


def public_comment_q(viewer: Viewer, on: date) -> Q:
    """Comments on 公示稿: published or answered ones of a period open on `on` for everyone; all of a
    unit's own periods for its staff (but those on a 公示稿 comment_draft_q hides from them); all for
    oversight roles."""
    shown = Q(status__in=sorted(SHOWN_COMMENTS)) & comment_draft_q(PUBLIC, on, "draft__")
    return _public_or_own(viewer, shown, "", _own_scopes_q(viewer, "draft__power__"))
