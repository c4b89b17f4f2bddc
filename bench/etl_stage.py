"""The ETL build against the plain conversion of the same files.

ETL: `python -m etl build --source SRC --warehouse WH --quiet` into a fresh warehouse each repeat;
wall time, rows read per second, peak memory (rusage of the child via os.wait4, and the sampled
RSS of its process tree). Plain: `python -m bench.plain --engine polars|pyarrow` on the same files.
The warehouse of the last repeat is kept for the query, page and server benchmarks.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from bench.measure import Figure, run_measured

ENGINES = ("polars", "pyarrow")


def _last_error(stderr: str) -> str:
    lines = [ln for ln in stderr.strip().splitlines() if ln.strip()]
    return "\n".join(lines[-3:])[:600] if lines else "failed without a message"


def warehouse_counts(warehouse: Path) -> dict[str, Any]:
    """Rows read/loaded/rejected of the last run, and rows per table of the published version."""
    cur = (warehouse / "current").resolve()
    out: dict[str, Any] = {"version": cur.name, "tables": {}}
    runs = cur / "etl_runs.parquet"
    if runs.is_file():
        t = pq.read_table(runs).to_pylist()
        if t:
            last = t[-1]
            out.update({k: last.get(k) for k in ("rows_read", "rows_loaded", "rows_rejected")})
    for f in sorted(cur.glob("*.parquet")):
        md = pq.ParquetFile(f).metadata
        out["tables"][f.stem] = {"rows": md.num_rows, "row_groups": md.num_row_groups, "bytes": f.stat().st_size}
    return out


def bench_etl(source: Path, work: Path, *, repeats: int, log_dir: Path | None = None, echo: Any = None) -> dict:
    """Build `repeats` fresh warehouses; keep the last as work/warehouse. Figures in s and MB."""
    runs, error = [], None
    final = work / "warehouse"
    for rep in range(repeats):
        wh = work / f"warehouse-rep{rep}"
        shutil.rmtree(wh, ignore_errors=True)
        m = run_measured([sys.executable, "-m", "etl", "build", "--source", str(source), "--warehouse", str(wh),
                          "--quiet"], log=log_dir / f"etl-build-{rep}" if log_dir else None)
        if m.returncode != 0:
            error = f"exit {m.returncode}: {_last_error(m.stderr or m.stdout)}"
            break
        counts = warehouse_counts(wh)
        rows = counts.get("rows_read") or 0
        runs.append({"wall_s": m.wall_s, "peak_mb": m.peak_mb, "maxrss_mb": m.maxrss_mb,
                     "tree_peak_mb": m.tree_peak_mb, "cpu_s": m.user_s + m.sys_s,
                     "rows_read": rows, "rows_per_s": rows / m.wall_s if m.wall_s else None, "counts": counts})
        if echo:
            echo({"what": "etl", "rep": rep, "wall_s": m.wall_s, "peak_mb": m.peak_mb})
        if rep < repeats - 1:
            shutil.rmtree(wh, ignore_errors=True)
        else:
            shutil.rmtree(final, ignore_errors=True)
            wh.rename(final)
            # `current` is a relative or absolute symlink: re-point an absolute one at the moved folder
            cur = final / "current"
            target = Path(cur.readlink()) if cur.is_symlink() else None
            if target is not None and target.is_absolute():
                cur.unlink()
                cur.symlink_to(final / target.relative_to(wh))
    out: dict[str, Any] = {"repeats": len(runs), "error": error, "warehouse": str(final) if runs else None}
    if runs:
        out.update({
            "wall_s": Figure.of([r["wall_s"] for r in runs]).to_dict(),
            "peak_mb": Figure.of([r["peak_mb"] for r in runs]).to_dict(),
            "cpu_s": Figure.of([r["cpu_s"] for r in runs]).to_dict(),
            "rows_per_s": Figure.of([r["rows_per_s"] for r in runs]).to_dict(),
            "rows_read": runs[-1]["rows_read"],
            "rows_loaded": runs[-1]["counts"].get("rows_loaded"),
            "rows_rejected": runs[-1]["counts"].get("rows_rejected"),
            "tables": runs[-1]["counts"]["tables"],
        })
    return out


def bench_plain(source: Path, work: Path, *, repeats: int, log_dir: Path | None = None, echo: Any = None) -> dict:
    """Each engine `repeats` times on the same files; `best` names the faster engine by median wall."""
    import json

    out: dict[str, Any] = {}
    for engine in ENGINES:
        runs, error = [], None
        for rep in range(repeats):
            target = work / f"plain-{engine}"
            shutil.rmtree(target, ignore_errors=True)
            m = run_measured([sys.executable, "-m", "bench.plain", "--engine", engine, str(source), str(target)],
                             log=log_dir / f"plain-{engine}-{rep}" if log_dir else None)
            if m.returncode != 0:
                error = f"exit {m.returncode}: {_last_error(m.stderr)}"
                break
            stats = json.loads(m.stdout.strip().splitlines()[-1])
            runs.append({"wall_s": m.wall_s, "peak_mb": m.peak_mb, "cpu_s": m.user_s + m.sys_s, **stats})
            if echo:
                echo({"what": f"plain {engine}", "rep": rep, "wall_s": m.wall_s, "peak_mb": m.peak_mb})
        shutil.rmtree(work / f"plain-{engine}", ignore_errors=True)
        rec: dict[str, Any] = {"repeats": len(runs), "error": error}
        if runs:
            rec.update({k: Figure.of([r[k] for r in runs]).to_dict()
                        for k in ("wall_s", "peak_mb", "cpu_s", "csv_s", "xlsx_s")})
            rec.update({k: runs[-1][k] for k in ("rows", "csv_files", "csv_rows", "csv_bytes", "xlsx_files",
                                                   "xlsx_rows", "xlsx_bytes", "sql_sources")})
        out[engine] = rec
    ok = [e for e in ENGINES if out[e].get("wall_s", {}).get("median") is not None]
    out["best"] = min(ok, key=lambda e: out[e]["wall_s"]["median"]) if ok else None
    return out
