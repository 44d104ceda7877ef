"""`qingquan filing`: a unit's Word filing (附3–附7, 一图, 一件, 文字材料) written to a file, and
beside it the same filing as PDF where LibreOffice is installed."""

from __future__ import annotations

from pathlib import Path

import typer

from docgen.filing import Filing, build_filing
from docgen.forms import FilingForm
from docgen.pdf import PdfUnavailable, convert
from domain.access import CLI, UNIT_ROLES, Viewer, viewer_for
from domain.enums import Network, Role
from domain.errors import NotFound
from domain.models import Power, Unit
from qingquan.commands.common import console, run_with_db


async def viewer_as(role: Role, unit: Unit) -> Viewer:
    """The command acts as admin; `--role` narrows it (a unit role is scoped to the filing's unit)."""
    if role is Role.ADMIN:
        return CLI
    return await viewer_for(role, unit.id if role in UNIT_ROLES else None, name=f"cli:{role.value.lower()}")


async def _generate(
    unit_code: str, form: FilingForm, power_code: str | None, role: Role, network: Network | None = None
) -> Filing:
    unit = await Unit.get_or_none(code=unit_code)
    if unit is None:
        raise NotFound(f"没有编码为 {unit_code} 的单位 (no unit with code {unit_code})")
    power_id = None
    if power_code:
        power = await Power.get_or_none(code=power_code)
        if power is None:
            raise NotFound(f"没有编码为 {power_code} 的职权 (no power with code {power_code})")
        power_id = power.id
    return await build_filing(await viewer_as(role, unit), unit.id, form, power_id, network=network)


def filing(
    unit: str = typer.Option(..., "--unit", help="unit code, e.g. 36072308"),
    form: FilingForm = typer.Option(..., "--form", case_sensitive=False, help="REGISTRATION (附3、4), CATALOG (附5), CONFIDENTIAL (附6), OPERATION_RECORDS (附7), FLOW_CHARTS (一图), LEGAL_TEXTS (一件), COVER_NOTE (文字材料)"),
    power: str | None = typer.Option(None, "--power", help="one power's code, to file only that power"),
    output: Path | None = typer.Option(None, "--output", "-o", help="file or directory to write (default: the filing's name in the current directory)"),
    role: Role = typer.Option(Role.ADMIN, "--role", case_sensitive=False, help="generate as this role sees it (PUBLIC: the public version)"),
    pdf: bool = typer.Option(True, "--pdf/--no-pdf", help="also write the filing as PDF beside the .docx (needs LibreOffice)"),
    network: Network | None = typer.Option(None, "--network", case_sensitive=False, help="附7 (OPERATION_RECORDS) of one of the 七大网络 only"),
) -> None:
    """Generate a Word filing (and its PDF); prints the .docx path written on the last line."""
    result = run_with_db(lambda: _generate(unit, form, power, role, network))
    path = output or Path(result.filename)
    if path.is_dir():
        path = path / result.filename
    path.write_bytes(result.content)
    console.print(f"{form.label}: {result.rows} rows, {len(result.content):,} bytes")
    for line in result.missing:
        console.print(f"[yellow]no flow chart yet:[/yellow] {line}")
    if pdf:
        try:
            pdf_path = path.with_suffix(".pdf")
            pdf_path.write_bytes(convert(result))
            console.print(f"PDF: {pdf_path}")
        except PdfUnavailable as exc:
            console.print(f"[yellow]PDF not written:[/yellow] {exc}")
    typer.echo(str(path))


def register(app: typer.Typer) -> None:
    app.command("filing")(filing)
