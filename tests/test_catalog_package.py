"""一盘: `qingquan package` and `generatePackage` — every filing, chart and the catalogue in one zip,
manifest.json with each file's SHA-256 and the counts, and nothing the role may not see."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook

from domain.access import PUBLIC
from domain.enums import PowerCategory, Role
from domain.models import Power, Unit
from qingquan.package import build_package
from resolvers.ids import encode_id
from tests.conftest import run_cli
from tests.docx_checks import all_text, open_docx
from tests.factories import ADMIN, make_power, make_unit, power_name
from tests.helpers import gql_data, token_for
from tests.workflow_factories import charted, published_power

pytestmark = pytest.mark.usefixtures("demo")  # the demo first: its powers keep the lowest ids
NOW = datetime(2026, 11, 29, 10, 0).astimezone()


async def unit_with_secrets() -> tuple[Unit, Power, list[Power]]:
    unit = await make_unit(name="测试一盘单位")
    shown = await published_power(unit, name=power_name("排污许可"), category=PowerCategory.LICENSING)
    secret = await charted(await make_power(unit, name=power_name("涉密核查"), confidential=True,
                                            confidentiality_reason="涉密", confidentiality_basis="《保守国家秘密法》"))  # fmt: skip
    draft = await make_power(unit, name=power_name("未公开的处罚"))
    return unit, shown, [secret, draft]


def opened(content: bytes) -> tuple[zipfile.ZipFile, dict]:
    archive = zipfile.ZipFile(io.BytesIO(content))
    return archive, json.loads(archive.read("manifest.json"))


def check_manifest(archive: zipfile.ZipFile, manifest: dict) -> None:
    listed = {f["path"]: f for f in manifest["files"]}
    assert set(listed) == set(archive.namelist()) - {"manifest.json"}
    for path, entry in listed.items():
        data = archive.read(path)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest() and entry["bytes"] == len(data)
    assert manifest["counts"]["files"] == len(listed)


def everything_readable(archive: zipfile.ZipFile) -> str:
    """The text of every file of the package: documents, charts, sheet and json."""
    parts = []
    for name in archive.namelist():
        data = archive.read(name)
        if name.endswith(".docx"):
            parts.append(all_text(open_docx(data)))
        elif name.endswith(".xlsx"):
            parts.append(repr(list(load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True))))
        elif not name.endswith(".pdf"):
            parts.append(data.decode("utf-8"))
    return "\n".join(parts)


async def test_the_staff_package_holds_every_filing_chart_and_the_catalogue() -> None:
    unit, shown, (secret, draft) = await unit_with_secrets()
    package = await build_package(ADMIN, unit.code, generated_at=NOW, pdf=False)
    archive, manifest = opened(package.content)
    check_manifest(archive, manifest)
    names = archive.namelist()
    assert manifest["role"] == "ADMIN" and manifest["public"] is False
    assert {f"charts/{shown.code}.svg", f"charts/{secret.code}.svg", "catalog/catalog.xlsx", "catalog/catalog.json"} <= set(names)
    assert sum(n.startswith("filings/") and n.endswith(".docx") for n in names) == manifest["counts"]["filings"] >= 6
    assert manifest["counts"]["powers"] == 3 and manifest["counts"]["charts"] == 2
    assert json.loads(archive.read("catalog/catalog.json"))["count"] == 3
    assert any("PDF" in note for note in manifest["notes"])


async def test_the_public_package_has_no_hidden_power_anywhere() -> None:
    unit, shown, hidden = await unit_with_secrets()
    package = await build_package(PUBLIC, unit.code, generated_at=NOW, pdf=False)
    archive, manifest = opened(package.content)
    check_manifest(archive, manifest)
    assert manifest["role"] == "PUBLIC" and manifest["public"] is True
    assert manifest["counts"]["powers"] == 1 and manifest["counts"]["charts"] == 1
    assert any(note.startswith("CONFIDENTIAL: not included") for note in manifest["notes"])
    text = everything_readable(archive)
    assert shown.name in text
    for power in hidden:
        assert power.code not in text and power.name not in text


async def test_the_cli_writes_the_zip_with_pdfs(database: str, tmp_path: Path) -> None:
    unit, shown, _ = await unit_with_secrets()
    out = tmp_path / "一盘.zip"
    proc = run_cli("package", "--unit", unit.code, "-o", str(out), "--role", "PUBLIC", db_url=database)
    assert proc.stdout.strip().splitlines()[-1] == str(out)
    archive, manifest = opened(out.read_bytes())
    check_manifest(archive, manifest)
    pdfs = [n for n in archive.namelist() if n.endswith(".pdf")]
    # LibreOffice prints each filing where it is installed; otherwise the manifest says why not
    assert len(pdfs) == manifest["counts"]["pdfs"]
    assert pdfs or any("no PDF" in note for note in manifest["notes"])
    for name in pdfs:
        assert archive.read(name).startswith(b"%PDF")


GENERATE = """
mutation Package($unit: ID!) {
  generatePackage(unitId: $unit) { __typename ... on DownloadLink { url expiresAt } ... on NotFoundError { message } }
}
"""


async def test_the_download_link_serves_the_callers_package(client: httpx.AsyncClient) -> None:
    unit, shown, hidden = await unit_with_secrets()
    other = await make_unit()
    for token, role, powers in ((None, "PUBLIC", 1), (await token_for(Role.UNIT_STAFF, other), "UNIT_STAFF", 1),
                                (await token_for(Role.UNIT_STAFF, unit), "UNIT_STAFF", 3)):  # fmt: skip
        link = (await gql_data(client, GENERATE, {"unit": encode_id("Unit", unit.id)}, token))["generatePackage"]
        response = await client.get(link["url"])
        assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
        archive, manifest = opened(response.content)
        assert manifest["role"] == role and manifest["counts"]["powers"] == powers
        if powers == 1:
            text = everything_readable(archive)
            assert not any(p.name in text for p in hidden)
