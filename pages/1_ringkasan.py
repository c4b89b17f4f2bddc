"""Ringkasan: the state of the scope at a glance: headline numbers against the previous period, worst gaps."""

from __future__ import annotations

import streamlit as st

import ui
from pantau import coverage, fmt, pleno, summary
from pantau.filters import EARLIEST
from ui import deck_buttons, maps, views
from ui import widgets as w
from ui.data import cached

ctx = ui.context()
f, lang = ctx.f, ctx.lang
w.header(ctx, "page_ringkasan")
deck_buttons.page(ctx, "ringkasan")

# --- headline numbers -----------------------------------------------------------------
st.subheader(ctx.t("sum_headline"))
heads = cached(summary.headline)(ctx.wh, f.scope, f.period, f.election)
previous = f.period.previous()
comparable = previous.end >= EARLIEST  # before 2017 nothing can be loaded: '+58.164' against it says nothing
if heads.empty:
    w.empty(ctx, ctx.t("sum_headline").lower())
else:
    st.caption(ctx.t("sum_vs_previous", period=fmt.date_range(previous.start, previous.end, lang)) if comparable
               else ctx.t("sum_no_previous"))
    cols = st.columns(min(4, len(heads)))
    for i, card in enumerate(views.headline_cards(ctx, heads, comparable)):
        cols[i % len(cols)].metric(
            card.name, card.value, card.change, border=True, delta_arrow="off" if card.still else "auto",
            delta_color="off" if card.still else "inverse" if card.inverse else "normal", help=card.help)

# --- what nobody reported: missing data, left out of the figures and the gaps ---------------
missing = cached(summary.unreported)(ctx.wh, f.scope, f.as_of, f.election)
if not missing.empty:
    st.info(views.unreported_text(ctx, missing), icon=":material/report:")
# bodies with no pleno week reported in the period: left out of the pleno compliance above, named here
w.pleno_not_reported(ctx, cached(pleno.not_reported)(ctx.wh, f.scope, f.period))

maps.coverage(ctx, cached(coverage.fill_rate)(ctx.wh, f.scope, f.as_of, f.election))

# --- fill rate by body (the coverage headline) ------------------------------------------
# a body nobody in the scope reported is named above, not drawn as a 0% bar
by_body = cached(coverage.fill_rate_by_body)(ctx.wh, f.scope, f.as_of, f.election, only_seated=True,
                                             only_reported=True)
# Full width, one under the other: readable on a projector, and the legend has room.
if by_body.empty:
    w.empty(ctx, ctx.t("page_cakupan").lower())
else:
    w.chart(views.fill_by_body_chart(ctx, by_body, name_lowest=False), "ringkasan_keterisian", key="sum_bodies")

# --- worst gaps -----------------------------------------------------------------------
# every gap (a few hundred at most: child regions x 5 bodies), so that a tie for the largest is named in full
every_gap = cached(summary.worst_gaps)(ctx.wh, f.scope, f.as_of, f.election, n=10_000)
every_gap = every_gap[every_gap["gap"].fillna(0) > 0] if not every_gap.empty else every_gap
gaps = views.gap_labels(ctx, every_gap.head(5))
if gaps.empty:
    st.success(ctx.t("sum_no_gaps", scope=ctx.scope_name), icon=":material/check_circle:")
else:
    w.chart(views.worst_gaps_chart(ctx, every_gap, gaps), "ringkasan_kekurangan", key="sum_gaps")
    st.subheader(ctx.t("sum_worst_gaps"))
    w.table(ctx, gaps, "kekurangan_terbesar",
            {"region_code": w.TEXT, "region_name": w.TEXT, "body": "body", "seats": w.INT, "filled": w.INT,
             "gap": w.INT}, key="tbl_gaps")
