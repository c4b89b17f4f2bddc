"""The maps at national scope: each map page's rerun (AppTest, the figure built and serialised) and the time
plotly.js takes to draw its map in headless Chromium once the figure has arrived.

    python -m bench.maps worker --page pages/2_cakupan.py   # one page in a fresh process: rerun times, figure
    bench_maps(warehouse, ...)                              # every map page; render times in one Chromium

Render: a loopback page holding plotly.js (the copy in the plotly package, as Streamlit's is not loadable on
its own) draws the figure JSON with the dashboard's config (`topojsonURL` on the same loopback server);
the time is from `Plotly.newPlot` to its promise resolving (base-map fetch included), median of 5 draws.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "dashboard.py"
MAP_PAGES = ("pages/1_ringkasan.py", "pages/2_cakupan.py", "pages/3_rasio.py", "pages/4_kegiatan.py",
             "pages/5_pleno.py")
VIEWS = ("batas", "petak")
CHROMIUM = "/usr/bin/chromium"
DRAWS = 5


def worker(page: str, view: str, timeout: float) -> dict[str, Any]:
    """One map page at national scope in a fresh AppTest session: first run, reruns, the map's figure."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=timeout)
    at.query_params.update({"wilayah": "nasional", "peta": view})
    at.run()
    if page != MAP_PAGES[0]:
        at.switch_page(page).run()
    reruns = []
    for _ in range(3):
        t0 = time.perf_counter()
        at.run()
        reruns.append(time.perf_counter() - t0)
    charts = [c for c in at.get("plotly_chart") if '"choropleth"' in c.proto.spec]
    spec = charts[0].proto.spec if charts else None
    return {"page": page, "view": view, "rerun_s": sorted(reruns)[1], "errors": [str(e.value)[:300] for e in
                                                                                  at.exception],
            "figure": json.loads(spec) if spec else None, "config": json.loads(charts[0].proto.config) if charts
            else None}


_HTML = """<!doctype html><html><head><meta charset="utf-8"><script src="plotly.min.js"></script></head>
<body style="margin:0"><div id="map" style="width:1400px"></div></body></html>"""


_DRAW = """async ([spec, config]) => {
    const fig = JSON.parse(spec), el = document.getElementById('map');
    Plotly.purge(el);
    const t0 = performance.now();
    await Plotly.newPlot(el, fig.data, fig.layout, config);
    return (performance.now() - t0) / 1000;
}"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:  # no access log on the benchmark's console
        pass


def _serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(_Quiet, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def render_times(figures: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """name -> {median_s, min_s, max_s, json_kb}: plotly.js drawing each figure in headless Chromium."""
    import plotly
    from playwright.sync_api import sync_playwright

    from bench.measure import Figure

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "plotly.min.js").write_bytes(
            (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_bytes())
        (folder / "app" / "static").mkdir(parents=True)
        (folder / "app" / "static" / "world_110m.json").write_bytes((ROOT / "static" / "world_110m.json").read_bytes())
        (folder / "index.html").write_text(_HTML, encoding="utf-8")
        httpd, url = _serve(folder)
        out: dict[str, dict[str, Any]] = {}
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=[
                    "--no-sandbox", "--disable-gpu", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"])
                page = browser.new_page(viewport={"width": 1600, "height": 1000})
                page.goto(url + "/index.html")
                for name, item in figures.items():
                    text = json.dumps(item["figure"])
                    times = [page.evaluate(_DRAW, [text, item["config"]]) for _ in range(DRAWS)]
                    out[name] = {**Figure.of(times).to_dict(), "json_kb": round(len(text) / 1024, 1),
                                 "paths": page.locator(".choroplethlayer path").count()}
                browser.close()
        finally:
            httpd.shutdown()
    return out


def bench_maps(warehouse: Path, *, timeout: float = 300, log_dir: Path | None = None, echo: Any = None) -> list[dict]:
    """Per map page and view at national scope: rerun (median of 3 in one fresh process), render, figure size."""
    from bench.measure import run_measured

    records, figures = [], {}
    for page in MAP_PAGES:
        for view in VIEWS:
            log = log_dir / f"map-{Path(page).stem}-{view}" if log_dir else None
            m = run_measured([sys.executable, "-m", "bench.maps", "worker", "--page", page, "--view", view,
                              "--timeout", str(timeout)], env={"PANTAU_WAREHOUSE": str(warehouse)},
                             timeout=timeout * 4, log=log)
            rec: dict[str, Any] = {"page": page, "view": view}
            if m.returncode != 0:
                lines = [ln for ln in m.stderr.strip().splitlines() if ln.strip()]
                rec["error"] = lines[-1][:400] if lines else f"exit {m.returncode}"
            else:
                run = json.loads(m.stdout.strip().splitlines()[-1])
                rec.update(rerun_s=run["rerun_s"], page_errors=run["errors"])
                if run["figure"]:
                    figures[f"{page}|{view}"] = {"figure": run["figure"], "config": run["config"]}
            records.append(rec)
    drawn = render_times(figures) if figures and Path(CHROMIUM).exists() else {}
    for rec in records:
        rec["render"] = drawn.get(f"{rec['page']}|{rec['view']}")
        if echo:
            echo({k: v for k, v in rec.items()})
    return records


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="One map page at national scope through AppTest (bench worker).")
    sub = p.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("worker")
    w.add_argument("--page", required=True)
    w.add_argument("--view", choices=VIEWS, default="batas")
    w.add_argument("--timeout", type=float, default=300)
    args = p.parse_args(argv)
    print(json.dumps(worker(args.page, args.view, args.timeout), default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
