"""The bulk path of activities CSVs (etl.bulk_activities) gives exactly the reference loader's rows and rejects."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pandas as pd
import pytest
from conftest import TODAY

from etl.intake import bulk_eligible, load_source
from etl.readers import Source
from etl.sample import generate

HEAD = ["id_kegiatan", "tanggal", "penyelenggara", "lembaga_penyelenggara", "provinsi", "kabupaten_kota",
        "lokasi", "jenis", "judul", "peserta"]
GOOD = ["A-1", "20/02/2023", "19.04", "Bawaslu Kabupaten/Kota", "", "", "19.04.01", "MoU", "MoU Koba", "45"]


def _both(path: Path, chunk_rows: int | None = None, restarts: list[int] | None = None, resolver=None):
    """(good, rejects) of the bulk and of the reference path."""
    out = []
    for bulk in (True, False):
        src = Source(path=path, table="activities")
        got: list = []

        def restart(got: list = got) -> None:  # as the build does: drop what came before, count the restart
            got.clear()
            restarts.append(1)  # type: ignore[union-attr]

        for res in load_source(src, resolver, run_id="r", today=TODAY, chunk_rows=chunk_rows, bulk=bulk,
                               restart=restart if restarts is not None else None):
            got.append(res)
        good = pd.concat([r.good for r in got], ignore_index=True)
        rejects = pd.concat([r.rejects for r in got], ignore_index=True)
        out.append((good, rejects))
    return out


def _assert_same(bulk, ref) -> None:
    pd.testing.assert_frame_equal(bulk[0], ref[0])
    pd.testing.assert_frame_equal(bulk[1], ref[1])


MESSY = [
    HEAD,
    GOOD,
    ["A-2", "Senin, 20 Februari 2023", "Kabupaten Bangka Tengah", "", "Kepulauan Bangka Belitung", "", "Koba",
     "mou", "  MoU  ", "1.234"],
    ["A-3", "2023-02-20", "19.04.06", "Panwaslu Kecamatan", "", "", "19.04.06", "Sosialisasi", "", ""],
    ["A-4", "31/02/2023", "19.04", "", "", "", "19.04.01", "MoU", "bad date", "3"],            # not a date
    ["A-5", "20/02/2016", "19.04", "", "", "", "19.04.01", "MoU", "before 2017", "3"],         # before 2017
    ["A-6", "20/02/2023", "Kab. Bangka Tngah", "", "", "", "19.04.01", "MoU", "typo", "3"],    # unknown name
    ["A-7", "20/02/2023", "19.04", "Bawaslu Provinsi", "", "", "19.04.01", "MoU", "wrong level", "3"],
    ["A-8", "20/02/2023", "19.04", "", "Lampung", "", "19.04.01", "MoU", "outside context", "3"],
    ["A-9", "20/02/2023", "19.04", "", "", "", "99.99.99", "MoU", "unknown code", "3"],
    ["A-10", "20/02/2023", "19.04", "", "", "", "19.04.01", "Konser", "unknown type", "3"],
    ["A-11", "20/02/2023", "19.04", "", "", "", "19.04.01", "MoU", "negative", "-5"],
    ["A-12", "20/02/2023", "19.04", "", "", "", "19.04.01", "MoU", "not whole", "2,5"],
    ["A-1", "21/02/2023", "19.04", "", "", "", "19.04.01", "MoU", "duplicate of row 2", "3"],   # row 14
    ["", "", "", "", "", "", "", "", "", ""],                                                   # blank: dropped
    ["A-13", "", "19.04", "", "", "", "", "MoU", "required missing", "3"],
    ["A-14", "20/02/2023", "19.04", "Pengawas Alien", "", "", "19.04.01", "MoU", "unknown body", "3"],
    ["A-15", "20/02/2023", "18.71", "", "Lampung", "Kota Bandar Lampung", "Kedaton", "Pembinaan", "name", "7"],
    [" ", "\t", "\u00a0", "", "", "", " ", "", "", "  "],                                       # row 19: blank
    ["  ", "20/02/2023", "19.04", "", "", "", "19.04.01", "MoU", "id missing", "3"],           # row 20: rejected
]


@pytest.mark.parametrize(("chunk_rows", "whole_file"), [(None, True), (4, True), (None, False)])
def test_messy_rows_give_the_same_rows_and_rejects_on_both_paths(write_csv, resolver, chunk_rows, whole_file,
                                                                 monkeypatch):
    import etl.csv_arrow

    if not whole_file:  # parsed in 256-byte blocks, as a file over WHOLE_FILE_BYTES is
        monkeypatch.setattr(etl.csv_arrow, "WHOLE_FILE_BYTES", 0)
        monkeypatch.setattr(etl.csv_arrow, "BLOCK_BYTES", 256)
    path = write_csv("kegiatan.csv", MESSY, sep=";")
    assert bulk_eligible(Source(path=path, table="activities"))
    bulk, ref = _both(path, chunk_rows, resolver=resolver)
    _assert_same(bulk, ref)
    assert bulk[0]["activity_id"].tolist() == ["A-1", "A-2", "A-3", "A-15"]
    assert set(bulk[1]["row"]) == set(range(5, 15)) | {16, 17, 20}  # rows 15 and 19 are blank: dropped
    dup = bulk[1][bulk[1]["row"] == 14]
    assert dup["reason"].tolist() == ["Duplikat: id_kegiatan 'A-1' sudah ada di baris 2 (duplicate key)"]


def test_a_bad_value_gets_the_same_rule_on_both_paths(write_csv, resolver, load):
    """Each rejected cell names its rule (etl.checks) in ``check``: the same id on the bulk and the reference path,
    and for the same bad value in another table."""
    path = write_csv("kegiatan.csv", MESSY, sep=";")
    bulk, ref = _both(path, resolver=resolver)
    assert bulk[1]["check"].tolist() == ref[1]["check"].tolist() == [
        "not_a_date", "date_too_early", "region_unknown", "region_level_for_body", "region_code_outside_parent",
        "region_code_outside_parent", "region_code_unknown", "unknown_activity_type", "negative_count",
        "not_whole_number", "duplicate_key", "required", "required", "unknown_body", "required"]
    personnel = write_csv("personil.csv", [["tanggal", "wilayah", "lembaga", "jabatan", "jumlah"],
                                           ["31/02/2023", "18.01", "Bawaslu Kabupaten/Kota", "Anggota", "-5"]])
    _, rejects, _ = load(personnel, "personnel")
    assert rejects[["column", "check"]].values.tolist() == [["tanggal", "not_a_date"], ["jumlah", "negative_count"]]


def test_cp1252_quoted_separators_and_blank_lines_read_alike(tmp_path, resolver):
    text = ("judul laporan kegiatan\r\n" + ";".join(HEAD) + "\r\n" + ";".join(GOOD) + "\r\n\r\n"
            + 'A-2;20/02/2023;19.04;;;;19.04.01;MoU;"Sosialisasi; Café ""Koba""";12\r\n'
            + 'A-3;20/02/2023;19.04;;;;19.04.01;MoU;"two\r\nlines";12\r\n'
            + "A-4;20/02/2023;19.04;;;;19.04.99;MoU;unknown;12\r\n")
    path = tmp_path / "kegiatan.csv"
    path.write_bytes(text.encode("cp1252"))
    bulk, ref = _both(path, resolver=resolver)
    _assert_same(bulk, ref)
    assert bulk[0]["title"].tolist() == ["MoU Koba", 'Sosialisasi; Café "Koba"', "two\r\nlines"]


def test_a_ragged_row_sends_the_file_to_the_reference_path(write_csv, resolver):
    rows = [HEAD, GOOD, ["A-2", "20/02/2023", "19.04"]]  # too few fields: pyarrow refuses, pandas fills
    path = write_csv("kegiatan.csv", rows)
    bulk, ref = _both(path, resolver=resolver)
    _assert_same(bulk, ref)
    assert bulk[1]["row"].tolist() == [3, 3] and len(bulk[0]) == 1


def test_giving_up_part_way_restarts_the_source(write_csv, resolver, monkeypatch):
    import etl.bulk_activities
    import etl.csv_arrow

    rows = [HEAD] + [[f"A-{i}", *GOOD[1:]] for i in range(400)] + [["A-x", "20/02/2023"]]
    path = write_csv("kegiatan.csv", rows)
    monkeypatch.setattr(etl.csv_arrow, "BLOCK_BYTES", 4096)  # several blocks before the ragged row
    monkeypatch.setattr(etl.csv_arrow, "WHOLE_FILE_BYTES", 0)  # (a small file is otherwise parsed whole)
    restarts: list[int] = []
    bulk, ref = _both(path, restarts=restarts, resolver=resolver)  # blocks held for the contract: none handed on
    _assert_same(bulk, ref)
    assert restarts == [] and len(bulk[0]) == 400
    monkeypatch.setattr(etl.bulk_activities, "CHECKED_ROWS", 1)  # each block handed on: the caller must drop them
    bulk, ref = _both(path, restarts=restarts, resolver=resolver)
    _assert_same(bulk, ref)
    assert restarts == [1] and len(bulk[0]) == 400
    src = Source(path=path, table="activities")
    with pytest.raises(RuntimeError, match="cannot restart"):  # (blocks handed on, CHECKED_ROWS = 1 above)
        list(load_source(src, resolver, run_id="r", today=TODAY, bulk=True))


def test_blocks_held_for_the_contract_give_every_row_once(write_csv, resolver, monkeypatch):
    import etl.bulk_activities
    import etl.csv_arrow

    rows = [HEAD] + [[f"A-{i % 390}", "31/02/2023" if i % 7 == 0 else GOOD[1], *GOOD[2:]] for i in range(400)]
    path = write_csv("kegiatan.csv", rows)  # rejects: a date that does not exist, ids given twice
    monkeypatch.setattr(etl.csv_arrow, "BLOCK_BYTES", 4096)
    monkeypatch.setattr(etl.csv_arrow, "WHOLE_FILE_BYTES", 0)
    monkeypatch.setattr(etl.bulk_activities, "CHECKED_ROWS", 150)  # results of several blocks, then the rest
    src = Source(path=path, table="activities")
    results = list(load_source(src, resolver, run_id="r", today=TODAY, bulk=True))
    assert len(results) >= 3 and sum(r.rows_read for r in results) == 400
    bulk, ref = _both(path, resolver=resolver)
    _assert_same(bulk, ref)
    assert len(bulk[0]) + len(bulk[1]) == 400
    reasons = bulk[1]["reason"].str[:8].value_counts().to_dict()
    assert reasons == {"Bukan ta": 58, "Duplikat": 6}  # ids seen again after a good first row: 6 of the last 10


def test_the_sample_activities_are_the_same_on_both_paths(tmp_path, resolver):
    generate(tmp_path / "sample")
    manifest = tomllib.loads((tmp_path / "sample" / "sources.toml").read_text(encoding="utf-8"))
    paths = [tmp_path / "sample" / e["path"] for e in manifest["source"] if e["table"] == "activities"
             and "path" in e and bulk_eligible(Source(path=tmp_path / "sample" / e["path"], table="activities"))]
    assert len(paths) >= 5
    for path in paths:
        bulk, ref = _both(path, resolver=resolver)
        _assert_same(bulk, ref)


def test_repeated_headers_totals_and_notes_give_the_same_rows_on_both_paths(write_csv, resolver):
    """A machine export pasted twice (its header repeated), a JUMLAH row and a signature under it: both paths leave
    the same rows out and load the same rows."""
    rows = [HEAD, GOOD, HEAD, ["A-2", *GOOD[1:]], ["JUMLAH", "", "", "", "", "", "", "", "", "90"],
            [""] * len(HEAD), ["Metro, 31 Juli 2024", *[""] * (len(HEAD) - 1)], ["Ketua", *[""] * (len(HEAD) - 1)]]
    path = write_csv("kegiatan.csv", rows, sep=";")
    assert bulk_eligible(Source(path=path, table="activities"))
    bulk, ref = _both(path, resolver=resolver)
    _assert_same(bulk, ref)
    assert bulk[0]["activity_id"].tolist() == ["A-1", "A-2"] and len(bulk[1]) == 0
