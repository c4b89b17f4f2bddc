"""Readers: CSV encodings and separators, XLSX title rows and sheets, SQL tables and queries, headers."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pandas as pd
import pytest
import xlsxwriter

from etl.errors import SourceError
from etl.headers import match_headers
from etl.readers import ReadLog, Source, infer_table, read_chunks, sha256_of, table_from_name
from etl.spec import SOURCES

HEADER = ["ID Kegiatan", "Tanggal", "Penyelenggara", "Lokasi", "Jenis", "Judul", "Peserta"]
ROW1 = ["A-1", "20/02/2023", "19.04", "Tanjung Karang Pusat", "MoU", "Rapat café’s", "1.234"]
ROW2 = ["A-2", "21/02/2023", "18.10", "18.71.06", "sidak", "x", "3"]


def _frame(source: Source, **kw) -> pd.DataFrame:
    return pd.concat([c.frame for c in read_chunks(source, **kw)])


@pytest.mark.parametrize(("encoding", "sep", "bom"), [
    ("utf-8", ",", ""), ("utf-8", ";", "\ufeff"), ("cp1252", ";", ""), ("cp1252", ",", ""), ("utf-8", "\t", ""),
])
def test_csv_encodings_and_separators(write_csv, encoding, sep, bom):
    path = write_csv("kegiatan_x.csv", [HEADER, ROW1, ROW2], sep=sep, encoding=encoding, prefix=bom)
    log = ReadLog()
    frame = _frame(Source(path=path), log=log)
    assert list(frame.index) == [2, 3]  # header is row 1
    assert frame.loc[2, "lokasi"] == "Tanjung Karang Pusat"
    assert frame.loc[2, "judul"] == "Rapat café’s"
    assert frame.loc[2, "peserta"] == "1.234"
    assert frame.loc[3, "penyelenggara"] == "18.10"  # a code stays text
    assert log.separator == sep
    assert log.encoding == {"utf-8": "utf-8-sig" if bom else "utf-8", "cp1252": "cp1252"}[encoding]


def test_a_mixed_csv_names_its_windows_1252_lines_and_reads_them_as_such(tmp_path):
    """Issue 20, point 6 (a): a UTF-8 file (here with a BOM) with 12 Windows-1252 lines pasted in, the last one
    past the first 4 MB block the decoding is decided in; a line of pure ASCII is both and counts as neither."""
    from etl.readers import LINES_LISTED, csv_encoding

    head = "\ufeff" + ",".join(HEADER) + "\n"
    utf8 = ",".join(ROW1) + "\n"
    legacy = ",".join([*ROW2[:5], "Cémara", "3"]) + "\n"
    filler = ",".join(ROW2) + "\n"  # ASCII
    pad = filler * ((4 << 20) // len(filler))
    text = head.encode() + utf8.encode() + legacy.encode("cp1252") * 11 + pad.encode() + legacy.encode("cp1252")
    path = tmp_path / "kegiatan.csv"
    path.write_bytes(text)
    found = csv_encoding(path)
    last = 1 + 1 + 11 + pad.count("\n") + 1
    assert (found.encoding, found.legacy_count) == ("utf-8+cp1252", 12)
    assert found.legacy_lines == tuple(range(3, 3 + LINES_LISTED))
    assert "12 baris bukan UTF-8 dibaca sebagai Windows-1252 (baris 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 …)" in \
        found.describe()
    frame = _frame(Source(path=path, table="activities"))
    assert frame.loc[2, "judul"] == "Rapat café’s" and frame.loc[3, "judul"] == frame.loc[last, "judul"] == "Cémara"


def test_csv_title_rows_blank_lines_and_personal_columns(write_csv):
    rows = [["Laporan kegiatan Bawaslu"], [""], ["No", "Nama", "NIK", *HEADER], ["1", "Budi", "1871", *ROW1], [""],
            ["2", "Ani", "1872", *ROW2]]
    log = ReadLog()
    chunks = list(read_chunks(Source(path=write_csv("kegiatan.csv", rows, sep=";")), log=log))
    frame = pd.concat([c.frame for c in chunks])
    assert list(frame.index) == [4, 6]  # line 3 is the header, line 5 is blank
    assert "Nama" not in frame.columns and "NIK" not in frame.columns
    assert not frame.isin(["Budi", "Ani", "1871", "1872"]).any().any()
    assert log.dropped_columns == ["Nama", "NIK"] and log.unknown_columns == ["No"]
    assert chunks[0].headers["id_kegiatan"] == "ID Kegiatan"


def test_csv_streams_in_chunks(write_csv):
    rows = [HEADER] + [[f"A-{i}", *ROW1[1:]] for i in range(5)]
    chunks = list(read_chunks(Source(path=write_csv("kegiatan.csv", rows)), chunk_rows=2))
    assert [len(c) for c in chunks] == [2, 2, 1]
    assert [c.first_row for c in chunks] == [2, 4, 6]
    assert list(chunks[2].frame["id_kegiatan"]) == ["A-4"]


def _xlsx(path, sheets: dict[str, list[list[object]]]) -> None:
    wb = xlsxwriter.Workbook(str(path))
    date_fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, dt.date):
                    ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_fmt)
                elif value is not None:
                    ws.write(r, c, value)
    wb.close()


def test_xlsx_title_row_and_two_sheets(tmp_path):
    path = tmp_path / "laporan.xlsx"
    _xlsx(path, {
        "Catatan": [["Tidak ada data di sini"]],
        "Februari": [["Laporan kegiatan Februari"], [], HEADER,
                     ["A-1", dt.date(2023, 2, 20), "19.04", 18.1, "MoU", None, 1234]],
        "Maret": [HEADER, ["A-2", "01/03/2023", "19.04", "19.04.01", "rakor", "x", 85.5]],
    })
    log = ReadLog()
    chunks = list(read_chunks(Source(path=path, table="activities"), log=log))
    assert [(c.sheet, c.first_row) for c in chunks] == [("Februari", 4), ("Maret", 2)]
    first, second = chunks[0].frame, chunks[1].frame
    assert first.loc[4, "tanggal"] == "2023-02-20"      # a date cell
    assert first.loc[4, "lokasi"] == "18.10"            # a number cell in a region column keeps 2 decimals
    assert first.loc[4, "peserta"] == "1234"
    assert first.loc[4, "judul"] == ""
    assert second.loc[2, "peserta"] == "85,5"           # decimal comma: never read as thousands
    assert log.sheets == ["Februari", "Maret"]
    assert list(log.skipped_sheets) == ["Catatan"]


def test_xlsx_named_sheet_only(tmp_path):
    path = tmp_path / "kegiatan.xlsx"
    _xlsx(path, {"A": [HEADER, ROW1], "B": [HEADER, ROW2]})
    frame = _frame(Source(path=path, sheet="B"))
    assert list(frame["id_kegiatan"]) == ["A-2"]
    with pytest.raises(SourceError, match="sheet 'C' tidak ada"):
        list(read_chunks(Source(path=path, sheet="C")))


def test_sqlite_table_and_query(tmp_path):
    db = tmp_path / "k.db"
    con = sqlite3.connect(db)
    con.execute("create table kegiatan (id_kegiatan text, tanggal text, penyelenggara text, lokasi text, "
                "jenis text, peserta integer, nama text)")
    con.executemany("insert into kegiatan values (?,?,?,?,?,?,?)",
                    [("A-1", "2023-02-20", "19.04", "19.04.01", "mou", 12, "Budi"),
                     ("A-2", "2023-02-21", "19.04", "19.04.06", "mou", None, "Ani")])
    con.commit()
    con.close()
    src = Source(url=f"sqlite:///{db}", sql_table="kegiatan", table="activities")
    assert src.name == f"sqlite:///{db}#kegiatan"
    frame = _frame(src)
    assert list(frame.index) == [1, 2]
    assert list(frame["peserta"]) == ["12", ""]
    assert "nama" not in frame.columns
    q = Source(url=f"sqlite:///{db}", query="SELECT * FROM kegiatan WHERE id_kegiatan = 'A-2'", table="activities")
    assert list(_frame(q)["id_kegiatan"]) == ["A-2"]
    assert sha256_of(src) == sha256_of(src) != sha256_of(q)
    log = ReadLog()
    list(read_chunks(src, chunk_rows=1, log=log))  # the build takes the hash of what it read
    assert log.sha256 == sha256_of(src)
    with pytest.raises(SourceError, match="hanya satu perintah SELECT"):
        list(read_chunks(Source(url=f"sqlite:///{db}", query="DELETE FROM kegiatan", table="activities")))
    assert sqlite3.connect(db).execute("select count(*) from kegiatan").fetchone()[0] == 2


def test_sha256_of_file(write_csv):
    path = write_csv("kegiatan.csv", [HEADER, ROW1])
    import hashlib

    assert sha256_of(Source(path=path)) == hashlib.sha256(path.read_bytes()).hexdigest()


def test_table_from_file_name_and_headers(write_csv):
    assert table_from_name("kegiatan_lampung.csv") == "activities"
    assert table_from_name("data/evaluasi_pleno_2024.xlsx") == "pleno"
    assert table_from_name("seats_reference.csv") == "seats_reference"
    assert table_from_name("laporan.csv") is None
    path = write_csv("laporan.csv", [["Tanggal", "Wilayah", "Lembaga", "Jabatan", "JK", "Jumlah"]])
    assert infer_table(Source(path=path)).table == "personnel"


def test_header_matching_is_tolerant():
    m = match_headers(["TANGGAL", "Kode_Wilayah", "lembaga.", "Jabatan", "Jenis Kelamin", "Jumlah Orang", "Nama",
                       "NIK", "Nama Kecamatan", "Keterangan"], SOURCES["personnel"])
    assert m.mapping == {"TANGGAL": "tanggal", "Kode_Wilayah": "wilayah", "lembaga.": "lembaga", "Jabatan": "jabatan",
                         "Jenis Kelamin": "jenis_kelamin", "Jumlah Orang": "jumlah", "Nama Kecamatan": "kecamatan"}
    assert m.dropped == ["Nama", "NIK"]
    assert m.unknown == ["Keterangan"]
    assert m.missing == []


def test_context_default_fills_a_missing_column(write_csv):
    path = write_csv("pengawas.csv", [["Tanggal", "Wilayah", "Lembaga", "Jabatan", "Jumlah"],
                                      ["01/02/2024", "Kota Metro", "Bawaslu Kab/Kota", "Ketua", "1"]])
    frame = _frame(Source(path=path, context={"provinsi": "18"}))
    assert frame.loc[2, "provinsi"] == "18"


def _sqlite_db(tmp_path):
    db = tmp_path / "k.db"
    con = sqlite3.connect(db)
    con.execute("create table kegiatan (id_kegiatan text, tanggal text, penyelenggara text, lokasi text, "
                "jenis text, peserta integer)")
    con.executemany("insert into kegiatan values (?,?,?,?,?,?)",
                    [("A-1", "2023-02-20", "19.04", "19.04.01", "mou", 12),
                     ("A-2", "2024-02-21", "19.04", "19.04.06", "mou", 3)])
    con.commit()
    con.close()
    return db


def test_sqlite_query_parameters_are_bound_never_pasted(tmp_path):
    db = _sqlite_db(tmp_path)
    q = "SELECT * FROM kegiatan WHERE tanggal >= :since AND id_kegiatan != :skip"
    src = Source(url=f"sqlite:///{db}", query=q, params={"since": "2024-01-01", "skip": "x"}, table="activities")
    assert list(_frame(src)["id_kegiatan"]) == ["A-2"]
    # an injection attempt is only a value: it matches no id
    evil = Source(url=f"sqlite:///{db}", query="SELECT * FROM kegiatan WHERE id_kegiatan = :id",
                  params={"id": "x' OR '1'='1"}, table="activities")
    assert list(read_chunks(evil)) == []
    assert sha256_of(src) != sha256_of(Source(url=f"sqlite:///{db}", query=q, table="activities",
                                              params={"since": "2023-01-01", "skip": "x"}))


def test_sqlite_schema_table_and_read_only_connection(tmp_path):
    from etl.readers import _connect

    db = _sqlite_db(tmp_path)
    src = Source(url=f"sqlite:///{db}", sql_table="main.kegiatan", table="activities")
    assert list(_frame(src)["id_kegiatan"]) == ["A-1", "A-2"]
    with _connect(src) as conn, pytest.raises(Exception, match="readonly"):
        conn.exec_driver_sql("DELETE FROM kegiatan")
    assert sqlite3.connect(db).execute("select count(*) from kegiatan").fetchone()[0] == 2


def test_a_database_error_while_hashing_names_the_source_without_password(tmp_path):
    db = _sqlite_db(tmp_path)
    src = Source(url=f"sqlite:///{db}", query="SELECT * FROM kegiatan WHERE nope = 1", table="activities")
    with pytest.raises(SourceError, match=r"#query: query gagal \(query failed\).*nope"):
        sha256_of(src)


def test_cells_are_taken_column_by_column_as_typed():
    from etl.readers import _columns

    rows = [("A-1", 12, dt.datetime(2024, 1, 2), "x"), ("A-2", None), ("A-3", 2.5, dt.date(2024, 1, 3))]
    cols = _columns(rows, [0, 1, 2], ["text", "int", "date"], ["id", "n", "d"])
    assert cols == {"id": ["A-1", "A-2", "A-3"], "n": ["12", "", "2,5"], "d": ["2024-01-02", "", "2024-01-03"]}
    assert _columns([], [0, 1], ["text", "text"], ["a", "b"]) == {"a": [], "b": []}
