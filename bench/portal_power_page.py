"""The portal's power page: what its query costs now that it also asks for the chart's edges (the steps in
words) and the power's published versions (版本记录), side by side with the query it sent before (issue 26).

Against a served demo county (`qingquan seed-demo && QINGQUAN_RESPONSE_CACHE_BYTES=0 qingquan serve`: without
the response cache, else the cached answers are measured), as the public (no token), over HTTP on localhost;
the two documents alternate, each round on every power of one unit, so both see the same load.

    .venv/bin/python bench/portal_power_page.py --base http://127.0.0.1:8000 --unit 36072308 --rounds 20
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import httpx

#: the portal's power page before issue 26 (the reference)
BEFORE = (
    "query PortalPower($code: String!) { power(code: $code) { id code name category exerciseMode description "
    "acceptsApplications unit { id code name } rules { disclosureScope disclosureForm disclosureTiming "
    "disclosureDeadline feeBasis feeStandard timeLimit } bases { ordinal note article { id label document { title "
    "level status docNumber } } } flowChart { title complaintChannel notes svg steps { ordinal name kind condition "
    "timeLimit supervision position { name } } } } }"
)
#: the portal's power page now (Q.power in qingquan/static/portal/portal.js)
NOW = (
    "query PortalPower($code: String!) { power(code: $code) { id code name category exerciseMode description "
    "acceptsApplications unit { id code name } rules { disclosureScope disclosureForm disclosureTiming "
    "disclosureDeadline feeBasis feeStandard timeLimit } bases { ordinal note article { id label document { title "
    "level status docNumber } } } flowChart { title complaintChannel notes svg steps { id name kind condition "
    "timeLimit supervision position { name } } edges { label sourceStepId targetStepId } } versions { number "
    "publishedOn supersededOn name category exerciseMode description rules { disclosureScope disclosureForm "
    "disclosureTiming disclosureDeadline feeBasis feeStandard timeLimit } bases { documentTitle articleLabel } "
    "flowChart { steps { name condition position timeLimit supervision } edges { source target label } } } } }"
)
CODES = "query ($code: String!) { unit(code: $code) { powers(first: 100) { nodes { code } } } }"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--unit", default="36072308", help="the unit whose public powers are read")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    with httpx.Client(base_url=args.base, timeout=60) as client:
        codes = [p["code"] for p in client.post("/graphql", json={"query": CODES, "variables": {"code": args.unit}})
                 .json()["data"]["unit"]["powers"]["nodes"]]  # fmt: skip
        times: dict[str, list[float]] = {"before": [], "now": []}
        sizes: dict[str, int] = {"before": 0, "now": 0}
        for _ in range(args.rounds):
            for name, document in (("before", BEFORE), ("now", NOW)):
                for code in codes:
                    started = time.perf_counter()
                    response = client.post("/graphql", json={"query": document, "variables": {"code": code}})
                    times[name].append((time.perf_counter() - started) * 1000)
                    body = response.json()
                    assert not body.get("errors") and body["data"]["power"], body
                    sizes[name] += len(response.content)
    print(f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after; {len(codes)} powers × {args.rounds} rounds")
    print("| query | p50 ms | p95 ms | bytes/answer |")
    print("| --- | --- | --- | --- |")
    for name, values in times.items():
        p95 = statistics.quantiles(values, n=20)[-1]
        print(f"| {name} | {statistics.median(values):.1f} | {p95:.1f} | {sizes[name] // len(values):,} |")


if __name__ == "__main__":
    main()
