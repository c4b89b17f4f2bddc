"""Coverage at national scale: the current pandas path against the same answer computed in DuckDB.

    python bench/experiments/coverage_sql.py [WAREHOUSE] [--calls 7]

Current: pantau.coverage.fill_rate_by_body / fill_rate / gaps build the national `units` frame (every
region x body, ~175k rows) in DuckDB, pull it into pandas, then filter the scope with string ops and
group in pandas. Proposed: one SQL per question with the scope filter and the grouping inside DuckDB,
over a `units` TEMP TABLE materialised once per (as_of, election) in the Warehouse's connection
(the warm state of a long-running server), or straight from the Parquet aggregates (cold).
Each variant is checked to give the same numbers as the current function before it is timed.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from bench.measure import timed  # noqa: E402
from pantau import coverage  # noqa: E402
from pantau.filters import Scope  # noqa: E402
from pantau.warehouse import open_warehouse  # noqa: E402

AS_OF, ELECTION = date(2024, 12, 31), "pemilu_2024"
SCOPES = [Scope(), Scope("provinsi", "18")]
CODE_LEN = {"provinsi": 2, "kabkota": 5, "kecamatan": 8}


def scope_cond(scope: Scope, col: str = "region_code") -> str:
    """Prefix condition on a code column as a range (prunes row groups of a code-sorted file)."""
    if scope.code is None:
        return "TRUE"
    return f"({col} = '{scope.code}' OR ({col} >= '{scope.code}.' AND {col} < '{scope.code}/'))"


def units_sql(wh, scope: Scope) -> str:  # noqa: ANN001
    cond = scope_cond(scope)
    return f"""
    WITH a AS (SELECT region_code, body, seats FROM agg_unit_seats
               WHERE election = CASE WHEN body = 'ptps' THEN $election ELSE '' END AND {cond}),
    f AS (SELECT region_code, body, sum(c) AS filled FROM (
            SELECT region_code, body, role, arg_max("count", as_of) AS c FROM agg_personnel_members
            WHERE as_of <= $as_of AND {cond} GROUP BY ALL) GROUP BY ALL)
    SELECT region_code, body, CAST(coalesce(a.seats, 0) AS BIGINT) AS seats,
           CAST(coalesce(f.filled, 0) AS BIGINT) AS filled
    FROM a FULL OUTER JOIN f USING (region_code, body)"""


def by_body_sql(src: str) -> str:
    return (f"SELECT body, sum(seats) AS seats, sum(filled) AS filled FROM {src} GROUP BY body")


def fill_rate_sql(src: str, n: int) -> str:
    return (f"SELECT left(region_code, {n}) AS region_code, body, sum(seats) AS seats, sum(filled) AS filled "
            f"FROM {src} WHERE length(region_code) >= {n} GROUP BY ALL")


def gaps_sql(src: str) -> str:
    return f"SELECT region_code, body, seats, filled FROM {src} WHERE filled <> seats"


def same(a: pd.DataFrame, b: pd.DataFrame, keys: list[str]) -> bool:
    cols = [*keys, "seats", "filled"]
    a = a[cols].sort_values(keys, ignore_index=True).astype({"seats": "int64", "filled": "int64"})
    b = b[cols].sort_values(keys, ignore_index=True).astype({"seats": "int64", "filled": "int64"})
    return a.astype(str).equals(b.astype(str))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("warehouse", nargs="?", default=str(ROOT / "bench/out/national/warehouse"))
    p.add_argument("--calls", type=int, default=7)
    args = p.parse_args(argv)
    wh = open_warehouse(args.warehouse)
    params = {"as_of": AS_OF, "election": ELECTION}
    print(f"{'question':28s} {'scope':9s} {'variant':34s} {'median':>8s} {'min':>7s} {'max':>7s}  same")
    t0 = time.perf_counter()
    wh._cursor().execute("CREATE OR REPLACE TEMP TABLE units_mat AS " + units_sql(wh, Scope()), params)
    mat_ms = (time.perf_counter() - t0) * 1000
    print(f"materialise units TEMP TABLE once per (as_of, election): {mat_ms:.0f} ms")
    for scope in SCOPES:
        n = CODE_LEN[scope.child_level]
        cond = scope_cond(scope)
        cases = {
            "fill_rate_by_body": (lambda s=scope: coverage.fill_rate_by_body(wh, s, AS_OF, ELECTION), by_body_sql,
                                  ["body"]),
            "fill_rate": (lambda s=scope: coverage.fill_rate(wh, s, AS_OF, ELECTION),
                          lambda src, n=n: fill_rate_sql(src, n), ["region_code", "body"]),
            "gaps": (lambda s=scope: coverage.gaps(wh, s, AS_OF, ELECTION), gaps_sql, ["region_code", "body"]),
        }
        for name, (current, make_sql, keys) in cases.items():
            def cur(current=current):  # noqa: ANN001, ANN202
                wh._cache.clear()
                return current()

            med, lo, hi, ref = timed(cur, args.calls)
            print(f"{name:28s} {scope.param:9s} {'current (cache cleared)':34s} {med:8.1f} {lo:7.1f} {hi:7.1f}")
            med, lo, hi, _ = timed(current, args.calls)
            print(f"{name:28s} {scope.param:9s} {'current (units cached in wh)':34s} {med:8.1f} {lo:7.1f} {hi:7.1f}")
            sql_direct = make_sql(f"({units_sql(wh, scope)})")
            med, lo, hi, out = timed(lambda q=sql_direct: wh.sql(q, params), args.calls)
            print(f"{name:28s} {scope.param:9s} {'SQL from Parquet aggregates':34s} {med:8.1f} {lo:7.1f} {hi:7.1f}  "
                  f"{same(ref, out, keys)}")
            sql_mat = make_sql(f"(SELECT * FROM units_mat WHERE {cond})")
            med, lo, hi, out = timed(lambda q=sql_mat: wh.sql(q), args.calls)
            print(f"{name:28s} {scope.param:9s} {'SQL over materialised units':34s} {med:8.1f} {lo:7.1f} {hi:7.1f}  "
                  f"{same(ref, out, keys)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
