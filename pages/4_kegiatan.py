"""Kegiatan: supervision and outreach over time, by type and region, by day; sambang reach."""

from __future__ import annotations

import streamlit as st

import ui
from pantau import activity, fmt
from pantau.i18n import label
from ui import deck_buttons, maps, views
from ui import widgets as w
from ui.data import cached

ctx = ui.context()
f, lang = ctx.f, ctx.lang
w.header(ctx, "page_kegiatan")
deck_buttons.page(ctx, "kegiatan")

trend = cached(activity.activity_trend)(ctx.wh, f.scope, f.period, freq="M")
if trend.empty:
    w.empty(ctx, ctx.t("page_kegiatan").lower())
else:
    fig, types = views.activity_trend_chart(ctx, trend)
    w.chart(fig, "kegiatan_tren", key="act_trend")

    by_region = cached(activity.activity_by_region)(ctx.wh, f.scope, f.period)
    if by_region.empty:
        w.empty(ctx, ctx.t("levels_" + f.scope.child_level))
    else:
        maps.activity(ctx, by_region)
        w.chart(views.activity_region_chart(ctx, by_region, types), "kegiatan_wilayah", key="act_region")
    daily = cached(activity.activity_daily)(ctx.wh, f.scope, f.period)
    if daily.empty:
        w.empty(ctx, ctx.t("act_count").lower(), hint=False)
    else:
        w.chart(views.activity_calendar_chart(ctx, daily), "kegiatan_kalender", key="act_calendar",
                slides=False)  # not one of the deck's charts (ui.specs)

# --- sambang pengawasan reach ------------------------------------------------------------
st.subheader(label("type", "sambang_pengawasan", lang))
reach = cached(activity.sambang_reach)(ctx.wh, f.scope, f.period)
total = reach[reach["region_code"] == "TOTAL"] if not reach.empty else reach
if total.empty or float(total["desa_reached"].fillna(0).sum()) == 0:
    st.info(ctx.t("act_sambang_none", scope=ctx.scope_name), icon=":material/info:")
else:
    active = set(cached(activity.activity_by_region)(ctx.wh, f.scope, f.period)["region_code"])
    w.chart(views.sambang_chart(ctx, reach, active), "sambang_jangkauan", key="act_sambang")
if not reach.empty:
    w.table(ctx, reach, "sambang_jangkauan", {"region_code": w.TEXT, "region_name": w.TEXT, "desa_total": w.INT,
                                              "desa_reached": w.INT, "reach": w.PCT}, key="tbl_reach")

# --- the activities themselves --------------------------------------------------------------
st.subheader(ctx.t("act_list"))
acts = cached(activity.activity_list)(ctx.wh, f.scope, f.period, limit=w.MAX_ROWS)
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
