"""A TPS table kept one row per TPS (etl.unit_lists): counted per desa, the same in chunks as whole, repeats set aside.

The per-TPS files written by hand are in the office corpus (tests/test_office_corpus.py); these are the rules.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from etl import file_values
from etl.intake import check_file, load_source
from etl.readers import Source
from etl.regions import default_resolver
from etl.unit_lists import tps_number

TODAY = dt.date(2026, 12, 4)
HEADER = "Kecamatan;Desa/Kelurahan;Nomor TPS;DPT Total"
ROWS = ["Pringsewu;Fajaresuk;TPS 001;251", "Pringsewu;Pringsewu Utara;TPS 001;311",
        "Pringsewu;Fajaresuk;TPS 002;268", "Pringsewu;Pringsewu Utara;TPS 002;299",
        "Pringsewu;Pringsewu Utara;TPS 003;253", "Pringsewu;Fajaresuk;TPS 003;240"]


def _csv(tmp_path, name: str, lines: list[str]):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _loaded(path, chunk_rows: int | None = None) -> pd.DataFrame:
    results = list(load_source(Source(path=path, table="tps"), default_resolver(), run_id="t", today=TODAY,
                               chunk_rows=chunk_rows))
    return pd.concat([r.good for r in results], ignore_index=True)


@pytest.mark.parametrize(("label", "key"), [("TPS 001", "1"), ("tps-12", "12"), ("001", "1"), ("7", "7"),
                                            (" TPS  LOKSUS 2 ", "TPS LOKSUS 2")])
def test_tps_labels_compare_by_their_number(label, key):
    assert tps_number(label) == key


def test_a_desa_whose_tps_span_chunks_is_counted_once_as_when_read_whole(tmp_path):
    path = _csv(tmp_path, "dpt_per_tps_pringsewu_pemilu_2024.csv", [HEADER, *ROWS])
    whole, chunked = _loaded(path), _loaded(path, chunk_rows=2)
    pd.testing.assert_frame_equal(whole, chunked)
    got = whole.set_index("desa_code")[["tps", "voters"]].to_dict("index")
    assert got == {"18.10.01.1001": {"tps": 3, "voters": 759}, "18.10.01.1002": {"tps": 3, "voters": 863}}
    assert set(whole["election"]) == {"pemilu_2024"}


def test_a_tps_number_typed_twice_is_set_aside_naming_the_row_it_repeats(tmp_path):
    path = _csv(tmp_path, "dpt_per_tps_pringsewu_pemilu_2024.csv",
                [HEADER, *ROWS, "Pringsewu;Fajaresuk;TPS 02;270"])  # the same TPS as row 4, written otherwise
    report = check_file(path, today=TODAY, keep_rows=True)
    assert (report.rows_read, report.rows_ok, report.rows_rejected) == (7, 6, 1)
    (reject,) = report.rejects.itertuples()
    assert (reject.row, reject.column, reject.value, reject.check) == (8, "Nomor TPS", "TPS 02", "duplicate_key")
    assert "baris 4" in reject.reason
    assert report.good.set_index("desa_code").loc["18.10.01.1001", "voters"] == 759  # the repeat is not added
    assert any(n.startswith("satu baris per TPS") and "menjadi 2 baris" in n for n in report.log.notes)


def test_a_tps_column_of_counts_stays_a_count_and_a_repeated_desa_stays_a_duplicate(tmp_path):
    path = _csv(tmp_path, "tps_pringsewu_pemilu_2024.csv", ["Desa/Kelurahan;TPS;DPT", "Fajaresuk;3;759",
                                                            "Pringsewu Utara;3;863", "Fajaresuk;2;500"])
    report = check_file(path, table="tps", today=TODAY, keep_rows=True)
    assert report.good.set_index("desa_code")["tps"].to_dict() == {"18.10.01.1001": 3, "18.10.01.1002": 3}
    assert report.rejects["check"].tolist() == ["duplicate_key"]  # never summed into Fajaresuk's row


def test_a_row_without_its_tps_number_is_set_aside(tmp_path):
    path = _csv(tmp_path, "dpt_per_tps_pringsewu_pemilu_2024.csv", [HEADER, *ROWS[:2], "Pringsewu;Fajaresuk;;199"])
    report = check_file(path, today=TODAY)
    assert report.rows_rejected == 1
    assert report.rejects.iloc[0][["row", "column", "check"]].tolist() == [4, "Nomor TPS", "required"]


@pytest.mark.parametrize(("line", "code"), [
    ("KECAMATAN GADING REJO KABUPATEN PRINGSEWU", "18.10.02"), ("KABUPATEN PRINGSEWU", "18.10"),
    ("Kecamatan Natar Kab. Lampung Selatan", "18.01.04"), ("DESA WONODADI KECAMATAN GADING REJO", "18.10.02.2007"),
    ("Kecamatan: ....", None), ("REKAPITULASI DPT KECAMATAN GADING REJO", None),
])
def test_a_title_line_naming_regions_by_level_says_the_area_its_names_are_in(line, code):
    found = file_values.read_titles([line], default_resolver()).scope
    assert (found.value if found else None) == code


NAMES = ["DAFTAR PENGAWAS KELURAHAN/DESA (PKD) KECAMATAN PRINGSEWU", "Keadaan per 1 Februari 2024", "",
         "No;Nama;NIK;L/P;Desa/Kelurahan;Jabatan", "1;Ani;1810;P;Fajaresuk;PKD", "2;Budi;1811;L;Fajaresuk;PKD",
         "3;Citra;1812;P;Pringsewu Utara;PKD", "4;Dodi;1813;L;Fajaresuk;Anggota", "5;Eka;1814;P;Fajaresuk;PKD"]


def test_a_list_of_names_counts_its_people_per_desa_body_role_and_gender_whole_or_in_chunks(tmp_path):
    path = _csv(tmp_path, "daftar_pkd_pringsewu.csv", NAMES)
    whole, chunked = (_loaded_as(path, "personnel", n) for n in (None, 2))
    pd.testing.assert_frame_equal(whole, chunked)
    got = {(r.region_code, r.gender): r.count for r in whole.itertuples()}
    assert got == {("18.10.01.1001", "P"): 2, ("18.10.01.1001", "L"): 2, ("18.10.01.1002", "P"): 1}
    assert set(whole["body"]) == {"pkd"} and set(whole["role"]) == {"anggota"}
    assert set(whole["as_of"].astype("str")) == {"2024-02-01"}
    report = check_file(path, today=TODAY)
    assert (report.rows_read, report.rows_ok, report.rows_rejected) == (5, 5, 0)
    assert any(f.column == "jumlah" and f.value == "1" for f in report.log.filled)
    assert "Nama" in report.log.dropped_columns  # the names themselves are never read


def test_a_personnel_recap_with_a_count_column_is_not_summed(tmp_path):
    lines = [*NAMES[:3], "Desa/Kelurahan;Lembaga;Jabatan;JK;Jumlah", "Fajaresuk;PKD;Anggota;L;1",
             "Fajaresuk;PKD;Anggota;L;1"]
    report = check_file(_csv(tmp_path, "rekap_pkd_pringsewu.csv", lines), today=TODAY)
    assert report.rejects["check"].tolist() == ["duplicate_key"]  # a recap's repeated row is a mistake, not a person


def _loaded_as(path, table: str, chunk_rows: int | None) -> pd.DataFrame:
    results = list(load_source(Source(path=path, table=table), default_resolver(), run_id="t", today=TODAY,
                               chunk_rows=chunk_rows))
    return pd.concat([r.good for r in results], ignore_index=True)


@pytest.mark.parametrize(("line", "body", "office"), [
    ("DAFTAR NAMA PENGAWAS TPS (PTPS)", "ptps", None),
    ("PANWASLU KECAMATAN PAGELARAN KABUPATEN PRINGSEWU", "panwaslu_kecamatan", "18.10.05"),
    ("REKAP ANGGOTA PANWASCAM SE-KABUPATEN PRINGSEWU", "panwaslu_kecamatan", None),
    ("Keadaan per 10 Februari 2024", None, None),
])
def test_a_title_says_the_body_a_list_names_and_an_office_by_its_parents(line, body, office):
    found = file_values.read_titles([line], default_resolver())
    assert (found.body.value if found.body else None, found.office.value if found.office else None) == (body, office)
