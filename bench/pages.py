"""Time every dashboard page through Streamlit's AppTest: first run, and a rerun after a filter change.

Each (page, repeat) runs in a fresh process (`python -m bench.pages worker --page pages/x.py`), with
PANTAU_WAREHOUSE pointing at the benchmark's warehouse:

- app_first  = the first AppTest run (the default page; opens the warehouse, fills the caches);
- page_first = switch_page(page) + run: the page's first run in that session;
- rerun_same = a rerun with nothing changed;
- rerun_filter = scope Nasional -> Lampung through the sidebar's province selectbox, then run
  (the target figure: new filter values, so the page's cached reads miss);
- rerun_back = Lampung -> Nasional (values seen before: cache hits).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "dashboard.py"
PROVINCE_NAME = "Lampung"
PROVINCE_CODE = "18"
SCOPE_KEYS = ("w_prov", "w_provinsi", "w_scope")


def list_pages(app: Path = APP) -> list[str]:
    """The page files the app registers ("pages/...py" literals in dashboard.py), else pages/*.py."""
    found: list[str] = []
    if app.is_file():
        for m in re.finditer(r"""["'](pages/[^"']+\.py)["']""", app.read_text(encoding="utf-8")):
            if m.group(1) not in found:
                found.append(m.group(1))
    if not found:
        found = sorted(p.relative_to(app.parent).as_posix() for p in (app.parent / "pages").glob("*.py"))
    return found


def _scope_widget(at: Any) -> Any | None:
    """The sidebar selectbox that picks a province: by key first, else the one offering Lampung."""
    boxes = list(at.sidebar.selectbox)
    for key in SCOPE_KEYS:
        for box in boxes:
            if box.key == key:
                return box
    for box in boxes:
        if any(PROVINCE_NAME in str(o) for o in box.options):
            return box
    return None


def _scope_param(at: Any) -> str:
    """The URL parameter that carries the scope: the one whose value is a scope ('nasional' or a code)."""
    for key, value in at.query_params.items():
        if str(value) in ("nasional", "18"):
            return key
    return "scope"


def _set_scope(at: Any, province: bool) -> str:
    """Select Lampung (province=True) or Nasional: the sidebar selectbox when AppTest shows it, else the URL."""
    box = _scope_widget(at)
    if box is None:  # the sidebar's widgets are not in the tree: the URL parameter is the other way in
        key = _scope_param(at)
        at.query_params[key] = PROVINCE_CODE if province else "nasional"
        return f"query_params[{key!r}]"
    options = [str(o) for o in box.options]
    index = next(i for i, o in enumerate(options) if PROVINCE_NAME in o) if province else 0
    box.select_index(index)
    return f"selectbox {box.key or box.label!r}"


def _errors(at: Any) -> list[str]:
    out = [str(e.value)[:300] for e in at.exception]
    out += [f"error: {str(e.value)[:300]}" for e in at.error]
    return out


def worker(page: str, timeout: float) -> dict[str, Any]:
    """One page in a fresh AppTest session; times in seconds."""
    t0 = time.perf_counter()
    from streamlit.testing.v1 import AppTest

    import_s = time.perf_counter() - t0
    at = AppTest.from_file(str(APP), default_timeout=timeout)
    times: dict[str, float] = {}
    t0 = time.perf_counter()
    at.run()
    times["app_first_s"] = time.perf_counter() - t0
    errors = _errors(at)
    default_page = list_pages()[0]
    if page != default_page:
        t0 = time.perf_counter()
        at.switch_page(page).run()
        times["page_first_s"] = time.perf_counter() - t0
    else:
        times["page_first_s"] = times["app_first_s"]
    errors += _errors(at)
    t0 = time.perf_counter()
    at.run()
    times["rerun_same_s"] = time.perf_counter() - t0
    how = _set_scope(at, province=True)
    t0 = time.perf_counter()
    at.run()
    times["rerun_filter_s"] = time.perf_counter() - t0
    errors += _errors(at)
    params = dict(at.query_params)
    if PROVINCE_CODE not in params.values():
        errors.append(f"the filter change did not reach the URL: {params}")
    _set_scope(at, province=False)
    t0 = time.perf_counter()
    at.run()
    times["rerun_back_s"] = time.perf_counter() - t0
    errors += _errors(at)
    return {"page": page, "import_s": import_s, **times, "filter_change": how, "params_after": params,
            "errors": sorted(set(errors)), "elements": len(list(at.main))}


def bench_pages(warehouse: Path, *, repeats: int, timeout: float = 300, log_dir: Path | None = None,
                echo: Any = None) -> list[dict]:
    """One record per page: each figure over `repeats` fresh processes."""
    from bench.measure import Figure, run_measured

    records = []
    for page in list_pages():
        runs, error = [], None
        for rep in range(repeats):
            log = log_dir / f"page-{Path(page).stem}-{rep}" if log_dir else None
            m = run_measured([sys.executable, "-m", "bench.pages", "worker", "--page", page,
                              "--timeout", str(timeout)], env={"PANTAU_WAREHOUSE": str(warehouse)},
                             timeout=timeout * 4, log=log)
            if m.returncode != 0:
                lines = [ln for ln in m.stderr.strip().splitlines() if ln.strip()]
                error = lines[-1][:400] if lines else f"exit {m.returncode}"
                break
            run = json.loads(m.stdout.strip().splitlines()[-1])
            run["peak_mb"] = m.peak_mb
            runs.append(run)
        rec: dict[str, Any] = {"page": page, "repeats": len(runs), "error": error}
        if runs:
            for key in ("app_first_s", "page_first_s", "rerun_same_s", "rerun_filter_s", "rerun_back_s", "peak_mb"):
                rec[key] = Figure.of([r[key] for r in runs]).to_dict()
            rec["filter_change"] = runs[0]["filter_change"]
            rec["params_after"] = runs[0]["params_after"]
            rec["page_errors"] = sorted({e for r in runs for e in r["errors"]})
        if echo:
            echo(rec)
        records.append(rec)
    return records


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="One dashboard page through AppTest in a fresh process (bench worker).")
    sub = p.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("worker")
    w.add_argument("--page", required=True, help="page file relative to dashboard.py, e.g. pages/2_cakupan.py")
    w.add_argument("--timeout", type=float, default=300)
    sub.add_parser("list")
    args = p.parse_args(argv)
    if args.cmd == "list":
        print("\n".join(list_pages()))
        return 0
    print(json.dumps(worker(args.page, args.timeout), default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
