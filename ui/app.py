"""Prepare each run: open the warehouse (or explain how to build it), read the filters from the URL."""

from __future__ import annotations

import atexit
import dataclasses
import gc
from collections.abc import Mapping

import streamlit as st

from pantau import fmt
from pantau.access import User, clamp
from pantau.i18n import t
from pantau.warehouse import VersionUnreadable, WarehouseMissing
from ui import auth, data
from ui.state import Filters, current_lang, data_today, on_a_phone, read_filters, scope_name, sidebar, write_params
from ui.widgets import Ctx

BUILD_COMMAND = "python -m etl build --source data/sample/sources.toml --warehouse {root}"


def prepare(show_sidebar: bool = True) -> Ctx:
    """Warehouse + filters + sidebar for this run; stops the run with a clear message if there is no warehouse
    or no version whole, and says so in one sentence when an older version is served for a broken one."""
    root = data.warehouse_root()
    try:
        wh, broken = data.served(root)
    except WarehouseMissing as exc:
        lang = current_lang()
        st.title(t("app_title", lang))
        st.error(t("no_warehouse", lang, path=root), icon=":material/database_off:")
        st.code("python -m etl sample\n" + BUILD_COMMAND.format(root=root), language="bash")
        st.caption(str(exc))
        st.stop()
    except VersionUnreadable as exc:  # a file of the published version cut short or damaged, and no older one whole
        lang = current_lang()
        st.title(t("app_title", lang))
        st.error(t("version_unreadable_none", lang, version=exc.version, file=exc.file), icon=":material/database_off:")
        st.code(BUILD_COMMAND.format(root=root), language="bash")
        st.stop()
    if broken is not None:
        st.warning(t("version_unreadable", current_lang(), version=broken.version, file=broken.file, good=wh.version),
                   icon=":material/history:")
    user = auth.gate(wh, current_lang())
    regions = data.region_index(str(wh.path), wh.version)
    f = limit_filters(read_filters(regions.codes, data_today(wh), data.elections(str(wh.path), wh.version)),
                      user, regions.names)
    ctx = Ctx(wh, f, regions.names, regions, phone=on_a_phone(), user=user)
    if show_sidebar:
        sidebar(f, regions, user.scope)
    return ctx


def limit_filters(f: Filters, user: User, names: Mapping[str, str]) -> Filters:
    """The filters with the scope clamped to the user's (a URL naming another region falls back, with a notice);
    the URL is rewritten to what is shown."""
    scope, notice = clamp(user, f.scope)
    if notice is None:
        return f
    text = t(notice, f.lang, asked=fmt.md_literal(f.scope.param), own=scope_name(scope, names, f.lang))
    f = dataclasses.replace(f, scope=scope, notices=(*f.notices, text))
    write_params(f.params())
    return f


_SETTLED = {"done": False}


def settle_once() -> None:
    """After the process's first full run: gc.freeze() what is alive then (Streamlit, plotly, pandas, DuckDB, the
    open warehouse), so later full collections walk only what later runs made. Without it the first full
    collection after start-up walks every start-up object and stalls a rerun (docs/PERFORMANCE.md); it happens
    once per process."""
    if not _SETTLED["done"]:
        _SETTLED["done"] = True
        gc.freeze()
        atexit.register(gc.unfreeze)  # at exit the frozen objects are freed as usual (DuckDB checks for leaks)
