"""Bases (职权依据): one article once per power, ordered from the highest legal rank down."""

from __future__ import annotations

import pytest

from domain.enums import LegalLevel
from domain.errors import NotFound, PermissionDenied, ValidationFailed
from domain.models import LegalArticle, PowerBasis
from domain.services.bases import BasisData, create_basis, delete_basis, update_basis
from tests.factories import (
    PUBLIC,
    audit_actions,
    first_article,
    make_document,
    make_power,
    make_unit,
    row_counts,
    staff_of,
)


def codes(exc: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, str]:
    return {e.field: e.code for e in exc.value.errors}


async def levels_in_order(power_id: int) -> list[tuple[int, LegalLevel]]:
    bases = await PowerBasis.filter(power_id=power_id).select_related("article__document")
    return [(b.ordinal, b.article.document.level) for b in bases]


async def test_bases_fall_in_place_by_legal_rank(database: str) -> None:
    unit = await make_unit()
    staff = await staff_of(unit)
    power = await make_power(unit)
    rule = await first_article(await make_document(LegalLevel.LOCAL_RULE))
    law = await first_article(await make_document(LegalLevel.LAW))
    regulation = await first_article(await make_document(LegalLevel.ADMINISTRATIVE_REGULATION))
    for article in (rule, law, regulation):
        await create_basis(staff, BasisData(power_id=power.id, article_id=article.id))
    assert await levels_in_order(power.id) == [
        (1, LegalLevel.LAW),
        (2, LegalLevel.ADMINISTRATIVE_REGULATION),
        (3, LegalLevel.LOCAL_RULE),
    ]


async def test_an_explicit_ordinal_wins_and_moves_keep_ordinals_dense(database: str) -> None:
    unit = await make_unit()
    staff = await staff_of(unit)
    power = await make_power(unit)
    law = await first_article(await make_document(LegalLevel.LAW))
    rule = await first_article(await make_document(LegalLevel.DEPARTMENTAL_RULE))
    await create_basis(staff, BasisData(power_id=power.id, article_id=law.id))
    ruled = await create_basis(staff, BasisData(power_id=power.id, article_id=rule.id, ordinal=1, note="先列规章"))
    assert await levels_in_order(power.id) == [(1, LegalLevel.DEPARTMENTAL_RULE), (2, LegalLevel.LAW)]
    await update_basis(staff, ruled.id, {"ordinal": 2})
    assert await levels_in_order(power.id) == [(1, LegalLevel.LAW), (2, LegalLevel.DEPARTMENTAL_RULE)]
    await delete_basis(staff, (await PowerBasis.get(power_id=power.id, ordinal=1)).id)
    assert await levels_in_order(power.id) == [(1, LegalLevel.DEPARTMENTAL_RULE)]
    assert await audit_actions("power_basis", ruled.id) == ["basis.create", "basis.update"]


async def test_duplicate_missing_article_and_bad_ordinal_write_nothing(database: str) -> None:
    unit = await make_unit()
    staff = await staff_of(unit)
    power = await make_power(unit)
    article = await first_article(await make_document())
    await create_basis(staff, BasisData(power_id=power.id, article_id=article.id))
    before = await row_counts()
    with pytest.raises(ValidationFailed) as exc:
        await create_basis(staff, BasisData(power_id=power.id, article_id=article.id, ordinal=9))
    assert codes(exc) == {"article_id": "duplicate", "ordinal": "out_of_range"}
    missing = (await LegalArticle.all().order_by("-id").first()).id + 1000  # type: ignore[union-attr]
    with pytest.raises(ValidationFailed) as exc:
        await create_basis(staff, BasisData(power_id=power.id, article_id=missing))
    assert codes(exc) == {"article_id": "not_found"}
    assert await row_counts() == before


async def test_bases_of_an_invisible_power_are_not_found(database: str) -> None:
    unit = await make_unit()
    power = await make_power(unit)
    article = await first_article(await make_document())
    basis = await create_basis(await staff_of(unit), BasisData(power_id=power.id, article_id=article.id))
    outsider = await staff_of(await make_unit())
    for viewer in (outsider, PUBLIC):
        with pytest.raises(NotFound):
            await create_basis(viewer, BasisData(power_id=power.id, article_id=article.id))
        with pytest.raises(NotFound):
            await delete_basis(viewer, basis.id)


async def test_published_power_bases_are_visible_but_not_editable_by_outsiders(database: str) -> None:
    from domain.enums import PowerStatus
    from domain.models import Power

    unit = await make_unit()
    power = await make_power(unit)
    await Power.filter(id=power.id).update(status=PowerStatus.PUBLISHED)
    article = await first_article(await make_document())
    with pytest.raises(PermissionDenied):
        await create_basis(PUBLIC, BasisData(power_id=power.id, article_id=article.id))
