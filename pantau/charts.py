"""The house style of every Pantau chart, and the chart builders the pages use.

One place decides how a chart looks on a projector and in a slide: a title that states the
finding, scope and period in the subtitle, "Sumber: ... · data per ..." under the plot,
Indonesian number and date formats, the Okabe-Ito palette (colour-blind safe), large system
sans-serif fonts (no web fonts), and a modebar whose PNG export is 2x with the title on it.
No Streamlit here: builders take DataFrames and return plotly Figures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from pantau import fmt

# Okabe & Ito (2008): distinguishable with every common colour-vision deficiency.
BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY, YELLOW, BLACK = (
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000",
)
PALETTE: list[str] = [BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY, BLACK, YELLOW]
GREY = "#8C8C8C"
LIGHT_GREY = "#E6E6E6"
TEXT = "#1A1A1A"
MUTED_TEXT = "#555555"
#: Semantic colours: complete, short of the mandate, more reported than possible, neutral.
GOOD, SHORT, MISMATCH, NEUTRAL = GREEN, ORANGE, PURPLE, BLUE
#: Sequential scale for heatmaps (light -> dark blue, readable in greyscale too).
SEQUENTIAL: list[list[Any]] = [[0.0, "#F7FBFF"], [0.25, "#C6DBEF"], [0.5, "#6BAED6"],
                               [0.75, "#2171B5"], [1.0, "#08306B"]]
#: Diverging scale for scores 0-100 (vermillion -> light -> blue).
DIVERGING: list[list[Any]] = [[0.0, VERMILLION], [0.5, "#F7F7F7"], [1.0, BLUE]]

FONT_FAMILY = ("system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', 'Noto Sans', "
               "'Liberation Sans', 'DejaVu Sans', Arial, sans-serif")
FONT_SIZE = 16
TITLE_SIZE = 23
SUBTITLE_SIZE = 16
FOOTER_SIZE = 13
MARGIN = {"l": 24, "r": 32, "t": 110, "b": 96}
EXPORT_WIDTH = 1280


@dataclass(frozen=True)
class Frame:
    """The words around a chart: the finding, where and when, and where it comes from."""

    title: str
    subtitle: str
    footer: str
    lang: str = "id"
    wrap: int = 68  # characters per title line (about 40 for a half-width chart)


def footer_text(data_date: dt.date | None, sample: bool, lang: str = "id") -> str:
    """'Sumber: Bawaslu (data contoh) · data per 31 Jul 2024'."""
    if lang == "en":
        src = "Source: Bawaslu" + (" (sample data)" if sample else "")
        return f"{src} · data as of {fmt.date(data_date, 'en')}" if data_date else src
    src = "Sumber: Bawaslu" + (" (data contoh)" if sample else "")
    return f"{src} · data per {fmt.date(data_date, 'id')}" if data_date else src


def wrap_title(text: str, width: int) -> list[str]:
    """Split a title into lines of at most `width` characters, at spaces."""
    lines: list[str] = []
    for word in str(text).split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def apply_style(fig: go.Figure, frame: Frame, *, height: int = 520, legend: bool = True) -> go.Figure:
    """Put the house style on a figure: fonts, title block, footer, formats, palette."""
    lines = wrap_title(frame.title, frame.wrap)
    extra = 54 * (len(lines) - 1)
    fig.update_layout(
        template="simple_white",
        height=height + extra,
        font={"family": FONT_FAMILY, "size": FONT_SIZE, "color": TEXT},
        title={
            "text": "<br>".join(f"<b>{_esc(line)}</b>" for line in lines),
            "x": 0, "xref": "container", "xanchor": "left", "pad": {"l": 24, "t": 16 + 24 * (len(lines) - 1)},
            "y": 1, "yref": "container", "yanchor": "top",
            "font": {"size": TITLE_SIZE, "color": TEXT},
            "subtitle": {"text": _esc(frame.subtitle), "font": {"size": SUBTITLE_SIZE, "color": MUTED_TEXT}},
        },
        separators=fmt.SEPARATORS.get(frame.lang, ",."),
        colorway=PALETTE,
        margin={**MARGIN, "t": MARGIN["t"] + extra},
        paper_bgcolor="white",
        plot_bgcolor="white",
        hoverlabel={"font": {"family": FONT_FAMILY, "size": 15}},
        showlegend=legend,
        # The legend sits in the title block, just above the plot, measured from the figure's edges (a legend
        # placed by the plot area would wrap into the subtitle when the axis labels are long).
        legend={"orientation": "h", "xref": "container", "x": 0.012, "xanchor": "left",
                "yref": "container", "y": 1 - (MARGIN["t"] + extra - 6) / (height + extra), "yanchor": "bottom",
                "title": {"text": ""}, "font": {"size": 15}},
        dragmode=False,
    )
    fig.update_xaxes(showgrid=False, ticks="outside", tickfont={"size": 14}, title_font={"size": 15},
                     automargin=True, linecolor=GREY)
    fig.update_yaxes(showgrid=True, gridcolor=LIGHT_GREY, ticks="", tickfont={"size": 14},
                     title_font={"size": 15}, automargin=True, linecolor=GREY)
    # Bottom right under the plot: it never runs off the figure whatever the width of the axis labels.
    fig.add_annotation(
        text=_esc(frame.footer), showarrow=False, xref="paper", yref="paper", x=1, y=0,
        xanchor="right", yanchor="top", yshift=-(MARGIN["b"] - 30), align="right",
        font={"size": FOOTER_SIZE, "color": MUTED_TEXT}, name="footer",
    )
    return fig


def integer_ticks(values: Any) -> dict[str, Any]:
    """Axis settings for counts: whole-number ticks (no '1, 1, 2, 2' on small counts)."""
    try:
        top = float(pd.Series(values, dtype="float64").max(skipna=True))
    except (TypeError, ValueError):
        top = float("nan")
    settings: dict[str, Any] = {"tickformat": ",d"}
    if top == top and top <= 8:
        settings.update(dtick=1, tick0=0)
    return settings


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


def category_colors(keys: Sequence[Any]) -> dict[str, str]:
    """One colour per key, in the given order: pass the same map to every chart of a page."""
    return {str(k): PALETTE[i % len(PALETTE)] for i, k in enumerate(keys)}


def bar_height(n: int, *, per_bar: int = 34, base: int = 230, minimum: int = 360, maximum: int = 1400) -> int:
    """A height that keeps horizontal bars readable whatever their number."""
    return max(minimum, min(maximum, base + per_bar * n))


def _date_ticks(dates: Sequence[Any], lang: str, monthly: bool = True, max_ticks: int = 12) -> tuple[list, list]:
    values = sorted({pd.Timestamp(d) for d in dates if not fmt.is_missing(d)})
    if not values:
        return [], []
    step = max(1, -(-len(values) // max_ticks))
    picked = values[::step]
    labels = [fmt.month(v, lang) if monthly else fmt.date(v, lang) for v in picked]
    return picked, labels


# ---------------------------------------------------------------------------
# Builders
# ---------------------------------------------------------------------------


def rate_bars(df: pd.DataFrame, frame: Frame, *, label: str, rate: str, codes: str | None = None,
              hover: str | None = None, names: dict[str, str] | None = None, target: float = 1.0) -> go.Figure:
    """Horizontal bars of a rate (fill rate 0..1+) coloured by state: full, short, over 100%.

    `names` gives the legend names for keys "full", "short", "over". Bars carry `codes` in
    customdata[0] so a click can drill down. `hover` is a column of preformatted hover text.
    """
    names = names or {"full": "100%", "short": "< 100%", "over": "> 100%"}
    data = df.copy()
    data = data.iloc[::-1]  # first row on top
    state = pd.Series("short", index=data.index)
    state[data[rate] >= target - 1e-9] = "full"
    state[data[rate] > target + 1e-9] = "over"
    colors = {"full": GOOD, "short": SHORT, "over": MISMATCH}
    fig = go.Figure()
    for key in ("full", "short", "over"):
        part = data[state == key]
        if part.empty:
            continue
        custom = pd.DataFrame({
            "code": part[codes] if codes else part[label],
            "hover": part[hover] if hover else part[label],
        })
        fig.add_trace(go.Bar(
            x=part[rate], y=part[label], orientation="h", name=names[key], marker_color=colors[key],
            customdata=custom.to_numpy(), text=[_rate_text(v, frame.lang) for v in part[rate]], texttemplate="%{text}",
            textposition="outside", cliponaxis=False, textfont={"size": 15},
            hovertemplate="%{customdata[1]}<extra></extra>",
        ))
    fig.add_vline(x=target, line_dash="dot", line_color=GREY, line_width=2)
    upper = max(1.15, float(data[rate].max(skipna=True) or 0) * 1.15)
    fig.update_xaxes(tickformat=".0%", range=[0, upper], showgrid=True, gridcolor=LIGHT_GREY)
    fig.update_yaxes(categoryorder="array", categoryarray=list(data[label]), showgrid=False, type="category")
    apply_style(fig, frame, height=bar_height(len(data)))
    fig.update_layout(barmode="overlay", bargap=0.25, clickmode="event+select")
    return fig


def _rate_text(value: float, lang: str) -> str:
    """'89%', but '100,1%' for a rate just over 100% (a mismatch must not read as a plain 100%)."""
    near = value != 1.0 and round(float(value), 2) == 1.0
    return fmt.percent(value, 1 if near else 0, lang)


def value_bars(df: pd.DataFrame, frame: Frame, *, label: str, value: str, color_by: str | None = None,
               codes: str | None = None, percent: bool = False, decimals: int = 0,
               highlight: str | None = None, colors: dict[str, str] | None = None) -> go.Figure:
    """Horizontal bars of a value, largest first; `highlight` names a boolean column drawn vermillion."""
    data = df.iloc[::-1].copy()
    fig = go.Figure()
    fmt_spec = f".{decimals}%" if percent else f",.{decimals}f"
    bar_colors: Any = BLUE
    if highlight and highlight in data:
        bar_colors = [VERMILLION if bool(v) else BLUE for v in data[highlight]]
    custom = data[[codes]].to_numpy() if codes else None
    if color_by:
        for i, (key, part) in enumerate(data.groupby(color_by, sort=False)):
            fig.add_trace(go.Bar(x=part[value], y=part[label], orientation="h", name=str(key),
                                 marker_color=(colors or {}).get(str(key), PALETTE[i % len(PALETTE)]),
                                 hovertemplate=f"%{{y}}: %{{x:{fmt_spec}}}<extra>{key}</extra>"))
        fig.update_layout(barmode="stack")
    else:
        fig.add_trace(go.Bar(
            x=data[value], y=data[label], orientation="h", marker_color=bar_colors, customdata=custom,
            text=data[value], texttemplate=f"%{{text:{fmt_spec}}}", textposition="outside",
            cliponaxis=False, textfont={"size": 15}, hovertemplate=f"%{{y}}: %{{x:{fmt_spec}}}<extra></extra>",
            showlegend=False,
        ))
    if percent:
        fig.update_xaxes(tickformat=".0%")
    elif decimals == 0:
        totals = data.groupby(label)[value].sum() if color_by else data[value]
        fig.update_xaxes(**integer_ticks(totals))
    else:
        fig.update_xaxes(tickformat=",.1f")
    fig.update_xaxes(showgrid=True, gridcolor=LIGHT_GREY)
    fig.update_yaxes(type="category", showgrid=False)
    apply_style(fig, frame, height=bar_height(data[label].nunique()), legend=bool(color_by))
    fig.update_layout(bargap=0.25, clickmode="event+select")
    if color_by:  # many categories: a legend on the right, top to bottom in stack order
        fig.update_layout(legend={"orientation": "v", "xref": "paper", "x": 1.02, "xanchor": "left",
                                  "yref": "paper", "y": 1, "yanchor": "top", "traceorder": "normal"})
    return fig


def month_starts(start: Any, end: Any) -> list[pd.Timestamp]:
    """First days of every month from start's month to end's month."""
    a, b = pd.Timestamp(start).to_period("M"), pd.Timestamp(end).to_period("M")
    return [p.to_timestamp() for p in pd.period_range(a, b, freq="M")]


def trend_lines(df: pd.DataFrame, frame: Frame, *, x: str, y: str, color: str | None = None,
                color_names: dict[str, str] | None = None, percent: bool = False, y_title: str = "",
                decimals: int = 0, height: int = 480, months: tuple[Any, Any] | None = None,
                colors: dict[str, str] | None = None) -> go.Figure:
    """Lines over months (one per `color` value), with Indonesian month ticks.

    `months` (start, end): counts are filled with 0 in the months without a row, so a quiet month
    shows as a dip, not as a line drawn across it.
    """
    fig = go.Figure()
    if months is not None:
        full = month_starts(*months)
        df = df.assign(**{x: pd.to_datetime(df[x])})
        keys = [None] if color is None else sorted(df[color].dropna().unique())
        parts = []
        for key in keys:
            part = df if key is None else df[df[color] == key]
            part = part.groupby(x, as_index=False)[y].sum().set_index(x).reindex(full, fill_value=0)
            part = part.rename_axis(x).reset_index()
            if key is not None:
                part[color] = key
            parts.append(part)
        df = pd.concat(parts, ignore_index=True)
    fmt_spec = f".{decimals}%" if percent else f",.{decimals}f"
    groups = [(None, df)] if color is None else list(df.groupby(color, sort=True))
    # Largest series first so the palette's strongest colours go to what matters most.
    groups.sort(key=lambda kv: -float(kv[1][y].sum()))
    for i, (key, part) in enumerate(groups):
        part = part.sort_values(x)
        name = (color_names or {}).get(str(key), str(key)) if key is not None else y_title
        months = [fmt.month(v, frame.lang) for v in part[x]]
        fig.add_trace(go.Scatter(
            x=pd.to_datetime(part[x]), y=part[y], mode="lines+markers", name=name,
            line={"width": 3, "color": (colors or {}).get(str(key), PALETTE[i % len(PALETTE)])}, marker={"size": 7},
            customdata=months, hovertemplate=f"{_esc(name)} · %{{customdata}}: %{{y:{fmt_spec}}}<extra></extra>",
        ))
    tickvals, ticktext = _date_ticks(df[x].tolist(), frame.lang, max_ticks=6 if frame.wrap < 50 else 12)
    fig.update_xaxes(tickvals=tickvals, ticktext=ticktext, tickangle=0)
    fig.update_yaxes(title_text=y_title, rangemode="tozero")
    if percent:
        fig.update_yaxes(tickformat=".0%")
    elif decimals == 0:
        fig.update_yaxes(**integer_ticks(df[y]))
    else:
        fig.update_yaxes(tickformat=",.1f")
    apply_style(fig, frame, height=height, legend=color is not None)
    if len(groups) > 3:  # many lines: the legend on the right, one entry a line, largest first
        fig.update_layout(legend={"orientation": "v", "xref": "paper", "x": 1.02, "xanchor": "left",
                                  "yref": "paper", "y": 1, "yanchor": "top", "traceorder": "normal"})
    return fig


def heatmap(z: pd.DataFrame, frame: Frame, *, x_labels: Sequence[str], percent: bool = False,
            zmin: float | None = None, zmax: float | None = None, colorscale: Any = None,
            colorbar_title: str = "", hover_text: Sequence[Sequence[str]] | None = None,
            mark: pd.DataFrame | None = None, mark_name: str = "", height: int | None = None,
            x_ticks: tuple[list[str], list[str]] | None = None) -> go.Figure:
    """A heatmap of z (rows = categories, columns = periods); NaN cells stay grey.

    `mark` (same shape, boolean) paints its True cells vermillion, named `mark_name` in the legend
    (e.g. weeks without a pleno).
    """
    y = [str(i) for i in z.index]
    hover = "%{y} · %{x}<br>%{text}<extra></extra>" if hover_text is not None else \
        f"%{{y}} · %{{x}}: %{{z:{'.0%' if percent else ',.1f'}}}<extra></extra>"
    fig = go.Figure(go.Heatmap(
        z=z.to_numpy(dtype=float), x=list(x_labels), y=y,
        colorscale=colorscale or SEQUENTIAL, zmin=zmin, zmax=zmax, xgap=2, ygap=2,
        colorbar={"title": {"text": colorbar_title, "side": "right"}, "tickformat": ".0%" if percent else ",.0f",
                  "thickness": 16},
        text=hover_text, hovertemplate=hover,
    ))
    if mark is not None and bool(mark.to_numpy().any()):
        marked = mark.reindex(index=z.index, columns=z.columns).fillna(False).to_numpy(dtype=bool)
        fig.add_trace(go.Heatmap(
            z=[[1.0 if v else None for v in row] for row in marked], x=list(x_labels), y=y,
            colorscale=[[0, VERMILLION], [1, VERMILLION]], showscale=False, xgap=2, ygap=2,
            text=hover_text, hovertemplate=hover,
        ))
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=mark_name,
                                 marker={"symbol": "square", "size": 14, "color": VERMILLION}))
    fig.update_yaxes(autorange="reversed", type="category", showgrid=False)
    fig.update_xaxes(type="category", showgrid=False, tickangle=-45 if len(x_labels) > 12 and not x_ticks else 0)
    if x_ticks:  # e.g. only the first week of each month, labelled with the month
        fig.update_xaxes(tickvals=x_ticks[0], ticktext=x_ticks[1])
    apply_style(fig, frame, height=height or bar_height(len(z), per_bar=30, minimum=380),
                legend=mark is not None and bool(mark.to_numpy().any()))
    fig.update_layout(plot_bgcolor=LIGHT_GREY)
    return fig


def calendar(daily: pd.DataFrame, frame: Frame, *, date: str = "date", value: str = "n",
             value_name: str = "") -> go.Figure:
    """A calendar heatmap: weeks across, weekdays down, one cell a day (GitHub style)."""
    data = daily[[date, value]].copy()
    data[date] = pd.to_datetime(data[date])
    start = data[date].min().normalize()
    end = data[date].max().normalize()
    start -= pd.Timedelta(days=start.weekday())
    days = pd.DataFrame({date: pd.date_range(start, end, freq="D")})
    data = days.merge(data.groupby(date, as_index=False)[value].sum(), on=date, how="left")
    data[value] = data[value].fillna(0)
    data["week"] = ((data[date] - start).dt.days // 7).astype(int)
    data["dow"] = data[date].dt.day_of_week
    z = data.pivot(index="dow", columns="week", values=value).reindex(range(7))
    label = data.pivot(index="dow", columns="week", values=date).reindex(range(7))
    text = [[(f"{fmt.date(d, frame.lang)}: {fmt.number(v, 0, frame.lang)} {value_name}"
              if not fmt.is_missing(d) else "") for d, v in zip(label.loc[r], z.loc[r], strict=True)]
            for r in range(7)]
    week_starts = [start + pd.Timedelta(weeks=int(w)) for w in z.columns]
    # Label the column of the week in which a month begins (with the year on the first label and in January).
    xt: list[int] = []
    xl: list[str] = []
    months_short = fmt.MONTHS_SHORT.get(frame.lang, fmt.MONTHS_SHORT["id"])
    for w, ws in zip(z.columns, week_starts, strict=True):
        we = ws + pd.Timedelta(days=6)
        first = ws if ws.day == 1 else (we.replace(day=1) if we.month != ws.month else None)
        if first is None:
            continue
        xt.append(int(w))
        xl.append(fmt.month(first, frame.lang) if len(xl) == 0 or first.month == 1 else months_short[first.month - 1])
    zmax = max(1.0, float(z.max().max()))
    fig = go.Figure(go.Heatmap(
        z=z.to_numpy(dtype=float), x=list(z.columns),
        y=list(fmt.WEEKDAYS_SHORT.get(frame.lang, fmt.WEEKDAYS_SHORT["id"])),
        colorscale=[[0.0, "#F2F2F2"], [1e-9, "#C6DBEF"], [0.5, "#4292C6"], [1.0, "#08306B"]],
        zmin=0, zmax=zmax, xgap=3, ygap=3, text=text, hovertemplate="%{text}<extra></extra>",
        colorbar={"title": {"text": value_name, "side": "right"}, "thickness": 14, **integer_ticks([zmax])},
    ))
    fig.update_xaxes(tickvals=xt, ticktext=xl, showgrid=False, ticks="", showline=False, tickangle=0)
    fig.update_yaxes(autorange="reversed", showgrid=False, showline=False)
    apply_style(fig, frame, height=360, legend=False)
    return fig


def distribution(df: pd.DataFrame, frame: Frame, *, value: str, label: str, outlier: str | None = None,
                 median: str | None = None, value_title: str = "", decimals: int = 0,
                 outlier_name: str = "outlier", median_name: str = "median") -> go.Figure:
    """Every region a dot on one axis (jittered), outliers vermillion and named, the median a line."""
    data = df.dropna(subset=[value]).reset_index(drop=True)
    fmt_spec = f",.{decimals}f"
    n = len(data)
    jitter = [((i * 0.618034) % 1.0 - 0.5) * 0.6 for i in range(n)]
    is_out = pd.Series(False, index=data.index)
    if outlier and outlier in data:
        is_out = data[outlier].fillna(False).astype(bool)
    fig = go.Figure()
    fig.add_trace(go.Box(x=data[value], y=[0] * n, orientation="h", boxpoints=False, fillcolor="rgba(0,114,178,0.08)",
                         line={"color": GREY}, hoverinfo="skip", showlegend=False, width=0.9))
    normal = data[~is_out]
    fig.add_trace(go.Scatter(
        x=normal[value], y=[jitter[i] for i in normal.index], mode="markers", name="",
        marker={"size": 12, "color": BLUE, "opacity": 0.75, "line": {"width": 1, "color": "white"}},
        text=normal[label], hovertemplate=f"%{{text}}: %{{x:{fmt_spec}}}<extra></extra>", showlegend=False,
    ))
    out = data[is_out]
    if not out.empty:
        fig.add_trace(go.Scatter(
            x=out[value], y=[jitter[i] for i in out.index], mode="markers+text", name=outlier_name,
            marker={"size": 15, "color": VERMILLION, "symbol": "diamond", "line": {"width": 1, "color": "white"}},
            text=out[label], textfont={"size": 14, "color": VERMILLION},
            # names point inwards, so a name at either end of the axis stays inside the figure
            textposition=["middle left" if v >= float(data[value].median()) else "middle right" for v in out[value]],
            hovertemplate=f"%{{text}}: %{{x:{fmt_spec}}}<extra>{_esc(outlier_name)}</extra>",
        ))
    if median and median in data and data[median].notna().any():
        m = float(data[median].dropna().iloc[0])
        fig.add_vline(x=m, line_dash="dash", line_color=BLACK, line_width=2)
        fig.add_annotation(x=m, y=0.5, yref="y", text=f"{_esc(median_name)}: {fmt.number(m, decimals, frame.lang)}",
                           showarrow=False, yshift=34, font={"size": 14})
    lo, hi = float(data[value].min()), float(data[value].max())
    pad = (hi - lo) * 0.06 or max(abs(hi), 1.0) * 0.06
    fig.update_xaxes(range=[lo - pad, hi + pad])
    fig.update_yaxes(visible=False, range=[-0.6, 0.75])
    fig.update_xaxes(tickformat=",.0f", title_text=value_title, showgrid=True, gridcolor=LIGHT_GREY)
    apply_style(fig, frame, height=340, legend=not out.empty)
    return fig


def against_median(df: pd.DataFrame, frame: Frame, *, label: str, value: str, median: str,
                   value_title: str = "", decimals: int = 0, median_name: str = "median",
                   value_name: str = "", higher_is_worse: bool = True) -> go.Figure:
    """Dumbbells: each region's value against its province median; worse-than-median in vermillion."""
    data = df.dropna(subset=[value]).sort_values(value, ascending=True).reset_index(drop=True)
    fmt_spec = f",.{decimals}f"
    worse = (data[value] > data[median]) if higher_is_worse else (data[value] < data[median])
    fig = go.Figure()
    xs: list[Any] = []
    ys: list[Any] = []
    for _, row in data.iterrows():
        xs += [row[median], row[value], None]
        ys += [row[label], row[label], None]
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line={"color": LIGHT_GREY, "width": 4},
                             hoverinfo="skip", showlegend=False))
    fig.add_trace(go.Scatter(x=data[median], y=data[label], mode="markers", name=median_name,
                             marker={"symbol": "line-ns-open", "size": 18, "color": BLACK, "line": {"width": 3}},
                             hovertemplate=f"%{{y}} · {_esc(median_name)}: %{{x:{fmt_spec}}}<extra></extra>"))
    fig.add_trace(go.Scatter(
        x=data[value], y=data[label], mode="markers", name=value_name or value_title,
        marker={"size": 14, "color": [VERMILLION if w else BLUE for w in worse],
                "line": {"width": 1, "color": "white"}},
        hovertemplate=f"%{{y}}: %{{x:{fmt_spec}}}<extra></extra>",
    ))
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=list(data[label]), showgrid=True,
                     gridcolor="#F3F3F3")
    fig.update_xaxes(tickformat=",.0f", title_text=value_title, showgrid=True, gridcolor=LIGHT_GREY)
    apply_style(fig, frame, height=bar_height(len(data), per_bar=30))
    return fig


def share_bar(df: pd.DataFrame, frame: Frame, *, category: str, share: str, count: str | None = None,
              names: dict[str, str] | None = None, colors: dict[str, str] | None = None) -> go.Figure:
    """One 100% bar split into its categories (outcome shares), labelled with percentages."""
    fig = go.Figure()
    for i, row in enumerate(df.itertuples(index=False)):
        key = str(getattr(row, category))
        name = (names or {}).get(key, key)
        sh = float(getattr(row, share))
        cnt = getattr(row, count) if count else None
        fig.add_trace(go.Bar(
            x=[sh], y=[""], orientation="h", name=name,
            marker_color=(colors or {}).get(key, PALETTE[i % len(PALETTE)]),
            text=[f"{name} {fmt.percent(sh, 0, frame.lang)}" if sh >= 0.2 else
                  (fmt.percent(sh, 0, frame.lang) if sh >= 0.06 else "")],
            textposition="inside", insidetextanchor="middle", textfont={"size": 16}, textangle=0,
            hovertemplate=f"{_esc(name)}: %{{x:.1%}}"
            + (f" ({fmt.number(cnt, 0, frame.lang)})" if cnt is not None else "") + "<extra></extra>",
        ))
    fig.update_layout(barmode="stack", bargap=0.1, legend={"traceorder": "normal"})
    fig.update_xaxes(tickformat=".0%", range=[0, 1], showgrid=False)
    fig.update_yaxes(showgrid=False, visible=False)
    apply_style(fig, frame, height=300)
    return fig


def relative_bars(df: pd.DataFrame, frame: Frame, *, measure: str, label: str, relative: str,
                  hover: str | None = None, baseline_name: str = "= median",
                  colors: dict[str, str] | None = None) -> go.Figure:
    """Grouped horizontal bars: each region's value per measure as a share of the province median (100% = median)."""
    fig = go.Figure()
    measures = list(dict.fromkeys(df[measure]))
    groups = list(enumerate(df.groupby(label, sort=False)))
    for i, (key, part) in groups[::-1]:  # horizontal groups stack upwards: the first region on top
        fig.add_trace(go.Bar(
            y=part[measure], x=part[relative], name=str(key), orientation="h",
            marker_color=(colors or {}).get(str(key), PALETTE[i % len(PALETTE)]),
            customdata=part[hover] if hover else None,
            hovertemplate=("%{customdata}" if hover else "%{y}: %{x:.0%}") + f"<extra>{_esc(str(key))}</extra>",
        ))
    fig.add_vline(x=1.0, line_dash="dash", line_color=BLACK, line_width=2)
    fig.add_annotation(x=1.0, y=1.0, yref="paper", yanchor="bottom", text=_esc(baseline_name), showarrow=False,
                       font={"size": 14}, xanchor="left", xshift=4)
    fig.update_xaxes(tickformat=".0%", rangemode="tozero", title_text="", showgrid=True, gridcolor=LIGHT_GREY)
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=measures[::-1], showgrid=False)
    n_groups = df[label].nunique()
    apply_style(fig, frame, height=bar_height(len(measures), per_bar=18 * n_groups + 14))
    fig.update_layout(barmode="group", bargap=0.25, bargroupgap=0.05,
                      legend={"traceorder": "reversed"})
    return fig
