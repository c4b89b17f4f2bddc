"""Kualitas data: what the ETL runs loaded and rejected, and how fresh each table is."""

from __future__ import annotations

import streamlit as st

import ui
from pantau import charts, fmt
from pantau.i18n import label
from ui import maps
from ui import widgets as w
from ui.data import query

ctx = ui.context()
f, lang = ctx.f, ctx.lang
w.header(ctx, "page_kualitas")
st.caption(ctx.t("q_version", version=ctx.wh.version))
when = ctx.t("data_as_of", date=fmt.date(f.today, lang))

# --- freshness -------------------------------------------------------------------------
st.subheader(ctx.t("q_freshness"))
fresh = query(ctx.wh, "quality.freshness")
# The run log's date is when the ETL ran, not how recent the data is: it stays in the table, not in the chart.
dated = fresh[fresh["table"] != "etl_runs"].dropna(subset=["data_date"]) if not fresh.empty else fresh
if dated.empty:
    w.empty(ctx, ctx.t("q_freshness").lower(), hint=False)
else:
    dated = dated.assign(data_date=[fmt.to_date(d) for d in dated["data_date"]])
    newest = max(dated["data_date"])
    dated["age_days"] = [(newest - d).days for d in dated["data_date"]]
    dated = dated.sort_values("age_days", ascending=False)
    dated["table_label"] = [f"{label('table', tb, lang)} · {fmt.date(d, lang)}"
                            for tb, d in zip(dated["table"], dated["data_date"], strict=True)]
    oldest = dated.iloc[0]
    title = ctx.t("q_fresh_title", date=fmt.date(newest, lang), table=label("table", oldest["table"], lang),
                  old=fmt.date(oldest["data_date"], lang))
    fig = charts.value_bars(dated, ctx.frame(title, when=when, whole=True), label="table_label", value="age_days",
                            x_title=ctx.t("q_days_old"))
    w.chart(fig, "kesegaran_data", key="q_fresh")
if not fresh.empty:
    w.table(ctx, fresh, "kesegaran", {"table": "table", "rows": w.INT, "data_date": w.DATE, "loaded_at": w.DATETIME},
            key="tbl_fresh")

# --- rejected rows ---------------------------------------------------------------------
st.subheader(ctx.t("q_rejects"))
rej = query(ctx.wh, "quality.rejects")
if rej.empty:
    st.success(ctx.t("q_no_rejects"), icon=":material/check_circle:")
else:
    # Reasons quote the rejected value, so they rarely repeat: count them by the rule they broke instead.
    problems = query(ctx.wh, "quality.reject_checks", lang).rename(columns={"name": "label"})
    top = problems.iloc[0]
    if int((problems["n"] == top["n"]).sum()) > 1:  # several problems share the most: none of them is "the most"
        title = ctx.t("q_problems_spread_title", n=fmt.number(len(rej), 0, lang),
                      k=fmt.number(len(problems), 0, lang))
    else:
        title = ctx.t("q_problems_title", n=fmt.number(len(rej), 0, lang), problem=fmt.lower_first(top["label"]),
                      k=fmt.number(top["n"], 0, lang))
    by_reason = problems.head(25)
    fig = charts.value_bars(by_reason, ctx.frame(title, when=when, whole=True), label="label", value="n")
    w.chart(fig, "baris_ditolak", key="q_rejects")
    # the reason where it is read at 1280 px; the run, the same on most rows, last
    w.table(ctx, rej, "baris_ditolak", {"source": w.TEXT, "row": w.INT, "column": w.TEXT, "value": w.TEXT,
                                        "reason": w.TEXT, "check": w.TEXT, "table": "table", "run_id": w.TEXT},
            key="tbl_rejects", height=400)

# --- ETL runs --------------------------------------------------------------------------
st.subheader(ctx.t("q_runs"))
runs = query(ctx.wh, "quality.etl_runs")
if runs.empty:
    st.info(ctx.t("q_no_runs"), icon=":material/info:")
else:
    last = runs.sort_values("started_at").iloc[-1]
    st.caption(ctx.t("q_last_run", run=last["run_id"], status=label("status", last["status"], lang),
                     date=fmt.date(last["finished_at"], lang)))
    refused = query(ctx.wh, "quality.refused")
    if not refused.empty:  # build --keep-going set sources aside
        st.warning(ctx.t("q_refused", n=fmt.number(len(refused), 0, lang)), icon=":material/block:")
        w.table(ctx, refused, "sumber_dilewati", {"source": w.TEXT, "message": w.TEXT, "rows_kept": w.INT},
                key="tbl_refused")
    w.table(ctx, runs, "etl_runs", {"run_id": w.TEXT, "started_at": w.DATETIME, "finished_at": w.DATETIME,
                                    "status": "status", "rows_read": w.INT, "rows_loaded": w.INT,
                                    "rows_rejected": w.INT, "message": w.TEXT}, key="tbl_runs")

maps.boundary_report(ctx)  # the map's boundary files against the region list
