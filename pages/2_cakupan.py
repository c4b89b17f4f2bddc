"""Cakupan wilayah: seats filled against what the law mandates, by body and by region, with drill-down."""

from __future__ import annotations

import streamlit as st

import ui
from pantau import charts, coverage, fmt
from pantau.i18n import label
from ui import maps
from ui import widgets as w
from ui.data import query
from ui.state import page_select, set_scope

ctx = ui.context()
f, lang = ctx.f, ctx.lang
w.header(ctx, "page_cakupan")
legend = {"full": ctx.t("legend_full"), "short": ctx.t("legend_short"), "over": ctx.t("legend_over")}


def _hover(df, name_col: str) -> list[str]:
    return [ctx.t("hover_fill", name=n, filled=fmt.number(fl, 0, lang), seats=fmt.number(se, 0, lang),
                  rate=fmt.percent(r, 1, lang))
            for n, fl, se, r in zip(df[name_col], df["filled"], df["seats"], df["fill_rate"], strict=True)]


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
by_body = query(ctx.wh, "coverage.fill_rate_by_body", f.scope, f.as_of, f.election)
by_body = by_body[by_body["seats"].fillna(0) > 0] if not by_body.empty else by_body
if by_body.empty:
    w.empty(ctx, ctx.t("page_cakupan").lower())
    st.stop()

by_body["label"] = [label("body", b, lang) for b in by_body["body"]]
by_body["hover"] = _hover(by_body, "label")
gap_body = coverage.shortfall_body(by_body)  # a body nobody reported is not "0 % filled"
if not by_body["reported"].fillna(False).astype(bool).any():
    title = ctx.t("cov_by_body_none_reported", scope=ctx.scope_name)
elif gap_body is None:
    title = ctx.t("cov_by_body_all_full", scope=ctx.scope_name)
else:
    low = by_body[by_body["body"] == gap_body].iloc[0]
    title = ctx.t("cov_by_body_lowest", body=low["label"], rate=fmt.percent(low["fill_rate"], 1, lang),
                  scope=ctx.scope_name)
for row in by_body[by_body["mismatch"].fillna(False).astype(bool)].itertuples(index=False):
    key = "cov_mismatch_pkd" if row.body == "pkd" else "cov_mismatch"
    st.warning(ctx.t(key, filled=fmt.number(row.filled, 0, lang), seats=fmt.number(row.seats, 0, lang),
                     body=label("body", row.body, lang), where=ctx.scope_name), icon=":material/error:")
for row in by_body[by_body["filled"].fillna(0) == 0].itertuples(index=False):
    st.info(ctx.t("cov_no_personnel", body=label("body", row.body, lang), seats=fmt.number(row.seats, 0, lang),
                  scope=ctx.scope_name), icon=":material/person_off:")
fig = charts.rate_bars(by_body, ctx.frame(title, table="personnel", when=ctx.as_of_text()), label="label",
                       rate="fill_rate", codes="body", hover="hover", names=legend, axis_from=ctx.t("axis_from"))
w.chart(fig, "cakupan_lembaga", key="cov_bodies")

# --- by region, drillable ---------------------------------------------------------------
st.subheader(ctx.t("levels_" + f.scope.child_level).capitalize())
bodies = list(by_body["body"])
default_body = gap_body or ("panwaslu_kecamatan" if "panwaslu_kecamatan" in bodies else bodies[0])  # the headline's
body = page_select(ctx.t("cov_pick_body"), "lembaga", bodies, default_body, lang,
                   format_func=lambda b: label("body", b, lang))
child = query(ctx.wh, "coverage.fill_rate", f.scope, f.as_of, f.election, body=body)
child = child[child["seats"].fillna(0) > 0] if not child.empty else child
drillable = f.scope.level != "kabkota"
if child.empty:
    w.empty(ctx, label("body", body, lang))
else:
    child = child.sort_values(["fill_rate", "region_name"], ascending=[True, True]).reset_index(drop=True)
    child["hover"] = _hover(child, "region_name")
    maps.coverage(ctx, child, body)
    n_full, n_over = coverage.full_and_over(child)  # more members than seats is a mismatch, not "full"
    title = ctx.t("cov_children_title_over" if n_over else "cov_children_title", full=fmt.number(n_full, 0, lang),
                  total=fmt.number(len(child), 0, lang), over=fmt.number(n_over, 0, lang),
                  level=ctx.t("levels_" + f.scope.child_level), body=label("body", body, lang))
    if drillable:
        st.caption(ctx.t("cov_drill_hint"))
    fig = charts.rate_bars(child, ctx.frame(title, table="personnel", when=ctx.as_of_text()), label="region_name",
                           rate="fill_rate", codes="region_code", hover="hover", names=legend,
                           axis_from=ctx.t("axis_from"))
    event = w.chart(fig, f"cakupan_{body}", key=f"cov_child_{f.scope.param}_{body}",
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
gaps = query(ctx.wh, "coverage.gaps", f.scope, f.as_of, f.election)
if gaps.empty:
    st.success(ctx.t("cov_no_gaps", scope=ctx.scope_name), icon=":material/check_circle:")
else:
    empty_bodies = gaps[(gaps["issue"] == "kosong") & gaps["reported"].astype(bool)]  # as Ringkasan counts them
    if not empty_bodies.empty:
        st.warning(ctx.t("cov_uncovered", n=fmt.number(len(empty_bodies), 0, lang)), icon=":material/location_off:")
    w.table(ctx, gaps, "kekurangan",
            {"region_code": w.TEXT, "region_name": w.TEXT, "level": "level", "parent_name": w.TEXT, "body": "body",
             "seats": w.INT, "filled": w.INT, "gap": w.INT, "issue": "issue"}, key="tbl_gaps", height=420)
