"""Law names and article citations in a query, as people type them.

`治安管理处罚法第50条`, `民法典第584条`, `《行政许可法》第十二条`, `2019年土地管理法第四十七条`,
`劳动合同法 第 39 条`, `行政许可法12条`, `刑法第一百三十三条之一`, `行政处罚法第三十六条第一款`:
a law named by any of its aliases (its title, without 中华人民共和国 and 《》, a common short name from
`law_aliases.tsv`, or a near spelling), then an article number in Arabic or Chinese numerals, 条之N,
款 and 项. A year (or a date) picks the version of that year, or the one in force then.

Everything here is a pure function of the query and a `LawNames` table: the resolver looks the
citations up in the database (search.understand), so both search backends get the same answer.
Every scan is linear in the query (a bounded window at each position).
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from importlib import resources

import cn2an
from rapidfuzz import fuzz, process

from domain.library.normalize import ARTICLE, NATIONAL_PREFIX, article_label, numeral_value, work_key

#: Law titles end so; only such names are looked for in a query.
LAW_SUFFIXES = ("法典", "法", "条例", "规定", "办法", "细则", "规则", "决定", "解释")
MAX_NAME = 40  # characters of the longest law name looked for
MIN_NAME = 2
MAX_ABBREVIATION = 8
#: A near name or abbreviation is looked for at the first few places a law title could end (each
#: try compares against every name): a query of 500 法 costs no more than one of 6.
MAX_NEAR_TRIES = 6
MAX_CITATIONS = 10
#: Names and citations are looked for in a query's first characters only.
MAX_SCAN = 200
SUFFIX = re.compile("|".join(LAW_SUFFIXES))
FUZZY_CUTOFF = 80.0  # one character off in a name of five
YEAR = re.compile(r"(?P<y>(?:19|20)\d{2})\s*(?:年|版)(?:\s*(?P<m>\d{1,2})\s*月(?:\s*(?P<d>\d{1,2})\s*日)?)?(?:修订|修正|修改|版本|版)?")
SPACES = re.compile(r"\s+")
QUOTES = str.maketrans("", "", "《》〈〉<>\"'“”‘’")


def normalize(query: str) -> str:
    """NFKC (full-width digits and letters), lowercase, no quotes around titles."""
    return unicodedata.normalize("NFKC", query).lower().translate(QUOTES)


#: kept under its old name for the callers here
number = numeral_value


@dataclass(frozen=True)
class LawMention:
    """A law named in the query: the alias as found, and the works it may mean."""

    text: str
    start: int
    end: int
    work_ids: tuple[int, ...]
    title: str
    fuzzy: bool = False


@dataclass(frozen=True)
class Citation:
    law: LawMention
    number: int
    sub: int | None = None
    paragraph: int | None = None
    item: int | None = None
    on: date | None = None  # the version in force then (a year: the version of that year, else then)
    year: int | None = None

    @property
    def label(self) -> str:
        return article_label(self.number, self.sub)

    def __str__(self) -> str:
        extra = (f"第{cn2an.an2cn(self.paragraph, 'low')}款" if self.paragraph else "") + (
            f"第{cn2an.an2cn(self.item, 'low')}项" if self.item else ""
        )
        return f"《{self.law.title}》{self.label}{extra}"


@dataclass
class LawNames:
    """Every way a law of the library may be named → its works (a short name may mean several)."""

    aliases: dict[str, tuple[int, ...]] = field(default_factory=dict)
    titles: dict[int, str] = field(default_factory=dict)
    #: the aliases a near spelling is matched against (without the 中华人民共和国 forms)
    choices: list[str] = field(default_factory=list)
    #: (first character, last character) → aliases: where an abbreviation (村组法) is looked for
    edges: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    #: length → aliases: a near spelling has the length of the name it misspells
    by_length: dict[int, list[str]] = field(default_factory=dict)

    @classmethod
    def build(cls, works: Iterable[tuple[int, str]], extra: Mapping[str, str] | None = None) -> LawNames:
        """`works`: (work id, title); `extra`: short name → a title (or key) it stands for."""
        found: dict[str, set[int]] = {}
        titles: dict[int, str] = {}
        by_key: dict[str, set[int]] = {}
        for work_id, title in works:
            titles[work_id] = title
            key = work_key(normalize(title))
            by_key.setdefault(key, set()).add(work_id)
            for alias in {key, normalize(SPACES.sub("", title)), NATIONAL_PREFIX + key}:
                if len(alias) >= MIN_NAME and alias.endswith(LAW_SUFFIXES):
                    found.setdefault(alias, set()).add(work_id)
        for short, meant in (extra or {}).items():
            ids = by_key.get(work_key(normalize(meant)))
            if ids and short not in found:
                found[normalize(short)] = set(ids)
        aliases = {a: tuple(sorted(ids)) for a, ids in found.items()}
        choices = [a for a in aliases if not a.startswith(NATIONAL_PREFIX)]
        edges: dict[tuple[str, str], list[str]] = {}
        by_length: dict[int, list[str]] = {}
        for alias in sorted(choices, key=len):
            edges.setdefault((alias[0], alias[-1]), []).append(alias)
            by_length.setdefault(len(alias), []).append(alias)
        return cls(aliases, titles, choices, edges, by_length)

    def __bool__(self) -> bool:
        return bool(self.aliases)

    def find(self, text: str, pieces: list[str] | None = None) -> list[LawMention]:
        """Law names in `text` (normalized, no spaces), longest first at each place, not overlapping.

        Exact aliases first; a word ending as a law title does (…法, …条例) that names no law exactly is
        matched to the nearest alias when close enough (a slip of the pen: 招标投票法)."""
        mentions: list[LawMention] = []
        i, n = 0, len(text)
        while i < n:
            hit = None
            for j in range(min(n, i + MAX_NAME), i + MIN_NAME - 1, -1):
                ids = self.aliases.get(text[i:j])
                if ids:
                    hit = LawMention(text[i:j], i, j, ids, self.titles[ids[0]])
                    break
            if hit is None:
                i += 1
                continue
            mentions.append(hit)
            i = hit.end
        if not mentions:
            mentions = self._near(text, pieces)
        return mentions

    def _near(self, text: str, pieces: list[str] | None = None) -> list[LawMention]:
        """A law named by an abbreviation (its characters in order: 村组法 → 村民委员会组织法, the
        shortest such name) or a near spelling (招标投票法, 土地管里法; or 行政许可发 typed as a word)."""
        best: tuple[tuple[int, float], LawMention] | None = None
        for match in itertools.islice(SUFFIX.finditer(text), MAX_NEAR_TRIES):
            end = match.end()
            for start in range(max(0, end - MAX_ABBREVIATION), end - 2):
                candidate = text[start:end]
                found = self._abbreviation(candidate) or self._spelling(candidate)
                if found is not None:
                    alias, score = found
                    key = (len(candidate), score)
                    if best is None or key > best[0]:
                        ids = self.aliases[alias]
                        best = (key, LawMention(candidate, start, end, ids, self.titles[ids[0]], True))
        for piece in (pieces or [])[:MAX_NEAR_TRIES]:
            if best is None and len(piece) >= 4 and (found := self._spelling(piece)) is not None:
                start = text.find(piece)
                ids = self.aliases[found[0]]
                best = ((len(piece), found[1]), LawMention(piece, start, start + len(piece), ids, self.titles[ids[0]], True))
        return [best[1]] if best else []

    def _abbreviation(self, candidate: str) -> tuple[str, float] | None:
        for alias in self.edges.get((candidate[0], candidate[-1]), ()):
            if len(candidate) < len(alias) <= 4 * len(candidate) and _in_order(candidate, alias):
                return alias, 100.0
        return None

    def _spelling(self, candidate: str) -> tuple[str, float] | None:
        """A name of the same length, one character in five wrong at most (a slip, not another word:
        行政处罚 is not a misspelt 行政处罚法)."""
        same_length = self.by_length.get(len(candidate)) if len(candidate) >= 4 else None
        found = process.extractOne(candidate, same_length, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF) if same_length else None
        return (found[0], float(found[1])) if found else None


def _in_order(short: str, long: str) -> bool:
    """Whether the characters of `short` occur in `long` in the same order."""
    rest = iter(long)
    return all(ch in rest for ch in short)


def _year(text: str) -> tuple[int | None, date | None, tuple[int, int] | None]:
    match = YEAR.search(text)
    if not match:
        return None, None, None
    y = int(match["y"])
    try:
        on = date(y, int(match["m"] or 12), int(match["d"] or (31 if not match["m"] else 1)))
    except ValueError:
        on = date(y, 12, 31)
    return y, on, match.span()


def citations(query: str, names: LawNames) -> tuple[list[Citation], list[LawMention], str]:
    """The citations and the laws named in `query`, and what is left of it once they are taken out.

    An article counts as cited when it follows a law's name (`第` optional then: 行政许可法12条) or
    carries its `第` anywhere after one (劳动合同法 关于解除 第39条)."""
    typed = normalize(query)[:MAX_SCAN]
    # names and numbers are looked for without the spaces people put inside them (劳动合同法 第 39 条);
    # `at` maps each character of `text` back to its place in what was typed
    at = [i for i, ch in enumerate(typed) if not ch.isspace()]
    text = "".join(typed[i] for i in at)
    laws = names.find(text, typed.split()) if names else []
    found: list[Citation] = []
    taken: list[tuple[int, int]] = []
    year, on, year_span = _year(text)
    if year_span:
        taken.append(year_span)
    for index, law in enumerate(laws):
        stop = laws[index + 1].start if index + 1 < len(laws) else len(text)
        for match in ARTICLE.finditer(text, law.end, stop):
            if not match["di"] and match.start() != law.end:
                continue
            n = number(match["n"])
            if not n:
                continue
            if len(found) < MAX_CITATIONS:
                found.append(
                    Citation(law, n, number(match["sub"]), number(match["para"]), number(match["item"]), on, year)
                )
            taken.append(match.span())
        taken.append((law.start, law.end))
    if not taken:
        return found, laws, typed.strip()
    blank = {at[k] for a, b in taken for k in range(a, b)}
    rest = "".join(" " if i in blank else ch for i, ch in enumerate(typed))
    return found, laws, SPACES.sub(" ", rest).strip()


@functools.cache
def law_aliases() -> dict[str, str]:
    """The curated short names (law_aliases.tsv): short name → the title it stands for."""
    text = resources.files("search").joinpath("law_aliases.tsv").read_text(encoding="utf-8")
    out: dict[str, str] = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            short, _, meant = line.partition("\t")
            if short.strip() and meant.strip():
                out[short.strip()] = meant.strip()
    return out
