"""The published warehouse on disk: versions, the `current` link, the run lock and the run log.

Layout (see docs/ARCHITECTURE.md):
    <warehouse>/current -> versions/<run_id>      swapped atomically (os.replace of a symlink)
    <warehouse>/versions/<run_id>/*.parquet, manifest.json
    <warehouse>/.staging-<run_id>/                a run in progress
    <warehouse>/.lock                             held while a run builds (flock: freed when its process dies)
    <warehouse>/runs.jsonl                        every run, failed ones too (appended)
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock, Timeout

KEEP_VERSIONS = 3


class WarehouseBusy(RuntimeError):
    """Another run holds the lock."""


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
    """Take the run lock, waiting up to `wait` seconds; raises WarehouseBusy with who holds it."""
    warehouse.mkdir(parents=True, exist_ok=True)
    lk = FileLock(str(warehouse / ".lock"), timeout=wait)
    try:
        lk.acquire()
    except Timeout as exc:
        holder = (warehouse / ".lock.owner").read_text() if (warehouse / ".lock.owner").exists() else "?"
        raise WarehouseBusy(f"Proses ETL lain sedang berjalan untuk {warehouse} ({holder}); coba lagi setelah "
                            f"selesai (another ETL run is in progress)") from exc
    (warehouse / ".lock.owner").write_text(f"pid {os.getpid()} sejak {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC")
    return lk


def clean_leftovers(warehouse: Path) -> list[str]:
    """Remove what killed runs left behind (staging dirs, half-made links). Call with the lock held."""
    removed = []
    for path in warehouse.glob(".staging-*"):
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path.name)
    for path in warehouse.glob(".current-*"):
        path.unlink(missing_ok=True)
        removed.append(path.name)
    return removed


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(warehouse: Path, staging: Path, run_id: str) -> Path:
    """Move a finished staging dir into versions/ and point `current` at it, atomically."""
    versions = warehouse / "versions"
    versions.mkdir(exist_ok=True)
    for f in staging.iterdir():
        if f.is_file():
            with open(f, "rb") as fh:
                os.fsync(fh.fileno())
    target = versions / run_id
    os.replace(staging, target)
    _fsync_dir(versions)
    tmp = warehouse / f".current-{run_id}"
    tmp.unlink(missing_ok=True)
    os.symlink(Path("versions") / run_id, tmp)
    os.replace(tmp, warehouse / "current")
    _fsync_dir(warehouse)
    _prune(versions, keep=run_id)
    return target


def _prune(versions: Path, keep: str) -> None:
    olds = sorted((p for p in versions.iterdir() if p.is_dir() and p.name != keep), key=lambda p: p.name)
    for path in olds[: max(0, len(olds) - (KEEP_VERSIONS - 1))]:
        shutil.rmtree(path, ignore_errors=True)


def append_run_log(warehouse: Path, record: dict) -> None:
    """Append one run to runs.jsonl (failed runs too: they never reach a published version)."""
    warehouse.mkdir(parents=True, exist_ok=True)
    with open(warehouse / "runs.jsonl", "a", encoding="utf-8") as fh:
        fh.write(json.dumps(record, default=str, ensure_ascii=False) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def read_run_log(warehouse: Path) -> list[dict]:
    path = warehouse / "runs.jsonl"
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            continue  # a line cut by a kill
    return out
