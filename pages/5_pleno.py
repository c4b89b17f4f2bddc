"""Evaluasi pleno: which bodies hold their weekly pleno: a bodies x weeks heatmap, ranking, outcomes, trend."""

from __future__ import annotations

import streamlit as st

import ui
from pantau import fmt, pleno
from ui import deck_buttons, maps, views
from ui import widgets as w
from ui.data import cached
from ui.views import PLENO_LOW, PLENO_ROWS

ctx = ui.context()
f, lang = ctx.f, ctx.lang
w.header(ctx, "page_pleno")
deck_buttons.page(ctx, "pleno")

comp = cached(pleno.pleno_compliance)(ctx.wh, f.scope, f.period)
if not comp.empty:  # a Bawaslu provinsi among the kab/kota reads "Provinsi Aceh", not a bare "Aceh"
    own = comp["region_code"].str.len() == 2
    comp.loc[own, "region_name"] = [ctx.t("province_named", name=n) for n in comp.loc[own, "region_name"]]
weekly = cached(pleno.pleno_weekly)(ctx.wh, f.scope, f.period)
if weekly.empty:
    st.info(ctx.t("pleno_none", scope=ctx.scope_name, period=ctx.period_text) + " " + ctx.t("empty_scope_hint"),
            icon=":material/event_busy:")
else:
    # bodies nobody reported a week of: named, not ranked (pantau.pleno: not reported is not a missed pleno)
    w.pleno_not_reported(ctx, cached(pleno.not_reported)(ctx.wh, f.scope, f.period))
    maps.pleno(ctx, comp)
    # --- heatmap: bodies x weeks -------------------------------------------------------
    weeks = cached(pleno.week_starts)(ctx.wh, f.period)  # every Monday: unreported weeks keep their column
    if ctx.phone:  # a bodies x weeks grid cannot be read at 390 px: the same weeks as a list
        st.subheader(ctx.t("pleno_recent_title"))
        st.caption(ctx.t("pleno_recent_marks"))
        w.table(ctx, views.pleno_recent(ctx, comp, weekly, weeks), "pleno_mingguan",
                {"region_name": w.TEXT, "held_of_reported": w.TEXT, "compliance": w.PCT, "recent": w.TEXT},
                key="pleno_recent")
    else:
        w.chart(views.pleno_heatmap(ctx, comp, weekly, weeks), "pleno_mingguan", key="pleno_heat")

    left, right = st.columns(2)
    # --- outcome shares --------------------------------------------------------------
    with left:
        shares = cached(pleno.pleno_outcome_shares)(ctx.wh, f.scope, f.period)
        shares = shares[shares["n"].fillna(0) > 0] if not shares.empty else shares
        if shares.empty:
            w.empty(ctx, ctx.t("col_outcome").lower(), hint=False)
        else:
            w.chart(views.pleno_shares_chart(ctx, shares), "pleno_hasil", key="pleno_shares")
    # --- trend -----------------------------------------------------------------------
    with right:
        trend = cached(pleno.pleno_trend)(ctx.wh, f.scope, f.period, freq=f.period.trend_freq)
        trend = trend.dropna(subset=["compliance"]) if not trend.empty else trend
        if trend.empty:
            w.empty(ctx, ctx.t("col_compliance").lower(), hint=False)
        else:
            w.chart(views.pleno_trend_chart(ctx, trend), "pleno_tren", key="pleno_trend")

# --- ranking ---------------------------------------------------------------------------
st.subheader(ctx.t("pleno_ranking"))
ranked = comp[comp["reported"].astype(bool)] if not comp.empty else comp  # not reported: named above, not 0 %
if ranked.empty:
    w.empty(ctx, ctx.t("col_compliance").lower(), hint=False)
else:
    ranked = ranked.sort_values(["compliance", "mean_score", "region_name"], ascending=[False, False, True])
    if len(ranked) > PLENO_ROWS:
        st.caption(ctx.t("pleno_top_n", n=PLENO_ROWS, total=fmt.number(len(ranked), 0, lang)))
    w.chart(views.pleno_ranking_chart(ctx, ranked), "pleno_peringkat", key="pleno_rank")
    st.caption(ctx.t("pleno_rank_note", limit=fmt.percent(PLENO_LOW, 0, lang)))
if not comp.empty:
    w.table(ctx, comp, "pleno_kepatuhan",
            {"rank": w.INT, "region_code": w.TEXT, "region_name": w.TEXT, "body": "body", "weeks_in_period": w.INT,
             "weeks_reported": w.INT, "weeks_held": w.INT, "compliance": w.PCT, "mean_score": w.FLOAT1},
            key="tbl_pleno")
