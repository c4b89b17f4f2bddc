"""Time every query-layer function of docs/QUERY_API.md, cold and warm, at national scope and one province.

The functions and their arguments are read from the API table in docs/QUERY_API.md, so a function added
there is benchmarked without a change here. Each (function, scope, repeat) runs in a fresh process
(`python -m bench.queries worker ...`):

- cold  = open_warehouse() + the first call (imports done before the clock starts; reported apart);
- warm  = >= 7 further calls in that process with the same arguments (first repeat only), as the app makes
  them: the query layer's own caches (`wh.cached`, e.g. the national units table) stay warm, as in a
  long-running server. This is the target figure;
- warm_uncached = >= 7 more calls, each after clearing the Warehouse's cache (`wh._cache`), so the figure
  is the query work itself (DuckDB's and the OS's caches stay warm): what a call with new arguments
  that the layer's caches do not cover costs;
- peak  = the worker's peak RSS (imports included).
"""

from __future__ import annotations

import argparse
import ast
import importlib
import json
import re
import resource
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
API_DOC = ROOT / "docs" / "QUERY_API.md"
PROVINCE = "18"  # Lampung
#: kab/kota compared at national scope (five provinces) and inside the province (Lampung).
COMPARE_CODES = {"nasional": ["11.01", "18.01", "32.01", "35.01", "74.01"],
                 PROVINCE: ["18.01", "18.02", "18.03", "18.04", "18.71"]}
DEFAULT_PERIOD = "2024-01-01..2024-12-31"
ELECTION = "pemilu_2024"
SCOPE_ARGS = {"scope", "codes"}


@dataclass(frozen=True)
class ApiCall:
    """One row of the API table: module.function, its positional parameter names, documented columns."""

    module: str
    function: str
    params: tuple[str, ...]
    columns: tuple[str, ...] = field(default=())

    @property
    def name(self) -> str:
        return f"{self.module}.{self.function}"

    @property
    def scoped(self) -> bool:
        return bool(SCOPE_ARGS & set(self.params))


def _columns(cell: str) -> tuple[str, ...]:
    cell = re.sub(r"\(.*?\)", "", cell)
    cell = cell.replace("and for each ratio r:", ",")
    # "r_prov_median" etc. stand for one column per ratio: templates, not column names
    return tuple(c.strip() for c in cell.split(",") if re.fullmatch(r"\s*[a-z_]+\s*", c)
                 and not c.strip().startswith("r_"))


def parse_api(text: str) -> list[ApiCall]:
    """Every `module.function(args)` of the API table, in order (keyword arguments with defaults dropped)."""
    calls = []
    for line in text.splitlines():
        m = re.match(r"\|\s*`([a-z_]+)\.([a-z_]+)(\(.*?\))`(.*?)\|(.*)\|\s*$", line)
        if not m:
            continue
        module, function, args, _, cols = m.groups()
        node = ast.parse(f"f{args}", mode="eval").body
        assert isinstance(node, ast.Call)
        params = tuple(a.id for a in node.args if isinstance(a, ast.Name))
        calls.append(ApiCall(module, function, params, _columns(cols)))
    return calls


def load_api(path: Path = API_DOC) -> list[ApiCall]:
    return parse_api(path.read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------
# The worker: one fresh process, one function, one scope
# ---------------------------------------------------------------------------


def _arguments(call: ApiCall, wh: Any, scope_key: str, period_text: str) -> list[Any]:
    from pantau.filters import Period, Scope

    period = Period.parse(period_text)
    scope = Scope.parse(scope_key) if call.scoped and "scope" in call.params else None
    values = {"wh": wh, "scope": scope, "period": period, "as_of": period.end, "election": ELECTION,
              "codes": COMPARE_CODES.get(scope_key, COMPARE_CODES["nasional"])}
    missing = [p for p in call.params if p not in values]
    if missing:
        raise ValueError(f"{call.name}: no benchmark value for parameter(s) {missing}")
    return [values[p] for p in call.params]


def _clear(wh: Any) -> None:
    cache = getattr(wh, "_cache", None)
    if isinstance(cache, dict):
        cache.clear()


def worker(warehouse: str, call: ApiCall, scope_key: str, period: str, calls: int) -> dict[str, Any]:
    """Cold call, then `calls` warm calls; every time in seconds."""
    t0 = time.perf_counter()
    from pantau.warehouse import open_warehouse

    fn = getattr(importlib.import_module(f"pantau.{call.module}"), call.function)
    import_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    wh = open_warehouse(warehouse)
    open_s = time.perf_counter() - t0
    args = _arguments(call, wh, scope_key, period)
    t1 = time.perf_counter()
    result = fn(*args)
    first_s = time.perf_counter() - t1
    cold_s = time.perf_counter() - t0
    warm, uncached = [], []
    for _ in range(calls):
        t1 = time.perf_counter()
        fn(*args)
        warm.append(time.perf_counter() - t1)
    for _ in range(calls):
        _clear(wh)
        t1 = time.perf_counter()
        fn(*args)
        uncached.append(time.perf_counter() - t1)
    cols = [str(c) for c in getattr(result, "columns", [])]
    return {"function": call.name, "scope": scope_key, "import_s": import_s, "open_s": open_s,
            "first_call_s": first_s, "cold_s": cold_s, "warm_s": warm, "warm_uncached_s": uncached,
            "rows": int(len(result)) if result is not None else 0,
            "missing_columns": [c for c in call.columns if c not in cols],
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


# ---------------------------------------------------------------------------
# The orchestration: every function x scope x repeat, each in its own process
# ---------------------------------------------------------------------------


def scopes_for(call: ApiCall) -> list[str]:
    """National and the province for scoped functions; one run ('semua') for scope-free ones."""
    return ["nasional", PROVINCE] if call.scoped else ["semua"]


def bench_queries(warehouse: Path, *, repeats: int, warm_calls: int = 7, period: str = DEFAULT_PERIOD,
                  log_dir: Path | None = None, only: list[str] | None = None, echo: Any = None) -> list[dict]:
    """One record per (function, scope): cold over `repeats` fresh processes, warm from the first."""
    from bench.measure import Figure, run_measured

    records = []
    for call in load_api():
        if only and call.name not in only:
            continue
        for scope in scopes_for(call):
            runs, errors = [], []
            for rep in range(repeats):
                cmd = [sys.executable, "-m", "bench.queries", "worker", "--warehouse", str(warehouse),
                       "--function", call.name, "--scope", scope, "--period", period,
                       "--calls", str(warm_calls if rep == 0 else 0)]
                log = log_dir / f"query-{call.name}-{scope}-{rep}" if log_dir else None
                m = run_measured(cmd, timeout=600, log=log)
                if m.returncode != 0:
                    errors.append(_last_error(m.stderr))
                    break
                runs.append(json.loads(m.stdout.strip().splitlines()[-1]))
            rec: dict[str, Any] = {"function": call.name, "scope": scope, "repeats": len(runs), "error": None}
            if errors:
                rec["error"] = errors[0]
            if runs:
                warm = runs[0]["warm_s"]
                rec.update({
                    "cold_s": Figure.of([r["cold_s"] for r in runs]).to_dict(),
                    "open_s": Figure.of([r["open_s"] for r in runs]).to_dict(),
                    "import_s": Figure.of([r["import_s"] for r in runs]).to_dict(),
                    "warm_s": Figure.of(warm).to_dict(),
                    "warm_uncached_s": Figure.of(runs[0]["warm_uncached_s"]).to_dict(),
                    "warm_calls": len(warm),
                    "peak_mb": Figure.of([r["peak_mb"] for r in runs]).to_dict(),
                    "rows": runs[0]["rows"],
                    "missing_columns": runs[0]["missing_columns"],
                })
            if echo:
                echo(rec)
            records.append(rec)
    return records


def _last_error(stderr: str) -> str:
    lines = [ln for ln in stderr.strip().splitlines() if ln.strip()]
    return lines[-1][:400] if lines else "worker failed without a message"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="One query-layer function in a fresh process (bench worker).")
    sub = p.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("worker")
    w.add_argument("--warehouse", required=True)
    w.add_argument("--function", required=True, help="module.function as in docs/QUERY_API.md")
    w.add_argument("--scope", default="nasional")
    w.add_argument("--period", default=DEFAULT_PERIOD)
    w.add_argument("--calls", type=int, default=7)
    sub.add_parser("list")
    args = p.parse_args(argv)
    if args.cmd == "list":
        for call in load_api():
            print(call.name, call.params, "scopes:", scopes_for(call))
        return 0
    call = next((c for c in load_api() if c.name == args.function), None)
    if call is None:
        raise SystemExit(f"{args.function} is not in {API_DOC}")
    print(json.dumps(worker(args.warehouse, call, args.scope, args.period, args.calls), default=str))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
