"""一图 as a picture for the Word filing: the SVG drawing (docgen.svg) rasterised by resvg, sized
to fit one page, its whole text kept in the picture's alt text (screen readers, search).

Why a picture: it looks exactly like the portal's SVG, a real flow chart with arrows, in Word and
LibreOffice alike (floating DrawingML shapes and connectors shift between the two). It needs a CJK
font where it is rasterised: without one (`cjk_fonts()` is empty) the filing falls back to the
table drawing of docgen.chart_docx.
"""

from __future__ import annotations

import functools
import os
import re
import threading
import xml.etree.ElementTree as ET
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import resvg_py

from docgen.chart import Chart, Edge, Layout, Step, layout
from docgen.svg import TEXT_SIZE, Geometry, draw, size
from domain.enums import FlowStepKind

#: picture pixels per px of the drawing: at the smallest print (MIN_SCALE) about 210 dpi (rasterising
#: is most of a chart book's time: 3 took half as long again), under the 300 dpi above which LibreOffice's
#: PDF reduces pictures, so the print size of the drawing's text can be read back from the PDF (the
#: picture's pixels an inch as printed)
ZOOM = 2.2
#: the smallest text on paper (pt): the drawing's TEXT_SIZE px printed at least this large
MIN_TEXT_PT = 9.0
#: mm a px of the drawing takes on paper, at least
MIN_SCALE = MIN_TEXT_PT * 25.4 / 72 / TEXT_SIZE
#: node widths tried (px, before scaling), the one giving the largest print wins
NODE_WIDTHS = (140, 170, 200, 250, 300, 360, 420, 480, 560)
_CJK_FILE = re.compile(r"(?i)(cjk|wqy|sourcehan|hansans|simsun|simhei|msyh|fangsong|simfang|kaiti|droidsansfallback|uming|ukai)")
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts")


@functools.cache
def cjk_fonts() -> tuple[str, ...]:
    """Font files with Chinese glyphs in the usual font folders, the sans-serif ones (the SVG's
    family) if there are any: resvg parses each file on every picture (looked up once per process)."""
    found = []
    for folder in FONT_DIRS:
        for root, _, files in os.walk(Path(folder).expanduser()):
            found += [str(Path(root) / f) for f in sorted(files) if _CJK_FILE.search(f) and f.lower().endswith((".ttf", ".ttc", ".otf"))]
    sans = [f for f in found if re.search(r"(?i)sans|hei|wqy|yahei", Path(f).name)]
    return tuple(sans or found)


@dataclass(frozen=True)
class Picture:
    png: bytes
    width_mm: float
    height_mm: float
    svg: str  # the drawing it shows


def _geometry(node_w: float) -> Geometry:
    return Geometry(node_w=node_w, col_gap=30, layer_gap=32, fill=True)


def fit(chart: Chart, plan: Layout, width_mm: float, height_mm: float) -> tuple[ET.Element, float]:
    """The drawing whose print is largest within the box, and its scale (mm per px)."""
    best: tuple[ET.Element, float] | None = None
    for node_w in NODE_WIDTHS:
        svg = draw(chart, plan, _geometry(node_w), framed=False)
        w, h = size(svg)
        scale = min(width_mm / w, height_mm / h)
        if best is None or scale > best[1]:
            best = (svg, scale)
    assert best is not None
    return best


def _part(chart: Chart, plan: Layout, band: range, page_of: dict[int, int]) -> Chart:
    """The layers of `band` as a chart of their own: an arrow leaving the band ends in a connector
    "接第N页「…」", one arriving starts at "承第N页「…」" (`page_of`: the page each step prints on)."""
    inside = {p.step.id for i in band for p in plan.layers[i]}
    names = {s.id: s.name for s in chart.steps}
    steps = {p.step.id: p.step for i in band for p in plan.layers[i]}
    edges: list[Edge] = []
    for e in plan.adjacent + plan.detours:  # one connector a step on another page, however many arrows it takes
        if e.source in inside and e.target in inside:
            edges.append(e)
        elif e.source in inside:
            connector = -2 * e.target
            steps.setdefault(connector, Step(connector, FlowStepKind.END, f"接第{page_of[e.target]}页「{names[e.target]}」"))
            edges.append(Edge(e.source, connector, e.label))
        elif e.target in inside:
            connector = -2 * e.source - 1
            steps.setdefault(connector, Step(connector, FlowStepKind.START, f"承第{page_of[e.source]}页「{names[e.source]}」"))
            edges.append(Edge(connector, e.target, e.label))
    return Chart(chart.title, "", "", list(steps.values()), edges)


def pages(chart: Chart, plan: Layout, width_mm: float, height_mm: float, first_page: int) -> list[Picture]:
    """The chart as one picture, or where it would print its text under MIN_TEXT_PT as pictures of
    a page each: its layers in bands, from the top, as many a page as fit at MIN_SCALE, with
    connectors (接第N页) where an arrow leaves a page; `first_page` is the page number of the first."""
    svg, scale = fit(chart, plan, width_mm, height_mm)
    if scale >= MIN_SCALE or len(plan.layers) < 2:
        return [_png(svg, scale)]
    def narrowest(part: Chart) -> ET.Element:  # the widest boxes that still fit across the page at MIN_SCALE
        plan = layout(part)
        for node_w in reversed(NODE_WIDTHS):
            svg = draw(part, plan, _geometry(node_w), framed=False)
            if size(svg)[0] * MIN_SCALE <= width_mm:
                break
        return svg

    placeholder = {p.step.id: 99 for layer in plan.layers for p in layer}  # as wide as any page number
    bands: list[range] = []
    start = 0
    while start < len(plan.layers):
        stop = start + 1
        while stop < len(plan.layers) and size(narrowest(_part(chart, plan, range(start, stop + 1), placeholder)))[1] * MIN_SCALE <= height_mm:
            stop += 1
        bands.append(range(start, stop))
        start = stop
    page_of = {p.step.id: first_page + b for b, band in enumerate(bands) for i in band for p in plan.layers[i]}
    out = []
    for band in bands:
        svg = narrowest(_part(chart, plan, band, page_of))
        w, h = size(svg)
        out.append(_png(svg, min(width_mm / w, height_mm / h)))
    return out


def picture(chart: Chart, plan: Layout, width_mm: float, height_mm: float) -> Picture:
    """The chart as a PNG of at most `width_mm` × `height_mm`, `ZOOM` pixels a px of the drawing."""
    return _png(*fit(chart, plan, width_mm, height_mm))


#: Bytes of rasterised drawings kept per process: a chart book draws every chart of a unit, and the next
#: filing of the same unit (its public version, the 一盘, a second download) draws the same ones again.
RASTER_CACHE_BYTES = 64 * 1024 * 1024
_rasters: OrderedDict[str, bytes] = OrderedDict()
_rasters_lock = threading.Lock()
_held = 0


def _rasterise(svg_string: str) -> bytes:
    """The PNG of a drawing at `ZOOM` (about 90 % of a chart's cost: resvg parses the CJK fonts each time),
    kept by its SVG text, least recently used out first."""
    with _rasters_lock:
        png = _rasters.get(svg_string)
        if png is not None:
            _rasters.move_to_end(svg_string)
            return png
    png = resvg_py.svg_to_bytes(
        svg_string=svg_string, zoom=ZOOM, background="#ffffff", skip_system_fonts=True, font_files=list(cjk_fonts())
    )
    global _held
    with _rasters_lock:
        if svg_string not in _rasters:
            _rasters[svg_string] = png
            _held += len(png)
        while _held > RASTER_CACHE_BYTES and len(_rasters) > 1:
            _held -= len(_rasters.popitem(last=False)[1])
    return png


def _png(svg: ET.Element, scale: float) -> Picture:
    """The drawing rasterised at `ZOOM`, to print at `scale` mm a px."""
    w, h = size(svg)
    svg_string = ET.tostring(svg, encoding="unicode")
    return Picture(_rasterise(svg_string), w * scale, h * scale, svg_string)


def alt_text(chart: Chart, plan: Layout) -> str:
    """Everything the picture shows, as text: each step with its details, then where it leads."""
    names = {s.id: s.name for s in chart.steps}
    out: dict[int, list[str]] = {}
    for e in plan.adjacent + plan.detours:
        out.setdefault(e.source, []).append(f"{e.label}→{names[e.target]}" if e.label else f"→{names[e.target]}")
    parts = []
    for number, p in enumerate((p for layer in plan.layers for p in layer), start=1):
        text = f"{number}．{p.step.name}"
        details = "；".join(f"{label}：{value}" for label, value in p.step.details())
        leads = "；".join(out.get(p.step.id, []))
        parts.append(text + (f"（{details}）" if details else "") + (f"，{leads}" if leads else ""))
    return f"{chart.title}：" + "。".join(parts) + "。"
