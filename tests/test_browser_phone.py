"""Every page on a phone (390 x 844, a phone's User-Agent): the sidebar starts collapsed, nothing runs past the
screen's right edge, the words of each chart (title, subtitle, legend, footer) stay inside it, the pleno
calendar is a list."""

from __future__ import annotations

import pytest

from tests.test_browser import PAGES, browser, server  # noqa: F401  (fixtures shared with the page tests)

pytestmark = pytest.mark.browser

PHONE_UA = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0 Mobile Safari/537.36")

#: Chart words outside their chart, and anything wider than the screen (tables scroll inside their own box).
_OVERFLOW = """() => {
  const vw = window.innerWidth, out = [];
  document.querySelectorAll('.js-plotly-plot').forEach(el => {
    const box = el.getBoundingClientRect();
    el.querySelectorAll('.gtitle, .gtitle-subtitle, .legend text, .annotation-text').forEach(t => {
      const r = t.getBoundingClientRect();
      if (r.width && (r.left < box.left - 1 || r.right > box.right + 1))
        out.push(`${(t.textContent || '').slice(0, 40)}: ${Math.round(r.left)}..${Math.round(r.right)}`);
    });
  });
  if (document.documentElement.scrollWidth > vw + 1) out.push(`page ${document.documentElement.scrollWidth} > ${vw}`);
  return out;
}"""


@pytest.mark.parametrize("scope", ["nasional", "18"])
def test_every_page_fits_a_phone(server: str, browser, scope: str) -> None:  # noqa: F811
    context = browser.new_context(viewport={"width": 390, "height": 844}, user_agent=PHONE_UA, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    try:
        problems = {}
        for name in PAGES:
            page.goto(f"{server}/{name}?wilayah={scope}&periode=semua", wait_until="domcontentloaded")
            page.wait_for_selector("[data-testid=stMainBlockContainer] h1", timeout=30_000)
            page.wait_for_function("() => document.querySelector('[data-testid=stApp]')?.dataset.testScriptState"
                                   " === 'notRunning'", timeout=30_000)
            page.wait_for_timeout(1500)
            expanded = page.evaluate("() => document.querySelector('[data-testid=stSidebar]')"
                                     "?.getAttribute('aria-expanded')")
            bad = page.evaluate(_OVERFLOW) + (["sidebar open"] if expanded == "true" else [])
            bad += ["an exception box"] * page.locator('[data-testid="stException"]').count()
            if name == "pleno":
                assert page.get_by_text("8 minggu terakhir").count() >= 1, "the pleno weeks as a list"
            if bad:
                problems[name or "ringkasan"] = bad
        assert not problems, problems
    finally:
        context.close()
