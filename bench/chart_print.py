"""Time a flow chart's pictures for the Word filing: one chart of ten steps (a back edge among them)
on a portrait page, as docgen.chart_docx draws it. Compare a checkout against another one (the
reference) by running it with that checkout first on the path:

    PYTHONPATH=. python bench/chart_print.py               # this checkout
    PYTHONPATH=/work/main python bench/chart_print.py      # the reference

Before issue 26 a chart was one picture shrunk to its page (`picture`); since, a chart whose text would
print under 9 pt continues on further pages (`pages`), at ZOOM pixels a px of the drawing.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

# This script is named like no package, but keep its folder off the path all the same (bench/docgen.py does).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import docgen.chart_picture as pictures  # noqa: E402
from docgen.chart import Chart, Edge, Step, layout  # noqa: E402
from domain.enums import FlowStepKind  # noqa: E402

ROUNDS = 3


def main() -> None:
    details = {
        "condition": "申请材料齐全、符合法定形式，经审查符合条件的予以受理",
        "post": "科员（胡敏）",
        "time_limit": "5个工作日",
        "supervision": "股室负责人审核把关，法制审核员对合法性进行审核",
    }
    steps = [Step(1, FlowStepKind.START, "环节1")] + [Step(i, FlowStepKind.STEP, f"环节{i}", **details) for i in range(2, 11)]
    chart = Chart("某某行政处罚运行流程图", "", "", steps, [Edge(i, i + 1) for i in range(1, 10)] + [Edge(6, 3, "补正")])
    plan = layout(chart)
    start = time.perf_counter()
    for _ in range(ROUNDS):
        drawn = pictures.pages(chart, plan, 156, 190, 2) if hasattr(pictures, "pages") else [pictures.picture(chart, plan, 156, 190)]
    took = (time.perf_counter() - start) / ROUNDS
    print(f"{took * 1000:.0f} ms a chart, {len(drawn)} page(s), {sum(len(p.png) for p in drawn) // 1024} KiB of PNG")


if __name__ == "__main__":
    main()
