"""The maps in headless Chromium with every outside name unresolvable (`--host-resolver-rules`): each map page
draws its map, its base map comes from the dashboard itself, no request leaves loopback, and a click on
Lampung drills down to scope 18 as the sidebar would (URL included).

The dashboard runs as in tests/test_browser.py (its `server` fixture, the tiny warehouse), with the boundary
files of ../shared/geo beside the checkout.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from tests.test_browser import CHROMIUM, LOCAL_HOSTS, playwright_api, server  # noqa: F401 (fixture)
from tests.test_maps import shared_geo

pytestmark = pytest.mark.browser
OFFLINE = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"
MAP_PAGES = ["cakupan", "", "rasio", "kegiatan", "pleno"]
LAMPUNG = (105.0, -4.9)  # lng, lat inside Lampung


@pytest.fixture(scope="module")
def offline_browser():
    shared_geo()  # skip (or fail in CI) before starting anything when the boundaries are not there
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--no-first-run", OFFLINE])
        yield b
        b.close()


def _open(browser, url: str, seen: list[str]):
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    page.on("request", lambda req: seen.append(req.url))
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector(".js-plotly-plot .choroplethlayer path", timeout=45_000)
    page.wait_for_timeout(800)
    return page


def _foreign(urls: list[str]) -> list[str]:
    return [u for u in urls if urlparse(u).hostname not in LOCAL_HOSTS and not u.startswith(("data:", "blob:"))]


@pytest.mark.parametrize("scope", ["nasional", "18"])
@pytest.mark.parametrize("page_name", MAP_PAGES)
def test_map_is_drawn_from_loopback_only(server: str, offline_browser, page_name: str,  # noqa: F811
                                         scope: str) -> None:
    seen: list[str] = []
    page = _open(offline_browser, f"{server}/{page_name}?wilayah={scope}&periode=tahun_pemilu_2024", seen)
    try:
        regions = page.locator(".js-plotly-plot .choroplethlayer path")
        assert regions.count() >= (3 if scope == "nasional" else 2)  # the tiny region list: 3 provinces, 2 kab/kota
        assert page.locator('[data-testid="stException"]').count() == 0
        assert any(urlparse(u).path.endswith("/app/static/world_110m.json") for u in seen), \
            "the base map was not fetched from the dashboard"
        assert not _foreign(seen), f"requests beyond loopback: {_foreign(seen)}"
    finally:
        page.close()


def test_a_click_on_lampung_drills_to_scope_18(server: str, offline_browser) -> None:  # noqa: F811
    seen: list[str] = []
    page = _open(offline_browser, f"{server}/cakupan?wilayah=nasional&periode=tahun_pemilu_2024", seen)
    try:
        chart = page.locator(".js-plotly-plot:has(.choroplethlayer)").first
        chart.scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        x, y = chart.evaluate("""(gd, pt) => {const g = gd._fullLayout.geo._subplot, r = gd.getBoundingClientRect();
                                 const xy = g.projection(pt); return [r.left + xy[0], r.top + xy[1]];}""",
                              list(LAMPUNG))
        page.mouse.move(x, y)
        page.wait_for_timeout(300)
        page.mouse.click(x, y)
        for _ in range(60):
            page.wait_for_timeout(250)
            if "wilayah=18" in page.url:
                break
        assert parse_qs(urlparse(page.url).query).get("wilayah") == ["18"]
        # the page follows: Lampung's kab/kota map (its title names the level)
        page.locator(".js-plotly-plot .gtitle").filter(has_text="kabupaten/kota").first.wait_for(timeout=30_000)
        assert not _foreign(seen)
    finally:
        page.close()

