"""Evaluasi pleno: which bodies hold their weekly pleno: a bodies x weeks heatmap, ranking, outcomes, trend."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import ui
from pantau import charts, fmt
from pantau.i18n import label
from ui import maps
from ui import widgets as w
from ui.data import query
from ui.views import week_grid

MAX_ROWS = 40
LOW = 0.75  # compliance below this is marked on the ranking

ctx = ui.context()
f, lang = ctx.f, ctx.lang
w.header(ctx, "page_pleno")

comp = query(ctx.wh, "pleno.pleno_compliance", f.scope, f.period)
if not comp.empty:  # a Bawaslu provinsi among the kab/kota reads "Provinsi Aceh", not a bare "Aceh"
    own = comp["region_code"].str.len() == 2
    comp.loc[own, "region_name"] = [ctx.t("province_named", name=n) for n in comp.loc[own, "region_name"]]
weekly = query(ctx.wh, "pleno.pleno_weekly", f.scope, f.period)
if weekly.empty:
    st.info(ctx.t("pleno_none", scope=ctx.scope_name, period=ctx.period_text) + " " + ctx.t("empty_scope_hint"),
            icon=":material/event_busy:")
else:
    # bodies nobody reported a week of: named, not ranked (pantau.pleno: not reported is not a missed pleno)
    w.pleno_not_reported(ctx, query(ctx.wh, "pleno.not_reported", f.scope, f.period))
    maps.pleno(ctx, comp)
    # --- heatmap: bodies x weeks -------------------------------------------------------
    # rows: the bodies with a reported week, lowest compliance first
    order = comp[comp["reported"].astype(bool)].sort_values(["compliance", "region_code"], ascending=[True, True])
    shown_codes = list(order["region_code"])[:MAX_ROWS]  # more than MAX_ROWS: the title says so
    names = dict(zip(order["region_code"].head(MAX_ROWS), order["region_name"].head(MAX_ROWS), strict=True))
    row_names = [names[c] for c in shown_codes]
    grid = week_grid(weekly, shown_codes, outcome_name=lambda o: label("outcome", o, lang),
                     score_word=ctx.t("col_score"), not_held_text=ctx.t("pleno_not_held"), lang=lang,
                     not_reported_text=ctx.t("pleno_week_not_reported"),
                     weeks=query(ctx.wh, "pleno.week_starts", f.period))  # unreported weeks keep their column
    weeks, hover = grid.weeks, grid.hover
    z, not_held = grid.score, grid.not_held
    z.index = row_names
    not_held.index = row_names
    n_held = int(weekly["held"].fillna(False).astype(bool).sum())
    title = ctx.t("pleno_heat_low_title" if len(order) > MAX_ROWS else "pleno_heat_title", n=MAX_ROWS,
                  held=fmt.number(n_held, 0, lang), total=fmt.number(len(weekly), 0, lang))
    week_labels = [fmt.date(x, lang) for x in weeks]
    month_ticks: tuple[list[str], list[str]] = ([], [])
    for label_text, wk_start in zip(week_labels, weeks, strict=True):
        if pd.Timestamp(wk_start).day <= 7:  # the first Monday of a month
            month_ticks[0].append(label_text)
            first_or_january = not month_ticks[1] or pd.Timestamp(wk_start).month == 1
            month_ticks[1].append(charts.month_tick(wk_start, lang, first_or_january))
    fig = charts.heatmap(z, ctx.frame(title, table="pleno"), x_labels=week_labels,
                         x_ticks=month_ticks if len(weeks) > 12 else None,
                         zmin=50, zmax=100, colorbar_title=ctx.t("pleno_score_scale"), hover_text=hover,
                         mark=not_held, mark_name=ctx.t("pleno_not_held"), blank_name=ctx.t("pleno_week_not_reported"))
    w.chart(fig, "pleno_mingguan", key="pleno_heat")

    left, right = st.columns(2)
    # --- outcome shares --------------------------------------------------------------
    with left:
        shares = query(ctx.wh, "pleno.pleno_outcome_shares", f.scope, f.period)
        shares = shares[shares["n"].fillna(0) > 0] if not shares.empty else shares
        if shares.empty:
            w.empty(ctx, ctx.t("col_outcome").lower(), hint=False)
        else:
            good = float(shares.loc[shares["outcome"] == "baik", "share"].sum())
            fig = charts.share_bar(
                shares, ctx.frame(ctx.t("pleno_shares_title", share=fmt.percent(good, 1, lang)), table="pleno",
                                  narrow=True),
                category="outcome", share="share", count="n",
                names={o: label("outcome", o, lang) for o in shares["outcome"]},
                colors={"baik": charts.BLUE, "cukup": charts.SKY, "kurang": charts.ORANGE,
                        "tidak_pleno": charts.VERMILLION})
            w.chart(fig, "pleno_hasil", key="pleno_shares")
    # --- trend -----------------------------------------------------------------------
    with right:
        trend = query(ctx.wh, "pleno.pleno_trend", f.scope, f.period, freq=f.period.trend_freq)
        trend = trend.dropna(subset=["compliance"]) if not trend.empty else trend
        if trend.empty:
            w.empty(ctx, ctx.t("col_compliance").lower(), hint=False)
        else:
            first, last = float(trend["compliance"].iloc[0]), float(trend["compliance"].iloc[-1])
            direction = "pleno_up" if last > first + 0.005 else "pleno_down" if last < first - 0.005 else "pleno_flat"
            title = ctx.t("pleno_trend_title", direction=ctx.t(direction), first=fmt.percent(first, 1, lang),
                          last=fmt.percent(last, 1, lang))
            if len(trend) == 1:  # one point: no direction to claim
                title = ctx.t("pleno_trend_one", rate=fmt.percent(last, 1, lang))
            fig = charts.trend_lines(trend, ctx.frame(title, table="pleno", narrow=True), x="period_start",
                                     y="compliance", percent=True, y_title=ctx.t("col_compliance"), height=420,
                                     y_range=(0, 1.05), weekly=f.period.trend_freq == "W")
            w.chart(fig, "pleno_tren", key="pleno_trend")

# --- ranking ---------------------------------------------------------------------------
st.subheader(ctx.t("pleno_ranking"))
ranked = comp[comp["reported"].astype(bool)] if not comp.empty else comp  # not reported: named above, not 0 %
if ranked.empty:
    w.empty(ctx, ctx.t("col_compliance").lower(), hint=False)
else:
    ranked = ranked.sort_values(["compliance", "mean_score", "region_name"], ascending=[False, False, True])
    best, worst = ranked.iloc[0], ranked.iloc[-1]
    # every body tied for the lowest, by name
    lowest = ctx.join_names(sorted(ranked.loc[ranked["compliance"] == worst["compliance"], "region_name"]))
    if len(ranked) > MAX_ROWS:  # the chart holds the lowest only: its title must not name a body it leaves out
        n_low = int((ranked["compliance"] < LOW).sum())
        title = ctx.t("pleno_rank_low_title" if n_low else "pleno_rank_none_low", n=fmt.number(n_low, 0, lang),
                      total=fmt.number(len(ranked), 0, lang), limit=fmt.percent(LOW, 0, lang),
                      worst=lowest, rate=fmt.percent(worst["compliance"], 1, lang))
        st.caption(ctx.t("pleno_top_n", n=MAX_ROWS, total=fmt.number(len(ranked), 0, lang)))
    elif len(ranked) == 1:
        title = ctx.t("pleno_rank_one", name=best["region_name"], rate=fmt.percent(best["compliance"], 1, lang))
    elif best["compliance"] == worst["compliance"]:  # all equal: none is the most or the least
        title = ctx.t("pleno_rank_all_equal", n=fmt.number(len(ranked), 0, lang),
                      rate=fmt.percent(best["compliance"], 1, lang))
    else:
        title = ctx.t("pleno_rank_title", best=ctx.leaders(ranked, "compliance", "region_name"),
                      worst=lowest, rate=fmt.percent(worst["compliance"], 1, lang))
    chart_rows = ranked.tail(MAX_ROWS) if len(ranked) > MAX_ROWS else ranked
    chart_rows = chart_rows.assign(low=chart_rows["compliance"] < LOW)
    fig = charts.value_bars(chart_rows, ctx.frame(title, table="pleno"), label="region_name", value="compliance",
                            percent=True, decimals=1, highlight="low", codes="region_code", x_range=(0, 1.15))
    w.chart(fig, "pleno_peringkat", key="pleno_rank")
    st.caption(ctx.t("pleno_rank_note", limit=fmt.percent(LOW, 0, lang)))
if not comp.empty:
    w.table(ctx, comp, "pleno_kepatuhan",
            {"rank": w.INT, "region_code": w.TEXT, "region_name": w.TEXT, "body": "body", "weeks_in_period": w.INT,
             "weeks_reported": w.INT, "weeks_held": w.INT, "compliance": w.PCT, "mean_score": w.FLOAT1},
            key="tbl_pleno")
