"""Codes of units and powers.

A unit's code is its region code (行政区划代码, 6 digits) and a 2-digit serial; an office (科室) adds
2 digits to its parent's code: 大余县人民政府 36072300, 国土资源局 36072308, its 地籍股 3607230802.

A power's code (职权编码) is its unit's code, the category letters (domain.enums.CATEGORY_CODE_LETTERS)
and a 4-digit serial within that unit and category: 36072308CF-0001 is 国土资源局's first 行政处罚.
Codes are stable: a power keeps its code across versions, and serials are never reused. Serials come
from a counter row per prefix (domain.service_models.PowerCodeSerial), taken atomically in the
transaction that writes the power; explicit codes move the counter past them. A revision's working
copy is coded `<code>.R<n>` (domain.revisions); no one else writes that form.

Only an ADMIN gives a code, and only exactly of this form (power_code_problem): a code becomes file
names (domain.filenames), and to anyone who cannot see every power "taken" would be an answer about
powers they may not see (domain.services.powers).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient

from domain.enums import CATEGORY_CODE_LETTERS, PowerCategory
from domain.errors import FieldError, ValidationFailed

CATEGORY_BY_LETTERS: dict[str, PowerCategory] = {v: k for k, v in CATEGORY_CODE_LETTERS.items()}
MAX_SERIAL = 9999
#: ASCII digits and letters only (`\d` would take any script's digits) and nothing after the end (`$`
#: would let a trailing newline through).
POWER_CODE = re.compile(r"^(?P<unit>[0-9]{8}(?:[0-9]{2})*)(?P<letters>[A-Z]{2})-(?P<serial>[0-9]{4})\Z")
UNIT_CODE = re.compile(r"^[0-9]{8}(?:[0-9]{2})*\Z")


def unit_code(region_code: str, serial: int) -> str:
    """A top-level unit's code: `360723` + `08` → `36072308`."""
    if not re.fullmatch(r"\d{6}", region_code) or not 0 <= serial <= 99:
        raise ValidationFailed([FieldError("code", f"无效的单位编码要素 (bad region {region_code!r} or serial {serial})")])
    return f"{region_code}{serial:02d}"


def office_code(parent_code: str, serial: int) -> str:
    """A child unit's code: the parent's code and a 2-digit serial (01–99)."""
    if not UNIT_CODE.match(parent_code) or not 1 <= serial <= 99:
        raise ValidationFailed([FieldError("code", f"无效的科室编码要素 (bad parent {parent_code!r} or serial {serial})")])
    return f"{parent_code}{serial:02d}"


def power_code_prefix(unit_code_: str, category: PowerCategory) -> str:
    return f"{unit_code_}{CATEGORY_CODE_LETTERS[category]}-"


def power_code(unit_code_: str, category: PowerCategory, serial: int) -> str:
    """`36072308` + PENALTY + 1 → `36072308CF-0001`."""
    if not UNIT_CODE.match(unit_code_):
        raise ValidationFailed([FieldError("code", f"无效的单位编码 (bad unit code {unit_code_!r})")])
    if not 1 <= serial <= MAX_SERIAL:
        raise ValidationFailed([FieldError("code", f"职权编码序号超出范围 (serial {serial} is outside 1–{MAX_SERIAL})")])
    return f"{power_code_prefix(unit_code_, category)}{serial:04d}"


@dataclass(frozen=True)
class PowerCode:
    unit_code: str
    category: PowerCategory
    serial: int

    def __str__(self) -> str:
        return power_code(self.unit_code, self.category, self.serial)


def parse_power_code(code: str) -> PowerCode | None:
    """The parts of a well-formed power code, or None."""
    m = POWER_CODE.match(code)
    if not m or m["letters"] not in CATEGORY_BY_LETTERS or m["serial"] == "0000":
        return None
    return PowerCode(m["unit"], CATEGORY_BY_LETTERS[m["letters"]], int(m["serial"]))


def is_power_code(code: str) -> bool:
    return parse_power_code(code) is not None


def unit_code_problem(unit_code_: str) -> str | None:
    """Why a unit's powers cannot be coded (None: they can): its own code is not a standard one."""
    if UNIT_CODE.match(unit_code_):
        return None
    return (
        f"单位编码 {unit_code_} 不是标准编码（行政区划代码加序号），其职权无法编码，请先更正单位编码 "
        f"(the unit's code {unit_code_} is not a standard one: correct it before registering its powers)"
    )


def power_code_problem(code: str, unit_code_: str, category: PowerCategory) -> str | None:
    """Why `code` cannot be the code of a power of this unit and category (None: it can). Exactly the
    unit's code, the category's letters, `-` and a serial 0001–9999; the message never repeats the
    code (it may hold anything) but shows the form it must have."""
    if (problem := unit_code_problem(unit_code_)) is not None:
        return problem
    parsed = parse_power_code(code)
    if parsed is not None and parsed.unit_code == unit_code_ and parsed.category == category:
        return None
    example = power_code(unit_code_, category, 1)
    return (
        f"职权编码须为本单位编码、{category.label}的类别字母、“-”和四位序号，如 {example} "
        f"(a power code is the unit's code, the category letters, '-' and a 4-digit serial, e.g. {example})"
    )


def _marks(sql: str, conn: BaseDBAsyncClient) -> str:
    """`$1, $2` (PostgreSQL) as `?, ?` on SQLite: the statements below are otherwise the same."""
    return re.sub(r"\$\d+", "?", sql) if conn.capabilities.dialect == "sqlite" else sql


_EXISTS = "SELECT 1 FROM power_code_serial WHERE prefix = $1"
_NEXT = "UPDATE power_code_serial SET last_serial = last_serial + 1 WHERE prefix = $1 RETURNING last_serial"
_FIRST = (
    "INSERT INTO power_code_serial (prefix, last_serial) VALUES ($1, $2) "
    "ON CONFLICT (prefix) DO UPDATE SET last_serial = power_code_serial.last_serial + 1 RETURNING last_serial"
)
_RESERVE = (
    "INSERT INTO power_code_serial (prefix, last_serial) VALUES ($1, $2) ON CONFLICT (prefix) DO UPDATE SET "
    "last_serial = CASE WHEN power_code_serial.last_serial < excluded.last_serial "
    "THEN excluded.last_serial ELSE power_code_serial.last_serial END"
)


async def allocate_power_code(
    unit_code_: str, category: PowerCategory, using_db: BaseDBAsyncClient | None = None
) -> str:
    """The next code of this unit and category, taken for good (serials are never handed out twice).

    Call it in the transaction that writes the power: the counter row stays locked until it commits,
    so concurrent writers of one prefix take their serials one after another, and a rollback gives the
    serial back. A prefix without a counter row yet starts after the highest serial in use.
    """
    if not UNIT_CODE.match(unit_code_):
        raise ValidationFailed([FieldError("code", f"无效的单位编码 (bad unit code {unit_code_!r})")])
    prefix = power_code_prefix(unit_code_, category)
    conn = using_db or connections.get("default")
    # Counter rows are never deleted: once seen, the plain UPDATE finds it. Each write below is one
    # statement that locks the counter row first (never a write that matches nothing: under PostgreSQL
    # a statement trigger of such a write could take another lock first and deadlock with a writer
    # of the new row).
    if await conn.execute_query_dict(_marks(_EXISTS, conn), [prefix]):
        rows = await conn.execute_query_dict(_marks(_NEXT, conn), [prefix])
    else:  # the first code of this prefix: one statement, safe against a concurrent first
        start = await _highest_serial_in_use(prefix, conn) + 1
        rows = await conn.execute_query_dict(_marks(_FIRST, conn), [prefix, start])
    return power_code(unit_code_, category, int(rows[0]["last_serial"]))


async def reserve_power_codes(codes: Iterable[str], using_db: BaseDBAsyncClient | None = None) -> None:
    """Move the counters past codes given explicitly (a staff member's choice, the demo's bulk insert),
    so that no generated code ever collides with them. Non-standard codes cannot collide: skipped."""
    highest: dict[str, int] = {}
    for code in codes:
        parsed = parse_power_code(code)
        if parsed is not None:
            prefix = power_code_prefix(parsed.unit_code, parsed.category)
            highest[prefix] = max(highest.get(prefix, 0), parsed.serial)
    conn = using_db or connections.get("default")
    for prefix, serial in sorted(highest.items()):  # one lock order for every writer: no deadlock
        await conn.execute_query(_marks(_RESERVE, conn), [prefix, serial])


async def _highest_serial_in_use(prefix: str, conn: BaseDBAsyncClient) -> int:
    from domain.models import Power  # the models import nothing from here; keep this module light

    used = await Power.filter(code__startswith=prefix).using_db(conn).values_list("code", flat=True)
    unit = prefix[:-3]
    return max((p.serial for p in map(parse_power_code, used) if p is not None and p.unit_code == unit), default=0)
