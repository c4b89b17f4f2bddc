"""Slides: chart images rendered on the server (kaleido with one long-lived Chromium), PPTX decks (python-pptx)
and a PDF of the same images. No Streamlit here: the pages and `python -m pantau report` both call it.
"""

from __future__ import annotations

import functools
import io
import os
import shutil
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from pantau import charts, fmt
from pantau.i18n import t

#: Debian's Chromium (PANTAU_CHROMIUM overrides); kaleido drives it through choreographer.
CHROMIUM = "/usr/bin/chromium"
#: Image sizes offered: the figure is laid out at 960x540 CSS pixels and scaled, so type grows with the image.
SIZES = {"1920x1080": (1920, 1080), "1280x720": (1280, 720)}
BASE_W, BASE_H = 960, 540
#: A figure taller than 960x540 is laid out wider (base_size) and scaled down less: its type grows by as much, up
#: to this, so a list of 17 kab/kota is read from the back of the room (its rows keep room for their labels).
MAX_GROW = 1.5
ROW_LINES = 1.6  # a category row this many tick labels high keeps its label (plotly drops every other one below)
SLIDE_TITLE_WRAP = 60  # characters of a title across a 16:9 image (the page wraps it for a column)
NOTE_ROWS = 10  # rows of a chart's table in its speaker notes
_LOCK = threading.Lock()
_SERVER = {"started": False, "starts": 0}


class NoBrowser(RuntimeError):
    """No Chromium on this machine: images cannot be rendered."""


@dataclass
class SlideChart:
    """One chart of a page, as a slide needs it: the figure, its title, the KPI line and the table behind it."""

    key: str
    title: str
    fig: go.Figure
    kpi: str = ""
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    columns: Mapping[str, str] = field(default_factory=dict)  # column -> kind ('int', 'pct', 'float1', 'text')


@dataclass
class DeckInfo:
    """What the title and trace slides say."""

    page_title: str
    scope: str
    period: str
    election: str
    data_date: str
    sample: bool
    lang: str
    kpis: Sequence[str] = ()            # the key numbers as editable text (a KPI slide when given)
    sources: Sequence[str] = ()         # source tables
    version: str = ""
    rejected: int = 0


def chromium_path() -> str | None:
    """The Chromium kaleido will use, or None when this machine has none."""
    path = os.environ.get("PANTAU_CHROMIUM", CHROMIUM)
    if os.path.isfile(path) and os.access(path, os.X_OK):
        return path
    return shutil.which("chromium") or shutil.which("chromium-browser")


def browser_starts() -> int:
    """How many times this process started the image browser (one, however many images)."""
    return _SERVER["starts"]


def _ensure_server() -> None:
    """Start kaleido's sync server (one Chromium, kept alive) once per process."""
    import kaleido

    path = chromium_path()
    if path is None:
        raise NoBrowser("chromium")
    with _LOCK:
        if not _SERVER["started"]:
            os.environ["BROWSER_PATH"] = path
            kaleido.start_sync_server(n=1, silence_warnings=True)
            _SERVER["started"], _SERVER["starts"] = True, _SERVER["starts"] + 1


def base_size(fig: go.Figure) -> tuple[int, int]:
    """The CSS size a figure is laid out at: 960x540, or 16:9 around a taller figure (a ranking of 18 bodies keeps
    every row's label rather than dropping every other one)."""
    height = -(-max(BASE_H, int(fig.layout.height or BASE_H)) // 9) * 9  # a multiple of 9: exactly 16:9 when scaled
    return height // 9 * 16, height


def slide_figure(fig: go.Figure, sample: bool, lang: str) -> go.Figure:
    """A copy of a house-style figure laid out 16:9 for an image (its title across the width, the type of a tall
    one grown), with DATA CONTOH stamped on sample data."""
    width, height = base_size(fig)
    scale = grow_for(fig, width, height)
    out = enlarge(fig, scale, height=height, title_wrap=SLIDE_TITLE_WRAP)
    out.update_layout(width=width, height=height, autosize=False)
    if sample:
        out.add_annotation(text=f"<b>{t('sample_stamp', lang)}</b>", xref="paper", yref="paper", x=1, y=1.0,
                           xanchor="right", yanchor="bottom", showarrow=False, yshift=round(34 * scale),
                           font={"size": round(13 * scale), "color": "#b91c1c"}, bordercolor="#b91c1c", borderwidth=1.5,
                           borderpad=3, bgcolor="#ffffff")
    return out


def grow_for(fig: go.Figure, width: int, height: int) -> float:
    """How much a figure laid out at width x height CSS px (base_size) grows its type for a slide: as much as it is
    laid out wider than 960 px (so its text ends the size of a 960 px chart's), at most MAX_GROW, and no more than
    keeps a row of a category axis ROW_LINES tick labels high (a heatmap of 19 kab/kota dropped every other name)."""
    rows = max([len({str(v) for v in (tr.y if tr.y is not None else ())}) for tr in fig.data
                if tr.type in ("heatmap", "bar") and (tr.type == "heatmap" or tr.orientation == "h")] or [0])
    scale = min(MAX_GROW, width / BASE_W)
    if rows:
        margins = float(fig.layout.margin.t or charts.MARGIN["t"]) + float(fig.layout.margin.b or charts.MARGIN["b"])
        tick = float(fig.layout.yaxis.tickfont.size or 14)
        scale = min(scale, height / (rows * ROW_LINES * tick + margins))
    return max(1.0, scale)


def _recolor(value: Any, colors: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        return colors.get(value.lower(), value)
    if isinstance(value, (list, tuple)):
        return [_recolor(v, colors) for v in value]
    return value


def _font(font: Any, scale: float, floor: int, colors: Mapping[str, str]) -> dict[str, Any]:
    """A font dict `scale` times as large (at least `floor` px), its colour swapped through `colors`."""
    d = font.to_plotly_json() if hasattr(font, "to_plotly_json") else dict(font or {})
    d["size"] = max(floor, round(float(d.get("size") or charts.FONT_SIZE) * scale))
    if "color" in d:
        d["color"] = _recolor(d["color"], colors)
    return d


def enlarge(fig: go.Figure, scale: float, *, height: int | None = None, floor: int = 0,
            colors: Mapping[str, str] | None = None, title_wrap: int | None = None) -> go.Figure:
    """A copy of a house-style figure with every text `scale` times larger (at least `floor` px), the title block,
    footer and legend moved by as much to make room, colours swapped through `colors` (lower-case hex), the title
    re-wrapped at `title_wrap` characters, and `height` (CSS px). For slides and for presentation mode."""
    out, lay, colors = go.Figure(fig), fig.layout, colors or {}
    height = height or int(lay.height or 520)
    top = round(float(lay.margin.t or charts.MARGIN["t"]) * scale)
    grow = functools.partial(_font, scale=scale, floor=floor, colors=colors)
    update: dict[str, Any] = {
        "height": height, "font": grow(lay.font), "colorway": _recolor(list(lay.colorway or charts.PALETTE), colors),
        "margin": {"t": top, "b": round(float(lay.margin.b or charts.MARGIN["b"]) * scale), "l": lay.margin.l,
                   "r": round(float(lay.margin.r or charts.MARGIN["r"]) * scale)},
        "title": {"font": grow(lay.title.font), "pad": {"t": round(float(lay.title.pad.t or 16) * scale)},
                  "subtitle": {"font": grow(lay.title.subtitle.font)}},
        "legend": {"font": grow(lay.legend.font)},
    }
    if lay.legend.yref == "container" and lay.legend.y is not None:
        update["legend"]["y"] = 1 - (top - 6) / height
    title = str(lay.title.text or "").replace("</b><br><b>", " ")
    if title_wrap and title.startswith("<b>") and title.endswith("</b>") and "<br>" not in title:
        update["title"]["text"] = "<br>".join(f"<b>{line}</b>" for line in charts.wrap_title(title[3:-4], title_wrap))
    out.update_layout(update)
    out.for_each_xaxis(lambda ax: ax.update(tickfont=grow(ax.tickfont), title_font=grow(ax.title.font)))
    out.for_each_yaxis(lambda ax: ax.update(tickfont=grow(ax.tickfont), title_font=grow(ax.title.font)))
    out.layout.annotations = [{**a.to_plotly_json(), "font": grow(a.font),
                               "yshift": round(float(a.yshift or 0) * scale)} for a in lay.annotations]
    for trace in out.data:
        _grow_trace(trace, grow, colors)
    return out


def _grow_trace(trace: Any, grow: Any, colors: Mapping[str, str]) -> None:
    """A trace's numbers and colour bar grown, its colours swapped (enlarge)."""
    if "textfont" in trace:
        trace.textfont = grow(trace.textfont)
    if "colorbar" in trace:
        trace.colorbar.tickfont = grow(trace.colorbar.tickfont)
        trace.colorbar.title.font = grow(trace.colorbar.title.font)
        trace.colorbar.title.side = "right"  # on top, a larger title ran past the figure's right edge
    if colors and "marker" in trace and "color" in trace.marker and trace.marker.color is not None:
        trace.marker.color = _recolor(trace.marker.color, colors)
    if colors and "line" in trace and "color" in trace.line and trace.line.color is not None:
        trace.line.color = _recolor(trace.line.color, colors)


def image(fig: go.Figure, kind: str = "png", size: str = "1920x1080", *, sample: bool = False,
          lang: str = "id") -> bytes:
    """PNG (at `size`) or SVG bytes of a figure; NoBrowser when there is no Chromium."""
    _ensure_server()
    import kaleido

    width, _ = SIZES[size]
    base_w, base_h = base_size(fig)
    opts = {"format": kind, "width": base_w, "height": base_h, "scale": 1 if kind == "svg" else width / base_w}
    data = kaleido.calc_fig_sync(slide_figure(fig, sample, lang), opts=opts)
    return data if kind == "svg" else _exact(data, SIZES[size])


def _exact(png: bytes, size: tuple[int, int]) -> bytes:
    """The PNG at exactly `size`: Chromium rounds a scaled page down (1072 CSS px x 1920/1072 gave 1919 px)."""
    from PIL import Image

    img = Image.open(io.BytesIO(png))
    if img.size == size:
        return png
    out = io.BytesIO()
    img.resize(size, Image.Resampling.LANCZOS).save(out, format="PNG")
    return out.getvalue()


def notes_text(chart: SlideChart, lang: str) -> str:
    """The top rows of a chart's table with units, for the presenter: 'Kota Metro: Kepatuhan 87,5 %; ...'."""
    if chart.table.empty:
        return chart.kpi
    cols = [c for c in chart.columns if c in chart.table.columns]
    lines = [chart.kpi] if chart.kpi else []
    for _, row in chart.table.head(NOTE_ROWS).iterrows():
        parts = [f"{t(f'col_{c}', lang)} {_cell(row[c], chart.columns[c], lang)}" for c in cols]
        lines.append("; ".join(parts))
    if len(chart.table) > NOTE_ROWS:
        lines.append(t("slide_more_rows", lang, n=len(chart.table) - NOTE_ROWS))
    return "\n".join(lines)


def _cell(value: object, kind: str, lang: str) -> str:
    if fmt.is_missing(value):
        return "–"
    if kind == "pct":
        return fmt.percent(float(value), 1, lang)
    if kind in ("int", "float1"):
        return fmt.number(float(value), 0 if kind == "int" else 1, lang)
    return str(value)


def _text(slide: object, left: float, top: float, width: float, height: float, lines: Sequence[str], size: int,
          *, bold: bool = False, color: str | None = None) -> None:
    """A text box of `lines` (inches, points): editable text on the slide."""
    from pptx.dml.color import RGBColor
    from pptx.util import Inches, Pt

    box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))  # type: ignore[attr-defined]
    frame = box.text_frame
    frame.word_wrap = True
    for i, line in enumerate(lines):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        para.text = line
        para.font.size, para.font.bold = Pt(size), bold
        if color:
            para.font.color.rgb = RGBColor.from_string(color)


def title_lines(info: DeckInfo) -> list[str]:
    """Scope, period, election, data date and DATA CONTOH: what the title slide says under the page title."""
    lines = [info.scope, info.period, info.election, t("slide_data_date", info.lang, date=info.data_date)]
    return [*lines, t("sample_stamp", info.lang)] if info.sample else lines


def deck(info: DeckInfo, charts_: Sequence[SlideChart], images: Sequence[bytes]) -> bytes:
    """The PPTX: a title slide, a KPI slide (when there are KPIs), one chart per slide (picture, title, KPI line,
    speaker notes with the numbers) and a trace slide (source tables, warehouse version, rejected rows)."""
    from pptx import Presentation
    from pptx.util import Inches

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    blank = prs.slide_layouts[6]
    first = prs.slides.add_slide(blank)
    _text(first, 0.8, 1.6, 11.7, 1.4, [info.page_title], 44, bold=True)
    _text(first, 0.8, 3.2, 11.7, 3.0, title_lines(info), 24)
    if info.kpis:
        kpi = prs.slides.add_slide(blank)
        _text(kpi, 0.6, 0.4, 12.1, 0.9, [t("slide_kpis", info.lang)], 32, bold=True)
        _text(kpi, 0.6, 1.5, 12.1, 5.6, list(info.kpis), 24)
    for chart, png in zip(charts_, images, strict=True):
        slide = prs.slides.add_slide(blank)
        _text(slide, 0.4, 0.02, 12.5, 0.42, [chart.title], 20, bold=True)
        if chart.kpi:
            _text(slide, 0.4, 0.38, 12.5, 0.36, [chart.kpi], 14, color="333333")
        width = Inches(12.0)  # 90 % of the slide; 16:9 like the image, under the title and KPI line
        slide.shapes.add_picture(io.BytesIO(png), Inches(0.667), Inches(0.75), width=width)
        slide.notes_slide.notes_text_frame.text = notes_text(chart, info.lang)
    trace = prs.slides.add_slide(blank)
    _text(trace, 0.6, 0.4, 12.1, 0.9, [t("slide_trace", info.lang)], 32, bold=True)
    _text(trace, 0.6, 1.5, 12.1, 5.6, trace_lines(info), 22)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


def trace_lines(info: DeckInfo) -> list[str]:
    """Where the figures come from: source tables, warehouse version, rejected rows."""
    return [t("slide_sources", info.lang, tables=", ".join(info.sources)),
            t("slide_version", info.lang, version=info.version),
            t("slide_rejected", info.lang, n=fmt.number(info.rejected, 0, info.lang))]


def text_image(heading: str, lines: Sequence[str], sample: bool, lang: str) -> bytes:
    """A 1920x1080 PNG of a text slide (title, KPIs, trace) for the PDF, so it has one page per slide."""
    fig = go.Figure()
    fig.update_layout(paper_bgcolor="#ffffff", plot_bgcolor="#ffffff", margin={"l": 60, "r": 60, "t": 60, "b": 60},
                      xaxis={"visible": False}, yaxis={"visible": False}, font={"family": "sans-serif"})
    head = charts.wrap_title(heading, 36)  # 44 px bold: a deck of every page names seven
    fig.add_annotation(text="<br>".join(f"<b>{line}</b>" for line in head), x=0, y=0.92, xref="paper",
                       yref="paper", xanchor="left", yanchor="top", align="left", showarrow=False,
                       font={"size": 44, "color": "#111827"})
    fig.add_annotation(text="<br>".join(lines), x=0, y=0.86 - 0.13 * len(head), xref="paper", yref="paper",
                       xanchor="left", yanchor="top", align="left", showarrow=False,
                       font={"size": 28, "color": "#111827"})
    return image(fig, sample=sample, lang=lang)


def pdf(images: Sequence[bytes]) -> bytes:
    """A PDF of the images, one per page (the deck's charts as they are on its slides)."""
    from PIL import Image

    pages = [Image.open(io.BytesIO(png)).convert("RGB") for png in images]
    out = io.BytesIO()
    if pages:
        pages[0].save(out, format="PDF", save_all=True, append_images=pages[1:], resolution=144)
    return out.getvalue()
