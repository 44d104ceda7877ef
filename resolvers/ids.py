"""Relay global ids and opaque cursors (base64 of `Type:pk` and `o:offset`)."""

from __future__ import annotations

import base64
import binascii

import strawberry

from domain.errors import FieldError, ValidationFailed


def encode_id(type_name: str, pk: int) -> strawberry.ID:
    return strawberry.ID(base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("="))


def parse_id(global_id: str) -> tuple[str, int] | None:
    """`(type name, pk)` of a global id, or None when it is not one of ours."""
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        type_name, _, pk = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
        return (type_name, int(pk)) if type_name and pk.isdigit() else None
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


def decode_id(global_id: str, expected: str, field: str = "id") -> int:
    """The pk of a global id of type `expected`; a typed validation error otherwise."""
    parsed = parse_id(global_id)
    if parsed is None or parsed[0] != expected:
        raise ValidationFailed([FieldError(field, f"不是有效的 {expected} ID (not a {expected} id)", "invalid_id")])
    return parsed[1]


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    try:
        prefix, _, value = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        if prefix == "o" and value.isdigit():
            return int(value)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise ValidationFailed([FieldError("after", "无效的分页游标 (invalid cursor)", "invalid_cursor")])
