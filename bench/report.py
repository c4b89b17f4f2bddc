"""Targets of issue 5 from the benchmark's figures, the machine's description, and the printed tables."""

from __future__ import annotations

import os
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.measure import fmt_figure

#: Memory limits in MiB (2**20 bytes): 1.5 GiB and 1 GiB. In decimal units 1.5 GB is 1430 MiB.
LIMITS = {"etl_ratio": 2.0, "etl_peak_mb": 1536.0, "query_warm_ms": 100.0, "query_cold_ms": 300.0,
          "page_rerun_ms": 300.0, "server_mb": 1024.0, "map_render_ms": 1000.0,
          "etl_floor_ratio": 1.3, "upload_preview_s": 3.0, "upload_publish_s": 10.0,
          "deck_s": 15.0, "image_warm_ms": 500.0}
PACKAGES = ("pandas", "duckdb", "pyarrow", "polars", "streamlit", "plotly", "numpy", "playwright")


def machine() -> dict[str, Any]:
    """Core count, CPU model, memory and the versions used."""
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
        meminfo = Path("/proc/meminfo").read_text().splitlines()
    except OSError:
        cpuinfo, meminfo = [], []
    model = next((ln.split(":", 1)[1].strip() for ln in cpuinfo if ln.startswith("model name")), "")
    mem_kb = next((int(ln.split()[1]) for ln in meminfo if ln.startswith("MemTotal")), 0)
    versions = {"python": platform.python_version()}
    for pkg in PACKAGES:
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = None
    return {"cpu_count": os.cpu_count(), "cpus_usable": len(os.sched_getaffinity(0)), "cpu_model": model,
            "memory_gb": round(mem_kb / 2**20, 1), "platform": platform.platform(), "versions": versions}


def _target(name: str, figure: float | None, limit: float, unit: str) -> dict[str, Any]:
    return {"name": name, "figure": None if figure is None else round(figure, 4), "limit": limit, "unit": unit,
            "met": figure is not None and figure <= limit}


def _figure(target: dict[str, Any]) -> str:
    """A target's figure as printed: ratios and seconds with two decimals (0.46 s, 9.70 s), ms and MiB whole."""
    if target["figure"] is None:
        return "—"
    return f"{target['figure']:.{2 if target['unit'] in ('x', 's') else 0}f} {target['unit']}"


def _median(d: dict | None, scale: float = 1.0) -> float | None:
    if not d or d.get("median") is None:
        return None
    return d["median"] * scale


def targets(result: dict[str, Any]) -> list[dict[str, Any]]:
    """One target per figure the issue sets a limit on (a missing figure is a missed target)."""
    out = []
    etl, plain = result.get("etl"), result.get("plain")
    if etl is not None:
        best = (plain or {}).get("best")
        ratio = None
        if best and _median(etl.get("wall_s")) is not None:
            ratio = _median(etl["wall_s"]) / _median(plain[best]["wall_s"])
        out.append(_target(f"ETL build / plain conversion ({best or 'n/a'})", ratio, LIMITS["etl_ratio"], "x"))
        out.append(_target("ETL build peak memory", _median(etl.get("peak_mb")), LIMITS["etl_peak_mb"], "MiB"))
    for q in result.get("queries") or []:
        where = f"{q['function']} @ {q['scope']}"
        out.append(_target(f"query warm: {where}", _median(q.get("warm_s"), 1000), LIMITS["query_warm_ms"], "ms"))
        out.append(_target(f"query cold: {where}", _median(q.get("cold_s"), 1000), LIMITS["query_cold_ms"], "ms"))
    for p in result.get("pages") or []:
        out.append(_target(f"page rerun after filter change: {p['page']}", _median(p.get("rerun_filter_s"), 1000),
                           LIMITS["page_rerun_ms"], "ms"))
    for m in result.get("maps") or []:
        where = f"{m['page']} ({m['view']})"
        out.append(_target(f"map page rerun, Nasional: {where}", (m.get("rerun_s") or 0) * 1000 or None,
                           LIMITS["page_rerun_ms"], "ms"))
        out.append(_target(f"map render in Chromium, Nasional: {where}", _median(m.get("render"), 1000),
                           LIMITS["map_render_ms"], "ms"))
    up = result.get("upload")
    if up is not None:  # issue 18
        out.append(_target("national ETL build / floor build (floor.py, minimal sorted)", up.get("build_over_floor"),
                           LIMITS["etl_floor_ratio"], "x"))
        out.append(_target(f"upload of ~{up['rows']:,} activity rows: drop -> preview (warm)",
                           (up.get("preview_s") or {}).get("median"), LIMITS["upload_preview_s"], "s"))
        out.append(_target("upload: publish -> visible on Kegiatan", (up.get("publish_visible_s") or {}).get("median"),
                           LIMITS["upload_publish_s"], "s"))
    sl = result.get("slides")
    if sl is not None:  # issue 14
        out.append(_target(f"province deck of every page ({sl['slides']} slides, PPTX + PDF), cold", sl["deck_cold_s"],
                           LIMITS["deck_s"], "s"))
        out.append(_target("chart image 1920x1080, warm", _median(sl.get("image_warm_s"), 1000),
                           LIMITS["image_warm_ms"], "ms"))
    server = result.get("server")
    if server is not None:
        out.append(_target("dashboard server memory after every page", server.get("rss_final_mb"),
                           LIMITS["server_mb"], "MiB"))
    return out


# ---------------------------------------------------------------------------
# Printing
# ---------------------------------------------------------------------------


def _ms(d: dict | None) -> str:
    if not d or d.get("median") is None:
        return "—"
    return fmt_figure({k: (v * 1000 if isinstance(v, float) else v) for k, v in d.items()}, "ms", 0)


def print_report(result: dict[str, Any], console: Console | None = None) -> None:
    console = console or Console()
    m = result["machine"]
    v = m["versions"]
    console.print(f"[bold]Pantau benchmark[/] · scale {result['scale']} · {m['cpu_count']} CPUs ({m['cpu_model']}), "
                  f"{m['memory_gb']} GB · python {v['python']}, pandas {v['pandas']}, duckdb {v['duckdb']}, "
                  f"pyarrow {v['pyarrow']}, polars {v['polars']}, streamlit {v['streamlit']}")
    console.print(f"repeats: {result['repeats']} · figures are median (min–max, n = samples) · load average "
                  f"at start {result['loadavg_start'][0]:.1f}, at end {result.get('loadavg_end', [0])[0]:.1f} "
                  "(above the core count, other work shared the CPUs and wall times are inflated)")
    src = result.get("sources")
    if src:
        how = "reused" if src.get("reused") else f"generated in {src.get('generate_s', 0):.0f} s"
        console.print(f"sources: {src.get('path')} ({how}), files {src.get('files')}, "
                      f"{src.get('total_bytes', 0) / 2**20:.0f} MiB")
    etl, plain = result.get("etl"), result.get("plain")
    if etl is not None:
        t = Table(title="ETL build vs plain conversion of the same files")
        for col in ("what", "wall", "rows/s", "peak memory", "CPU time", "note"):
            t.add_column(col)
        rows_s = etl.get("rows_per_s") or {}
        t.add_row("python -m etl build", fmt_figure(etl.get("wall_s")),
                  f"{rows_s.get('median') or 0:,.0f}", fmt_figure(etl.get("peak_mb"), "MiB", 0),
                  fmt_figure(etl.get("cpu_s")), etl.get("error") or f"{etl.get('rows_read') or 0:,} rows read")
        for engine in ("polars", "pyarrow"):
            pr = (plain or {}).get(engine) or {}
            rate = (pr.get("rows") or 0) / pr["wall_s"]["median"] if pr.get("wall_s") else 0
            note = pr.get("error") or (f"{pr.get('csv_files')} CSV ({pr.get('csv_rows', 0):,} rows, "
                                        f"{fmt_figure(pr.get('csv_s'))}), {pr.get('xlsx_files')} XLSX "
                                        f"({pr.get('xlsx_rows', 0):,} rows, {fmt_figure(pr.get('xlsx_s'))}), "
                                        f"{pr.get('sql_sources')} SQL not converted")
            best = " (fastest)" if (plain or {}).get("best") == engine else ""
            t.add_row(f"plain {engine}{best}", fmt_figure(pr.get("wall_s")), f"{rate:,.0f}",
                      fmt_figure(pr.get("peak_mb"), "MiB", 0), fmt_figure(pr.get("cpu_s")), note)
        console.print(t)
    queries = result.get("queries")
    if queries:
        t = Table(title="Query layer (cold = open + first call in a fresh process; warm = further calls in that "
                        "process; uncached = warm with the layer's wh.cached cleared before each call)")
        for col in ("function", "scope", "cold", "warm", "warm uncached", "peak", "rows", "note"):
            t.add_column(col)
        for q in queries:
            note = q.get("error") or ""
            if q.get("missing_columns"):
                note += f" missing columns {q['missing_columns']}"
            t.add_row(q["function"], q["scope"], _ms(q.get("cold_s")), _ms(q.get("warm_s")),
                      _ms(q.get("warm_uncached_s")),
                      fmt_figure(q.get("peak_mb"), "MiB", 0), str(q.get("rows", "—")), note.strip())
        console.print(t)
    pages = result.get("pages")
    if pages:
        t = Table(title="Pages through AppTest (fresh process per repeat)")
        for col in ("page", "app first run", "page first run", "rerun (same)", "rerun after filter", "rerun back",
                    "note"):
            t.add_column(col)
        for p in pages:
            note = p.get("error") or "; ".join(p.get("page_errors") or [])
            t.add_row(p["page"], _ms(p.get("app_first_s")), _ms(p.get("page_first_s")), _ms(p.get("rerun_same_s")),
                      _ms(p.get("rerun_filter_s")), _ms(p.get("rerun_back_s")), note[:120])
        console.print(t)
    up = result.get("upload")
    if up is not None:  # issue 18
        console.print(f"Upload: national build {up['national_build']['wall_s']:.1f} s, floor (minimal, sorted) "
                      f"{up['floor'].get('minimal_sorted_s')} s; preview {up['preview_s']['median']:.2f} s "
                      f"(cold {up.get('preview_cold_s', 0):.2f} s), publish -> visible "
                      f"{up['publish_visible_s']['median']:.2f} s", highlight=False)
    server = result.get("server")
    if server is not None:
        t = Table(title="Dashboard server (streamlit run, every page visited in headless Chromium)")
        for col in ("page", "load until idle", "charts", "errors", "server RSS after"):
            t.add_column(col)
        for p in server.get("pages", []):
            t.add_row(p["url"], f"{p['load_s']:.1f} s", str(p["charts"]),
                      str(p["exceptions"]) + (f" {p['error']}" if p.get("error") else ""), f"{p['rss_mb']:.0f} MiB")
        console.print(t)
        console.print(f"server RSS: idle {server.get('rss_idle_mb', 0):.0f} MiB, after every page "
                      f"{server.get('rss_final_mb', 0):.0f} MiB" + (f" · error: {server['error']}"
                                                                   if server.get("error") else ""))
    tg = result.get("targets") or []
    t = Table(title=f"Targets: {sum(x['met'] for x in tg)} of {len(tg)} met")
    for col in ("target", "figure", "limit", "met"):
        t.add_column(col)
    for x in tg:
        fig = _figure(x)
        t.add_row(x["name"], fig, f"≤ {x['limit']:g} {x['unit']}", "[green]met[/]" if x["met"] else "[red]MISSED[/]")
    console.print(t)


# ---------------------------------------------------------------------------
# Markdown (docs/PERFORMANCE.md and the README's "Performance" section)
# ---------------------------------------------------------------------------


def _md_fig(d: dict | None, unit: str, scale: float = 1.0, digits: int = 0) -> str:
    if not d or d.get("median") is None:
        return "—"
    med, lo, hi = (d[k] * scale for k in ("median", "min", "max"))
    if d["n"] == 1:
        return f"{med:.{digits}f} {unit}"
    return f"{med:.{digits}f} {unit} ({lo:.{digits}f}–{hi:.{digits}f})"


def markdown(result: dict[str, Any]) -> str:
    """The tables of one run as Markdown: machine, ETL, queries, pages, server, targets."""
    m, v = result["machine"], result["machine"]["versions"]
    lines = [f"Command: `{result['command']}` · {result['started_at'][:16].replace('T', ' ')} UTC",
             "",
             f"Machine: {m['cpu_count']} CPUs ({m['cpu_model']}), {m['memory_gb']} GB; python {v['python']}, "
             f"pandas {v['pandas']}, duckdb {v['duckdb']}, pyarrow {v['pyarrow']}, polars {v['polars']}, "
             f"streamlit {v['streamlit']}. Load average {result['loadavg_start'][0]:.1f} at start, "
             f"{result.get('loadavg_end', [0])[0]:.1f} at end (2 cores: above 2, other work shared the CPUs).",
             "",
             f"Repeats: {result['repeats']}. Each figure is the median (min–max) over its repeats; warm query "
             f"figures over {result.get('warm_calls', 7)} calls in one process.", ""]
    etl, plain = result.get("etl"), result.get("plain")
    if etl:
        lines += ["| ETL | wall | rows/s | peak memory | CPU |", "| --- | --- | --- | --- | --- |",
                  f"| `python -m etl build` ({etl.get('rows_read') or 0:,} rows read) "
                  f"| {_md_fig(etl.get('wall_s'), 's', 1, 1)} "
                  f"| {(etl.get('rows_per_s') or {}).get('median') or 0:,.0f} | {_md_fig(etl.get('peak_mb'), 'MiB')} "
                  f"| {_md_fig(etl.get('cpu_s'), 's', 1, 1)} |"]
        for engine in ("polars", "pyarrow"):
            pr = (plain or {}).get(engine) or {}
            if pr.get("wall_s"):
                rate = (pr.get("rows") or 0) / pr["wall_s"]["median"]
                lines.append(f"| plain {engine} (no checks; {pr.get('csv_files')} CSV + {pr.get('xlsx_files')} XLSX) "
                             f"| {_md_fig(pr.get('wall_s'), 's', 1, 1)} | {rate:,.0f} | "
                             f"{_md_fig(pr.get('peak_mb'), 'MiB')} | {_md_fig(pr.get('cpu_s'), 's', 1, 1)} |")
        lines.append("")
    if result.get("queries"):
        lines += ["| query function | scope | cold | warm | warm, layer cache cleared | peak memory | rows |",
                  "| --- | --- | --- | --- | --- | --- | --- |"]
        for q in result["queries"]:
            if q.get("error") and not q.get("cold_s"):
                lines.append(f"| `{q['function']}` | {q['scope']} | error: {q['error'][:80]} | | | | |")
                continue
            lines.append(f"| `{q['function']}` | {q['scope']} | {_md_fig(q.get('cold_s'), 'ms', 1000)} | "
                         f"{_md_fig(q.get('warm_s'), 'ms', 1000)} | {_md_fig(q.get('warm_uncached_s'), 'ms', 1000)} | "
                         f"{_md_fig(q.get('peak_mb'), 'MiB')} | "
                         f"{q.get('rows', '—')} |")
        lines.append("")
    if result.get("pages"):
        lines += ["| page (AppTest) | first run | rerun | rerun after filter change | rerun back |",
                  "| --- | --- | --- | --- | --- |"]
        for p in result["pages"]:
            lines.append(f"| `{p['page']}` | {_md_fig(p.get('page_first_s'), 'ms', 1000)} | "
                         f"{_md_fig(p.get('rerun_same_s'), 'ms', 1000)} | "
                         f"{_md_fig(p.get('rerun_filter_s'), 'ms', 1000)} "
                         f"| {_md_fig(p.get('rerun_back_s'), 'ms', 1000)} |")
        lines.append("")
    server = result.get("server")
    if server:
        visited = ", ".join(f"{p['url'] or '/'} {p['rss_mb']:.0f} MiB" for p in server.get("pages", []))
        lines += [f"Dashboard server RSS: idle {server.get('rss_idle_mb', 0):.0f} MiB; after each page: {visited}; "
                  f"final {server.get('rss_final_mb') or 0:.0f} MiB.", ""]
    tg = result.get("targets") or []
    lines += [f"Targets: {sum(t['met'] for t in tg)} of {len(tg)} met.", "",
              "| target | figure | limit | met |", "| --- | --- | --- | --- |"]
    for t in tg:
        fig = _figure(t)
        lines.append(f"| {t['name']} | {fig} | ≤ {t['limit']:g} {t['unit']} | {'met' if t['met'] else '**missed**'} |")
    return "\n".join(lines) + "\n"
