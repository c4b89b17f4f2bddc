"""Pantau: the dashboard of Bawaslu's supervisors. Run with `streamlit run dashboard.py`.

Warehouse from PANTAU_WAREHOUSE (default data/warehouse). Every page is registered here.
"""

from __future__ import annotations

import logging

import streamlit as st
from PIL import Image, ImageDraw

from pantau.i18n import t
from ui import set_context
from ui.app import prepare, settle_once
from ui.state import current_lang


def _favicon() -> Image.Image:
    """Drawn here: a ":material/..." page icon makes the browser fetch the favicon from Google's font CDN."""
    img = Image.new("RGB", (64, 64), "#0072B2")
    draw = ImageDraw.Draw(img)
    for i, h in enumerate((20, 34, 46)):
        draw.rectangle((12 + i * 15, 54 - h, 22 + i * 15, 54), fill="white")
    return img


st.set_page_config(page_title="Pantau · Bawaslu", page_icon=_favicon(), layout="wide",
                   initial_sidebar_state="auto")  # collapsed on a phone

# URL paths are the names Streamlit's old pages/-folder mode derives from the file names ("cakupan" from
# 2_cakupan.py): the first session after a server start runs in that mode, and a deep link then runs the
# page file itself; ui.context() notices, leaves that mode and reruns through this script (no
# "page not found" box, as a name that mode does not know would give). Ringkasan, the default page, is served
# at "/" whatever its path ("beranda" only keeps "ringkasan" free for the hidden page below).
PAGES = [
    ("pages/1_ringkasan.py", "page_ringkasan", ":material/dashboard:", "beranda"),  # the default: served at "/"
    ("pages/2_cakupan.py", "page_cakupan", ":material/groups:", "cakupan"),
    ("pages/3_rasio.py", "page_rasio", ":material/balance:", "rasio"),
    ("pages/4_kegiatan.py", "page_kegiatan", ":material/event:", "kegiatan"),
    ("pages/5_pleno.py", "page_pleno", ":material/gavel:", "pleno"),
    ("pages/6_perbandingan.py", "page_perbandingan", ":material/compare_arrows:", "perbandingan"),
    ("pages/7_kualitas.py", "page_kualitas", ":material/fact_check:", "kualitas"),
    ("pages/8_unggah.py", "page_unggah", ":material/upload_file:", "unggah"),
]

lang = current_lang()  # the filters read it the same way in prepare() below
pages = [st.Page(path, title=t(key, lang), icon=icon, url_path=url, default=(i == 0))
         for i, (path, key, icon, url) in enumerate(PAGES)]


def _home() -> None:
    """'/ringkasan', the address the other pages' addresses suggest, opens Ringkasan at '/' with the same filters
    (without this page Streamlit would say "Page not found", in English, over it)."""
    st.switch_page(pages[0], query_params=dict(st.query_params))


navigation = st.navigation([*pages, st.Page(_home, title=t("page_ringkasan", lang), url_path="ringkasan",
                                            visibility="hidden")])
set_context(prepare())  # for the page this run shows; removed again below
try:
    navigation.run()
except Exception as exc:  # a page failed: say so plainly (and log it) instead of showing a traceback
    logging.getLogger("pantau").exception("page %s failed", navigation.url_path)
    st.error(t("error_page", lang, error=f"{type(exc).__name__}: {exc}"), icon=":material/error:")
finally:
    st.session_state.pop("pantau_ctx", None)  # the context is this run's only: never a stale one next time
    settle_once()
