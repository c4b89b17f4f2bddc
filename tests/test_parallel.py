"""Sources read by worker processes (etl.parallel): the same warehouse as reading them one by one, the
same failure, and no worker outliving a killed run."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from test_build import BASE_ROWS, TODAY, activity_rows, file_hashes, write_csv

from etl.build import build
from etl.errors import SourceError
from etl.parallel import PARALLEL_MIN_BYTES, WORKERS_ENV, worker_count
from etl.sample import generate
from pantau.warehouse import open_warehouse

ROOT = Path(__file__).resolve().parents[1]
#: Tables whose rows do not depend on the run (etl_runs holds run ids and times).
COMPARED = ("activities", "personnel", "pleno", "tps", "seats_reference", "seats", "rejects", "agg_activity_month",
            "agg_unit_state")


def _tables(version: Path) -> dict[str, pd.DataFrame]:
    out = {}
    for name in COMPARED:
        frame = pd.read_parquet(version / f"{name}.parquet")
        out[name] = frame.drop(columns=[c for c in ("run_id",) if c in frame.columns])
    return out


@pytest.fixture(scope="module")
def sample_sources(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("parallel") / "sources"
    generate(root, scale="sample")
    return root


def test_workers_build_the_same_warehouse_as_one_process(sample_sources, tmp_path, monkeypatch):
    monkeypatch.setenv(WORKERS_ENV, "1")
    one = build(sample_sources, tmp_path / "one", today=TODAY)
    monkeypatch.setenv(WORKERS_ENV, "2")
    events: list[tuple[str, str]] = []
    two = build(sample_sources, tmp_path / "two", today=TODAY,
                progress=lambda event, info: events.append((event, info.get("name", ""))))

    a, b = _tables(one.version_dir), _tables(two.version_dir)
    for name in COMPARED:
        pd.testing.assert_frame_equal(a[name], b[name], obj=name)
    assert len(a["activities"]) > 1000 and len(a["rejects"]) > 0  # the comparison is not of empty tables
    assert [s.record() | {"loaded_run": ""} for s in one.sources] == \
        [s.record() | {"loaded_run": ""} for s in two.sources]  # same order, same counts
    assert one.tables == two.tables
    # every source was announced and finished, and rows were reported from the workers
    names = [s.name for s in two.sources]
    assert sorted(n for e, n in events if e == "source_done") == sorted(names)
    assert {n for e, n in events if e == "source"} == set(names)
    assert sum(1 for e, _ in events if e == "rows") >= len(names)


def test_a_source_failing_in_a_worker_fails_the_run_and_keeps_the_warehouse(tmp_path, monkeypatch):
    monkeypatch.setenv(WORKERS_ENV, "2")
    src, wh = tmp_path / "src", tmp_path / "wh"
    write_csv(src / "kegiatan_a.csv", BASE_ROWS[:4])
    write_csv(src / "kegiatan_b.csv", activity_rows(1, 500))
    first = build(src, wh, today=TODAY)
    before = file_hashes(wh / "current")
    write_csv(src / "kegiatan_rusak.csv", ["X1,05/08/2024,18,18.71"], header="id_kegiatan,tanggal,penyelenggara,lokasi")
    write_csv(src / "kegiatan_c.csv", activity_rows(600, 500))

    with pytest.raises(SourceError, match=r"kegiatan_rusak\.csv.*jenis"):
        build(src, wh, today=TODAY)
    assert open_warehouse(wh).version == first.run_id
    assert file_hashes(wh / "current") == before
    assert not list(wh.glob(".staging-*"))


def test_worker_count_follows_the_setting_and_the_size_to_read(tmp_path, monkeypatch):
    small = [{"path": str(write_csv(tmp_path / f"k{i}.csv", BASE_ROWS[:2]))} for i in range(3)]
    monkeypatch.delenv(WORKERS_ENV, raising=False)
    assert worker_count(small) == 1  # a few kilobytes: not worth starting a process
    big = tmp_path / "big.csv"
    with open(big, "wb") as f:
        f.truncate(PARALLEL_MIN_BYTES)
    assert worker_count([*small, {"path": str(big)}]) == min(2, os.cpu_count() or 1)
    assert worker_count([{"path": str(big)}]) == 1  # one source: nothing to share
    assert worker_count([*small, {"url": "sqlite:///x.db"}]) == 1
    monkeypatch.setenv(WORKERS_ENV, "2")
    assert worker_count(small) == 2
    assert worker_count(small[:1]) == 1


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ", 1)[1][0] != "Z"  # a zombie has ended
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_workers_die_with_a_killed_run_and_the_next_run_succeeds(tmp_path):
    src, wh = tmp_path / "src", tmp_path / "wh"
    write_csv(src / "kegiatan_a.csv", BASE_ROWS[:4])
    first = build(src, wh, today=TODAY)
    before = file_hashes(wh / "current")
    write_csv(src / "kegiatan_b.csv", activity_rows(1, 300))
    write_csv(src / "kegiatan_c.csv", activity_rows(400, 300))
    proc, workers, _, _ = _start_paused_build(src, wh, seconds=120)
    assert proc.pid not in workers and all(_alive(w) for w in workers)

    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    deadline = time.monotonic() + 10
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(w) for w in workers)  # no worker is left writing into the dead run's staging
    assert file_hashes(wh / "current") == before
    after = build(src, wh, today=TODAY)
    assert after.cleaned and open_warehouse(wh).scalar("SELECT count(*) FROM activities") == 604
    assert first.run_id != after.run_id


def _start_paused_build(src: Path, wh: Path, seconds: float
                        ) -> tuple[subprocess.Popen, set[int], list[str], threading.Thread]:
    """`python -m etl build` with two workers, each paused after its first part; returns the build, the worker
    pids, its stderr lines and the thread that reads them (two workers may write two lines at once, which a
    select() on the pipe followed by one readline() would leave half-read)."""
    env = {**os.environ, WORKERS_ENV: "2", "PANTAU_ETL_PAUSE_AT": "worker", "PANTAU_ETL_PAUSE_SECONDS": str(seconds)}
    proc = subprocess.Popen([sys.executable, "-m", "etl", "build", "--source", str(src), "--warehouse", str(wh),
                             "--quiet"], cwd=ROOT, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            text=True)
    lines: list[str] = []

    def pump() -> None:
        for line in proc.stderr:
            lines.append(line)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    workers: set[int] = set()
    deadline = time.monotonic() + 90
    while len(workers) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
        workers = {int(m.group(1)) for line in list(lines) if (m := re.search(r"paused at worker \(pid (\d+)\)", line))}
    assert len(workers) == 2, f"the workers never paused: {''.join(lines)}"
    return proc, workers, lines, reader


def test_a_worker_that_dies_has_its_sources_read_again_by_the_build(tmp_path):
    src = tmp_path / "src"
    write_csv(src / "kegiatan_a.csv", BASE_ROWS[:4])
    write_csv(src / "kegiatan_b.csv", activity_rows(1, 300))
    write_csv(src / "kegiatan_c.csv", activity_rows(400, 300))
    proc, workers, lines, reader = _start_paused_build(src, tmp_path / "wh", seconds=120)  # paused after a part
    assert list((tmp_path / "wh").glob(".staging-*/_parts/activities/*/*.parquet"))  # a dead worker leaves parts
    os.kill(min(workers), signal.SIGKILL)  # as the OOM killer would
    proc.wait(timeout=120)
    reader.join(timeout=30)  # the pipe closes when the build and its workers are gone
    err = "".join(lines)

    assert proc.returncode == 0, err
    assert "dibaca ulang" in err and "worker process died" in err
    assert not any(_alive(w) for w in workers)
    got = tmp_path / "wh" / "current"
    one = build(src, tmp_path / "one")  # the same sources, read in one process
    for table in ("activities", "rejects"):
        pd.testing.assert_frame_equal(pd.read_parquet(got / f"{table}.parquet").drop(columns="run_id", errors="ignore"),
                                      pd.read_parquet(one.version_dir / f"{table}.parquet")
                                      .drop(columns="run_id", errors="ignore"))
    assert not (got / "_shadowed").exists()  # what the dead worker wrote was replaced, not merged as a second copy
    loaded = __import__("json").loads(pd.read_parquet(got / "etl_runs.parquet")["inputs"].iloc[-1])
    assert {r["source"]: r["rows_loaded"] for r in loaded} == {s.name: s.rows_loaded for s in one.sources}


def test_provinces_too_big_for_memory_are_sorted_by_duckdb_to_the_same_table(sample_sources, tmp_path, monkeypatch):
    import etl.merge

    monkeypatch.setenv(WORKERS_ENV, "1")
    in_memory = build(sample_sources, tmp_path / "mem", today=TODAY)
    monkeypatch.setattr(etl.merge, "SORT_IN_MEMORY_ROWS", 0)  # every province through DuckDB
    spilled = build(sample_sources, tmp_path / "duck", today=TODAY)
    for table in ("activities", "personnel", "pleno", "tps"):
        a = pd.read_parquet(in_memory.version_dir / f"{table}.parquet")
        b = pd.read_parquet(spilled.version_dir / f"{table}.parquet")
        keys = [c.strip() for c in etl.merge.SORT[table].split(",")]
        assert a[keys].equals(b[keys]), table  # the same order by the sort keys (ties may differ)
        pd.testing.assert_frame_equal(a.sort_values(list(a.columns)).reset_index(drop=True),
                                      b.sort_values(list(b.columns)).reset_index(drop=True), obj=table)
