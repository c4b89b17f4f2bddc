"""Rasio pengawas: voters per supervisor, TPS per PKD, kelurahan/desa per Panwascam member; outliers marked."""

from __future__ import annotations

import streamlit as st

import ui
from pantau import charts, fmt, ratios
from pantau.ratios import tukey_outliers
from ui import deck_buttons, maps, views
from ui import widgets as w
from ui.data import cached
from ui.state import page_select

RATIOS = ["voters_per_supervisor", "tps_per_pkd", "desa_per_panwascam"]
MIN_SPREAD = 3  # kab/kota needed for a distribution and a comparison with the median to say anything

ctx = ui.context()
f, lang = ctx.f, ctx.lang
w.header(ctx, "page_rasio")
deck_buttons.page(ctx, "rasio")

ratio = page_select(ctx.t("ratio_pick"), "rasio", RATIOS, RATIOS[0], lang,
                    format_func=lambda r: ctx.t(f"col_{r}"))
st.caption(ctx.t("ratio_help"))
df = cached(ratios.supervisor_ratios)(ctx.wh, f.scope, f.as_of, f.election)
name = ctx.t(f"col_{ratio}")
valid = df.dropna(subset=[ratio]) if not df.empty else df
if not valid.empty:
    maps.ratio(ctx, df, ratio, views.RATIO_DECIMALS[ratio])
if valid.empty:
    w.empty(ctx, name.lower())
elif len(valid) < MIN_SPREAD:  # one kab/kota has no spread to draw: its figures are in the table
    st.info(ctx.t("ratio_too_few", n=len(valid)), icon=":material/info:")
else:
    outlier_col = f"{ratio}_outlier"
    if f.scope.level != "nasional":  # a province is judged against its own kab/kota, as its box and whiskers are
        valid = valid.assign(**{outlier_col: tukey_outliers(valid[ratio])})
    fig = views.ratio_distribution_chart(ctx, valid, ratio)
    w.chart(fig, f"rasio_sebaran_{ratio}", key=f"ratio_dist_{ratio}")

    prov_median = f"{ratio}_prov_median"
    cmp = valid.dropna(subset=[prov_median])
    if not cmp.empty:
        if len(cmp) > charts.MEDIAN_ROWS:
            st.caption(ctx.t("ratio_top_n", n=charts.MEDIAN_ROWS, total=fmt.number(len(cmp), 0, lang)))
        fig = views.ratio_median_chart(ctx, cmp, ratio)
        w.chart(fig, f"rasio_median_{ratio}", key=f"ratio_med_{ratio}")

st.subheader(ctx.t("ratio_table"))
if df.empty:
    w.empty(ctx, ctx.t("ratio_table").lower(), hint=False)
else:
    cols = {"region_code": w.TEXT, "region_name": w.TEXT, "voters": w.INT, "tps": w.INT, "desa": w.INT,
            "pkd": w.INT, "ptps": w.INT, "panwascam": w.INT, "supervisors": w.INT,
            "voters_per_supervisor": w.FLOAT1, "tps_per_pkd": w.FLOAT1, "desa_per_panwascam": w.FLOAT1}
    # heaviest first by the ratio picked: the rows the charts point at are on screen, not past row 250
    w.table(ctx, df.sort_values(ratio, ascending=False, na_position="last", kind="stable"), "rasio_pengawas", cols,
            key="tbl_ratio")
