"""一图 as plain data, and its layout: layered top-down, the branches of a DECISION side by side.

Both drawings (the SVG for portals, the table in the Word filing) place steps with `layout()`,
so a chart looks the same in both.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from domain import models as m
from domain.enums import FlowStepKind


@dataclass(frozen=True)
class Step:
    id: int
    kind: FlowStepKind
    name: str
    condition: str = ""
    post: str = ""  # 承办岗位（责任人）
    time_limit: str = ""
    supervision: str = ""
    complaint_channel: str = ""
    disclosure: str = ""

    def details(self) -> list[tuple[str, str]]:
        """The labelled lines printed under the step's name (empty ones left out; the complaint
        channels are printed once under the chart, see `Chart.complaint_channels`)."""
        pairs = [
            ("条件", self.condition),
            ("承办岗位", self.post),
            ("办理时限", self.time_limit),
            ("监督制约", self.supervision),
            ("公开", self.disclosure),
        ]
        return [(label, text) for label, text in pairs if text]


@dataclass(frozen=True)
class Edge:
    source: int
    target: int
    label: str = ""


@dataclass(frozen=True)
class Chart:
    title: str
    complaint_channel: str
    notes: str
    steps: list[Step]
    edges: list[Edge]

    def complaint_channels(self) -> list[str]:
        """投诉举报途径: the chart's, then each different one its steps name."""
        found = dict.fromkeys(c for c in [self.complaint_channel, *(s.complaint_channel for s in self.steps)] if c)
        return list(found)


class ChartFields(Protocol):
    """What a chart's drawing needs besides steps and edges (a FlowChart model or its GraphQL type)."""

    title: str
    complaint_channel: str
    notes: str


def post_name(position: m.Position | None) -> str:
    if position is None:
        return ""
    return f"{position.name}（{position.holder}）" if position.holder else position.name


def step_time_limit(step: m.FlowStep) -> str:
    if step.time_limit:
        return step.time_limit
    return f"{step.time_limit_days}个工作日" if step.time_limit_days else ""


def chart_from_models(
    chart: ChartFields,
    steps: Iterable[m.FlowStep],
    edges: Iterable[m.FlowEdge],
    positions: Mapping[int, m.Position | None],
) -> Chart:
    """A chart as plain data; `positions` maps the steps' position ids to their posts."""
    return Chart(
        title=chart.title,
        complaint_channel=chart.complaint_channel,
        notes=chart.notes,
        steps=[
            Step(
                id=s.id,
                kind=s.kind,
                name=s.name,
                condition=s.condition,
                post=post_name(positions.get(s.position_id)) if s.position_id else "",
                time_limit=step_time_limit(s),
                supervision=s.supervision,
                complaint_channel=s.complaint_channel,
                disclosure=s.disclosure_note,
            )
            for s in steps
        ],
        edges=[Edge(e.source_id, e.target_id, e.label) for e in edges],
    )


@dataclass
class Placed:
    step: Step
    layer: int
    column: int  # first grid column
    span: int  # grid columns covered


@dataclass
class Layout:
    layers: list[list[Placed]]
    width: int  # grid columns: the widest layer
    adjacent: list[Edge] = field(default_factory=list)  # from one layer to the next
    detours: list[Edge] = field(default_factory=list)  # skipping layers, or going back up

    def placed(self) -> dict[int, Placed]:
        return {p.step.id: p for layer in self.layers for p in layer}


def _back_edges(order: list[int], edges: list[Edge]) -> set[Edge]:
    """Edges closing a cycle (found by depth-first search in step order), drawn as detours."""
    out: dict[int, list[Edge]] = defaultdict(list)
    for e in edges:
        out[e.source].append(e)
    state: dict[int, int] = {}  # 1 on the stack, 2 done
    back: set[Edge] = set()
    has_incoming = {e.target for e in edges}
    roots = [s for s in order if s not in has_incoming] + order
    for root in roots:
        if root in state:
            continue
        stack = [(root, iter(out[root]))]
        state[root] = 1
        while stack:
            node, it = stack[-1]
            edge = next(it, None)
            if edge is None:
                state[node] = 2
                stack.pop()
            elif state.get(edge.target) == 1:
                back.add(edge)
            elif edge.target not in state:
                state[edge.target] = 1
                stack.append((edge.target, iter(out[edge.target])))
    return back


def layout(chart: Chart) -> Layout:
    """Layers by longest path from the start; within a layer, steps follow their parents' places."""
    steps = {s.id: s for s in chart.steps}
    order = [s.id for s in chart.steps]
    edges = [e for e in chart.edges if e.source in steps and e.target in steps and e.source != e.target]
    if not edges:  # steps not joined yet: read them in order
        edges = [Edge(a, b) for a, b in zip(order, order[1:], strict=False)]
    back = _back_edges(order, edges)
    forward = [e for e in edges if e not in back]
    parents: dict[int, list[int]] = defaultdict(list)
    for e in forward:
        parents[e.target].append(e.source)
    level: dict[int, int] = {}

    def depth(node: int) -> int:  # iterative longest path (charts are small, but avoid recursion)
        pending = [node]
        while pending:
            current = pending[-1]
            missing = [p for p in parents[current] if p not in level]
            if missing:
                pending.extend(missing)
                continue
            level[current] = max((level[p] + 1 for p in parents[current]), default=0)
            pending.pop()
        return level[node]

    for node in order:
        depth(node)
    rows: dict[int, list[int]] = defaultdict(list)
    for node in order:
        rows[level[node]].append(node)
    width = max((len(r) for r in rows.values()), default=1)
    centre: dict[int, float] = {}
    layers: list[list[Placed]] = []
    for index in sorted(rows):
        members = rows[index]
        members.sort(
            key=lambda n: (
                sum(centre[p] for p in parents[n]) / len(parents[n]) if parents[n] else 0.0,
                order.index(n),
            )
        )
        placed = []
        for i, node in enumerate(members):
            start, stop = i * width // len(members), (i + 1) * width // len(members)
            placed.append(Placed(steps[node], len(layers), start, stop - start))
            centre[node] = (start + stop) / 2
        layers.append(placed)
    result = Layout(layers=layers, width=width)
    at = result.placed()
    for e in edges:
        adjacent = at[e.target].layer == at[e.source].layer + 1 and e not in back
        (result.adjacent if adjacent else result.detours).append(e)
    return result
