"""CLI output a person can read and a script can parse (issue 25, item 10): tables that are not cut at 80
columns when piped (a log, CI), and `--json` on stdout where a script reads the result."""

from __future__ import annotations

import json
from pathlib import Path

from domain.access import CLI
from domain.catalog.webhooks import WebhookData, register_webhook
from domain.enums import Role
from tests.conftest import run_cli
from tests.factories import make_unit, power_name, unique
from tests.workflow_factories import published_power

LONG_URL = "https://8.8.8.8/county-systems/electronic-supervision/receivers/qingquan-events?tenant=dayu-county-36072300"


async def test_webhook_list_is_not_cut_and_has_json(database: str) -> None:
    unit = await make_unit()
    name = f"电子监察系统{unique('')}"
    hook = await register_webhook(CLI, WebhookData(name, LONG_URL, Role.UNIT_STAFF, unit.code, ("power.published", "complaint.filed")))
    human = run_cli("webhook", "list", db_url=database).stderr
    assert LONG_URL in human and name in human and "…" not in human  # (piped: before, cut at 80 columns)
    listed = json.loads(run_cli("webhook", "list", "--json", db_url=database).stdout)
    mine = next(h for h in listed if h["id"] == hook.id)
    await hook.delete()  # (no receiver: a later delivery round must not find its deliveries due)
    assert mine == {"id": hook.id, "name": name, "url": LONG_URL, "role": "UNIT_STAFF", "unit": unit.code,
                    "events": ["power.published", "complaint.filed"], "active": True, "ownToken": None, "deliveries": {}}  # fmt: skip


async def test_package_prints_a_table_of_counts_and_json_for_scripts(database: str, tmp_path: Path) -> None:
    unit = await make_unit()
    await published_power(unit, name=power_name("一盘里的许可"))
    out = tmp_path / "一盘.zip"
    proc = run_cli("package", "--unit", unit.code, "-o", str(out), "--role", "PUBLIC", "--no-pdf", db_url=database)
    assert proc.stdout.strip().splitlines()[-1] == str(out)
    assert "{'" not in proc.stderr and "职权 powers" in proc.stderr  # (before: a raw Python dict)
    proc = run_cli("package", "--unit", unit.code, "-o", str(out), "--role", "PUBLIC", "--no-pdf", "--json", db_url=database)
    summary = json.loads(proc.stdout)
    assert summary["path"] == str(out) and summary["bytes"] == out.stat().st_size
    assert summary["counts"]["powers"] == 1 and summary["counts"]["pdfs"] == 0 and summary["notes"]
