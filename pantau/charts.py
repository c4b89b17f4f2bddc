"""The house style of every Pantau chart, and the chart builders the pages use.

One place decides how a chart looks on a projector and in a slide: a title that states the
finding, scope and period in the subtitle, "Sumber: ... · data per ..." under the plot,
Indonesian number and date formats, the Okabe-Ito palette (colour-blind safe), large system
sans-serif fonts (no web fonts), and a modebar whose PNG export is 2x with the title on it.
No Streamlit here: builders take DataFrames and return plotly Figures.

Speed: a builder writes its traces and layout as plain dicts (arrays as numpy or lists) and makes
the Figure once, without plotly's per-property validation (`go.Figure(..., _validate=False)`): an order of
magnitude less time a chart (docs/PERFORMANCE.md). tests/test_charts.py validates every builder's output
with plotly, so a misspelt property still fails there.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from pantau import fmt

# Okabe & Ito (2008): distinguishable with every common colour-vision deficiency.
BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY, YELLOW, BLACK = (
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000",
)
PALETTE: list[str] = [BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY, BLACK, YELLOW]
#: For more than seven categories: Paul Tol's muted wine, olive and teal (teal after olive: it is near Okabe-Ito's
#: green), and Okabe-Ito's yellow (faint on white) last.
CATEGORY_COLORS: list[str] = [*PALETTE[:7], "#882255", "#999933", "#44AA99", YELLOW]
GREY = "#8C8C8C"
LIGHT_GREY = "#E6E6E6"
TEXT = "#1A1A1A"
MUTED_TEXT = "#555555"
#: Semantic colours: complete, short of the mandate, more reported than possible.
GOOD, SHORT, MISMATCH = GREEN, ORANGE, PURPLE
#: Sequential scale for heatmaps (light -> dark blue, readable in greyscale too).
SEQUENTIAL: list[list[Any]] = [[0.0, "#F7FBFF"], [0.25, "#C6DBEF"], [0.5, "#6BAED6"],
                               [0.75, "#2171B5"], [1.0, "#08306B"]]

FONT_FAMILY = ("system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', 'Noto Sans', "
               "'Liberation Sans', 'DejaVu Sans', Arial, sans-serif")
FONT_SIZE = 16
TITLE_SIZE = 23
SUBTITLE_SIZE = 16
FOOTER_SIZE = 13
MARGIN = {"l": 24, "r": 32, "t": 110, "b": 96}
EXPORT_WIDTH = 1280
#: Characters per line of a full-width chart's title. A bold 23 px character of the widest fallback font (DejaVu
#: Sans) takes ~14.6 px; in a 1280 px window (a projector) the main column leaves ~780 px for the title, where
#: 54 characters ran off the right edge. A chart in one of two columns (``Frame.wrap = NARROW_WRAP``) leaves
#: ~390 px there ("Kepatuhan pleno stabil: 94% → 93%", 34 characters, lost its last number).
TITLE_WRAP = 50
NARROW_WRAP = 25
#: On a phone (390 px: ~340 px for the title of a full-width chart).
PHONE_WRAP = 21
#: A footer (13 px) fits this many times the title's characters per line.
FOOTER_CHARS_PER_TITLE_CHAR = 2.2
FOOTER_LINE_PX = 17
#: A subtitle (regular, 16 px) fits this many times the title's characters per line.
SUBTITLE_CHARS_PER_TITLE_CHAR = 1.6
SUBTITLE_LINE_PX = 22
_ALL = "__all__"  # the one series of a trend without a colour column


def _house_template() -> dict[str, Any]:
    """plotly's "simple_white" template, cut to what 2-D bar, scatter, box and heatmap charts read."""
    full = pio.templates["simple_white"].to_plotly_json()
    data = {k: v for k, v in full["data"].items() if k in ("bar", "scatter", "heatmap", "box")}
    layout = {k: v for k, v in full["layout"].items() if k not in ("polar", "ternary", "scene", "geo", "mapbox", "map")}
    return {"data": data, "layout": layout}


TEMPLATE: dict[str, Any] = _house_template()


@dataclass(frozen=True)
class Frame:
    """The words around a chart: the finding, where and when, and where it comes from."""

    title: str
    subtitle: str
    footer: str
    lang: str = "id"
    wrap: int = TITLE_WRAP  # characters per title line (NARROW_WRAP for a chart in one of two columns)

    @property
    def narrow(self) -> bool:
        return self.wrap < TITLE_WRAP


def footer_text(data_date: dt.date | None, sample: bool, lang: str = "id",
                others: Mapping[str, dt.date] | None = None) -> str:
    """'Sumber: Bawaslu (data contoh) · data per 23 Jul 2024', and the parts older than that date
    ('… · PTPS per 14 Feb 2024')."""
    word = "as of" if lang == "en" else "per"
    src = ("Source: Bawaslu" + (" (sample data)" if sample else "")) if lang == "en" else \
        ("Sumber: Bawaslu" + (" (data contoh)" if sample else ""))
    if not data_date:
        return src
    older = "".join(f" · {name} {word} {fmt.date(d, lang)}" for name, d in (others or {}).items())
    return f"{src} · data {word} {fmt.date(data_date, lang)}{older}"


def _greedy_lines(words: Sequence[str], width: int) -> list[str]:
    lines: list[str] = []
    for word in words:
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def wrap_title(text: str, width: int) -> list[str]:
    """Split a title into as few lines of at most `width` characters as it needs (at spaces), as even as they
    can be: no last line of one word left under a full one."""
    words = str(text).split()
    lines = _greedy_lines(words, width)
    narrowest = width
    while narrowest > 1 and len(_greedy_lines(words, narrowest - 1)) == len(lines):
        narrowest -= 1
    return _greedy_lines(words, narrowest)


def wrap_parts(text: str, width: int, sep: str = " · ") -> list[str]:
    """Lines of at most `width` characters that break between the parts of 'Lampung · 1 Jan – 31 Des 2024', not
    inside a date; a part longer than a line is wrapped at its spaces."""
    lines: list[str] = []
    for part in str(text).split(sep):
        if lines and len(lines[-1]) + len(sep) + len(part) <= width:
            lines[-1] += sep + part
        else:
            lines.extend(wrap_title(part, width) if len(part) > width else [part])
    return lines or [""]


def merge(base: dict[str, Any], *updates: Mapping[str, Any] | None) -> dict[str, Any]:
    """Deep-merge plotly property dicts into `base` (in place, later wins) and return it."""
    for update in updates:
        for key, value in (update or {}).items():
            if isinstance(value, Mapping) and isinstance(base.get(key), dict):
                merge(base[key], value)
            else:
                base[key] = dict(value) if isinstance(value, Mapping) else value
    return base


def _legend_y(top_margin: float, height: float) -> float:
    """Where a horizontal legend's bottom goes (container fraction): just above the plot."""
    return 1 - (top_margin - 6) / height


def house_layout(frame: Frame, *, height: int = 520, legend: bool = True) -> dict[str, Any]:
    """The layout of the house style as a dict: fonts, title block, footer, formats, palette, axes."""
    lines = wrap_title(frame.title, frame.wrap)
    sub_lines = wrap_parts(frame.subtitle, int(frame.wrap * SUBTITLE_CHARS_PER_TITLE_CHAR))
    foot_lines = wrap_parts(frame.footer, int(frame.wrap * FOOTER_CHARS_PER_TITLE_CHAR))
    extra = 54 * (len(lines) - 1) + SUBTITLE_LINE_PX * (len(sub_lines) - 1)
    below = FOOTER_LINE_PX * (len(foot_lines) - 1)  # a footer that wraps (a phone, a narrow column) gets its room
    return {
        "template": copy.deepcopy(TEMPLATE),
        "height": height + extra + below,
        "font": {"family": FONT_FAMILY, "size": FONT_SIZE, "color": TEXT},
        "title": {
            "text": "<br>".join(f"<b>{_esc(line)}</b>" for line in lines),
            "x": 0, "xref": "container", "xanchor": "left", "pad": {"l": 24, "t": 16 + 24 * (len(lines) - 1)},
            "y": 1, "yref": "container", "yanchor": "top",
            "font": {"size": TITLE_SIZE, "color": TEXT},
            "subtitle": {"text": "<br>".join(_esc(line) for line in sub_lines),
                         "font": {"size": SUBTITLE_SIZE, "color": MUTED_TEXT}},
        },
        "separators": fmt.SEPARATORS.get(frame.lang, ",."),
        "colorway": list(PALETTE),
        "margin": {**MARGIN, "t": MARGIN["t"] + extra, "b": MARGIN["b"] + below},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "hoverlabel": {"font": {"family": FONT_FAMILY, "size": 15}},
        "showlegend": legend,
        # The legend sits in the title block, just above the plot, measured from the figure's edges (a legend
        # placed by the plot area would wrap into the subtitle when the axis labels are long).
        "legend": {"orientation": "h", "xref": "container", "x": 0.012, "xanchor": "left",
                   "yref": "container", "y": _legend_y(MARGIN["t"] + extra, height + extra + below),
                   "yanchor": "bottom",
                   "title": {"text": ""}, "font": {"size": 15}},
        "dragmode": False,
        "xaxis": {"showgrid": False, "ticks": "outside", "tickfont": {"size": 14}, "title": {"font": {"size": 15}},
                  "automargin": True, "linecolor": GREY},
        "yaxis": {"showgrid": True, "gridcolor": LIGHT_GREY, "ticks": "", "tickfont": {"size": 14},
                  "title": {"font": {"size": 15}}, "automargin": True, "linecolor": GREY},
        # Bottom right under the plot: it never runs off the figure whatever the width of the axis labels.
        "annotations": [{
            "text": "<br>".join(_esc(line) for line in foot_lines), "showarrow": False, "xref": "paper",
            "yref": "paper", "x": 1, "y": 0,
            "xanchor": "right", "yanchor": "top", "yshift": -(MARGIN["b"] - 30), "align": "right",
            "font": {"size": FOOTER_SIZE, "color": MUTED_TEXT}, "name": "footer",
        }],
    }


def styled_figure(traces: Sequence[dict[str, Any]], frame: Frame, *, height: int = 520, legend: bool = True,
                  axes: Mapping[str, Any] | None = None, after: Mapping[str, Any] | None = None,
                  shapes: Sequence[dict[str, Any]] = (), annotations: Sequence[dict[str, Any]] = ()) -> go.Figure:
    """One figure in the house style: `axes` (xaxis/yaxis settings the house style overrides where it
    sets the same property, as a style applied last would), then the house layout, then `after` (wins)."""
    layout = merge({}, axes, house_layout(frame, height=height, legend=legend), after)
    _make_room_for_legend(layout, traces, LEGEND_NARROW_PX if frame.narrow else LEGEND_WIDTH_PX)
    keep_plot_area(layout)
    if shapes:
        layout["shapes"] = list(shapes)
    if annotations:
        layout["annotations"] = list(annotations) + layout["annotations"]
    return go.Figure({"data": list(traces), "layout": layout}, _validate=False)


#: What a horizontal legend is assumed to have to fit in, and what its entries take (15 px text, the widest of
#: the fonts the house style falls back to, DejaVu Sans). plotly wraps it at the plot area's width: in the main
#: column of a 1400 px window, with long bar labels on the left, ~600 px (three kab/kota names took two rows);
#: in one of two columns of a 1280 px window ~300 px (four pleno outcomes took two rows).
#: Where it fits in one row after all, the chart only has a row of white space more.
LEGEND_WIDTH_PX, LEGEND_NARROW_PX, LEGEND_CHAR_PX, LEGEND_ENTRY_PX, LEGEND_ROW_PX = 560, 300, 8.8, 46, 24


def legend_rows(names: Sequence[str], width: float = LEGEND_WIDTH_PX) -> int:
    """Rows a horizontal legend of these entries wraps into. As plotly does: in one row when they all fit,
    otherwise in columns as wide as the widest entry."""
    widths = [LEGEND_ENTRY_PX + LEGEND_CHAR_PX * len(name) for name in names]
    if sum(widths) <= width:
        return 1
    per_row = max(1, int(width // max(widths)))
    return -(-len(widths) // per_row)


def _make_room_for_legend(layout: dict[str, Any], traces: Sequence[dict[str, Any]],
                          width: float = LEGEND_WIDTH_PX) -> None:
    """A horizontal legend sits between the subtitle and the plot and grows upwards as it wraps: each row
    beyond the first gets its own room (the plot moves down) instead of covering the subtitle."""
    leg = layout.get("legend", {})
    if not layout.get("showlegend") or leg.get("orientation") != "h" or leg.get("yref") != "container":
        return
    names = [str(t.get("name", "")) for t in traces if t.get("showlegend", True) and t.get("name")]
    extra = LEGEND_ROW_PX * (legend_rows(names, width) - 1)
    if extra:
        layout["height"] += extra
        layout["margin"]["t"] += extra
        leg["y"] = _legend_y(layout["margin"]["t"], layout["height"])


#: The least height left to the plot between the title block and the footer: room for the bars or cells and the
#: axis' tick labels (plotly's automargin takes ~40 px of it for them). A title, subtitle or legend that wraps
#: makes the figure taller, never the plot smaller: a one-bar chart whose subtitle wrapped at kab/kota scope in one
#: of two columns was left a negative plot area (an empty 400 px gap) before.
MIN_PLOT_PX = 130


def keep_plot_area(layout: dict[str, Any], minimum: int = MIN_PLOT_PX) -> None:
    """Make the figure tall enough that its margins (title block, legend, footer) leave `minimum` px of plot."""
    margin = layout.get("margin", {})
    need = int(margin.get("t", 0) + margin.get("b", 0) + minimum)
    if layout.get("height", 0) >= need:
        return
    layout["height"] = need
    leg = layout.get("legend", {})
    if leg.get("yref") == "container" and "y" in leg:
        leg["y"] = _legend_y(margin.get("t", 0), need)


def integer_ticks(values: Any) -> dict[str, Any]:
    """Axis settings for counts: whole-number ticks (no '1, 1, 2, 2' on small counts)."""
    try:
        arr = np.asarray(values, dtype="float64")
        top = float(np.nanmax(arr)) if arr.size and not np.isnan(arr).all() else float("nan")
    except (TypeError, ValueError):
        top = float("nan")
    settings: dict[str, Any] = {"tickformat": ",d"}
    if top == top and top <= 8:
        settings.update(dtick=1, tick0=0)
    return settings


def percent_ticks(values: Any, span: Sequence[float] | None = None) -> dict[str, Any]:
    """Axis settings for shares: ticks with as many decimals as small values need ('0,2% 0,4%', not '0% 0%');
    on an axis of a fixed `span` (0-105%), as that span needs."""
    arr = _floats(list(span) if span is not None else values)
    top = float(np.nanmax(np.abs(arr))) if arr.size and not np.isnan(arr).all() else 0.0
    decimals = 0 if top >= 0.05 or top == 0 else 1 if top >= 0.005 else 2
    return {"tickformat": f".{decimals}%"}


def config(filename: str, height: int = 520) -> dict[str, Any]:
    """plotly config: PNG export at 2x with the title on it, no logo, no lasso/box tools."""
    return {
        "displaylogo": False,
        "responsive": True,
        "modeBarButtonsToRemove": ["lasso2d", "select2d", "autoScale2d", "toggleSpikelines"],
        "toImageButtonOptions": {"format": "png", "filename": filename, "scale": 2,
                                 "width": EXPORT_WIDTH, "height": height},
    }


def _esc(text: str) -> str:
    return str(text).replace("<", "&lt;").replace(">", "&gt;")


def _vline(x: float, *, dash: str, color: str, width: int) -> dict[str, Any]:
    """What fig.add_vline draws: a line across the plot's height at x."""
    return {"type": "line", "xref": "x", "yref": "y domain", "x0": x, "x1": x, "y0": 0, "y1": 1,
            "line": {"color": color, "dash": dash, "width": width}}


def _floats(values: Any) -> np.ndarray:
    return pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def _texts(values: Any) -> list[Any]:
    return values.tolist() if hasattr(values, "tolist") else list(values)


def category_colors(keys: Sequence[Any]) -> dict[str, str]:
    """One colour per key, in the given order (up to 11 distinct): pass the same map to every chart of a page,
    and the same keys in the same order on every page where a category must keep its colour."""
    return {str(k): CATEGORY_COLORS[i % len(CATEGORY_COLORS)] for i, k in enumerate(keys)}


def bar_height(n: int, *, per_bar: int = 34, base: int = 230, minimum: int = 360, maximum: int = 1400) -> int:
    """A height that keeps horizontal bars readable whatever their number."""
    return max(minimum, min(maximum, base + per_bar * n))


def month_tick(d: Any, lang: str, year: bool) -> str:
    """A month's axis label: 'Jan', or 'Jan<br>2024' with the year under it (beside it, 'Jan 2024' ran into
    'Feb')."""
    ts = pd.Timestamp(d)
    name = fmt.month_name(ts.month, lang)
    return f"{name}<br>{ts.year}" if year else name


def _date_ticks(dates: Sequence[Any], lang: str, monthly: bool = True, max_ticks: int = 12) -> tuple[list, list]:
    """At most `max_ticks` ticks. Months read 'Jan<br>2024', 'Feb', ... 'Jan<br>2025', days '2 Des<br>2024',
    '9 Des', ...: the year under the first tick and where it changes, so they fit without running into each
    other."""
    values = sorted({pd.Timestamp(d) for d in dates if not fmt.is_missing(d)})
    if not values:
        return [], []
    step = max(1, -(-len(values) // max_ticks))
    picked = values[::step]
    labels, year = [], None
    for v in picked:
        label = month_tick(v, lang, v.year != year)
        labels.append(label if monthly else f"{v.day} {label}")
        year = v.year
    return picked, labels


# ---------------------------------------------------------------------------
# Builders
# ---------------------------------------------------------------------------


#: Every rate at least this, and more than one: dots on an axis from just below the lowest rate instead of bars
#: from 0, where 98,8% and 99,7% looked the same on a projector (a bar must start at 0, a dot need not).
ZOOM_ABOVE = 0.95


def rate_bars(df: pd.DataFrame, frame: Frame, *, label: str, rate: str, codes: str | None = None,
              hover: str | None = None, names: dict[str, str] | None = None, target: float = 1.0,
              axis_from: str = "{start}") -> go.Figure:
    """Horizontal bars of a rate (fill rate 0..1+) coloured by state: full, short, over 100%; dots on a zoomed
    axis when every rate is ZOOM_ABOVE or more, its title `axis_from` with {start} (e.g. 'Sumbu mulai {start}').

    `names` gives the legend names for keys "full", "short", "over". Bars carry `codes` in
    customdata[0] so a click can drill down. `hover` is a column of preformatted hover text.
    """
    names = names or {"full": "100%", "short": "< 100%", "over": "> 100%"}
    data = df.iloc[::-1]  # first row on top
    rates = _floats(data[rate])
    labels = _texts(data[label])
    code_values = _texts(data[codes] if codes else data[label])
    hovers = _texts(data[hover] if hover else data[label])
    state = np.where(rates > target + 1e-9, "over", np.where(rates >= target - 1e-9, "full", "short"))
    colors = {"full": GOOD, "short": SHORT, "over": MISMATCH}
    decimals = fmt.percent_decimals(rates, 1)  # one decimal as KPIs and tables: "99,2%", "100,0%", never a short 100%
    finite = rates[np.isfinite(rates)]
    zoom = finite.size > 1 and float(finite.min()) >= ZOOM_ABOVE
    traces = []
    for key in ("full", "short", "over"):
        idx = np.flatnonzero(state == key)
        if not len(idx):
            continue
        trace = {"x": rates[idx], "y": [labels[i] for i in idx], "name": names[key],
                 "customdata": [[code_values[i], hovers[i]] for i in idx],
                 "text": [fmt.percent(rates[i], decimals, frame.lang) for i in idx], "texttemplate": "%{text}",
                 "cliponaxis": False, "textfont": {"size": 15}, "hovertemplate": "%{customdata[1]}<extra></extra>"}
        if zoom:
            trace.update({"type": "scatter", "mode": "markers+text", "textposition": "middle right",
                          "marker": {"color": colors[key], "size": 15}})
        else:
            trace.update({"type": "bar", "orientation": "h", "textposition": "outside",
                          "marker": {"color": colors[key]}})
        traces.append(trace)
    top = float(np.nanmax(rates)) if len(rates) and not np.isnan(rates).all() else float("nan")
    if zoom:  # from the half percent below the lowest rate; room on the right for the labels
        start = np.floor(float(finite.min()) * 200 - 1) / 200
        end = max(1.0, top)
        x_axis = {"tickformat": f".{1 if end - start < 0.05 else 0}%", "range": [start, end + (end - start) * 0.2],
                  "title": {"text": axis_from.format(start=fmt.percent(start, 1, frame.lang))}}
    else:
        x_axis = {"tickformat": ".0%", "range": [0, max(1.15, (top or 0) * 1.15)]}
    axes = {"xaxis": {**x_axis, "showgrid": True, "gridcolor": LIGHT_GREY},
            "yaxis": {"categoryorder": "array", "categoryarray": labels, "showgrid": zoom, "gridcolor": LIGHT_GREY,
                      "type": "category"}}
    if zoom:  # dots get no bar's padding: without a range plotly leaves two empty rows at each end
        axes["yaxis"]["range"] = [-0.6, len(labels) - 0.4]
    return styled_figure(traces, frame, height=bar_height(len(data)), axes=axes,
                         shapes=[_vline(target, dash="dot", color=GREY, width=2)],
                         after={"barmode": "overlay", "bargap": 0.25, "clickmode": "event+select"})


def value_bars(df: pd.DataFrame, frame: Frame, *, label: str, value: str, color_by: str | None = None,
               codes: str | None = None, percent: bool = False, decimals: int = 0,
               highlight: str | None = None, colors: dict[str, str] | None = None,
               x_title: str | None = None, x_range: Sequence[float] | None = None,
               category_order: Sequence[str] | None = None) -> go.Figure:
    """Horizontal bars of a value, largest first; `highlight` names a boolean column drawn vermillion; `colors`
    colours each bar by its code (or, with `color_by`, each stacked category).

    `x_title`, `x_range` set the value axis; `category_order` lists the bars top to bottom (stacked bars).
    Longer than 60 lines on purpose: single and stacked bars share their axis, highlight and label rules, and a
    split would hand the same ten options from one half to the other.
    """
    data = df.iloc[::-1]
    values = _floats(data[value])
    if percent:
        decimals = fmt.percent_decimals(values, decimals)
    fmt_spec = f".{decimals}%" if percent else f",.{decimals}f"
    labels = _texts(data[label])
    traces = []
    if color_by:
        keys = _texts(data[color_by])
        order = [k for k in dict.fromkeys(keys) if not fmt.is_missing(k)]
        for i, key in enumerate(order):
            idx = [j for j, k in enumerate(keys) if k == key]
            color_of = (colors or {}).get(str(key), PALETTE[i % len(PALETTE)])
            traces.append({"type": "bar", "x": values[idx], "y": [labels[j] for j in idx], "orientation": "h",
                           "name": str(key), "marker": {"color": color_of},
                           "hovertemplate": f"%{{y}}: %{{x:{fmt_spec}}}<extra>{key}</extra>"})
    else:
        bar_colors: Any = BLUE
        if highlight and highlight in data:
            bar_colors = [VERMILLION if bool(v) else BLUE for v in data[highlight].tolist()]
        elif colors:  # one colour a bar, by its code (a category keeps the colour it has in the page's other charts)
            bar_colors = [colors.get(str(k), BLUE) for k in _texts(data[codes] if codes else data[label])]
        trace: dict[str, Any] = {
            "type": "bar", "x": values, "y": labels, "orientation": "h", "marker": {"color": bar_colors},
            "text": values, "texttemplate": f"%{{text:{fmt_spec}}}", "textposition": "outside",
            "cliponaxis": False, "textfont": {"size": 15}, "hovertemplate": f"%{{y}}: %{{x:{fmt_spec}}}<extra></extra>",
            "showlegend": False,
        }
        if codes:
            trace["customdata"] = [[c] for c in _texts(data[codes])]
        traces.append(trace)
    xaxis: dict[str, Any]
    if percent:
        xaxis = percent_ticks(values, x_range)
    elif decimals == 0:
        totals = pd.Series(values).groupby(labels, sort=False).sum() if color_by else values
        xaxis = integer_ticks(totals)
    else:
        xaxis = {"tickformat": ",.1f"}
    xaxis.update(showgrid=True, gridcolor=LIGHT_GREY)
    after: dict[str, Any] = {"bargap": 0.25, "clickmode": "event+select"}
    if color_by:
        after["barmode"] = "stack"
        # many categories: a legend on the right, top to bottom in stack order
        after["legend"] = {"orientation": "v", "xref": "paper", "x": 1.02, "xanchor": "left",
                           "yref": "paper", "y": 1, "yanchor": "top", "traceorder": "normal"}
    after_axes: dict[str, Any] = {}
    if x_title is not None:
        after_axes["title"] = {"text": x_title}
    if x_range is not None:
        after_axes["range"] = list(x_range)
    if after_axes:
        after["xaxis"] = after_axes
    if category_order is not None:
        after["yaxis"] = {"categoryorder": "array", "categoryarray": list(category_order)[::-1]}
    return styled_figure(traces, frame, height=bar_height(len(set(labels))), legend=bool(color_by),
                         axes={"xaxis": xaxis, "yaxis": {"type": "category", "showgrid": False}}, after=after)


def month_starts(start: Any, end: Any) -> list[pd.Timestamp]:
    """First days of every month from start's month to end's month."""
    a, b = pd.Timestamp(start).to_period("M"), pd.Timestamp(end).to_period("M")
    return [p.to_timestamp() for p in pd.period_range(a, b, freq="M")]


def trend_lines(df: pd.DataFrame, frame: Frame, *, x: str, y: str, color: str | None = None,
                color_names: dict[str, str] | None = None, percent: bool = False, y_title: str = "",
                decimals: int = 0, height: int = 480, months: tuple[Any, Any] | None = None,
                colors: dict[str, str] | None = None, y_range: Sequence[float] | None = None,
                weekly: bool = False) -> go.Figure:
    """Lines over months (one per `color` value), with Indonesian month ticks; over weeks when `weekly` (x = the
    Mondays, ticks and hover as dates).

    `months` (start, end): counts are filled with 0 in the months without a row, so a quiet month
    shows as a dip, not as a line drawn across it (monthly lines only: weekly records come one row a week).
    Longer than 60 lines on purpose: the month and week axes, the quiet periods filled with zero and the legend
    placement depend on one another; split, each part would need the others' results passed back in.
    """
    xs = pd.to_datetime(df[x])
    long = pd.DataFrame({"x": xs.to_numpy(), "k": _ALL if color is None else df[color].to_numpy(),
                         "y": df[y].to_numpy()})
    long = long[long["k"].notna()]
    series: list[tuple[Any, pd.DatetimeIndex, np.ndarray]]
    if months is not None and not weekly:
        full = pd.DatetimeIndex(month_starts(*months))
        grid = long.groupby(["k", "x"])["y"].sum().unstack("k").reindex(full).fillna(0)
        series = [(k, grid.index, grid[k].to_numpy()) for k in sorted(grid.columns, key=str)]
    else:
        series = [(k, pd.DatetimeIndex(part["x"]), part["y"].to_numpy())
                  for k, part in long.groupby("k", sort=True)]
    series = [(None if k == _ALL else k, sx, sy) for k, sx, sy in series]
    if percent:
        decimals = fmt.percent_decimals(long["y"], decimals)
    fmt_spec = f".{decimals}%" if percent else f",.{decimals}f"
    # Largest series first so the palette's strongest colours go to what matters most.
    series.sort(key=lambda s: -float(np.nansum(np.asarray(s[2], dtype="float64"))))
    traces = []
    all_x: list[Any] = []
    all_y: list[Any] = []
    for i, (key, sx, sy) in enumerate(series):
        order = np.argsort(sx.to_numpy(), kind="stable")
        sx, sy = sx[order], np.asarray(sy)[order]
        all_x += list(sx)
        all_y += list(sy)
        name = (color_names or {}).get(str(key), str(key)) if key is not None else y_title
        traces.append({
            "type": "scatter", "x": sx.to_numpy(), "y": sy, "mode": "lines+markers", "name": name,
            "line": {"width": 3, "color": (colors or {}).get(str(key), PALETTE[i % len(PALETTE)])},
            "marker": {"size": 7}, "customdata": [(fmt.date if weekly else fmt.month)(v, frame.lang) for v in sx],
            "hovertemplate": f"{_esc(name)} · %{{customdata}}: %{{y:{fmt_spec}}}<extra></extra>",
        })
    tickvals, ticktext = _date_ticks(all_x, frame.lang, monthly=not weekly,
                                     max_ticks=(3 if weekly else 6) if frame.narrow else 12)
    yaxis: dict[str, Any] = {"title": {"text": y_title}, "rangemode": "tozero"}
    if percent:
        yaxis.update(percent_ticks(all_y, y_range))
    elif decimals == 0:
        yaxis.update(integer_ticks(all_y))
    else:
        yaxis["tickformat"] = ",.1f"
    after: dict[str, Any] = {}
    if len(series) > 3:  # many lines: the legend on the right, one entry a line, largest first
        after["legend"] = {"orientation": "v", "xref": "paper", "x": 1.02, "xanchor": "left",
                           "yref": "paper", "y": 1, "yanchor": "top", "traceorder": "normal"}
    if y_range is not None:
        after["yaxis"] = {"range": list(y_range)}
    return styled_figure(traces, frame, height=height, legend=color is not None,
                         axes={"xaxis": {"tickvals": tickvals, "ticktext": ticktext, "tickangle": 0}, "yaxis": yaxis},
                         after=after)


def heatmap(z: pd.DataFrame, frame: Frame, *, x_labels: Sequence[str], percent: bool = False,
            zmin: float | None = None, zmax: float | None = None, colorscale: Any = None,
            colorbar_title: str = "", hover_text: Sequence[Sequence[str]] | None = None,
            mark: pd.DataFrame | None = None, mark_name: str = "", height: int | None = None,
            x_ticks: tuple[list[str], list[str]] | None = None, blank_name: str = "") -> go.Figure:
    """A heatmap of z (rows = categories, columns = periods); NaN cells stay grey.

    `mark` (same shape, boolean) paints its True cells vermillion, named `mark_name` in the legend
    (e.g. weeks without a pleno). `blank_name` names the grey cells in the legend (e.g. weeks not reported)
    when there are any.
    """
    y = [str(i) for i in z.index]
    x = list(x_labels)
    hover = "%{y} · %{x}<br>%{text}<extra></extra>" if hover_text is not None else \
        f"%{{y}} · %{{x}}: %{{z:{'.0%' if percent else ',.1f'}}}<extra></extra>"
    main: dict[str, Any] = {
        "type": "heatmap", "z": z.to_numpy(dtype=float), "x": x, "y": y,
        "colorscale": colorscale or SEQUENTIAL, "xgap": 2, "ygap": 2,
        "colorbar": {"title": {"text": colorbar_title, "side": "right"}, "tickformat": ".0%" if percent else ",.0f",
                     "thickness": 16},
        "hovertemplate": hover,
    }
    for k, v in (("zmin", zmin), ("zmax", zmax), ("text", hover_text)):
        if v is not None:
            main[k] = v
    traces = [main]
    marked = None
    if mark is not None:
        marked = mark.reindex(index=z.index, columns=z.columns).fillna(False).to_numpy(dtype=bool)
    has_mark = marked is not None and bool(marked.any())
    if has_mark:
        cells = [[1.0 if v else None for v in row] for row in marked.tolist()]
        extra: dict[str, Any] = {"text": hover_text} if hover_text is not None else {}
        traces.append({"type": "heatmap", "z": cells, "x": x, "y": y,
                       "colorscale": [[0, VERMILLION], [1, VERMILLION]], "showscale": False, "xgap": 2, "ygap": 2,
                       "hovertemplate": hover, **extra})
        traces.append({"type": "scatter", "x": [None], "y": [None], "mode": "markers", "name": mark_name,
                       "marker": {"symbol": "square", "size": 14, "color": VERMILLION}})
    blank = np.isnan(z.to_numpy(dtype=float)) & ~(marked if marked is not None else False)
    has_blank = bool(blank_name) and bool(blank.any())
    if has_blank:
        traces.append({"type": "scatter", "x": [None], "y": [None], "mode": "markers", "name": blank_name,
                       "marker": {"symbol": "square", "size": 14, "color": LIGHT_GREY,
                                  "line": {"color": GREY, "width": 1}}})
    xaxis: dict[str, Any] = {"type": "category", "showgrid": False,
                             "tickangle": -45 if len(x) > 12 and not x_ticks else 0}
    if x_ticks:  # e.g. only the first week of each month, labelled with the month
        xaxis.update(tickvals=list(x_ticks[0]), ticktext=list(x_ticks[1]))
    yaxis = {"autorange": "reversed", "type": "category", "showgrid": False}
    return styled_figure(traces, frame, height=height or bar_height(len(z), per_bar=30, minimum=380),
                         legend=has_mark or has_blank, axes={"xaxis": xaxis, "yaxis": yaxis},
                         after={"plot_bgcolor": LIGHT_GREY})


def calendar(daily: pd.DataFrame, frame: Frame, *, date: str = "date", value: str = "n",
             value_name: str = "", span: tuple[Any, Any] | None = None) -> go.Figure:
    """A calendar heatmap: weeks across, weekdays down, one cell a day (GitHub style). With `span` (the period's
    first and last day), the days of its first week before it stay blank, not 0."""
    days = pd.to_datetime(daily[date]).dt.normalize()
    counts = pd.Series(pd.to_numeric(daily[value], errors="coerce").to_numpy(), index=days).groupby(level=0).sum()
    first = pd.Timestamp(span[0]) if span is not None else days.min()
    end = min(days.max(), pd.Timestamp(span[1])) if span is not None else days.max()
    start = first - pd.Timedelta(days=first.weekday())
    all_days = pd.date_range(start, end, freq="D")
    values = counts.reindex(all_days).fillna(0).to_numpy(dtype=float, copy=True)
    values[all_days < first] = np.nan  # outside the period: not a quiet day
    n_weeks = (len(all_days) + 6) // 7
    z = np.full((7, n_weeks), np.nan)
    text = np.full((7, n_weeks), "", dtype=object)
    offsets = np.arange(len(all_days))
    z[offsets % 7, offsets // 7] = values
    lang = frame.lang
    for i, (d, v) in enumerate(zip(all_days, values, strict=True)):
        if v == v:
            text[i % 7, i // 7] = f"{fmt.date(d, lang)}: {fmt.number(v, 0, lang)} {value_name}"
    week_starts = [start + pd.Timedelta(weeks=w) for w in range(n_weeks)]
    # Label the column of the week in which a month begins (with the year on the first label and in January).
    xt: list[int] = []
    xl: list[str] = []
    for w, ws in enumerate(week_starts):
        we = ws + pd.Timedelta(days=6)
        first = ws if ws.day == 1 else (we.replace(day=1) if we.month != ws.month else None)
        if first is None or first > end:  # the last week may reach into a month the data does not
            continue
        xt.append(w)
        xl.append(month_tick(first, lang, len(xl) == 0 or first.month == 1))
    zmax = max(1.0, float(np.nanmax(z)) if n_weeks else 1.0)
    trace = {
        "type": "heatmap", "z": z, "x": list(range(n_weeks)),
        "y": list(fmt.WEEKDAYS_SHORT.get(lang, fmt.WEEKDAYS_SHORT["id"])),
        "colorscale": [[0.0, "#F2F2F2"], [1e-9, "#C6DBEF"], [0.5, "#4292C6"], [1.0, "#08306B"]],
        "zmin": 0, "zmax": zmax, "xgap": 3, "ygap": 3, "text": text.tolist(), "hovertemplate": "%{text}<extra></extra>",
        "colorbar": {"title": {"text": value_name, "side": "right"}, "thickness": 14, **integer_ticks([zmax])},
    }
    return styled_figure([trace], frame, height=360, legend=False,
                         axes={"xaxis": {"tickvals": xt, "ticktext": xl, "showgrid": False, "ticks": "",
                                         "showline": False, "tickangle": 0},
                               "yaxis": {"autorange": "reversed", "showgrid": False, "showline": False}})


def distribution(df: pd.DataFrame, frame: Frame, *, value: str, label: str, outlier: str | None = None,
                 median: str | None = None, value_title: str = "", decimals: int = 0,
                 outlier_name: str = "outlier", median_name: str = "median") -> go.Figure:
    """Every region a dot on one axis (jittered), outliers vermillion and named, the median a line."""
    data = df.dropna(subset=[value])
    fmt_spec = f",.{decimals}f"
    values = _floats(data[value])
    labels = _texts(data[label])
    n = len(values)
    jitter = ((np.arange(n) * 0.618034) % 1.0 - 0.5) * 0.6
    is_out = np.zeros(n, dtype=bool)
    if outlier and outlier in data:
        is_out = data[outlier].fillna(False).astype(bool).to_numpy()
    traces: list[dict[str, Any]] = [
        # whiskers end at the Tukey fences (with no points they ran out to the extremes); the points drawn by the
        # box are hidden, the dots and diamonds below are the points
        {"type": "box", "x": values, "y": np.zeros(n, dtype=int), "orientation": "h", "boxpoints": "outliers",
         "marker": {"opacity": 0}, "quartilemethod": "linear", "fillcolor": "rgba(0,114,178,0.08)",
         "line": {"color": GREY}, "hoverinfo": "skip", "showlegend": False, "width": 0.9},
        {"type": "scatter", "x": values[~is_out], "y": jitter[~is_out], "mode": "markers", "name": "",
         "marker": {"size": 12, "color": BLUE, "opacity": 0.75, "line": {"width": 1, "color": "white"}},
         "text": [lb for lb, o in zip(labels, is_out, strict=True) if not o],
         "hovertemplate": f"%{{text}}: %{{x:{fmt_spec}}}<extra></extra>", "showlegend": False},
    ]
    if is_out.any():
        mid = float(np.median(values))
        y, shown = jitter.copy(), set()
        for side in _extremes(values, is_out, mid):
            y[side] = NAMED_ROWS[:len(side)]  # one row each, so no two names run into each other
            shown.update(side.tolist())
        out = np.flatnonzero(is_out)
        traces.append({
            "type": "scatter", "x": values[out], "y": y[out], "mode": "markers+text", "name": outlier_name,
            "marker": {"size": 15, "color": VERMILLION, "symbol": "diamond", "line": {"width": 1, "color": "white"}},
            "text": [labels[i] if i in shown else "" for i in out],
            "customdata": [labels[i] for i in out],
            "textfont": {"size": 14, "color": VERMILLION},
            # names point inwards, so a name at either end of the axis stays inside the figure
            "textposition": ["middle left" if v >= mid else "middle right" for v in values[out]],
            "hovertemplate": f"%{{customdata}}: %{{x:{fmt_spec}}}<extra>{_esc(outlier_name)}</extra>",
        })
    lo, hi = float(values.min()), float(values.max())
    pad = (hi - lo) * 0.06 or max(abs(hi), 1.0) * 0.06
    shapes, notes = [], []
    if median and median in data and data[median].notna().any():
        m = float(data[median].dropna().iloc[0])
        shapes.append(_vline(m, dash="dash", color=BLACK, width=2))
        where = (m - lo + pad) / ((hi - lo) + 2 * pad)  # the note leans inwards near either end of the axis
        notes.append({"x": m, "y": MEDIAN_NOTE_Y, "yref": "y", "yanchor": "bottom", "showarrow": False,
                      "font": {"size": 14}, "xanchor": "left" if where < 0.2 else "right" if where > 0.8 else "center",
                      "text": f"{_esc(median_name)}: {fmt.number(m, decimals, frame.lang)}"})
    axes = {"xaxis": {"range": [lo - pad, hi + pad], "tickformat": ",.0f", "title": {"text": value_title},
                      "showgrid": True, "gridcolor": LIGHT_GREY},
            "yaxis": {"visible": False, "range": [-0.85, 1.05]}}
    return styled_figure(traces, frame, height=380, legend=bool(is_out.any()), axes=axes, shapes=shapes,
                         annotations=notes)


#: Outliers named on the chart at each end of the axis (the most extreme; the others are hovered, and the
#: table under the chart lists them all), and the heights their names take, above and below the box (±0.45) and
#: the jittered dots (±0.3): 22 named outliers of a national view ran into each other, and names at ±0.42 ran
#: into the box. The median's note sits above the upper row.
NAMED_PER_SIDE = 2
NAMED_ROWS = np.array([0.65, -0.65])
MEDIAN_NOTE_Y = 0.82


def _extremes(values: np.ndarray, is_out: np.ndarray, mid: float) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the NAMED_PER_SIDE outliers furthest below `mid`, and of those furthest above it."""
    out = np.flatnonzero(is_out)
    low, high = out[values[out] < mid], out[values[out] >= mid]
    return (low[np.argsort(values[low], kind="stable")][:NAMED_PER_SIDE],
            high[np.argsort(-values[high], kind="stable")][:NAMED_PER_SIDE])


#: Regions at most in a chart of values against their province medians (the page's table holds them all).
MEDIAN_ROWS = 30


def against_median(df: pd.DataFrame, frame: Frame, *, label: str, value: str, median: str,
                   value_title: str = "", decimals: int = 0, median_name: str = "median",
                   value_name: str = "", higher_is_worse: bool = True, max_rows: int | None = None,
                   worse_name: str = "", better_name: str = "") -> go.Figure:
    """Dumbbells: each region's value against its province median; worse-than-median in vermillion, the others
    blue, each colour its own legend entry (`worse_name`, `better_name`). With `max_rows`, only that many regions:
    the worst values (a national view's 514 rows cannot be read)."""
    data = df.dropna(subset=[value]).sort_values(value, ascending=True, kind="stable")
    if max_rows is not None and len(data) > max_rows:
        data = data.tail(max_rows) if higher_is_worse else data.head(max_rows)
    fmt_spec = f",.{decimals}f"
    values, medians, labels = _floats(data[value]), _floats(data[median]), _texts(data[label])
    worse = (values > medians) if higher_is_worse else (values < medians)
    n = len(values)
    xs = np.full(3 * n, np.nan)
    xs[0::3], xs[1::3] = medians, values
    ys: list[Any] = [None] * (3 * n)
    ys[0::3] = labels
    ys[1::3] = labels
    traces = [
        {"type": "scatter", "x": [None if v != v else v for v in xs.tolist()], "y": ys, "mode": "lines",
         "line": {"color": LIGHT_GREY, "width": 4}, "hoverinfo": "skip", "showlegend": False},
        {"type": "scatter", "x": medians, "y": labels, "mode": "markers", "name": median_name,
         "marker": {"symbol": "line-ns-open", "size": 18, "color": BLACK, "line": {"width": 3}},
         "hovertemplate": f"%{{y}} · {_esc(median_name)}: %{{x:{fmt_spec}}}<extra></extra>"},
    ]
    name = value_name or value_title
    for side, color, side_name in ((worse, VERMILLION, worse_name), (~worse, BLUE, better_name)):
        if side.any():
            traces.append({
                "type": "scatter", "x": values[side], "y": [lb for lb, s in zip(labels, side, strict=True) if s],
                "mode": "markers", "name": side_name or name,
                "marker": {"size": 14, "color": color, "line": {"width": 1, "color": "white"}},
                "hovertemplate": f"%{{y}}: %{{x:{fmt_spec}}}<extra>{_esc(name)}</extra>"})
    axes = {"yaxis": {"type": "category", "categoryorder": "array", "categoryarray": labels, "showgrid": True,
                      "gridcolor": "#F3F3F3"},
            "xaxis": {"tickformat": ",.0f", "title": {"text": value_title}, "showgrid": True, "gridcolor": LIGHT_GREY}}
    return styled_figure(traces, frame, height=bar_height(n, per_bar=30), axes=axes)


def share_bar(df: pd.DataFrame, frame: Frame, *, category: str, share: str, count: str | None = None,
              names: dict[str, str] | None = None, colors: dict[str, str] | None = None) -> go.Figure:
    """One 100% bar split into its categories (outcome shares), labelled with percentages."""
    traces = []
    keys, shares = _texts(df[category]), _floats(df[share])
    counts = df[count].tolist() if count else [None] * len(keys)
    for i, (key, sh, cnt) in enumerate(zip(keys, shares, counts, strict=True)):
        key = str(key)
        name = (names or {}).get(key, key)
        sh = float(sh)
        traces.append({
            "type": "bar", "x": [sh], "y": [""], "orientation": "h", "name": name,
            "marker": {"color": (colors or {}).get(key, PALETTE[i % len(PALETTE)])},
            "text": [f"{name} {fmt.percent(sh, 1, frame.lang)}" if sh >= 0.2 else
                     (fmt.percent(sh, 1, frame.lang) if sh >= 0.06 else "")],  # one decimal, as the title
            "textposition": "inside", "insidetextanchor": "middle", "textfont": {"size": 16}, "textangle": 0,
            "hovertemplate": f"{_esc(name)}: %{{x:.1%}}"
            + (f" ({fmt.number(cnt, 0, frame.lang)})" if cnt is not None else "") + "<extra></extra>",
        })
    return styled_figure(traces, frame, height=300,
                         axes={"xaxis": {"tickformat": ".0%", "range": [0, 1], "showgrid": False},
                               "yaxis": {"showgrid": False, "visible": False}},
                         after={"barmode": "stack", "bargap": 0.1, "legend": {"traceorder": "normal"}})


def relative_bars(df: pd.DataFrame, frame: Frame, *, measure: str, label: str, relative: str,
                  hover: str | None = None, baseline_name: str = "= median",
                  colors: dict[str, str] | None = None, text: str | None = None) -> go.Figure:
    """Grouped horizontal bars: each region's value per measure as a share of the province median (100% = median);
    `text`, the column written at the end of each bar (the real value beside the index)."""
    measures = list(dict.fromkeys(df[measure].tolist()))
    traces = []
    groups = list(enumerate(df.groupby(label, sort=False)))
    for i, (key, part) in groups[::-1]:  # horizontal groups stack upwards: the first region on top
        trace: dict[str, Any] = {
            "type": "bar", "y": _texts(part[measure]), "x": _floats(part[relative]), "name": str(key),
            "orientation": "h", "marker": {"color": (colors or {}).get(str(key), PALETTE[i % len(PALETTE)])},
            "hovertemplate": ("%{customdata}" if hover else "%{y}: %{x:.0%}") + f"<extra>{_esc(str(key))}</extra>",
        }
        if hover:
            trace["customdata"] = _texts(part[hover])
        if text:
            trace.update(text=[_esc(str(v)) for v in part[text]], textposition="outside", cliponaxis=False,
                         textfont={"size": 13})
        traces.append(trace)
    phone = frame.wrap <= PHONE_WRAP  # the median line sits near the right edge: the note goes to its left
    note = {"x": 1.0, "y": 1.0, "yref": "paper", "yanchor": "bottom", "text": _esc(baseline_name),
            "showarrow": False, "font": {"size": 14}, "xanchor": "right" if phone else "left",
            "xshift": -4 if phone else 4}
    n_groups = df[label].nunique()
    return styled_figure(
        traces, frame, height=bar_height(len(measures), per_bar=18 * n_groups + 14),
        axes={"xaxis": {"tickformat": ".0%", "rangemode": "tozero", "title": {"text": ""}, "showgrid": True,
                        "gridcolor": LIGHT_GREY},
              "yaxis": {"type": "category", "categoryorder": "array", "categoryarray": measures[::-1],
                        "showgrid": False}},
        shapes=[_vline(1.0, dash="dash", color=BLACK, width=2)], annotations=[note],
        after={"barmode": "group", "bargap": 0.25, "bargroupgap": 0.05, "legend": {"traceorder": "reversed"}})
