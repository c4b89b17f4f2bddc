"""Map figures in the house style: regions (real boundaries or the tile grid) coloured by a page's measure.

A `go.Choropleth` over the GeoJSON of pantau.geo: plotly.js selects a region on click (what
`st.plotly_chart(on_select=...)` reports, so a click drills down), and its only outside request, the
base map `world_110m.json`, is pointed at the dashboard's own server by the config (`TOPOJSON_URL`).
Regions that reported nothing get their own neutral colour and legend entry, never the scale's low end.
No Streamlit here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import plotly.colors as pcolors
import plotly.graph_objects as go

from pantau import charts, fmt

#: Where plotly.js fetches its base map (a stub with no shapes, static/world_110m.json, served by Streamlit's
#: static file serving): relative, so it also works behind a reverse proxy's path prefix.
TOPOJSON_URL = "app/static/"
NOT_REPORTED = "#9E9E9E"
#: A share where more is better: red (low) through pale yellow to blue (full), ColorBrewer RdYlBu with a pale blue
#: stop between yellow and blue (straight from yellow to blue passes a grey that reads as "not reported").
RATE_SCALE: list[list[Any]] = [[0.0, "#D73027"], [0.2, "#FC8D59"], [0.45, "#FEE090"], [0.65, "#E0F3F8"],
                               [0.82, "#91BFDB"], [1.0, "#4575B4"]]
#: A count or load (more is darker): yellow-green to dark blue (ColorBrewer YlGnBu), no grey.
COUNT_SCALE: list[list[Any]] = [[0.0, "#EDF8B1"], [0.25, "#A1DAB4"], [0.5, "#41B6C4"], [0.75, "#2C7FB8"],
                                [1.0, "#253494"]]
BORDER = "white"


@dataclass(frozen=True)
class Measure:
    """What the colour shows: its legend title (with the unit), share or number, decimals, scale."""

    title: str
    percent: bool = False
    decimals: int = 0
    rate: bool = False  # a share where 100% is the goal: RATE_SCALE up to 100%

    def text(self, value: Any, lang: str) -> str:
        return fmt.percent(value, self.decimals, lang) if self.percent else fmt.number(value, self.decimals, lang)


def color_range(values: np.ndarray, measure: Measure) -> tuple[float, float]:
    """zmin, zmax. A share: from its lowest value rounded down (to 1% above 90%, else to 10%) to 100%, so that
    98% and 100% read apart when every region is near full; a number: from 0 to its largest."""
    finite = values[np.isfinite(values)]
    if measure.rate:
        low = float(finite.min()) if finite.size else 0.0
        low = np.floor(low * 100) / 100 if low >= 0.9 else np.floor(low * 10) / 10
        return float(max(0.0, min(low, 0.99))), 1.0
    top = float(finite.max()) if finite.size else 1.0
    return 0.0, top if top > 0 else 1.0


def _label_colors(values: np.ndarray, scale: list[list[Any]], zmin: float, zmax: float) -> list[str]:
    """Black or white, whichever reads on each region's fill."""
    pos = np.clip((np.nan_to_num(values, nan=zmin) - zmin) / ((zmax - zmin) or 1.0), 0, 1)
    out = []
    for rgb in pcolors.sample_colorscale(scale, list(pos)):
        r, g, b = (int(v) for v in rgb[4:-1].split(","))
        out.append("white" if 0.299 * r + 0.587 * g + 0.114 * b < 140 else charts.TEXT)
    return out


def _geo_layout(geojson: Mapping[str, Any], tiles: bool) -> dict[str, Any]:
    from pantau.geo import bounds

    x0, x1, y0, y1 = bounds(geojson)
    pad = 0.55 if tiles else max(0.02 * (x1 - x0), 0.02)
    return {"visible": False, "showframe": False, "bgcolor": "white", "resolution": 110, "fitbounds": False,
            "projection": {"type": "equirectangular" if tiles else "mercator"},
            "lonaxis": {"range": [x0 - pad, x1 + pad]}, "lataxis": {"range": [y0 - pad, y1 + pad]},
            "domain": {"x": [0, 1], "y": [0, 1]}}


def region_map(geojson: Mapping[str, Any], values: pd.DataFrame, frame: charts.Frame, *, measure: Measure,
               not_reported_name: str, tiles: bool = False, labels: Mapping[str, str] | None = None,
               label_size: int = 14, height: int = 560, url: str | None = None) -> go.Figure:
    """Every feature of `geojson` coloured by `values` (columns code, value, hover; a code without a value is
    drawn 'not reported'); `labels` (code -> text) written on the regions (the tile map's short names). With `url`
    (where the browser can fetch the same `geojson`) the traces name it instead of carrying the shapes: the figure
    stays small, and each rerun sends no geometry."""
    codes = [str(f["id"]) for f in geojson["features"]]
    v = values.drop_duplicates("code").set_index("code").reindex(codes)
    z = pd.to_numeric(v["value"], errors="coerce").to_numpy(dtype="float64")
    hover = [h if isinstance(h, str) else f"{f['properties']['name']}<br>{not_reported_name}"
             for h, f in zip(v["hover"], geojson["features"], strict=True)]
    has = np.isfinite(z)
    zmin, zmax = color_range(z, measure)
    scale = RATE_SCALE if measure.rate else COUNT_SCALE
    line = {"color": BORDER, "width": 0 if tiles else 0.8}
    tick = f".{measure.decimals}%" if measure.percent else f",.{measure.decimals}f"
    idx = np.flatnonzero(has)
    feats = geojson["features"]

    def part(rows: np.ndarray) -> dict[str, Any] | str:  # a trace carries only its own features (the JSON is half)
        return url or {"type": "FeatureCollection", "features": [feats[i] for i in rows]}

    traces: list[dict[str, Any]] = [{
        "type": "choropleth", "geojson": part(idx), "featureidkey": "id", "name": measure.title,
        "locations": [codes[i] for i in idx], "z": z[idx], "customdata": [codes[i] for i in idx],
        "hovertext": [hover[i] for i in idx], "hovertemplate": "%{hovertext}<extra></extra>",
        "colorscale": scale, "zmin": zmin, "zmax": zmax, "marker": {"line": line}, "showlegend": False,
        "colorbar": {"title": {"text": measure.title, "side": "top", "font": {"size": 15}}, "tickformat": tick,
                     "thickness": 18, "len": 0.8, "tickfont": {"size": 14}, "x": 1.0, "xanchor": "left"},
    }]
    if (~has).any():
        out = np.flatnonzero(~has)
        traces.append({
            "type": "choropleth", "geojson": part(out), "featureidkey": "id", "name": not_reported_name,
            "locations": [codes[i] for i in out], "z": np.zeros(len(out)), "customdata": [codes[i] for i in out],
            "hovertext": [hover[i] for i in out], "hovertemplate": "%{hovertext}<extra></extra>",
            "colorscale": [[0, NOT_REPORTED], [1, NOT_REPORTED]], "showscale": False, "showlegend": True,
            "marker": {"line": line}})
    if labels:
        traces.append(_label_trace(geojson, codes, labels, hover, _label_colors(z, scale, zmin, zmax), label_size))
    layout = {"geo": _geo_layout(geojson, tiles), "clickmode": "event+select"}
    return charts.styled_figure(traces, frame, height=height, legend=bool((~has).any()), after=layout)


def _label_trace(geojson: Mapping[str, Any], codes: Sequence[str], labels: Mapping[str, str],
                 hover: Sequence[str], colors: Sequence[str], size: int) -> dict[str, Any]:
    """Text at each region's centre (of its outer ring's points); a click on it selects the region too."""
    lon, lat = [], []
    for f in geojson["features"]:
        ring = np.asarray(max((p[0] for p in f["geometry"]["coordinates"]), key=len), dtype="float64")
        lon.append(float(ring[:-1, 0].mean()))
        lat.append(float(ring[:-1, 1].mean()))
    return {"type": "scattergeo", "mode": "text", "lon": lon, "lat": lat, "showlegend": False,
            "text": [labels.get(c, "") for c in codes], "customdata": list(codes), "hovertext": list(hover),
            "hovertemplate": "%{hovertext}<extra></extra>", "textfont": {"size": size, "color": list(colors)}}
