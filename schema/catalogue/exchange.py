"""一表 in and out through the API: export and 一盘 download links, imports with their per-row report,
other places' reference catalogues and the 对照 with them. Visibility as everywhere (domain.access).
The mutations (exportCatalog, generatePackage, importCatalog, importReferenceCatalog) are in exchange_mutations."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from tortoise.functions import Count

from domain.catalog import compare as comparing
from domain.catalog import importer
from domain.catalog.changes import ChangeRoute
from domain.catalog.export import ExportFormat
from domain.catalog.meaning import NameEmbedding
from domain.catalog.models import ReferenceCatalog as ReferenceCatalogModel
from domain.catalog.models import ReferencePower as ReferencePowerModel
from domain.errors import DomainError, NotFound
from domain.models import Unit as UnitModel
from schema.catalogue.power import Power
from schema.context import Info
from schema.enums import PowerCategory
from schema.errors import NotFoundError
from schema.mutation_base import pk
from search import embedding

CatalogFormat = strawberry.enum(ExportFormat, name="CatalogFormat", description="导出格式")
ImportRowFate = strawberry.enum(
    importer.RowFate, name="ImportRowFate",
    description="一行的结果: CREATED 新建（清理登记）, MATCHED 与已有职权相同, CHANGED 与已有职权有不同（见 changes；"
    "applyChanges 时已采用）, REFUSED 拒绝（见 reasons）",
)  # fmt: skip
ImportChangeRoute = strawberry.enum(
    ChangeRoute, name="ImportChangeRoute",
    description="变更的采用方式: EDIT 直接修改清理登记（DRAFT）中的职权; REVISION 公开运行或审核通过的职权提出修订"
    "（动态管理：单位申报、审核通过后生效，此前公众仍看到公开的版本）",
)  # fmt: skip


@strawberry.type(description="A file to download with GET before it expires (built then, as the caller may see it).")
class DownloadLink:
    url: str = strawberry.field(description="path on this server: GET it (no token needed) before `expiresAt`")
    expires_at: datetime


@strawberry.type(description="One difference of a matched row: the power's value and the sheet's, as a person reads them.")
class ImportFieldChange:
    field: str = strawberry.field(
        description="the column: name, category, exercise_mode, basis, time_limit, fee_basis, fee_standard, "
        "disclosure_scope, disclosure_form, disclosure_deadline (the names HeaderMapping takes)"
    )
    label: str = strawberry.field(description="the column's header: 职权名称, 职权类别, 设定依据 …")
    old: str = strawberry.field(description="the power's value (bases as 《…》第N条, separated by ；)")
    new: str = strawberry.field(description="the sheet's value")


@strawberry.type(description="A power a new row may repeat: it cites the same article under a close name.")
class PossibleDuplicate:
    code: str
    name: str
    similarity: int = strawberry.field(description="how alike the names are, 0–100 (%)")
    shared_articles: list[str] = strawberry.field(description="the articles both cite, 《…》第N条")


@strawberry.type(description="One row of an imported sheet and what became of it.")
class ImportRow:
    row: int = strawberry.field(description="row number in the sheet (1-based, as Excel shows it)")
    fate: ImportRowFate  # type: ignore[valid-type]
    name: str
    code: str = strawberry.field(description="the power created, matched or changed (a new category brings a new code; empty for a refused new row)")
    reasons: list[str]
    linked: list[str] = strawberry.field(description="citations linked to library articles, 《…》第N条")
    unlinked: list[str] = strawberry.field(description="citations without a library article: kept as text")
    changes: list[ImportFieldChange] = strawberry.field(
        description="CHANGED (or REFUSED when they could not be applied): each field the row says otherwise than the power"
    )
    applied: ImportChangeRoute | None = strawberry.field(  # type: ignore[valid-type]
        description="how the changes were applied; null when they were not (no applyChanges, or refused)"
    )
    revision_draft_code: str | None = strawberry.field(
        description="REVISION: the code of the revision's draft that holds the changes (e.g. 36072308XK-0001.R1)"
    )
    possible_duplicates: list[PossibleDuplicate] = strawberry.field(
        description="a new row: powers you may see that cite the same article under a close name"
    )


    @classmethod
    def of(cls, x: importer.RowReport) -> ImportRow:
        return cls(
            row=x.row, fate=x.fate, name=x.name, code=x.code, reasons=x.reasons, linked=x.linked, unlinked=x.unlinked,
            changes=[ImportFieldChange(field=c.field, label=c.label, old=c.old, new=c.new) for c in x.changes],
            applied=x.applied, revision_draft_code=x.draft_code or None,
            possible_duplicates=[PossibleDuplicate(code=d.code, name=d.name, similarity=d.similarity,
                                                   shared_articles=list(d.shared)) for d in x.duplicates],
        )  # fmt: skip


@strawberry.type(description="What an import did (or, with dryRun, would do).")
class CatalogImportReport:
    target: str
    dry_run: bool
    created: int
    matched: int
    changed: int
    refused: int
    written: bool = strawberry.field(
        description="whether the import's writes were kept: false for a dry run, and for allOrNothing with a refused row"
    )
    recognised_columns: list[str] = strawberry.field(description="column←header, for each column recognised")
    unknown_headers: list[str]
    rows: list[ImportRow]

    @classmethod
    def of(cls, r: importer.ImportResult) -> CatalogImportReport:
        return cls(
            target=r.target, dry_run=r.dry_run, created=r.count(importer.RowFate.CREATED),
            matched=r.count(importer.RowFate.MATCHED), refused=r.count(importer.RowFate.REFUSED),
            recognised_columns=[f"{k}←{v}" for k, v in r.headers.items()], unknown_headers=r.unknown_headers,
            changed=r.count(importer.RowFate.CHANGED), written=r.written,
            rows=[ImportRow.of(x) for x in r.rows],
        )  # fmt: skip


@strawberry.type(description="Another place's catalogue (参照清单), kept for 对照.")
class ReferenceCatalog:
    place: str
    source_name: str
    imported_at: datetime
    power_count: int


@strawberry.type(description="One row of a reference catalogue.")
class ReferencePower:
    row: int
    code: str
    name: str
    category: PowerCategory | None  # type: ignore[valid-type]
    category_text: str
    basis_text: str
    time_limit: str

    @classmethod
    def of(cls, p: ReferencePowerModel) -> ReferencePower:
        return cls(row=p.row, code=p.code, name=p.name, category=p.category, category_text=p.category_text,
                   basis_text=p.basis_text, time_limit=p.time_limit)  # fmt: skip


@strawberry.type(description="A power of ours matched with one of theirs.")
class CatalogMatch:
    ours: Power
    theirs: ReferencePower
    confidence: int = strawberry.field(
        description="置信度: how sure the pairing is, 0–100 (%): the names' meaning and characters, shared basis "
        "articles, and the category (an item of another category, or a 公共服务 that is no administrative power, weighs against)"
    )
    score: float = strawberry.field(
        description="the confidence (0–100)", deprecation_reason="use confidence (a percentage; score could pass 100)"
    )
    shared_articles: int
    differences: list[str] = strawberry.field(description="category, basis or time limit that differ")


@strawberry.type(description="对照: our catalogue (as the caller may see it) against another place's.")
class CatalogComparison:
    place: str
    only_ours: list[Power]
    only_theirs: list[ReferencePower]
    matched: list[CatalogMatch]
    by_meaning: bool = strawberry.field(
        description="true: names were paired by meaning as well as characters; false: by characters alone "
        "(the embedding model is not installed on this host)"
    )


CatalogComparisonResult = Annotated[CatalogComparison | NotFoundError, strawberry.union("CatalogComparisonResult")]


async def _unit_code(unit_id: strawberry.ID) -> str:
    unit = await UnitModel.get_or_none(id=pk(unit_id, "Unit", "unitId"))
    if unit is None:
        raise NotFound("没有该单位 (unit not found)")
    return unit.code


def name_embedding() -> NameEmbedding | None:
    """What pairs names by meaning in 对照 (search.embedding.for_names: e5 where installed), or None where no
    model is installed or meaning is switched off."""
    model = embedding.for_names()
    return NameEmbedding(*model) if model else None


@strawberry.type
class CatalogQuery:
    @strawberry.field(description="参照清单: other places' catalogues imported for 对照 (public documents of those places)")
    async def reference_catalogs(self) -> list[ReferenceCatalog]:
        catalogs = await ReferenceCatalogModel.annotate(count=Count("powers")).order_by("place")
        return [ReferenceCatalog(place=c.place, source_name=c.source_name, imported_at=c.imported_at,
                                 power_count=c.count) for c in catalogs]  # type: ignore[attr-defined]  # fmt: skip

    @strawberry.field(description="对照: a unit's catalogue, as the caller may see it, against another place's")
    async def catalog_comparison(self, info: Info, unit_id: strawberry.ID, place: str) -> CatalogComparisonResult:
        try:
            found = await comparing.compare(info.context.viewer, await _unit_code(unit_id), place, embedding=name_embedding())
        except DomainError as exc:  # an unknown place or unit, or an id that is no unit's
            return NotFoundError(message=exc.message)
        return CatalogComparison(
            place=found.catalog.place,
            only_ours=[Power.from_model(p) for p in found.only_ours],
            only_theirs=[ReferencePower.of(t) for t in found.only_theirs],
            matched=[CatalogMatch(ours=Power.from_model(m.ours), theirs=ReferencePower.of(m.theirs), confidence=m.confidence, score=m.confidence,
                                  shared_articles=m.shared_articles, differences=m.differences) for m in found.matched],
            by_meaning=found.by_meaning,
        )  # fmt: skip
