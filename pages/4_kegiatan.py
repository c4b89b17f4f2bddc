"""Kegiatan: supervision and outreach over time, by type and region, by day; sambang reach."""

from __future__ import annotations

import streamlit as st

import ui
from pantau import charts, fmt
from pantau.activity import TYPES
from pantau.i18n import label
from ui import maps
from ui import widgets as w
from ui.data import query

TOP_TYPES = 5
ONE_MONTH_DAYS = 31  # up to this, activities are counted by type, not drawn over time
OTHER = "lainnya"

ctx = ui.context()
f, lang = ctx.f, ctx.lang
w.header(ctx, "page_kegiatan")

trend = query(ctx.wh, "activity.activity_trend", f.scope, f.period, freq="M")
if trend.empty:
    w.empty(ctx, ctx.t("page_kegiatan").lower())
else:
    totals = trend.groupby("type")["n"].sum().sort_values(ascending=False)
    per_type = totals.rename("n").reset_index()
    per_type["type_label"] = [label("type", ty, lang) for ty in per_type["type"]]
    tied = int((totals == totals.iloc[0]).sum())
    title = ctx.t("act_trend_title", total=fmt.number(totals.sum(), 0, lang),
                  type=ctx.leaders(per_type, "n", "type_label"),
                  n=fmt.number(totals.iloc[0], 0, lang) + (f" {ctx.t('each')}" if tied > 1 else ""))
    # The five most frequent types keep their own line; the rest are summed as "Lainnya" (eleven lines are a tangle).
    keep = list(totals.index[:TOP_TYPES])
    if len(totals) > TOP_TYPES + 1:
        trend["type"] = trend["type"].where(trend["type"].isin(keep), OTHER)
        trend = trend.groupby(["period_start", "type"], as_index=False)[["n", "participants"]].sum()
        keep.append(OTHER)
    else:
        keep = list(totals.index)
    types = {ty: label("type", ty, lang) for ty in keep}
    types[OTHER] = ctx.t("other_types", n=len(totals) - TOP_TYPES)  # a sum of several: it may top the others
    colors = charts.category_colors(TYPES)  # a type keeps its colour in every chart, scope and period
    colors[OTHER] = charts.GREY
    if f.period.days <= ONE_MONTH_DAYS:  # by month a line is one point; by week its ends are part-weeks that dip
        fig = charts.value_bars(per_type, ctx.frame(title, table="activities"), label="type_label", value="n",
                                codes="type", colors=colors, x_title=ctx.t("act_count"))
    else:
        # "Semua" starts in 2017: the months before the first activity are no data, not quiet months
        first = trend["period_start"].min() if f.preset == "semua" else f.period.start
        fig = charts.trend_lines(trend, ctx.frame(title, table="activities"), x="period_start", y="n", color="type",
                                 color_names=types, y_title=ctx.t("act_count"), months=(first, f.period.end),
                                 colors=colors)
    w.chart(fig, "kegiatan_tren", key="act_trend")

    by_region = query(ctx.wh, "activity.activity_by_region", f.scope, f.period)
    if by_region.empty:
        w.empty(ctx, ctx.t("levels_" + f.scope.child_level))
    else:
        maps.activity(ctx, by_region)
        own = by_region["region_code"] == f.scope.code  # held by the scope's own office, not by one of its parts
        by_region.loc[own, "region_name"] = [ctx.t("own_level", name=n, level=ctx.t(f"level_{f.scope.level}"))
                                             for n in by_region.loc[own, "region_name"]]
        per = by_region.groupby(["region_code", "region_name"], as_index=False)["n"].sum()
        per = per.sort_values("n", ascending=False)
        order = list(per["region_name"])
        by_region["type"] = by_region["type"].where(by_region["type"].isin(keep), OTHER)
        by_region = by_region.groupby(["region_code", "region_name", "type"], as_index=False)["n"].sum()
        by_region["type_label"] = [types.get(ty, label("type", ty, lang)) for ty in by_region["type"]]
        by_region["rank"] = by_region["region_name"].map({n: i for i, n in enumerate(order)})
        by_region["type_rank"] = by_region["type"].map({ty: i for i, ty in enumerate(keep)})
        by_region = by_region.sort_values(["rank", "type_rank"])
        tied = int((per["n"] == per.iloc[0]["n"]).sum())
        key = ("act_region_title" if tied == 1 else "act_region_all_title" if tied == len(per)
               else "act_region_tie_title")
        title = ctx.t(key, name=ctx.leaders(per, "n", "region_name"), k=tied, n=fmt.number(per.iloc[0]["n"], 0, lang))
        fig = charts.value_bars(by_region, ctx.frame(title, table="activities"), label="region_name", value="n",
                                color_by="type_label", colors={types.get(k, k): c for k, c in colors.items()},
                                category_order=order)
        w.chart(fig, "kegiatan_wilayah", key="act_region")
    daily = query(ctx.wh, "activity.activity_daily", f.scope, f.period)
    if daily.empty:
        w.empty(ctx, ctx.t("act_count").lower(), hint=False)
    else:
        busiest = daily.sort_values(["n", "date"], ascending=[False, True]).iloc[0]
        k = int((daily["n"] == busiest["n"]).sum())
        title = ctx.t("act_calendar_title" if k == 1 else "act_calendar_tie_title", k=fmt.number(k, 0, lang),
                      date=fmt.date(busiest["date"], lang), n=fmt.number(busiest["n"], 0, lang))
        fig = charts.calendar(daily, ctx.frame(title, table="activities"), value_name=ctx.t("act_count").lower(),
                              span=(f.period.start, f.period.end))
        w.chart(fig, "kegiatan_kalender", key="act_calendar")

# --- sambang pengawasan reach ------------------------------------------------------------
st.subheader(label("type", "sambang_pengawasan", lang))
reach = query(ctx.wh, "activity.sambang_reach", f.scope, f.period)
total = reach[reach["region_code"] == "TOTAL"] if not reach.empty else reach
per_region = reach[reach["region_code"] != "TOTAL"] if not reach.empty else reach
if total.empty or float(total["desa_reached"].fillna(0).sum()) == 0:
    st.info(ctx.t("act_sambang_none", scope=ctx.scope_name), icon=":material/info:")
else:
    rate = float(total.iloc[0]["reach"])
    title = ctx.t("act_sambang_title", rate=fmt.percent(rate, 1, lang), scope=ctx.scope_name)
    per_region = per_region.sort_values(["reach", "region_name"], ascending=[False, True])
    # a region with no activity reported at all reads 0% because nothing came in, not because nobody went
    active = set(query(ctx.wh, "activity.activity_by_region", f.scope, f.period)["region_code"])
    silent = ~per_region["region_code"].isin(active)
    per_region.loc[silent, "region_name"] = [ctx.t("no_reports", name=n) for n in per_region.loc[silent, "region_name"]]
    fig = charts.value_bars(per_region, ctx.frame(title, table="activities"), label="region_name", value="reach",
                            percent=True, decimals=1)
    w.chart(fig, "sambang_jangkauan", key="act_sambang")
if not reach.empty:
    w.table(ctx, reach, "sambang_jangkauan", {"region_code": w.TEXT, "region_name": w.TEXT, "desa_total": w.INT,
                                              "desa_reached": w.INT, "reach": w.PCT}, key="tbl_reach")

# --- the activities themselves --------------------------------------------------------------
st.subheader(ctx.t("act_list"))
acts = query(ctx.wh, "activity.activity_list", f.scope, f.period, limit=w.MAX_ROWS)
if acts.empty:
    w.empty(ctx, ctx.t("act_list").lower(), hint=False)
else:
    if len(acts) >= w.MAX_ROWS:
        st.caption(ctx.t("act_list_limit", n=fmt.number(w.MAX_ROWS, 0, lang)))
    acts["organizer_name"] = acts["organizer_code"].map(ctx.name)  # a name reads better than '11.08.20'
    # names before codes: at 1280 px the codes are what scrolls out of sight
    w.table(ctx, acts, "kegiatan", {"date": w.DATE, "type": "type", "title": w.TEXT, "region_name": w.TEXT,
                                    "organizer_name": w.TEXT, "participants": w.INT, "region_code": w.TEXT,
                                    "organizer_code": w.TEXT},
            key="tbl_acts", height=420)
