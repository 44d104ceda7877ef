"""API tokens: created once, shown once, stored as SHA-256."""

from __future__ import annotations

import hashlib
import secrets

from domain.access import UNIT_ROLES, Viewer, unit_subtree_ids
from domain.enums import Role
from domain.errors import Validator
from domain.models import ApiToken, Unit

TOKEN_PREFIX = "qq_"


def hash_token(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


async def create_token(role: Role, unit_code: str | None = None, name: str = "") -> tuple[ApiToken, str]:
    """Create a token for `role` (unit roles need `unit_code`); return it with its plaintext."""
    v = Validator()
    unit = None
    if unit_code:
        unit = await Unit.get_or_none(code=unit_code)
        v.check(unit is not None, "unit", f"没有编码为 {unit_code} 的单位 (no unit with code {unit_code})", "not_found")
    v.check(
        role not in UNIT_ROLES or unit_code is not None,
        "unit",
        f"{role.value} 令牌必须指定单位 (a {role.value} token needs --unit)",
        "required",
    )
    v.raise_if_any()
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = await ApiToken.create(
        name=name or f"{role.value.lower()}{'@' + unit_code if unit_code else ''}",
        role=role,
        unit=unit,
        token_hash=hash_token(plaintext),
        prefix=plaintext[:10],
    )
    return token, plaintext


async def viewer_for_token(plaintext: str) -> Viewer | None:
    """The viewer a bearer token stands for, or None when it is unknown or revoked."""
    token = await ApiToken.get_or_none(token_hash=hash_token(plaintext), revoked_at=None)
    if token is None:
        return None
    unit_ids: frozenset[int] = frozenset()
    if token.role in UNIT_ROLES and token.unit_id is not None:
        unit_ids = await unit_subtree_ids(token.unit_id)
    return Viewer(role=token.role, name=token.name, unit_id=token.unit_id, unit_ids=unit_ids, token_id=token.id)
