"""对照: a unit's catalogue against another place's for the same department — powers only we list,
powers only they list, and matched pairs (by name and shared basis articles) that differ."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from domain import access
from domain.catalog.cells import append_text_row
from domain.catalog.export import CLOSED
from domain.catalog.importer import name_key
from domain.catalog.models import ReferenceCatalog, ReferencePower
from domain.errors import NotFound
from domain.library.normalize import article_label, work_key
from domain.models import Power, PowerBasis, Unit

#: A pair is a match from this name similarity (0–100) on, or from MIN_WITH_BASIS with a shared article.
MIN_NAME_SCORE = 70
MIN_WITH_BASIS = 45


@dataclass
class PairDifference:
    ours: Power
    theirs: ReferencePower
    score: float
    shared_articles: int
    differences: list[str] = field(default_factory=list)


@dataclass
class Comparison:
    unit: Unit
    catalog: ReferenceCatalog
    only_ours: list[Power]
    only_theirs: list[ReferencePower]
    matched: list[PairDifference]

    @property
    def differing(self) -> list[PairDifference]:
        return [pair for pair in self.matched if pair.differences]


async def _our_articles(powers: list[Power]) -> dict[int, set[tuple[str, str]]]:
    keys: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for basis in await PowerBasis.filter(power_id__in=[p.id for p in powers]).select_related("article__document__work"):
        keys[basis.power_id].add((basis.article.document.work.key, basis.article.label))
    return keys


def _their_articles(item: ReferencePower) -> set[tuple[str, str]]:
    """(work key, article label); references imported before labels were kept hold article numbers."""
    return {
        (work_key(key), article_label(article) if isinstance(article, int) else article)
        for key, article in item.citations
        if article
    }


def _differences(ours: Power, our_keys: set[tuple[str, int]], theirs: ReferencePower) -> list[str]:
    found = []
    if theirs.category is not None and theirs.category != ours.category:
        found.append(f"职权类别：我方「{ours.category.label}」，对方「{theirs.category_text or theirs.category.label}」")
    their_keys = _their_articles(theirs)
    if their_keys and our_keys != their_keys:
        found.append(f"设定依据：我方 {len(our_keys)} 条，对方 {len(their_keys)} 条，共同 {len(our_keys & their_keys)} 条")
    if theirs.time_limit_days is not None and ours.time_limit_days is not None and theirs.time_limit_days != ours.time_limit_days:
        found.append(f"办理时限：我方 {ours.time_limit_days} 个工作日，对方「{theirs.time_limit}」")
    return found


def _pair(ours: list[Power], theirs: list[ReferencePower], our_keys: dict[int, set[tuple[str, int]]]) -> list[PairDifference]:
    """One-to-one pairs, best first: name similarity plus 10 a shared article (up to 3)."""
    their_names = [name_key(t.name) for t in theirs]
    their_keys = [_their_articles(t) for t in theirs]
    candidates: list[tuple[float, int, int, int]] = []
    for i, power in enumerate(ours):
        # one call per power of ours, scanning theirs in C: names too far apart are never paired
        close = process.extract(name_key(power.name), their_names, scorer=fuzz.ratio, score_cutoff=MIN_WITH_BASIS, limit=None)
        for _, score, j in close:
            shared = len(our_keys[power.id] & their_keys[j])
            if score >= MIN_NAME_SCORE or shared:
                candidates.append((score + 10 * min(shared, 3), shared, i, j))
    candidates.sort(reverse=True)
    used_ours: set[int] = set()
    used_theirs: set[int] = set()
    matched: list[PairDifference] = []
    for score, shared, i, j in candidates:
        if i in used_ours or j in used_theirs:
            continue
        used_ours.add(i)
        used_theirs.add(j)
        power, item = ours[i], theirs[j]
        matched.append(PairDifference(power, item, round(score, 1), shared, _differences(power, our_keys[power.id], item)))
    return matched


async def compare(viewer: access.Viewer, unit_code: str, place: str) -> Comparison:
    """Compare the unit's catalogue as `viewer` may see it with the reference catalogue of `place`."""
    unit = await Unit.get_or_none(code=unit_code.strip())
    if unit is None:
        raise NotFound(f"没有编码为 {unit_code} 的单位 (no unit with code {unit_code})")
    catalog = await ReferenceCatalog.get_or_none(place=place.strip())
    if catalog is None:
        raise NotFound(f"没有「{place}」的参照清单 (no reference catalogue of {place}: import it first)")
    unit_ids = sorted(await access.unit_subtree_ids(unit.id))
    ours = await Power.filter(access.power_q(viewer), unit_id__in=unit_ids).exclude(status__in=CLOSED).order_by("code")
    theirs = await ReferencePower.filter(catalog_id=catalog.id).order_by("row")
    our_keys = await _our_articles(ours)
    # pairing is CPU work (every name of ours against every one of theirs): off the event loop
    matched = await asyncio.to_thread(_pair, ours, theirs, our_keys)
    matched.sort(key=lambda pair: pair.ours.code)
    paired_ours = {id(pair.ours) for pair in matched}
    paired_theirs = {id(pair.theirs) for pair in matched}
    return Comparison(
        unit, catalog,
        [p for p in ours if id(p) not in paired_ours],
        [t for t in theirs if id(t) not in paired_theirs],
        matched,
    )  # fmt: skip


def comparison_xlsx(result: Comparison) -> bytes:
    """The comparison as a workbook: 仅我方, 仅对方, 匹配且有差异, 匹配一致."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheets = [
        ("仅我方", ["职权编码", "职权名称", "职权类别"], [[p.code, p.name, p.category.label] for p in result.only_ours]),
        ("仅对方", ["行号", "事项名称", "类别"], [[t.row, t.name, t.category_text] for t in result.only_theirs]),
        ("匹配且有差异", ["职权编码", "我方名称", "对方名称", "相似度", "共同依据条文", "差异"],
         [[d.ours.code, d.ours.name, d.theirs.name, d.score, d.shared_articles, "\n".join(d.differences)] for d in result.differing]),
        ("匹配一致", ["职权编码", "我方名称", "对方名称", "相似度"],
         [[d.ours.code, d.ours.name, d.theirs.name, d.score] for d in result.matched if not d.differences]),
    ]  # fmt: skip
    book.remove(book.active)
    for title, header, rows in sheets:
        ws = book.create_sheet(title)
        append_text_row(ws, [f"{result.unit.name} 与 {result.catalog.place} 权力清单对照：{title}（{len(rows)}项）"])
        ws.append(header)
        for cell in ws[2]:
            cell.font = Font(bold=True)
        for row in rows:
            append_text_row(ws, row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
