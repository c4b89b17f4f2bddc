"""Kualitas data: what the ETL runs loaded and rejected, and how fresh each table is."""

from __future__ import annotations

import streamlit as st

import ui
from pantau import audit, fmt, quality
from pantau.i18n import label
from ui import deck_buttons, maps, views
from ui import widgets as w
from ui.data import cached

ctx = ui.context()
f, lang = ctx.f, ctx.lang
w.header(ctx, "page_kualitas")
deck_buttons.page(ctx, "kualitas")
st.caption(ctx.t("q_version", version=ctx.wh.version))
when = ctx.t("data_as_of", date=fmt.date(f.today, lang))

# --- freshness -------------------------------------------------------------------------
st.subheader(ctx.t("q_freshness"))
fresh = cached(quality.freshness)(ctx.wh)
fig = views.freshness_chart(ctx, fresh, when)
if fig is None:
    w.empty(ctx, ctx.t("q_freshness").lower(), hint=False)
else:
    w.chart(fig, "kesegaran_data", key="q_fresh")
if not fresh.empty:
    w.table(ctx, fresh, "kesegaran", {"table": "table", "rows": w.INT, "data_date": w.DATE, "loaded_at": w.DATETIME},
            key="tbl_fresh")

# --- rejected rows ---------------------------------------------------------------------
if ctx.user.reads_audit:  # rejects quote source rows of every region: the national office only
    st.subheader(ctx.t("q_rejects"))
    rej = cached(quality.rejects)(ctx.wh)
    if rej.empty:
        st.success(ctx.t("q_no_rejects"), icon=":material/check_circle:")
    else:
        # Reasons quote the rejected value, so they rarely repeat: count them by the rule they broke instead.
        checks = cached(quality.reject_checks)(ctx.wh, lang)
        fig = views.checks_chart(ctx, checks, len(rej), when)
        w.chart(fig, "baris_ditolak", key="q_rejects")
        # the reason where it is read at 1280 px; the run, the same on most rows, last
        w.table(ctx, rej, "baris_ditolak", {"source": w.TEXT, "row": w.INT, "column": w.TEXT, "value": w.TEXT,
                                            "reason": w.TEXT, "check": w.TEXT, "table": "table", "run_id": w.TEXT},
                key="tbl_rejects", height=400)

# --- ETL runs --------------------------------------------------------------------------
st.subheader(ctx.t("q_runs"))
runs = cached(quality.etl_runs)(ctx.wh)
if runs.empty:
    st.info(ctx.t("q_no_runs"), icon=":material/info:")
else:
    last = runs.sort_values("started_at").iloc[-1]
    st.caption(ctx.t("q_last_run", run=last["run_id"], status=label("status", last["status"], lang),
                     date=fmt.date(last["finished_at"], lang)))
    refused = cached(quality.refused)(ctx.wh)
    if not refused.empty:  # build --keep-going set sources aside
        st.warning(ctx.t("q_refused", n=fmt.number(len(refused), 0, lang)), icon=":material/block:")
        w.table(ctx, refused, "sumber_dilewati", {"source": w.TEXT, "message": w.TEXT, "rows_kept": w.INT},
                key="tbl_refused")
    w.table(ctx, runs, "etl_runs", {"run_id": w.TEXT, "started_at": w.DATETIME, "finished_at": w.DATETIME,
                                    "status": "status", "rows_read": w.INT, "rows_loaded": w.INT,
                                    "rows_rejected": w.INT, "message": w.TEXT}, key="tbl_runs")

maps.boundary_report(ctx)  # the map's boundary files against the region list

# --- audit log (nasional only) ---------------------------------------------------------
if ctx.user.reads_audit:
    st.subheader(ctx.t("audit_title"))
    events = audit.read()
    if events.empty:
        st.info(ctx.t("audit_empty"), icon=":material/info:")
    else:
        st.dataframe(events, hide_index=True, key="tbl_audit", height=300)
