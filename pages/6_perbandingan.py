"""Perbandingan: two to five kab/kota side by side on every measure, each against its province median."""

from __future__ import annotations

import streamlit as st

import ui
from pantau import compare
from ui import deck_buttons, views
from ui import widgets as w
from ui.data import cached
from ui.state import page_multiselect

ctx = ui.context()
f, lang = ctx.f, ctx.lang
w.header(ctx, "page_perbandingan")

regions = ctx.regions
all_kab = regions.kabkota if regions else tuple(sorted(c for c in ctx.names if c.count(".") == 1))
kab = list(all_kab)
if f.scope.code:
    kab = (list(regions.kabkota_of.get(f.scope.provinsi_code, ())) if regions
           else [c for c in kab if c.startswith(f.scope.provinsi_code + ".")])
if f.scope.level == "kabkota":
    siblings = [c for c in kab if c != f.scope.code]
    default = [f.scope.code, *siblings[:2]]
else:
    default = kab[:3]


def _name(code: str) -> str:
    prov = ctx.names.get(code[:2], code[:2])
    return f"{ctx.names.get(code, code)} ({prov})" if f.scope.level == "nasional" else ctx.names.get(code, code)


codes = page_multiselect(ctx.t("cmp_pick"), "banding", kab, default, lang, format_func=_name, known=set(all_kab),
                         minimum=2)
if len(codes) < 2:
    st.info(ctx.t("cmp_need_two"), icon=":material/info:")
    st.stop()

deck_buttons.page(ctx, "perbandingan", codes)
df = cached(compare.compare_kabkota)(ctx.wh, list(codes), f.period, f.as_of, f.election)
if df.empty:
    w.empty(ctx, ctx.t("page_perbandingan").lower())
    st.stop()
# a kab/kota with no pleno week reported has no pleno figures (pantau.compare: NaN): named, never a 0 %
no_pleno = df[(df["measure"] == "pleno_compliance") & df["value"].isna()]
w.pleno_not_reported(ctx, no_pleno.assign(body="bawaslu_kabkota"))

df = views.compare_frame(ctx, df)
rel = df.dropna(subset=["relative"])
left_out = sorted(set(df["measure_label"]) - set(rel["measure_label"]))  # a province median of 0 gives no ratio
if left_out:
    st.caption(ctx.t("cmp_left_out", names=", ".join(left_out)))
if rel.empty:
    w.empty(ctx, ctx.t("col_vs_median").lower(), hint=False)
else:
    fig = views.compare_chart(ctx, rel)
    w.chart(fig, "perbandingan", key="cmp_chart")
    st.caption(ctx.t("cmp_directions"))

st.subheader(ctx.t("cmp_table"))
# one format per measure on screen (value_text, prov_median_text); the files keep the numbers
w.table(ctx, df, "perbandingan", {"region_code": w.TEXT, "region_name": w.TEXT, "measure_label": w.TEXT,
                                  "value_text": w.NUM_TEXT, "prov_median_text": w.NUM_TEXT, "relative": w.PCT,
                                  "mismatch": w.BOOL},
        key="tbl_cmp", files={"region_code": w.TEXT, "region_name": w.TEXT, "measure_label": w.TEXT,
                              "value": w.NUM, "prov_median": w.NUM, "relative": w.PCT, "mismatch": w.BOOL})
