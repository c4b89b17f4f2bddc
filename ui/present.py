"""Presentation mode (`?presentasi=1`, or the sidebar switch): no sidebar and no widgets, type of at least 18 px,
a high-contrast colour-blind-safe palette, and each chart 16:9, one per screen height (1600x900 CSS px in the
main column of a 1920x1080 screen; columns of charts stacked). The link with the parameter opens straight into
it; a page switch keeps it.
"""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from pantau import charts
from ui import slides

P_PRESENT = "presentasi"
_SAVED = "pantau_presentasi"
#: The chart's size in presentation mode: 16:9, one per screen height at 1920x1080.
WIDTH, HEIGHT = 1600, 900
#: How much every length of the house style's title block grows (the type grows by as much).
SCALE = 1.3
#: A figure taller than this (CSS px) has rows that need the room (a ranking of 40 bodies): it stays taller.
TALL = 760
MIN_TEXT = 18  # px: the least size of any text on a chart (axis labels, ticks, numbers, footer)
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
[data-testid="stHorizontalBlock"]:has(.stPlotlyChart) {{flex-wrap: wrap !important;}}
[data-testid="stHorizontalBlock"]:has(.stPlotlyChart) > [data-testid="stColumn"] {{width: 100% !important;
  flex: 1 1 100% !important; min-width: 100% !important;}}
h1 {{font-size: 2.6rem !important;}}
[data-testid="stMarkdownContainer"] p, [data-testid="stCaptionContainer"] {{font-size: 1.25rem !important;}}
[data-testid="stMetricValue"] p {{font-size: 3rem !important;}}
[data-testid="stMetricLabel"] p, [data-testid="stMetricDelta"] div {{font-size: 1.4rem !important;}}
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


def figure(fig: go.Figure) -> go.Figure:
    """A copy of a house-style figure for presentation mode: type SCALE times larger and at least MIN_TEXT, the
    title block and legend moved to make room for it, darker colours, 16:9 (taller only when its rows need it)."""
    base = float(fig.layout.height or 520)
    return slides.enlarge(fig, SCALE, height=HEIGHT if base <= TALL else round(base * SCALE), floor=MIN_TEXT,
                          colors=HIGH_CONTRAST, title_wrap=TITLE_WRAP)
