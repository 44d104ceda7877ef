"""`qingquan catalog export | import | compare`: the catalogue (一表) in and out, and 对照 with other places."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from pathlib import Path

import typer
from rich.progress import Progress

from domain.access import CLI
from domain.catalog.compare import Comparison, compare, comparison_xlsx
from domain.catalog.export import ExportFormat, catalog_export, write
from domain.catalog.importer import ImportResult, RowFate, import_into_unit, import_reference
from domain.enums import Role
from domain.errors import NotFound
from domain.models import Unit
from qingquan.commands.common import console, print_json, run_with_db, table
from qingquan.commands.filing import viewer_as
from qingquan.package import Package, build_package
from schema.catalogue.exchange import name_embedding

catalog_app = typer.Typer(help="一表 in and out: export, import of other systems' sheets, 对照 with other places", no_args_is_help=True)

ROLE_HELP = "as this role sees it (PUBLIC: the public version); unit roles are scoped to --unit"


async def _unit(code: str) -> Unit:
    unit = await Unit.get_or_none(code=code.strip())
    if unit is None:
        raise NotFound(f"没有编码为 {code} 的单位 (no unit with code {code})")
    return unit


@catalog_app.command("export")
def export(
    unit: str = typer.Option(..., "--unit", help="unit code, e.g. 36072308"),
    fmt: ExportFormat = typer.Option(ExportFormat.XLSX, "--format", "-f", case_sensitive=False),
    output: Path = typer.Option(..., "--output", "-o", help="file to write"),
    role: Role = typer.Option(Role.ADMIN, "--role", case_sensitive=False, help=ROLE_HELP),
) -> None:
    """Write the unit's catalogue as xlsx, csv or json; prints the path written on the last line."""

    async def work() -> tuple[int, bytes, str]:
        found = await _unit(unit)
        result = await catalog_export(await viewer_as(role, found), found, generated_at=datetime.now().astimezone())
        return len(result.rows), await asyncio.to_thread(write, result, fmt), result.title

    rows, content, title = run_with_db(work)
    output.write_bytes(content)
    console.print(f"{title}: {rows} powers, {len(content):,} bytes", soft_wrap=True)
    typer.echo(str(output))


def _mapping(pairs: list[str]) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        header, sep, column = pair.partition("=")
        if not sep:
            raise typer.BadParameter(f"--map takes HEADER=COLUMN, got {pair!r}")
        mapping[header.strip()] = column.strip()
    return mapping


def _print_report(result: ImportResult) -> None:
    note = "（试运行，未写入）" if result.dry_run else "（全部未写入：有被拒绝的行）" if result.rolled_back else ""
    shown = table("行", "结果", "职权名称", "编码", "变更（原 → 新）/ 原因 / 未关联的依据", title=f"{result.target}{note}")
    colour = {RowFate.CREATED: "green", RowFate.MATCHED: "cyan", RowFate.CHANGED: "yellow", RowFate.REFUSED: "red"}
    for row in result.rows:
        notes = [*(str(c) for c in row.changes), *row.reasons, *(f"未关联：{c}" for c in row.unlinked)]
        shown.add_row(str(row.row), f"[{colour[row.fate]}]{row.fate.value}[/]", row.name, row.code, "\n".join(notes))
    console.print(shown)
    console.print("recognised columns: " + ", ".join(f"{k}←{v}" for k, v in result.headers.items()), soft_wrap=True)
    if result.unknown_headers:
        console.print("ignored columns: " + ", ".join(result.unknown_headers), soft_wrap=True)
    console.print(" ".join(f"{fate.value.lower()}={result.count(fate)}" for fate in RowFate), soft_wrap=True)
    if result.rolled_back:
        console.print(f"all or nothing: {result.count(RowFate.REFUSED)} rows refused, nothing was written", soft_wrap=True)
    elif not result.apply_changes and result.count(RowFate.CHANGED):
        console.print("changes were reported, not applied: --apply-changes applies them", soft_wrap=True)


@catalog_app.command("import")
def import_(
    path: Path = typer.Argument(..., exists=True, dir_okay=False, help=".xlsx or .csv sheet"),
    unit: str | None = typer.Option(None, "--unit", help="import into this unit's powers (new ones as DRAFT)"),
    reference: str | None = typer.Option(None, "--reference", help="keep as this place's reference catalogue instead"),
    dry_run: bool = typer.Option(False, "--dry-run", help="report every row's fate, write nothing"),
    mapping: list[str] = typer.Option([], "--map", help="HEADER=COLUMN for a header not recognised (columns: name, code, category, basis, time_limit, unit …)"),
    report: Path | None = typer.Option(None, "--report", help="also write the per-row report as JSON here"),
    as_json: bool = typer.Option(False, "--json", help="print the per-row report as JSON on stdout, instead of the table"),
    apply_changes: bool = typer.Option(
        False, "--apply-changes",
        help="apply the changes of CHANGED rows: a draft is edited, a published power gets a revision to declare and review",
    ),
    all_or_nothing: bool = typer.Option(False, "--all-or-nothing", help="one refused row and nothing is written"),
) -> None:
    """Read another system's catalogue sheet; prints a per-row report (exit 1 if every row was refused, or
    if --all-or-nothing wrote nothing)."""
    if reference is not None and (apply_changes or all_or_nothing):
        raise typer.BadParameter("--apply-changes and --all-or-nothing import into a unit (--unit)")
    if (unit is None) == (reference is None):
        raise typer.BadParameter("give exactly one of --unit and --reference")
    data = path.read_bytes()
    given = _mapping(mapping)

    async def work() -> ImportResult:
        if unit is None:
            assert reference is not None
            return await import_reference(CLI, reference, path.name, data, mapping=given, dry_run=dry_run, embedding=name_embedding())
        with Progress(console=console, transient=True) as bar:
            task = bar.add_task("importing rows", total=None)
            return await import_into_unit(CLI, unit, path.name, data, mapping=given, dry_run=dry_run,
                                          apply_changes=apply_changes, all_or_nothing=all_or_nothing,
                                          progress=lambda done, total: bar.update(task, completed=done, total=total))  # fmt: skip

    result = run_with_db(work)
    if as_json:
        print_json(report_json(result))
    else:
        _print_report(result)
    if report is not None:
        report.write_text(json.dumps(report_json(result), ensure_ascii=False, indent=1), encoding="utf-8")
    if (result.rows and result.count(RowFate.REFUSED) == len(result.rows)) or result.rolled_back:
        raise typer.Exit(1)


def report_json(result: ImportResult) -> dict[str, object]:
    """The report as `--json` and `--report` write it: the names and values of the GraphQL import report."""
    return {
        "target": result.target, "dryRun": result.dry_run, "applyChanges": result.apply_changes,
        "allOrNothing": result.all_or_nothing, "written": result.written, "headers": result.headers,
        "unknownHeaders": result.unknown_headers,
        "counts": {fate.value: result.count(fate) for fate in RowFate},
        "rows": [{"row": r.row, "fate": r.fate.value, "name": r.name, "code": r.code, "reasons": r.reasons,
                  "linked": r.linked, "unlinked": r.unlinked,
                  "changes": [{"field": c.field, "label": c.label, "old": c.old, "new": c.new} for c in r.changes],
                  "applied": r.applied.value if r.applied else None, "revisionDraftCode": r.draft_code or None,
                  "possibleDuplicates": [{"code": d.code, "name": d.name, "similarity": d.similarity,
                                          "sharedArticles": list(d.shared)} for d in r.duplicates]}
                 for r in result.rows],
    }  # fmt: skip


@catalog_app.command("compare")
def compare_(
    unit: str = typer.Option(..., "--unit", help="our unit's code"),
    reference: str = typer.Option(..., "--reference", help="the place whose catalogue was imported with --reference"),
    output: Path | None = typer.Option(None, "--output", "-o", help="write the comparison as .xlsx"),
    role: Role = typer.Option(Role.ADMIN, "--role", case_sensitive=False, help=ROLE_HELP),
) -> None:
    """对照: powers only we list, only they list, and matched pairs that differ."""

    async def work() -> Comparison:
        found = await _unit(unit)
        return await compare(await viewer_as(role, found), unit, reference, embedding=name_embedding())

    result = run_with_db(work)
    console.print(f"{result.unit.name} ↔ {result.catalog.place}: matched {len(result.matched)} "
                  f"(differing {len(result.differing)}), only ours {len(result.only_ours)}, only theirs {len(result.only_theirs)}",
                  soft_wrap=True)  # fmt: skip
    if not result.by_meaning:
        console.print("  names compared by their characters alone: the embedding model is not installed or switched off", soft_wrap=True)
    for pair in result.matched:
        detail = "：" + "；".join(pair.differences) if pair.differences else ""
        console.print(f"  {pair.ours.code} {pair.ours.name} ↔ {pair.theirs.name}（置信度 {pair.confidence}%）{detail}", soft_wrap=True)
    for power in result.only_ours:
        console.print(f"  仅我方 {power.code} {power.name}", soft_wrap=True)
    for item in result.only_theirs:
        console.print(f"  仅对方 第{item.row}行 {item.name}", soft_wrap=True)
    if output is not None:
        output.write_bytes(comparison_xlsx(result))
        typer.echo(str(output))


#: the package's counts (manifest.json), as a person reads them
COUNT_LABELS = {"powers": "职权 powers", "filings": "表格 filings (.docx)", "pdfs": "PDF", "charts": "流程图 charts (SVG)",
                "files": "文件 files"}  # fmt: skip


def package(
    unit: str = typer.Option(..., "--unit", help="unit code"),
    output: Path = typer.Option(..., "--output", "-o", help="the .zip to write"),
    role: Role = typer.Option(Role.ADMIN, "--role", case_sensitive=False, help=ROLE_HELP),
    pdf: bool = typer.Option(True, "--pdf/--no-pdf", help="each filing also as PDF (needs LibreOffice; noted in the manifest where not)"),
    as_json: bool = typer.Option(False, "--json", help="print the path, counts and notes as JSON on stdout"),
) -> None:
    """一盘: every filing, chart (SVG) and the catalogue (xlsx, json) with manifest.json, as one zip."""

    async def work() -> Package:
        found = await _unit(unit)
        return await build_package(await viewer_as(role, found), unit, generated_at=datetime.now().astimezone(), pdf=pdf)

    result = run_with_db(work)
    output.write_bytes(result.content)
    counts: dict[str, int] = result.manifest["counts"]  # type: ignore[assignment]
    notes: list[str] = result.manifest["notes"]  # type: ignore[assignment]
    if as_json:
        print_json({"path": str(output), "filename": result.filename, "bytes": len(result.content), "counts": counts, "notes": notes})
        return
    shown = table("", "", title=f"{result.filename}: {len(result.content):,} bytes", header=False)
    for name, value in counts.items():
        shown.add_row(COUNT_LABELS.get(name, name), f"{value:,}")
    console.print(shown)
    for note in notes:
        console.print(f"  note: {note}", soft_wrap=True)
    typer.echo(str(output))


def register(app: typer.Typer) -> None:
    app.add_typer(catalog_app, name="catalog")
    app.command("package")(package)

