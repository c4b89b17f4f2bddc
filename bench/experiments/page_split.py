"""Where a page's rerun after a filter change goes: query functions, chart building, or the rest.

    PANTAU_WAREHOUSE=bench/out/national/warehouse python bench/experiments/page_split.py [pages/4_kegiatan.py ...]

In this process only, every function of docs/QUERY_API.md and every public function of pantau.charts is
wrapped with a timer (the modules' attributes are replaced before the app is first run, so the pages and
ui/ pick up the wrappers). Then per page: AppTest first run, switch to the page, scope Nasional ->
Lampung through the URL parameter, and the rerun is timed; the time inside query functions and inside
chart builders is subtracted from it. The rest is Streamlit, AppTest, tables, formatting and glue.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.pages import APP, list_pages  # noqa: E402
from bench.queries import load_api  # noqa: E402

SPENT: dict[str, float] = defaultdict(float)
DEPTH = {"n": 0}


def _wrap(name: str, fn):  # noqa: ANN001, ANN202
    @functools.wraps(fn)
    def timed(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        DEPTH["n"] += 1
        t0 = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            DEPTH["n"] -= 1
            if DEPTH["n"] == 0:  # only the outermost call counts (headline calls coverage, ...)
                SPENT[name] += time.perf_counter() - t0
    return timed


def instrument() -> None:
    for call in load_api():
        module = importlib.import_module(f"pantau.{call.module}")
        setattr(module, call.function, _wrap(f"query {call.name}", getattr(module, call.function)))
    charts = importlib.import_module("pantau.charts")
    for name, fn in inspect.getmembers(charts, inspect.isfunction):
        if fn.__module__ == charts.__name__ and not name.startswith("_"):
            setattr(charts, name, _wrap(f"chart {name}", fn))


def main(argv: list[str] | None = None) -> int:
    from streamlit.testing.v1 import AppTest

    instrument()
    pages = (argv if argv is not None else sys.argv[1:]) or list_pages()
    for page in pages:
        at = AppTest.from_file(str(APP), default_timeout=300)
        at.run()
        if page != list_pages()[0]:
            at.switch_page(page).run()
        key = next((k for k, v in at.query_params.items() if str(v) == "nasional"), "wilayah")
        at.query_params[key] = "18"
        SPENT.clear()
        t0 = time.perf_counter()
        at.run()
        total = (time.perf_counter() - t0) * 1000
        q = sum(v for k, v in SPENT.items() if k.startswith("query")) * 1000
        c = sum(v for k, v in SPENT.items() if k.startswith("chart")) * 1000
        top = sorted(SPENT.items(), key=lambda kv: -kv[1])[:4]
        print(f"{page:26s} rerun {total:6.0f} ms = queries {q:5.0f} + charts {c:5.0f} + rest {total - q - c:5.0f}"
              f"  | " + ", ".join(f"{k} {v * 1000:.0f}" for k, v in top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
