"""Pantau's benchmark: ETL, query layer, pages and server memory at one scale, against issue 5's targets.

    python bench/run.py [--scale sample|national] [--json FILE] [--repeat N] [--only SECTIONS]
    (SECTIONS: comma-separated of etl,query,pages,maps,server,upload,slides)

Generates (or reuses) the sample sources of that scale, builds a fresh warehouse per repeat, converts the
same files plainly to Parquet, times every query-layer function of docs/QUERY_API.md and every page, and
measures the dashboard server's memory. Prints tables and every target as met or MISSED, and writes all
figures to JSON. A missed target is a finding, not a failure: the exit code is 0 unless something crashed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rich.console import Console

from bench import report
from bench.sources import DEFAULT_SEED, OUT, ensure_sources

SECTIONS = ("etl", "query", "pages", "maps", "server", "upload", "slides")
#: Repeats per section and scale, chosen so `--scale national` ends within 15 minutes on 2 cores.
#: etl = ETL builds (and plain conversions), query = fresh processes per function and scope (the first
#: also gives >= 7 warm calls), pages = fresh AppTest processes per page, server = server runs.
DEFAULT_REPEATS = {
    "sample": {"etl": 3, "query": 3, "pages": 3, "maps": 1, "server": 1, "upload": 2, "slides": 2},
    "national": {"etl": 2, "query": 3, "pages": 2, "maps": 1, "server": 1, "upload": 2, "slides": 2},
}
WARM_CALLS = 7

console = Console(width=None if sys.stdout.isatty() else 180)


def _echo(prefix: str):
    def echo(rec: dict[str, Any]) -> None:
        brief = {k: v for k, v in rec.items() if not isinstance(v, dict | list)}
        for k, v in rec.items():
            if isinstance(v, dict) and "median" in v and v["median"] is not None:
                brief[k] = round(v["median"], 4)
        console.print(f"[dim]{prefix}[/] {brief}", highlight=False)
    return echo


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--scale", choices=["sample", "national"], default="sample")
    p.add_argument("--json", type=Path, help="write every figure here (also kept in bench/out/<scale>/result.json)")
    p.add_argument("--repeat", type=int, help="repeats of every section (default: per section and scale, see "
                   "DEFAULT_REPEATS)")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    p.add_argument("--regenerate", action="store_true", help="regenerate the sources when etl/sample.py changed "
                   "since they were made (default: reuse them, keyed by scale and seed)")
    p.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections: " + ",".join(SECTIONS))
    p.add_argument("--warehouse", type=Path, help="use this warehouse instead of building one (when etl is skipped)")
    p.add_argument("--functions", help="comma-separated module.function names to time (default: all)")
    p.add_argument("--markdown", type=Path, help="also write the tables as Markdown (for docs/PERFORMANCE.md)")
    p.add_argument("--out", type=Path, default=OUT, help="working folder (default bench/out, gitignored)")
    return p.parse_args(argv)


def run(args: argparse.Namespace) -> dict[str, Any]:
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(only) - set(SECTIONS)
    if unknown:
        raise SystemExit(f"unknown section(s) {sorted(unknown)}; choose from {', '.join(SECTIONS)}")
    repeats = dict(DEFAULT_REPEATS[args.scale])
    if args.repeat:
        repeats = dict.fromkeys(repeats, args.repeat)
    work = args.out / args.scale
    logs = work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    result: dict[str, Any] = {"scale": args.scale, "seed": args.seed, "started_at": datetime.now(UTC).isoformat(),
                              "command": " ".join(["python", "bench/run.py", *sys.argv[1:]]),
                              "machine": report.machine(), "repeats": {k: repeats[k] for k in only},
                              "warm_calls": WARM_CALLS, "sections": only, "timings_s": {},
                              "loadavg_start": os.getloadavg()}
    warehouse = args.warehouse
    if "etl" in only:
        from bench.etl_stage import bench_etl, bench_plain

        t0 = time.perf_counter()
        console.rule(f"sources ({args.scale})")
        src = ensure_sources(args.scale, args.seed, args.out, regenerate=args.regenerate, log=logs / "generate")
        result["sources"] = src
        console.print(f"sources at {src['path']} ({'reused' if src['reused'] else 'generated'})"
                      + (" · etl/sample.py changed since: --regenerate to refresh" if src["generator_changed_since"]
                         else ""))
        result["timings_s"]["sources"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        console.rule("ETL build")
        result["etl"] = bench_etl(Path(src["path"]), work, repeats=repeats["etl"], log_dir=logs, echo=_echo("etl"))
        result["timings_s"]["etl"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        console.rule("plain conversion")
        result["plain"] = bench_plain(Path(src["path"]), work, repeats=repeats["etl"], log_dir=logs,
                                      echo=_echo("plain"))
        result["timings_s"]["plain"] = time.perf_counter() - t0
        if result["etl"].get("warehouse"):
            warehouse = Path(result["etl"]["warehouse"])
    if warehouse is None and (work / "warehouse" / "current").exists():
        warehouse = work / "warehouse"
    result["warehouse"] = str(warehouse) if warehouse else None
    if "upload" in only:  # issue 18: its own national build (as real data) and the floor, then the upload figures
        from bench.upload import bench_upload

        t0 = time.perf_counter()
        console.rule("upload (national rebuild vs floor; drop -> preview; publish -> visible)")
        src = result.get("sources") or ensure_sources(args.scale, args.seed, args.out, log=logs / "generate")
        result["upload"] = bench_upload(Path(src["path"]), work, repeats=repeats["upload"], log_dir=logs,
                                        echo=_echo("upload"))
        result["timings_s"]["upload"] = time.perf_counter() - t0
    needs_wh = [s for s in only if s not in ("etl", "upload")]
    if needs_wh and warehouse is None:
        console.print(f"[red]no warehouse to benchmark {needs_wh} on[/]: run with etl, or pass --warehouse")
        needs_wh = []
    if "query" in needs_wh:
        from bench.queries import bench_queries

        t0 = time.perf_counter()
        console.rule("query layer")
        fns = [f.strip() for f in args.functions.split(",")] if args.functions else None
        result["queries"] = bench_queries(warehouse, repeats=repeats["query"], warm_calls=WARM_CALLS,
                                          log_dir=logs, only=fns, echo=_echo("query"))
        result["timings_s"]["query"] = time.perf_counter() - t0
    if "pages" in needs_wh:
        from bench.pages import bench_pages

        t0 = time.perf_counter()
        console.rule("pages (AppTest)")
        result["pages"] = bench_pages(warehouse.resolve(), repeats=repeats["pages"], log_dir=logs,
                                      echo=_echo("page"))
        result["timings_s"]["pages"] = time.perf_counter() - t0
    if "maps" in needs_wh:
        from bench.maps import bench_maps

        t0 = time.perf_counter()
        console.rule("maps (national: AppTest rerun, plotly.js render in Chromium)")
        result["maps"] = bench_maps(warehouse.resolve(), log_dir=logs, echo=_echo("map"))
        result["timings_s"]["maps"] = time.perf_counter() - t0
    if "slides" in needs_wh:  # issue 14: a province deck of every page, and each image warm
        from bench.slides import bench_slides

        t0 = time.perf_counter()
        console.rule("slides (Lampung deck, PPTX + PDF; image per chart warm)")
        result["slides"] = bench_slides(warehouse.resolve(), repeats=repeats["slides"], echo=_echo("slides"))
        result["timings_s"]["slides"] = time.perf_counter() - t0
    if "server" in needs_wh:
        from bench.server import bench_server

        t0 = time.perf_counter()
        console.rule("dashboard server")
        runs = [bench_server(warehouse.resolve(), log_dir=logs, echo=_echo("server"))
                for _ in range(repeats["server"])]
        result["server"] = runs[-1] if len(runs) == 1 else _merge_server(runs)
        result["timings_s"]["server"] = time.perf_counter() - t0
    result["timings_s"]["total"] = time.perf_counter() - started
    result["loadavg_end"] = os.getloadavg()
    result["targets"] = report.targets(result)
    return result


def _merge_server(runs: list[dict]) -> dict:
    """Several server runs: the median of the final RSS, with every run kept."""
    from bench.measure import Figure

    fig = Figure.of([r["rss_final_mb"] for r in runs if r.get("rss_final_mb") is not None])
    merged = dict(runs[-1])
    merged["rss_final_mb"] = fig.median
    merged["rss_final_figure"] = fig.to_dict()
    merged["runs"] = runs
    return merged


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    result = run(args)
    console.rule("result")
    report.print_report(result, console)
    text = json.dumps(result, indent=1, default=str)
    keep = args.out / args.scale / "result.json"
    keep.write_text(text)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(text)
    (args.out / args.scale / "result.md").write_text(report.markdown(result))
    if args.markdown:
        args.markdown.write_text(report.markdown(result))
    console.print(f"JSON: {args.json or keep} · total {result['timings_s']['total']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
