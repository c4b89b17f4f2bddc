"""A run publishes a whole version atomically, keeps old versions for readers, logs failed runs.

Also holds the small helpers the other ETL test files import (activities CSV writer, hashes).
The sources are tiny real CSV files in tmp_path; every run is a real build into a real warehouse.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from etl import publish
from etl.build import build, new_run_id
from etl.errors import SourceError
from pantau.warehouse import open_warehouse

TODAY = date(2024, 12, 31)
HEADER = "id_kegiatan,tanggal,penyelenggara,lokasi,jenis,judul,peserta"
#: Five Lampung / Bangka Tengah activities; A5 is dated after TODAY, so it is rejected.
BASE_ROWS = [
    "A1,18/10/2023,18,18.71,pembinaan,Pembinaan Kasek,40",
    "A2,23/07/2024,18,18.72,pembinaan,Pembinaan aparatur,55",
    "A3,20/02/2023,19.04,19.04.01,mou,MoU Koba,12",
    "A4,20/02/2023,19.04,19.04.06,mou,MoU Lubuk Besar,10",
    "A5,01/01/2025,18,18.71,pembinaan,Tanggal masa depan,1",
]


def write_csv(path: Path, rows: list[str], header: str = HEADER) -> Path:
    """Write an activities CSV (UTF-8, `,`) with the given data lines."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def activity_rows(start: int, n: int, day: str = "05/08/2024") -> list[str]:
    """n valid activity lines with ids B<start>..B<start+n-1>, all in Kota Bandar Lampung."""
    return [f"B{i},{day},18.71,18.71.01,sosialisasi,Sosialisasi {i},{i % 50}" for i in range(start, start + n)]


def file_hashes(version_dir: Path) -> dict[str, str]:
    """sha256 of every file in a version directory (recursively), by relative path."""
    return {str(p.relative_to(version_dir)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(version_dir.rglob("*")) if p.is_file()}


def activities(root: Path) -> pd.DataFrame:
    """The published activities table, sorted by activity_id."""
    wh = open_warehouse(root)
    try:
        return wh.sql("SELECT * FROM activities ORDER BY activity_id")
    finally:
        wh.close()


def runs(root: Path) -> pd.DataFrame:
    wh = open_warehouse(root)
    try:
        return wh.sql("SELECT * FROM etl_runs ORDER BY started_at")
    finally:
        wh.close()


# ---------------------------------------------------------------------------


def test_first_build_publishes_a_version_behind_the_current_link(tmp_path):
    write_csv(tmp_path / "src" / "kegiatan_lampung.csv", BASE_ROWS)
    wh = tmp_path / "wh"
    summary = build(tmp_path / "src", wh, today=TODAY)

    assert summary.status == "ok"
    link = wh / "current"
    assert link.is_symlink() and os.readlink(link) == f"versions/{summary.run_id}"
    manifest = json.loads((link / "manifest.json").read_text())
    assert manifest["version"] == summary.run_id
    opened = open_warehouse(wh)
    assert opened.version == summary.run_id  # what the dashboard's caches key on
    opened.close()
    got = activities(wh)
    assert got["activity_id"].tolist() == ["A1", "A2", "A3", "A4"]  # A5 is in the future
    assert got.set_index("activity_id").loc["A3", "region_code"] == "19.04.01"
    assert got.set_index("activity_id").loc["A3", "kabkota_code"] == "19.04"
    assert manifest["tables"]["activities"]["rows"] == 4
    assert manifest["tables"]["activities"]["data_date"] == "2024-07-23"
    assert manifest["sources"]["kegiatan_lampung.csv"]["loaded"] == {"read": 5, "loaded": 4, "rejected": 1}
    assert summary.tables["activities"] == {"read": 5, "loaded": 4, "rejected": 1, "rows": 4}
    assert not list(wh.glob(".staging-*"))
    assert not (link / "_parts").exists() and not (link / "_tmp").exists()


def test_a_reader_keeps_its_version_while_a_new_one_is_published(tmp_path):
    src = write_csv(tmp_path / "src" / "kegiatan.csv", BASE_ROWS[:2])
    wh = tmp_path / "wh"
    first = build(tmp_path / "src", wh, today=TODAY)
    reader = open_warehouse(wh)
    write_csv(src, BASE_ROWS[:4])
    second = build(tmp_path / "src", wh, today=TODAY)

    assert reader.version == first.run_id
    assert reader.scalar("SELECT count(*) FROM activities") == 2  # the old files are still there
    reader.close()
    fresh = open_warehouse(wh)
    assert fresh.version == second.run_id != first.run_id
    assert fresh.scalar("SELECT count(*) FROM activities") == 4
    fresh.close()


def test_old_versions_are_pruned_to_the_last_three(tmp_path):
    src = tmp_path / "src" / "kegiatan.csv"
    wh = tmp_path / "wh"
    ids = []
    for n in range(1, 5):
        write_csv(src, activity_rows(1, n))
        ids.append(build(tmp_path / "src", wh, today=TODAY).run_id)
    assert sorted(p.name for p in (wh / "versions").iterdir()) == ids[1:]
    assert open_warehouse(wh).version == ids[-1]


def test_run_ids_sort_in_time_order():
    from datetime import UTC, datetime

    a = new_run_id(datetime(2024, 8, 22, 10, 15, 0, 1, tzinfo=UTC))
    b = new_run_id(datetime(2024, 8, 22, 10, 15, 0, 2, tzinfo=UTC))
    assert a.startswith("20240822T101500.000001-") and a < b


def test_a_failed_run_publishes_nothing_and_is_kept_in_the_run_history(tmp_path):
    write_csv(tmp_path / "src" / "kegiatan.csv", BASE_ROWS[:2])
    wh = tmp_path / "wh"
    first = build(tmp_path / "src", wh, today=TODAY)
    before = file_hashes(wh / "current")
    # a file without the required column "jenis": the whole run stops
    write_csv(tmp_path / "src" / "kegiatan_rusak.csv", ["X1,05/08/2024,18,18.71"],
              header="id_kegiatan,tanggal,penyelenggara,lokasi")
    with pytest.raises(SourceError, match=r"kegiatan_rusak\.csv.*jenis"):
        build(tmp_path / "src", wh, today=TODAY)

    assert open_warehouse(wh).version == first.run_id
    assert file_hashes(wh / "current") == before
    assert not list(wh.glob(".staging-*"))
    log = publish.read_run_log(wh)
    assert [r["status"] for r in log] == ["running", "ok", "running", "failed"]
    assert "kegiatan_rusak.csv" in log[-1]["message"]

    (tmp_path / "src" / "kegiatan_rusak.csv").unlink()
    third = build(tmp_path / "src", wh, today=TODAY)
    history = runs(wh)
    assert history["run_id"].tolist() == [first.run_id, log[-1]["run_id"], third.run_id]
    assert history["status"].tolist() == ["ok", "failed", "ok"]
    assert "jenis" in history["message"].iloc[1]


def test_clean_leftovers_removes_staging_links_and_unpublished_versions(tmp_path):
    wh = tmp_path / "wh"
    (wh / "versions" / "20240101T000000.000000-aaaa").mkdir(parents=True)
    (wh / "versions" / "20240101T000000.000000-aaaa" / "manifest.json").write_text("{}")
    (wh / "versions" / "20230101T000000.000000-old0").mkdir()          # older, published earlier: kept
    (wh / "versions" / "20230101T000000.000000-old0" / "manifest.json").write_text("{}")
    (wh / "versions" / "20230601T000000.000000-half").mkdir()          # half deleted (no manifest)
    (wh / "versions" / "20250101T000000.000000-new0").mkdir()          # moved in, never linked
    (wh / "versions" / "20250101T000000.000000-new0" / "manifest.json").write_text("{}")
    os.symlink("versions/20240101T000000.000000-aaaa", wh / "current")
    (wh / ".staging-20250101T000000.000000-new1" / "_parts").mkdir(parents=True)
    os.symlink("versions/20250101T000000.000000-new0", wh / ".current-20250101T000000.000000-new0")

    removed = publish.clean_leftovers(wh)

    assert sorted(removed) == sorted([".staging-20250101T000000.000000-new1",
                                      ".current-20250101T000000.000000-new0",
                                      "versions/20230601T000000.000000-half",
                                      "versions/20250101T000000.000000-new0"])
    assert sorted(p.name for p in (wh / "versions").iterdir()) == ["20230101T000000.000000-old0",
                                                                    "20240101T000000.000000-aaaa"]
    assert os.readlink(wh / "current") == "versions/20240101T000000.000000-aaaa"


def test_run_log_survives_a_line_cut_by_a_kill(tmp_path):
    publish.append_run_log(tmp_path, {"run_id": "r1", "status": "running"})
    with open(tmp_path / "runs.jsonl", "a", encoding="utf-8") as fh:
        fh.write('{"run_id": "r1", "sta')  # the process died mid-write
    publish.append_run_log(tmp_path, {"run_id": "r2", "status": "ok"})
    assert [(r["run_id"], r["status"]) for r in publish.read_run_log(tmp_path)] == [("r1", "running"), ("r2", "ok")]


def test_pause_hook_names_only_known_stages():
    with pytest.raises(ValueError, match="unknown pause stage"):
        publish.pause_at("nowhere")
    publish.pause_at("read")  # not asked for (PANTAU_ETL_PAUSE_AT unset): returns at once


def test_aggregates_written_beside_the_merge_equal_those_written_in_one_go(tmp_path):
    import shutil

    import pyarrow.parquet as pq

    from etl.aggregates import AGGREGATES, OF_ACTIVITIES, write_aggregates

    write_csv(tmp_path / "src" / "kegiatan_lampung.csv", BASE_ROWS)
    summary = build(tmp_path / "src", tmp_path / "wh", today=TODAY)
    assert set(OF_ACTIVITIES) == {"agg_activity_month", "agg_activity_day_prov", "agg_sambang_desa_month"}
    again = tmp_path / "again"
    shutil.copytree(summary.version_dir, again)
    for name in AGGREGATES:
        (again / f"{name}.parquet").unlink()
    write_aggregates(again)
    for name in AGGREGATES:
        built, one_go = pq.read_table(summary.version_dir / f"{name}.parquet"), pq.read_table(again / f"{name}.parquet")
        assert built.equals(one_go), name
    assert pq.read_table(summary.version_dir / "agg_activity_month.parquet").num_rows == 3


def test_may_repeat_keys_is_false_only_when_no_key_repeats(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from etl.merge import _may_repeat_keys

    def part(name: str, ids: list, days: list) -> Path:
        pq.write_table(pa.table({"id": pa.array(ids, pa.string()), "day": pa.array(days, pa.string())}),
                       tmp_path / name)
        return tmp_path / name

    a = part("a.parquet", ["A1", "A2", None], ["1", "2", "3"])
    b = part("b.parquet", ["A3", None], ["1", "4"])
    c = part("c.parquet", ["A2"], ["9"])
    assert not _may_repeat_keys([a], ["id"])
    assert _may_repeat_keys([a, b], ["id"])  # null twice: one key, as DuckDB's IS NOT DISTINCT FROM
    assert not _may_repeat_keys([a, b], ["id", "day"])
    assert _may_repeat_keys([a, c], ["id"])  # across files


def test_the_exact_repeated_key_search_gives_the_same_tables_when_no_key_repeats(tmp_path, monkeypatch):
    import etl.merge

    write_csv(tmp_path / "src" / "kegiatan_a.csv", BASE_ROWS)
    write_csv(tmp_path / "src" / "kegiatan_b.csv", activity_rows(1, 20))
    quick = build(tmp_path / "src", tmp_path / "quick", today=TODAY)
    monkeypatch.setattr(etl.merge, "_may_repeat_keys", lambda files, keys: True)  # as after a hash collision
    exact = build(tmp_path / "src", tmp_path / "exact", today=TODAY)
    for table in ("activities", "personnel", "pleno", "tps", "seats_reference"):
        got = pd.read_parquet(exact.version_dir / f"{table}.parquet")
        pd.testing.assert_frame_equal(got, pd.read_parquet(quick.version_dir / f"{table}.parquet"))
    assert (quick.replaced_rows, exact.replaced_rows) == (0, 0)
    assert len(pd.read_parquet(exact.version_dir / "activities.parquet")) == 24


def test_a_failure_beside_the_merge_fails_the_run_and_publishes_nothing(tmp_path, monkeypatch):
    import etl.loaders

    write_csv(tmp_path / "src" / "kegiatan.csv", BASE_ROWS)
    wh = tmp_path / "wh"
    first = build(tmp_path / "src", wh, today=TODAY)
    before = file_hashes(wh / "current")
    write_csv(tmp_path / "src" / "kegiatan_b.csv", activity_rows(1, 3))

    def broken(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise RuntimeError("seats broke")

    monkeypatch.setattr(etl.loaders, "derive_seats", broken)
    with pytest.raises(RuntimeError, match="seats broke"):
        build(tmp_path / "src", wh, today=TODAY)
    assert open_warehouse(wh).version == first.run_id
    assert file_hashes(wh / "current") == before
    assert not list(wh.glob(".staging-*"))
    assert publish.read_run_log(wh)[-1]["status"] == "failed"
