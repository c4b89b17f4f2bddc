"""Measuring primitives: summary figures over repeats, and subprocesses timed with their peak memory.

A `Figure` is the median with min and max of a list of samples, and how many samples it has.
`run_measured` runs a command, samples the resident memory of its whole process tree from /proc,
and reads the child's own rusage (os.wait4) for its peak RSS.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True)
class Figure:
    """Median, min and max of `n` samples (NaN-free); None when there were no samples."""

    median: float | None
    min: float | None
    max: float | None
    n: int

    @classmethod
    def of(cls, samples: list[float]) -> Figure:
        values = [float(v) for v in samples if v is not None]
        if not values:
            return cls(None, None, None, 0)
        return cls(statistics.median(values), min(values), max(values), len(values))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def timed(fn, calls: int) -> tuple[float, float, float, Any]:  # noqa: ANN001
    """Call fn `calls` times: median, min and max in ms, and the last result."""
    times, out = [], None
    for _ in range(calls):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000, min(times) * 1000, max(times) * 1000, out


def fmt_figure(fig: Figure | dict | None, unit: str = "s", digits: int = 2) -> str:
    """'1.23 s (1.10–1.40, n=3)'; '—' when empty. ms/MB figures take their numbers as they are."""
    if fig is None:
        return "—"
    d = fig.to_dict() if isinstance(fig, Figure) else fig
    if d.get("median") is None:
        return "—"
    med, lo, hi, n = d["median"], d["min"], d["max"], d["n"]
    if n == 1:
        return f"{med:.{digits}f} {unit} (n=1)"
    return f"{med:.{digits}f} {unit} ({lo:.{digits}f}–{hi:.{digits}f}, n={n})"


# ---------------------------------------------------------------------------
# /proc: process trees and their resident memory
# ---------------------------------------------------------------------------


def _ppid_map() -> dict[int, int]:
    out: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        # the command name is in parentheses and may hold spaces: split after the last ')'
        fields = stat[stat.rfind(b")") + 2:].split()
        out[int(entry.name)] = int(fields[1])
    return out


def process_tree(pid: int) -> list[int]:
    """pid and all its descendants alive now."""
    children: dict[int, list[int]] = {}
    for child, parent in _ppid_map().items():
        children.setdefault(parent, []).append(child)
    tree, todo = [], [pid]
    while todo:
        p = todo.pop()
        tree.append(p)
        todo.extend(children.get(p, []))
    return tree


def rss_bytes(pid: int) -> int:
    """VmRSS of one process in bytes (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as fh:
            return int(fh.read().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def tree_rss_bytes(pid: int) -> dict[int, int]:
    """VmRSS of pid and each descendant, in bytes."""
    return {p: rss_bytes(p) for p in process_tree(pid)}


def comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return "?"


class TreeSampler(threading.Thread):
    """Samples the summed RSS of a process tree every `interval` seconds; keeps the peak."""

    def __init__(self, pid: int, interval: float = 0.2):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.peak = max(self.peak, sum(tree_rss_bytes(self.pid).values()))
            self._stop_event.wait(self.interval)

    def stop(self) -> int:
        self._stop_event.set()
        self.join(timeout=5)
        return self.peak


@dataclass
class Measured:
    """One subprocess run: wall time, exit code, peak memory, and where its output went."""

    cmd: list[str]
    wall_s: float
    returncode: int
    maxrss_mb: float          # the child's own peak RSS (rusage of the child and its waited-for children)
    tree_peak_mb: float       # peak of the summed RSS of the whole tree, sampled
    user_s: float
    sys_s: float
    stdout: str
    stderr: str

    @property
    def peak_mb(self) -> float:
        return max(self.maxrss_mb, self.tree_peak_mb)


def run_measured(cmd: list[str], *, cwd: Path = ROOT, env: dict[str, str] | None = None,
                 timeout: float | None = None, log: Path | None = None) -> Measured:
    """Run cmd to its end; time it and record its peak memory (rusage via os.wait4, and a /proc sampler).

    Output is kept in memory and, when `log` is given, written to log.out / log.err.
    """
    full_env = {**os.environ, **(env or {})}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=full_env, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        sampler = TreeSampler(proc.pid)
        sampler.start()
        deadline = None if timeout is None else t0 + timeout
        while True:
            pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                proc.returncode = os.waitstatus_to_exitcode(status)
                break
            if deadline is not None and time.perf_counter() > deadline:
                proc.kill()
                deadline = None
            time.sleep(0.01)
        wall = time.perf_counter() - t0
        peak = sampler.stop()
        out.seek(0)
        err.seek(0)
        so, se = out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")
    if log is not None:
        log.parent.mkdir(parents=True, exist_ok=True)
        log.with_suffix(".out").write_text(so)
        log.with_suffix(".err").write_text(se)
    return Measured(cmd=cmd, wall_s=wall, returncode=proc.returncode, maxrss_mb=ru.ru_maxrss / 1024,
                    tree_peak_mb=peak / 2**20, user_s=ru.ru_utime, sys_s=ru.ru_stime, stdout=so, stderr=se)
