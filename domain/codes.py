"""Codes of units and powers.

A unit's code is its region code (行政区划代码, 6 digits) and a 2-digit serial; an office (科室) adds
2 digits to its parent's code: 大余县人民政府 36072300, 国土资源局 36072308, its 地籍股 3607230802.

A power's code (职权编码) is its unit's code, the category letters (domain.enums.CATEGORY_CODE_LETTERS)
and a 4-digit serial within that unit and category: 36072308CF-0001 is 国土资源局's first 行政处罚.
Codes are stable: a power keeps its code across versions, and serials are never reused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tortoise.backends.base.client import BaseDBAsyncClient

from domain.enums import CATEGORY_CODE_LETTERS, PowerCategory
from domain.errors import FieldError, ValidationFailed

CATEGORY_BY_LETTERS: dict[str, PowerCategory] = {v: k for k, v in CATEGORY_CODE_LETTERS.items()}
MAX_SERIAL = 9999
POWER_CODE = re.compile(r"^(?P<unit>\d{8}(?:\d{2})*)(?P<letters>[A-Z]{2})-(?P<serial>\d{4})$")
UNIT_CODE = re.compile(r"^\d{8}(?:\d{2})*$")


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
    if not m or m["letters"] not in CATEGORY_BY_LETTERS:
        return None
    return PowerCode(m["unit"], CATEGORY_BY_LETTERS[m["letters"]], int(m["serial"]))


def is_power_code(code: str) -> bool:
    return parse_power_code(code) is not None


async def next_power_code(
    unit_code_: str, category: PowerCategory, using_db: BaseDBAsyncClient | None = None
) -> str:
    """The next free code for a new power of this unit and category (one past the highest serial used)."""
    from domain.models import Power  # the models import nothing from here; keep this module light

    prefix = power_code_prefix(unit_code_, category)
    query = Power.filter(code__startswith=prefix)
    if using_db is not None:
        query = query.using_db(using_db)
    used = await query.values_list("code", flat=True)
    serials = [p.serial for p in map(parse_power_code, used) if p is not None and p.unit_code == unit_code_]
    return power_code(unit_code_, category, max(serials, default=0) + 1)
