"""Loaders: each source table to warehouse rows, defaults, the same rows from CSV / XLSX / SQLite, seats."""

from __future__ import annotations

import datetime as dt
import sqlite3

import numpy as np
import pandas as pd
import xlsxwriter

from etl import schemas
from etl.loaders import derive_seats
from etl.readers import Source

A_HEAD = ["ID Kegiatan", "Tanggal", "Penyelenggara", "Lokasi", "Jenis", "Judul", "Peserta"]
A_ROWS = [
    ["A-1", "Senin, 20 Februari 2023", "Kabupaten Bangka Tengah", "Koba", "MoU", "MoU Sambang Pengawasan Koba", "45"],
    ["A-2", "20/02/2023", "Kab. Bangka Tengah", "Lubuk Besar", "Nota Kesepahaman", "MoU Lubuk Besar", "1.234"],
    ["A-3", "2023-10-18", "Lampung", "Kota Bandar Lampung", "Rapat Pembinaan", "Pembinaan Kasek/Korsek", ""],
    ["A-4", "23 Jul 2024", "18", "Kota Metro", "pembinaan", "Pembinaan aparatur, Taman Semilir", ""],
]


def test_activities_rows(write_csv, load):
    good, rejects, read = load(write_csv("kegiatan_babel.csv", [A_HEAD, *A_ROWS], sep=";"))
    assert (read, len(rejects)) == (4, 0)
    assert list(good.columns) == list(schemas.DTYPES["activities"])
    assert good.dtypes.astype(str).to_dict() == schemas.DTYPES["activities"]
    assert list(good["date"]) == [pd.Timestamp(d) for d in ["2023-02-20", "2023-02-20", "2023-10-18", "2024-07-23"]]
    assert list(good["organizer_code"]) == ["19.04", "19.04", "18", "18"]
    assert list(good["organizer_body"]) == ["bawaslu_kabkota", "bawaslu_kabkota", "bawaslu_provinsi",
                                            "bawaslu_provinsi"]
    # a name that is both a kecamatan and a kelurahan inside the organizer's kab means the kecamatan
    assert list(good["region_code"]) == ["19.04.01", "19.04.06", "18.71", "18.72"]
    assert list(good["provinsi_code"]) == ["19", "19", "18", "18"]
    assert list(good["kabkota_code"]) == ["19.04", "19.04", "18.71", "18.72"]
    assert list(good["type"]) == ["mou", "mou", "pembinaan", "pembinaan"]
    assert good["participants"].tolist()[:2] == [45, 1234] and good["participants"][2:].isna().all()
    assert good["source"].str.endswith("kegiatan_babel.csv").all()


def _activities_xlsx(path) -> None:
    wb = xlsxwriter.Workbook(str(path))
    fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    for name, rows, dates in (("Feb", A_ROWS[:2], [dt.datetime(2023, 2, 20), dt.datetime(2023, 2, 20)]),
                              ("Lain", A_ROWS[2:], [dt.datetime(2023, 10, 18), dt.datetime(2024, 7, 23)])):
        ws = wb.add_worksheet(name)
        ws.write(0, 0, "Rekap kegiatan pengawasan")
        ws.write_row(2, 0, A_HEAD)
        for r, (row, date) in enumerate(zip(rows, dates, strict=True), start=3):
            ws.write_row(r, 0, row)
            ws.write_datetime(r, 1, date, fmt)  # a real date cell
            if row[6]:
                ws.write_number(r, 6, int(row[6].replace(".", "")))  # a real number cell
    wb.close()


def _activities_sqlite(path) -> None:
    con = sqlite3.connect(path)
    con.execute("create table kegiatan (id_kegiatan text, tanggal date, penyelenggara text, lokasi text, "
                "jenis text, judul text, peserta integer)")
    iso = ["2023-02-20", "2023-02-20", "2023-10-18", "2024-07-23"]
    con.executemany("insert into kegiatan values (?,?,?,?,?,?,?)",
                    [(r[0], d, r[2], r[3], r[4], r[5], int(r[6].replace(".", "")) if r[6] else None)
                     for r, d in zip(A_ROWS, iso, strict=True)])
    con.commit()
    con.close()


def test_same_activities_from_csv_xlsx_and_sqlite_are_identical(tmp_path, write_csv, load):
    csv_good, csv_rej, _ = load(write_csv("kegiatan.csv", [A_HEAD, *A_ROWS], sep=";", encoding="cp1252"))
    _activities_xlsx(tmp_path / "kegiatan.xlsx")
    xlsx_good, xlsx_rej, _ = load(tmp_path / "kegiatan.xlsx")
    _activities_sqlite(tmp_path / "k.db")
    sql_good, sql_rej, _ = load(Source(url=f"sqlite:///{tmp_path / 'k.db'}", sql_table="kegiatan", table="activities"))
    assert len(csv_rej) == len(xlsx_rej) == len(sql_rej) == 0
    assert len(csv_good) == 4
    base = csv_good.drop(columns="source")
    pd.testing.assert_frame_equal(xlsx_good.drop(columns="source"), base)
    pd.testing.assert_frame_equal(sql_good.drop(columns="source"), base)
    assert sql_good["source"][0] == f"sqlite:///{tmp_path / 'k.db'}#kegiatan"


def test_personal_columns_never_reach_rows_or_rejects(write_csv, load):
    head = ["No", "Nama", "NIK", "Tanggal", "Wilayah", "Lembaga", "Jabatan", "JK", "Jumlah", "Alamat"]
    rows = [head,
            ["1", "Budi Santoso", "1871010101010001", "01/02/2024", "Kota Metro", "Bawaslu Kab/Kota", "Ketua", "L", "1",
             "Jl. Mawar 1"],
            ["2", "Siti Aminah", "1871010101010002", "01/02/2024", "Kota Metro", "Bawaslu Kab/Kota", "Anggota", "P",
             "x", "Jl. Melati 2"]]
    good, rejects, _ = load(write_csv("pengawas.csv", rows))
    assert len(good) == 1 and len(rejects) == 1
    everything = " ".join(good.astype(str).to_numpy().ravel()) + " ".join(rejects.astype(str).to_numpy().ravel())
    for secret in ("Budi", "Siti", "1871010101010001", "1871010101010002", "Mawar", "Melati"):
        assert secret not in everything
    assert not {"Nama", "NIK", "Alamat", "nama", "nik"} & set(good.columns)
    assert rejects["column"].tolist() == ["Jumlah"]


def test_personnel_rows_and_gender_default(write_csv, load):
    head = ["Tanggal", "Provinsi", "Kabupaten/Kota", "Kecamatan", "Wilayah", "Lembaga", "Jabatan", "Jenis Kelamin",
            "Jumlah"]
    rows = [head,
            ["01/02/2024", "Lampung", "Kab. Lampung Selatan", "Natar", "Hajimena", "PKD", "Anggota", "", "1"],
            ["01/02/2024", "Lampung", "Kab. Lampung Selatan", "Natar", "Natar", "Panwascam", "Ketua", "Perempuan", "1"],
            ["01/02/2024", "18", "", "", "Kota Metro", "Bawaslu Kota", "Anggota", "laki-laki", "2"]]
    good, rejects, _ = load(write_csv("personel.csv", rows, sep=";"))
    assert len(rejects) == 0
    assert list(good.columns) == list(schemas.DTYPES["personnel"])
    assert list(good["region_code"]) == ["18.01.04.2001", "18.01.04", "18.72"]
    assert list(good["body"]) == ["pkd", "panwaslu_kecamatan", "bawaslu_kabkota"]
    assert list(good["gender"]) == ["X", "P", "L"]
    assert list(good["kabkota_code"]) == ["18.01", "18.01", "18.72"]
    assert good["count"].tolist() == [1, 1, 2] and str(good["count"].dtype) == "int64"


def test_pleno_defaults(write_csv, load):
    head = ["Provinsi", "Wilayah", "Minggu", "Dilaksanakan", "Anggota Hadir", "Jumlah Anggota", "Nilai", "Hasil"]
    rows = [head,
            ["Sulawesi Tenggara", "Kota Kendari", "22/08/2024", "Ya", "5", "5", "85,5", ""],     # Thursday
            ["Sulawesi Tenggara", "Kota Baubau", "19/08/2024", "Ya", "3", "5", "70", ""],
            ["Sulawesi Tenggara", "Kabupaten Konawe", "25/08/2024", "ya", "3", "5", "59,9", ""],  # Sunday
            ["Sulawesi Tenggara", "Kabupaten Muna", "19/08/2024", "Tidak", "", "5", "", "Baik"],
            ["Sulawesi Tenggara", "74", "19/08/2024", "Ya", "", "7", "", ""]]
    good, rejects, _ = load(write_csv("pleno.csv", rows, sep=";"))
    assert len(rejects) == 0, rejects.to_string()
    assert list(good.columns) == list(schemas.DTYPES["pleno"])
    assert list(good["body"]) == ["bawaslu_kabkota"] * 4 + ["bawaslu_provinsi"]
    assert list(good["week_start"].dt.strftime("%Y-%m-%d")) == ["2024-08-19"] * 5
    assert good["outcome"].tolist()[:4] == ["baik", "cukup", "kurang", "tidak_pleno"]
    assert pd.isna(good["outcome"][4])
    assert good["score"].tolist()[:3] == [85.5, 70.0, 59.9]
    assert good["held"].tolist() == [True, True, True, False, True]
    assert pd.isna(good["members_present"][3]) and good["members_total"].tolist() == [5, 5, 5, 5, 7]
    assert pd.isna(good["kabkota_code"][4]) and good["kabkota_code"][0] == "74.71"


def test_tps_rows(write_csv, load):
    rows = [["Kecamatan", "Desa", "Pemilu", "Jumlah TPS", "DPT"],
            ["18.01.04", "Hajimena", "2024", "24", "6.512"],
            ["18.01.04", "18.01.04.2001", "Pilkada 2024", "20", "6.500"]]
    good, rejects, _ = load(write_csv("tps_natar.csv", rows))
    assert len(rejects) == 0
    assert list(good.columns) == list(schemas.DTYPES["tps"])
    assert list(good["desa_code"]) == ["18.01.04.2001"] * 2
    assert list(good["election"]) == ["pemilu_2024", "pilkada_2024"]
    assert good["tps"].tolist() == [24, 20] and good["voters"].tolist() == [6512, 6500]
    assert list(good["kecamatan_code"]) == ["18.01.04"] * 2


def test_seats_reference_rows(write_csv, load):
    rows = [["Wilayah", "Lembaga", "Jumlah Anggota"], ["Lampung", "", "7"], ["Kota Metro", "Bawaslu Kab/Kota", "3"]]
    good, rejects, _ = load(write_csv("seats_reference.csv", rows))
    assert len(rejects) == 0
    assert list(good.columns) == list(schemas.SEATS_REFERENCE)
    assert good[["region_code", "provinsi_code", "body", "seats"]].values.tolist() == [
        ["18", "18", "bawaslu_provinsi", 7], ["18.72", "18", "bawaslu_kabkota", 3]]


def test_derive_seats():
    regions = pd.DataFrame({
        "code": ["18", "18.72", "18.72.01", "18.72.02", "18.72.01.1001", "18.72.01.1002", "18.72.02.1001"],
        "level": ["provinsi", "kabkota", "kecamatan", "kecamatan", "desa", "desa", "desa"]})
    ref = pd.DataFrame({"region_code": ["18", "18.72"], "provinsi_code": ["18", "18"],
                        "body": ["bawaslu_provinsi", "bawaslu_kabkota"], "seats": [7, 3]})
    tps = pd.DataFrame({"desa_code": ["18.72.01.1001", "18.72.01.1002"], "election": ["pemilu_2024"] * 2,
                        "tps": [10, 4], "voters": [2500, 1000]})
    seats = derive_seats(regions, ref, tps)
    schemas.validate(seats, "seats")
    assert len(seats) == 9  # 2 kecamatan + 3 pkd + 2 ptps + 2 reference
    by_body = seats.groupby("body")["seats"].sum().to_dict()
    assert by_body == {"bawaslu_provinsi": 7, "bawaslu_kabkota": 3, "panwaslu_kecamatan": 6, "pkd": 3, "ptps": 14}
    ptps = seats[seats["body"] == "ptps"]
    assert set(ptps["election"]) == {"pemilu_2024"}
    assert set(seats.loc[seats["body"] != "ptps", "election"]) == {""}
    assert seats.loc[seats["region_code"] == "18", "kabkota_code"].isna().all()
    assert set(seats.loc[seats["region_code"] == "18.72.02", "kabkota_code"]) == {"18.72"}


def test_good_rows_pass_the_warehouse_schema(write_csv, load):
    good, _, _ = load(write_csv("kegiatan.csv", [A_HEAD, *A_ROWS], sep=";"))
    schemas.validate(good, "activities", dt.date(2025, 6, 30))


def _first(tracker, keys: list[str], start: int) -> list:
    got = tracker.first_rows(pd.Series(keys, index=range(start, start + len(keys)), dtype="str"))
    return [None if pd.isna(v) else int(v) for v in got]


def test_key_tracker_names_the_first_row_across_chunks():
    from etl.keys import KeyTracker

    t = KeyTracker()
    assert _first(t, ["a", "b", "a"], 2) == [None, None, 2]
    assert _first(t, ["c", "b", "c", "a"], 5) == [None, 3, 5, 2]
    assert _first(t, ["d"], 9) == [None]
    assert len(t) == 4  # a, b, c, d: each stored once


def test_key_tracker_confirms_a_hash_hit_with_a_second_hash(monkeypatch):
    from etl.keys import KeyTracker

    real = pd.util.hash_pandas_object

    def first_hash_collides(obj, **kw):  # the first hash is the same for every key; the second is real
        return real(obj, **kw) if "hash_key" in kw else pd.Series(np.zeros(len(obj), dtype="uint64"))

    monkeypatch.setattr(pd.util, "hash_pandas_object", first_hash_collides)
    t = KeyTracker()
    assert _first(t, ["x", "y"], 2) == [None, None]
    assert _first(t, ["z", "y", "x"], 4) == [None, 3, 2]
    assert len(t) == 3


def test_key_tracker_blocks_merge_and_still_find_every_key():
    from etl.keys import KeyTracker

    t = KeyTracker()
    for c in range(9):  # blocks of 3 keys merge into larger ones
        assert _first(t, [f"k{c}-{i}" for i in range(3)], 2 + 3 * c) == [None] * 3
    assert len(t._blocks) < 9
    assert _first(t, ["k0-0", "k8-2", "k4-1", "new"], 100) == [2, 28, 15, None]
