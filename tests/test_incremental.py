"""Incremental and idempotent runs: same inputs load nothing, a new file adds only its rows, a corrected
file replaces exactly its rows, an absent source is kept (unless pruned), a newer source wins a key.

Counts are worked out from the CSV lines written here (see test_build.BASE_ROWS: 4 good rows, 1 reject).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from test_build import BASE_ROWS, TODAY, activities, activity_rows, runs, write_csv

from etl.build import build
from etl.errors import SourceError
from pantau.warehouse import open_warehouse


def _inputs(run_row) -> dict[str, dict]:
    return {i["source"]: i for i in json.loads(run_row["inputs"])}


def _rejects(root):
    wh = open_warehouse(root)
    try:
        return wh.sql("SELECT * FROM rejects ORDER BY source, \"row\"")
    finally:
        wh.close()


def test_same_inputs_again_load_nothing_and_duplicate_nothing(tmp_path):
    src = write_csv(tmp_path / "src" / "kegiatan_lampung.csv", BASE_ROWS)
    wh = tmp_path / "wh"
    first = build(tmp_path / "src", wh, today=TODAY)
    second = build(tmp_path / "src", wh, today=TODAY)

    assert second.run_id != first.run_id
    got = activities(wh)
    assert got["activity_id"].tolist() == ["A1", "A2", "A3", "A4"]
    rej = _rejects(wh)
    assert rej[["source", "row", "column", "run_id"]].values.tolist() == [
        ["kegiatan_lampung.csv", 6, "tanggal", first.run_id]]  # carried, still naming the run that read it
    history = runs(wh)
    assert history["run_id"].tolist() == [first.run_id, second.run_id]
    assert history[["rows_read", "rows_loaded", "rows_rejected"]].values.tolist() == [[5, 4, 1], [0, 0, 0]]
    used = _inputs(history.iloc[1])["kegiatan_lampung.csv"]
    assert used["reused"] is True and used["rows_read"] == 0
    assert used["sha256"] == hashlib.sha256(src.read_bytes()).hexdigest()
    assert used["loaded_run"] == first.run_id
    assert _inputs(history.iloc[0])["kegiatan_lampung.csv"]["sha256"] == used["sha256"]


def test_rejects_published_before_rules_were_named_carry_over_without_one(tmp_path):
    """A version whose rejects have no `check` column (published before etl.checks) is built upon: its rejects are
    carried with `check` empty, linked or copied, and a source read again names its rules."""
    write_csv(tmp_path / "src" / "kegiatan_lampung.csv", BASE_ROWS)
    write_csv(tmp_path / "src" / "kegiatan_babel.csv", ["C1,01/01/2016,19.04,19.04.01,mou,Sebelum 2017,3"])
    wh = tmp_path / "wh"
    build(tmp_path / "src", wh, today=TODAY)
    old = wh / "current" / "rejects.parquet"
    table = pq.read_table(old).drop_columns(["check"])
    old.unlink()  # a new file: the version's others stay as they were
    pq.write_table(table, old)
    build(tmp_path / "src", wh, today=TODAY)  # nothing changed: every table linked, rejects copied with their column
    assert _rejects(wh)[["source", "check"]].fillna("").values.tolist() == [["kegiatan_babel.csv", ""],
                                                                            ["kegiatan_lampung.csv", ""]]
    write_csv(tmp_path / "src" / "kegiatan_babel.csv", ["C1,01/01/2016,19.04,19.04.01,mou,Sebelum 2017,4"])
    build(tmp_path / "src", wh, today=TODAY)  # one source read again, the other's rejects carried
    assert _rejects(wh)[["source", "check"]].fillna("").values.tolist() == [
        ["kegiatan_babel.csv", "date_too_early"], ["kegiatan_lampung.csv", ""]]


def test_a_new_week_adds_only_its_rows_and_a_correction_replaces_its_rows(tmp_path):
    write_csv(tmp_path / "src" / "kegiatan_lampung.csv", BASE_ROWS)
    wh = tmp_path / "wh"
    build(tmp_path / "src", wh, today=TODAY)

    week = write_csv(tmp_path / "src" / "kegiatan_minggu_32.csv", activity_rows(1, 3))  # B1, B2, B3
    added = build(tmp_path / "src", wh, today=TODAY)
    assert [(s.name, s.reused, s.rows_read) for s in added.sources] == [
        ("kegiatan_lampung.csv", True, 0), ("kegiatan_minggu_32.csv", False, 3)]
    got = activities(wh)
    assert got["activity_id"].tolist() == ["A1", "A2", "A3", "A4", "B1", "B2", "B3"]

    # the office sends the week again, corrected: B1 has 99 participants, B2 was a mistake, B4 was missing
    lines = activity_rows(1, 4)
    lines[0] = "B1,05/08/2024,18.71,18.71.01,sosialisasi,Sosialisasi 1,99"
    del lines[1]
    write_csv(week, lines)
    corrected = build(tmp_path / "src", wh, today=TODAY)
    assert [(s.name, s.reused, s.rows_read) for s in corrected.sources] == [
        ("kegiatan_lampung.csv", True, 0), ("kegiatan_minggu_32.csv", False, 3)]
    got = activities(wh).set_index("activity_id")
    assert got.index.tolist() == ["A1", "A2", "A3", "A4", "B1", "B3", "B4"]
    assert got.loc["B1", "participants"] == 99
    assert got.loc[["B1", "B3", "B4"], "source"].unique().tolist() == ["kegiatan_minggu_32.csv"]
    assert corrected.replaced_rows == 0  # the old rows of the week were dropped, not merged

    history = runs(wh)
    assert history["rows_read"].tolist() == [5, 3, 3]
    assert history["status"].tolist() == ["ok", "ok", "ok"]


def test_absent_sources_are_kept_unless_pruned(tmp_path):
    write_csv(tmp_path / "src" / "kegiatan_lampung.csv", BASE_ROWS)
    week = write_csv(tmp_path / "src" / "kegiatan_minggu_32.csv", activity_rows(1, 2))
    wh = tmp_path / "wh"
    build(tmp_path / "src", wh, today=TODAY)
    week.unlink()

    kept = build(tmp_path / "src", wh, today=TODAY)
    assert len(activities(wh)) == 6  # 4 + 2: nothing loaded is lost because a file went missing
    assert {s.name: s.reused for s in kept.sources} == {"kegiatan_lampung.csv": True, "kegiatan_minggu_32.csv": True}

    pruned = build(tmp_path / "src", wh, today=TODAY, prune=True)
    assert [s.name for s in pruned.sources] == ["kegiatan_lampung.csv"]
    assert activities(wh)["activity_id"].tolist() == ["A1", "A2", "A3", "A4"]


def test_the_newest_source_wins_a_key_and_the_older_row_returns_when_it_goes(tmp_path):
    write_csv(tmp_path / "src" / "kegiatan_a.csv", BASE_ROWS[:2])  # A1, A2
    wh = tmp_path / "wh"
    build(tmp_path / "src", wh, today=TODAY)
    b = write_csv(tmp_path / "src" / "kegiatan_b.csv", ["A2,23/07/2024,18,18.72,pembinaan,Judul dikoreksi,56"])
    newer = build(tmp_path / "src", wh, today=TODAY)

    got = activities(wh).set_index("activity_id")
    assert got.index.tolist() == ["A1", "A2"]  # A2 once, not twice
    assert (got.loc["A2", "title"], got.loc["A2", "participants"], got.loc["A2", "source"]) == (
        "Judul dikoreksi", 56, "kegiatan_b.csv")
    assert newer.replaced_rows == 1

    again = build(tmp_path / "src", wh, today=TODAY)  # both reused: still one A2, still b's
    assert all(s.reused for s in again.sources)
    assert activities(wh).set_index("activity_id").loc["A2", "source"] == "kegiatan_b.csv"

    write_csv(b, activity_rows(1, 1))  # b corrected: it never meant A2
    build(tmp_path / "src", wh, today=TODAY)
    got = activities(wh).set_index("activity_id")
    assert got.index.tolist() == ["A1", "A2", "B1"]
    assert (got.loc["A2", "title"], got.loc["A2", "source"]) == ("Pembinaan aparatur", "kegiatan_a.csv")


def _sqlite_source(src: Path, rows: list[tuple]) -> Path:
    """src/kegiatan.db with a table `kegiatan` of these activity rows, and a sources.toml naming it."""
    db = src / "kegiatan.db"
    src.mkdir(parents=True)
    with sqlite3.connect(db) as con:
        con.execute("CREATE TABLE kegiatan (id_kegiatan TEXT, tanggal TEXT, penyelenggara TEXT, lokasi TEXT, "
                    "jenis TEXT, judul TEXT, peserta INTEGER)")
        con.executemany("INSERT INTO kegiatan VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    (src / "sources.toml").write_text(
        '[[source]]\ntable = "activities"\nurl = "sqlite:///kegiatan.db"\nsql_table = "kegiatan"\n', encoding="utf-8")
    return db


def test_an_sqlite_table_is_reused_until_its_rows_change(tmp_path):
    db = _sqlite_source(tmp_path / "src", [("S1", "2024-08-05", "18.71", "18.71.01", "sosialisasi", "Satu", 10),
                                           ("S2", "2024-08-06", "18.71", "18.71.02", "sosialisasi", "Dua", 20)])
    wh = tmp_path / "wh"
    first = build(tmp_path / "src", wh, today=TODAY)
    assert [(s.name, s.reused, s.rows_read) for s in first.sources] == [("sqlite:///kegiatan.db#kegiatan", False, 2)]
    second = build(tmp_path / "src", wh, today=TODAY)
    assert [(s.reused, s.rows_read) for s in second.sources] == [(True, 0)]
    # the first run hashed the rows it read (the query ran once), the second hashed them up front: same digest
    assert _inputs(runs(wh).iloc[0])[first.sources[0].name]["sha256"] == first.sources[0].sha256 \
        == second.sources[0].sha256 != ""

    with sqlite3.connect(db) as con:
        con.execute("UPDATE kegiatan SET peserta = 25 WHERE id_kegiatan = 'S2'")
    third = build(tmp_path / "src", wh, today=TODAY)
    assert [(s.reused, s.rows_read) for s in third.sources] == [(False, 2)]
    got = activities(wh).set_index("activity_id")
    assert got["participants"].to_dict() == {"S1": 10, "S2": 25}


def test_a_new_sqlite_source_is_queried_once(tmp_path):
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    _sqlite_source(tmp_path / "src", [("S1", "2024-08-05", "18.71", "18.71.01", "sosialisasi", "Satu", 1)])
    queries: list[str] = []

    def count(conn, cursor, statement, *args) -> None:  # noqa: ANN001 - SQLAlchemy's event signature
        if "kegiatan" in statement and statement.lstrip().upper().startswith("SELECT"):
            queries.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        build(tmp_path / "src", tmp_path / "wh", today=TODAY)
    finally:
        event.remove(Engine, "before_cursor_execute", count)
    assert len([q for q in queries if "FROM kegiatan" in q.replace('"', "")]) == 1, queries


def _sample_manifest(folder: Path) -> Path:
    write_csv(folder / "kegiatan_contoh.csv", BASE_ROWS)
    (folder / "sources.toml").write_text('sample = true\n\n[[source]]\npath = "kegiatan_contoh.csv"\n'
                                         'table = "activities"\n', encoding="utf-8")
    return folder / "sources.toml"


def test_real_data_replaces_the_sample_instead_of_mixing_in_unlabelled(tmp_path):
    wh = tmp_path / "wh"
    assert build(_sample_manifest(tmp_path / "contoh"), wh, today=TODAY).sample
    write_csv(tmp_path / "kiriman" / "kegiatan_lampung.csv", activity_rows(1, 2))  # B1, B2
    real = build(tmp_path / "kiriman", wh, today=TODAY)
    assert not real.sample and real.dropped_sample == 1
    assert activities(wh)["activity_id"].tolist() == ["B1", "B2"]  # not A1-A4 of the sample, now without a label
    assert not open_warehouse(wh).is_sample
    again = build(tmp_path / "kiriman", wh, today=TODAY)  # from then on the usual carry
    assert again.dropped_sample == 0 and [s.reused for s in again.sources] == [True]


def test_the_sample_is_not_built_into_a_warehouse_of_real_data(tmp_path):
    wh = tmp_path / "wh"
    write_csv(tmp_path / "kiriman" / "kegiatan_lampung.csv", activity_rows(1, 2))
    real = build(tmp_path / "kiriman", wh, today=TODAY)
    with pytest.raises(SourceError, match="data nyata"):
        build(_sample_manifest(tmp_path / "contoh"), wh, today=TODAY)
    assert open_warehouse(wh).version == real.run_id  # left as it was
    assert activities(wh)["activity_id"].tolist() == ["B1", "B2"]
