"""Office files as they are: keys of rows without ids, ids per office, headers read as a person would,
values said once for the whole file, stray bytes, and the message when a file still cannot be read.

Every file here is written by hand in the test, shaped as a kab/kota office keeps it; the corpus in
tests/fixtures/office/ (test_office_corpus.py) covers the same points across all five source tables.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest
from test_build import activities, build

from etl.errors import SourceError
from etl.intake import check_file
from etl.readers import Source, read_chunks
from pantau.warehouse import open_warehouse

TODAY = dt.date(2024, 12, 31)


def _write(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


#: A Bawaslu Kabupaten Bangka Tengah activity recap: organiser and year in the title rows, rows numbered,
#: the place written under its level, no id column.
BATENG = [
    "REKAP KEGIATAN PENGAWASAN;;;;;",
    "BAWASLU KABUPATEN BANGKA TENGAH;;;;;",
    "TAHUN 2023;;;;;",
    ";;;;;",
    "No;Tanggal*;Kecamatan;Desa/Kelurahan;Jenis Kegiatan;Jumlah Peserta (orang)",
    "1;20/02/2023;Koba;;MoU;25",
    "2;20/02/2023;Lubuk Besar;;MoU;25",
    "3;01/03/2023;Koba;Nibung;Sambang Pengawasan;30",
    "4;02/03/2023;Koba;Nibung;Sambang Pengawasan;30",
]


def test_a_recap_without_ids_loads_with_its_organiser_from_the_title(tmp_path):
    path = _write(tmp_path / "rekap_bateng.csv", BATENG, "cp1252")
    report = check_file(path, today=TODAY)
    assert (report.table, report.rows_read, report.rows_ok, report.rows_rejected) == ("activities", 4, 4, 0)
    filled = {f.column: f for f in report.log.filled}
    assert filled["penyelenggara"].value == "19.04"
    assert filled["penyelenggara"].describe() == \
        "penyelenggara diambil dari judul: Bawaslu Kabupaten Bangka Tengah (19.04)"
    assert any("lokasi diambil dari kolom tingkat wilayah" in n for n in report.log.notes)


def test_rows_without_ids_keep_their_keys_when_the_corrected_file_is_sent_again(tmp_path):
    """Loaded twice, then corrected (participants) under another file name: the same rows, not doubled."""
    src = tmp_path / "src"
    _write(src / "kegiatan_bateng.csv", BATENG, "cp1252")
    wh = tmp_path / "wh"
    build(src, wh, today=TODAY)
    first = activities(wh)
    build(src, wh, today=TODAY)
    assert len(activities(wh)) == len(first) == 4
    assert first["activity_id"].str.startswith("~").all()
    assert first["activity_id"].is_unique  # rows 3 and 4 differ only by date; none are twins
    (src / "kegiatan_bateng.csv").unlink()
    corrected = [*BATENG[:5], *[line.replace(";25", ";27") for line in BATENG[5:]]]
    _write(src / "kegiatan_bateng_revisi.csv", corrected, "cp1252")
    build(src, wh, today=TODAY)
    after = activities(wh)
    assert len(after) == 4
    assert sorted(after["participants"]) == [27, 27, 30, 30]
    assert set(after["activity_id"]) == set(first["activity_id"])


def test_two_offices_numbering_their_activities_1_to_n_both_keep_every_row(tmp_path):
    src = tmp_path / "src"
    head = "No. Kegiatan;Tanggal;Penyelenggara;Lokasi;Jenis;Uraian"
    _write(src / "kegiatan_metro.csv", [head, *[f"{i};0{i}/08/2024;Kota Metro;Metro Pusat;Sosialisasi;S{i}"
                                                for i in range(1, 8)]])
    _write(src / "kegiatan_lamsel.csv", [head, *[f"{i};0{i}/08/2024;Kab. Lampung Selatan;Natar;Sosialisasi;S{i}"
                                                 for i in range(1, 9)]])
    summary = build(src, tmp_path / "wh", today=TODAY)
    got = activities(tmp_path / "wh")
    assert len(got) == 15
    assert summary.replaced_rows == 0
    assert got.groupby("organizer_code").size().to_dict() == {"18.01": 8, "18.72": 7}


def test_twin_rows_without_ids_are_both_kept(tmp_path):
    lines = ["Tanggal;Penyelenggara;Lokasi;Jenis", *["05/08/2024;18.71;18.71.01;Sosialisasi"] * 2]
    report = check_file(_write(tmp_path / "kegiatan.csv", lines), today=TODAY)
    assert (report.rows_ok, report.rows_rejected) == (2, 0)


def test_a_blank_id_in_an_id_column_is_still_a_reject(tmp_path):
    lines = ["ID;Tanggal;Penyelenggara;Lokasi;Jenis", "A1;05/08/2024;18.71;18.71.01;Sosialisasi",
             ";05/08/2024;18.71;18.71.01;Sosialisasi"]
    report = check_file(_write(tmp_path / "kegiatan.csv", lines), today=TODAY)
    assert (report.rows_ok, report.rows_rejected) == (1, 1)
    assert report.rejects["reason"][0] == "Wajib diisi: kolom 'ID' kosong (required value missing)"


def test_headers_with_notes_units_and_line_breaks(tmp_path):
    import xlsxwriter

    path = tmp_path / "pleno_sultra.xlsx"
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("Agustus")
    ws.write_row(0, 0, ["EVALUASI PLENO RUTIN MINGGUAN BAWASLU KABUPATEN/KOTA SE-SULAWESI TENGGARA"])
    ws.write_row(1, 0, ["Bawaslu Provinsi Sulawesi Tenggara"])
    ws.write_row(3, 0, ["No", "Kab/Kota", "Minggu (Senin)", "Pleno\nDilaksanakan", "Anggota Hadir",
                        "Jumlah Anggota*", "Nilai (0-100)", "Keterangan"])
    ws.write_row(4, 0, ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)", "(8)"])
    ws.write_row(5, 0, [1, "Kota Kendari", "19/08/2024", "Ya", 5, 5, 90, ""])
    ws.write_row(6, 0, [2, "Kab. Konawe", "19/08/2024", "Tidak", 0, 5, 0, "tidak kuorum"])
    book.close()
    report = check_file(path, today=TODAY)
    assert (report.table, report.rows_ok, report.rows_rejected) == ("pleno", 2, 0)
    assert report.log.skipped_rows == {"baris satuan/nomor kolom di bawah judul (unit row)": [5]}
    assert {f.column: f.value for f in report.log.filled} == {"penilai": "74"}
    chunk = next(read_chunks(Source(path=path)))
    assert chunk.headers["minggu"] == "Minggu (Senin)" and chunk.headers["dilaksanakan"] == "Pleno Dilaksanakan"


def test_a_filling_note_after_an_asterisk_in_a_header_is_not_part_of_its_name(tmp_path):
    import xlsxwriter  # found loading a hand-written Lampung Selatan recap: its participants column was ignored

    path = tmp_path / "rekap_lamsel_november_2024.xlsx"
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("Rekap November")
    ws.write_row(0, 0, ["REKAPITULASI KEGIATAN PENGAWASAN"])
    ws.write_row(2, 0, ["No", "Tanggal Kegiatan*", "Jenis Kegiatan", "Nama Kegiatan", "Kecamatan",
                        "Jumlah Peserta (orang)\n*isi angka saja"])
    ws.write_row(3, 0, [1, "04/11/2024", "Sosialisasi", "Sosialisasi di balai desa", "Natar", 60])
    book.close()
    report = check_file(path, table="activities", values={"penyelenggara": "18.01"}, today=TODAY)
    assert (report.rows_ok, report.rows_rejected) == (1, 0)
    chunk = next(read_chunks(Source(path=path, table="activities", values={"penyelenggara": "18.01"})))
    assert chunk.headers["peserta"] == "Jumlah Peserta (orang) *isi angka saja"


def test_personnel_counted_per_gender_under_one_header_loads_a_row_per_gender(tmp_path, load):
    lines = ["REKAP PERSONIL PENGAWAS PEMILU PROVINSI LAMPUNG;;;;;", "Keadaan per 23 Juli 2024;;;;;",
             "No;Kab/Kota;Lembaga;Jabatan;Jumlah;", ";;;;L;P",
             "1;Kota Metro;Bawaslu Kota;Ketua;1;", "2;Kota Metro;Bawaslu Kota;Anggota;1;1",
             "3;Kota Metro;Sekretariat Bawaslu Kota;Staf;dua;1",
             "JUMLAH;;;;2;2", ";;;;;", "Bandar Lampung, 24 Juli 2024;;;;;", "Ketua;;;;;"]
    path = _write(tmp_path / "personil_lampung.csv", lines, "cp1252")
    good, rejects, read = load(path)
    assert read == 3
    assert sorted(zip(good["role"], good["gender"], good["count"], strict=True)) == \
        [("anggota", "L", 1), ("anggota", "P", 1), ("ketua", "L", 1)]
    assert set(good["as_of"]) == {pd.Timestamp("2024-07-23")}
    assert (rejects["row"].tolist(), rejects["column"].tolist()) == ([7], ["Jumlah L"])
    report = check_file(path, today=TODAY)
    assert (report.rows_ok, report.rows_rejected) == (2, 1)
    # the JUMLAH row is said in the leftmost cell ('No'); the signature sits there too, blank in every column read
    assert report.log.skipped_rows == {"baris jumlah/total (total row)": [8]}


def test_two_date_columns_under_one_header_take_the_first(tmp_path):
    lines = ["Tanggal;Tanggal;Penyelenggara;Lokasi;Jenis", "Mulai;Selesai;;;",
             "05/08/2024;07/08/2024;18.71;18.71.01;Bimtek"]
    report = check_file(_write(tmp_path / "kegiatan.csv", lines), today=TODAY)
    assert (report.rows_ok, report.rows_rejected) == (1, 0)
    plain = ["Tanggal;Tanggal;Penyelenggara;Lokasi;Jenis", "05/08/2024;07/08/2024;18.71;18.71.01;Bimtek"]
    report = check_file(_write(tmp_path / "kegiatan2.csv", plain), today=TODAY)
    assert (report.rows_ok, report.rows_rejected) == (1, 0)
    assert any("yang pertama ('Tanggal [kolom A]') dipakai sebagai tanggal" in n for n in report.log.notes)


def test_two_count_columns_under_one_header_say_which_and_how_to_choose(tmp_path):
    lines = ["Tanggal;Wilayah;Lembaga;Jabatan;Jumlah;Jumlah", "23/07/2024;18.72;Bawaslu Kota;Anggota;2;3"]
    with pytest.raises(SourceError) as err:
        check_file(_write(tmp_path / "personel.csv", lines), today=TODAY)
    assert "'Jumlah [kolom E]' dan 'Jumlah [kolom F]' sama-sama bisa menjadi jumlah: ubah judul salah satunya" \
        in str(err.value)


def test_a_control_character_sets_its_row_aside_and_the_rest_loads(tmp_path, monkeypatch):
    lines = ["ID;Tanggal;Penyelenggara;Lokasi;Jenis", "A1;05/08/2024;18.71;18.71.01;Sosialisasi",
             "A2;05/08/2024;18.71;18.71.01\x00;Sosialisasi", "A3;06/08/2024;18.71;18.71.01;Sosial\x07isasi"]
    for bulk in ("1", "0"):  # the bulk path hands such a file to the reference loader: the same answer
        monkeypatch.setenv("PANTAU_ETL_BULK", bulk)
        report = check_file(_write(tmp_path / f"kegiatan{bulk}.csv", lines), today=TODAY)
        assert (report.rows_ok, report.rows_rejected) == (1, 2)
        assert report.rejects["value"].tolist() == ["18.71.01\u2400", "Sosial\u2407isasi"]
        assert report.rejects["reason"][0].startswith("Ada karakter kontrol tak terlihat di sel")


def test_a_file_that_is_mostly_binary_is_refused_whole(tmp_path):
    path = tmp_path / "kegiatan.csv"
    path.write_bytes(b"ID;Tanggal\n" + bytes(range(32)) * 200)
    with pytest.raises(SourceError, match="binary data"):
        check_file(path, today=TODAY)


def test_a_file_that_still_cannot_be_read_names_the_nearest_header_and_the_option(tmp_path):
    lines = ["Tgl Kegiatn;Lokasi;Jenis;Uraian", "05/08/2024;18.71.01;Sosialisasi;x"]
    with pytest.raises(SourceError) as err:
        list(read_chunks(Source(path=_write(tmp_path / "kegiatan.csv", lines), values={"tanggal": ""})))
    text = str(err.value)
    assert "kolom wajib tidak ada: penyelenggara" in text
    assert "bila satu nilai berlaku untuk seluruh berkas" in text and "--set penyelenggara=NILAI" in text
    lines = ["Tgl Kegiatn;Penyelenggara;Lokasi;Jenis", "x;18.71;18.71.01;Sosialisasi"]
    with pytest.raises(SourceError) as err:
        list(read_chunks(Source(path=_write(tmp_path / "kegiatan2.csv", lines))))
    assert "yang paling mirip: 'Tgl Kegiatn' mirip 'tanggal'" in str(err.value)


def test_a_column_is_recognised_by_its_values_and_the_check_says_so(tmp_path):
    lines = ["Penyelenggara;Lokasi;Jenis;Waktu Kegiatan Dilakukan",
             *[f"18.71;18.71.01;Sosialisasi;0{d}/08/2024" for d in range(1, 6)]]
    report = check_file(_write(tmp_path / "kegiatan.csv", lines), today=TODAY)
    assert (report.rows_ok, report.rows_rejected) == (5, 0)
    assert any(n.startswith("'Waktu Kegiatan Dilakukan' dipakai sebagai tanggal: 100% isinya terbaca sebagai "
                            "tanggal") for n in report.log.notes)


def test_set_fills_a_column_for_check_and_build_alike(tmp_path):
    lines = ["Tanggal;Lokasi;Jenis", "05/08/2024;Kedaton;Sosialisasi"]
    path = _write(tmp_path / "src" / "rekap_kegiatan.csv", lines)
    report = check_file(path, today=TODAY, values={"penyelenggara": "18.71"})
    assert (report.rows_ok, report.rows_rejected) == (1, 0)
    summary = build(tmp_path / "src", tmp_path / "wh", today=TODAY, values={"penyelenggara": "18.71"})
    got = activities(tmp_path / "wh")
    assert got[["organizer_code", "region_code"]].values.tolist() == [["18.71", "18.71.01"]]
    assert summary.sources[0].filled == [{"column": "penyelenggara", "value": "18.71", "origin": "diberikan",
                                          "text": "18.71", "label": ""}]
    wh = open_warehouse(tmp_path / "wh")
    try:  # kept in etl_runs: what filled a column of which source
        inputs = json.loads(wh.sql("SELECT inputs FROM etl_runs ORDER BY started_at DESC LIMIT 1")["inputs"][0])
    finally:
        wh.close()
    assert inputs[0]["filled"][0]["column"] == "penyelenggara" and inputs[0]["values"] == {"penyelenggara": "18.71"}
    # the same file with another value is read again, not reused
    again = build(tmp_path / "src", tmp_path / "wh", today=TODAY, values={"penyelenggara": "18.72"})
    assert not again.sources[0].reused
    assert activities(tmp_path / "wh")["organizer_code"].tolist() == ["18.72"]


def test_check_and_build_take_set_on_the_command_line(tmp_path):
    import subprocess
    import sys

    lines = ["REKAP KEGIATAN;;", "Tanggal;Lokasi;Jenis", "05/08/2024;Kedaton;Sosialisasi"]
    path = _write(tmp_path / "src" / "rekap_kegiatan.csv", lines)
    root = Path(__file__).resolve().parents[1]

    def etl(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "etl", *args], cwd=root, capture_output=True, text=True,
                              timeout=180, env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"})

    refused = etl("check", str(path))
    assert refused.returncode == 2 and "--set penyelenggara=NILAI" in refused.stderr
    assert "Gudang data" not in refused.stderr  # check never touches a warehouse
    res = etl("check", str(path), "--set", "penyelenggara=18.71")
    assert res.returncode == 0, res.stderr
    assert "nilai berkas: penyelenggara = 18.71 (diberikan)" in res.stdout
    assert "1 baris dibaca, 1 baik, 0 ditolak" in res.stdout
    built = etl("build", "--source", str(tmp_path / "src"), "--warehouse", str(tmp_path / "wh"), "--quiet",
                "--set", "penyelenggara=18.71")
    assert built.returncode == 0, built.stderr
    assert "rekap_kegiatan.csv: penyelenggara = 18.71 (diberikan)" in built.stdout
    bad = etl("check", str(path), "--set", "penyelenggara")
    assert bad.returncode == 2 and "tulis KOLOM=NILAI" in bad.stderr


def test_a_folder_build_reads_a_file_named_as_offices_name_them(tmp_path):
    lines = ["Tanggal;Penyelenggara;Lokasi;Jenis", "05/08/2024;18.71;18.71.01;Sosialisasi"]
    _write(tmp_path / "src" / "laporan_bulanan.csv", lines)  # no table word in the name: read by its headers
    _write(tmp_path / "src" / "personil_metro.csv", ["Tanggal;Wilayah;Lembaga;Jabatan;Jumlah",
                                                     "23/07/2024;Kota Metro;Bawaslu Kota;Ketua;1"])
    summary = build(tmp_path / "src", tmp_path / "wh", today=TODAY)
    assert {s.name: s.table for s in summary.sources} == {"laporan_bulanan.csv": "activities",
                                                          "personil_metro.csv": "personnel"}


def test_a_provinces_sheet_of_its_kab_kota_counts_compliance_over_the_reported_bodies(tmp_path):
    """Bawaslu Sulawesi Tenggara's hand-written August 2024 sheet (tests/fixtures/office): 17 kab/kota x 4 weeks,
    the evaluator only in the title rows, two rows set aside (members present above the total, a score of 850).
    Built as `python -m etl build` builds it: every loaded row carries the evaluator (74); compliance is over the
    66 reported weeks of the 17 kab/kota, and the province, which evaluates and is not evaluated, is not reported
    (not a body at 0 %)."""
    import shutil

    from pantau import pleno
    from pantau.filters import Period, Scope
    from pantau.warehouse import open_warehouse

    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(Path(__file__).parent / "fixtures" / "office" / "rekap_pleno_sultra_agustus_2024.xlsx", src)
    build(src, tmp_path / "wh", today=TODAY)
    wh = open_warehouse(tmp_path / "wh")
    try:
        rows = wh.sql("SELECT region_code, held, evaluator_code FROM pleno")
        assert len(rows) == 66 and set(rows["evaluator_code"]) == {"74"}
        assert rows["region_code"].nunique() == 17 and "74" not in set(rows["region_code"])
        held = int(rows["held"].sum())
        scope, august = Scope("provinsi", "74"), Period(dt.date(2024, 8, 1), dt.date(2024, 8, 31))
        compliance, _ = pleno.compliance_totals(wh, scope, august)
        assert compliance == pytest.approx(held / 66)
        assert list(pleno.not_reported(wh, scope, august)["region_code"]) == ["74"]
        ranked = pleno.pleno_compliance(wh, scope, august)
        assert ranked["rank"].notna().sum() == 17
    finally:
        wh.close()


def test_every_office_named_in_a_title_is_found_at_its_own_level(resolver):
    """'BAWASLU KOTA GORONTALO' is the city (75.71), not the province; 'BAWASLU KABUPATEN PANGKAJENE DAN KEPULAUAN'
    keeps its 'dan': every kab/kota and province of the region list, named as offices head their recaps."""
    from etl.file_values import read_titles
    from etl.regions import regions_table

    regions = regions_table()
    offices = regions[regions["level"].isin(["provinsi", "kabkota"])]
    wrong = []
    for code, name, level in zip(offices["code"], offices["name"], offices["level"], strict=True):
        title = f"BAWASLU {'PROVINSI ' if level == 'provinsi' else ''}{name.upper()}"
        found = read_titles([title], resolver).office
        if found is None or found.value != code:
            wrong.append((title, found.value if found else None))
    assert wrong == []


def test_a_file_naming_its_own_kab_kota_is_that_kab_kota_not_a_kecamatan_inside_it(tmp_path):
    """Kab. Konawe has a Kecamatan Konawe, Kota Kendari a Kelurahan Kendari: the office's own region, written in its
    own recap, is the office's region (the review found 136 of 514 kab/kota named like one of their parts)."""
    lines = ["LAPORAN PELAKSANAAN PLENO RUTIN MINGGUAN;;;;;", "BAWASLU KOTA KENDARI;;;;;",
             "No;Kab/Kota;Tanggal Pleno;Dilaksanakan;Hadir;Jumlah Anggota",
             "1;Kota Kendari;05/08/2024;Ya;5;5", "2;Kota Kendari;12/08/2024;Tidak;0;5"]
    good, _, _ = _loaded(tmp_path / "pleno_kendari.csv", lines)
    assert set(good["region_code"]) == {"74.71"} and set(good["body"]) == {"bawaslu_kabkota"}
    lines = ["BAWASLU KABUPATEN KONAWE;;;", "Tanggal;Lokasi;Jenis;Uraian", "05/08/2024;Kabupaten Konawe;Rakor;x",
             "06/08/2024;Kab. Konawe;Sosialisasi;y", "07/08/2024;Konawe;Sosialisasi;z"]
    good, _, _ = _loaded(tmp_path / "kegiatan_konawe.csv", lines)
    # written with its kind, the kabupaten; bare 'Konawe' at no given level is the kecamatan inside it
    assert good["region_code"].tolist() == ["74.02", "74.02", "74.02.32"]


def _loaded(path: Path, lines: list[str]):
    from etl.intake import load_source

    results = list(load_source(Source(path=_write(path, lines)), None, run_id="t", today=TODAY))
    return (pd.concat([r.good for r in results], ignore_index=True),
            pd.concat([r.rejects for r in results], ignore_index=True), sum(r.rows_read for r in results))


def test_pemilihan_umum_in_a_title_is_the_general_election():
    from etl.file_values import read_titles
    from etl.regions import default_resolver

    r = default_resolver()
    assert read_titles(["REKAP TPS DAN DPT PEMILIHAN UMUM TAHUN 2024"], r).election.value == "pemilu_2024"
    assert read_titles(["PEMILIHAN GUBERNUR DAN WAKIL GUBERNUR LAMPUNG TAHUN 2024"], r).election.value == \
        "pilkada_2024"
    assert read_titles(["PEMILU SERENTAK 2024"], r).election.value == "pemilu_2024"


def test_a_month_in_a_pleno_title_is_no_week(tmp_path):
    lines = ["EVALUASI PLENO BAWASLU PROVINSI LAMPUNG AGUSTUS 2024;;;", "No;Kab/Kota;Minggu Ke-;Dilaksanakan;Jumlah",
             "1;Kota Metro;I;Ya;5"]
    with pytest.raises(SourceError, match="kolom wajib tidak ada: minggu"):
        check_file(_write(tmp_path / "pleno.csv", lines), today=TODAY)


def test_build_set_fills_only_sources_that_lack_the_column(tmp_path):
    """--set tanggal=... is for the personnel recap without a date; an activity left undated stays a reject."""
    _write(tmp_path / "src" / "personil_metro.csv", ["Wilayah;Lembaga;Jabatan;Jumlah",
                                                     "Kota Metro;Bawaslu Kota;Ketua;1"])
    _write(tmp_path / "src" / "kegiatan_metro.csv", ["Tanggal;Penyelenggara;Lokasi;Jenis",
                                                     "05/08/2024;18.72;18.72.01;Rakor", ";18.72;18.72.01;Rakor"])
    summary = build(tmp_path / "src", tmp_path / "wh", today=TODAY, values={"tanggal": "2024-07-01"})
    stats = {s.table: s for s in summary.sources}
    assert (stats["personnel"].rows_loaded, stats["personnel"].rows_rejected) == (1, 0)
    assert (stats["activities"].rows_loaded, stats["activities"].rows_rejected) == (1, 1)


def test_notes_totals_and_repeated_headers_are_not_data(tmp_path):
    lines = ["NO;Tanggal;Nama Kegiatan;Jenis Kegiatan;Kab/Kota;Kecamatan;Jumlah Peserta (orang)",
             "1;05/07/2024;Sosialisasi;Sosialisasi;Kota Metro;Metro Pusat;120",
             "NO;Tanggal;Nama Kegiatan;Jenis Kegiatan;Kab/Kota;Kecamatan;Jumlah Peserta (orang)",
             "2;08/07/2024;Rakor;Rakor;Kota Metro;;35", "JUMLAH;;;;;;155", ";;;;;;",
             ";Mengetahui,;;;;Metro, 31 Juli 2024;", ";Ketua Bawaslu Kota Metro;;;;Koordinator Divisi;",
             ";Dedi Kurniawan, S.H.;;;;Sri Wahyuni, S.Pd.;"]
    report = check_file(_write(tmp_path / "kegiatan_bawaslu_kota_metro.csv", lines), today=TODAY)
    assert (report.rows_ok, report.rows_rejected) == (2, 0)
    assert report.log.skipped_rows == {"judul kolom berulang (header repeated)": [3],
                                       "baris jumlah/total (total row)": [5],
                                       "catatan di bawah tabel, mis. tanda tangan (notes below the table)": [7, 8, 9]}
    lines = ["Tanggal;Penyelenggara;Lokasi;Jenis", "05/08/2024;18.72;18.72.01;Rakor", "JUMLAH;;;"]
    report = check_file(_write(tmp_path / "kegiatan2.csv", lines), today=TODAY)  # JUMLAH under a column read
    assert (report.rows_ok, report.rows_rejected) == (1, 0)


def test_gender_columns_beside_a_share_and_rows_with_no_count(tmp_path):
    lines = ["Tanggal;Wilayah;Lembaga;Jabatan;L;P;Jumlah;% Perempuan",
             "01/07/2024;Kota Metro;Bawaslu Kota;Anggota;2;1;3;33,3", "01/07/2024;Kota Metro;Bawaslu Kota;Ketua;;;;"]
    report = check_file(_write(tmp_path / "personil.csv", lines), today=TODAY)
    assert any("jumlah per jenis kelamin" in n for n in report.log.notes)
    assert (report.rows_ok, report.rows_rejected) == (1, 1)  # a row that counts nobody is no silent blank


@pytest.mark.parametrize("url", ["postgresql+psycopg://:Rahasia42@127.0.0.1:1/db",
                                 "postgresql+psycopg://pantau:Ra@hasia42@127.0.0.1:1/db"])
def test_a_password_with_no_user_or_a_raw_at_is_never_shown(tmp_path, url):
    """Issue 20, point 3: the old mask printed these two shapes' passwords in the message and runs.jsonl."""
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "sources.toml").write_text(f'[[source]]\ntable = "activities"\nurl = "{url}"\n'
                                                   f'sql_table = "kegiatan"\n', encoding="utf-8")
    with pytest.raises(SourceError) as err:
        build(tmp_path / "src", tmp_path / "wh", today=TODAY)
    log = (tmp_path / "wh" / "runs.jsonl").read_text(encoding="utf-8")
    for secret in ("Rahasia42", "hasia42", "Ra@"):
        assert secret not in str(err.value) and secret not in log
    assert ":***@127.0.0.1:1/db" in str(err.value)


def test_a_pleno_week_sheet_fills_its_empty_dates_from_the_title_and_members_from_the_law(tmp_path):
    """A Panwaslu Kecamatan has 3 members by law, a PKD 1: a file need not say it; a Bawaslu's are set per region and
    must be written. The week of a sheet's title fills the dates left empty ('-': a pleno not held)."""
    path = tmp_path / "pleno_pringsewu.csv"
    path.write_text("\n".join([
        "MONITORING PLENO BAWASLU KABUPATEN PRINGSEWU", "MINGGU KE-2 OKTOBER 2024 (7 - 11 Oktober 2024)", "",
        "Wilayah;Lembaga;Pleno Dilaksanakan;Hari/Tanggal Pleno;Jumlah Anggota Hadir;Nilai",
        "Pringsewu;Panwaslu Kecamatan;Ya;Rabu, 9 Oktober 2024;3;90",
        "Ambarawa;Panwaslu Kecamatan;Tidak;-;-;-",
        "Kabupaten Pringsewu;Bawaslu Kabupaten;Ya;10/10/2024;3;80"]) + "\n", encoding="utf-8")
    report = check_file(path, today=dt.date(2026, 12, 4), keep_rows=True)
    rows = report.good.set_index("region_code")
    assert rows.loc["18.10.03", ["held", "members_total"]].tolist() == [False, 3]
    assert rows["week_start"].astype("str").unique().tolist() == ["2024-10-07"]
    assert pd.isna(rows.loc["18.10.03", "members_present"]) and pd.isna(rows.loc["18.10.03", "score"])
    (reject,) = report.rejects.itertuples()  # a Bawaslu's members are not fixed by law
    assert (reject.row, reject.column, reject.check) == (7, "jumlah_anggota", "required")


def test_question_style_headers_of_a_google_form_are_read_past_their_question_words():
    from etl import spec
    from etl.headers import match_headers

    form = ["Timestamp", "Email Address", "Nama Petugas Pelapor", "Asal Bawaslu Kabupaten/Kota",
            "Tanggal Pelaksanaan Kegiatan", "Jenis Kegiatan", "Nama/Judul Kegiatan", "Kecamatan Lokasi Kegiatan",
            "Desa/Kelurahan Lokasi Kegiatan", "Jumlah Peserta yang Hadir"]
    m = match_headers(form, spec.SOURCES["activities"])
    assert {h: m.mapping.get(h) for h in form[3:]} == {
        "Asal Bawaslu Kabupaten/Kota": "penyelenggara", "Tanggal Pelaksanaan Kegiatan": "tanggal",
        "Jenis Kegiatan": "jenis", "Nama/Judul Kegiatan": "judul", "Kecamatan Lokasi Kegiatan": "kecamatan",
        "Desa/Kelurahan Lokasi Kegiatan": "kelurahan_desa", "Jumlah Peserta yang Hadir": "peserta"}
    assert m.dropped == ["Email Address", "Nama Petugas Pelapor"] and not m.missing
    # in a pleno sheet 'hadir' is no question word: members present stay apart from the members
    pleno = match_headers(["Wilayah", "Minggu", "Dilaksanakan", "Jumlah Anggota Hadir", "Jumlah Anggota"],
                          spec.SOURCES["pleno"])
    assert pleno.mapping["Jumlah Anggota Hadir"] == "anggota_hadir"
    assert pleno.mapping["Jumlah Anggota"] == "jumlah_anggota"
