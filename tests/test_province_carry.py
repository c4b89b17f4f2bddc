"""A build whose changed sources touch some provinces merges only those provinces' activities and splices the
published rows of the others in (etl.province_carry); the result is the full merge's, row for row."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
from test_build import TODAY, write_csv

from etl.aggregates import OF_ACTIVITIES
from etl.build import build

LAMPUNG = ["L1,18/10/2023,18,18.71,pembinaan,Pembinaan Kasek,40", "L2,23/07/2024,18.72,18.72.01,mou,MoU,12"]
BABEL = ["B1,20/02/2023,19.04,19.04.01,mou,MoU Koba,12", "B2,21/02/2023,19.04,19.04.06,mou,MoU Lubuk Besar,10",
         # Lampung's office, an activity in Bangka Belitung: its key (18, K1) lives in province 19
         "K1,22/02/2023,18,19.04.01,pembinaan,Di Babel,7"]
ACEH = ["C1,01/03/2023,11,11.01,sosialisasi,Sosialisasi,30"]


def _rows(wh: Path, table: str = "activities") -> list[tuple]:
    """Every row of a published table but the run ids, in the warehouse's order."""
    path = wh / "current" / f"{table}.parquet"
    if not path.exists():
        return []
    cols = [c for c in pq.read_schema(path).names if c not in ("run_id", "loaded_run")]
    return duckdb.sql(f"SELECT {', '.join(cols)} FROM read_parquet('{path}')").fetchall()


def _fresh(src: Path, tmp: Path) -> Path:
    """The same sources built into an empty warehouse: the full merge."""
    wh = tmp / "fresh"
    shutil.rmtree(wh, ignore_errors=True)
    summary = build(src, wh, today=TODAY)
    assert summary.merged_provinces is None
    return wh


def test_a_changed_province_file_merges_only_its_province_and_equals_a_full_build(tmp_path):
    src = tmp_path / "src"
    write_csv(src / "kegiatan_aceh.csv", ACEH)
    write_csv(src / "kegiatan_babel.csv", BABEL)
    lampung = write_csv(src / "kegiatan_lampung.csv", LAMPUNG)
    wh = tmp_path / "wh"
    build(src, wh, today=TODAY)
    before = pq.ParquetFile(wh / "current" / "activities.parquet").metadata.num_row_groups

    write_csv(lampung, [LAMPUNG[0].replace(",40", ",41"), "L3,24/07/2024,18.71,18.71.01,mou,MoU baru,9"])
    corrected = build(src, wh, today=TODAY)

    assert corrected.merged_provinces == ["18"]  # Aceh and Bangka Belitung spliced in as published
    fresh = _fresh(src, tmp_path)
    assert _rows(wh) == _rows(fresh)
    for name in OF_ACTIVITIES:  # Lampung's aggregates computed again, the others' kept: the full build's
        assert _rows(wh, name) == _rows(fresh, name), name
    assert pq.ParquetFile(wh / "current" / "activities.parquet").metadata.num_row_groups == before  # one a province
    assert [r[0] for r in _rows(wh)] == ["C1", "L1", "L3", "B1", "K1", "B2"]  # in region-code order


def test_a_key_shared_across_provinces_merges_both_and_the_older_row_returns(tmp_path):
    """A newer source's (18, K1) in Lampung shadows the published (18, K1) located in Bangka Belitung: both
    provinces are merged again; when the newer row goes, the older one comes back in its province."""
    src = tmp_path / "src"
    write_csv(src / "kegiatan_aceh.csv", ACEH)
    write_csv(src / "kegiatan_babel.csv", BABEL)
    wh = tmp_path / "wh"
    build(src, wh, today=TODAY)
    newer = write_csv(src / "kegiatan_lampung.csv", ["K1,23/02/2023,18,18.71.01,pembinaan,Di Lampung,8"])

    added = build(src, wh, today=TODAY)
    assert added.merged_provinces == ["18", "19"]
    assert added.replaced_rows == 1
    assert _rows(wh) == _rows(_fresh(src, tmp_path))
    assert _rows(wh, "_shadowed/activities") == _rows(tmp_path / "fresh", "_shadowed/activities")

    write_csv(newer, LAMPUNG)  # K1 no longer sent from Lampung
    dropped = build(src, wh, today=TODAY)
    assert dropped.merged_provinces == ["18", "19"]
    fresh = _fresh(src, tmp_path)
    assert _rows(wh) == _rows(fresh)
    assert all(_rows(wh, name) == _rows(fresh, name) for name in OF_ACTIVITIES)
    assert ("K1", "Di Babel") in {(r[0], r[8]) for r in _rows(wh)}
    assert not (wh / "current" / "_shadowed" / "activities.parquet").exists()


def test_a_shadowed_row_of_an_untouched_province_is_kept(tmp_path):
    """Shadowed rows of provinces no changed source touches stay aside in the new version (and count as replaced)."""
    src = tmp_path / "src"
    write_csv(src / "kegiatan_babel.csv", BABEL)
    write_csv(src / "kegiatan_babel_koreksi.csv", [BABEL[0].replace(",12", ",13")])
    wh = tmp_path / "wh"
    build(src, wh, today=TODAY)
    write_csv(src / "kegiatan_lampung.csv", LAMPUNG)

    added = build(src, wh, today=TODAY)
    assert added.merged_provinces == ["18"]
    assert added.replaced_rows == 1
    assert _rows(wh) == _rows(_fresh(src, tmp_path))
    assert _rows(wh, "_shadowed/activities") == _rows(tmp_path / "fresh", "_shadowed/activities")
