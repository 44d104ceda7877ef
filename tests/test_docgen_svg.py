"""一图 as SVG through GraphQL (`Power.flowChart.svg`): well-formed, one node per step, text escaped,
a DECISION's branches side by side."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import httpx
import pytest

from docgen.chart import layout
from docgen.data import charts_for
from docgen.svg import NO_LINE_END, NO_LINE_START, wrap
from domain import models as m
from domain.enums import FlowStepKind, PowerStatus, Role
from domain.services import flow, flow_edges
from resolvers.ids import encode_id
from tests.factories import ADMIN, make_power, make_unit
from tests.helpers import gql_data, token_for

pytestmark = pytest.mark.usefixtures("demo")
SVG = "{http://www.w3.org/2000/svg}"

CHART = """
query Chart($id: ID!) {
  node(id: $id) { ... on Power { flowChart { title steps { id name } svg } } }
}
"""


async def chart_of(client: httpx.AsyncClient, power: m.Power, token: str | None = None) -> dict:
    return (await gql_data(client, CHART, {"id": encode_id("Power", power.id)}, token))["node"]["flowChart"]


def step_groups(svg: ET.Element) -> list[ET.Element]:
    return [g for g in svg.iter(f"{SVG}g") if "step" in (g.get("class") or "").split()]


async def test_svg_is_well_formed_with_one_node_per_step(client: httpx.AsyncClient) -> None:
    power = await m.Power.filter(status=PowerStatus.PUBLISHED, confidential=False, category="PENALTY", code__startswith="360723").first()
    assert power is not None
    chart = await chart_of(client, power)
    svg = ET.fromstring(chart["svg"])
    assert svg.tag == f"{SVG}svg"
    groups = step_groups(svg)
    assert len(groups) == len(chart["steps"])
    texts = ["".join(t.itertext()) for t in svg.iter(f"{SVG}text")]
    assert all(any(step["name"].startswith(t) for t in texts) for step in chart["steps"])
    assert any(t.startswith("投诉举报途径") for t in texts)
    assert len(list(svg.iter(f"{SVG}polyline"))) >= len(groups) - 1  # the arrows


async def test_svg_escapes_every_text(client: httpx.AsyncClient) -> None:
    unit = await make_unit()
    power = await make_power(unit)
    chart = await flow.create_flow_chart(ADMIN, flow.FlowChartData(power_id=power.id, title="<script>alert('x')</script>"))
    nasty = 'A&B <b>"引号"</b> ]]> <!-- x -->'
    first = await flow.create_flow_step(ADMIN, flow.FlowStepData(chart_id=chart.id, name=nasty, kind=FlowStepKind.START))
    last = await flow.create_flow_step(ADMIN, flow.FlowStepData(chart_id=chart.id, name="结束", kind=FlowStepKind.END))
    await flow_edges.create_flow_edge(ADMIN, flow_edges.FlowEdgeData(first.id, last.id, label="<i>&</i>"))
    svg = ET.fromstring((await chart_of(client, power, await token_for(Role.ADMIN)))["svg"])
    assert not list(svg.iter(f"{SVG}script")) and not list(svg.iter(f"{SVG}b"))
    names = ["".join(t.text or "" for t in g.iter(f"{SVG}text") if t.get("font-weight") == "bold") for g in step_groups(svg)]
    assert nasty in names  # wrapped over lines, but every character intact
    assert "<i>&</i>" in {"".join(t.itertext()) for t in svg.iter(f"{SVG}text")}
    assert svg.find(f"{SVG}title").text == "<script>alert('x')</script>"


async def test_decision_branches_sit_side_by_side() -> None:
    power = await m.Power.filter(category="LICENSING", status=PowerStatus.PUBLISHED, code__startswith="360723").first()
    assert power is not None
    plan = layout((await charts_for([power.id]))[power.id])
    decision = next(p for layer in plan.layers for p in layer if p.step.kind is FlowStepKind.DECISION)
    branches = plan.layers[decision.layer + 1]
    assert len(branches) == 2 and {p.column for p in branches} == {0, 1} and plan.width == 2


def label_boxes(svg: ET.Element) -> list[tuple[float, float, float, float]]:
    """(left, top, right, bottom) of each edge label's white background."""
    boxes = []
    for g in svg.iter(f"{SVG}g"):
        if g.get("class") == "edge":
            for rect in g.iter(f"{SVG}rect"):
                x, y, w, h = (float(rect.get(k) or 0) for k in ("x", "y", "width", "height"))
                boxes.append((x, y, x + w, y + h))
    return boxes


@pytest.mark.parametrize("code", ["36072360CJ-0001", "36072308CF-0001", "36072308XK-0001"])
async def test_edge_labels_never_overprint_where_branches_part_or_merge(client: httpx.AsyncClient, code: str) -> None:
    svg = ET.fromstring((await chart_of(client, await m.Power.get(code=code)))["svg"])
    boxes = label_boxes(svg)
    assert len(boxes) >= 4
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], f"labels overlap: {a} {b}"


def test_lines_follow_the_chinese_line_breaking_rules() -> None:
    text = "依法作出处理（裁决）决定；告知当事人不服的起诉期限，并送达《决定书》。"
    for width in range(60, 300, 12):
        lines = wrap(text, 12, width)
        assert "".join(lines) == text
        assert not any(line[0] in NO_LINE_START for line in lines[1:]), lines
        assert not any(line[-1] in NO_LINE_END for line in lines), lines
