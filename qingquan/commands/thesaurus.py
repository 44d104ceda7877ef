"""`qingquan thesaurus list | set | remove | import | export`: the legal search's everyday words."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from domain import thesaurus
from domain.access import CLI
from qingquan.commands.common import console, run_with_db

thesaurus_app = typer.Typer(
    help="The legal search's thesaurus: everyday words and the legal terms they stand for", no_args_is_help=True
)


@thesaurus_app.command("list")
def list_(
    word: str = typer.Argument("", help="only words containing this"),
    as_json: bool = typer.Option(False, "--json", help="one JSON array, for scripts"),
) -> None:
    """Every word the search expands: the curated table shipped with Qingquan and the admins' entries."""
    found = run_with_db(lambda: thesaurus.entries(CLI, word=word))
    if as_json:
        rows = [{"word": e.word, "terms": list(e.terms), "enabled": e.enabled, "source": e.source, "note": e.note}
                for e in found]  # fmt: skip
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table(title=f"thesaurus ({len(found)} words)", title_justify="left")
    for column in ("word", "legal terms", "source", "note"):
        table.add_column(column, overflow="fold")
    for e in found:
        terms = " ".join(e.terms) if e.enabled else "[red]switched off[/]"
        table.add_row(e.word, terms, e.source, e.note)
    console.print(table)


@thesaurus_app.command("set")
def set_(
    word: str = typer.Argument(..., help="the everyday word, e.g. 黑车"),
    terms: list[str] = typer.Argument(None, help="the legal terms it stands for, e.g. 非法营运 道路运输经营"),
    off: bool = typer.Option(False, "--off", help="switch the word off (it expands to nothing)"),
    note: str = typer.Option("", "--note"),
) -> None:
    """Add a word, or change or switch off one; the next search in every server process uses it."""
    entry = run_with_db(lambda: thesaurus.set_entry(CLI, word, terms or [], enabled=not off, note=note))
    console.print(f"{entry.word} → {' '.join(entry.terms) if entry.enabled else 'switched off'}")


@thesaurus_app.command("remove")
def remove(word: str = typer.Argument(...)) -> None:
    """Remove an admin's entry (a curated word comes back as shipped)."""
    run_with_db(lambda: thesaurus.remove_entry(CLI, word))
    console.print(f"removed {word}")


@thesaurus_app.command("import")
def import_(
    path: Path = typer.Argument(..., exists=True, dir_okay=False, help="word<TAB>terms<TAB>note lines; -word switches off"),
    dry_run: bool = typer.Option(False, "--dry-run", help="check every line, write nothing"),
) -> None:
    """Apply a thesaurus file: every line checked first, then all written in one transaction (or none)."""
    text = path.read_text(encoding="utf-8-sig")
    added, changed = run_with_db(lambda: thesaurus.import_lines(CLI, text, dry_run=dry_run))
    console.print(f"{'would add' if dry_run else 'added'} {added}, {'would change' if dry_run else 'changed'} {changed}")


@thesaurus_app.command("export")
def export(
    path: Path = typer.Argument(..., dir_okay=False, help="where to write the file ('-': standard output)"),
    admin_only: bool = typer.Option(False, "--admin-only", help="only the admins' entries, not the curated table"),
) -> None:
    """Write the thesaurus as a file that `qingquan thesaurus import` reads back."""
    found = run_with_db(lambda: thesaurus.entries(CLI))
    if admin_only:
        found = [e for e in found if e.source != "curated"]
    text = thesaurus.export_lines(found)
    if str(path) == "-":
        typer.echo(text, nl=False)
        return
    path.write_text(text, encoding="utf-8")
    console.print(f"wrote {len(found)} words to {path}")


def register(app: typer.Typer) -> None:
    app.add_typer(thesaurus_app, name="thesaurus")
