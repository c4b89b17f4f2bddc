"""One ETL run: read every source, check it, stage the new warehouse beside the old one, publish atomically.

Incremental: a source whose content hash equals the one in the published manifest is not read again;
its rows (and its rejects) are carried over from the current version. A changed source replaces all
of its rows. Sources absent from this run's inputs are kept (nothing loaded is ever lost) unless
`prune=True`. Across sources, a key present twice keeps the row of the most recently loaded source.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from etl import publish
from etl.errors import SourceError
from etl.inputs import discover
from etl.regions import RegionResolver, regions_table
from etl.spec import KEYS, WAREHOUSE

FACT_TABLES = ("personnel", "activities", "pleno", "tps", "seats_reference")
#: Warehouse columns of seats_reference (kept so later runs can derive seats without re-reading it).
SEATS_REFERENCE_COLUMNS = {"region_code": "string", "provinsi_code": "string", "body": "string",
                           "seats": "int64", "source": "string"}
DATE_COLUMN = {"personnel": "as_of", "activities": "date", "pleno": "week_start"}
SORT = {"personnel": "region_code, as_of", "activities": "region_code, date", "pleno": "region_code, week_start",
        "tps": "desa_code, election", "seats_reference": "region_code, body"}
ROW_GROUP = 64_000
_ARROW = {"string": pa.string(), "int64": pa.int64(), "float64": pa.float64(), "bool": pa.bool_(),
          "date": pa.date32(), "timestamp": pa.timestamp("us", tz="UTC")}

Progress = Callable[[str, dict], None]


def columns_of(table: str) -> dict[str, str]:
    return SEATS_REFERENCE_COLUMNS if table == "seats_reference" else WAREHOUSE[table]


def arrow_schema(table: str) -> pa.Schema:
    return pa.schema([(name, _ARROW[kind]) for name, kind in columns_of(table).items()])


def to_arrow(frame: pd.DataFrame, table: str) -> pa.Table:
    """A DataFrame in the contract's columns as an Arrow table of exactly the contract's types."""
    schema = arrow_schema(table)
    arrays = []
    for fld in schema:
        col = frame[fld.name] if fld.name in frame.columns else pd.Series([None] * len(frame), dtype="object")
        if pa.types.is_date32(fld.type) and not col.empty and str(col.dtype).startswith("datetime"):
            col = col.dt.date
        arr = pa.array(col, from_pandas=True)
        arrays.append(arr.cast(fld.type, safe=False) if arr.type != fld.type else arr)
    return pa.Table.from_arrays(arrays, schema=schema)


@dataclass
class SourceStats:
    name: str
    table: str
    sha256: str = ""
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    reused: bool = False
    loaded_run: str = ""
    order: int = 0


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


def new_run_id(now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    return f"{now:%Y%m%dT%H%M%S}-{secrets.token_hex(2)}"


def _make_source(spec: dict):
    from etl.readers import Source

    return Source(**spec)


def build(source: Path | str, warehouse: Path | str, *, today: date | None = None, wait: float = 0,
          prune: bool = False, progress: Progress | None = None) -> RunSummary:
    """Run the ETL from `source` (a folder or a sources.toml) into `warehouse`; publish only on success."""
    from etl.loaders import load_source

    warehouse = Path(warehouse)
    started = datetime.now(UTC)
    run_id = new_run_id(started)
    notify = progress or (lambda event, info: None)
    lk = publish.lock(warehouse, wait=wait)
    staging = warehouse / f".staging-{run_id}"
    summary = RunSummary(run_id=run_id, status="running")
    try:
        publish.clean_leftovers(warehouse)
        inputs = discover(Path(source))
        summary.sample = inputs.sample
        prev_dir = publish.current_dir(warehouse)
        prev = publish.read_manifest(prev_dir)
        prev_sources: dict = prev.get("sources", {})
        staging.mkdir(parents=True)
        parts = staging / "_parts"
        resolver = RegionResolver(regions_table())
        con = duckdb.connect()
        con.execute(f"SET memory_limit='1GB'; SET temp_directory='{staging / '_tmp'}'; SET threads=2")
        rejects: list[pd.DataFrame] = []
        notify("start", {"sources": len(inputs.sources), "run_id": run_id})
        seen: set[str] = set()
        for order, spec in enumerate(inputs.sources):
            src = _make_source(spec)
            from etl.readers import sha256_of

            stats = SourceStats(name=spec["name"], table=spec["table"], order=order)
            if stats.name in seen:
                raise SourceError(f"{stats.name}: disebut dua kali dalam daftar sumber (listed twice)")
            seen.add(stats.name)
            stats.sha256 = sha256_of(src)
            old = prev_sources.get(stats.name)
            notify("source", {"name": stats.name, "table": stats.table})
            if old and prev_dir and old["sha256"] == stats.sha256 and old["table"] == stats.table:
                _carry(con, prev_dir, parts, stats, old)
                stats.reused = True
            else:
                stats.loaded_run = run_id
                for i, res in enumerate(load_source(src, resolver, run_id=run_id, today=today or date.today())):
                    _write_part(parts, stats, i, res.good)
                    stats.rows_read += res.rows_read
                    stats.rows_loaded += len(res.good)
                    stats.rows_rejected += len(res.rejects)
                    if len(res.rejects):
                        rejects.append(res.rejects)
                    notify("rows", {"name": stats.name, "rows": res.rows_read})
            summary.sources.append(stats)
            notify("source_done", {"name": stats.name, "stats": asdict(stats)})
        if not prune and prev_dir:
            for name, old in prev_sources.items():
                if name not in seen:
                    stats = SourceStats(name=name, table=old["table"], order=len(summary.sources), reused=True)
                    _carry(con, prev_dir, parts, stats, old)
                    summary.sources.append(stats)
        notify("finalize", {})
        _finalize(con, staging, parts, prev_dir, summary, rejects, inputs.sample, started)
        notify("publish", {})
        summary.version_dir = publish.publish(warehouse, staging, run_id)
        summary.status = "ok"
        publish.append_run_log(warehouse, _run_record(summary, started))
        return summary
    except BaseException as exc:  # record the failure (SourceError, a bug, Ctrl-C), keep the old version
        summary.status = "failed"
        summary.message = str(exc) if isinstance(exc, SourceError) else f"{type(exc).__name__}: {exc}"
        shutil.rmtree(staging, ignore_errors=True)
        publish.append_run_log(warehouse, _run_record(summary, started))
        raise
    finally:
        lk.release()


# ---------------------------------------------------------------------------


def _write_part(parts: Path, stats: SourceStats, i: int, good: pd.DataFrame) -> None:
    if good.empty:
        return
    folder = parts / stats.table
    folder.mkdir(parents=True, exist_ok=True)
    tbl = to_arrow(good, stats.table)
    prio = f"{stats.loaded_run}-{stats.order:05d}"
    tbl = tbl.append_column("_prio", pa.array([prio] * len(tbl), pa.string()))
    pq.write_table(tbl, folder / f"{stats.order:05d}-{i:05d}.parquet", compression="zstd")


def _carry(con: duckdb.DuckDBPyConnection, prev_dir: Path, parts: Path, stats: SourceStats, old: dict) -> None:
    """Copy a source's rows from the published version instead of reading it again."""
    stats.sha256 = stats.sha256 or old.get("sha256", "")
    stats.loaded_run = old.get("loaded_run", "")
    stats.rows_read, stats.rows_loaded, stats.rows_rejected = (
        old.get("rows_read", 0), old.get("rows_loaded", 0), old.get("rows_rejected", 0))
    src_file = prev_dir / f"{stats.table}.parquet"
    if not src_file.exists():
        return
    folder = parts / stats.table
    folder.mkdir(parents=True, exist_ok=True)
    prio = f"{stats.loaded_run}-{stats.order:05d}"
    con.execute(
        f"COPY (SELECT *, ?::VARCHAR AS _prio FROM read_parquet('{src_file}') WHERE source = ?) "
        f"TO '{folder / f'{stats.order:05d}-carried.parquet'}' (FORMAT parquet, COMPRESSION zstd)",
        [prio, stats.name])


def _finalize(con, staging: Path, parts: Path, prev_dir: Path | None, summary: RunSummary,
              rejects: list[pd.DataFrame], sample: bool, started: datetime) -> None:
    from etl.loaders import derive_seats

    tables_info: dict[str, dict] = {}
    for table in FACT_TABLES:
        out = staging / f"{table}.parquet"
        files = sorted((parts / table).glob("*.parquet")) if (parts / table).exists() else []
        if not files:
            pq.write_table(arrow_schema(table).empty_table(), out)
        else:
            key = ", ".join(KEYS[table])
            cols = ", ".join(f'"{c}"' for c in columns_of(table))
            glob = str(parts / table / "*.parquet")
            total = con.execute(f"SELECT count(*) FROM read_parquet('{glob}')").fetchone()[0]
            con.execute(
                f"COPY (SELECT {cols} FROM read_parquet('{glob}') "
                f"QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY _prio DESC) = 1 ORDER BY {SORT[table]}) "
                f"TO '{out}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {ROW_GROUP})")
            kept = pq.ParquetFile(out).metadata.num_rows
            summary.replaced_rows += total - kept
        _check_schema(out, table)
        tables_info[table] = {"rows": pq.ParquetFile(out).metadata.num_rows}
    shutil.rmtree(parts, ignore_errors=True)
    shutil.rmtree(staging / "_tmp", ignore_errors=True)

    regions = regions_table()
    pq.write_table(to_arrow(regions, "regions"), staging / "regions.parquet", row_group_size=ROW_GROUP)
    tps = pd.read_parquet(staging / "tps.parquet")
    seats_ref = pd.read_parquet(staging / "seats_reference.parquet")
    seats = derive_seats(regions, seats_ref, tps)
    pq.write_table(to_arrow(seats, "seats"), staging / "seats.parquet", row_group_size=ROW_GROUP)
    tables_info["regions"] = {"rows": len(regions)}
    tables_info["seats"] = {"rows": len(seats)}

    # rejects: this run's, plus those of sources carried over (they still describe what is loaded)
    current = pd.concat(rejects, ignore_index=True) if rejects else pd.DataFrame(columns=list(WAREHOUSE["rejects"]))
    carried_names = [s.name for s in summary.sources if s.reused]
    if prev_dir and (prev_dir / "rejects.parquet").exists() and carried_names:
        old = pd.read_parquet(prev_dir / "rejects.parquet")
        current = pd.concat([old[old["source"].isin(carried_names)], current], ignore_index=True)
    pq.write_table(to_arrow(current, "rejects"), staging / "rejects.parquet")
    tables_info["rejects"] = {"rows": len(current)}

    for table in summary.sources:
        info = summary.tables.setdefault(table.table, {"read": 0, "loaded": 0, "rejected": 0})
        info["read"] += table.rows_read
        info["loaded"] += table.rows_loaded
        info["rejected"] += table.rows_rejected
    for table, info in summary.tables.items():
        info["rows"] = tables_info.get(table, {}).get("rows", 0)

    runs = _runs_history(staging.parent, prev_dir)
    runs.append(_run_record(summary, started, status="ok"))
    runs_frame = pd.DataFrame(runs)
    for col in ("started_at", "finished_at"):
        runs_frame[col] = pd.to_datetime(runs_frame[col], utc=True, format="ISO8601")
    pq.write_table(to_arrow(runs_frame, "etl_runs"), staging / "etl_runs.parquet")
    tables_info["etl_runs"] = {"rows": len(runs_frame)}

    from etl.aggregates import write_aggregates

    for name, rows in write_aggregates(staging).items():
        tables_info[name] = {"rows": rows}

    for table, column in DATE_COLUMN.items():
        got = con.execute(f"SELECT max({column}) FROM read_parquet('{staging / f'{table}.parquet'}')").fetchone()[0]
        tables_info[table]["data_date"] = got.isoformat() if got else None
    for info in tables_info.values():
        info["sample"] = sample
    manifest = {
        "version": summary.run_id, "created_at": datetime.now(UTC).isoformat(), "sample": sample,
        "tables": tables_info,
        "sources": {s.name: {k: v for k, v in asdict(s).items() if k != "name"} for s in summary.sources},
    }
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")


def _check_schema(path: Path, table: str) -> None:
    got = pq.read_schema(path).remove_metadata()
    want = arrow_schema(table)
    if not got.equals(want):
        raise RuntimeError(f"{path.name}: schema {got} differs from the contract {want}")


def _runs_history(warehouse: Path, prev_dir: Path | None) -> list[dict]:
    """Every run so far: the published etl_runs plus runs.jsonl (failed runs, and any not yet in a version)."""
    by_id: dict[str, dict] = {}
    if prev_dir and (prev_dir / "etl_runs.parquet").exists():
        for rec in pd.read_parquet(prev_dir / "etl_runs.parquet").to_dict("records"):
            by_id[rec["run_id"]] = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in rec.items()}
    for rec in publish.read_run_log(warehouse):
        by_id.setdefault(rec["run_id"], rec)
    return sorted(by_id.values(), key=lambda r: str(r["started_at"]))


def _run_record(summary: RunSummary, started: datetime, status: str | None = None) -> dict:
    inputs = [{k: v for k, v in asdict(s).items() if k != "order"} for s in summary.sources]
    return {
        "run_id": summary.run_id, "started_at": started.isoformat(), "finished_at": datetime.now(UTC).isoformat(),
        "status": status or summary.status, "inputs": json.dumps(inputs, ensure_ascii=False),
        "rows_read": sum(s.rows_read for s in summary.sources if not s.reused),
        "rows_loaded": sum(s.rows_loaded for s in summary.sources if not s.reused),
        "rows_rejected": sum(s.rows_rejected for s in summary.sources if not s.reused),
        "sample": summary.sample, "message": summary.message, "pid": os.getpid(),
    }
