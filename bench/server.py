"""The dashboard server's resident memory after every page was visited at national scope.

Starts `streamlit run dashboard.py` on 127.0.0.1 (a free port) with PANTAU_WAREHOUSE set, opens the app
in headless Chromium (Playwright, Debian's /usr/bin/chromium), visits every page of the sidebar
navigation in turn and waits until the page has finished running, and reads VmRSS of the server
process and all its children from /proc after each page.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.measure import ROOT, comm, tree_rss_bytes

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
#: Markers of a page that has finished its run: a chart, a table, a metric, an alert.
DONE = ('.js-plotly-plot, [data-testid="stDataFrame"], [data-testid="stMetric"], [data-testid="stAlert"], '
        '[data-testid="stException"]')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_health(port: int, proc: subprocess.Popen, timeout: float = 90) -> float:
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode} before it was healthy")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return time.perf_counter() - t0
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"streamlit not healthy on port {port} after {timeout} s")


_STATE_JS = """() => [
  document.querySelector('[data-testid="stStatusWidget"]') !== null
    || document.querySelector('[data-testid="stSkeleton"]') !== null,
  document.querySelectorAll('[data-testid="stElementContainer"]').length,
  document.querySelectorAll('.js-plotly-plot').length,
  document.querySelectorAll('[data-testid="stException"]').length]"""


def _wait_settled(page: Any, timeout_s: float, quiet_s: float = 1.5) -> None:
    """Wait until the app stops running and the page's elements stop changing for `quiet_s` seconds."""
    page.wait_for_selector(DONE, timeout=timeout_s * 1000)
    deadline = time.perf_counter() + timeout_s
    last, since = None, time.perf_counter()
    while time.perf_counter() < deadline:
        running, *counts = page.evaluate(_STATE_JS)
        if running or counts != last:
            last, since = counts, time.perf_counter()
        elif time.perf_counter() - since >= quiet_s:
            return
        time.sleep(0.25)
    raise TimeoutError(f"page still changing after {timeout_s} s")


def _tree_mb(pid: int) -> tuple[float, dict[str, float]]:
    rss = tree_rss_bytes(pid)
    return sum(rss.values()) / 2**20, {f"{p} {comm(p)}": v / 2**20 for p, v in rss.items()}


def bench_server(warehouse: Path, *, timeout: float = 180, log_dir: Path | None = None, echo: Any = None) -> dict:
    """Start the server, visit every page at national scope; RSS of the server tree after each page."""
    from playwright.sync_api import sync_playwright

    port = free_port()
    env = {**os.environ, "PANTAU_WAREHOUSE": str(warehouse)}
    log = open(log_dir / "server.log", "w") if log_dir else subprocess.DEVNULL  # noqa: SIM115
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard.py"), "--server.address", "127.0.0.1",
           "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    result: dict[str, Any] = {"pages": [], "error": None}
    try:
        result["startup_s"] = _wait_health(port, proc)
        result["rss_idle_mb"], _ = _tree_mb(proc.pid)
        base = f"http://127.0.0.1:{port}"
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(base + "/", timeout=timeout * 1000)
            t0 = time.perf_counter()
            _wait_settled(page, timeout)
            first_s = time.perf_counter() - t0
            hrefs = page.eval_on_selector_all('[data-testid="stSidebarNav"] a',
                                              "els => els.map(e => e.getAttribute('href'))") or []
            for i, href in enumerate(hrefs or ["/"]):
                t0 = time.perf_counter()
                error = None
                try:
                    if i > 0:  # the first link is the page already open; the rest are clicked, one session
                        page.click(f'[data-testid="stSidebarNav"] a[href="{href}"]', timeout=timeout * 1000)
                    _wait_settled(page, timeout)
                except Exception as exc:  # noqa: BLE001 - a page that never settles is a finding, not a crash
                    error = f"{type(exc).__name__}: {str(exc)[:200]}"
                load_s = first_s if i == 0 else time.perf_counter() - t0 - 1.5  # minus the quiet wait
                _, n_el, charts, exceptions = page.evaluate(_STATE_JS)
                rss, _ = _tree_mb(proc.pid)
                # the first link is the app's root ("http://host:port/"): named by its path, not its port
                name = urlsplit(href).path.rstrip("/").rsplit("/", 1)[-1] or "root"
                if log_dir:
                    page.screenshot(path=str(log_dir / f"server-{i}-{name}.png"), full_page=True)
                rec = {"url": href.removeprefix(base), "load_s": load_s, "elements": n_el, "charts": charts,
                       "exceptions": exceptions, "rss_mb": rss, "error": error}
                result["pages"].append(rec)
                if echo:
                    echo(rec)
            browser.close()
        time.sleep(1.0)
        result["rss_final_mb"], result["rss_by_process_mb"] = _tree_mb(proc.pid)
        result["rss_peak_seen_mb"] = max([p["rss_mb"] for p in result["pages"]] + [result["rss_final_mb"]])
    except Exception as exc:  # noqa: BLE001 - reported in the output; the benchmark goes on
        result["error"] = f"{type(exc).__name__}: {str(exc)[:400]}"
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)
        if log is not subprocess.DEVNULL:
            log.close()
    return result
