"""Issue 16 in a real browser: sign in with a local account, see its province, be refused another by URL,
download a CSV holding only its own rows (and the download is in the audit log)."""

from __future__ import annotations

import pandas as pd
import pytest

from pantau import accounts, audit
from tests.factory import tiny_warehouse
from tests.served import dashboard
from tests.test_browser import CHROMIUM, ROOT, SHOTS  # noqa: F401  (skips without chromium)

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api")
PASSWORD = "rahasia-panjang-1"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    """A server over the tiny warehouse with one provinsi account (Lampung); yields (url, audit log path)."""
    tmp = tmp_path_factory.mktemp("access")
    warehouse = tiny_warehouse(tmp / "warehouse")
    users, log_path = tmp / "users.json", tmp / "audit.jsonl"
    accounts.add("lampung", "provinsi", "18", PASSWORD, path=users)
    with dashboard(warehouse, tmp / "streamlit.log", PANTAU_USERS=str(users), PANTAU_AUDIT=str(log_path)) as url:
        yield url, log_path


def test_a_province_signs_in_is_refused_another_and_downloads_its_own_rows(served) -> None:
    url, log_path = served
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1400, "height": 1800}, accept_downloads=True)
        page.goto(f"{url}/kegiatan?wilayah=19&periode=semua", wait_until="domcontentloaded")
        page.get_by_label("Nama akun").fill("lampung")
        page.get_by_label("Kata sandi").fill("salah-sekali-123")
        page.get_by_role("button", name="Masuk").click()
        page.get_by_text("Nama akun atau kata sandi salah.").wait_for(timeout=30_000)
        page.get_by_label("Kata sandi").fill(PASSWORD)
        page.get_by_role("button", name="Masuk").click()
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
        page.get_by_text("di luar wilayah akun Anda").wait_for(timeout=30_000)
        assert "wilayah=18" in page.url and "wilayah=19" not in page.url
        assert page.locator('[data-testid="stException"]').count() == 0
        page.wait_for_timeout(1500)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "access_provinsi.png"), full_page=True)
        with page.expect_download() as got:
            page.get_by_role("button", name="Unduh CSV").last.click()
        rows = pd.read_csv(got.value.path(), dtype=str)
        codes = [c for c in rows.columns if "Kode" in c or "kode" in c]
        assert len(rows) and codes, rows.columns
        assert all(v.startswith("18") for c in codes for v in rows[c].dropna()), rows[codes]
        assert "Bangka" not in rows.to_csv() and "Nibung" not in rows.to_csv()
        browser.close()
    events = audit.read(log_path)
    assert {"signin_failed", "signin", "download"} <= set(events["action"])
    assert events.loc[events["action"] == "download", "file"].str.contains("_18-lampung_").all()
