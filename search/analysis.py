"""Chinese text analysis shared by the backends: grams with positions, query words, highlights.

Text is cut into *units*: one CJK (or other non-space) character each, or a run of ASCII letters and
digits (`2023`, `iso9001`). Every field is indexed twice, as unigrams and as overlapping bigrams,
each gram at its own consecutive position. A query word of n ≥ 2 units becomes a phrase of its n-1
bigrams at consecutive positions, so it matches exactly where the word occurs as a substring:

- 许可 is found inside 许可法, 人民 inside 中华人民共和国 (no dictionary decides where words end);
- 申请人 needs the bigrams 申请 and 请人 side by side, so 申请…邀请人 does not match;
- a single-character word is a term query on the unigrams.

Whitespace breaks adjacency (it becomes a separator unit), and punctuation stays a unit of its own,
so no phrase runs across it: a query never contains punctuation (it splits words).
"""

from __future__ import annotations

import functools
import html
import operator
import re
from collections.abc import Sequence

#: One unit: a run of ASCII letters/digits, or any other single non-space character.
UNIT = re.compile(r"[0-9a-z]+|\S")
#: Word characters of a query: CJK, letters and digits of any script; everything else splits words.
QUERY_WORD = re.compile(r"[^\W_]+")
SEPARATOR = "\u241f"  # ␟ stands in for a run of whitespace: a unit of its own, breaking phrases
FILLER = "\u2400"  # ␀ pads indexed texts (search/embedded.py): no text, query or document, may hold it
#: Units the analysis makes itself, taken out of whatever it is given: typed into a query, they would match
#: every gap between sentences or words.
_RESERVED = {ord(SEPARATOR): None, ord(FILLER): None}
WHITESPACE = re.compile(r"\s+")
MAX_QUERY_WORDS = 12
MAX_WORD_UNITS = 40
HIGHLIGHT_PRE, HIGHLIGHT_POST = "<em>", "</em>"


def units(text: str) -> list[str]:
    """The units of `text` (lowercased); whitespace runs become one separator unit."""
    return UNIT.findall(WHITESPACE.sub(SEPARATOR, text.translate(_RESERVED).strip().lower())) if text else []


def unigrams(text_units: Sequence[str]) -> str:
    """Unigrams joined by spaces: one position each under a whitespace tokenizer."""
    return " ".join(text_units)


def bigrams(text_units: Sequence[str]) -> str:
    """Overlapping bigrams joined by spaces: the bigram starting at unit i sits at position i."""
    return " ".join(map(operator.add, text_units, text_units[1:]))


def query_words(query: str) -> list[str]:
    """The words of a query as staff type it: split on spaces and punctuation, lowercased, unique."""
    words = [w[:200] for w in QUERY_WORD.findall(query.lower())]
    return list(dict.fromkeys(w for w in words if units(w)))[:MAX_QUERY_WORDS]


def word_grams(word: str) -> tuple[str, list[str]]:
    """How a query word is looked up: ("uni", [unit]) for one unit, else ("bi", its bigrams in order)."""
    u = units(word)[:MAX_WORD_UNITS]
    if len(u) == 1:
        return "uni", u
    return "bi", list(map(operator.add, u, u[1:]))


def _pattern(words: Sequence[str]) -> re.Pattern[str] | None:
    return _compiled(tuple(words)) if words else None


@functools.lru_cache(maxsize=256)
def _compiled(words: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = sorted(dict.fromkeys(words), key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in alternatives), re.IGNORECASE)


def matches(text: str, words: Sequence[str]) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) spans of the words in `text`, longest word first at each place."""
    pattern = _pattern(words)
    return [m.span() for m in pattern.finditer(text)] if pattern and text else []


def found_words(texts: Sequence[str], words: Sequence[str]) -> list[str]:
    """The words (of `words`, in their order) that occur in any of `texts`, case-insensitively."""
    lowered = [t.lower() for t in texts if t]
    return [w for w in words if any(w.lower() in t for t in lowered)]


def _best_window(spans: list[tuple[int, int]], length: int, crop: int) -> tuple[int, int]:
    """The window of `crop` characters holding the most distinct matches, starting a little before."""
    best, best_count = 0, -1
    for start, _ in spans:
        count = sum(1 for s, e in spans if s >= start and e <= start + crop)
        if count > best_count:
            best, best_count = start, count
    begin = max(0, min(best - crop // 5, length - crop))
    return begin, min(length, begin + crop)


def highlight(text: str, words: Sequence[str], crop: int | None = None) -> str | None:
    """`text` HTML-escaped with each match in <em>…</em>, cropped around the densest matches (… marks
    cut ends); None when no word occurs in it."""
    spans = matches(text, words)
    if not spans:
        return None
    begin, end = (0, len(text)) if crop is None or len(text) <= crop else _best_window(spans, len(text), crop)
    out: list[str] = ["…"] if begin > 0 else []
    cursor = begin
    for start, stop in spans:
        if start < begin or stop > end:
            continue
        out += [html.escape(text[cursor:start]), HIGHLIGHT_PRE, html.escape(text[start:stop]), HIGHLIGHT_POST]
        cursor = stop
    out.append(html.escape(text[cursor:end]))
    if end < len(text):
        out.append("…")
    return "".join(out)


def crop_text(text: str, crop: int) -> str:
    """The start of `text`, HTML-escaped, with … when cut (a snippet where nothing matched)."""
    return html.escape(text[:crop]) + ("…" if len(text) > crop else "")
