"""Uploads obey the signed-in account's scope (issue 18 point 3, pantau/uploading.py): a provinsi or kabkota account
publishes its own region's rows and sees the others set aside with the reason; pembaca cannot publish; nasional is
unchanged; each publish is an audit line; staged files are removed once published, dropped or a day old. Real
accounts files (PANTAU_USERS) and a warehouse built by the real ETL."""

from __future__ import annotations

import datetime as dt
import io
import os
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from etl import publish, uploads
from etl.__main__ import EXIT_SOURCE_ERROR, main
from etl.build import build
from etl.uploads import UploadRefused
from pantau import accounts, audit, uploading
from pantau.access import OPEN
from tests.test_upload import APP, build_base, cli_check, fingerprint, page_counts, page_problems

PASSWORD = "rahasia-panjang-1"
CSV = "text/csv"
NAME = "kegiatan_lampung.csv"
#: Lampung Selatan's own row, two of the province's (one in Kota Metro, one in Lampung Selatan), and one of Bangka
#: Belitung's; rows 2-5 as the spreadsheet shows them.
LINES = [
    "No;Tanggal;Jenis Kegiatan;Nama Kegiatan;Penyelenggara;Kabupaten/Kota;Jumlah Peserta",
    "1;02/12/2024;Sosialisasi;Sosialisasi Pengawasan;Bawaslu Kabupaten Lampung Selatan;Lampung Selatan;35",
    "2;03/12/2024;Rapat Koordinasi;Rakor Tahapan;Bawaslu Provinsi Lampung;Kota Metro;20",
    "3;04/12/2024;Supervisi;Supervisi Panwascam Natar;Bawaslu Provinsi Lampung;Lampung Selatan;15",
    "4;05/12/2024;Supervisi;Supervisi Panwascam;Bawaslu Provinsi Kepulauan Bangka Belitung;Kota Pangkalpinang;12",
]
DATA = ("\r\n".join(LINES) + "\r\n").encode()
OUTSIDE = "di luar wilayah akun Anda"


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A real (not sample) warehouse, an accounts file with one account of each role, a private staging folder."""
    wh = build_base(tmp_path)
    monkeypatch.setenv("PANTAU_WAREHOUSE", str(wh))
    monkeypatch.delenv("PANTAU_OPEN", raising=False)
    monkeypatch.setenv("PANTAU_USERS", str(tmp_path / "cfg" / "users.json"))
    monkeypatch.setenv("PANTAU_AUDIT", str(tmp_path / "audit.jsonl"))
    monkeypatch.setenv("PANTAU_UPLOAD_DIR", str(tmp_path / "staging"))
    accounts.add("pusat", "nasional", "nasional", PASSWORD)
    accounts.add("lampung", "provinsi", "18", PASSWORD)
    accounts.add("selatan", "kabkota", "18.01", PASSWORD)
    accounts.add("baca", "pembaca", "18", PASSWORD)
    return wh


def signed_in(name: str, upload: bytes | None = DATA, file_name: str = NAME, **params: str) -> AppTest:
    """The Unggah data page as account `name`, with the file (`file_name`) dropped."""
    at = AppTest.from_file(APP, default_timeout=90)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.text_input(key="signin_name").input(name)
    at.text_input(key="signin_password").input(PASSWORD)
    at.button[-1].click().run()
    at.switch_page("pages/8_unggah.py").run()
    if upload is not None:
        at.file_uploader(key="up_files").set_value((file_name, upload, CSV)).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def outside(at: AppTest) -> set[tuple[int, str, str]]:
    return {(row, col, value) for row, col, value, reason in page_problems(at) if OUTSIDE in reason}


def staged_files(tmp: Path) -> list[Path]:
    return sorted(p for p in (tmp / "staging").rglob("*") if p.is_file())


def test_provinsi_publishes_its_rows_and_another_provinces_row_is_set_aside(warehouse: Path, tmp_path: Path) -> None:
    at = signed_in("lampung")
    assert any("Lampung saja" in c.value for c in at.caption)
    assert page_counts(at) == (4, 3, 1)
    assert outside(at) == {(5, "Kabupaten/Kota", "Kota Pangkalpinang")}
    [reason] = [r for *_, r in page_problems(at)]
    assert reason.startswith(f"{OUTSIDE} (Kota Pangkal Pinang, 19.71; wilayah akun: Lampung, 18)")
    staged = [v for v in at.session_state["pantau_uploads"].values() if isinstance(v, uploads.Staged)][-1]
    book = pd.read_excel(io.BytesIO(uploads.set_aside_xlsx(staged)), sheet_name="perbaiki", dtype=str,
                         engine="calamine")
    assert list(book["Kabupaten/Kota"]) == ["Kota Pangkalpinang"] and OUTSIDE in book["masalah"].iloc[0]
    assert staged_files(tmp_path)
    at.button(key="up_publish").click().run()
    assert not at.exception and not at.error and at.success
    assert not staged_files(tmp_path)  # published: its staged copy is gone
    acts = pd.read_parquet(publish.current_dir(warehouse) / "activities.parquet")
    mine = acts[acts["source"] == f"uploads/activities/18/{NAME}"]
    assert sorted(mine["region_code"]) == ["18.01", "18.01", "18.72"]
    entry = tomllib.loads((warehouse / "sources" / "sources.toml").read_text())["source"][0]
    assert entry["scope"] == "18" and entry["uploaded_by"] == "lampung"
    events = audit.read()
    assert (events["action"].iloc[0], events["who"].iloc[0], events["file"].iloc[0], events["scope"].iloc[0]) == \
        ("publish", "lampung", f"uploads/activities/18/{NAME}", "18")
    # the page does not check the published file again while it stays on the list
    at.run()
    assert not staged_files(tmp_path) and any("sudah diterbitkan" in s.value for s in at.success)
    # rebuilt from its sources, the build sets the same row aside: the scope is the source's, not the page's
    rebuilt = tmp_path / "rebuilt"
    build(warehouse / "sources" / "sources.toml", rebuilt)
    rej = pd.read_parquet(publish.current_dir(rebuilt) / "rejects.parquet")
    assert list(rej.loc[rej["reason"].str.contains(OUTSIDE), "row"]) == [5]


def test_kabkota_cannot_widen_to_its_province(warehouse: Path) -> None:
    before = fingerprint(warehouse)
    at = signed_in("selatan", wilayah="18")  # asking for the province by address changes nothing
    assert page_counts(at) == (4, 1, 3)
    assert outside(at) == {(3, "Kabupaten/Kota", "Kota Metro"), (4, "Penyelenggara", "Bawaslu Provinsi Lampung"),
                           (5, "Kabupaten/Kota", "Kota Pangkalpinang")}
    assert fingerprint(warehouse) == before


def test_pembaca_sees_why_and_no_button(warehouse: Path) -> None:
    at = signed_in("baca", upload=None)
    assert [i.value for i in at.info] == ["Akun pembaca hanya dapat melihat data; mengunggah dan menerbitkan data "
                                          "memerlukan akun nasional, provinsi atau kabupaten/kota."]
    assert not at.get("file_uploader") and not [b for b in at.button if b.key == "up_publish"]


def test_nasional_publishes_every_row_as_before(warehouse: Path) -> None:
    at = signed_in("pusat")
    assert page_counts(at) == (4, 4, 0) and not outside(at)
    assert not [c for c in at.caption if "saja" in c.value]
    at.button(key="up_publish").click().run()
    acts = pd.read_parquet(publish.current_dir(warehouse) / "activities.parquet")
    assert sorted(acts.loc[acts["source"] == f"uploads/activities/{NAME}", "region_code"]) == \
        ["18.01", "18.01", "18.72", "19.71"]


def test_seats_reference_is_national_and_a_check_for_another_region_is_not_published(warehouse: Path,
                                                                                       tmp_path: Path) -> None:
    lampung, pusat = accounts.verify("lampung", PASSWORD), accounts.verify("pusat", PASSWORD)
    seats = (Path(__file__).parent / "fixtures" / "office" / "kursi_bawaslu_lampung.csv").read_bytes()
    with pytest.raises(UploadRefused, match="hanya akun nasional"):
        uploading.stage_as(lampung, "kursi_bawaslu_lampung.csv", seats, tmp_path / "w")
    assert uploading.stage_as(pusat, "kursi_bawaslu_lampung.csv", seats, tmp_path / "w").table == "seats_reference"
    before = fingerprint(warehouse)
    national = uploading.stage_as(pusat, NAME, DATA, tmp_path / "w")
    with pytest.raises(UploadRefused, match="wilayah lain"):  # checked for nasional, published by Lampung
        uploading.publish_as(lampung, [national], warehouse)
    with pytest.raises(UploadRefused, match="pembaca"):
        uploading.publish_as(accounts.verify("baca", PASSWORD), [national], warehouse)
    assert fingerprint(warehouse) == before and audit.read().empty
    assert uploading.upload_scope(OPEN) is None  # the app running open publishes as before


def test_staged_files_go_when_dropped_refused_or_a_day_old(warehouse: Path, tmp_path: Path) -> None:
    at = signed_in("lampung")
    assert staged_files(tmp_path)
    at.file_uploader(key="up_files").clear().run()  # the user removed the file: abandoned
    assert not staged_files(tmp_path) and not at.session_state["pantau_uploads"]
    with pytest.raises(UploadRefused):
        uploads.stage("kosong.csv", b"No;Tanggal\r\n", tmp_path / "staging")  # refused: nothing left behind
    assert not staged_files(tmp_path)
    old = uploads.stage(NAME, DATA, tmp_path / "staging")
    new = uploads.stage(NAME, DATA, tmp_path / "staging")
    day_ago = (dt.datetime.now() - dt.timedelta(days=1, minutes=1)).timestamp()
    os.utime(old.path.parent, (day_ago, day_ago))
    assert uploads.sweep(tmp_path / "staging") == 1
    assert not old.path.exists() and new.path.exists()


#: A weekly recap as a clerk types it: a title naming no office, no organiser column, a name nothing in it reads
#: as an office; one row in Lampung Selatan, one in Kota Metro (rows 4 and 5).
WEEKLY = (b"LAPORAN KEGIATAN PENGAWASAN MINGGUAN\r\n\r\n"
          b"No;Tanggal;Jenis Kegiatan;Nama Kegiatan;Kabupaten/Kota;Jumlah Peserta\r\n"
          b"1;02/12/2024;Sosialisasi;Sosialisasi Pengawasan Partisipatif;Lampung Selatan;35\r\n"
          b"2;03/12/2024;Rapat Koordinasi;Rakor Evaluasi Tahapan;Kota Metro;20\r\n")
#: Plenos of two Panwaslu Kecamatan of Lampung Selatan, no evaluator column, no office in the title.
PLENO = (b"EVALUASI PLENO PANWASLU KECAMATAN\r\n\r\nMinggu;Kecamatan;Dilaksanakan;Anggota Hadir;Nilai\r\n"
         b"07/10/2024;Natar;Ya;3;85\r\n07/10/2024;Kalianda;Ya;2;70\r\n")
FROM_ACCOUNT = "Diisi dari akun Anda, bukan dari berkas"


def form_field(at: AppTest, column: str):  # noqa: ANN201 - streamlit.testing's TextInput
    [field] = [ti for ti in at.text_input if ti.label == column]
    return field


def last_staged(at: AppTest) -> uploads.Staged:
    return [v for v in at.session_state["pantau_uploads"].values() if isinstance(v, uploads.Staged)][-1]


def test_a_kabkota_accounts_file_without_an_organiser_starts_with_its_own_office(warehouse: Path) -> None:
    at = signed_in("selatan", WEEKLY, file_name="laporan_mingguan.csv")
    assert form_field(at, "penyelenggara").value == "18.01"
    [said] = [c.value for c in at.caption if FROM_ACCOUNT in c.value]
    assert "(18.01)" in said and "Lampung Selatan" in said
    assert not [w for w in at.warning if "penyelenggara" in w.value]  # not asked: checked with the account's office
    assert page_counts(at) == (2, 1, 1)  # Kota Metro's row lies outside the account
    assert set(last_staged(at).report.good["organizer_code"]) == {"18.01"}


def test_a_provinsi_account_may_change_the_organiser_it_was_given(warehouse: Path) -> None:
    at = signed_in("lampung", WEEKLY, file_name="laporan_mingguan.csv")
    assert form_field(at, "penyelenggara").value == "18" and page_counts(at) == (2, 2, 0)
    form_field(at, "penyelenggara").set_value("Bawaslu Kota Metro").run()
    assert set(last_staged(at).report.good["organizer_code"]) == {"18.72"}
    assert not [c for c in at.caption if FROM_ACCOUNT in c.value]  # now the user's, not the account's
    form_field(at, "penyelenggara").set_value("").run()  # emptied: stays empty and is asked for
    assert form_field(at, "penyelenggara").value == ""
    assert any("penyelenggara" in w.value for w in at.warning)


def test_a_pleno_recap_without_an_evaluator_is_evaluated_by_the_account_and_nasional_gets_no_default(
        warehouse: Path) -> None:
    at = signed_in("selatan", PLENO, file_name="pleno_panwascam.csv")
    assert form_field(at, "penilai").value == "18.01"
    assert any(FROM_ACCOUNT in c.value for c in at.caption)
    assert set(last_staged(at).report.good["evaluator_code"]) == {"18.01"}
    at = signed_in("pusat", WEEKLY, file_name="laporan_mingguan.csv")
    assert form_field(at, "penyelenggara").value == "" and not any(FROM_ACCOUNT in c.value for c in at.caption)
    assert any("penyelenggara" in w.value for w in at.warning)


def test_what_the_title_says_wins_over_the_account(warehouse: Path) -> None:
    data = (Path(__file__).parent / "fixtures" / "office" / "kegiatan_kota_metro_2024.xlsx").read_bytes()
    at = signed_in("lampung", data, file_name="kegiatan_kota_metro_2024.xlsx")
    assert form_field(at, "penyelenggara").value == "18.72"  # 'BAWASLU KOTA METRO' in its title rows
    assert not any(FROM_ACCOUNT in c.value for c in at.caption)


#: A month's recap as a clerk keeps it: the office in the title rows, regions by name, one row in Kota Metro (the
#: province's, not the kab/kota's), one in Kota Pangkalpinang (another province), one a date that does not exist.
CLERK_NAME = "rekap_kegiatan_desember.csv"
CLERK = (b"REKAP KEGIATAN PENGAWASAN\r\nBAWASLU KABUPATEN LAMPUNG SELATAN\r\nBulan Desember 2024\r\n\r\n"
         b"No;Tanggal;Jenis Kegiatan;Nama Kegiatan;Kabupaten/Kota;Jumlah Peserta\r\n"
         b"1;02/12/2024;Sosialisasi;Sosialisasi Pengawasan Partisipatif;Lampung Selatan;35\r\n"
         b"2;03/12/2024;Rapat Koordinasi;Rakor bersama Bawaslu Kota Metro;Kota Metro;20\r\n"
         b"3;04/12/2024;Supervisi;Supervisi Panwascam Natar;Lampung Selatan;15\r\n"
         b"4;05/12/2024;Sosialisasi;Sosialisasi di perbatasan;Kota Pangkalpinang;12\r\n"
         b"5;31/11/2024;Supervisi;Supervisi Panwascam Kalianda;Lampung Selatan;9\r\n")
#: (row, header, value) set aside as outside each account's region
OUTSIDE_OF = {"18.01": {(7, "Kabupaten/Kota", "Kota Metro"), (9, "Kabupaten/Kota", "Kota Pangkalpinang")},
              "18": {(9, "Kabupaten/Kota", "Kota Pangkalpinang")}}


@pytest.mark.parametrize(("account", "scope"), [("selatan", "18.01"), ("lampung", "18")])
def test_check_with_scope_sets_aside_what_the_page_sets_aside_for_that_account(warehouse: Path, tmp_path: Path,
                                                                              account: str, scope: str) -> None:
    path = tmp_path / CLERK_NAME
    path.write_bytes(CLERK)
    counts, problems = cli_check(path, {}, scope=scope)
    at = signed_in(account, CLERK, file_name=CLERK_NAME)
    assert page_counts(at) == counts == (5, 3 - len(OUTSIDE_OF[scope]) + 1, 1 + len(OUTSIDE_OF[scope]))
    assert page_problems(at) == problems
    assert {(r, c, v) for r, c, v, why in problems if why.startswith(OUTSIDE)} == OUTSIDE_OF[scope]
    assert (10, "Tanggal", "31/11/2024") in {(r, c, v) for r, c, v, _ in problems}
    assert cli_check(path, {}, scope="nasional")[0] == (5, 4, 1)  # as without --scope: anywhere


def test_check_refuses_a_scope_that_is_no_province_or_kabkota(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / CLERK_NAME
    path.write_bytes(CLERK)
    for wrong in ("19.99", "18.01.04", "Lampung"):
        assert main(["check", str(path), "--scope", wrong]) == EXIT_SOURCE_ERROR
        assert f"--scope {wrong}: bukan kode provinsi atau kabupaten/kota" in capsys.readouterr().err


def test_an_accounts_refusal_follows_the_language_switch(warehouse: Path, tmp_path: Path) -> None:
    name = "kursi_bawaslu_lampung.csv"
    seats = (Path(__file__).parent / "fixtures" / "office" / name).read_bytes()
    for lang, words in (("en", "only a national account can publish it"), ("id", "hanya akun nasional")):
        at = signed_in("lampung", seats, file_name=name, lang=lang)
        [error] = [e.value for e in at.error]
        assert error.startswith(f"{name}: ") and words in error, error
    assert not staged_files(tmp_path)  # the refused check left nothing staged
    lampung, pusat = accounts.verify("lampung", PASSWORD), accounts.verify("pusat", PASSWORD)
    national = uploading.stage_as(pusat, NAME, DATA, tmp_path / "w")
    with pytest.raises(uploading.NotAllowed) as refused:
        uploading.publish_as(lampung, [national], warehouse)
    assert uploading.said(refused.value, "en") == f"{NAME}: checked for another region than this account's; upload " \
                                                  "it again."
    assert uploading.said(refused.value, "id") == str(refused.value) and "wilayah lain" in str(refused.value)
