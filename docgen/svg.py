"""一图 as SVG: the layout of docgen.chart drawn as boxes and arrows, for portals and (as a
picture) for the Word filing.

Built with ElementTree, so every text is escaped; CJK text is wrapped by character count (a CJK
glyph is about one em wide) with the Chinese line-breaking rules (避头尾: no line starts with
"，" or "）", none ends with "（"), which is all a chart of short Chinese phrases needs.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

from docgen.chart import Chart, Layout, Placed, layout
from domain.enums import FlowStepKind

MARGIN = 24
LANE = 26  # distance between detour lanes on the right
NAME_SIZE = 15
TEXT_SIZE = 12
LINE = 1.35  # line height, in font sizes
PAD = 10
TITLE_SIZE = 20
FONT = "'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei','SimHei',sans-serif"
#: 避头尾: characters a line may not start with, and characters it may not end with
NO_LINE_START = frozenset("，。、；：？！）》」』】〕〉”’…%,.;:?!)]}·～")
NO_LINE_END = frozenset("（《「『【〔〈“‘([{")


@dataclass(frozen=True)
class Geometry:
    """Sizes of a drawing, in px. The portal's boxes are narrow; a printed page wants them to
    fill their columns (`fill`), so that short details share a line and the chart fits a page."""

    node_w: float = 250
    col_gap: float = 50
    layer_gap: float = 64
    fill: bool = False


PORTAL = Geometry()


def text_width(text: str, size: float) -> float:
    return sum(size if ord(ch) > 0x2E7F else size * 0.55 for ch in text)


def wrap(text: str, size: float, width: float) -> list[str]:
    """Lines of at most `width` px (a closing punctuation mark may hang past it), 避头尾 applied."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line, used = "", 0.0
        for ch in paragraph:
            w = size if ord(ch) > 0x2E7F else size * 0.55
            if used + w > width and line and ch not in NO_LINE_START:
                carry = ""
                while len(line) > 1 and line[-1] in NO_LINE_END:  # an opening bracket goes down with its text
                    line, carry = line[:-1], line[-1] + carry
                lines.append(line)
                line, used = carry, text_width(carry, size)
            line += ch
            used += w
        lines.append(line)
    return lines


def _detail_lines(items: list[str], width: float) -> list[str]:
    """Each `label：text` wrapped; short ones share a line (separated by a wide space) where they fit."""
    lines: list[str] = []
    joinable = False  # whether the last line holds whole short items only
    for item in items:
        if joinable and text_width(f"{lines[-1]}　{item}", TEXT_SIZE) <= width:
            lines[-1] = f"{lines[-1]}　{item}"
            continue
        wrapped = wrap(item, TEXT_SIZE, width)
        lines += wrapped
        joinable = len(wrapped) == 1
    return lines


def _step_lines(p: Placed, inner: float) -> list[tuple[str, float, bool]]:
    """(text, size, bold) lines of one box."""
    if p.step.kind is FlowStepKind.DECISION:
        inner -= 28
    lines = [(t, NAME_SIZE, True) for t in wrap(p.step.name, NAME_SIZE, inner)]
    details = [f"{label}：{text}" for label, text in p.step.details()]
    return lines + [(t, TEXT_SIZE, False) for t in _detail_lines(details, inner)]


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
    return text_width(label, TEXT_SIZE) + 8


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


def _label_spot(start: tuple[float, float], end: tuple[float, float], mid: float) -> tuple[float, float]:
    """Where an adjacent edge's label goes: halfway down a straight arrow; on the horizontal
    stretch of a bent one, halfway between its ends — so that two branches leaving one box, or
    two arriving at one box, never put their labels on the same spot."""
    if abs(start[0] - end[0]) < 1:
        return end[0], (start[1] + end[1]) / 2 + 4
    return (start[0] + end[0]) / 2, mid + 4


def render_svg(chart: Chart, plan: Layout | None = None, geometry: Geometry = PORTAL, *, framed: bool = True) -> str:
    """The chart as a standalone SVG document (UTF-8 text, no XML declaration). `framed=False`
    leaves out the title and the complaint channels below the chart (a Word page prints them as text)."""
    return ET.tostring(draw(chart, plan, geometry, framed=framed), encoding="unicode")


def size(svg: ET.Element) -> tuple[float, float]:
    return float(svg.get("width") or 0), float(svg.get("height") or 0)


def draw(chart: Chart, plan: Layout | None = None, geometry: Geometry = PORTAL, *, framed: bool = True) -> ET.Element:
    """The chart as an <svg> element; see `render_svg`."""
    plan = plan or layout(chart)
    g = geometry
    column_x = [MARGIN + c * (g.node_w + g.col_gap) for c in range(plan.width)]

    def span_of(p: Placed) -> tuple[float, float]:
        return column_x[p.column], p.span * g.node_w + (p.span - 1) * g.col_gap

    def box_w(p: Placed) -> float:
        return span_of(p)[1] if g.fill else g.node_w

    lines = {p.step.id: _step_lines(p, box_w(p) - 2 * PAD) for layer in plan.layers for p in layer}
    heights = [max((_height(lines[p.step.id]) for p in layer), default=0) for layer in plan.layers]
    lanes = len(plan.detours)
    grid_w = plan.width * g.node_w + (plan.width - 1) * g.col_gap
    labels = max((_label_width(e.label) for e in plan.detours), default=0)
    width = grid_w + 2 * MARGIN + lanes * LANE + (labels + 4 if lanes else 0)
    title_lines = wrap(chart.title, TITLE_SIZE, width - 2 * MARGIN) if framed else []
    top = MARGIN + (len(title_lines) * TITLE_SIZE * LINE + 10 if framed else 0)
    ys, y = [], top
    for h in heights:
        ys.append(y)
        y += h + g.layer_gap
    channels = "；".join(chart.complaint_channels())
    footer = []
    if framed:
        footer += wrap(f"投诉举报途径：{channels}", TEXT_SIZE, width - 2 * MARGIN) if channels else []
        footer += wrap(f"说明：{chart.notes}", TEXT_SIZE, width - 2 * MARGIN) if chart.notes else []
    bottom = y - g.layer_gap
    height = bottom + (20 + len(footer) * TEXT_SIZE * LINE if footer else 0) + MARGIN

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
            span_x, span_w = span_of(p)
            w = box_w(p)
            x = span_x + (span_w - w) / 2
            h = _height(lines[p.step.id])
            boxes[p.step.id] = (x, layer_y, w, h)
            group = ET.SubElement(svg, "g", {"class": f"step step-{p.step.kind.value.lower()}", "data-step-id": str(p.step.id)})
            _shape(group, p.step.kind, x, layer_y, w, h)
            line_y = layer_y + PAD
            for text, text_size, bold in lines[p.step.id]:
                line_y += text_size * LINE
                _text(group, x + w / 2, line_y - text_size * 0.3, text, text_size, bold=bold)

    for e in plan.adjacent:
        sx, sy, sw, sh = boxes[e.source]
        tx, ty, tw, _ = boxes[e.target]
        start, end = (sx + sw / 2, sy + sh), (tx + tw / 2, ty)
        mid = ty - g.layer_gap / 2
        points = [start, end] if abs(start[0] - end[0]) < 1 else [start, (start[0], mid), (end[0], mid), end]
        _arrow(svg, points, e.label, _label_spot(start, end, mid))
    for lane, e in enumerate(plan.detours, start=1):
        sx, sy, sw, sh = boxes[e.source]
        tx, ty, tw, th = boxes[e.target]
        x = MARGIN + grid_w + lane * LANE
        points = [(sx + sw, sy + sh / 2), (x, sy + sh / 2), (x, ty + th / 2), (tx + tw, ty + th / 2)]
        _arrow(svg, points, e.label, (x + 4, (sy + sh / 2 + ty + th / 2) / 2 + lane * 4), beside=True)

    for i, text in enumerate(footer):
        _text(svg, MARGIN, bottom + 20 + (i + 1) * TEXT_SIZE * LINE, text, TEXT_SIZE, anchor="start")
    return svg
