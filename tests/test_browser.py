"""Drive the running dashboard in headless Chromium: every page renders its charts, shows no error,
and asks nothing of any host but the server it came from. Screenshots go to test-artifacts/screenshots/.

PANTAU_BROWSER_WAREHOUSE points at a built warehouse (e.g. data/warehouse); by default the tests
build the tiny one from tests/factory.py.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from tests.factory import tiny_warehouse
from tests.served import dashboard

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "test-artifacts" / "screenshots"
# A deep link first (a server's first session is the tricky one); "" is Ringkasan, the default page.
PAGES = ["cakupan", "", "rasio", "kegiatan", "pleno", "perbandingan", "kualitas"]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}

if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium; CI installs it)", allow_module_level=True)
playwright_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    """`streamlit run dashboard.py` on loopback over a warehouse; yields the base URL."""
    warehouse = os.environ.get("PANTAU_BROWSER_WAREHOUSE")
    if not warehouse:
        warehouse = str(tiny_warehouse(tmp_path_factory.mktemp("wh") / "warehouse"))
    with dashboard(warehouse, tmp_path_factory.mktemp("log") / "streamlit.log") as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--no-first-run"])
        yield b
        b.close()


@pytest.mark.parametrize("page_name", PAGES)
def test_page_renders_locally(server: str, browser, page_name: str) -> None:
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    foreign: list[str] = []
    page.on("request", lambda req: foreign.append(req.url)
            if urlparse(req.url).hostname not in LOCAL_HOSTS and not req.url.startswith(("data:", "blob:"))
            else None)
    try:
        page.goto(f"{server}/{page_name}", wait_until="domcontentloaded")
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
        page.wait_for_timeout(1500)  # let the other charts of the page finish drawing
        assert page.locator('[data-testid="stException"]').count() == 0, "an exception box is shown"
        errors = page.locator('[data-testid="stAlertContentError"]')
        assert errors.count() == 0, errors.all_inner_texts()
        assert page.locator(".js-plotly-plot").count() >= 1
        assert page.get_by_text("Page not found").count() == 0
        assert page.locator('[data-testid="stSidebarNav"]').get_by_text("Cakupan wilayah").count() == 1
        # Streamlit scrolls inside its main block: grow the window to the content to capture all of the page.
        height = page.evaluate("() => document.querySelector('[data-testid=stMain]')?.scrollHeight || 1000")
        page.set_viewport_size({"width": 1600, "height": max(1000, min(int(height) + 40, 9000))})
        page.wait_for_timeout(1200)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{page_name or 'ringkasan'}.png"))
        assert not foreign, f"requests beyond loopback: {foreign}"
    finally:
        page.close()


def test_the_ringkasan_address_opens_the_home_page_with_its_filters(server: str, browser) -> None:
    # "/ringkasan", as the other pages' addresses suggest; Ringkasan itself is served at "/"
    first = browser.new_page()  # not the server's first session, which Streamlit routes by file names
    first.goto(f"{server}/", wait_until="domcontentloaded")
    first.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
    first.close()
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    try:
        page.goto(f"{server}/ringkasan?wilayah=18", wait_until="domcontentloaded")
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
        page.wait_for_timeout(1000)
        assert page.get_by_text("does not seem to exist").count() == 0
        assert urlparse(page.url).path == "/" and "wilayah=18" in urlparse(page.url).query
        assert page.locator("h1").first.inner_text() == "Ringkasan"
    finally:
        page.close()


def _scope_after_clicking(browser, url: str, mark: str, scope: str) -> str:
    """Open Cakupan at `url`, click the first `mark` (a CSS selector) of its per-child chart and return the
    scope the URL then holds (`scope` while nothing happened)."""
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    try:
        page.goto(url, wait_until="domcontentloaded")
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
        page.wait_for_timeout(1500)
        # the per-child chart: the second chart that is not the map
        target = page.locator(".js-plotly-plot:not(:has(.choroplethlayer))").nth(1).locator(mark).first
        target.scroll_into_view_if_needed()
        target.click(force=True)
        for _ in range(40):
            page.wait_for_timeout(250)
            if f"wilayah={scope}&" not in page.url:
                break
        return parse_qs(urlparse(page.url).query).get("wilayah", [""])[0]
    finally:
        page.close()


def test_clicking_a_bar_drills_down(server: str, browser) -> None:
    """Cakupan wilayah at Nasional: a click on a province's bar puts that province in the URL."""
    url = f"{server}/cakupan?wilayah=nasional&periode=tahun_pemilu_2024"
    assert _scope_after_clicking(browser, url, "g.point path", "nasional") in {"18", "19", "52"}


def test_clicking_a_dot_drills_down(server: str, browser) -> None:
    """Cakupan wilayah in Lampung, PKD: rates near 100% are dots on a zoomed axis; a click on one drills down."""
    url = f"{server}/cakupan?wilayah=18&periode=tahun_pemilu_2024&lembaga=pkd"
    assert _scope_after_clicking(browser, url, "g.points path.point", "18") in {"18.01", "18.72"}
