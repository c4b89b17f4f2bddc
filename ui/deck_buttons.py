"""The slide buttons of a page: "Unduh slide" (PPTX), its PDF, and each chart as PNG (1920x1080, 1280x720) or
SVG; and, in the sidebar, the charts picked with "Tambah ke slide" across pages and scopes, "Unduh slide
terpilih" making one deck of them. Files are made when a button is clicked; without Chromium one sentence says so
instead."""

from __future__ import annotations

import functools
from collections.abc import Sequence

import streamlit as st

from ui import export, slides, specs
from ui.data import cached
from ui.state import scope_name
from ui.widgets import HERE, PICKED, Ctx, Picked, downloader, logged

PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
IMAGE_KINDS = (("png", "1920x1080"), ("png", "1280x720"), ("svg", "1920x1080"))


def _deck(ctx: Ctx, page: str, pick: tuple[str, ...], pdf: bool) -> bytes:
    deck = specs.page_deck(ctx, [page], cached, want_pdf=pdf, picks={page: pick})
    return deck.pdf or b"" if pdf else deck.pptx


def _picked_deck(ctx: Ctx, items: tuple[Picked, ...], pdf: bool) -> bytes:
    deck = specs.picked_deck(ctx, items, cached, want_pdf=pdf)
    return deck.pdf or b"" if pdf else deck.pptx


def _chart_image(ctx: Ctx, page: str, pick: tuple[str, ...], key: str, kind: str, size: str) -> bytes:
    chart = next(c for c in specs.PAGES[page].build(ctx, cached, pick) if c.key == key)
    return slides.image(chart.fig, kind, size, sample=ctx.wh.is_sample, lang=ctx.lang)


def _name(ctx: Ctx, stem: str, ext: str) -> str:
    f = ctx.f
    return export.file_name(stem, f.scope.code, ctx.name(f.scope.code), f.period.start, f.period.end, ext)


def page(ctx: Ctx, name: str, pick: Sequence[str] = ()) -> None:
    """The deck buttons of page `name` (a key of ui.specs.PAGES; `pick` the page's own choice) and, when switched
    on, a list of its chart images; the picked charts in the sidebar. Each chart then offers "Tambah ke slide"."""
    if not ctx.user.may_download:  # a pembaca: no file, and nothing to pick for one (the tables say so)
        return
    if slides.chromium_path() is None:
        st.caption(ctx.t("slide_no_browser"))
        return
    pick = tuple(pick)
    st.session_state[HERE] = Picked(name, pick, ctx.f)
    picked(ctx)
    row = st.container(horizontal=True, vertical_alignment="center")
    who, pptx, pdf = downloader(ctx), _name(ctx, f"slide_{name}", "pptx"), _name(ctx, f"slide_{name}", "pdf")
    row.download_button(ctx.t("slide_download"), functools.partial(logged, who, pptx, _deck, ctx, name, pick, False),
                        key=f"deck_{name}", mime=PPTX_MIME, file_name=pptx, on_click="ignore",
                        icon=":material/slideshow:", type="primary")
    row.download_button(ctx.t("slide_pdf"), functools.partial(logged, who, pdf, _deck, ctx, name, pick, True),
                        key=f"deck_{name}_pdf", mime="application/pdf", file_name=pdf, on_click="ignore",
                        icon=":material/picture_as_pdf:")
    if row.toggle(ctx.t("slide_images"), key=f"imgs_{name}"):  # off: the page's rerun builds no extra figure
        for chart in specs.PAGES[name].build(ctx, cached, pick):
            line = st.container(horizontal=True, vertical_alignment="center")
            line.caption(chart.title)
            for kind, size in IMAGE_KINDS:
                text = f"{kind.upper()} {size}" if kind == "png" else "SVG"
                file = _name(ctx, f"{chart.key}_{size}", kind)
                line.download_button(text, functools.partial(logged, who, file, _chart_image, ctx, name, pick,
                                                             chart.key, kind, size),
                                     key=f"img_{chart.key}_{kind}_{size}", on_click="ignore",
                                     mime="image/svg+xml" if kind == "svg" else "image/png", file_name=file)


def _clear() -> None:
    st.session_state[PICKED] = []


def picked(ctx: Ctx) -> None:
    """In the sidebar: the charts picked so far (in order), "Unduh slide terpilih" and a way to start again."""
    items = tuple(st.session_state.get(PICKED, []))
    with st.sidebar:
        st.markdown(f"**{ctx.t('slide_picked', n=len(items))}**")
        if not items:
            st.caption(ctx.t("slide_picked_hint"))
            return
        for i, item in enumerate(items, 1):
            title = item.title if len(item.title) <= 70 else item.title[:69] + "…"
            st.caption(f"{i}. {title} ({scope_name(item.f.scope, ctx.names, ctx.lang)}, "
                       f"{ctx.t(specs.PAGES[item.page].title_key)})")
        row = st.container(horizontal=True)
        file = _name(ctx, "slide_terpilih", "pptx")
        row.download_button(ctx.t("slide_picked_download"),
                            functools.partial(logged, downloader(ctx), file, _picked_deck, ctx, items, False),
                            key="deck_picked", mime=PPTX_MIME, on_click="ignore", icon=":material/slideshow:",
                            file_name=file, type="primary")
        row.button(ctx.t("slide_picked_clear"), key="picked_clear", on_click=_clear, type="tertiary")
