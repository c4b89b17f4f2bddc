"""N concurrent dashboard sessions for a bounded time: each signs in with a provinsi account and changes filters
on several pages; prints per-rerun latency (median, p95, max), errors and the server's memory over time, each target
met or not.

    python bench/load.py --warehouse data/warehouse --sessions 50 --duration 300

How: one headless Chromium (Playwright, /usr/bin/chromium) with N browser contexts, one page each, all driven from
one asyncio loop. Streamlit's websocket protocol (protobuf BackMsg/ForwardMsg, session and widget state kept by
the client) is not a stable public API; a real browser page speaks it exactly as users do. The cost: the browsers
share the machine's cores with the server, so the latencies are an upper bound of what the server alone gives.
A "rerun" is a click that reruns the page script (the language toggle, which redraws every title, or a page
switch), timed from the click until the page's title shows the expected text. Loopback only: the server is
started here on 127.0.0.1 with a scratch accounts file and audit log.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.measure import tree_rss_bytes  # noqa: E402
from bench.server import CHROMIUM, CHROMIUM_ARGS, free_port  # noqa: E402
from pantau import accounts  # noqa: E402

PASSWORD = "beban-uji-panjang-1"
#: (url path, title in Indonesian, title in English): the pages each session walks.
PAGES = [("", "Ringkasan", "Summary"), ("cakupan", "Cakupan wilayah", "Regional coverage"),
         ("kegiatan", "Kegiatan", "Activities"), ("pleno", "Evaluasi pleno", "Pleno evaluation")]
TARGET_P95_S, TARGET_ERRORS = 1.0, 0


def start_server(warehouse: Path, scratch: Path, province: str) -> tuple[subprocess.Popen, str]:
    """`streamlit run dashboard.py` on 127.0.0.1 with one provinsi account 'beban' (scope `province`)."""
    users = scratch / "users.json"
    accounts.add("beban", "provinsi", province, PASSWORD, path=users)
    port = free_port()
    env = {**os.environ, "PANTAU_WAREHOUSE": str(warehouse), "PANTAU_USERS": str(users),
           "PANTAU_AUDIT": str(scratch / "audit.jsonl")}
    log = open(scratch / "streamlit.log", "wb")  # noqa: SIM115 (open for the server's life)
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.address",
                             "127.0.0.1", "--server.port", str(port), "--server.headless", "true",
                             "--browser.gatherUsageStats", "false"], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(400):
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=1):
                return proc, url
        except OSError:
            time.sleep(0.25)
    proc.kill()
    raise RuntimeError("the server did not start: " + (scratch / "streamlit.log").read_text(errors="replace")[-2000:])


async def _title(page, text: str, timeout_s: float) -> None:  # noqa: ANN001
    await page.get_by_role("heading", name=text, exact=True).first.wait_for(timeout=timeout_s * 1000)


async def session(browser, url: str, province: str, stop_at: float, out: dict) -> None:  # noqa: ANN001
    """One user: sign in, then until `stop_at` walk the pages, toggling the language on each (two reruns)."""
    ctx = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await ctx.new_page()
    try:
        await page.goto(f"{url}/?wilayah={province}", wait_until="domcontentloaded", timeout=120_000)
        await page.get_by_label("Nama akun").fill("beban", timeout=120_000)
        await page.get_by_label("Kata sandi").fill(PASSWORD)
        await page.get_by_role("button", name="Masuk").click()
        await _title(page, "Ringkasan", 120)
        i = 0
        while time.monotonic() < stop_at:
            path, title_id, title_en = PAGES[i % len(PAGES)]
            i += 1
            steps = ((page.get_by_role("link", name=title_id, exact=True), title_id),
                     (page.get_by_text("English", exact=True), title_en),
                     (page.get_by_text("Bahasa Indonesia", exact=True), title_id))
            for target, want in steps:
                t0 = time.perf_counter()
                try:
                    await target.first.click(timeout=30_000)
                    await _title(page, want, 30)
                    out["lat"].append(time.perf_counter() - t0)
                except Exception as exc:  # a timeout or a vanished element: counted, the session goes on
                    out["errors"].append(f"{type(exc).__name__}: {str(exc)[:120]}")
                    await page.goto(f"{url}/{path}?wilayah={province}", wait_until="domcontentloaded")
            if await page.locator('[data-testid="stException"]').count():
                out["errors"].append("exception box shown")
    except Exception as exc:  # sign-in failed: the whole session is an error
        out["errors"].append(f"session: {type(exc).__name__}: {str(exc)[:120]}")
    finally:
        await ctx.close()


async def sample_rss(pid: int, stop_at: float, every: float, out: list[tuple[float, float]]) -> None:
    t0 = time.monotonic()
    while time.monotonic() < stop_at + 2:
        out.append((time.monotonic() - t0, sum(tree_rss_bytes(pid).values()) / 2**20))
        await asyncio.sleep(every)


async def run(url: str, pid: int, n: int, duration: float, province: str) -> dict:
    from playwright.async_api import async_playwright

    out: dict = {"lat": [], "errors": [], "rss": []}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        stop_at = time.monotonic() + duration
        rss = asyncio.create_task(sample_rss(pid, stop_at, 10, out["rss"]))
        await asyncio.gather(*(session(browser, url, province, stop_at, out) for _ in range(n)))
        await rss
        await browser.close()
    return out


def report(out: dict, n: int, duration: float) -> str:
    """The figures and whether each target is met."""
    lat = sorted(out["lat"])
    p95 = lat[min(len(lat) - 1, int(0.95 * len(lat)))] if lat else float("nan")
    lines = [f"sessions {n}, {duration:.0f} s, {len(lat)} reruns timed",
             f"rerun latency: median {statistics.median(lat) if lat else float('nan'):.2f} s, p95 {p95:.2f} s, "
             f"max {lat[-1] if lat else float('nan'):.2f} s",
             f"errors: {len(out['errors'])}" + (f" (first: {out['errors'][0]})" if out["errors"] else "")]
    rss = out["rss"]
    lines.append("server RSS (MiB) over time: " + ", ".join(f"{t:.0f}s {m:.0f}" for t, m in rss))
    third = max(1, len(rss) // 3)
    growing = bool(rss) and max(m for _, m in rss[-third:]) > 1.05 * max(m for _, m in rss[third:2 * third] or rss)
    lines += [f"target p95 <= {TARGET_P95_S:.0f} s: {'met' if p95 <= TARGET_P95_S else 'NOT met'}",
              f"target errors == 0: {'met' if len(out['errors']) == TARGET_ERRORS else 'NOT met'}",
              f"target memory stops growing (last third within 5% of the middle third): "
              f"{'NOT met' if growing else 'met'}"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--warehouse", type=Path, required=True)
    ap.add_argument("--sessions", type=int, default=50)
    ap.add_argument("--duration", type=float, default=300, help="seconds of load after the sessions start")
    ap.add_argument("--province", default="18")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="pantau-load-") as scratch:
        proc, url = start_server(args.warehouse, Path(scratch), args.province)
        try:
            out = asyncio.run(run(url, proc.pid, args.sessions, args.duration, args.province))
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    print(report(out, args.sessions, args.duration))
    return 0


if __name__ == "__main__":
    sys.exit(main())
