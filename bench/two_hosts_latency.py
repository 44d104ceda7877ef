"""How long a write through the load balancer takes to be searchable on every host (issue 20): two
`qingquan serve` behind nginx on a fresh PostgreSQL database, as tests/test_two_hosts.py runs them;
ten powers written through nginx one after another, each searched on both hosts until found.

    .venv/bin/python -m bench.two_hosts_latency postgres://postgres@127.0.0.1:5432/qq_latency

The database is created afresh (dropped first if it exists). Prints each write's seconds per host and
the medians."""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from tests.conftest import _reset_pg, run_cli
from tests.test_two_hosts import CREATE_POWER, CREATE_UNIT, SEARCH_POWERS, Cluster, created, hits, wait_for


def main(url: str, writes: int = 10) -> None:
    asyncio.run(_reset_pg(url, create=True))  # the tests' own: dropped if it exists, created afresh
    run_cli("migrate", db_url=url)
    token = run_cli("token", "create", "--role", "ADMIN", db_url=url).stdout.strip().splitlines()[-1]
    with tempfile.TemporaryDirectory() as root:
        c = Cluster(Path(root), url, token)
        try:
            c.start()
            unit_input = {"code": "36079901", "name": "时延测试局", "kind": "DEPARTMENT", "regionCode": "360799"}
            unit = created(c.data(CREATE_UNIT, {"input": unit_input}), "createUnit")
            for host in c.hosts:
                wait_for(lambda h=host: hits(c, h, SEARCH_POWERS, "时延", "searchPowers", "power") is not None, 60, host.name)
            per_host: dict[str, list[float]] = {h.name: [] for h in c.hosts}
            for i in range(writes):
                name = f"时延核验第{'一二三四五六七八九十'[i % 10]}项审批"
                started = time.monotonic()
                power = created(c.data(CREATE_POWER, {"input": {"unitId": unit, "name": name, "category": "OTHER"}}), "createPower")
                pending = {h.name: h for h in c.hosts}
                while pending:
                    for key, host in list(pending.items()):
                        if power in (hits(c, host, SEARCH_POWERS, name, "searchPowers", "power") or set()):
                            per_host[key].append(time.monotonic() - started)
                            del pending[key]
                    time.sleep(0.01)
                print(f"write {i + 1}: " + ", ".join(f"host {k} {v[-1]:.3f} s" for k, v in per_host.items()))
                time.sleep(0.5)
            both = [max(pair) for pair in zip(*per_host.values(), strict=True)]
            medians = ", ".join(f"host {k} {statistics.median(v):.3f} s" for k, v in per_host.items())
            print(f"median of {writes}: {medians}; both hosts {statistics.median(both):.3f} s")
        finally:
            c.stop()


if __name__ == "__main__":
    main(sys.argv[1])
