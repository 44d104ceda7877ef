"""`qingquan filing` from the command line, and the filings as LibreOffice prints them (PDF)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from docgen.filing import build_filing
from docgen.forms import FilingForm
from domain import models as m
from tests.conftest import run_cli
from tests.docx_checks import data_rows, open_docx
from tests.factories import ADMIN

pytestmark = pytest.mark.usefixtures("demo")
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")
A4_LANDSCAPE = re.compile(rb"/MediaBox\s*\[\s*0\s+0\s+841\.8\d*\s+595\.\d+\s*\]")


def test_cli_writes_a_filing(database: str, tmp_path: Path) -> None:
    proc = run_cli("filing", "--unit", "36072308", "--form", "catalog", "--output", str(tmp_path), db_url=database)
    path = Path(proc.stdout.strip().splitlines()[-1])
    assert path == tmp_path / "36072308-CATALOG.docx"
    assert len(data_rows(open_docx(path.read_bytes()).tables[0])) > 0


def test_cli_refuses_the_confidential_list_to_the_public_role(database: str, tmp_path: Path) -> None:
    proc = run_cli(
        "filing", "--unit", "36072308", "--form", "CONFIDENTIAL", "--role", "PUBLIC", "-o", str(tmp_path), db_url=database, check=False
    )
    assert proc.returncode == 1 and "涉密" in proc.stderr
    assert list(tmp_path.iterdir()) == []


def to_pdf(paths: list[Path], outdir: Path) -> dict[str, bytes]:
    subprocess.run(
        [SOFFICE, "--headless", f"-env:UserInstallation=file://{outdir / 'profile'}", "--convert-to", "pdf", "--outdir", str(outdir), *map(str, paths)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return {p.stem: (outdir / f"{p.stem}.pdf").read_bytes() for p in paths}


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed: PDF page counts not checked")
async def test_libreoffice_prints_the_filings_on_the_expected_pages(tmp_path: Path) -> None:
    unit = await m.Unit.get(code="36072308")
    power = await m.Power.filter(unit_id=unit.id, category="LICENSING", status="PUBLISHED").first()
    assert power is not None
    wanted = {
        "catalog": await build_filing(ADMIN, unit.id, FilingForm.CATALOG),
        "chart": await build_filing(ADMIN, unit.id, FilingForm.FLOW_CHARTS, power.id),
        "note": await build_filing(ADMIN, unit.id, FilingForm.COVER_NOTE),
        "secret": await build_filing(ADMIN, unit.id, FilingForm.CONFIDENTIAL),
    }
    paths = []
    for name, filing in wanted.items():
        paths.append(tmp_path / f"{name}.docx")
        paths[-1].write_bytes(filing.content)
    pdfs = to_pdf(paths, tmp_path)
    pages = {name: len(PAGE.findall(pdf)) for name, pdf in pdfs.items()}
    assert 1 <= pages["note"] <= 2
    assert 1 <= pages["chart"] <= 2, "one power's chart prints on one or two pages"
    assert pages["secret"] == 1
    # rows never split: long rows move whole to the next page, at most a page per row (and the title)
    assert 2 <= pages["catalog"] <= wanted["catalog"].rows + 1
    assert A4_LANDSCAPE.search(pdfs["catalog"]) and not A4_LANDSCAPE.search(pdfs["note"])
