"""API tokens: created once, shown once, stored as SHA-256; listed, given an expiry and revoked by admins.

Every request reads its token's row (viewer_for_token), so a revocation or an expiry takes effect on
the next request of every process. The last use is written at most once per LAST_USE_PRECISION, so
an ordinary request costs no write.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import date, datetime, time, timedelta, timezone

from tortoise.transactions import in_transaction

from domain.access import CLI, UNIT_ROLES, Viewer, require_admin, viewer_for
from domain.audit import record
from domain.enums import ReviewSeat, Role
from domain.errors import FieldError, NotFound, ValidationFailed, Validator
from domain.leading_group import check_token_seat
from domain.models import ApiToken, Unit
from domain.rows import Rows

TOKEN_PREFIX = "qq_"
LAST_USE_PRECISION = timedelta(minutes=10)
COUNTY_TZ = timezone(timedelta(hours=8))  # Asia/Shanghai: no daylight saving
_DURATION = re.compile(r"^(\d+)\s*([wdhm])$")
_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes"}


def hash_token(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def current_time() -> datetime:
    """Now, in the county's zone (as tortoise reads times back): the same instant as UTC, one spelling."""
    return datetime.now(COUNTY_TZ)


def token_status(token: ApiToken, now: datetime | None = None) -> str:
    """`revoked`, `expired` or `active`."""
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= (now or current_time()):
        return "expired"
    return "active"


def parse_expiry(text: str, now: datetime | None = None) -> datetime | None:
    """`30d`, `12h`, `2w`, `90m` from now; a date (valid through that day in the county, UTC+8); an ISO
    date and time (UTC+8 unless it says otherwise); `never` (None). ValidationFailed otherwise."""
    text = text.strip().lower()
    if text in ("never", "none", ""):
        return None
    now = now or current_time()
    if match := _DURATION.match(text):
        return now + timedelta(**{_UNITS[match[2]]: int(match[1])})
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return datetime.combine(date.fromisoformat(text) + timedelta(days=1), time(), COUNTY_TZ)
        moment = datetime.fromisoformat(text.upper())
    except ValueError:
        moment = None
    if moment is None:
        raise ValidationFailed(
            [FieldError("expires_at", f"无法识别的有效期 {text!r} (use 30d, 12h, 2026-06-30, an ISO date-time or never)")]
        )
    return moment if moment.tzinfo else moment.replace(tzinfo=COUNTY_TZ)


def _check_expiry(v: Validator, expires_at: datetime | None) -> None:
    if expires_at is not None:
        v.check(expires_at.tzinfo is not None, "expires_at", "有效期须带时区 (give a time zone)")
        if expires_at.tzinfo is not None:
            v.check(expires_at > current_time(), "expires_at", "有效期须在将来 (the expiry must be in the future)")


async def create_token(
    role: Role,
    unit_code: str | None = None,
    name: str = "",
    *,
    unit_id: int | None = None,
    expires_at: datetime | None = None,
    seat: ReviewSeat | None = None,
    member_id: int | None = None,
    actor: Viewer = CLI,
) -> tuple[ApiToken, str]:
    """Create a token for `role` (unit roles need a unit, by code or id; a reviewer acting in reviews,
    its seat — one some member of the leading group holds — or the member whose seat it holds, see
    domain.leading_group); return it with its plaintext."""
    require_admin(actor)
    v = Validator()
    unit = None
    if unit_code:
        unit = await Unit.get_or_none(code=unit_code)
        v.check(unit is not None, "unit_id", f"没有编码为 {unit_code} 的单位 (no unit with code {unit_code})", "not_found")
    elif unit_id is not None:
        unit = await Unit.get_or_none(id=unit_id)
        v.check(unit is not None, "unit_id", "单位不存在 (unit not found)", "not_found")
    v.check(
        role not in UNIT_ROLES or unit_code is not None or unit_id is not None,
        "unit_id",
        f"{role.value} 令牌必须指定单位 (a {role.value} token needs a unit: --unit CODE or unitId)",
        "required",
    )
    v.check(
        seat is None or role == Role.REVIEWER,
        "seat",
        "只有审核人员令牌有审核席位 (only a REVIEWER token holds a seat)",
        "invalid",
    )
    v.check(
        member_id is None or role == Role.REVIEWER,
        "member_id",
        "只有审核人员令牌可以对应领导小组成员 (only a REVIEWER token is bound to a member)",
        "invalid",
    )
    if role == Role.REVIEWER:
        seat = await check_token_seat(v, seat, member_id)
    v.check(len(name) <= 100, "name", "名称最多 100 个字符 (a name has at most 100 characters)")
    _check_expiry(v, expires_at)
    v.raise_if_any()
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    async with in_transaction():
        token = await ApiToken.create(
            name=name.strip() or f"{role.value.lower()}{'@' + unit.code if unit else ''}",
            role=role,
            unit=unit,
            token_hash=hash_token(plaintext),
            prefix=plaintext[:10],
            expires_at=expires_at,
            seat=seat,
            member_id=member_id,
        )
        await record(
            actor, "token.create", "api_token", token.id, name=token.name, role=role.value,
            unit=unit.code if unit else None, prefix=token.prefix, expires_at=_iso(expires_at), seat=seat.value if seat else None,
            member_id=member_id,
        )  # fmt: skip
    return token, plaintext


def list_tokens(viewer: Viewer):  # noqa: ANN201  (a tortoise QuerySet[ApiToken])
    """Every token, newest first (admins only); callers select what they show, never the hash."""
    require_admin(viewer)
    return ApiToken.all().order_by("-id")


async def _token_for_admin(viewer: Viewer, token_id: int) -> ApiToken:
    require_admin(viewer)
    token = await ApiToken.get_or_none(id=token_id)
    if token is None:
        raise NotFound(f"令牌 #{token_id} 不存在 (no token #{token_id})")
    return token


async def revoke_token(viewer: Viewer, token_id: int) -> ApiToken:
    """Revoke a token for good: its next request, in any process, is a 401. Revoking twice changes nothing."""
    token = await _token_for_admin(viewer, token_id)
    if token.revoked_at is None:
        token.revoked_at = current_time()
        async with in_transaction():
            await ApiToken.filter(id=token.id, revoked_at=None).update(revoked_at=token.revoked_at)
            await record(viewer, "token.revoke", "api_token", token.id, name=token.name, prefix=token.prefix)
    return token


async def set_token_expiry(viewer: Viewer, token_id: int, expires_at: datetime | None) -> ApiToken:
    """Give a token an expiry (in the future), or none; a revoked token stays revoked."""
    token = await _token_for_admin(viewer, token_id)
    v = Validator()
    v.check(token.revoked_at is None, "id", f"令牌 #{token_id} 已撤销 (token #{token_id} is revoked)", "revoked")
    _check_expiry(v, expires_at)
    v.raise_if_any()
    before, token.expires_at = token.expires_at, expires_at
    async with in_transaction():
        await ApiToken.filter(id=token.id).update(expires_at=expires_at)
        await record(viewer, "token.expiry", "api_token", token.id, name=token.name, before=_iso(before), after=_iso(expires_at))
    return token


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


async def viewer_for_token(plaintext: str) -> Viewer | None:
    """The viewer a bearer token stands for, or None when it is unknown, revoked or expired."""
    # every request with a token asks this: a statement compiled once (domain.rows), not built each time
    found = await Rows(ApiToken.all(), shared=True).where_in("token_hash", [hash_token(plaintext)])
    token = found[0] if found else None
    now = current_time()
    if token is None or token_status(token, now) != "active":
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USE_PRECISION:
        await ApiToken.filter(id=token.id).update(last_used_at=now)
    return await viewer_for(
        token.role, token.unit_id, name=token.name, token_id=token.id, seat=token.seat, member_id=token.member_id
    )


async def token_refusal(plaintext: str) -> str:
    """Why a token is refused, for the 401: unknown, revoked (when) or expired (when)."""
    token = await ApiToken.get_or_none(token_hash=hash_token(plaintext))
    if token is None:
        return "unknown token"
    status = token_status(token)
    if status == "revoked":
        return f"token revoked on {token.revoked_at.astimezone(COUNTY_TZ):%Y-%m-%d %H:%M} (UTC+8)"  # type: ignore[union-attr]
    if status == "expired":
        return f"token expired on {token.expires_at.astimezone(COUNTY_TZ):%Y-%m-%d %H:%M} (UTC+8)"  # type: ignore[union-attr]
    return "token refused"
