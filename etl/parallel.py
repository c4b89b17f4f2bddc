"""Reading a run's sources: one after another in the build's process, or in worker processes side by side.

Most of a build is Python-bound reading and checking, on one core, so with enough to read (PARALLEL_MIN_BYTES)
and more than one source, each source is read whole by one of up to MAX_WORKERS spawned workers (fork after
polars' or DuckDB's threads have started is unsafe), largest first. A worker writes its source's parts and
rejects into the run's staging folder exactly as the build's own process would (``staging.load_into_parts``:
file names carry the source's order, so no two workers write one file) and returns the source's counts; which
source it starts comes back on a queue, for the progress bar.
- A worker dies with the build (PR_SET_PDEATHSIG): a killed run leaves no process writing into a staging
  folder the next run removes.
- A source that cannot be read stops the others; the build raises the SourceError of the first failing source
  in list order, as reading one by one would (among those that failed before the others were stopped). With
  `keep_going` it is set aside instead (``staging.refuse``: its parts dropped, its stats' `refused` says why).
- A worker that dies (the OOM killer, a crash) breaks the pool: the sources not finished yet are read again in
  the build's own process, with a warning.

``PANTAU_ETL_WORKERS=N`` sets the number of workers (1: no workers, the reference behaviour).
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import queue
import signal
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TYPE_CHECKING, Any

from etl.errors import SourceError
from etl.publish import pause_at

if TYPE_CHECKING:
    from etl.staging import LoadJob, Progress, SourceStats
# etl.staging is imported by the functions that use it, not here: a spawned worker imports this module before
# _start_worker runs, and etl.staging imports pyarrow (and numpy), which must come after the thread settings there.

WORKERS_ENV = "PANTAU_ETL_WORKERS"
MAX_WORKERS = 2
#: Below this many bytes of files to read, starting workers (imports and the region list each) costs more than it
#: saves (figures: docs/PERFORMANCE.md).
PARALLEL_MIN_BYTES = 8 << 20

#: How long the build waits, after the last result, for the workers' last "source" events.
ANNOUNCE_WAIT_S = 2.0

_events: Any = None  # the worker's queue of progress events


def worker_count(specs: list[dict]) -> int:
    """How many workers read these sources (1: read them in this process)."""
    wanted = os.environ.get(WORKERS_ENV, "").strip()
    if wanted:
        return max(1, min(int(wanted), len(specs)))
    size = sum(Path(s["path"]).stat().st_size for s in specs if s.get("path"))
    if len(specs) < 2 or size < PARALLEL_MIN_BYTES:
        return 1
    return max(1, min(MAX_WORKERS, os.cpu_count() or 1, len(specs)))


def read_sources(tasks: list[tuple[dict, SourceStats]], job: LoadJob, notify: Progress,
                 keep_going: bool = False) -> None:
    """Load every (source spec, stats) into job.parts, filling each stats in place; raises the first
    SourceError (of the first failing source in list order among those that failed before the others were
    stopped), or with `keep_going` sets each failing source aside (its stats' `refused`) and reads the others.
    Emits "source", "rows" and "source_done" events; pauses at "read" (test hook). If a worker dies
    (the OOM killer, a crash), the sources it had not finished are read again in this process."""
    workers = worker_count([spec for spec, _ in tasks]) if tasks else 1
    if workers > 1:
        unread = _read_in_workers(tasks, job, notify, workers, keep_going)
        if not unread:
            return
        notify("warning", {"message": f"Proses pembaca berhenti tiba-tiba; {len(unread)} sumber dibaca ulang di "
                                      f"proses utama (a worker process died; its sources are read again here)"})
        tasks = unread
    _read_here(tasks, job, notify, keep_going)


def _read_here(tasks: list[tuple[dict, SourceStats]], job: LoadJob, notify: Progress, keep_going: bool) -> None:
    from etl.staging import drop_parts, load_into_parts, refuse

    def serial(event: str, info: dict) -> None:
        notify(event, info)
        if event == "rows":
            pause_at("read")

    for spec, stats in tasks:
        drop_parts(job.parts, stats)  # nothing, or what a dead worker left of it
        try:
            load_into_parts(spec, stats, job, serial)
        except SourceError as exc:
            if not keep_going:
                raise
            refuse(job.parts, stats, exc)
        notify("source_done", {"name": stats.name, "stats": stats.__dict__.copy()})


def _size(spec: dict) -> float:
    """Bytes of a file source; an SQL source counts as the largest (its size is not known, and tables are big)."""
    return Path(spec["path"]).stat().st_size if spec.get("path") else float("inf")


def _read_in_workers(tasks: list[tuple[dict, SourceStats]], job: LoadJob, notify: Progress,
                     workers: int, keep_going: bool) -> list[tuple[dict, SourceStats]]:
    """Read the sources in workers; returns those not read because a worker died (empty when all went well). Over 60
    lines: one loop over the pool's futures, whose states (done, failed, set aside, worker died) share its locals."""
    from etl.staging import refuse

    ctx = mp.get_context("spawn")
    events = ctx.Queue()
    pool = ProcessPoolExecutor(workers, mp_context=ctx, initializer=_start_worker,
                               initargs=(events, os.getpid(), max(1, (os.cpu_count() or 1) // workers)))
    try:
        running: dict[Future, tuple[dict, SourceStats]] = {}
        for spec, stats in sorted(tasks, key=lambda t: -_size(t[0])):  # largest first: the last to end is small
            running[pool.submit(_read_one, spec, stats, job)] = (spec, stats)
        pending = set(running)
        applied: set[Future] = set()
        announced: set[str] = set()
        while pending:
            done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            _relay(events, notify, announced)
            broken = False
            failed: list[tuple[int, Future]] = []
            for future in done:
                error = future.exception()
                if isinstance(error, BrokenProcessPool):
                    broken = True
                elif keep_going and isinstance(error, SourceError):  # set aside; the others read on
                    refuse(job.parts, running[future][1], error)
                    applied.add(future)
                    notify("source_done", {"name": running[future][1].name, "stats": running[future][1].__dict__})
                elif error is not None:
                    failed.append((running[future][1].order, future))
                else:
                    stats = running[future][1]
                    stats.__dict__.update(future.result().__dict__)
                    applied.add(future)
                    notify("rows", {"name": stats.name, "rows": stats.rows_read})
                    notify("source_done", {"name": stats.name, "stats": stats.__dict__.copy()})
                    pause_at("read")
            if failed:  # the SourceError of the first failing source in list order, as reading one by one
                _stop(pool)
                failed += [(running[f][1].order, f) for f in pending if f.done() and f.exception() is not None
                           and not isinstance(f.exception(), BrokenProcessPool)]
                min(failed, key=lambda t: t[0])[1].result()
            if broken:  # the pool is gone: what no worker finished is read again by the caller
                _stop(pool)
                return [task for f, task in running.items() if f not in applied]
        # a source's announcement travels on the queue, its result on another pipe: wait for the stragglers
        deadline = time.monotonic() + ANNOUNCE_WAIT_S
        while len(announced) < len(running) and time.monotonic() < deadline:
            _relay(events, notify, announced, block_s=0.05)
        # every result is in and the workers are idle: ending them now spares their interpreters' teardown
        # (waited for by shutdown) and hands their memory back before the merge
        _stop(pool)
        return []
    except BaseException:
        _stop(pool)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        events.close()
        events.join_thread()


def _relay(events: Any, notify: Progress, announced: set[str], block_s: float = 0) -> None:
    """Pass on the progress events the workers sent so far (waiting up to ``block_s`` for the first one)."""
    while True:
        try:
            event, info = events.get(timeout=block_s) if block_s else events.get_nowait()
        except queue.Empty:
            return
        block_s = 0
        if event == "source":
            announced.add(info["name"])
        notify(event, info)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Kill the workers now (a source failed or the run was interrupted: what they write is thrown away)."""
    kill = getattr(pool, "kill_workers", None)  # Python 3.14
    if kill is not None:
        kill()
        return
    for proc in list((getattr(pool, "_processes", None) or {}).values()):
        with contextlib.suppress(OSError, AttributeError):
            proc.kill()


def _start_worker(events: Any, parent: int, threads: int) -> None:
    """In a new worker: die with the build (Linux), and keep the queue for progress events."""
    global _events
    _events = events
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the build died before prctl took effect
        os._exit(1)
    # the workers are the parallelism: each gets its share of the cores for polars and pyarrow (1 of 2 here; a
    # little quicker than each using both: docs/PERFORMANCE.md). POLARS_MAX_THREADS counts from polars' first import.
    os.environ["POLARS_MAX_THREADS"] = str(threads)
    os.environ["OPENBLAS_NUM_THREADS"] = "1"  # numpy's BLAS is not used here; its idle helper thread polls
    import pyarrow as pa  # imports numpy

    pa.set_cpu_count(threads)
    from etl.staging import WORKER_MMAP_THRESHOLD, WORKER_TRIM_THRESHOLD, malloc_tuning

    malloc_tuning(WORKER_MMAP_THRESHOLD, WORKER_TRIM_THRESHOLD)


def _emit(event: str, info: dict) -> None:
    """A worker's progress: which source it starts is sent on (the bar's description); its rows are counted
    by the build from the result, so they arrive once and in order even if a worker dies."""
    if event == "source":
        _events.put((event, info))
    elif event == "rows":
        pause_at("worker")


def _read_one(spec: dict, stats: SourceStats, job: LoadJob) -> SourceStats:
    """In a worker: load one source into the staging parts (see staging.load_into_parts). Afterwards, what its
    blocks held goes back to the OS, so two workers' peaks do not stack on what each kept (a gc pass here, over the
    resolver's objects, would cost seconds: docs/PERFORMANCE.md)."""
    from etl.staging import load_into_parts, return_freed_memory

    try:
        return load_into_parts(spec, stats, job, _emit)
    finally:
        return_freed_memory()
