"""Issue 27: PostgreSQL's CPU per statement of a page, for several servers' pages side by side.

    # 1. capture one page of each server on a database of your own (a server's connections opened after the SET):
    psql -c "ALTER DATABASE h1_bench SET log_min_duration_statement = 0"
    L=$(wc -l < /var/log/postgresql/postgresql-15-main.log); <one request of the page>; \
        tail -n +$((L+1)) /var/log/postgresql/postgresql-15-main.log > /tmp/qingquan.log
    psql -c "ALTER DATABASE h1_bench RESET log_min_duration_statement"
    # 2. replay them
    .venv/bin/python bench/statement_cpu.py --database-url postgres://postgres@127.0.0.1:5432/h1_bench \\
        /tmp/qingquan.log /tmp/floor.log /tmp/postgraphile.log [--runs 400] [--rounds 5] [--plan-cache-mode auto]

Each log's executed statements (`execute <name>: SQL` with its `DETAIL: parameters:`), from the first that
reads a token or a count on (the page's own; a server's background statements before it are left out, and
lease and change-feed statements anywhere), are prepared on one asyncpg connection per log and run ten times
(past PostgreSQL's five custom plans: a prepared statement's generic plan from then on, as a server's pooled
connections run it). Then, in rounds whose order rotates, each statement runs `--runs` times in a row, and the
CPU (user + system, /proc) of that connection's backend is read around: per statement, the median over rounds
of CPU ms per run. What it leaves out: the round trip a server pays per statement (a backend's wake-up,
reading and answering the messages: ~0.04 ms of the backend's CPU each, `SELECT 1` in a loop), and a server's
concurrency. The parameters are the logged ones (a text of them is typed by the statement's parameter types).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import os
import re
import statistics
from pathlib import Path
from typing import Any

import asyncpg

BACKGROUND = ("lease", "change_", "pg_advisory")


def executed(path: Path) -> list[tuple[str, list[str | None]]]:
    """The statements a log says were executed, with their parameters as logged (text, or None for NULL)."""
    entries = re.split(r"\n(?=\d{4}-\d\d-\d\d \d\d:)", path.read_text(encoding="utf-8"))
    found = []
    for i, entry in enumerate(entries):
        m = re.search(r"LOG:  duration: [\d.]+ ms  execute [^:]+: (.*)", entry, re.S)
        if not m:
            continue
        params: list[str | None] = []
        if i + 1 < len(entries) and "DETAIL:  parameters:" in entries[i + 1]:
            logged = entries[i + 1].split("parameters: ", 1)[1]
            params = [
                None if v is None else v.replace("''", "'")
                for v in (m2.group(1) for m2 in re.finditer(r"\$\d+ = (?:'((?:[^']|'')*)'|NULL)", logged))
            ]
        found.append((m.group(1).strip(), params))
    first = next((i for i, (sql, _) in enumerate(found) if "api_token" in sql or "count(*)" in sql.lower()), 0)
    return [(sql, params) for sql, params in found[first:] if not any(b in sql for b in BACKGROUND)]


def typed(kind: Any, text: str | None) -> Any:
    if text is None:
        return None
    if kind.kind == "array":
        items = text.strip("{}").split(",")
        return [int(x) for x in items] if all(x.lstrip("-").isdigit() for x in items) else items
    if kind.name in ("int2", "int4", "int8"):
        return int(text)
    if kind.name == "date":
        return datetime.date.fromisoformat(text)
    return text


def backend_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("logs", nargs="+", type=Path)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=400, help="runs of a statement in a row (default 400)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--plan-cache-mode", default="auto", help="PostgreSQL's plan_cache_mode (default auto)")
    args = parser.parse_args()
    pages = {}
    for log in args.logs:
        conn = await asyncpg.connect(args.database_url, server_settings={"plan_cache_mode": args.plan_cache_mode})
        pid = await conn.fetchval("SELECT pg_backend_pid()")
        prepared = []
        for sql, params in executed(log):
            statement = await conn.prepare(sql)
            values = [typed(kind, text) for kind, text in zip(statement.get_parameters(), params, strict=True)]
            for _ in range(10):
                rows = await statement.fetch(*values)
            prepared.append((statement, values, len(rows), re.sub(r"\s+", " ", sql)[:80]))
        pages[log] = (pid, prepared, [[] for _ in prepared])
    load = os.getloadavg()
    for round_no in range(args.rounds):
        order = args.logs[round_no % len(args.logs) :] + args.logs[: round_no % len(args.logs)]
        for log in order:
            pid, prepared, cpu = pages[log]
            for i, (statement, values, _, _) in enumerate(prepared):
                before = backend_cpu(pid)
                for _ in range(args.runs):
                    await statement.fetch(*values)
                cpu[i].append((backend_cpu(pid) - before) / args.runs * 1000)
    print(f"load average {load[0]:.1f} before, {os.getloadavg()[0]:.1f} after; plan_cache_mode {args.plan_cache_mode}")
    for log, (_, prepared, cpu) in pages.items():
        print(f"\n{log}: median of {args.rounds} rounds of {args.runs} runs")
        print("| PG CPU ms | rows | statement |\n| --- | --- | --- |")
        for (_, _, rows, text), times in zip(prepared, cpu, strict=True):
            print(f"| {statistics.median(times):.3f} | {rows} | `{text}` |")
        print(f"| **{sum(statistics.median(t) for t in cpu):.3f}** | | {len(prepared)} statements |")


if __name__ == "__main__":
    asyncio.run(main())
