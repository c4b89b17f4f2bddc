"""Pantau: the dashboard of Bawaslu's supervisors. Run with `streamlit run dashboard.py`.

Warehouse from PANTAU_WAREHOUSE (default data/warehouse). Every page is registered here.
"""

from __future__ import annotations

import logging

import streamlit as st

from pantau.i18n import t
from ui.app import prepare

st.set_page_config(page_title="Pantau · Bawaslu", page_icon=":material/monitoring:", layout="wide",
                   initial_sidebar_state="expanded")

PAGES = [
    ("pages/1_ringkasan.py", "page_ringkasan", ":material/dashboard:", "ringkasan"),
    ("pages/2_cakupan.py", "page_cakupan", ":material/groups:", "cakupan"),
    ("pages/3_rasio.py", "page_rasio", ":material/balance:", "rasio"),
    ("pages/4_kegiatan.py", "page_kegiatan", ":material/event:", "kegiatan"),
    ("pages/5_pleno.py", "page_pleno", ":material/gavel:", "pleno"),
    ("pages/6_perbandingan.py", "page_perbandingan", ":material/compare_arrows:", "perbandingan"),
    ("pages/7_kualitas.py", "page_kualitas", ":material/fact_check:", "kualitas"),
]

lang = st.query_params.get("lang") if st.query_params.get("lang") in ("id", "en") else \
    (st.session_state.get("pantau_params") or {}).get("lang", "id")
navigation = st.navigation([
    st.Page(path, title=t(key, lang), icon=icon, url_path=url, default=(i == 0))
    for i, (path, key, icon, url) in enumerate(PAGES)
])
prepare()
try:
    navigation.run()
except Exception as exc:  # a page failed: say so plainly (and log it) instead of showing a traceback
    logging.getLogger("pantau").exception("page %s failed", navigation.url_path)
    st.error(t("error_page", lang, error=f"{type(exc).__name__}: {exc}"), icon=":material/error:")
