"""The data rows of an imported sheet, read and checked before anything is written, and what a row
says of each field of a power (the values a new power gets, and those a known one is compared with)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from domain.catalog.citations import Citation, article_number, parse_citations
from domain.catalog.sheets import Sheet, category_of, group_heading
from domain.enums import DisclosureScope, DisclosureTiming, ExerciseMode, PowerCategory
from domain.errors import Validator
from domain.workdays import check_day_count

NAME_LIMIT = 300
#: Texts the importer cuts to the length of their column (as a new power's, so a known one's).
TEXT_LIMIT = 200
_DAYS = re.compile(r"([0-9零〇一二三四五六七八九十百两]+)\s*个?\s*(工作日|日|天)")
_AT_ONCE = re.compile(r"即办|当场|当即|立即")
_NAME_NOISE = re.compile(r"[\s\u3000（）()【】\[\]“”\"'、，,。.：:；;]+")
_SPACE = re.compile(r"\s+")


@dataclass
class SheetRow:
    """One data row, read and checked, before anything is written."""

    row: int
    name: str
    code: str
    category: PowerCategory | None
    category_text: str
    unit_name: str
    basis_text: str
    citations: list[Citation]
    time_limit: str
    time_limit_days: int | None
    values: dict[str, str]
    problems: list[str] = field(default_factory=list)  # the row is refused, wherever it goes
    category_problem: str = ""  # refused as one of our powers; another place's categories are theirs

    @property
    def problems_as_ours(self) -> list[str]:
        return [*self.problems, self.category_problem] if self.category_problem else self.problems


def name_key(name: str) -> str:
    """A power name as compared: NFKC, no spaces, brackets or punctuation."""
    return _NAME_NOISE.sub("", unicodedata.normalize("NFKC", name))


def plain_name(name: str) -> str:
    """A power name as a sheet's row gives it: without white space (a cell's line breaks included)."""
    return _SPACE.sub("", name)


def time_limit_days(text: str) -> int | None:
    """承诺5个工作日 → 5, 即办 → 0, 二十日 → 20; None if the text names no days."""
    if _AT_ONCE.search(text or ""):
        return 0
    m = _DAYS.search(unicodedata.normalize("NFKC", text or ""))
    return article_number(m[1]) if m else None


def sheet_rows(sheet: Sheet) -> list[SheetRow]:
    """The data rows with their problems; rows that only head a category (一、行政许可) are not rows."""
    col = sheet.columns

    def get(cells: list[str], name: str) -> str:
        i = col.get(name)
        return cells[i].strip() if i is not None and i < len(cells) else ""

    group: PowerCategory | None = None
    seen: dict[str, int] = {}
    rows: list[SheetRow] = []
    for number, cells in sheet.rows:
        distinct = {c for c in cells if c}
        if len(distinct) == 1 and (heading := group_heading(next(iter(distinct)))) is not None:
            group = heading
            continue
        name = plain_name(get(cells, "name"))
        category_text = get(cells, "category")
        category = category_of(category_text) if category_text else group
        basis = get(cells, "basis")
        limit = get(cells, "time_limit")
        row = SheetRow(
            number, name, get(cells, "code"), category, category_text or (group.label if group else ""),
            get(cells, "unit"), basis, parse_citations(basis), limit, time_limit_days(limit),
            {k: get(cells, k) for k in col},
        )  # fmt: skip
        limit_check = Validator()
        check_day_count(limit_check, "time_limit", "办理时限", row.time_limit_days)
        row.problems += [e.message for e in limit_check.errors]
        if not name:
            row.problems.append("缺少职权名称 (no power name)")
        elif len(name) > NAME_LIMIT:
            row.problems.append(f"职权名称超过 {NAME_LIMIT} 个字符 (name too long)")
        elif name_key(name) in seen:
            row.problems.append(f"与第 {seen[name_key(name)]} 行重名 (same name as row {seen[name_key(name)]})")
        else:
            seen[name_key(name)] = number
        if category is None:
            row.category_problem = f"职权类别无法识别：「{category_text}」 (unknown category)" if category_text else "缺少职权类别 (no category)"
        if formulas := [sheet.headers[k] for k, i in col.items() if (number, i) in sheet.uncalculated]:
            row.problems.append(
                f"「{'」「'.join(formulas)}」是没有计算结果的公式，请先在表格程序中把公式转为数值 "
                f"(a formula without a value in {', '.join(formulas)}: paste the cells as values first)"
            )
        rows.append(row)
    return rows


def _enum_by_label(enum_type: type[Enum], text: str) -> Enum | None:
    for member in enum_type:
        if text and text in (member.value, getattr(member, "label", "")):
            return member
    return None


def disclosure_timing(text: str) -> tuple[DisclosureTiming, str]:
    """长期公开：变更后二十个工作日内更新 → (LONG_TERM, 变更后二十个工作日内更新), as the export writes it."""
    head, sep, rest = text.partition("：")
    for timing in DisclosureTiming:
        if head.strip() == timing.label:
            return timing, rest.strip() if sep else ""
    return DisclosureTiming.LONG_TERM, text


def stated(row: SheetRow) -> dict[str, Any]:
    """The power's fields the row fills, by their model names: a blank cell, a column the sheet lacks
    and a 行使方式 or 公开范围 it does not name say nothing (a new power takes the default, a known one
    keeps its value). 办理时限 brings its days, 公开时限 its timing."""
    values = row.values
    found: dict[str, Any] = {"name": row.name}
    if row.category is not None:
        found["category"] = row.category
    if mode := _enum_by_label(ExerciseMode, values.get("exercise_mode", "")):
        found["exercise_mode"] = mode
    if scope := _enum_by_label(DisclosureScope, values.get("disclosure_scope", "")):
        found["disclosure_scope"] = scope
    if row.time_limit:
        found["time_limit"], found["time_limit_days"] = row.time_limit[:TEXT_LIMIT], row.time_limit_days
    for name in ("fee_basis", "fee_standard", "disclosure_form"):
        if values.get(name):
            found[name] = values[name][:TEXT_LIMIT] if name == "disclosure_form" else values[name]
    if values.get("disclosure_deadline"):
        timing, deadline = disclosure_timing(values["disclosure_deadline"])
        found["disclosure_timing"], found["disclosure_deadline"] = timing, deadline[:TEXT_LIMIT]
    return found
