"""对照: a unit's catalogue against another place's for the same department — powers only we list,
powers only they list, and matched pairs that differ.

Pairs are found by meaning as well as by characters: 收养登记 is 中国公民收养子女登记 although they share
half their characters, and 结婚登记 is 中国内地公民婚姻登记 (行政确认), not 结婚登记预约 (a 公共服务, the
closer string). Each pair's confidence (0–100 %) weighs

- the meaning of the two names (search.embedding: the cosine of their vectors, which for short names
  of one field runs from ≈ 0.88, unrelated, to 1, the same item),
- their characters (rapidfuzz's ratio),
- the basis articles both cite (+10 each, up to three),
- the category: an item of another administrative category costs 15, and one that is no
  administrative power at all (公共服务, 便民服务) costs 35.

The caller passes the embedding (domain.catalog.meaning; the search's model); without it — the model is
not installed — the characters alone stand for the names, and `Comparison.by_meaning` says so. Their
items' vectors are those kept since the import where the model is the same. Pairs are one-to-one, the
most confident first.
"""

from __future__ import annotations

import asyncio
import re
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.process import cdist

from domain import access
from domain.catalog import meaning
from domain.catalog.cells import append_text_row, print_setup
from domain.catalog.export import CLOSED
from domain.catalog.meaning import NameEmbedding
from domain.catalog.models import ReferenceCatalog, ReferencePower
from domain.catalog.rows import name_key
from domain.errors import NotFound
from domain.library.normalize import article_label, work_key
from domain.models import Power, PowerBasis, Unit

#: A pair is kept from this confidence (0–100) on.
MIN_CONFIDENCE = 55
#: The names' meaning against their characters in the confidence.
MEANING_WEIGHT = 0.7
#: Cosines of two names' vectors: from COSINE_FLOOR (nothing in common) up by COSINE_SPAN (the same item).
COSINE_FLOOR, COSINE_SPAN = 0.88, 0.1
PER_SHARED_ARTICLE, MAX_SHARED_ARTICLES = 10, 3
OTHER_CATEGORY, NOT_A_POWER = 15, 35
#: Category texts of items that are services, not administrative powers.
_SERVICE = re.compile(r"公共服务|便民服务|服务事项|服务类")


@dataclass
class PairDifference:
    ours: Power
    theirs: ReferencePower
    confidence: int  # 0–100 %
    shared_articles: int
    differences: list[str] = field(default_factory=list)


@dataclass
class Comparison:
    unit: Unit
    catalog: ReferenceCatalog
    only_ours: list[Power]
    only_theirs: list[ReferencePower]
    matched: list[PairDifference]
    by_meaning: bool  # false: the embedding model is not installed, names were compared by their characters

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


def _is_service(item: ReferencePower) -> bool:
    return item.category is None and bool(_SERVICE.search(item.category_text))


def _confidences(
    ours: list[Power], theirs: list[ReferencePower], embedding: NameEmbedding | None, their_vectors: np.ndarray | None
) -> np.ndarray:
    """(ours × theirs) confidence of each pair before the shared articles, 0–100."""
    our_names = [name_key(p.name) for p in ours]
    their_names = [name_key(t.name) for t in theirs]
    characters = cdist(our_names, their_names, scorer=fuzz.ratio, dtype=np.float32)  # in C
    if embedding is not None:
        if their_vectors is None:
            their_vectors = meaning.vectors(embedding, their_names)
        cosine = meaning.vectors(embedding, our_names) @ their_vectors.T
        by_meaning = np.clip((cosine - COSINE_FLOOR) / COSINE_SPAN, 0.0, 1.0) * 100
        score = MEANING_WEIGHT * by_meaning + (1 - MEANING_WEIGHT) * characters
    else:
        score = characters
    our_categories = np.array([str(p.category) for p in ours])[:, None]
    their_categories = np.array([str(t.category) if t.category is not None else "" for t in theirs])[None, :]
    other = (their_categories != "") & (their_categories != our_categories)
    service = np.array([_is_service(t) for t in theirs])[None, :]
    return score - OTHER_CATEGORY * other - NOT_A_POWER * service


def _pair(
    ours: list[Power], theirs: list[ReferencePower], our_keys: dict[int, set[tuple[str, str]]],
    embedding: NameEmbedding | None, their_vectors: np.ndarray | None = None,
) -> list[PairDifference]:
    """One-to-one pairs, the most confident first."""
    if not ours or not theirs:
        return []
    base = _confidences(ours, theirs, embedding, their_vectors)
    citing: dict[tuple[str, str], list[int]] = defaultdict(list)
    for j, item in enumerate(theirs):
        for key in _their_articles(item):
            citing[key].append(j)
    candidates: list[tuple[float, int, int, int]] = []
    for i, power in enumerate(ours):
        shared: dict[int, int] = defaultdict(int)
        for key in our_keys[power.id]:
            for j in citing.get(key, ()):
                shared[j] += 1
        bonus = np.zeros(len(theirs), dtype=np.float32)
        for j, n in shared.items():
            bonus[j] = PER_SHARED_ARTICLE * min(n, MAX_SHARED_ARTICLES)
        row = np.clip(base[i] + bonus, 0, 100)
        for j in np.flatnonzero(row >= MIN_CONFIDENCE):
            candidates.append((float(row[j]), shared.get(int(j), 0), i, int(j)))
    candidates.sort(key=lambda c: (-c[0], -c[1], c[2], c[3]))
    used_ours: set[int] = set()
    used_theirs: set[int] = set()
    matched: list[PairDifference] = []
    for confidence, shared_count, i, j in candidates:
        if i in used_ours or j in used_theirs:
            continue
        used_ours.add(i)
        used_theirs.add(j)
        power, item = ours[i], theirs[j]
        differences = _differences(power, our_keys[power.id], item)
        matched.append(PairDifference(power, item, round(confidence), shared_count, differences))
    return matched


async def compare(
    viewer: access.Viewer, unit_code: str, place: str, *, embedding: NameEmbedding | None = None
) -> Comparison:
    """Compare the unit's catalogue as `viewer` may see it with the reference catalogue of `place`
    (names by meaning as well when `embedding` is given)."""
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
    kept = meaning.stored(catalog.vector_model, embedding, [t.name_vector for t in theirs]) if embedding else None
    # pairing is CPU work (embedding the names, every name of ours against every one of theirs): off the event loop
    matched = await asyncio.to_thread(_pair, ours, theirs, our_keys, embedding, kept)
    matched.sort(key=lambda pair: pair.ours.code)
    paired_ours = {id(pair.ours) for pair in matched}
    paired_theirs = {id(pair.theirs) for pair in matched}
    return Comparison(
        unit, catalog,
        [p for p in ours if id(p) not in paired_ours],
        [t for t in theirs if id(t) not in paired_theirs],
        matched,
        embedding is not None,
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
        ("匹配且有差异", ["职权编码", "我方名称", "对方名称", "置信度", "共同依据条文", "差异"],
         [[d.ours.code, d.ours.name, d.theirs.name, f"{d.confidence}%", d.shared_articles, "\n".join(d.differences)] for d in result.differing]),
        ("匹配一致", ["职权编码", "我方名称", "对方名称", "置信度"],
         [[d.ours.code, d.ours.name, d.theirs.name, f"{d.confidence}%"] for d in result.matched if not d.differences]),
    ]  # fmt: skip
    book.remove(book.active)
    how = "" if result.by_meaning else "（按名称字面比对：未安装语义模型）"
    for title, header, rows in sheets:
        ws = book.create_sheet(title)
        append_text_row(ws, [f"{result.unit.name} 与 {result.catalog.place} 权力清单对照：{title}（{len(rows)}项）{how}"])
        ws.append(header)
        for cell in ws[2]:
            cell.font = Font(bold=True)
        for row in rows:
            append_text_row(ws, row)
        print_setup(ws, header_row=2, last_column=len(header))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
