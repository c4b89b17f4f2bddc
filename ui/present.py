"""Presentation mode (`?presentasi=1`, or the sidebar switch): no sidebar and no widgets, type of at least 18 px,
a high-contrast colour-blind-safe palette, and each chart 16:9, one per screen height (1600x900 CSS px in the
main column of a 1920x1080 screen; columns stacked). The link with the parameter opens straight into it; a page
switch keeps it.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import streamlit as st

from pantau import charts

P_PRESENT = "presentasi"
_SAVED = "pantau_presentasi"
#: The chart's size in presentation mode: 16:9, one per screen height at 1920x1080.
WIDTH, HEIGHT = 1600, 900
#: How much every length of the house style's title block grows (the type grows by as much).
SCALE = 1.3
#: A figure taller than this (CSS px) has rows that need the room (a ranking of 40 bodies): it stays taller.
TALL = 760
MIN_TEXT = 18  # px: the least size of any text on a chart (axis labels, ticks, numbers, footer)
BODY_TEXT, TITLE_TEXT = 20, 30
TITLE_WRAP = 70  # characters of a 30 px bold title in 1600 px
#: Okabe-Ito's two faint colours on white (yellow 1.2:1, sky blue 2.1:1) swapped for the darker ones of Paul Tol's
#: medium-contrast scheme (colour-blind safe); the other Okabe-Ito hues stay, so their meaning (green complete,
#: orange short, purple a mismatch) does not change; grey text becomes black.
HIGH_CONTRAST = {charts.YELLOW.lower(): "#997700", charts.SKY.lower(): "#004488",
                 charts.MUTED_TEXT.lower(): charts.TEXT, charts.GREY.lower(): "#404040"}

_CSS = f"""<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
header[data-testid="stHeader"], [data-testid="stSelectbox"], [data-testid="stMultiSelect"],
[data-testid="stDownloadButton"], [data-testid="stButton"], [data-testid="stCheckbox"], [data-testid="stToggle"],
[data-testid="stDateInput"], [data-testid="stSegmentedControl"], .modebar-container {{display: none !important;}}
.st-key-present_exit [data-testid="stButton"] {{display: block !important;}}
.block-container, [data-testid="stMainBlockContainer"] {{padding: 1rem 40px 2rem 40px !important;
  max-width: {WIDTH + 80}px !important; margin: 0 auto;}}
[data-testid="stHorizontalBlock"] {{flex-wrap: wrap !important;}}
[data-testid="stColumn"] {{width: 100% !important; flex: 1 1 100% !important; min-width: 100% !important;}}
h1 {{font-size: 2.6rem !important;}}
[data-testid="stMarkdownContainer"] p, [data-testid="stCaptionContainer"] {{font-size: 1.25rem !important;}}
</style>"""


def on() -> bool:
    """True in presentation mode: the URL says presentasi=1, or it did earlier in this session (a page switch
    drops the query string; the parameter is written back)."""
    raw = st.query_params.get(P_PRESENT)
    if raw is not None:
        st.session_state[_SAVED] = raw == "1"
    elif st.session_state.get(_SAVED):
        st.query_params[P_PRESENT] = "1"
    return bool(st.session_state.get(_SAVED))


def set_on(value: bool) -> None:
    """Switch presentation mode on or off (the URL follows)."""
    st.session_state[_SAVED] = value
    if value:
        st.query_params[P_PRESENT] = "1"
    elif P_PRESENT in st.query_params:
        del st.query_params[P_PRESENT]


def style(exit_label: str) -> None:
    """The page in presentation mode: the CSS that hides the sidebar and the widgets, and one way out."""
    st.html(_CSS)
    st.button(exit_label, key="present_exit", icon=":material/close_fullscreen:", type="tertiary",
              on_click=set_on, args=(False,))


def _color(value: Any) -> Any:
    if isinstance(value, str):
        return HIGH_CONTRAST.get(value.lower(), value)
    if isinstance(value, (list, tuple)):
        return [_color(v) for v in value]
    return value


def _grow(font: Any, floor: int = MIN_TEXT) -> dict[str, Any]:
    """A font dict with its size at least `floor` (and SCALE times what it was)."""
    d = font.to_plotly_json() if hasattr(font, "to_plotly_json") else dict(font or {})
    d["size"] = max(floor, round(float(d.get("size") or charts.FONT_SIZE) * SCALE))
    if "color" in d:
        d["color"] = _color(d["color"])
    return d


def figure(fig: go.Figure) -> go.Figure:
    """A copy of a house-style figure for presentation mode: bigger type, the title block and legend moved to
    make room for it, darker colours, 16:9 (taller only when its rows need it)."""
    out = go.Figure(fig)
    lay = out.layout
    base = float(lay.height or 520)
    height = HEIGHT if base <= TALL else round(base * SCALE)
    top = round(float(lay.margin.t or charts.MARGIN["t"]) * SCALE)
    update: dict[str, Any] = {
        "height": height, "font": {"size": BODY_TEXT, "color": charts.TEXT}, "colorway": _color(list(lay.colorway or
                                                                                                charts.PALETTE)),
        "margin": {"t": top, "b": round(float(lay.margin.b or charts.MARGIN["b"]) * SCALE),
                   "l": lay.margin.l, "r": round(float(lay.margin.r or charts.MARGIN["r"]) * SCALE)},
        "title": {"font": {"size": TITLE_TEXT, "color": charts.TEXT},
                  "pad": {"t": round(float(lay.title.pad.t or 16) * SCALE)},
                  "subtitle": {"font": {"size": BODY_TEXT, "color": charts.TEXT}}},
        "legend": {"font": _grow(lay.legend.font, BODY_TEXT)},
    }
    if lay.legend.yref == "container" and lay.legend.y is not None:
        update["legend"]["y"] = 1 - (top - 6) / height
    title = str(lay.title.text or "").replace("</b><br><b>", " ")  # wrapped for a column half as wide
    if title.startswith("<b>") and "<br>" not in title:
        update["title"]["text"] = "<br>".join(f"<b>{line}</b>" for line in charts.wrap_title(title[3:-4], TITLE_WRAP))
    out.update_layout(update)
    out.for_each_xaxis(lambda ax: ax.update(tickfont=_grow(ax.tickfont, BODY_TEXT), title_font=_grow(ax.title.font)))
    out.for_each_yaxis(lambda ax: ax.update(tickfont=_grow(ax.tickfont, BODY_TEXT), title_font=_grow(ax.title.font)))
    out.layout.annotations = [{**a.to_plotly_json(), "font": _grow(a.font),
                               "yshift": round(float(a.yshift or 0) * SCALE)} for a in lay.annotations]
    for trace in out.data:
        _trace(trace)
    return out


def _trace(trace: Any) -> None:
    """A trace's numbers, colour bar and colours for presentation mode."""
    if "textfont" in trace:
        trace.textfont = _grow(trace.textfont)
    if "colorbar" in trace:
        trace.colorbar.tickfont = _grow(trace.colorbar.tickfont)
        trace.colorbar.title.font = _grow(trace.colorbar.title.font)
        trace.colorbar.title.side = "right"  # on top, the larger title ran past the figure's right edge
    marker = trace.marker if "marker" in trace else None
    if marker is not None and "color" in marker and marker.color is not None:
        marker.color = _color(marker.color)
    if "line" in trace and "color" in trace.line and trace.line.color is not None:
        trace.line.color = _color(trace.line.color)
