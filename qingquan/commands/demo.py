"""`qingquan seed-demo`: the deterministic demo county (大余县), built on the packaged legal library."""

from __future__ import annotations

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from domain.demo import COUNTY_CODE, SeedReport, canonical_dump, seed_demo
from domain.demo.dump import fingerprint
from domain.enums import Network, PowerCategory, PowerStatus
from qingquan.commands.common import console, run_with_db


def print_report(report: SeedReport) -> None:
    if report.library is not None:
        lib = report.library
        console.print(f"法律库: imported {lib.documents} documents, {lib.articles_written} articles ({lib.seconds:.1f} s)")
    table = Table(title=f"大余县 demo county ({COUNTY_CODE})", show_header=False)
    for name, value in (
        ("units (incl. 科室)", report.units),
        ("  科室 (offices)", report.offices),
        ("  townships", report.townships),
        ("positions (岗位)", report.positions),
        ("powers", report.powers),
        *((f"  {c.label} {c.value}", report.by_category.get(c.value, 0)) for c in PowerCategory),
        *((f"  {s.label} {s.value}", report.by_status.get(s.value, 0)) for s in PowerStatus),
        ("confidential (涉密)", report.confidential),
        ("  without 保密依据", report.confidential_without_basis),
        ("legal bases", report.bases),
        ("laws cited", len(report.laws)),
        ("flow charts / steps / edges", f"{report.charts} / {report.steps} / {report.edges}"),
        ("disclosure records", report.disclosure_records),
        ("operation records (附7)", report.operation_records),
        *((f"  {n.label}", report.by_network.get(n.value, 0)) for n in Network),
        ("seconds", f"{report.seconds:.1f}"),
    ):
        table.add_row(name, str(value))
    console.print(table)
    for problem in report.problems:
        console.print(f"[yellow]warning:[/yellow] {problem}")


def seed_demo_command(
    show_fingerprint: bool = typer.Option(
        False, "--fingerprint", help="print the SHA-256 of the county's canonical dump as the last line"
    ),
) -> None:
    """Build the demo county 大余县 (imports the packaged law library first if needed); safe to run again."""
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        async def work() -> tuple[SeedReport, str]:
            report = await seed_demo(progress)
            return report, fingerprint(await canonical_dump(COUNTY_CODE)) if show_fingerprint else ""

        report, digest = run_with_db(work)
    print_report(report)
    if report.action == "seeded":
        typer.echo(f"seeded the demo county {COUNTY_CODE}: {report.units} units, {report.positions} positions, "
                   f"{report.powers} powers, {report.operation_records} operation records")
    elif report.problems:
        typer.echo(f"the demo county {COUNTY_CODE} is already there; nothing written; "
                   f"{len(report.problems)} of its items are missing (changed since seeding)")
    elif report.leading_group_added:
        typer.echo(f"the demo county {COUNTY_CODE} is already seeded and verified; its leading group (附1) added: "
                   f"{report.leading_group_added} members")
    else:
        typer.echo(f"the demo county {COUNTY_CODE} is already seeded and verified; nothing written")
    if show_fingerprint:
        typer.echo(digest)


def register(app: typer.Typer) -> None:
    app.command("seed-demo")(seed_demo_command)
