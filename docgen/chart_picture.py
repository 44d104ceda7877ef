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
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import resvg_py

from docgen.chart import Chart, Layout
from docgen.svg import Geometry, draw, size

#: print resolution of the picture
DPI = 200
#: node widths tried (px, before scaling), the one giving the largest print wins
NODE_WIDTHS = (250, 300, 360, 420, 480, 560)
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


def fit(chart: Chart, plan: Layout, width_mm: float, height_mm: float) -> tuple[ET.Element, float]:
    """The drawing whose print is largest within the box, and its scale (mm per px)."""
    best: tuple[ET.Element, float] | None = None
    for node_w in NODE_WIDTHS:
        svg = draw(chart, plan, Geometry(node_w=node_w, col_gap=30, layer_gap=32, fill=True), framed=False)
        w, h = size(svg)
        scale = min(width_mm / w, height_mm / h)
        if best is None or scale > best[1]:
            best = (svg, scale)
    assert best is not None
    return best


def picture(chart: Chart, plan: Layout, width_mm: float, height_mm: float) -> Picture:
    """The chart as a PNG of at most `width_mm` × `height_mm` at `DPI`."""
    svg, scale = fit(chart, plan, width_mm, height_mm)
    w, h = size(svg)
    png = resvg_py.svg_to_bytes(
        svg_string=ET.tostring(svg, encoding="unicode"),
        zoom=scale * DPI / 25.4,
        background="#ffffff",
        skip_system_fonts=True,
        font_files=list(cjk_fonts()),
    )
    return Picture(png, w * scale, h * scale)


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
