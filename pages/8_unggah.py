"""Unggah data: drop an office's files, see every problem and what would change, then publish (etl/uploads.py)."""

from __future__ import annotations

import streamlit as st

import ui
from etl import spec
from etl import uploads as up
from pantau import fmt, uploading
from pantau.i18n import label
from ui import uploads as session
from ui import widgets as w
from ui.auth import address
from ui.data import warehouse_root

ctx = ui.context()
lang = ctx.lang
w.header(ctx, "page_unggah")
if not uploading.may_upload(ctx.user):  # pembaca reads only
    st.info(ctx.t("up_reader"), icon=":material/lock:")
    st.stop()
st.caption(ctx.t("up_intro"))
if (own := uploading.upload_scope(ctx.user)) is not None:
    st.caption(ctx.t("up_own_region", region=ctx.name(own)))
root = warehouse_root()
session.sweep_old()


def n(value: int) -> str:
    return fmt.number(value, 0, lang)


with st.expander(ctx.t("up_templates"), icon=":material/download:"):
    row = st.container(horizontal=True)
    for kind in up.KINDS:
        row.download_button(label("table", kind, lang) if kind != "seats_reference" else spec.SOURCES[kind].title,
                            session.template(kind), file_name=f"{kind}.xlsx", key=f"up_tpl_{kind}",
                            on_click="ignore", icon=":material/table:")

kind = st.selectbox(ctx.t("up_kind"), ["", *up.KINDS], key="up_kind",
                    format_func=lambda k: ctx.t("up_kind_auto") if not k else spec.SOURCES[k].title)
files = st.file_uploader(ctx.t("up_drop"), accept_multiple_files=True, key="up_files",
                         help=ctx.t("up_limit", mb=n(up.max_upload_bytes() // 2**20)))
if files and up.replaces_sample(root):
    st.warning(ctx.t("up_sample"), icon=":material/science:")

ready: list[up.Staged] = []
ready_files: list = []  # the page's files of `ready`
session.keep_only(files or [])
for i, file in enumerate(files or []):
    st.subheader(file.name)
    if (version := session.published_version(file)) is not None:
        st.success(ctx.t("up_done_before", version=version), icon=":material/check_circle:")
        continue
    first = session.stage(ctx.user, file, kind or None, {})
    asked = session.fields(first)
    own = session.prefill(ctx.user, file, first, asked)
    given = session.given_values(file, asked)
    staged = session.stage(ctx.user, file, kind or None, given) if given else first
    if isinstance(staged, up.NeedsValues):  # the columns still missing once the values given are used
        st.warning(str(staged), icon=":material/edit_note:")
    if asked:
        st.markdown(f"**{ctx.t('up_values')}**")
        st.caption(ctx.t("up_values_help"))
        for column, filled in asked.items():
            st.text_input(column, value=filled.value if filled else "", key=session.value_key(file, column))
            st.caption(ctx.t("up_value_read", what=filled.describe()) if filled else
                       ctx.t("up_value_account", what=f"{ctx.name(own[column])} ({own[column]})")
                       if session.from_account(file, column, own) else ctx.t("up_value_none"))
    if isinstance(staged, up.UploadRefused):
        if not isinstance(staged, up.NeedsValues):
            st.error(uploading.said(staged, lang), icon=":material/block:")
        continue
    rep = staged.report
    st.markdown(ctx.t("up_counts", table=spec.SOURCES[staged.table].title, read=n(rep.rows_read), ok=n(rep.rows_ok),
                      bad=n(rep.rows_rejected)))
    with st.expander(ctx.t("up_headers")):
        st.dataframe(w.display_frame(staged.headers, {"column": w.TEXT, "header": w.TEXT}, lang)
                     .set_axis([ctx.t("col_pantau_column"), ctx.t("col_header")], axis=1),
                     hide_index=True, key=f"up_hdr_{i}")
        for note in rep.log.notes:
            st.caption(note)
        if rep.log.unknown_columns:
            st.caption(ctx.t("up_ignored", cols=", ".join(rep.log.unknown_columns)))
    if rep.rows_rejected:
        st.markdown(f"**{ctx.t('up_problems')}**")
        st.dataframe(w.display_frame(staged.problems, {"row": w.INT, "column": w.TEXT, "value": w.TEXT,
                                                       "reason": w.TEXT}, lang),
                     hide_index=True, key=f"up_bad_{i}")
        st.download_button(ctx.t("up_download_bad"), up.set_aside_xlsx(staged), key=f"up_dl_{i}",
                           file_name=f"perbaiki_{staged.name.rsplit('.', 1)[0]}.xlsx", on_click="ignore",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                           icon=":material/download:")
    else:
        st.success(ctx.t("up_no_problems"), icon=":material/check_circle:")
    if rep.rows_ok:
        st.markdown(f"**{ctx.t('up_changes')}**")
        st.dataframe(w.display_frame(up.changes(staged, root), {"kabkota_code": w.TEXT, "kabkota_name": w.TEXT,
                                                                "new": w.INT, "replaced": w.INT, "removed": w.INT},
                                     lang), hide_index=True, key=f"up_chg_{i}")
        ready.append(staged)
        ready_files.append(file)
    else:
        st.warning(ctx.t("up_nothing"), icon=":material/block:")

if ready:
    st.divider()
    who = ctx.user.name if ctx.user.source != "open" else st.text_input(ctx.t("up_who"), key="up_who")
    if st.button(ctx.t("up_publish", n=len(ready)), type="primary", key="up_publish", icon=":material/publish:"):
        try:
            done = uploading.publish_as(ctx.user, ready, root, who=who.strip() or "-", address=address())
        except up.UploadRefused as exc:
            st.error(uploading.said(exc, lang), icon=":material/block:")
        else:
            session.forget(ready_files, done.run_id)
            st.success(ctx.t("up_published", version=done.run_id, ok=n(sum(s.report.rows_ok for s in ready))),
                       icon=":material/check_circle:")
