"""Perbandingan: two to five kab/kota side by side on every measure, each against its province median."""

from __future__ import annotations

import numpy as np
import streamlit as st

import ui
from pantau import charts, fmt
from pantau.i18n import has
from ui import widgets as w
from ui.data import query
from ui.state import page_multiselect

ctx = ui.context()
f, lang = ctx.f, ctx.lang
w.header(ctx, "page_perbandingan")


def measure_name(m: str) -> str:
    for key in (f"measure_{m}", f"col_{m}"):
        if has(key):
            return ctx.t(key)
    return m.replace("_", " ")


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

df = query(ctx.wh, "compare.compare_kabkota", list(codes), f.period, f.as_of, f.election)
if df.empty:
    w.empty(ctx, ctx.t("page_perbandingan").lower())
    st.stop()
# a kab/kota with no pleno week reported has no pleno figures (pantau.compare: NaN): named, never a 0 %
no_pleno = df[(df["measure"] == "pleno_compliance") & df["value"].isna()]
w.pleno_not_reported(ctx, no_pleno.assign(body="bawaslu_kabkota"))

SHARES = ("fill_rate", "sambang_reach", "pleno_compliance")  # fractions: shown as percent
is_share = df["measure"].str.startswith(SHARES)
df.loc[is_share, ["value", "prov_median"]] = df.loc[is_share, ["value", "prov_median"]] * 100
df["measure_label"] = [measure_name(m) + (" (%)" if s else "") for m, s in zip(df["measure"], is_share, strict=True)]
df["relative"] = df["value"] / df["prov_median"].replace(0, np.nan)
df["hover"] = [f"{m}: {fmt.number(v, 1, lang)} · {ctx.t('col_prov_median')} {fmt.number(md, 1, lang)}"
               for m, v, md in zip(df["measure_label"], df["value"], df["prov_median"], strict=True)]
rel = df.dropna(subset=["relative"])
left_out = sorted(set(df["measure_label"]) - set(rel["measure_label"]))  # a province median of 0 gives no ratio
if left_out:
    st.caption(ctx.t("cmp_left_out", names=", ".join(left_out)))
if rel.empty:
    w.empty(ctx, ctx.t("col_vs_median").lower(), hint=False)
else:
    far = rel.iloc[(rel["relative"] - 1).abs().argmax()]
    measure = measure_name(far["measure"])  # inside an Indonesian sentence: 'keterisian PKD', 'TPS per PKD'
    title = ctx.t("cmp_title", name=far["region_name"], measure=fmt.lower_first(measure) if lang == "id" else measure,
                  rel=fmt.percent(far["relative"], 0, lang))
    fig = charts.relative_bars(rel, ctx.frame(title, when=f"{ctx.period_text} · {ctx.as_of_text()}"),
                               measure="measure_label", label="region_name", relative="relative", hover="hover",
                               baseline_name=ctx.t("cmp_baseline"))
    w.chart(fig, "perbandingan", key="cmp_chart")

st.subheader(ctx.t("cmp_table"))
# one format per measure, on screen: a share or a ratio with one decimal ('100,0', '99,5', '217,0'), a count
# without; the files keep the numbers
whole = df["measure"].eq("activities")
for col in ("value", "prov_median"):
    df[f"{col}_text"] = [fmt.number(v, 0 if c else 1, lang) for v, c in zip(df[col], whole, strict=True)]
w.table(ctx, df, "perbandingan", {"region_code": w.TEXT, "region_name": w.TEXT, "measure_label": w.TEXT,
                                  "value_text": w.NUM_TEXT, "prov_median_text": w.NUM_TEXT, "relative": w.PCT},
        key="tbl_cmp", files={"region_code": w.TEXT, "region_name": w.TEXT, "measure_label": w.TEXT,
                              "value": w.NUM, "prov_median": w.NUM, "relative": w.PCT})
