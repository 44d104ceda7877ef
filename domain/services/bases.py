"""职权依据: the articles a power rests on, kept from the highest legal rank down."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

from tortoise.transactions import in_transaction

from domain.access import Viewer, power_q
from domain.audit import record
from domain.change_feed import enqueue
from domain.change_notices import power_changed
from domain.enums import SearchEntity
from domain.errors import Validator
from domain.models import LegalArticle, Power, PowerBasis
from domain.services.common import clean_fields, duplicates_as, not_found
from domain.services.ordering import check_position, place, save_order
from domain.services.powers import power_for_edit


@dataclass
class BasisData:
    power_id: int
    article_id: int
    ordinal: int | None = None
    note: str = ""


class BasisChanges(TypedDict, total=False):
    article_id: int
    ordinal: int
    note: str


DUPLICATE = "该条文已是本职权的依据 (this article is already a basis of the power)"


async def _bases(power: Power) -> list[PowerBasis]:
    return await PowerBasis.filter(power_id=power.id).select_related("article__document")


async def _article(v: Validator, article_id: int) -> LegalArticle | None:
    article = await LegalArticle.get_or_none(id=article_id).select_related("document")
    v.check(article is not None, "article_id", "法律条文不存在 (legal article not found)", "not_found")
    return article


def _rank(basis: PowerBasis) -> int:
    return basis.article.document.level.rank


def _by_rank(bases: list[PowerBasis], basis: PowerBasis) -> int:
    """Where `basis` goes by legal rank: before the first basis of a lower rank (法律 > 行政法规 > …)."""
    others = [other for other in bases if other.id != basis.id]
    lower = [i for i, other in enumerate(others, 1) if _rank(other) > _rank(basis)]
    return lower[0] if lower else len(others) + 1


async def basis_for_edit(viewer: Viewer, basis_id: int) -> tuple[PowerBasis, Power]:
    basis = await PowerBasis.filter(power_q(viewer, "power__"), id=basis_id).first()
    if basis is None:
        raise not_found("basis", "职权依据")
    return basis, await power_for_edit(viewer, basis.power_id)


async def create_basis(viewer: Viewer, data: BasisData) -> PowerBasis:
    """Cite an article as a basis of a power, at `ordinal` or in its place by legal rank."""
    with duplicates_as("article_id", DUPLICATE):
        async with in_transaction():
            power = await power_for_edit(viewer, data.power_id)
            bases = await _bases(power)
            v = Validator()
            cleaned = clean_fields(v, PowerBasis, {"note": data.note}, allowed=("note",))
            article = await _article(v, data.article_id)
            v.check(all(b.article_id != data.article_id for b in bases), "article_id", DUPLICATE, "duplicate")
            check_position(v, data.ordinal, len(bases))
            v.raise_if_any()
            assert article is not None
            basis = await PowerBasis.create(power=power, article=article, ordinal=len(bases) + 1, **cleaned)
            position = data.ordinal or _by_rank(bases, basis)
            await save_order(place(bases, basis, position))
            await enqueue(SearchEntity.POWER, [power.id])
            await record(
                viewer, "basis.create", "power_basis", basis.id,
                power_id=power.id, article_id=article.id, ordinal=basis.ordinal, note=basis.note,
            )
            await power_changed(viewer, power, "basis.create", article_id=article.id)
    return basis


async def update_basis(viewer: Viewer, basis_id: int, changes: BasisChanges) -> PowerBasis:
    """Change a basis's note, article or place; a new article without an ordinal moves to its rank."""
    with duplicates_as("article_id", DUPLICATE):
        async with in_transaction():
            basis, power = await basis_for_edit(viewer, basis_id)
            bases = await _bases(power)
            basis = next(b for b in bases if b.id == basis.id)
            v = Validator()
            cleaned = clean_fields(v, PowerBasis, {k: changes[k] for k in ("note",) if k in changes}, allowed=("note",))
            article_id = changes.get("article_id", basis.article_id)
            article = await _article(v, article_id) if article_id != basis.article_id else basis.article
            if article_id != basis.article_id:
                v.check(all(b.article_id != article_id for b in bases), "article_id", DUPLICATE, "duplicate")
            check_position(v, changes.get("ordinal"), len(bases) - 1)
            v.raise_if_any()
            assert article is not None
            diff: dict[str, list[object]] = {}
            if cleaned.get("note", basis.note) != basis.note:
                diff["note"] = [basis.note, cleaned["note"]]
                basis.note = cleaned["note"]
            if article.id != basis.article_id:
                diff["article_id"] = [basis.article_id, article.id]
                basis.article = article
            if diff:
                await basis.save()
            old_ordinal = basis.ordinal
            current = bases.index(basis) + 1
            position = changes.get("ordinal") or (_by_rank(bases, basis) if "article_id" in diff else current)
            await save_order(place(bases, basis, position))
            if basis.ordinal != old_ordinal:
                diff["ordinal"] = [old_ordinal, basis.ordinal]
            if diff:
                await enqueue(SearchEntity.POWER, [power.id])
                await record(viewer, "basis.update", "power_basis", basis.id, power_id=power.id, changes=diff)
                await power_changed(viewer, power, "basis.update", basis_id=basis.id, changes=diff)
    return basis


async def delete_basis(viewer: Viewer, basis_id: int) -> None:
    """Remove a basis; the others close ranks."""
    async with in_transaction():
        basis, power = await basis_for_edit(viewer, basis_id)
        await basis.delete()
        await save_order(await _bases(power))
        await enqueue(SearchEntity.POWER, [power.id])
        await record(
            viewer, "basis.delete", "power_basis", basis_id,
            power_id=power.id, article_id=basis.article_id, ordinal=basis.ordinal,
        )
        await power_changed(viewer, power, "basis.delete", article_id=basis.article_id)
