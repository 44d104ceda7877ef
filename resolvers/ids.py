"""Relay global ids and opaque cursors (base64 of `Type:pk` and `o:offset`).

Both are canonical: an id or cursor is accepted only in the exact spelling we hand out (no padding on
ids, no other base64 alphabet, ASCII digits without leading zeros), so that one object has one id and
a client's cache never holds two entries for it. Numbers beyond what the database stores are refused
here, before they reach a query.
"""

from __future__ import annotations

import base64
import binascii
import functools
import re

import strawberry

from domain.errors import FieldError, ValidationFailed
from domain.ids import global_id

# Primary keys are 32-bit on PostgreSQL (serial); offsets are bounded the same way.
MAX_PK = 2**31 - 1
MAX_OFFSET = 2**31 - 1
_NUMBER = re.compile(r"0|[1-9][0-9]{0,9}")
_TYPE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")


@functools.lru_cache(maxsize=1 << 16)
def encode_id(type_name: str, pk: int) -> strawberry.ID:
    """`Type:pk` in base64 (memoized: a page of nested objects builds hundreds of ids, mostly the same few)."""
    return strawberry.ID(global_id(type_name, pk))


def _b64_text(value: str) -> str | None:
    """The ASCII text behind a urlsafe-base64 string, or None."""
    if len(value) > 120 or not value.isascii():
        return None
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


def parse_id(global_id: str) -> tuple[str, int] | None:
    """`(type name, pk)` of a global id, or None when it is not one of ours (or not in canonical form)."""
    text = _b64_text(global_id)
    if text is None:
        return None
    type_name, _, pk = text.partition(":")
    if not _TYPE_NAME.fullmatch(type_name) or not _NUMBER.fullmatch(pk):
        return None
    number = int(pk)
    if not 0 < number <= MAX_PK or encode_id(type_name, number) != global_id:
        return None
    return type_name, number


def decode_id(global_id: str, expected: str, field: str = "id") -> int:
    """The pk of a global id of type `expected`; a typed validation error otherwise."""
    parsed = parse_id(global_id)
    if parsed is None or parsed[0] != expected:
        raise ValidationFailed([FieldError(field, f"不是有效的 {expected} ID (not a {expected} id)", "invalid_id")])
    return parsed[1]


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    text = _b64_text(cursor)
    prefix, _, value = (text or "").partition(":")
    if prefix == "o" and _NUMBER.fullmatch(value) and int(value) <= MAX_OFFSET and encode_cursor(int(value)) == cursor:
        return int(value)
    raise ValidationFailed([FieldError("after", "无效的分页游标 (invalid cursor)", "invalid_cursor")])
