"""One ETL run: read every source, check it, stage the new warehouse beside the old one, publish atomically.

Incremental: a source whose content hash equals the one in the published manifest is not read again;
its rows (and its rejects) are carried over from the current version, and the run records it with
0 rows read. A changed source replaces all of its rows. Sources absent from this run's inputs are
kept (nothing loaded is ever lost) unless `prune=True`. Across sources, a key present twice keeps the
row of the most recently loaded source; the rows it shadows are kept aside in the version
(`_shadowed/<table>.parquet`, not a warehouse table) so they come back if the newer source drops them.
A table whose sources are exactly the previous run's, none changed, is hard-linked from the previous
version instead of rewritten, so re-running a national warehouse on the same inputs costs little. The activities of a
run whose changed sources touch only some provinces are carried and merged in those provinces only; the others'
published row groups are spliced in (etl.province_carry).

Reading: with 8 MB or more to read, sources are read by two worker processes (etl.parallel), each source
whole by one worker; otherwise here, one after another. Sources the published version has are hashed first,
on two threads, to tell which changed; new ones are hashed as they are read (an SQL source from the rows it
read: its query runs once).

Memory: sources stream chunk by chunk (etl.staging.CHUNK_ROWS; a bulk activities CSV by parsed blocks,
etl.csv_arrow) into Parquet parts on disk, one folder per province; the merge sorts one province at a time (in
memory with polars up to SORT_IN_MEMORY_ROWS, else DuckDB with memory_limit DUCKDB_MEMORY and a temp directory
inside the staging dir) and appends the provinces in code order. Keys present in two sources (64-bit key hashes
tell when none are) take the slower path of one DuckDB query over all parts. While the activities are merged, a
thread writes regions, seats and the aggregates that do not read activities (DuckDB within DUCKDB_MEMORY as well).
A reading process holds imports + regions + resolver (docs/PERFORMANCE.md), a chunk or block in flight (a bulk
activities CSV: up to bulk_activities.CHECKED_ROWS rows read, checked and held for the contract) and the
KeyTracker (16 bytes a key).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq

from etl import publish
from etl.aggregates import AGGREGATES, OF_ACTIVITIES, write_aggregates
from etl.errors import SourceError
from etl.inputs import Inputs, discover, with_values
from etl.keep_going import PARTIAL, set_aside
from etl.keep_going import message as refused_message
from etl.merge import FACT_TABLES, ROW_GROUP, SHADOW_DIR, check_schema, duckdb_config, merge, sql_path
from etl.parallel import read_sources
from etl.province_carry import BY_PROVINCE, carry, rejects_columns, splice, touched_provinces
from etl.publish import pause_at
from etl.regions import regions_table
from etl.spec import TABLES
from etl.staging import (
    LoadJob,
    Progress,
    SourceStats,
    arrow_schema,
    make_source,
    malloc_tuning,
    release_memory,
    to_arrow,
)

DATE_COLUMN = {t: TABLES[t].date for t in FACT_TABLES if TABLES[t].date}
#: Sources hashed at once (to tell a changed source from one to carry over).
HASH_THREADS = 2
#: After reading this many rows, memory held for reading is handed back before the merge.
RELEASE_AFTER_ROWS = 1_000_000

@dataclass
class RunSummary:
    run_id: str
    status: str
    sample: bool = False
    sources: list[SourceStats] = field(default_factory=list)
    tables: dict[str, dict[str, int]] = field(default_factory=dict)  # table -> read/loaded/rejected/rows
    replaced_rows: int = 0
    message: str = ""
    version_dir: Path | None = None
    cleaned: list[str] = field(default_factory=list)  # leftovers of killed runs removed by this run
    dropped_sample: int = 0   # sample sources of the previous version left out: real data replaced the sample
    refused: list[SourceStats] = field(default_factory=list)  # sources --keep-going set aside (etl.keep_going)
    merged_provinces: list[str] | None = None  # activities merged again in these provinces only (None: all)


def new_run_id(now: datetime | None = None) -> str:
    """A run id that sorts in time order (microseconds, UTC) and is unique: 20240822T101500.123456-a1b2."""
    now = now or datetime.now(UTC)
    return f"{now:%Y%m%dT%H%M%S.%f}-{secrets.token_hex(2)}"


def build(source: Path | str, warehouse: Path | str, *, today: date | None = None, wait: float = 0,
          prune: bool = False, progress: Progress | None = None, chunk_rows: int | None = None,
          values: dict[str, str] | None = None, keep_going: bool = False) -> RunSummary:
    """Run the ETL from `source` (a folder or a sources.toml) into `warehouse`; publish only on success.

    Raises SourceError (a source cannot be read; nothing published), publish.WarehouseBusy (another
    run holds the lock after `wait` seconds). Every run that got the lock is logged in runs.jsonl.
    `chunk_rows`: source rows held in memory at once (default etl.staging.CHUNK_ROWS; a bulk CSV: one parsed block).
    `values`: one value for a whole column (``--set``), for every source whose table has the column; a source's
    own values (sources.toml) win. `keep_going`: a source that cannot be read is set aside and listed, its rows of
    the previous version kept, and the others publish (etl.keep_going).
    """
    malloc_tuning()
    warehouse = Path(warehouse)
    started = datetime.now(UTC)
    run_id = new_run_id(started)
    notify = progress or (lambda event, info: None)
    lk = publish.lock(warehouse, wait=wait)
    staging = warehouse / f".staging-{run_id}"
    summary = RunSummary(run_id=run_id, status="running")
    con: duckdb.DuckDBPyConnection | None = None
    try:
        publish.append_run_log(warehouse, _run_record(summary, started))
        summary.cleaned = publish.clean_leftovers(warehouse)
        pause_at("locked")
        inputs = with_values(discover(Path(source), keep_going), values or {})
        summary.sample = inputs.sample
        prev_dir = publish.current_dir(warehouse)
        prev = publish.read_manifest(prev_dir)
        summary.dropped_sample, prune = _sample_rule(prev, inputs, warehouse, prune)
        (staging / "_tmp").mkdir(parents=True)
        con = duckdb.connect(config=duckdb_config(staging))
        notify("start", {"sources": len(inputs.sources), "run_id": run_id})
        job = LoadJob(parts=staging / "_parts", run_id=run_id, today=today or date.today(), chunk_rows=chunk_rows)
        _stage(con, job, inputs, prev_dir, prev.get("sources", {}) if prev_dir else {}, summary, prune=prune,
               keep_going=keep_going, started=started, notify=notify)
        con.close()
        con = None
        notify("publish", {})
        summary.version_dir = publish.publish(warehouse, staging, run_id)
        summary.status = PARTIAL if summary.refused else "ok"
        pause_at("published")
        publish.append_run_log(warehouse, _run_record(summary, started))
        with contextlib.suppress(OSError):  # an old version that cannot go now goes with a later run
            publish.prune(warehouse, keep=run_id)
        return summary
    except BaseException as exc:  # record the failure (SourceError, a bug, Ctrl-C), keep the old version
        summary.status = "failed"
        summary.message = str(exc) if isinstance(exc, SourceError) else f"{type(exc).__name__}: {exc}"
        if con is not None:
            con.close()
        shutil.rmtree(staging, ignore_errors=True)
        publish.append_run_log(warehouse, _run_record(summary, started))
        raise
    finally:
        lk.release()


# ---------------------------------------------------------------------------


def _sample_rule(prev: dict, inputs: Inputs, warehouse: Path, prune: bool) -> tuple[int, bool]:
    """(sample sources dropped, prune) of a run: real data into the sample's warehouse drops the sample, never mixed
    in unlabelled (a sample source the new inputs list by name stays theirs); the sample into real data stops."""
    prev_sources = prev.get("sources", {})
    if prev_sources and prev.get("sample") and not inputs.sample:
        listed = {spec["name"] for spec in inputs.sources}
        return sum(1 for name in prev_sources if name not in listed), True
    if prev_sources and not prev.get("sample") and inputs.sample:
        raise SourceError(
            f"{warehouse}: gudang data ini berisi data nyata; data contoh tidak dicampur ke dalamnya. Bangun "
            f"data contoh ke folder lain, mis. --warehouse data/warehouse-contoh (this warehouse holds real "
            f"data: build the sample into another folder)")
    return 0, prune


def _stage(con: duckdb.DuckDBPyConnection, job: LoadJob, inputs: Inputs, prev_dir: Path | None, prev_sources: dict,
           summary: RunSummary, *, prune: bool, keep_going: bool, started: datetime, notify: Progress) -> None:
    """The new version in staging (job.parts' parent): the sources read or carried (a source set aside by
    ``keep_going`` keeps its published rows), every table merged or linked."""
    carried, to_read = _plan(inputs.sources, prev_sources, summary, notify)
    read_sources(to_read, job, notify, keep_going)
    summary.refused, to_carry = set_aside(summary.sources, inputs.refused, prev_sources)
    for stats, old in to_carry:  # rows of the previous version kept, under its hash: the file is read next run
        _reuse(stats, old)
        stats.sha256 = old.get("sha256", "")
        carried.append((stats, old))
    summary.message = refused_message(summary.refused)
    if not prune:
        listed = {spec["name"] for spec in inputs.sources} | {s.name for s in summary.refused}
        for name, old in prev_sources.items():
            if name not in listed:  # absent from this run: kept as published
                stats = SourceStats(name=name, table=old["table"], order=len(summary.sources),
                                    sha256=old.get("sha256", ""))
                _reuse(stats, old)
                carried.append((stats, old))
                summary.sources.append(stats)
    linked = _unchanged_tables(summary.sources, prev_sources, prev_dir)
    touched = None if BY_PROVINCE in linked else touched_provinces(con, prev_dir, job.parts,
                                                                     [s for s, _ in carried], prev_sources)
    summary.merged_provinces = [] if BY_PROVINCE in linked else None if touched is None else sorted(touched)
    for stats, _old in carried:  # prev_dir is set: sources were carried
        carry(con, prev_dir, job.parts, stats, rows=stats.table not in linked,  # type: ignore[arg-type]
              rejects=linked != set(FACT_TABLES), provinces=touched if stats.table == BY_PROVINCE else None)
    notify("finalize", {})
    if sum(s.rows_read for s in summary.sources) >= RELEASE_AFTER_ROWS:
        release_memory()
    _finalize(con, job.parts.parent, job.parts, prev_dir, summary, inputs.sample, started, linked, touched)


def _plan(specs: list[dict], prev_sources: dict, summary: RunSummary, notify: Progress
          ) -> tuple[list[tuple[SourceStats, dict]], list[tuple[dict, SourceStats]]]:
    """(sources carried from the published version, sources to read) of the run's inputs, each added to
    ``summary.sources``: a source is carried when its content (SHA-256), table and given values are the published
    ones. Only a source the published version has is hashed here; a new one is hashed by whoever reads it."""
    from etl.readers import sha256_of

    seen: set[str] = set()
    for spec in specs:
        if spec["name"] in seen:
            raise SourceError(f"{spec['name']}: disebut dua kali dalam daftar sumber (listed twice)")
        seen.add(spec["name"])
    carried: list[tuple[SourceStats, dict]] = []
    to_read: list[tuple[dict, SourceStats]] = []
    hashing = ThreadPoolExecutor(HASH_THREADS)  # hashlib and file reads let go of the GIL
    try:
        digests = hashing.map(lambda spec: sha256_of(make_source(spec)) if spec["name"] in prev_sources else "",
                              specs)
        for order, (spec, digest) in enumerate(zip(specs, digests, strict=True)):
            # a database error in hashing is a SourceError, raised in list order
            stats = SourceStats(name=spec["name"], table=spec["table"], order=order, sha256=digest,
                                values={**(spec.get("defaults") or {}), **(spec.get("values") or {})},
                                scope=spec.get("scope") or "")
            old = prev_sources.get(stats.name)
            if old and (old.get("sha256"), old.get("table"), old.get("values") or {}, old.get("scope") or "") == (
                    stats.sha256, stats.table, stats.values, stats.scope):  # a value or scope given anew: read anew
                _reuse(stats, old)
                carried.append((stats, old))
                notify("source", {"name": stats.name, "table": stats.table})
                notify("source_done", {"name": stats.name, "stats": asdict(stats)})
            else:
                stats.loaded_run = summary.run_id
                to_read.append((spec, stats))
            summary.sources.append(stats)
    finally:  # on an error, the hashes not started yet are not waited for
        hashing.shutdown(wait=True, cancel_futures=True)
    return carried, to_read


def _reuse(stats: SourceStats, old: dict) -> None:
    """Mark a source as not read again: its rows come from the published version."""
    stats.reused = True
    stats.loaded_run = old.get("loaded_run", "")
    stats.loaded = dict(old.get("loaded") or {})
    stats.values, stats.filled = dict(old.get("values") or {}), list(old.get("filled") or [])
    stats.scope = str(old.get("scope") or "")


def _unchanged_tables(sources: list[SourceStats], prev_sources: dict, prev_dir: Path | None) -> set[str]:
    """Fact tables whose sources are exactly the previous version's, none read again: their files are linked."""
    if prev_dir is None:
        return set()
    out = set()
    for table in FACT_TABLES:
        mine = [s for s in sources if s.table == table]
        before = {name for name, old in prev_sources.items() if old.get("table") == table}
        if all(s.reused for s in mine) and {s.name for s in mine} == before \
                and (prev_dir / f"{table}.parquet").exists():
            out.add(table)
    return out


def _link(src: Path, dst: Path) -> None:
    """Hard-link a published file into staging (versions are never changed in place), else copy it."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _finalize(con: duckdb.DuckDBPyConnection, staging: Path, parts: Path, prev_dir: Path | None,
              summary: RunSummary, sample: bool, started: datetime, linked: set[str],
              touched: set[str] | None = None) -> None:
    """Staging gets every table, the aggregates and the manifest. While the activities (nine in ten rows) are
    merged, a thread writes the tables and aggregates that do not read them (the merge leaves a core part-idle).
    ``touched``: only these provinces' activities were staged, the others are spliced in from ``prev_dir``."""
    tables_info: dict[str, dict] = {}

    def fact_table(table: str) -> None:
        if table in linked and prev_dir is not None:
            _link(prev_dir / f"{table}.parquet", staging / f"{table}.parquet")
            if (prev_dir / SHADOW_DIR / f"{table}.parquet").exists():
                _link(prev_dir / SHADOW_DIR / f"{table}.parquet", staging / SHADOW_DIR / f"{table}.parquet")
            rows = pq.ParquetFile(staging / f"{table}.parquet").metadata.num_rows
        else:
            rows, replaced = merge(con, staging, parts, table)
            if table == BY_PROVINCE and touched is not None and prev_dir is not None:
                rows, kept = splice(con, prev_dir, staging, touched)
                replaced += kept
            summary.replaced_rows += replaced
        check_schema(staging / f"{table}.parquet", table)
        tables_info[table] = {"rows": rows}
        pause_at("write")

    for table in FACT_TABLES:
        if table != "activities":
            fact_table(table)
    with ThreadPoolExecutor(1) as beside:
        derived = beside.submit(_derived_tables, staging, tuple(n for n in AGGREGATES if n not in OF_ACTIVITIES),
                                duckdb_config(staging, "aggregates"))
        fact_table("activities")
        tables_info["rejects"] = {"rows": _write_rejects(con, staging, parts, prev_dir, linked)}
        tables_info.update(derived.result())
    shutil.rmtree(parts, ignore_errors=True)
    keep = (prev_dir, touched) if touched is not None and prev_dir is not None else None
    for name, rows in write_aggregates(staging, OF_ACTIVITIES, duckdb_config(staging, "aggregates"), keep).items():
        tables_info[name] = {"rows": rows}

    for src in summary.sources:
        info = summary.tables.setdefault(src.table, {"read": 0, "loaded": 0, "rejected": 0})
        info["read"] += src.rows_read
        info["loaded"] += src.rows_loaded
        info["rejected"] += src.rows_rejected
    for table, info in summary.tables.items():
        info["rows"] = tables_info.get(table, {}).get("rows", 0)

    tables_info["etl_runs"] = {"rows": _write_runs(staging, prev_dir, summary, started)}

    for table, column in DATE_COLUMN.items():
        got = con.execute(f"SELECT max({column}) FROM read_parquet('{sql_path(staging / f'{table}.parquet')}')"
                          ).fetchone()[0]
        tables_info[table]["data_date"] = got.isoformat() if got else None
    for info in tables_info.values():
        info["sample"] = sample
    shutil.rmtree(staging / "_tmp", ignore_errors=True)
    manifest = {
        "version": summary.run_id, "created_at": datetime.now(UTC).isoformat(), "sample": sample,
        "tables": tables_info,
        "sources": {s.name: {"table": s.table, "sha256": s.sha256, "loaded_run": s.loaded_run, "loaded": s.loaded,
                             "values": s.values, "filled": s.filled} | ({"scope": s.scope} if s.scope else {})
                    for s in summary.sources},
    }
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")


def _write_rejects(con: duckdb.DuckDBPyConnection, staging: Path, parts: Path, prev_dir: Path | None,
                   linked: set[str]) -> int:
    """staging/rejects.parquet (returns its rows): the published one when every fact table is linked (copied with an
    empty `check` when published before rejects named their rule), else the staged rejects of the run."""
    out = staging / "rejects.parquet"
    old = prev_dir / "rejects.parquet" if prev_dir is not None else None
    if linked == set(FACT_TABLES) and old is not None and old.exists():
        if "check" in pq.read_schema(old).names:
            _link(old, out)
        else:
            con.execute(f"COPY (SELECT {rejects_columns(old)} FROM read_parquet('{sql_path(old)}')) "
                        f"TO '{sql_path(out)}' (FORMAT parquet, COMPRESSION zstd)")
    elif (parts / "_rejects").exists():
        con.execute(f"COPY (SELECT * FROM read_parquet('{sql_path(parts / '_rejects')}/*.parquet') "
                    f"ORDER BY source, \"row\") TO '{sql_path(out)}' (FORMAT parquet, COMPRESSION zstd)")
    else:
        pq.write_table(arrow_schema("rejects").empty_table(), out)
    check_schema(out, "rejects")
    return pq.ParquetFile(out).metadata.num_rows


def _write_runs(staging: Path, prev_dir: Path | None, summary: RunSummary, started: datetime) -> int:
    """staging/etl_runs.parquet: every run before this one (_runs_history) and this one (returns its rows)."""
    runs = _runs_history(staging.parent, prev_dir, current=summary.run_id)
    runs.append(_run_record(summary, started, status=PARTIAL if summary.refused else "ok"))
    runs_frame = pd.DataFrame(runs)
    for col in ("started_at", "finished_at"):
        runs_frame[col] = pd.to_datetime(runs_frame[col], utc=True, format="ISO8601")
    pq.write_table(to_arrow(runs_frame, "etl_runs"), staging / "etl_runs.parquet")
    return len(runs_frame)


def _derived_tables(staging: Path, aggregates: tuple[str, ...], config: dict[str, str | int]) -> dict[str, dict]:
    """regions, seats (from the staged tps and seats_reference) and the given aggregates, into staging."""
    from etl.loaders import derive_seats

    regions = regions_table()
    pq.write_table(to_arrow(regions, "regions"), staging / "regions.parquet", row_group_size=ROW_GROUP)
    tps = pd.read_parquet(staging / "tps.parquet")
    seats_ref = pd.read_parquet(staging / "seats_reference.parquet")
    seats = derive_seats(regions, seats_ref, tps)
    pq.write_table(to_arrow(seats, "seats"), staging / "seats.parquet", row_group_size=ROW_GROUP)
    info = {"regions": {"rows": len(regions)}, "seats": {"rows": len(seats)}}
    info.update({name: {"rows": rows} for name, rows in write_aggregates(staging, aggregates, config).items()})
    return info


def _runs_history(warehouse: Path, prev_dir: Path | None, current: str) -> list[dict]:
    """Every run before `current`: the published etl_runs plus runs.jsonl (failed and killed runs).

    A run whose last record in runs.jsonl still says "running" (and is not the current run, which
    holds the lock) died without finishing: it is listed as "killed".
    """
    by_id: dict[str, dict] = {}
    for rec in publish.read_run_log(warehouse):
        by_id[rec["run_id"]] = rec  # the last record of a run wins
    if prev_dir and (prev_dir / "etl_runs.parquet").exists():
        for rec in pd.read_parquet(prev_dir / "etl_runs.parquet").to_dict("records"):
            by_id[rec["run_id"]] = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in rec.items()}
    by_id.pop(current, None)
    for rec in by_id.values():
        if rec.get("status") == "running":
            rec["status"] = "killed"
            rec["finished_at"] = rec.get("finished_at") or rec["started_at"]
            rec["message"] = "proses berhenti sebelum selesai (the process ended without finishing: killed?)"
    return sorted(by_id.values(), key=lambda r: str(r["started_at"]))


def _run_record(summary: RunSummary, started: datetime, status: str | None = None) -> dict:
    status = status or summary.status
    return {
        "run_id": summary.run_id, "started_at": started.isoformat(),
        "finished_at": None if status == "running" else datetime.now(UTC).isoformat(),
        "status": status, "inputs": json.dumps([s.record() for s in summary.sources]
                                               + [s.record() for s in summary.refused if not s.reused],
                                               ensure_ascii=False),
        "rows_read": sum(s.rows_read for s in summary.sources),
        "rows_loaded": sum(s.rows_loaded for s in summary.sources),
        "rows_rejected": sum(s.rows_rejected for s in summary.sources),
        "sample": summary.sample, "message": summary.message, "pid": os.getpid(),
    }
