"""Imports that see every change (issue 26, item 5): a sheet exported, edited in a spreadsheet program
(openpyxl here) and imported back reports each difference of a known power with its old and new value,
applies them on request by the roads any edit takes (a draft edited, a published power revised and
reviewed, 动态管理), writes nothing at all when asked for all or nothing, and warns of a new row that may
repeat a power — one the importer may see, never a hidden one."""

from __future__ import annotations

import io
import json
from datetime import datetime

import httpx
import pytest
from openpyxl import Workbook, load_workbook

from domain.catalog.changes import ChangeRoute, FieldChange
from domain.catalog.citations import link_citations, parse_citations
from domain.catalog.export import ExportFormat, catalog_export, write
from domain.catalog.importer import RowFate, import_into_unit
from domain.enums import ChangeNoticeStatus, PowerCategory, PowerStatus, RevisionStatus, Role, SearchEntity
from domain.models import AuditEvent, Change, LegalArticle, Power, PowerBasis, Unit
from domain.services.bases import BasisData, create_basis
from domain.workflow_models import ChangeNotice, PowerRevision
from resolvers.ids import encode_id
from tests.catalog_sheets import numbered_unit, tag, upload_sheet
from tests.factories import ADMIN, first_article, make_document, make_power, row_counts, staff_of
from tests.helpers import token_for
from tests.workflow_factories import decided, in_review, published_power

pytestmark = pytest.mark.usefixtures("demo")  # the demo first: its powers keep the lowest ids
NOW = datetime(2026, 12, 7, 10, 0).astimezone()
LAND_57 = "《中华人民共和国土地管理法》第五十七条"
LAND_67 = "《中华人民共和国土地管理法》第六十七条"
#: The exported sheet's columns (domain.catalog.export.COLUMNS after 序号), 1-based as openpyxl counts.
CODE, NAME, CATEGORY, BASIS, TIME_LIMIT = 2, 3, 4, 7, 8


async def article(citation: str) -> LegalArticle:
    (found,) = (await link_citations(parse_citations(citation))).values()
    return found


async def cite(power: Power, citation: str) -> None:
    await create_basis(ADMIN, BasisData(power_id=power.id, article_id=(await article(citation)).id))


def edited(content: bytes, edits: dict[str, dict[int, str]], *new_rows: list[object]) -> bytes:
    """The exported workbook as a clerk saves it: cells of the rows of these codes changed, rows appended."""
    book = load_workbook(io.BytesIO(content))
    ws = book.worksheets[0]
    for row in ws.iter_rows(min_row=3):
        for column, value in edits.get(row[CODE - 1].value, {}).items():
            row[column - 1].value = value
    for values in new_rows:
        ws.append(values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def land_bureau() -> tuple[Unit, str, Power, Power, Power]:
    """A unit with a published power, a draft to re-categorise, and a draft citing 土地管理法 第五十七条."""
    unit = await numbered_unit("测试国土资源局")
    t = tag()
    published = await published_power(
        unit, name=f"采矿权登记{t}", category=PowerCategory.LICENSING, code="", time_limit="20个工作日", time_limit_days=20
    )  # fmt: skip
    draft = await make_power(unit, name=f"土地违法案件调查{t}", category=PowerCategory.PENALTY)
    existing = await make_power(unit, name=f"建设项目临时用地审批{t}", category=PowerCategory.LICENSING)
    await cite(existing, LAND_57)
    return unit, t, published, draft, existing


async def feed_after(change_id: int) -> set[int]:
    return set(await Change.filter(id__gt=change_id, entity=SearchEntity.POWER).values_list("entity_id", flat=True))


async def test_round_trip_of_a_renamed_a_recategorised_and_a_duplicate_row() -> None:
    unit, t, published, draft, existing = await land_bureau()
    staff = await staff_of(unit)
    sheet = edited(
        write(await catalog_export(staff, unit, generated_at=NOW), ExportFormat.XLSX),
        {published.code: {NAME: f"采矿权新立登记{t}", TIME_LIMIT: "15个工作日"},
         draft.code: {CATEGORY: "行政检查", BASIS: LAND_67}},
        [4, "", f"临时用地审批{t}", "行政许可", "专门职权", unit.name, LAND_57, "20个工作日"],
    )  # fmt: skip
    before, revisions = await row_counts(), await PowerRevision.all().count()
    dry = await import_into_unit(staff, unit.code, "清单.xlsx", sheet, dry_run=True)
    by_code = {r.code: r for r in dry.rows}
    assert by_code[published.code].fate is RowFate.CHANGED and by_code[published.code].changes == [
        FieldChange("name", "职权名称", published.name, f"采矿权新立登记{t}"),
        FieldChange("time_limit", "办理时限", "20个工作日", "15个工作日"),
    ]
    assert by_code[draft.code].fate is RowFate.CHANGED and by_code[draft.code].changes == [
        FieldChange("category", "职权类别", "行政处罚", "行政检查"),
        FieldChange("basis", "设定依据", "", LAND_67),
    ]
    assert "未采用" in by_code[draft.code].reasons[0] and by_code[draft.code].applied is None
    assert by_code[existing.code].fate is RowFate.MATCHED and by_code[existing.code].changes == []
    new = dry.rows[-1]
    assert new.fate is RowFate.CREATED and new.name == f"临时用地审批{t}"
    duplicate = next(d for d in new.duplicates if d.code == existing.code)
    assert duplicate.name == existing.name and duplicate.shared == (LAND_57,) and duplicate.similarity >= 75
    assert any(existing.code in reason and "重复" in reason for reason in new.reasons)
    assert not dry.written and await row_counts() == before and await PowerRevision.all().count() == revisions

    last_change = (await Change.all().order_by("-id").first()).id  # type: ignore[union-attr]
    done = await import_into_unit(staff, unit.code, "清单.xlsx", sheet, apply_changes=True)
    assert done.written and [r.fate for r in done.rows].count(RowFate.CHANGED) == 2
    revised, recategorised, created = (next(r for r in done.rows if r.name == name) for name in (
        f"采矿权新立登记{t}", draft.name, f"临时用地审批{t}"))  # fmt: skip
    # the published power: a revision holds the change; the public keeps the published version until it is approved
    assert revised.applied is ChangeRoute.REVISION and revised.draft_code == f"{published.code}.R1"
    revision = await PowerRevision.get(power_id=published.id, status=RevisionStatus.OPEN)
    assert "清单.xlsx" in revision.reason and f"采矿权新立登记{t}" in revision.reason
    copy = await Power.get(code=revised.draft_code)
    assert (copy.status, copy.name, copy.time_limit, copy.time_limit_days) == (
        PowerStatus.DRAFT, f"采矿权新立登记{t}", "15个工作日", 15,
    )  # fmt: skip
    assert (await Power.get(id=published.id)).name == published.name
    # the draft: edited in place, its code following its new category, its basis added
    assert recategorised.applied is ChangeRoute.EDIT
    edited_draft = await Power.get(id=draft.id)
    assert edited_draft.category is PowerCategory.INSPECTION and recategorised.code == edited_draft.code != draft.code
    assert edited_draft.code.startswith(f"{unit.code}JC-")
    bases = await PowerBasis.filter(power_id=draft.id).select_related("article__document__work")
    assert [(b.article.document.work.key, b.article.label) for b in bases] == [("土地管理法", "第六十七条")]
    assert created.fate is RowFate.CREATED and (await Power.get(code=created.code)).status is PowerStatus.DRAFT
    # audit and change feed as for any edit
    actions = [(e.action, e.entity_id) for e in await AuditEvent.filter(actor=staff.name, action__in=(
        "power.update", "power.revision.open", "basis.create", "catalog.import"))]  # fmt: skip
    assert ("power.update", str(draft.id)) in actions and ("power.update", str(copy.id)) in actions
    assert ("power.revision.open", str(revision.id)) in actions and ("catalog.import", str(unit.id)) in actions
    imported = await AuditEvent.filter(action="catalog.import", entity_id=str(unit.id)).order_by("-id").first()
    assert imported is not None and imported.detail["applied"] == 2 and imported.detail["created"] == 1
    assert {draft.id, copy.id, (await Power.get(code=created.code)).id} <= await feed_after(last_change)

    # a new row like the power under revision names the power, not the revision's working copy
    cited = (await PowerBasis.filter(power_id=published.id).select_related("article__document").first()).article  # type: ignore[union-attr]
    like = edited(sheet, {}, [5, "", f"采矿权新立登记审核{t}", "行政许可", "专门职权", unit.name, f"《{cited.document.title}》{cited.label}"])
    assert [d.code for d in (await import_into_unit(staff, unit.code, "x.xlsx", like, dry_run=True)).rows[-1].duplicates] == [published.code]

    # the revision goes through review like any other; approved, the power is renamed with its change notice
    await in_review(copy)
    await decided(copy.id)
    now = await Power.get(id=published.id)
    assert (now.name, now.code, now.status, now.time_limit_days) == (f"采矿权新立登记{t}", published.code, PowerStatus.PUBLISHED, 15)
    notice = await ChangeNotice.get(power_id=published.id)
    assert notice.status is ChangeNoticeStatus.ACCEPTED and notice.explanation == revision.reason

    # imported again, the sheet matches what is now there
    again = await import_into_unit(staff, unit.code, "清单.xlsx", sheet, dry_run=True, apply_changes=True)
    assert [r.fate for r in again.rows] == [RowFate.MATCHED] * 4


async def test_all_or_nothing_writes_nothing_when_one_row_is_refused() -> None:
    unit = await numbered_unit("测试国土资源局")
    t = tag()
    published = await published_power(unit, name=f"土地登记{t}", category=PowerCategory.CONFIRMATION, code="")
    staff = await staff_of(unit)
    sheet = edited(
        write(await catalog_export(staff, unit, generated_at=NOW), ExportFormat.XLSX),
        {published.code: {CATEGORY: "行政许可", NAME: f"土地权属登记{t}"}},  # a revision keeps its category
        [2, "", f"土地复垦验收{t}", "行政确认", "专门职权", unit.name, LAND_67, "20个工作日"],
    )
    before, revisions = await row_counts(), await PowerRevision.all().count()
    result = await import_into_unit(staff, unit.code, "x.xlsx", sheet, apply_changes=True, all_or_nothing=True)
    refused, new = result.rows
    assert refused.fate is RowFate.REFUSED and any("类别" in reason for reason in refused.reasons)
    assert [c.field for c in refused.changes] == ["name", "category"]
    assert new.fate is RowFate.CREATED  # as it would have been: nothing is
    assert result.rolled_back and not result.written
    assert await row_counts() == before and await PowerRevision.all().count() == revisions
    # without all-or-nothing the good row is written beside the refused one, and the refused row left no revision
    result = await import_into_unit(staff, unit.code, "x.xlsx", sheet, apply_changes=True)
    assert [r.fate for r in result.rows] == [RowFate.REFUSED, RowFate.CREATED] and result.written
    assert await PowerRevision.filter(power_id=published.id).count() == 0
    assert (await Power.get(code=result.rows[1].code)).name == f"土地复垦验收{t}"


IMPORT = """
mutation Import($unit: ID!, $file: Upload!, $dryRun: Boolean!, $apply: Boolean!) {
  importCatalog(unitId: $unit, file: $file, dryRun: $dryRun, applyChanges: $apply, allOrNothing: true) {
    __typename
    ... on CatalogImportReport {
      created matched changed refused written
      rows { row fate name code reasons changes { field label old new } applied revisionDraftCode
             possibleDuplicates { code name similarity sharedArticles } }
    }
  }
}
"""


async def test_duplicate_warnings_name_only_powers_the_importer_may_see(client: httpx.AsyncClient) -> None:
    """A hidden power citing the same article under a close name (another unit's confidential power, its
    draft) never shows through a warning: not its code, not its name. An admin, who sees them, is warned."""
    ours, theirs = await numbered_unit("测试国土资源局"), await numbered_unit("另一测试国土资源局")
    t = tag()
    law = await make_document()
    cited = f"《{law.title}》第一条"
    secret = await make_power(theirs, name=f"建设项目临时用地审批{t}", category=PowerCategory.LICENSING,
                              confidential=True, confidentiality_reason="涉密", confidentiality_basis="《保守国家秘密法》第九条")  # fmt: skip
    draft = await make_power(theirs, name=f"临时用地审批许可{t}", category=PowerCategory.LICENSING)
    mine = await make_power(ours, name=f"对非法占用土地的处罚{t}")
    for power in (secret, draft):
        await create_basis(ADMIN, BasisData(power_id=power.id, article_id=(await first_article(law)).id))
    wb = Workbook()
    wb.active.append(["职权编码", "职权名称", "职权类别", "设定依据"])
    wb.active.append([mine.code, f"对非法占用耕地的处罚{t}", "行政处罚", ""])
    wb.active.append(["", f"临时用地审批{t}", "行政许可", cited])
    buffer = io.BytesIO()
    wb.save(buffer)
    sheet = ("清单.xlsx", buffer.getvalue())

    as_admin = await import_into_unit(ADMIN, ours.code, *sheet, dry_run=True)
    assert {d.code for d in as_admin.rows[1].duplicates} == {secret.code, draft.code}  # they would be found

    token = await token_for(Role.UNIT_STAFF, ours)
    variables = {"unit": encode_id("Unit", ours.id), "dryRun": True, "apply": False}
    report = (await upload_sheet(client, IMPORT, variables, sheet, token))["importCatalog"]
    body = json.dumps(report, ensure_ascii=False)
    for hidden in (secret.code, secret.name, draft.code, draft.name):
        assert hidden not in body
    changed, new = report["rows"]
    assert new["fate"] == "CREATED" and new["possibleDuplicates"] == []
    assert changed["fate"] == "CHANGED" and changed["applied"] is None
    assert changed["changes"] == [{"field": "name", "label": "职权名称", "old": mine.name, "new": f"对非法占用耕地的处罚{t}"}]
    assert (report["changed"], report["created"], report["written"]) == (1, 1, False)

    report = (await upload_sheet(client, IMPORT, {**variables, "dryRun": False, "apply": True}, sheet, token))["importCatalog"]
    assert [r["applied"] for r in report["rows"]] == ["EDIT", None] and report["written"]
    assert (await Power.get(id=mine.id)).name == f"对非法占用耕地的处罚{t}"
