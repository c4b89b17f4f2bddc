"""Where the ETL build spends its time: per table and stage, and (with --profile) per function.

    python bench/experiments/etl_stages.py SOURCE [--tables activities] [--limit N] [--profile]

Runs etl.build.build in this process with a progress callback that timestamps each source and the
finalize/publish stages, into a fresh warehouse under bench/out/experiments/. With --tables/--limit it
first writes a manifest holding only those sources (the first N of them), so a profile stays short.
--profile runs it under cProfile and prints the functions with the most own and cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import shutil
import sys
import time
import tomllib
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out" / "experiments"


def subset_manifest(source: Path, tables: list[str], limit: int | None) -> Path:
    """A sources.toml beside OUT listing only `tables` (first `limit` sources), paths made absolute."""
    manifest = source / "sources.toml" if source.is_dir() else source
    data = tomllib.loads(manifest.read_text(encoding="utf-8"))
    chosen = [s for s in data.get("source", []) if not tables or s["table"] in tables][:limit]
    lines = [f"sample = {str(bool(data.get('sample'))).lower()}", ""]
    for s in chosen:
        lines.append("[[source]]")
        for k, v in s.items():
            if k == "path":
                v = str((manifest.parent / v).resolve())
            if k == "url" and str(v).startswith("sqlite:///") and not str(v).startswith("sqlite:////"):
                v = "sqlite:///" + str((manifest.parent / str(v)[len("sqlite:///"):]).resolve())
            if isinstance(v, dict):
                lines.append(f"{k} = {{ " + ", ".join(f'{a} = "{b}"' for a, b in v.items()) + " }")
            else:
                lines.append(f'{k} = "{v}"')
        lines.append("")
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "subset.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("source", type=Path)
    p.add_argument("--tables", default="", help="comma-separated source tables to keep (default: all)")
    p.add_argument("--limit", type=int, help="keep only the first N sources")
    p.add_argument("--profile", action="store_true")
    args = p.parse_args(argv)
    from etl.build import build

    tables = [t for t in args.tables.split(",") if t]
    source = subset_manifest(args.source, tables, args.limit) if tables or args.limit else args.source
    wh = OUT / "warehouse"
    shutil.rmtree(wh, ignore_errors=True)
    per_table: dict[str, float] = defaultdict(float)
    rows: dict[str, int] = defaultdict(int)
    stages: dict[str, float] = {}
    state = {"t": time.perf_counter(), "table": None, "stage": "start"}

    def progress(event: str, info: dict) -> None:
        now = time.perf_counter()
        if event == "source":
            state["t"], state["table"] = now, info["table"]
        elif event == "rows":
            rows[state["table"]] += info["rows"]
        elif event == "source_done":
            per_table[state["table"]] += now - state["t"]
        elif event in ("finalize", "publish"):
            stages[state["stage"]] = now - state["t"]
            state["t"], state["stage"] = now, event

    profiler = cProfile.Profile() if args.profile else None
    t0 = time.perf_counter()
    if profiler:
        profiler.enable()
    build(source, wh, progress=progress)
    if profiler:
        profiler.disable()
    total = time.perf_counter() - t0
    stages[state["stage"]] = time.perf_counter() - state["t"]
    print(f"total {total:.1f} s" + (" (under cProfile: slower than without)" if profiler else ""))
    for table, secs in sorted(per_table.items(), key=lambda kv: -kv[1]):
        print(f"  read+check {table:16s} {secs:7.1f} s  {rows[table]:>10,} rows  {rows[table] / secs:>9,.0f} rows/s")
    for stage in ("finalize", "publish"):
        print(f"  {stage:27s} {stages.get(stage, 0):7.1f} s")
    if profiler:
        st = pstats.Stats(profiler)
        st.sort_stats("tottime").print_stats(25)
        st.sort_stats("cumulative").print_stats(40)
    return 0


if __name__ == "__main__":
    sys.exit(main())
