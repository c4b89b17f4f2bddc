"""Issue 14 in headless Chromium: "Unduh slide" on two pages, charts picked on two pages and "Unduh slide terpilih"
(valid PPTX files, the picked charts in the order picked), and `?presentasi=1` (no sidebar, no widgets, chart type
of at least 18 px at 1920x1080, charts 16:9 within one screen height). Screenshots to test-artifacts/screenshots/."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pptx import Presentation

from tests.test_browser import SHOTS, browser, server  # noqa: F401  (fixtures shared with the page tests)

pytestmark = pytest.mark.browser
LAMPUNG = "wilayah=18&periode=2024-07-01..2024-08-31"


def _texts(slide) -> str:
    return " ".join(sh.text_frame.text for sh in slide.shapes if sh.has_text_frame)


def _download(page, name: str, tmp_path: Path) -> Presentation:
    """Click the download button `name`; the file it gives, opened with python-pptx."""
    with page.expect_download(timeout=90_000) as got:
        page.get_by_role("button", name=name, exact=True).click()
    path = tmp_path / got.value.suggested_filename
    got.value.save_as(path)
    assert path.suffix == ".pptx"
    return Presentation(io.BytesIO(path.read_bytes()))


def _go(page, label: str) -> None:
    """Switch page in the same session (a new address would start a new session, with nothing picked)."""
    page.locator('[data-testid="stSidebarNav"] a', has_text=label).first.click()
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
    page.wait_for_timeout(1500)


def test_unduh_slide_on_two_pages_and_picked_charts_in_order(server: str, browser, tmp_path: Path) -> None:  # noqa: F811
    page = browser.new_page(viewport={"width": 1600, "height": 1000}, accept_downloads=True)
    try:
        page.goto(f"{server}/pleno?{LAMPUNG}", wait_until="domcontentloaded")
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
        page.wait_for_timeout(1500)
        pleno = _download(page, "Unduh slide", tmp_path)
        assert "Evaluasi pleno" in _texts(pleno.slides[0]) and len(pleno.slides) == 6
        # the ranking (the last chart of Pleno) first, then a chart of another page: the deck keeps that order
        page.get_by_role("button", name="Tambah ke slide").last.click()
        page.wait_for_timeout(1500)
        _go(page, "Cakupan wilayah")
        cakupan = _download(page, "Unduh slide", tmp_path)
        assert "Cakupan wilayah" in _texts(cakupan.slides[0]) and len(cakupan.slides) == 4
        page.get_by_role("button", name="Tambah ke slide").first.click()
        page.wait_for_timeout(1500)
        assert page.locator('[data-testid="stSidebar"]').get_by_text("Slide terpilih: 2").count() == 1
        assert page.get_by_text("Sudah di slide terpilih").count() == 1  # the chart picked says so, once
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "slide_terpilih.png"))
        picked = _download(page, "Unduh slide terpilih", tmp_path)
    finally:
        page.close()
    slides = list(picked.slides)
    assert len(slides) == 4 and "Slide terpilih" in _texts(slides[0]) and "Lampung" in _texts(slides[0])
    assert "Peringkat kepatuhan pleno" in _texts(slides[1]) and "Cakupan wilayah" in _texts(slides[2])
    for slide in slides[1:3]:
        pics = [sh for sh in slide.shapes if sh.shape_type == 13]
        assert len(pics) == 1 and pics[0].width >= 0.9 * picked.slide_width
        assert slide.notes_slide.notes_text_frame.text.strip()
    assert "Kota Metro" in slides[1].notes_slide.notes_text_frame.text
    assert "Asal angka" in _texts(slides[3])


def test_presentasi_hides_sidebar_and_widgets_and_enlarges_type(server: str, browser) -> None:  # noqa: F811
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    try:
        page.goto(f"{server}/pleno?{LAMPUNG}&presentasi=1", wait_until="domcontentloaded")
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
        page.wait_for_timeout(2500)
        assert not page.locator('[data-testid="stSidebar"]').is_visible()
        for widget in ("stDownloadButton", "stSelectbox", "stToggle"):
            assert not any(w.is_visible() for w in page.locator(f'[data-testid="{widget}"]').all()), widget
        assert page.get_by_role("button", name="Keluar dari mode presentasi").is_visible()
        sizes = page.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot svg text')]
            .filter(t => t.textContent.trim() && t.getBoundingClientRect().width > 0)
            .map(t => [parseFloat(getComputedStyle(t).fontSize), t.textContent.trim().slice(0, 30)])""")
        assert len(sizes) > 20
        small = [s for s in sizes if s[0] < 18]
        assert not small, small[:10]
        boxes = page.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot')]
            .map(p => [p.getBoundingClientRect().width, p.getBoundingClientRect().height])""")
        assert len(boxes) >= 4 and all(1.7 < w / h < 1.85 and h <= 1080 for w, h in boxes), boxes
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "presentasi_pleno.png"))
        page.get_by_role("button", name="Keluar dari mode presentasi").click()
        page.wait_for_timeout(2500)
        assert page.locator('[data-testid="stSidebar"]').is_visible()
        assert "presentasi" not in page.url
    finally:
        page.close()
