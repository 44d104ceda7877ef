"""The search thesaurus: everyday words and the legal terms they stand for (search.understand).

The curated table ships with the software (search/thesaurus.tsv); administrators add words, change or
switch off the curated ones, through the API or `qingquan thesaurus`. Their entries live in the
database (ThesaurusEntry) and apply to the next search in every process: no reindex.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from tortoise.transactions import in_transaction

from domain.access import Viewer, require_admin, require_staff
from domain.audit import record
from domain.errors import FieldError, NotFound, ValidationFailed, Validator
from domain.search_models import ThesaurusEntry

WORD = re.compile(r"^[^\W_]{1,40}$")
MAX_TERMS = 12
MAX_TERMS_TEXT = 400
MAX_NOTE = 200
MAX_IMPORT_LINES = 20_000


@dataclass(frozen=True)
class Entry:
    """A word as the search applies it: the curated table overlaid by the administrators'."""

    word: str
    terms: tuple[str, ...]
    enabled: bool
    source: str  # "curated" (shipped), "admin" (added), "changed" (a curated word changed or switched off)
    note: str = ""
    updated_by: str = ""


def _clean_terms(terms: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(t.strip() for t in terms if t and t.strip()))


def validate(word: str, terms: list[str], note: str, *, enabled: bool, prefix: str = "") -> None:
    v = Validator()
    v.check(bool(WORD.match(word)), f"{prefix}word", "词须为 1 到 40 个汉字、字母或数字，不含空格和标点 (1 to 40 letters, no spaces)")
    if enabled:
        v.check(bool(terms), f"{prefix}terms", "至少给出一个法律用语 (at least one legal term)", "required")
    v.check(len(terms) <= MAX_TERMS, f"{prefix}terms", f"最多 {MAX_TERMS} 个法律用语 (at most {MAX_TERMS} terms)", "too_long")
    v.check(len(" ".join(terms)) <= MAX_TERMS_TEXT, f"{prefix}terms", f"法律用语合计不超过 {MAX_TERMS_TEXT} 字 (too long)", "too_long")
    for i, term in enumerate(terms):
        v.check(bool(WORD.match(term)), f"{prefix}terms.{i}", "法律用语须为 1 到 40 个汉字、字母或数字 (1 to 40 letters)")
    v.check(len(note) <= MAX_NOTE, f"{prefix}note", f"说明不超过 {MAX_NOTE} 字 (at most {MAX_NOTE} characters)", "too_long")
    v.raise_if_any()


async def entries(viewer: Viewer, *, word: str | None = None) -> list[Entry]:
    """Every word the search expands (curated and the administrators'), switched-off ones included;
    with `word`, those containing it. Staff only (who changed what is their business)."""
    from search.understand import curated_thesaurus

    require_staff(viewer)
    curated = curated_thesaurus()
    merged: dict[str, Entry] = {w: Entry(w, terms, True, "curated") for w, terms in curated.items()}
    for row in await ThesaurusEntry.all():
        merged[row.word] = Entry(
            row.word, tuple(row.terms.split()), row.enabled, "changed" if row.word in curated else "admin",
            row.note, row.updated_by,
        )  # fmt: skip
    found = [e for w, e in sorted(merged.items()) if not word or word in w]
    return found


async def set_entry(viewer: Viewer, word: str, terms: list[str], *, enabled: bool = True, note: str = "") -> Entry:
    """Add a word, or change (or switch off, `enabled=False`) one: admins."""
    require_admin(viewer)
    word, terms, note = word.strip(), _clean_terms(terms), note.strip()
    validate(word, terms, note, enabled=enabled)
    async with in_transaction():
        await _write(viewer, word, terms, enabled, note)
    return Entry(word, tuple(terms), enabled, "admin", note, viewer.name)


async def _write(viewer: Viewer, word: str, terms: list[str], enabled: bool, note: str) -> None:
    row = await ThesaurusEntry.get_or_none(word=word)
    before = (row.terms, row.enabled) if row else None
    if row is None:
        row = await ThesaurusEntry.create(
            word=word, terms=" ".join(terms), enabled=enabled, note=note, updated_by=viewer.name
        )
    else:
        row.terms, row.enabled, row.note, row.updated_by = " ".join(terms), enabled, note, viewer.name
        await row.save()
    await record(
        viewer, "thesaurus.set", "thesaurus_entry", row.id, word=word, terms=terms, enabled=enabled,
        before=list(before) if before else None,
    )  # fmt: skip


async def remove_entry(viewer: Viewer, word: str) -> None:
    """Remove an administrator's entry (a curated word comes back as shipped): admins."""
    require_admin(viewer)
    row = await ThesaurusEntry.get_or_none(word=word.strip())
    if row is None:
        raise NotFound(f"词表中没有管理员设置的“{word.strip()[:40]}” (no admin entry for this word)")
    async with in_transaction():
        await row.delete()
        await record(viewer, "thesaurus.remove", "thesaurus_entry", row.id, word=row.word, terms=row.terms.split())


def parse_lines(text: str) -> list[tuple[str, list[str], bool, str]]:
    """A thesaurus file: `word<TAB>terms separated by spaces[<TAB>note]`, `#` comments; a line
    `-word` switches the word off. Every line is checked; a file with any bad line is refused whole."""
    lines = text.splitlines()
    if len(lines) > MAX_IMPORT_LINES:
        raise ValidationFailed([FieldError("file", f"最多 {MAX_IMPORT_LINES} 行 (at most {MAX_IMPORT_LINES} lines)", "too_long")])
    parsed: list[tuple[str, list[str], bool, str]] = []
    problems: list[FieldError] = []
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        word, _, rest = line.partition("\t")
        enabled = not word.startswith("-")
        word = word.removeprefix("-").strip()
        terms_text, _, note = rest.partition("\t")
        terms = _clean_terms(terms_text.split())
        try:
            validate(word, terms, note.strip(), enabled=enabled, prefix=f"line {number}: ")
        except ValidationFailed as exc:
            problems.extend(exc.errors)
            continue
        parsed.append((word, terms, enabled, note.strip()))
    if problems:
        raise ValidationFailed(problems[:50])
    return parsed


async def import_lines(viewer: Viewer, text: str, *, dry_run: bool = False) -> tuple[int, int]:
    """Apply a thesaurus file in one transaction (all lines or none): (added, changed)."""
    require_admin(viewer)
    parsed = parse_lines(text)
    existing = set(await ThesaurusEntry.filter(word__in=[w for w, *_ in parsed]).values_list("word", flat=True))
    added = sum(1 for w, *_ in parsed if w not in existing)
    if not dry_run:
        async with in_transaction():
            for word, terms, enabled, note in parsed:
                await _write(viewer, word, terms, enabled, note)
    return added, len(parsed) - added


def export_lines(found: list[Entry]) -> str:
    """The entries as a thesaurus file (import reads it back)."""
    out = ["# word<TAB>legal terms separated by spaces<TAB>note; a line -word switches the word off"]
    for e in found:
        out.append(f"{'' if e.enabled else '-'}{e.word}\t{' '.join(e.terms)}" + (f"\t{e.note}" if e.note else ""))
    return "\n".join(out) + "\n"
