"""The maps on the pages: one call per page (`coverage`, `ratio`, `pleno`, `activity`), and the boundary check
on Kualitas data (`boundary_report`).

National scope maps the 38 provinces (real boundaries, or the tile grid by choice or when no boundary folder
is found); a province maps its kab/kota; a kab/kota says that maps stop there. A click on a region sets the
scope to it, as the sidebar does (URL included). Regions without a boundary are listed beside the map.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from pantau import charts, fmt, geo
from pantau.i18n import label
from pantau.maps import TOPOJSON_URL, Measure, region_map
from ui import data, figure_cache, present
from ui import widgets as w
from ui.state import set_scope

VIEW_PARAM = "peta"
VIEWS = ("batas", "petak")


# ---------------------------------------------------------------------------
# The page calls: a page's frame -> code, value, hover -> the map
# ---------------------------------------------------------------------------


def _by_province(df: pd.DataFrame, code: str, sums: Sequence[str]) -> pd.DataFrame:
    """Rows of kab/kota (or bodies) summed per province (the national map's regions)."""
    return df.assign(code=df[code].astype(str).str[:2]).groupby("code", as_index=False)[list(sums)].sum()


def coverage(ctx: w.Ctx, child: pd.DataFrame, body: str | None = None, *, key: str = "map_cov") -> None:
    """Fill rate (filled / seats) per child region: of one body (Cakupan's choice), or over every body that
    reported (Ringkasan)."""
    if _stops_here(ctx):
        return
    df = child[child["reported"].astype(bool)] if "reported" in child else child
    df = df.groupby("region_code", as_index=False)[["filled", "seats"]].sum()
    df = df[df["seats"] > 0]
    df["value"] = df["filled"] / df["seats"]
    m = Measure(ctx.t("map_fill_unit"), percent=True, decimals=1, rate=True)
    details = [ctx.t("map_fill_detail", filled=fmt.number(f, 0, ctx.lang), seats=fmt.number(s, 0, ctx.lang))
               for f, s in zip(df["filled"], df["seats"], strict=True)]
    values = _values(ctx, df["region_code"], df["value"], m, details)
    low = values.sort_values(["value", "code"]).iloc[0] if not values.empty else None
    words = {"level": ctx.t("levels_" + _level(ctx)), "name": ctx.name(low["code"]) if low is not None else "–",
             "value": m.text(low["value"], ctx.lang) if low is not None else "–"}
    key_ = "map_fill_body_title" if body else "map_fill_title"
    if low is not None and low["value"] >= 1:  # nobody short: "lowest Lampung Selatan (100,0%)" says nothing
        key_ += "_all_full"
    title = ctx.t(key_, body=label("body", body, ctx.lang) if body else "", **words)
    _show(ctx, values, m, title, table="personnel", when=ctx.as_of_text(), name="peta_keterisian", key=key)


def ratio(ctx: w.Ctx, df: pd.DataFrame, ratio_col: str, decimals: int, *, key: str = "map_ratio") -> None:
    """A supervisor ratio per kab/kota; nationally per province from its kab/kota's sums."""
    if _stops_here(ctx):
        return
    num, den = {"voters_per_supervisor": ("voters", "supervisors"), "tps_per_pkd": ("tps", "pkd"),
                "desa_per_panwascam": ("desa", "panwascam")}[ratio_col]
    if ctx.f.scope.level == "nasional":
        known = df.dropna(subset=[ratio_col])  # a kab/kota without the count is left out of its province's sum
        df = _by_province(known, "region_code", [num, den]).rename(columns={"code": "region_code"})
        df[ratio_col] = df[num] / df[den].where(df[den] > 0)
    name = ctx.t(f"col_{ratio_col}")
    m = Measure(name, decimals=decimals)
    values = _values(ctx, df["region_code"], df[ratio_col], m)
    top = values.sort_values(["value", "code"], ascending=[False, True]).iloc[0] if values["value"].notna().any() \
        else None
    title = ctx.t("map_ratio_title", ratio=name, level=ctx.t("levels_" + _level(ctx)),
                  name=ctx.name(top["code"]) if top is not None else "–",
                  value=m.text(top["value"], ctx.lang) if top is not None else "–")
    _show(ctx, values, m, title, table="personnel", when=ctx.as_of_text(), name=f"peta_{ratio_col}", key=key)


def pleno(ctx: w.Ctx, comp: pd.DataFrame, *, key: str = "map_pleno") -> None:
    """Pleno compliance (weeks held / weeks reported) per kab/kota body; nationally per province over its
    bodies (the Bawaslu provinsi and its kab/kota)."""
    if _stops_here(ctx):
        return
    df = comp[comp["reported"].astype(bool)]
    if ctx.f.scope.level == "nasional":
        df = _by_province(df, "region_code", ["weeks_held", "weeks_reported"]).rename(columns={"code": "region_code"})
    else:
        df = df[df["region_code"].str.len() == 5]
    df = df.assign(value=df["weeks_held"] / df["weeks_reported"])
    m = Measure(ctx.t("map_pleno_unit"), percent=True, decimals=1, rate=True)
    details = [ctx.t("map_pleno_detail", held=fmt.number(h, 0, ctx.lang), weeks=fmt.number(r, 0, ctx.lang))
               for h, r in zip(df["weeks_held"], df["weeks_reported"], strict=True)]
    values = _values(ctx, df["region_code"], df["value"], m, details)
    low = values.sort_values(["value", "code"]).iloc[0] if not values.empty else None
    title = ctx.t("map_pleno_title", level=ctx.t("levels_" + _level(ctx)),
                  name=ctx.name(low["code"]) if low is not None else "–",
                  value=m.text(low["value"], ctx.lang) if low is not None else "–")
    _show(ctx, values, m, title, table="pleno", when=None, name="peta_pleno", key=key)


def activity(ctx: w.Ctx, by_region: pd.DataFrame, *, key: str = "map_act") -> None:
    """Activities per kab/kota; nationally a province's activities divided by its kab/kota (a big province is
    not dark for its size alone)."""
    if _stops_here(ctx):
        return
    nasional = ctx.f.scope.level == "nasional"
    df = by_region[by_region["region_code"] != ctx.f.scope.code]  # the scope's own office is no child region
    df = df.assign(code=df["region_code"].str[: 2 if nasional else 5]).groupby("code", as_index=False)["n"].sum()
    kab = ctx.regions.kabkota_of if ctx.regions else {}
    df["k"] = [len(kab.get(c, ())) or 1 for c in df["code"]] if nasional else 1
    df["value"] = df["n"] / df["k"]
    m = Measure(ctx.t("map_act_unit_nasional" if nasional else "map_act_unit"), decimals=1 if nasional else 0)
    details = [ctx.t("map_act_detail", n=fmt.number(n, 0, ctx.lang), k=fmt.number(k, 0, ctx.lang))
               for n, k in zip(df["n"], df["k"], strict=True)] if nasional else None
    values = _values(ctx, df["code"], df["value"], m, details)
    top = values.sort_values(["value", "code"], ascending=[False, True]).iloc[0] if not values.empty else None
    title = ctx.t("map_act_title_nasional" if nasional else "map_act_title",
                  name=ctx.name(top["code"]) if top is not None else "–",
                  value=m.text(top["value"], ctx.lang) if top is not None else "–")
    _show(ctx, values, m, title, table="activities", when=None, name="peta_kegiatan", key=key)


def _level(ctx: w.Ctx) -> str:
    return "provinsi" if ctx.f.scope.level == "nasional" else "kabkota"


def _stops_here(ctx: w.Ctx) -> bool:
    """At a kab/kota the page's regions are kecamatan, which have no boundaries: one sentence, no map."""
    if ctx.f.scope.level == "kabkota":
        st.caption(ctx.t("map_kabkota_scope", name=ctx.scope_name))
        return True
    return False


def _values(ctx: w.Ctx, codes: pd.Series, values: pd.Series, m: Measure,
            details: Sequence[str] | None = None) -> pd.DataFrame:
    """code, value, hover ('Lampung<br>Kursi terisi (%): 97,5%<br>195 dari 200 kursi')."""
    codes = codes.astype(str).tolist()
    vals = pd.to_numeric(values, errors="coerce").astype("float64").tolist()
    hover = [ctx.t("map_hover", name=ctx.name(c), measure=m.title, value=m.text(v, ctx.lang))
             + (f"<br>{details[i]}" if details is not None else "") for i, (c, v) in enumerate(zip(codes, vals,
                                                                                               strict=True))]
    out = pd.DataFrame({"code": codes, "value": vals, "hover": hover})
    return out[np.isfinite(out["value"].to_numpy(dtype="float64"))]


# ---------------------------------------------------------------------------
# Drawing: which regions, which geometry, the click
# ---------------------------------------------------------------------------


#: Where the maps' shapes are written for the browser to fetch (Streamlit's static file serving, like the base map).
SHAPES_DIR = Path(__file__).resolve().parent.parent / "static" / "peta"


def served(geojson: dict, key: Sequence[object]) -> str | None:
    """The address the browser fetches `geojson` from (written once under SHAPES_DIR, named by `key`'s digest: a
    file of the boundaries, its level and version, the codes drawn), so a rerun sends no geometry: without it every
    rerun copied, encoded and sent 40-110 KB of shapes per map. None, and the shapes go inside the figure, where the
    folder cannot be written (a read-only install)."""
    name = hashlib.blake2b(repr(tuple(key)).encode(), digest_size=12).hexdigest() + ".json"
    path = SHAPES_DIR / name
    if not path.exists():
        try:
            SHAPES_DIR.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(geojson, separators=(",", ":")), encoding="utf-8")
            os.replace(tmp, path)
        except OSError:
            return None
    return f"{TOPOJSON_URL}peta/{name}"


def _scope_codes(ctx: w.Ctx) -> tuple[str, ...]:
    """The regions the map draws: every province nationally, else the province's kab/kota (region list)."""
    idx = ctx.regions or data.region_index(str(ctx.wh.path), ctx.wh.version)
    if ctx.f.scope.level == "nasional":
        return tuple(idx.provinces)
    return tuple(idx.kabkota_of.get(ctx.f.scope.code or "", ()))


def _view(ctx: w.Ctx, folder_ok: bool) -> str:
    """'batas' (boundaries) or 'petak' (tiles): nationally the reader's choice, kept in the URL."""
    if ctx.f.scope.level != "nasional" or not folder_ok:
        return "petak" if ctx.f.scope.level == "nasional" else "batas"
    raw = st.query_params.get(VIEW_PARAM) or st.session_state.get(f"pp_{VIEW_PARAM}")
    value = raw if raw in VIEWS else VIEWS[0]
    st.session_state["w_map_view"] = value
    choice = st.segmented_control(ctx.t("map_view"), list(VIEWS), key="w_map_view", required=True,
                                  format_func=lambda v: ctx.t(f"map_view_{v}"))
    choice = choice if choice in VIEWS else value
    st.query_params[VIEW_PARAM] = st.session_state[f"pp_{VIEW_PARAM}"] = choice
    return choice


def _boundaries(ctx: w.Ctx) -> tuple[geo.Boundaries | None, str | None]:
    """The boundaries of the map's level, or None and the sentence saying why not (and that tiles are shown
    nationally)."""
    tiles = "" if ctx.f.scope.level == "nasional" else "_kab"
    folder = geo.geo_folder()
    if folder.path is None:
        return None, ctx.t("map_no_folder" + tiles)
    try:
        return geo.load(folder.path, _level(ctx)), None
    except geo.GeoError as exc:
        return None, ctx.t("map_bad_folder" + tiles, error=str(exc).rstrip("."))


def _show(ctx: w.Ctx, values: pd.DataFrame, m: Measure, title: str, *, table: str, when: str | None, name: str,
          key: str) -> None:
    codes = _scope_codes(ctx)
    if not codes:
        return
    bounds, problem = _boundaries(ctx)
    nasional = ctx.f.scope.level == "nasional"
    if problem and not nasional:  # no tiles for kab/kota: say why there is no map
        st.info(problem, icon=":material/map:")
        return
    view = _view(ctx, bounds is not None)
    if problem:
        st.info(problem, icon=":material/map:")
    if view == "petak":
        geojson = geo.tile_geojson(codes)
        short = {t.code: t.short for t in geo.tiles()}
        text = dict(zip(values["code"], [m.text(v, ctx.lang) for v in values["value"]], strict=True))
        labels = {c: f"{short[c]}<br>{text[c]}" if c in text else short[c] for c in codes if c in short}
    else:
        assert bounds is not None
        geojson = geo.screen_geojson(bounds, codes)
        labels = None  # names on the kab/kota of a province collided (Lampung's south): hover and the bars name them
    shown = {f["id"] for f in geojson["features"]}
    missing = [c for c in codes if c not in shown]
    height = (780 if view == "petak" else 640) if nasional else 680
    shape = ("petak",) if bounds is None or view == "petak" else (str(bounds.path), bounds.level,
                                                                   bounds.path.stat().st_mtime_ns)
    url = served(geojson, shape + codes)
    # built once per geometry, values and words (ui.figure_cache); the frame's dates come with the fingerprint
    fig = figure_cache.kept(("region_map", figure_cache.fingerprint(ctx), title, table, when, shape, codes, url,
                             values, m, labels, height),
                            lambda: region_map(geojson, values, ctx.frame(title, table=table, when=when), measure=m,
                                               tiles=view == "petak", not_reported_name=ctx.t("map_not_reported"),
                                               labels=labels, label_size=13, height=height, url=url))
    fig = present.figure(fig) if present.on() else fig
    fig, footer = w.phone_footer(fig)
    where = st.columns([4, 1]) if missing else [st.container()]
    with where[0]:
        event = st.plotly_chart(fig, theme=None, key=f"{key}_{ctx.f.scope.param}_{view}", on_select="rerun",
                                selection_mode="points",
                                config={**charts.config(name, int(fig.layout.height or 560)),
                                        "topojsonURL": TOPOJSON_URL})
        st.caption(" · ".join(filter(None, [footer, ctx.t("map_click_hint")])))
    if missing:
        with where[1]:
            st.caption(ctx.t("map_missing", n=fmt.number(len(missing), 0, ctx.lang)))
            st.markdown("\n".join(f"- {ctx.name(c)} ({c})" for c in missing))
    points = ((event or {}).get("selection") or {}).get("points") or []
    code = points[0].get("customdata") if points else None
    code = code[0] if isinstance(code, list) else code
    if code and code != ctx.f.scope.code and code in codes:
        set_scope(str(code))
        st.rerun()


# ---------------------------------------------------------------------------
# Kualitas data: the boundary files against the region list
# ---------------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=8)
def _report(version_dir: str, version: str, folder: str,
            stamp: tuple[int, ...]) -> tuple[pd.DataFrame, tuple[str, ...]]:
    regions = data.regions(version_dir, version)
    regions = regions[regions["level"].isin(["provinsi", "kabkota"])]
    loaded = [geo.load(Path(folder), level) for level in geo.FILES]
    return geo.check(loaded, regions), tuple(p for b in loaded for p in b.problems)


def boundary_report(ctx: w.Ctx) -> None:
    """The boundary folder checked against the region list: one sentence, and the codes that do not match."""
    st.subheader(ctx.t("geo_title"))
    folder = geo.geo_folder()
    if folder.path is None:
        st.info(ctx.t("map_no_folder"), icon=":material/map:")
        return
    try:
        stamp = tuple((folder.path / f).stat().st_mtime_ns for f in geo.FILES.values())
        report, problems = _report(str(ctx.wh.path), ctx.wh.version, str(folder.path), stamp)
    except (OSError, geo.GeoError) as exc:
        st.warning(ctx.t("map_bad_folder", error=str(exc).rstrip(".")), icon=":material/map:")
        return
    for problem in problems:
        st.warning(problem, icon=":material/map:")
    n = report["issue"].value_counts()
    if report.empty:
        idx = ctx.regions or data.region_index(str(ctx.wh.path), ctx.wh.version)
        st.success(ctx.t("geo_ok", folder=folder.path, p=fmt.number(len(idx.provinces), 0, ctx.lang),
                         k=fmt.number(len(idx.kabkota), 0, ctx.lang)), icon=":material/check_circle:")
        return
    st.warning(ctx.t("geo_problems", folder=folder.path, missing=fmt.number(n.get("hilang", 0), 0, ctx.lang),
                     extra=fmt.number(n.get("lebih", 0), 0, ctx.lang),
                     mismatch=fmt.number(n.get("tidak_cocok", 0), 0, ctx.lang)), icon=":material/map:")
    shown = report.rename(columns={"code": "region_code", "name": "region_name", "issue": "issue_geo"})
    shown["issue_geo"] = [ctx.t(f"geo_issue_{i}") for i in shown["issue_geo"]]
    w.table(ctx, shown, "batas_wilayah", {"issue_geo": w.TEXT, "level": "level", "region_code": w.TEXT,
                                          "region_name": w.TEXT, "detail": w.TEXT}, key="tbl_geo", height=320)
