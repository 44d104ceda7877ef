"""`qingquan filing` from the command line: the .docx, and the PDF beside it where LibreOffice is
installed (the printed pages themselves: tests/test_docgen_render.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from docgen.pdf import soffice
from domain.enums import PowerStatus
from domain.filenames import safe_filename
from domain.models import Power
from tests.conftest import run_cli
from tests.docx_checks import data_rows, open_docx, pdf_pages
from tests.factories import make_power, make_unit

pytestmark = pytest.mark.usefixtures("demo")


def test_cli_writes_a_filing(database: str, tmp_path: Path) -> None:
    proc = run_cli("filing", "--unit", "36072308", "--form", "catalog", "--output", str(tmp_path), db_url=database)
    path = Path(proc.stdout.strip().splitlines()[-1])
    assert path == tmp_path / "大余县国土资源局行政权力目录表(附5).docx"
    assert len(data_rows(open_docx(path.read_bytes()).tables[0])) > 0
    pdf = tmp_path / "大余县国土资源局行政权力目录表(附5).pdf"
    if soffice():
        assert pdf_pages(pdf.read_bytes()) >= 1
    else:
        assert not pdf.exists() and "PDF not written" in proc.stderr and "LibreOffice" in proc.stderr


async def test_cli_reports_a_catalogue_power_without_a_flow_chart(database: str, tmp_path: Path) -> None:
    unit = await make_unit()
    power = await make_power(unit)
    await Power.filter(id=power.id).update(status=PowerStatus.APPROVED)  # approved, its chart not drawn yet
    proc = run_cli("filing", "--unit", unit.code, "--form", "FLOW_CHARTS", "--no-pdf", "-o", str(tmp_path), db_url=database)
    assert f"no flow chart yet: {power.code}" in proc.stderr
    assert not (tmp_path / safe_filename(f"{unit.name}行政权力运行流程图（一图）.pdf")).exists()


def test_cli_refuses_the_confidential_list_to_the_public_role(database: str, tmp_path: Path) -> None:
    proc = run_cli(
        "filing", "--unit", "36072308", "--form", "CONFIDENTIAL", "--role", "PUBLIC", "-o", str(tmp_path), db_url=database, check=False
    )
    assert proc.returncode == 1 and "涉密" in proc.stderr
    assert list(tmp_path.iterdir()) == []
