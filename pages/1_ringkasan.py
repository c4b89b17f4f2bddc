"""Ringkasan: the state of the scope at a glance: headline numbers against the previous period, worst gaps."""

from __future__ import annotations

import streamlit as st

import ui
from pantau import charts, fmt
from pantau.filters import EARLIEST
from pantau.i18n import has, label
from ui import maps
from ui import widgets as w
from ui.data import query

ctx = ui.context()
f, lang = ctx.f, ctx.lang
w.header(ctx, "page_ringkasan")

# --- headline numbers -----------------------------------------------------------------
st.subheader(ctx.t("sum_headline"))
heads = query(ctx.wh, "summary.headline", f.scope, f.period, f.election)
previous = f.period.previous()
comparable = previous.end >= EARLIEST  # before 2017 nothing can be loaded: '+58.164' against it says nothing
if heads.empty:
    w.empty(ctx, ctx.t("sum_headline").lower())
else:
    st.caption(ctx.t("sum_vs_previous", period=fmt.date_range(previous.start, previous.end, lang)) if comparable
               else ctx.t("sum_no_previous"))
    cols = st.columns(min(4, len(heads)))
    for i, row in enumerate(heads.itertuples(index=False)):
        share = str(row.unit) == "share"
        dec = 1 if share or str(row.unit) == "score" else 0
        key = f"metric_{row.metric}"
        name = ctx.t(key) if has(key) else str(row.metric).replace("_", " ")

        def show(v: object, share: bool = share, dec: int = dec) -> str:
            return fmt.percent(v, dec, lang) if share else fmt.number(v, dec, lang)

        change = None
        if comparable and not fmt.is_missing(row.change):
            change = (fmt.signed(float(row.change) * 100, 1, lang, " " + ctx.t("points")) if share
                      else fmt.signed(row.change, dec, lang))
        change = change.replace("−", "-") if change else change  # st.metric reads the direction from "-"
        still = bool(change and change.startswith("±"))  # no change: grey and no arrow, not a green "↑ ±0"
        cols[i % len(cols)].metric(
            name, show(row.value), change, border=True, delta_arrow="off" if still else "auto",
            delta_color="off" if still else "inverse" if row.metric == "units_empty" else "normal",
            help=f"**{ctx.t(key + '_help') if has(key + '_help') else name}**  \n"
                 f"{ctx.t('col_previous')}: {show(row.previous)}")

# --- what nobody reported: missing data, left out of the figures and the gaps ---------------
missing = query(ctx.wh, "summary.unreported", f.scope, f.as_of, f.election)
if not missing.empty:
    groups: dict[tuple[str, ...], list[str]] = {}  # bodies missing in the same regions are named together
    for body, rows in missing.groupby("body", sort=False):
        groups.setdefault(tuple(rows["region_code"]), []).append(str(body))
    items = []
    for codes, bodies in groups.items():
        rows = missing[missing["region_code"].isin(codes) & missing["body"].isin(bodies)]
        places = list(dict.fromkeys(rows["region_name"]))
        where = ctx.join_names(places, limit=3) if len(places) <= 3 else ctx.t("sum_unreported_many", n=len(places))
        items.append(ctx.t("sum_unreported_item", body=ctx.join_names([label("body", b, lang) for b in bodies],
                                                                       limit=len(bodies)),
                           where=where, seats=fmt.number(rows["seats"].sum(), 0, lang)))
    st.info(ctx.t("sum_unreported", items="; ".join(items)), icon=":material/report:")
# bodies with no pleno week reported in the period: left out of the pleno compliance above, named here
w.pleno_not_reported(ctx, query(ctx.wh, "pleno.not_reported", f.scope, f.period))

maps.coverage(ctx, query(ctx.wh, "coverage.fill_rate", f.scope, f.as_of, f.election))

# --- fill rate by body (the coverage headline) ------------------------------------------
by_body = query(ctx.wh, "coverage.fill_rate_by_body", f.scope, f.as_of, f.election)
# a body nobody in the scope reported is named above, not drawn as a 0% bar
by_body = by_body[(by_body["seats"].fillna(0) > 0) & by_body["reported"].astype(bool)] if not by_body.empty \
    else by_body
# Full width, one under the other: readable on a projector, and the legend has room.
if by_body.empty:
    w.empty(ctx, ctx.t("page_cakupan").lower())
else:
    by_body["label"] = [label("body", b, lang) for b in by_body["body"]]
    by_body["hover"] = [ctx.t("hover_fill", name=lb, filled=fmt.number(fl, 0, lang), seats=fmt.number(se, 0, lang),
                              rate=fmt.percent(r, 1, lang))
                        for lb, fl, se, r in zip(by_body["label"], by_body["filled"], by_body["seats"],
                                                 by_body["fill_rate"], strict=True)]
    fig = charts.rate_bars(
        by_body, ctx.frame(ctx.t("sum_bodies_title", scope=ctx.scope_name), table="personnel",
                           when=ctx.as_of_text()),
        label="label", rate="fill_rate", codes="body", hover="hover",
        names={"full": ctx.t("legend_full"), "short": ctx.t("legend_short"), "over": ctx.t("legend_over")},
        axis_from=ctx.t("axis_from"))
    w.chart(fig, "ringkasan_keterisian", key="sum_bodies")

# --- worst gaps -----------------------------------------------------------------------
# every gap (a few hundred at most: child regions x 5 bodies), so that a tie for the largest is named in full
every_gap = query(ctx.wh, "summary.worst_gaps", f.scope, f.as_of, f.election, n=10_000)
every_gap = every_gap[every_gap["gap"].fillna(0) > 0] if not every_gap.empty else every_gap
gaps = every_gap.head(5).copy()
if gaps.empty:
    st.success(ctx.t("sum_no_gaps", scope=ctx.scope_name), icon=":material/check_circle:")
else:
    gaps["body_label"] = [label("body", b, lang) for b in gaps["body"]]
    gaps["label"] = [f"{n} · {b}" for n, b in zip(gaps["region_name"], gaps["body_label"], strict=True)]
    top = gaps.iloc[0]
    tied = every_gap[every_gap["gap"] == top["gap"]]
    if len(tied) == 1:
        title = ctx.t("sum_gaps_title", name=top["region_name"], gap=fmt.number(top["gap"], 0, lang),
                      body=top["body_label"])
    elif tied["body"].nunique() == 1:  # 'Metro Pusat dan Metro Utara kurang 1 PTPS masing-masing'
        title = ctx.t("sum_gaps_tied", names=ctx.join_names(list(tied["region_name"])),
                      gap=fmt.number(top["gap"], 0, lang), body=top["body_label"])
    else:
        names = [f"{n} ({label('body', b, lang)})" for n, b in zip(tied["region_name"], tied["body"], strict=True)]
        title = ctx.t("sum_gaps_tied_mixed", names=ctx.join_names(names), gap=fmt.number(top["gap"], 0, lang))
    fig = charts.value_bars(gaps, ctx.frame(title, table="personnel", when=ctx.as_of_text()),
                            label="label", value="gap", codes="region_code", x_title=ctx.t("sum_gap_axis"))
    w.chart(fig, "ringkasan_kekurangan", key="sum_gaps")

if not gaps.empty:
    st.subheader(ctx.t("sum_worst_gaps"))
    w.table(ctx, gaps, "kekurangan_terbesar",
            {"region_code": w.TEXT, "region_name": w.TEXT, "body": "body", "seats": w.INT, "filled": w.INT,
             "gap": w.INT}, key="tbl_gaps")
