"""Streamlit glue for Pantau: filters bound to the URL, cached data access, downloads, notices.

Pages call `ctx = ui.context()` and lay out with `ui.widgets`; nothing here holds a business rule.
"""

from __future__ import annotations

import streamlit as st
from streamlit import config
from streamlit.runtime.pages_manager import PagesManager

from ui.widgets import Ctx

_CTX = "pantau_ctx"


def context() -> Ctx:
    """The context dashboard.py prepared for this run (warehouse, filters, names)."""
    ctx = st.session_state.get(_CTX)
    if ctx is None:
        # A page ran without dashboard.py. Streamlit runs the very first session after a server start in
        # its old pages/-folder mode when that session opens a page URL directly (the flag flips only once
        # some run calls st.navigation). Flip it and rerun: dashboard.py then runs and routes to this page.
        # AppTest starts every run in that mode, and a rerun would drop the clicks under test: there the
        # page goes on with the same preparation (filters and sidebar) without the navigation.
        if PagesManager.uses_pages_directory and not config.get_option("global.appTest"):
            PagesManager.uses_pages_directory = False
            st.rerun()
        from ui.app import prepare

        ctx = prepare()
    return ctx


def set_context(ctx: Ctx) -> None:
    st.session_state[_CTX] = ctx
