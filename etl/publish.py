"""The published warehouse on disk: versions, the `current` link, the run lock and the run log.

Layout (see docs/ARCHITECTURE.md):
    <warehouse>/current -> versions/<run_id>      swapped atomically (os.replace of a symlink)
    <warehouse>/versions/<run_id>/*.parquet, manifest.json
    <warehouse>/.staging-<run_id>/                a run in progress
    <warehouse>/.lock                             held while a run builds (flock: freed when its process dies)
    <warehouse>/runs.jsonl                        every run, failed ones too (appended)

Fault injection for tests: PANTAU_ETL_PAUSE_AT=<stage> makes a run print
"pantau-etl: paused at <stage> (pid N)" on stderr and sleep PANTAU_ETL_PAUSE_SECONDS (default 60)
when it reaches that stage, so a test can kill it exactly there. Stages, in order: see PAUSE_STAGES.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock, Timeout

KEEP_VERSIONS = 3
#: Where a run can be told to pause (PANTAU_ETL_PAUSE_AT), in the order a run reaches them.
PAUSE_STAGES = (
    "locked",      # lock held, nothing read yet
    "read",        # the first chunk of a source read and written to staging, more to come
    "worker",      # a worker process (etl.parallel) wrote its first chunk of a source; it prints its own pid
    "write",       # finalizing: the first warehouse table written to staging, others not yet
    "staged",      # staging complete (manifest written), not yet moved into versions/
    "swap",        # staging moved to versions/<run_id>, `current` not yet swapped
    "published",   # `current` swapped, run log and pruning not yet done
)
_paused: set[str] = set()


class WarehouseBusy(RuntimeError):
    """Another run holds the lock."""


class WarehouseUnwritable(Exception):  # noqa: N818 - said to the user as it is
    """The warehouse folder cannot be created or written (read-only, a file in its place, no permission)."""


def pause_at(stage: str) -> None:
    """Test hook: sleep here once when PANTAU_ETL_PAUSE_AT names this stage (see the module docstring)."""
    if stage not in PAUSE_STAGES:
        raise ValueError(f"unknown pause stage {stage!r}")
    want = {s.strip() for s in os.environ.get("PANTAU_ETL_PAUSE_AT", "").split(",")}
    if stage not in want or stage in _paused:
        return
    _paused.add(stage)
    print(f"pantau-etl: paused at {stage} (pid {os.getpid()})", file=sys.stderr, flush=True)
    time.sleep(float(os.environ.get("PANTAU_ETL_PAUSE_SECONDS", "60")))


def current_dir(warehouse: Path) -> Path | None:
    """The directory of the published version, or None when nothing was published yet."""
    link = Path(warehouse) / "current"
    if not link.exists():
        return None
    return link.resolve()


def read_manifest(version_dir: Path | None) -> dict:
    if version_dir is None or not (version_dir / "manifest.json").exists():
        return {}
    return json.loads((version_dir / "manifest.json").read_text(encoding="utf-8"))


def lock(warehouse: Path, wait: float = 0) -> FileLock:
    """Take the run lock, waiting up to `wait` seconds; raises WarehouseBusy naming who holds it, and
    WarehouseUnwritable when the folder cannot be written.

    The lock is an flock on <warehouse>/.lock: the kernel drops it when the holding process dies,
    so a killed run never leaves it stuck.
    """
    try:
        warehouse.mkdir(parents=True, exist_ok=True)
        lk = FileLock(str(warehouse / ".lock"), timeout=wait)
        lk.acquire()
        (warehouse / ".lock.owner").write_text(f"pid {os.getpid()} sejak {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC",
                                               encoding="utf-8")
    except Timeout as exc:
        owner = warehouse / ".lock.owner"
        holder = owner.read_text(encoding="utf-8").strip() if owner.exists() else "?"
        waited = f" setelah menunggu {wait:g} s" if wait else ""
        raise WarehouseBusy(
            f"Proses ETL lain sedang berjalan untuk {warehouse} ({holder}){waited}; coba lagi setelah selesai, "
            f"atau pakai --wait DETIK (another ETL run is in progress; retry later or pass --wait SECONDS)"
        ) from exc
    except OSError as exc:  # read-only, a file where the folder should be, no permission
        raise WarehouseUnwritable(
            f"{warehouse}: folder gudang data tidak bisa ditulis ({exc.strerror or type(exc).__name__}); periksa "
            f"hak tulis folder itu atau pilih --warehouse lain (the warehouse folder cannot be written)") from None
    return lk


def clean_leftovers(warehouse: Path) -> list[str]:
    """Remove what killed runs left behind; call with the lock held.

    Staging dirs, half-made `current` links, and versions that were never published: a directory
    in versions/ that `current` does not point at and that is newer than it (a run killed between
    moving its staging dir and swapping the link), or one without a manifest.
    """
    removed = []
    for path in warehouse.glob(".staging-*"):
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path.name)
    for path in warehouse.glob(".current-*"):
        path.unlink(missing_ok=True)
        removed.append(path.name)
    versions = warehouse / "versions"
    if versions.is_dir():
        cur = current_dir(warehouse)
        for path in versions.iterdir():
            if path == cur or not path.is_dir():
                continue
            if cur is None or path.name > cur.name or not (path / "manifest.json").exists():
                shutil.rmtree(path, ignore_errors=True)
                removed.append(f"versions/{path.name}")
    return removed


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(warehouse: Path, staging: Path, run_id: str) -> Path:
    """Move a finished staging dir into versions/ and point `current` at it, atomically.

    Readers resolve `current` once: they see the old version or the new one, never a mix.
    """
    versions = warehouse / "versions"
    versions.mkdir(exist_ok=True)
    for f in staging.rglob("*"):
        if f.is_file():
            with open(f, "rb") as fh:
                os.fsync(fh.fileno())
    _fsync_dir(staging)
    pause_at("staged")
    target = versions / run_id
    os.replace(staging, target)
    _fsync_dir(versions)
    _fsync_dir(warehouse)
    pause_at("swap")
    point_current(warehouse, run_id)
    return target


def point_current(warehouse: Path, run_id: str) -> None:
    """Point `current` at versions/<run_id> in one atomic step (a new symlink renamed over the old)."""
    tmp = warehouse / f".current-{run_id}"
    tmp.unlink(missing_ok=True)
    os.symlink(Path("versions") / run_id, tmp)
    os.replace(tmp, warehouse / "current")
    _fsync_dir(warehouse)


def prune(warehouse: Path, keep: str) -> list[str]:
    """Delete old versions beyond KEEP_VERSIONS (the newest run ids stay; a reader in flight keeps its files)."""
    versions = warehouse / "versions"
    olds = sorted((p for p in versions.iterdir() if p.is_dir() and p.name != keep), key=lambda p: p.name)
    gone = olds[: max(0, len(olds) - (KEEP_VERSIONS - 1))]
    for path in gone:
        shutil.rmtree(path, ignore_errors=True)
    return [p.name for p in gone]


def append_run_log(warehouse: Path, record: dict) -> None:
    """Append one record to runs.jsonl (failed runs too: they never reach a published version).

    A line cut short by a kill is closed first, so it costs only itself.
    """
    warehouse.mkdir(parents=True, exist_ok=True)
    path = warehouse / "runs.jsonl"
    with open(path, "a+b") as fh:
        fh.seek(0, os.SEEK_END)
        prefix = b""
        if fh.tell():
            fh.seek(-1, os.SEEK_END)
            if fh.read(1) != b"\n":
                prefix = b"\n"
        fh.write(prefix + (json.dumps(record, default=str, ensure_ascii=False) + "\n").encode("utf-8"))
        fh.flush()
        os.fsync(fh.fileno())


def read_run_log(warehouse: Path) -> list[dict]:
    """Every record of runs.jsonl in order (a run has a "running" record, then its final one)."""
    path = warehouse / "runs.jsonl"
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            continue  # a line cut by a kill
        if isinstance(rec, dict) and "run_id" in rec:
            out.append(rec)
    return out
