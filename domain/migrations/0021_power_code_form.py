"""Power codes that are not safe to name a file (issue 21, item 3): rewritten to a fresh serial.

Codes were checked by prefix only, so a stored code may hold `/`, `\\`, `..`, `%`, spaces, controls or
a right-to-left override. Codes are meant to be stable (printed in filings and catalogues, matched by
imports), so only those that cannot stand as a file name are rewritten; the rest stay as they are:

- a standard code (unit code, category letters, `-`, 4 digits) and a revision's `<code>.R<n>`: kept;
- a code outside the standard but made of letters, digits, `-`, `_` and single dots between them
  (`DQ-001`, `CUSTOM-1`, an old system's numbering): kept. New ones can no longer be written, and every
  file name is now made by domain.filenames.safe_filename anyway;
- anything else: the power gets the next serial of its unit and category (as createPower would give
  it), the counter moves past it, the audit trail records old and new code, and the search index
  follows. A revision's working copy of such a power follows as `<new code>.R<n>`. Where the unit's
  own code is not standard (no serial can be made) the code becomes its letters and digits and the
  power's id, e.g. `X-41`.

The rules are frozen here (not imported): what this migration did must not change with later code.
"""

import json
import re
from datetime import UTC, datetime

from tortoise import migrations
from tortoise.migrations import operations as ops

from domain.db import utc_text

STANDARD = re.compile(r"^([0-9]{8}(?:[0-9]{2})*)([A-Z]{2})-([0-9]{4})(?:\.R[1-9][0-9]*)?\Z")
#: letters and digits of any script, `-`, `_`, and a dot only between two of them (no `..`, none at an end)
SAFE = re.compile(r"^[^\W_](?:[\w-]|\.(?=[^\W_]))*\Z")
REVISION = re.compile(r"^(.+)\.R([1-9][0-9]*)\Z")
UNIT_CODE = re.compile(r"^[0-9]{8}(?:[0-9]{2})*\Z")
LETTERS = {
    "LICENSING": "XK", "PENALTY": "CF", "COERCION": "QZ", "LEVY": "ZS", "BENEFIT": "JF",
    "INSPECTION": "JC", "CONFIRMATION": "QR", "REWARD": "JL", "ADJUDICATION": "CJ", "OTHER": "QT",
}  # fmt: skip
ACTOR = "migration 0021_power_code_form"
WHY = (
    "职权编码含不能用作文件名的字符，已按本单位本类别依序重新编码 "
    "(the code held characters that cannot stand in a file name: the next serial of its unit and category was given)"
)


def safe(code: str) -> bool:
    return len(code) <= 40 and bool(STANDARD.match(code) or SAFE.match(code))


class _Rewriter:
    """New codes for unsafe ones, taken as createPower takes them: past the counter and every code in use."""

    def __init__(self, client, codes: set[str], counters: dict[str, int]) -> None:
        self.client, self.codes, self.counters = client, codes, counters
        self.sqlite = client.capabilities.dialect == "sqlite"
        for code in codes:
            if (m := STANDARD.match(code)) and not REVISION.match(code):
                prefix = f"{m[1]}{m[2]}-"
                self.counters[prefix] = max(self.counters.get(prefix, 0), int(m[3]))
        self.touched: set[str] = set()

    def sql(self, text: str) -> str:
        return re.sub(r"\$\d+", "?", text) if self.sqlite else text

    def fresh(self, power_id: int, old: str, unit_code: str, category: str) -> str:
        prefix = f"{unit_code}{LETTERS.get(category, 'QT')}-"
        if UNIT_CODE.match(unit_code) and self.counters.get(prefix, 0) < 9999:
            self.counters[prefix] = self.counters.get(prefix, 0) + 1
            self.touched.add(prefix)
            code = f"{prefix}{self.counters[prefix]:04d}"
        else:
            stub = re.sub(r"[^0-9A-Za-z]+", "-", old).strip("-")[:24] or "X"
            code, n = f"{stub}-{power_id}", 1
            while code in self.codes:
                code, n = f"{stub}-{power_id}-{n}", n + 1
        self.codes.add(code)
        return code

    async def write(self, power_id: int, old: str, new: str) -> None:
        now = utc_text(datetime.now(UTC)) if self.sqlite else datetime.now(UTC)
        detail = json.dumps({"changes": {"code": [old, new]}, "reason": WHY}, ensure_ascii=False)
        execute = self.client.execute_query
        await execute(self.sql("UPDATE power SET code = $1 WHERE id = $2"), [new, power_id])
        as_json = "$7" if self.sqlite else "CAST($7 AS TEXT)::jsonb"
        await execute(
            self.sql(
                "INSERT INTO audit_event (at, actor, role, action, entity_type, entity_id, detail) "
                f"VALUES ($1, $2, $3, $4, $5, $6, {as_json})"
            ),
            [now, ACTOR, "ADMIN", "power.update", "power", str(power_id), detail],
        )
        await execute(
            self.sql(
                "INSERT INTO search_outbox (entity, entity_id, op, created_at, attempts, last_error) "
                "VALUES ('POWER', $1, 'UPSERT', $2, 0, '')"
            ),
            [power_id, now],
        )

    async def save_counters(self) -> None:
        for prefix in sorted(self.touched):
            await self.client.execute_query(
                self.sql(
                    "INSERT INTO power_code_serial (prefix, last_serial) VALUES ($1, $2) "
                    "ON CONFLICT (prefix) DO UPDATE SET last_serial = excluded.last_serial"
                ),
                [prefix, self.counters[prefix]],
            )


async def rewrite_unsafe_codes(apps, schema_editor) -> None:
    client = schema_editor.client
    rows = await client.execute_query_dict(
        "SELECT power.id AS id, power.code AS code, power.category AS category, unit.code AS unit_code "
        "FROM power JOIN unit ON unit.id = power.unit_id ORDER BY power.id"
    )
    unsafe = [r for r in rows if not safe(r["code"])]
    if not unsafe:
        return
    counters = {r["prefix"]: r["last_serial"] for r in await client.execute_query_dict(
        "SELECT prefix, last_serial FROM power_code_serial")}  # fmt: skip
    rewriter = _Rewriter(client, {r["code"] for r in rows}, counters)
    stored = {r["code"] for r in rows}
    # powers first, then revisions' working copies, which follow their power's new code
    copies = [r for r in unsafe if (m := REVISION.match(r["code"])) and m[1] in stored]
    copy_ids = {r["id"] for r in copies}
    rewritten: dict[str, str] = {}
    for row in (r for r in unsafe if r["id"] not in copy_ids):
        rewritten[row["code"]] = rewriter.fresh(row["id"], row["code"], row["unit_code"], row["category"])
        await rewriter.write(row["id"], row["code"], rewritten[row["code"]])
    for row in copies:
        base, number = REVISION.match(row["code"]).groups()
        new = f"{rewritten[base]}.R{number}" if base in rewritten else None
        if new is None or new in rewriter.codes:
            new = rewriter.fresh(row["id"], row["code"], row["unit_code"], row["category"])
        rewriter.codes.add(new)
        await rewriter.write(row["id"], row["code"], new)
    await rewriter.save_counters()


class Migration(migrations.Migration):
    dependencies = [("qingquan", "0020_version_scope")]

    initial = False

    operations = [ops.RunPython(rewrite_unsafe_codes)]
