"""Unggah data in headless Chromium, as a clerk does it: drop a mixed XLSX with a title row and no organiser column,
fill the organiser, see the set-aside rows, download them, publish, and find the new rows on Kegiatan."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from tests import upload_files as files
from tests.served import dashboard
from tests.test_upload import build_base

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "test-artifacts" / "screenshots"

if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium; CI installs it)", allow_module_level=True)
playwright_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    """The dashboard on loopback over a warehouse the ETL built from two office files; yields (URL, warehouse)."""
    warehouse = build_base(tmp_path_factory.mktemp("up"))
    # real (not sample) data and no accounts: open on purpose (issue 16)
    with dashboard(warehouse, tmp_path_factory.mktemp("log") / "streamlit.log", PANTAU_OPEN="1") as url:
        yield url, warehouse


def test_a_clerk_uploads_fixes_the_organiser_downloads_the_problems_and_publishes(served, tmp_path: Path) -> None:
    url, warehouse = served
    upload = tmp_path / "kegiatan_mingguan.xlsx"
    upload.write_bytes(files.mixed_xlsx())
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--no-first-run"])
        page = browser.new_page(viewport={"width": 1400, "height": 2400}, accept_downloads=True)
        page.goto(f"{url}/unggah", wait_until="domcontentloaded")
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(upload))
        field = page.get_by_label("penyelenggara")
        field.wait_for(timeout=30_000)
        assert page.get_by_text("tidak punya kolom penyelenggara").count() == 1
        field.fill("18.72")
        field.press("Enter")
        page.get_by_text("6 baris dibaca, 3 akan dimuat, 3 disisihkan").wait_for(timeout=30_000)
        # the rest of the run streams in after the counts line: wait for it (count() alone raced on a busy machine)
        page.get_by_text("Baris yang disisihkan", exact=True).wait_for(timeout=30_000)
        assert page.get_by_text("Baris yang disisihkan", exact=True).count() == 1
        with page.expect_download() as got:
            page.get_by_role("button", name="Unduh baris yang disisihkan").click()
        bad = pd.read_excel(io.BytesIO(Path(got.value.path()).read_bytes()), engine="calamine", dtype=str)
        assert bad["Nama Kegiatan"].tolist() == [r[3] for r in files.BAD_ROWS]
        assert bad["masalah"].str.contains("Tanggal|Kelurahan|Jenis Kegiatan").all()
        assert page.get_by_text("tidak punya kolom penyelenggara").count() == 0  # answered
        page.wait_for_timeout(1500)  # the tables draw on a canvas after the text
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "unggah.png"), full_page=True)
        page.get_by_label("Dikirim oleh (nama dan kantor)").fill("Rina, Bawaslu Kota Metro")
        page.get_by_label("Dikirim oleh (nama dan kantor)").press("Enter")
        page.get_by_role("button", name="Terbitkan 1 berkas").click()
        page.get_by_text("Diterbitkan sebagai versi").wait_for(timeout=60_000)
        assert page.locator('[data-testid="stException"]').count() == 0
        page.goto(f"{url}/kegiatan?periode=semua&wilayah=18.72", wait_until="domcontentloaded")
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
        with page.expect_download() as got:
            page.get_by_role("button", name="Unduh CSV").last.click()
        shown = pd.read_csv(got.value.path(), dtype=str)
        assert {r[3] for r in files.GOOD_ROWS} <= set(shown["Judul"])
        browser.close()


def test_a_province_publishes_its_rows_and_sees_another_provinces_row_set_aside(tmp_path: Path) -> None:
    """Signed in as Lampung (issue 18 point 3): the Bangka Belitung row is set aside with the reason, the others
    publish."""
    from pantau import accounts
    from tests.test_upload_scope import DATA, NAME, OUTSIDE, PASSWORD

    warehouse = build_base(tmp_path)
    users = tmp_path / "users.json"
    env = {"PANTAU_USERS": str(users), "PANTAU_AUDIT": str(tmp_path / "audit.jsonl"),
           "PANTAU_UPLOAD_DIR": str(tmp_path / "staging")}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PANTAU_USERS", str(users))
        accounts.add("lampung", "provinsi", "18", PASSWORD)
    upload = tmp_path / NAME
    upload.write_bytes(DATA)
    with dashboard(warehouse, tmp_path / "streamlit.log", **env) as url, playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1400, "height": 1800})
        page.goto(f"{url}/unggah", wait_until="domcontentloaded")
        page.get_by_label("Nama akun").fill("lampung")
        page.get_by_label("Kata sandi").fill(PASSWORD)
        page.get_by_role("button", name="Masuk").click()
        page.get_by_text("Akun Anda menerbitkan data Lampung saja").wait_for(timeout=30_000)
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(upload))
        page.get_by_text("4 baris dibaca, 3 akan dimuat, 1 disisihkan").wait_for(timeout=30_000)
        page.wait_for_timeout(1500)  # the tables draw on a canvas after the text
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "unggah_provinsi.png"), full_page=True)
        page.get_by_role("button", name="Terbitkan 1 berkas").click()
        page.get_by_text("Diterbitkan sebagai versi").wait_for(timeout=60_000)
        assert page.locator('[data-testid="stException"]').count() == 0
        browser.close()
    rejects = pd.read_parquet(warehouse / "current" / "rejects.parquet")
    assert rejects.loc[rejects["reason"].str.contains(OUTSIDE), "value"].tolist() == ["Kota Pangkalpinang"]
    assert not list((tmp_path / "staging").rglob("*.csv"))
