"""What people see at every scope and width: no chart left without room to draw in.

A chart's plot area is what its figure height leaves after the title block, the legend and the footer; a
title or subtitle that wraps in a narrow column once left a negative plot area (an empty 400 px gap, issue 21).
"""

from __future__ import annotations

import pytest

from tests.test_browser import PAGES, browser, server  # noqa: F401  (fixtures shared with the page tests)

pytestmark = pytest.mark.browser

#: National, a province, a kota and a kabupaten of the tiny warehouse: the subtitle grows with the scope's name
#: ("Kab. Bangka Tengah, Kepulauan Bangka Belitung" wraps in one of two columns).
SCOPES = ["nasional", "18", "18.72", "19.04"]

_PLOT_AREAS = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(el => {
    const L = el._fullLayout || {}; const s = L._size || {};
    const title = ((L.title || {}).text || '').replace(/<[^>]+>/g, ' ').replace(/\\s+/g, ' ').trim();
    return {title: title, w: s.w, h: s.h};
})"""


def _plot_areas(page, url: str) -> list[dict]:
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector("[data-testid=stMainBlockContainer] h1", timeout=30_000)
    page.wait_for_function("() => document.querySelector('[data-testid=stApp]')?.dataset.testScriptState"
                           " === 'notRunning'", timeout=30_000)
    seen = -1
    for _ in range(20):  # until the page has drawn all of its charts
        page.wait_for_timeout(500)
        areas = page.evaluate(_PLOT_AREAS)
        if len(areas) == seen and all(a["h"] is not None for a in areas):
            return areas
        seen = len(areas)
    return areas


@pytest.mark.parametrize("scope", SCOPES)
def test_every_chart_of_every_page_has_a_plot_area(server: str, browser, scope: str) -> None:  # noqa: F811
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    try:
        blank = []
        for name in PAGES:
            for area in _plot_areas(page, f"{server}/{name}?wilayah={scope}&periode=semua"):
                if not (area["h"] and area["h"] > 40 and area["w"] and area["w"] > 40):
                    blank.append((name or "ringkasan", area))
        assert not blank, f"charts without room to draw at {scope}: {blank}"
    finally:
        page.close()
