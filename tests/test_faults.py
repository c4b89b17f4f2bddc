"""Killed and concurrent runs, with real `python -m etl build` subprocesses.

PANTAU_ETL_PAUSE_AT=<stage> makes a run stop at a named stage (etl.publish.PAUSE_STAGES) and say so on
stderr; the test then kills it with SIGKILL right there. Whatever the stage, the previous warehouse
must stay readable and byte-for-byte unchanged, the lock must be free, and the next run must succeed
and remove what the killed one left.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from test_build import BASE_ROWS, activities, activity_rows, file_hashes, runs, write_csv

from etl.build import build
from pantau.warehouse import open_warehouse

ROOT = Path(__file__).resolve().parents[1]


def start_build(src: Path, wh: Path, *args: str, pause: str = "", seconds: float = 60) -> subprocess.Popen:
    env = {**os.environ, "PANTAU_ETL_PAUSE_AT": pause, "PANTAU_ETL_PAUSE_SECONDS": str(seconds)}
    return subprocess.Popen([sys.executable, "-m", "etl", "build", "--source", str(src), "--warehouse", str(wh),
                             "--quiet", *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def wait_paused(proc: subprocess.Popen, stage: str, timeout: float = 90) -> None:
    """Block until the run reports it is paused at `stage` (fails if it ends or takes too long). A thread reads
    stderr: select() on the pipe and one readline() would leave a second line of the same read unseen."""
    seen: list[str] = []

    def pump() -> None:
        for line in proc.stderr:
            seen.append(line)

    threading.Thread(target=pump, daemon=True).start()
    want = f"paused at {stage} (pid {proc.pid})"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if any(want in line for line in list(seen)):
            return
        time.sleep(0.1)
    if any(want in line for line in list(seen)):
        return
    proc.kill()
    pytest.fail(f"run never paused at {stage}; rc={proc.poll()} stderr={''.join(seen)}")


def kill9(proc: subprocess.Popen) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL


def _published(tmp_path: Path) -> tuple[Path, Path, str, dict[str, str]]:
    """A warehouse with one published version (A1..A4) and a new week's file waiting in the sources."""
    src, wh = tmp_path / "src", tmp_path / "wh"
    write_csv(src / "kegiatan_lampung.csv", BASE_ROWS[:4])
    first = build(src, wh)
    write_csv(src / "kegiatan_minggu_32.csv", activity_rows(1, 300))
    return src, wh, first.run_id, file_hashes(wh / "current")


@pytest.mark.parametrize("stage", ["read", "write", "swap", "published"])
def test_a_run_killed_at_any_stage_leaves_a_readable_warehouse_and_the_next_run_cleans_up(tmp_path, stage):
    src, wh, v1, hashes = _published(tmp_path)
    proc = start_build(src, wh, pause=stage)
    wait_paused(proc, stage)
    killed_staging = sorted(wh.glob(".staging-*"))
    killed_versions = sorted(p.name for p in (wh / "versions").iterdir())
    kill9(proc)

    reader = open_warehouse(wh)  # the dashboard can open it right now
    if stage == "published":  # killed after the swap: the new version is whole and current
        assert reader.version != v1
        assert reader.scalar("SELECT count(*) FROM activities") == 304
        assert file_hashes(wh / "versions" / v1) == hashes  # the old one is still there, untouched
    else:
        assert reader.version == v1
        assert reader.scalar("SELECT count(*) FROM activities") == 4
        assert file_hashes(wh / "current") == hashes
        assert os.readlink(wh / "current") == f"versions/{v1}"
    reader.close()
    if stage in ("read", "write"):
        assert len(killed_staging) == 1  # what the dead run left behind
    if stage == "swap":
        assert len(killed_versions) == 2 and v1 in killed_versions  # moved into versions/, never linked

    after = build(src, wh)  # wait=0: the kernel released the dead run's lock
    assert after.status == "ok"
    assert not list(wh.glob(".staging-*")) and not list(wh.glob(".current-*"))
    assert sorted(p.name for p in (wh / "versions").iterdir())[-1] == after.run_id
    if stage == "published":
        assert after.cleaned == []
        assert [s.reused for s in after.sources] == [True, True]
    else:
        assert after.cleaned and all(v1 not in c for c in after.cleaned)
        assert [(s.reused, s.rows_read) for s in after.sources] == [(True, 0), (False, 300)]
    assert activities(wh)["activity_id"].tolist()[:5] == ["A1", "A2", "A3", "A4", "B1"]
    assert len(activities(wh)) == 304
    history = runs(wh)
    assert history["status"].tolist() == ["ok", "ok" if stage == "published" else "killed", "ok"]
    assert history["run_id"].iloc[0] == v1 and history["run_id"].iloc[2] == after.run_id


def test_a_second_run_stops_with_exit_3_while_one_is_in_progress(tmp_path):
    src, wh, v1, hashes = _published(tmp_path)
    first = start_build(src, wh, pause="locked")
    wait_paused(first, "locked")
    t0 = time.monotonic()
    second = subprocess.run([sys.executable, "-m", "etl", "build", "--source", str(src), "--warehouse", str(wh),
                             "--quiet"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert second.returncode == 3, second.stderr
    assert "sedang berjalan" in second.stderr and "another ETL run is in progress" in second.stderr
    assert f"pid {first.pid}" in second.stderr and "--wait" in second.stderr
    assert "Traceback" not in second.stderr
    assert time.monotonic() - t0 < 60
    kill9(first)

    assert file_hashes(wh / "current") == hashes
    after = build(src, wh)  # the lock of the killed run is not stuck
    assert after.status == "ok"
    assert runs(wh)["status"].tolist() == ["ok", "killed", "ok"]  # the busy attempt is no run


def test_a_second_run_with_wait_runs_after_the_first_finishes(tmp_path):
    src, wh, v1, _ = _published(tmp_path)
    first = start_build(src, wh, pause="locked", seconds=2)
    wait_paused(first, "locked")
    second = subprocess.run([sys.executable, "-m", "etl", "build", "--source", str(src), "--warehouse", str(wh),
                             "--quiet", "--wait", "120"], cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert second.returncode == 0, second.stderr
    assert first.wait(timeout=60) == 0
    history = runs(wh)
    assert history["status"].tolist() == ["ok", "ok", "ok"]
    # the second run saw what the first published: the new week was already loaded, nothing left to read
    assert history["rows_read"].tolist() == [4, 300, 0]
    assert open_warehouse(wh).version == history["run_id"].iloc[2]
