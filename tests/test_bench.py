"""Smoke tests of the benchmark harness (bench/) at a tiny scale: its parts compute what they claim.

No timing is asserted (the machine is shared); only what the harness reads, counts and decides.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from bench import plain, queries, report
from bench.measure import Figure, fmt_figure, run_measured
from bench.pages import list_pages
from tests.factory import tiny_warehouse

ROOT = Path(__file__).resolve().parent.parent


def test_figure_is_median_with_min_and_max() -> None:
    fig = Figure.of([3.0, 1.0, 2.0, 10.0])
    assert (fig.median, fig.min, fig.max, fig.n) == (2.5, 1.0, 10.0, 4)
    assert Figure.of([]).to_dict() == {"median": None, "min": None, "max": None, "n": 0}
    assert fmt_figure(Figure.of([1.0, 2.0, 4.0])) == "2.00 s (1.00–4.00, n=3)"


def test_parse_api_reads_functions_parameters_and_columns() -> None:
    text = """
| module.function | returns columns |
| --- | --- |
| `coverage.fill_rate(wh, scope, as_of, election, body=None)` (per child region of scope) | region_code, body, seats |
| `quality.rejects(wh, run_id=None)` | run_id, reason |
"""
    calls = queries.parse_api(text)
    assert [c.name for c in calls] == ["coverage.fill_rate", "quality.rejects"]
    assert calls[0].params == ("wh", "scope", "as_of", "election")  # keyword arguments keep their defaults
    assert calls[0].columns == ("region_code", "body", "seats")
    assert calls[0].scoped and not calls[1].scoped
    assert queries.scopes_for(calls[0]) == ["nasional", "18"]
    assert queries.scopes_for(calls[1]) == ["semua"]


def test_every_function_of_the_api_doc_exists_and_gets_arguments() -> None:
    calls = queries.load_api()
    assert "coverage.fill_rate_by_body" in {c.name for c in calls}
    for call in calls:
        module = importlib.import_module(f"pantau.{call.module}")
        assert callable(getattr(module, call.function)), call.name
        assert set(call.params) <= {"wh", "scope", "period", "as_of", "election", "codes"}, call.name


def test_worker_times_cold_and_warm_calls_on_a_tiny_warehouse(tmp_path: Path) -> None:
    root = tiny_warehouse(tmp_path / "wh")
    call = next(c for c in queries.load_api() if c.name == "quality.etl_runs")
    out = queries.worker(str(root), call, "semua", queries.DEFAULT_PERIOD, calls=7)
    assert out["rows"] == 1  # the tiny warehouse holds one ETL run
    assert len(out["warm_s"]) == 7 and len(out["warm_uncached_s"]) == 7
    assert out["cold_s"] >= out["first_call_s"] > 0
    assert out["missing_columns"] == []


def _write(path: Path, text: str, encoding: str) -> None:
    path.write_bytes(text.encode(encoding))


@pytest.mark.parametrize("engine", ["polars", "pyarrow"])
def test_plain_conversion_counts_rows_of_every_csv(tmp_path: Path, engine: str) -> None:
    src = tmp_path / "src"
    src.mkdir()
    _write(src / "kegiatan_a.csv", "id,tanggal,jenis\nA1,20/02/2023,mou\nA2,21/02/2023,mou\nA3,22/02/2023,rakor\n",
           "utf-8")
    _write(src / "kegiatan_b.csv", "id;judul\nB1;Sosialisasi Cémara\nB2;Rapat\n", "cp1252")
    assert plain.sniff(src / "kegiatan_b.csv") == (";", "cp1252")
    assert plain.sniff(src / "kegiatan_b.csv", encoding=False) == (";", None)  # polars: the separator from the head
    stats = plain.convert(src, tmp_path / "out", engine)
    assert (stats["csv_files"], stats["csv_rows"], stats["xlsx_files"]) == (2, 5, 0)
    files = sorted((tmp_path / "out").glob("*.parquet"))
    assert [pq.ParquetFile(f).metadata.num_rows for f in files] == [3, 2]
    if engine == "pyarrow":  # decoded as Windows-1252, not replaced
        assert pq.read_table(files[1]).column("judul").to_pylist() == ["Sosialisasi Cémara", "Rapat"]


def test_run_measured_reports_peak_memory_and_exit_code() -> None:
    m = run_measured([sys.executable, "-c", "b = bytearray(200 * 2**20); b[::4096] = b'x' * len(b[::4096]); "
                      "print('ok')"])
    assert m.returncode == 0 and m.stdout.strip() == "ok"
    assert m.peak_mb >= 200
    assert run_measured([sys.executable, "-c", "raise SystemExit(3)"]).returncode == 3


def test_targets_compare_each_figure_with_its_limit() -> None:
    fig = lambda v: Figure.of([v]).to_dict()  # noqa: E731
    result = {
        "etl": {"wall_s": fig(3.0), "peak_mb": fig(1600.0)},
        "plain": {"best": "polars", "polars": {"wall_s": fig(1.5)}},
        "queries": [{"function": "activity.activity_trend", "scope": "18", "warm_s": fig(0.12), "cold_s": fig(0.25)},
                    {"function": "quality.freshness", "scope": "semua", "error": "boom"}],
        "pages": [{"page": "pages/1_ringkasan.py", "rerun_filter_s": fig(0.3)}],
        "server": {"rss_final_mb": 900.0},
    }
    got = {t["name"]: (t["figure"], t["met"]) for t in report.targets(result)}
    assert got == {
        "ETL build / plain conversion (polars)": (2.0, True),     # 3.0 / 1.5, limit 2x
        "ETL build peak memory": (1600.0, False),                  # limit 1536 MB
        "query warm: activity.activity_trend @ 18": (120.0, False),
        "query cold: activity.activity_trend @ 18": (250.0, True),
        "query warm: quality.freshness @ semua": (None, False),    # no figure: not met
        "query cold: quality.freshness @ semua": (None, False),
        "page rerun after filter change: pages/1_ringkasan.py": (300.0, True),
        "dashboard server memory after every page": (900.0, True),
    }


def test_pages_are_read_from_the_app_in_order(tmp_path: Path) -> None:
    app = tmp_path / "dashboard.py"
    app.write_text('PAGES = [("pages/2_b.py", 1), ("pages/1_a.py", 2)]\nst.Page("pages/2_b.py")\n')
    assert list_pages(app) == ["pages/2_b.py", "pages/1_a.py"]
    assert list_pages(ROOT / "dashboard.py")[0] == "pages/1_ringkasan.py"


def test_cli_runs_one_section_and_writes_json(tmp_path: Path) -> None:
    root = tiny_warehouse(tmp_path / "wh")
    out = tmp_path / "result.json"
    proc = subprocess.run([sys.executable, "bench/run.py", "--scale", "sample", "--only", "query", "--repeat", "1",
                           "--warehouse", str(root), "--functions", "quality.etl_runs", "--out", str(tmp_path / "w"),
                           "--json", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(out.read_text())
    assert [t["name"] for t in result["targets"]] == ["query warm: quality.etl_runs @ semua",
                                                      "query cold: quality.etl_runs @ semua"]
    assert result["machine"]["cpu_count"] >= 1 and result["machine"]["versions"]["duckdb"]
    assert result["queries"][0]["rows"] == 1 and result["queries"][0]["warm_calls"] == 7


def test_load_report_says_met_or_not_for_each_target() -> None:
    from bench import load

    calm = {"lat": [0.2] * 99 + [0.9], "errors": [], "rss": [(t, 300.0) for t in range(0, 90, 10)]}
    text = load.report(calm, 50, 300)
    assert "p95 0.20 s" in text and "max 0.90 s" in text
    assert "p95 <= 1 s: met" in text and "errors == 0: met" in text
    assert "growing (last third within 5% of the middle third): met" in text
    rough = {"lat": [0.2] * 90 + [3.0] * 10, "errors": ["TimeoutError"],
             "rss": [(t, 300.0 + 10 * t) for t in range(0, 90, 10)]}
    text = load.report(rough, 50, 300)
    assert text.count("NOT met") == 3 and "first: TimeoutError" in text


@pytest.mark.browser
def test_load_ws_client_signs_in_and_walks_pages_against_a_real_server(tmp_path: Path) -> None:
    """bench/load.py --client ws at N=2 for 10 s against a real server over the tiny warehouse: both sessions sign
    in through the form and rerun pages without an error; a wrong password is refused (the check can fail)."""
    import asyncio

    from bench import load
    from tests.factory import tiny_warehouse

    servers = load.start_servers(tiny_warehouse(tmp_path / "wh"), tmp_path, "18")
    try:
        urls, pids = [u for _, u in servers], [p.pid for p, _ in servers]
        out = asyncio.run(load.run(urls, pids, 2, 10, "18", "ws", (0.5, 1.0)))

        async def wrong_password() -> None:
            s = load.WsSession(urls[0], "wilayah=18")
            await s.open()
            try:
                await s.rerun()
                await s.sign_in("beban", "not-the-password")
            finally:
                await s.close()

        with pytest.raises(load.RerunError, match="sign-in refused"):
            asyncio.run(wrong_password())
    finally:
        load.stop_servers(servers)
    assert out["signin_failed"] == 0 and out["errors"] == [], out["errors"]
    assert len(out["lat"]) >= 2 + 4 and out["rss"]  # two sign-ins and at least a few reruns after them
