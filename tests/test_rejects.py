"""Every reject reason (exact row, column, reason; the good rows still load) and every unreadable source."""

from __future__ import annotations

import pandas as pd
import pytest

from etl.errors import SourceError
from etl.intake import check_file
from etl.readers import Source, read_chunks

P_HEAD = ["Tanggal", "Wilayah", "Lembaga", "Jabatan", "JK", "Jumlah"]
P_GOOD = ["01/02/2024", "Kota Metro", "Bawaslu Kabupaten/Kota", "Ketua", "L", "1"]
A_HEAD = ["ID Kegiatan", "Tanggal", "Penyelenggara", "Lokasi", "Jenis", "Peserta"]
A_GOOD = ["A-1", "20/02/2023", "Kabupaten Bangka Tengah", "19.04.01", "MoU", "40"]
L_HEAD = ["Wilayah", "Minggu", "Dilaksanakan", "Anggota Hadir", "Jumlah Anggota", "Nilai"]
L_GOOD = ["Kota Kendari", "19/08/2024", "Ya", "5", "5", "85,5"]


def _only(rejects: pd.DataFrame) -> dict:
    assert len(rejects) == 1, rejects[["row", "column", "value", "reason"]].to_string()
    return rejects.iloc[0].to_dict()


def _personnel(write_csv, load, bad_row: list[str]):
    good, rejects, read = load(write_csv("pengawas.csv", [P_HEAD, P_GOOD, bad_row], sep=";"))
    assert read == 2
    assert list(good["region_code"]) == ["18.72"]  # the good row loaded
    return _only(rejects)


def test_unknown_region_names_the_closest_candidates(write_csv, load):
    rec = _personnel(write_csv, load, ["01/02/2024", "Kab. Lampung Selatn", "Bawaslu Kab/Kota", "Ketua", "L", "1"])
    assert (rec["row"], rec["column"], rec["value"]) == (3, "Wilayah", "Kab. Lampung Selatn")
    assert rec["reason"].startswith("Wilayah tidak dikenal: 'Kab. Lampung Selatn'")
    assert "mungkin: Kabupaten Lampung Selatan (18.01)" in rec["reason"]


def test_wrong_type(write_csv, load):
    rec = _personnel(write_csv, load, ["01/02/2024", "Kota Metro", "Bawaslu Kab/Kota", "Anggota", "P", "tiga"])
    assert (rec["row"], rec["column"], rec["value"], rec["reason"]) == (
        3, "Jumlah", "tiga", "Bukan angka: 'tiga' (not a number)")


def test_not_a_whole_number(write_csv, load):
    rec = _personnel(write_csv, load, ["01/02/2024", "Kota Metro", "Bawaslu Kab/Kota", "Anggota", "P", "2,5"])
    assert (rec["row"], rec["column"], rec["reason"]) == (
        3, "Jumlah", "Bukan bilangan bulat: '2,5' (not a whole number)")


def test_negative_count(write_csv, load):
    rec = _personnel(write_csv, load, ["01/02/2024", "Kota Metro", "Bawaslu Kab/Kota", "Anggota", "P", "-2"])
    assert (rec["row"], rec["column"], rec["reason"]) == (3, "Jumlah", "Tidak boleh negatif: '-2' (negative count)")


def test_date_in_the_future(write_csv, load):  # today is 30 June 2025 in these tests
    rec = _personnel(write_csv, load, ["01/07/2025", "Kota Metro", "Bawaslu Kab/Kota", "Anggota", "P", "2"])
    assert (rec["row"], rec["column"], rec["reason"]) == (
        3, "Tanggal", "Tanggal di masa depan: '01/07/2025' (hari ini 30 Juni 2025) (date in the future)")


def test_date_before_2017(write_csv, load):
    rec = _personnel(write_csv, load, ["31/12/2016", "Kota Metro", "Bawaslu Kab/Kota", "Anggota", "P", "2"])
    assert (rec["row"], rec["column"], rec["reason"]) == (
        3, "Tanggal", "Tanggal sebelum 1 Januari 2017 (UU 7/2017): '31/12/2016' (date before 2017)")


def test_not_a_date(write_csv, load):
    rec = _personnel(write_csv, load, ["Februari", "Kota Metro", "Bawaslu Kab/Kota", "Anggota", "P", "2"])
    assert (rec["row"], rec["column"], rec["reason"]) == (
        3, "Tanggal", "Bukan tanggal yang dikenali: 'Februari' — tulis seperti 20/02/2023 atau 20 Februari 2023 "
                      "(not a date)")


def test_required_value_missing(write_csv, load):
    rec = _personnel(write_csv, load, ["01/02/2024", "Kota Metro", "", "Anggota", "P", "2"])
    assert (rec["row"], rec["column"], rec["value"], rec["reason"]) == (
        3, "Lembaga", "", "Wajib diisi: kolom 'Lembaga' kosong (required value missing)")


def test_region_at_the_wrong_level_for_the_body(write_csv, load):
    rec = _personnel(write_csv, load, ["01/02/2024", "18.01.04", "PKD", "Anggota", "P", "1"])
    assert (rec["row"], rec["column"], rec["value"], rec["reason"]) == (
        3, "Wilayah", "18.01.04", "Tingkat wilayah tidak sesuai lembaga: Natar (18.01.04) adalah kecamatan, sedangkan "
                                  "pkd berada di tingkat kelurahan/desa (region at the wrong level for the body)")


def test_unknown_choice_lists_the_allowed_values(write_csv, load):
    rec = _personnel(write_csv, load, ["01/02/2024", "Kota Metro", "Bawaslu Kab/Kota", "Bendahara", "P", "1"])
    assert (rec["row"], rec["column"], rec["reason"]) == (
        3, "Jabatan", "Jabatan tidak dikenal: 'Bendahara'; pilihan: ketua, anggota, kasek, korsek, staf (unknown role)")


def test_error_in_a_context_column_is_reported_on_that_column(write_csv, load):
    head = ["Tanggal", "Kabupaten/Kota", "Wilayah", "Lembaga", "Jabatan", "Jumlah"]
    good, rejects, _ = load(write_csv("pengawas.csv", [
        head, ["01/02/2024", "Lampung Selatan", "Natar", "Panwascam", "Ketua", "1"],
        ["01/02/2024", "Kabupaten Entahlah", "Natar", "Panwascam", "Ketua", "1"]]))
    assert list(good["region_code"]) == ["18.01.04"]
    rec = _only(rejects)
    assert (rec["row"], rec["column"], rec["value"]) == (3, "Kabupaten/Kota", "Kabupaten Entahlah")
    assert rec["reason"].startswith("Wilayah tidak dikenal: 'Kabupaten Entahlah'")


def test_unknown_activity_type(write_csv, load):
    good, rejects, _ = load(write_csv("kegiatan.csv", [A_HEAD, A_GOOD, ["A-2", *A_GOOD[1:4], "Konser", "10"]]))
    assert list(good["activity_id"]) == ["A-1"]
    rec = _only(rejects)
    assert (rec["row"], rec["column"], rec["value"], rec["reason"]) == (
        3, "Jenis", "Konser", "Jenis kegiatan tidak dikenal: 'Konser'; pilihan: pembinaan, supervisi, pemantauan, "
                              "evaluasi, inspeksi_mendadak, sosialisasi, sambang_pengawasan, mou, rapat_koordinasi, "
                              "pelantikan, pelatihan (unknown activity type)")
    assert (rec["source"], rec["table"], rec["run_id"]) == (good["source"][0], "activities", "test-run")


def test_duplicate_key_names_the_first_row(write_csv, load):
    rows = [A_HEAD, A_GOOD, ["A-2", *A_GOOD[1:]], ["A-1", "21/02/2023", *A_GOOD[2:]]]
    good, rejects, _ = load(write_csv("kegiatan.csv", rows))
    assert list(good["activity_id"]) == ["A-1", "A-2"]
    assert good["date"][0] == pd.Timestamp("2023-02-20")  # the first occurrence is the one kept
    rec = _only(rejects)
    assert (rec["row"], rec["column"], rec["value"], rec["reason"]) == (
        4, "ID Kegiatan", "A-1", "Duplikat: ID Kegiatan 'A-1' sudah ada di baris 2 (duplicate key)")


def test_duplicate_key_across_chunks(write_csv, load):
    rows = [A_HEAD, A_GOOD, ["A-2", *A_GOOD[1:]], ["A-3", *A_GOOD[1:]], ["A-1", *A_GOOD[1:]]]
    good, rejects, read = load(write_csv("kegiatan.csv", rows), chunk_rows=2)
    assert read == 4 and list(good["activity_id"]) == ["A-1", "A-2", "A-3"]
    rec = _only(rejects)
    assert (rec["row"], rec["reason"]) == (5, "Duplikat: ID Kegiatan 'A-1' sudah ada di baris 2 (duplicate key)")


def test_members_present_above_members_total(write_csv, load):
    good, rejects, _ = load(write_csv("pleno.csv", [L_HEAD, L_GOOD, ["Kota Baubau", "19/08/2024", "Ya", "6", "5", ""]]))
    assert list(good["region_code"]) == ["74.71"]
    rec = _only(rejects)
    assert (rec["row"], rec["column"], rec["value"], rec["reason"]) == (
        3, "Anggota Hadir", "6",
        "Anggota hadir (6) lebih dari jumlah anggota (5) (members present above members total)")


def test_score_outside_0_100(write_csv, load):
    good, rejects, _ = load(write_csv("pleno.csv", [L_HEAD, L_GOOD, ["Kota Baubau", "19/08/2024", "Ya", "5", "5",
                                                                     "101"]]))
    assert len(good) == 1
    rec = _only(rejects)
    assert (rec["row"], rec["column"], rec["value"], rec["reason"]) == (
        3, "Nilai", "101", "Nilai di luar 0–100: '101' (score outside 0-100)")


def test_not_yes_no(write_csv, load):
    good, rejects, _ = load(write_csv("pleno.csv", [L_HEAD, L_GOOD, ["Kota Baubau", "19/08/2024", "mungkin", "5", "5",
                                                                     ""]]))
    assert len(good) == 1
    rec = _only(rejects)
    assert (rec["row"], rec["column"], rec["reason"]) == (3, "Dilaksanakan", "Bukan Ya/Tidak: 'mungkin' (not yes/no)")


def test_seats_not_allowed_by_law(write_csv, load):
    good, rejects, _ = load(write_csv("seats_reference.csv", [["Wilayah", "Jumlah Anggota"], ["Kota Metro", "3"],
                                                              ["Lampung", "6"]]))
    assert list(good["region_code"]) == ["18.72"]
    rec = _only(rejects)
    assert (rec["row"], rec["column"], rec["reason"]) == (
        3, "Jumlah Anggota", "Jumlah anggota bawaslu_provinsi harus 5 atau 7: '6' (seats not allowed by UU 7/2017)")


def test_one_reject_per_column_problem_in_the_same_row(write_csv, load):
    good, rejects, _ = load(write_csv("pengawas.csv", [P_HEAD, P_GOOD,
                                                       ["2016-01-01", "Kota Metro", "Bawaslu Kab/Kota", "Ketua", "L",
                                                        "-1"]]))
    assert len(good) == 1
    assert list(zip(rejects["row"], rejects["column"], strict=True)) == [(3, "Tanggal"), (3, "Jumlah")]


# ---------------------------------------------------------------------------
# Sources that cannot be read at all
# ---------------------------------------------------------------------------


def test_png_renamed_xlsx(tmp_path):
    path = tmp_path / "kegiatan.xlsx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    with pytest.raises(SourceError, match=r"kegiatan\.xlsx: bukan file spreadsheet yang bisa dibaca"):
        list(read_chunks(Source(path=path)))


def test_binary_file_named_csv(tmp_path):
    path = tmp_path / "kegiatan.csv"
    path.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(SourceError, match=r"kegiatan\.csv: bukan file CSV atau spreadsheet"):
        list(read_chunks(Source(path=path)))


@pytest.mark.parametrize("content", [b"", b"\r\n\r\n  \r\n"])
def test_empty_file(tmp_path, content):
    path = tmp_path / "kegiatan.csv"
    path.write_bytes(content)
    with pytest.raises(SourceError, match=r"kegiatan\.csv: file kosong \(empty file\)"):
        list(read_chunks(Source(path=path)))


def test_header_only_is_not_an_error(write_csv, load):
    good, rejects, read = load(write_csv("kegiatan.csv", [A_HEAD]))
    assert (read, len(good), len(rejects)) == (0, 0, 0)
    assert list(good.columns)[:3] == ["activity_id", "date", "organizer_code"]


def test_required_column_missing_names_file_and_column(write_csv):
    head = ["ID Kegiatan", "Penyelenggara", "Lokasi", "Jenis"]
    path = write_csv("kegiatan_lampung.csv", [head, A_GOOD[:1] + A_GOOD[2:5]])
    with pytest.raises(SourceError) as err:
        list(read_chunks(Source(path=path)))
    assert str(err.value) == (f"{path}: kolom wajib tidak ada: tanggal (required column missing: tanggal); "
                              f"kolom yang ada: ID Kegiatan, Penyelenggara, Lokasi, Jenis")


def test_required_column_missing_in_xlsx_names_the_sheet(tmp_path):
    import xlsxwriter

    path = tmp_path / "kegiatan.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet("Data").write_row(0, 0, ["ID Kegiatan", "Tanggal", "Lokasi"])
    wb.close()
    expected = r"kegiatan\.xlsx \(sheet Data\): kolom wajib tidak ada: penyelenggara, jenis"
    with pytest.raises(SourceError, match=expected):
        list(read_chunks(Source(path=path)))


def test_sql_connection_failure_hides_the_password():
    src = Source(url="postgresql+psycopg://pantau:s3cr3t-pw@127.0.0.1:1/gudang", sql_table="kegiatan",
                 table="activities")
    with pytest.raises(SourceError) as err:
        list(read_chunks(src))
    message = str(err.value)
    assert message.startswith("postgresql+psycopg://pantau:***@127.0.0.1:1/gudang#kegiatan: tidak bisa terhubung ke "
                              "database (cannot connect)")
    assert "s3cr3t" not in message


def test_sql_missing_table_and_missing_file(tmp_path):
    import sqlite3

    db = tmp_path / "x.db"
    sqlite3.connect(db).execute("create table t (a text)").connection.close()
    with pytest.raises(SourceError, match="tabel tidak bisa dibaca"):
        list(read_chunks(Source(url=f"sqlite:///{db}", sql_table="kegiatan", table="activities")))
    with pytest.raises(SourceError, match=r"file database tidak ditemukan"):
        list(read_chunks(Source(url=f"sqlite:///{tmp_path / 'nope.db'}", sql_table="k", table="activities")))
    assert not (tmp_path / "nope.db").exists()


def test_check_file_reports_without_loading(write_csv):
    path = write_csv("pengawas_metro.csv", [P_HEAD, P_GOOD, ["01/02/2024", "Kota Metro", "Bawaslu Kab/Kota", "Anggota",
                                                             "P", "-1"]])
    report = check_file(path)
    assert (report.table, report.rows_read, report.rows_ok, report.rows_rejected) == ("personnel", 2, 1, 1)
    assert list(report.rejects["row"]) == [3]
