"""Streamlit glue for Pantau: filters bound to the URL, cached data access, downloads, notices.

Pages call `ctx = ui.context()` and lay out with `ui.widgets`; nothing here holds a business rule.
"""

from __future__ import annotations

import streamlit as st

from ui.widgets import Ctx

_CTX = "pantau_ctx"


def context() -> Ctx:
    """The context dashboard.py prepared for this run (warehouse, filters, names)."""
    ctx = st.session_state.get(_CTX)
    if ctx is None:  # a page run on its own (not through dashboard.py): prepare it here
        from ui.app import prepare

        ctx = prepare()
    return ctx


def set_context(ctx: Ctx) -> None:
    st.session_state[_CTX] = ctx
