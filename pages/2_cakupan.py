"""Cakupan wilayah: seats filled against what the law mandates, by body and by region, with drill-down."""

from __future__ import annotations

import streamlit as st

import ui
from pantau import coverage, fmt
from pantau.i18n import label
from ui import deck_buttons, maps, views
from ui import widgets as w
from ui.data import cached
from ui.state import page_param, page_select, set_scope

ctx = ui.context()
f, lang = ctx.f, ctx.lang
w.header(ctx, "page_cakupan")


def _drill(code: str | None) -> None:
    """Go one level down (or up): the scope changes in the URL and the page reruns."""
    if code and code != f.scope.code:
        set_scope(code)
        st.rerun()


if f.scope.level != "nasional":
    up = f.scope.parent
    if st.button(ctx.t("up_one_level", name=ctx.name(up.code)), icon=":material/arrow_upward:"):
        _drill(up.param)

# --- fill rate by body ----------------------------------------------------------------
by_body = cached(coverage.fill_rate_by_body)(ctx.wh, f.scope, f.as_of, f.election, only_seated=True)
if by_body.empty:
    w.empty(ctx, ctx.t("page_cakupan").lower())
    st.stop()
bodies = list(by_body["body"])
gap_body = coverage.shortfall_body(by_body)  # a body nobody reported is not "0 % filled"
default_body = gap_body or ("panwaslu_kecamatan" if "panwaslu_kecamatan" in bodies else bodies[0])  # the headline's
asked = page_param("lembaga")
deck_buttons.page(ctx, "cakupan", [asked if asked in bodies else default_body])  # the body the breakdown shows

warnings, notes = views.coverage_notes(ctx, by_body)
for text in warnings:
    st.warning(text, icon=":material/error:")
for text in notes:
    st.info(text, icon=":material/person_off:")
w.chart(views.fill_by_body_chart(ctx, by_body, name_lowest=True), "cakupan_lembaga", key="cov_bodies")
w.table(ctx, views.by_body_rows(ctx, by_body, cached(coverage.region_counts)(ctx.wh, f.scope)), "cakupan_lembaga",
        {"body": "body", "places": w.TEXT, "seats": w.INT, "filled": w.INT, "fill_rate": w.PCT}, key="tbl_bodies")

# --- by region, drillable ---------------------------------------------------------------
st.subheader(ctx.t("levels_" + f.scope.child_level).capitalize())
body = page_select(ctx.t("cov_pick_body"), "lembaga", bodies, default_body, lang,
                   format_func=lambda b: label("body", b, lang))
child = cached(coverage.fill_rate)(ctx.wh, f.scope, f.as_of, f.election, body=body, only_seated=True,
                                   lowest_first=True)
drillable = f.scope.level != "kabkota"
if child.empty:
    w.empty(ctx, label("body", body, lang))
else:
    maps.coverage(ctx, child, body)
    if drillable:
        st.caption(ctx.t("cov_drill_hint"))
    event = w.chart(views.children_chart(ctx, child, body), f"cakupan_{body}", key=f"cov_child_{f.scope.param}_{body}",
                    on_select="rerun" if drillable else "ignore")
    if drillable and event is not None:
        points = (event.get("selection") or {}).get("points") or []
        if points and points[0].get("customdata"):
            _drill(points[0]["customdata"][0])
    rows = w.table(ctx, child, f"cakupan_{body}",
                   {"region_code": w.TEXT, "region_name": w.TEXT, "body": "body", "seats": w.INT,
                    "filled": w.INT, "fill_rate": w.PCT, "mismatch": w.BOOL},
                   key=f"tbl_cov_{f.scope.param}_{body}", on_select=drillable)
    if drillable and rows:
        _drill(str(child.iloc[rows[0]]["region_code"]))

# --- the gaps, named ------------------------------------------------------------------
st.subheader(ctx.t("cov_gaps_title"))
gaps = cached(coverage.gaps)(ctx.wh, f.scope, f.as_of, f.election)
if gaps.empty:
    st.success(ctx.t("cov_no_gaps", scope=ctx.scope_name), icon=":material/check_circle:")
else:
    empty_bodies = gaps[(gaps["issue"] == "kosong") & gaps["reported"].astype(bool)]  # as Ringkasan counts them
    if not empty_bodies.empty:
        st.warning(ctx.t("cov_uncovered", n=fmt.number(len(empty_bodies), 0, lang)), icon=":material/location_off:")
    w.table(ctx, gaps, "kekurangan",
            {"region_code": w.TEXT, "region_name": w.TEXT, "level": "level", "parent_name": w.TEXT, "body": "body",
             "seats": w.INT, "filled": w.INT, "gap": w.INT, "issue": "issue"}, key="tbl_gaps", height=420)
