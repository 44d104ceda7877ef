"""一图 as SVG for portals: the layout of docgen.chart drawn as boxes and arrows.

Built with ElementTree, so every text is escaped; CJK text is wrapped by character count (a CJK
glyph is about one em wide), which is all a chart of short Chinese phrases needs.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from docgen.chart import Chart, Layout, Placed, layout
from domain.enums import FlowStepKind

NODE_W = 250
COL_GAP = 50
LAYER_GAP = 64
MARGIN = 24
LANE = 26  # distance between detour lanes on the right
NAME_SIZE = 15
TEXT_SIZE = 12
LINE = 1.35  # line height, in font sizes
PAD = 10
TITLE_SIZE = 20
FONT = "'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei','SimHei',sans-serif"


def wrap(text: str, size: float, width: float) -> list[str]:
    """Lines of at most `width` px, counting a CJK character as one em and others as half."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line, used = "", 0.0
        for ch in paragraph:
            w = size if ord(ch) > 0x2E7F else size * 0.55
            if used + w > width and line:
                lines.append(line)
                line, used = "", 0.0
            line += ch
            used += w
        lines.append(line)
    return lines


def _step_lines(p: Placed, chart: Chart) -> list[tuple[str, float, bool]]:
    """(text, size, bold) lines of one box."""
    inner = NODE_W - 2 * PAD - (28 if p.step.kind is FlowStepKind.DECISION else 0)
    lines = [(t, NAME_SIZE, True) for t in wrap(p.step.name, NAME_SIZE, inner)]
    for label, text in p.step.details():
        lines += [(t, TEXT_SIZE, False) for t in wrap(f"{label}：{text}", TEXT_SIZE, inner)]
    return lines


def _height(lines: list[tuple[str, float, bool]]) -> float:
    return sum(size * LINE for _, size, _ in lines) + 2 * PAD


def _text(parent: ET.Element, x: float, y: float, text: str, size: float, *, bold: bool = False, anchor: str = "middle") -> None:
    el = ET.SubElement(parent, "text", {"x": f"{x:.1f}", "y": f"{y:.1f}", "font-size": str(size), "text-anchor": anchor})
    if bold:
        el.set("font-weight", "bold")
    el.text = text


def _shape(parent: ET.Element, kind: FlowStepKind, x: float, y: float, w: float, h: float) -> None:
    style = {"fill": "#ffffff", "stroke": "#1f1f1f", "stroke-width": "1.5"}
    if kind is FlowStepKind.DECISION:
        points = [(x + 14, y), (x + w - 14, y), (x + w, y + h / 2), (x + w - 14, y + h), (x + 14, y + h), (x, y + h / 2)]
        ET.SubElement(parent, "polygon", {"points": " ".join(f"{a:.1f},{b:.1f}" for a, b in points), **style, "fill": "#f3f3f3"})
    else:
        radius = "18" if kind in (FlowStepKind.START, FlowStepKind.END) else "3"
        ET.SubElement(parent, "rect", {"x": f"{x:.1f}", "y": f"{y:.1f}", "width": f"{w:.1f}", "height": f"{h:.1f}", "rx": radius, **style})


def _label_width(label: str) -> float:
    return sum(TEXT_SIZE if ord(c) > 0x2E7F else TEXT_SIZE * 0.55 for c in label) + 8


def _arrow(
    parent: ET.Element, points: list[tuple[float, float]], label: str, label_at: tuple[float, float], *, beside: bool = False
) -> None:
    """A polyline ending in an arrowhead; its label centred on `label_at`, or starting there if `beside`."""
    g = ET.SubElement(parent, "g", {"class": "edge"})
    ET.SubElement(
        g,
        "polyline",
        {
            "points": " ".join(f"{a:.1f},{b:.1f}" for a, b in points),
            "fill": "none",
            "stroke": "#1f1f1f",
            "stroke-width": "1.3",
            "marker-end": "url(#arrow)",
        },
    )
    if label:
        x, y = label_at
        width = _label_width(label)
        left = x if beside else x - width / 2
        ET.SubElement(g, "rect", {"x": f"{left:.1f}", "y": f"{y - TEXT_SIZE:.1f}", "width": f"{width:.1f}", "height": str(TEXT_SIZE + 6), "fill": "#ffffff"})
        _text(g, left + 4 if beside else x, y, label, TEXT_SIZE, anchor="start" if beside else "middle")


def render_svg(chart: Chart, plan: Layout | None = None) -> str:
    """The chart as a standalone SVG document (UTF-8 text, no XML declaration)."""
    plan = plan or layout(chart)
    lines = {p.step.id: _step_lines(p, chart) for layer in plan.layers for p in layer}
    heights = [max((_height(lines[p.step.id]) for p in layer), default=0) for layer in plan.layers]
    lanes = len(plan.detours)
    grid_w = plan.width * NODE_W + (plan.width - 1) * COL_GAP
    labels = max((_label_width(e.label) for e in plan.detours), default=0)
    width = grid_w + 2 * MARGIN + lanes * LANE + (labels + 4 if lanes else 0)
    title_lines = wrap(chart.title, TITLE_SIZE, width - 2 * MARGIN)
    top = MARGIN + len(title_lines) * TITLE_SIZE * LINE + 10
    ys, y = [], top
    for h in heights:
        ys.append(y)
        y += h + LAYER_GAP
    channels = "；".join(chart.complaint_channels())
    footer = wrap(f"投诉举报途径：{channels}", TEXT_SIZE, width - 2 * MARGIN) if channels else []
    footer += wrap(f"说明：{chart.notes}", TEXT_SIZE, width - 2 * MARGIN) if chart.notes else []
    height = y - LAYER_GAP + 20 + len(footer) * TEXT_SIZE * LINE + MARGIN

    svg = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "width": f"{width:.0f}",
            "height": f"{height:.0f}",
            "viewBox": f"0 0 {width:.0f} {height:.0f}",
            "font-family": FONT,
            "role": "img",
        },
    )
    ET.SubElement(svg, "title").text = chart.title
    marker = ET.SubElement(
        ET.SubElement(svg, "defs"),
        "marker",
        {"id": "arrow", "viewBox": "0 0 10 10", "refX": "10", "refY": "5", "markerWidth": "8", "markerHeight": "8", "orient": "auto-start-reverse"},
    )
    ET.SubElement(marker, "path", {"d": "M 0 0 L 10 5 L 0 10 z", "fill": "#1f1f1f"})
    for i, text in enumerate(title_lines):
        _text(svg, width / 2, MARGIN + (i + 1) * TITLE_SIZE * LINE - 6, text, TITLE_SIZE, bold=True)

    boxes: dict[int, tuple[float, float, float, float]] = {}
    for layer, layer_y in zip(plan.layers, ys, strict=True):
        for p in layer:
            span_x = MARGIN + p.column * (NODE_W + COL_GAP)
            span_w = p.span * NODE_W + (p.span - 1) * COL_GAP
            x = span_x + (span_w - NODE_W) / 2
            h = _height(lines[p.step.id])
            boxes[p.step.id] = (x, layer_y, NODE_W, h)
            g = ET.SubElement(svg, "g", {"class": f"step step-{p.step.kind.value.lower()}", "data-step-id": str(p.step.id)})
            _shape(g, p.step.kind, x, layer_y, NODE_W, h)
            line_y = layer_y + PAD
            for text, size, bold in lines[p.step.id]:
                line_y += size * LINE
                _text(g, x + NODE_W / 2, line_y - size * 0.3, text, size, bold=bold)

    for e in plan.adjacent:
        sx, sy, sw, sh = boxes[e.source]
        tx, ty, tw, _ = boxes[e.target]
        start, end = (sx + sw / 2, sy + sh), (tx + tw / 2, ty)
        mid = ty - LAYER_GAP / 2
        points = [start, end] if abs(start[0] - end[0]) < 1 else [start, (start[0], mid), (end[0], mid), end]
        _arrow(svg, points, e.label, (end[0], ty - 8 if len(points) == 4 else (sy + sh + ty) / 2 + 4))
    for lane, e in enumerate(plan.detours, start=1):
        sx, sy, sw, sh = boxes[e.source]
        tx, ty, tw, th = boxes[e.target]
        x = MARGIN + grid_w + lane * LANE
        points = [(sx + sw, sy + sh / 2), (x, sy + sh / 2), (x, ty + th / 2), (tx + tw, ty + th / 2)]
        _arrow(svg, points, e.label, (x + 4, (sy + sh / 2 + ty + th / 2) / 2 + lane * 4), beside=True)

    for i, text in enumerate(footer):
        _text(svg, MARGIN, y - LAYER_GAP + 20 + (i + 1) * TEXT_SIZE * LINE, text, TEXT_SIZE, anchor="start")
    return ET.tostring(svg, encoding="unicode")
