"""Supervisor ratios at national scale: pantau.ratios.national_ratios against one DuckDB query.

    python bench/experiments/ratios_sql.py [WAREHOUSE] [--calls 7]

Current: a regions self-join for desa per kab/kota, a tps group-by, the national `units` frame pulled
into pandas and pivoted with pivot_table, then medians and fences in pandas. Proposed: the counts per
kab/kota in one SQL (desa from regions.kabkota_code, voters/TPS from tps, members per body with
sum(...) FILTER from the unit aggregates), the medians and Tukey fences with quantile_cont in the same
query. Checked against the current frame before timing.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from bench.measure import timed  # noqa: E402
from pantau import ratios  # noqa: E402
from pantau.warehouse import open_warehouse  # noqa: E402

AS_OF, ELECTION = date(2024, 12, 31), "pemilu_2024"

SQL = """
WITH k AS (SELECT code AS region_code, name AS region_name, provinsi_code FROM regions WHERE level = 'kabkota'),
d AS (SELECT kabkota_code AS region_code, count(*) AS desa FROM regions WHERE level = 'desa' GROUP BY ALL),
t AS (SELECT kabkota_code AS region_code, sum(voters) AS voters, sum(tps) AS tps FROM tps
      WHERE election = $election GROUP BY ALL),
f AS (SELECT region_code, body, sum(c) AS filled FROM (
        SELECT region_code, body, role, arg_max("count", as_of) AS c FROM agg_personnel_members
        WHERE as_of <= $as_of AND body IN ('bawaslu_kabkota', 'panwaslu_kecamatan', 'pkd', 'ptps')
        GROUP BY ALL) GROUP BY ALL),
m AS (SELECT left(region_code, 5) AS region_code,
             sum(filled) FILTER (body = 'bawaslu_kabkota') AS kabkota_members,
             sum(filled) FILTER (body = 'panwaslu_kecamatan') AS panwascam,
             sum(filled) FILTER (body = 'pkd') AS pkd, sum(filled) FILTER (body = 'ptps') AS ptps
      FROM f WHERE length(region_code) >= 5 GROUP BY ALL),
r AS (SELECT k.*, coalesce(voters, 0) AS voters, coalesce(tps, 0) AS tps, coalesce(desa, 0) AS desa,
             coalesce(pkd, 0) AS pkd, coalesce(ptps, 0) AS ptps, coalesce(panwascam, 0) AS panwascam,
             coalesce(kabkota_members, 0) + coalesce(panwascam, 0) + coalesce(pkd, 0) + coalesce(ptps, 0)
               AS supervisors
      FROM k LEFT JOIN d USING (region_code) LEFT JOIN t USING (region_code) LEFT JOIN m USING (region_code)),
x AS (SELECT *, voters / nullif(supervisors, 0) AS voters_per_supervisor, tps / nullif(pkd, 0) AS tps_per_pkd,
             desa / nullif(panwascam, 0) AS desa_per_panwascam FROM r)
SELECT *,
  median(voters_per_supervisor) OVER (PARTITION BY provinsi_code) AS voters_per_supervisor_prov_median,
  median(voters_per_supervisor) OVER () AS voters_per_supervisor_national_median,
  median(tps_per_pkd) OVER (PARTITION BY provinsi_code) AS tps_per_pkd_prov_median,
  median(tps_per_pkd) OVER () AS tps_per_pkd_national_median,
  median(desa_per_panwascam) OVER (PARTITION BY provinsi_code) AS desa_per_panwascam_prov_median,
  median(desa_per_panwascam) OVER () AS desa_per_panwascam_national_median
FROM x ORDER BY region_code
"""


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("warehouse", nargs="?", default=str(ROOT / "bench/out/national/warehouse"))
    p.add_argument("--calls", type=int, default=7)
    args = p.parse_args(argv)
    wh = open_warehouse(args.warehouse)

    def current():  # noqa: ANN202
        wh._cache.clear()
        return ratios.national_ratios(wh, AS_OF, ELECTION)

    med, lo, hi, ref = timed(current, args.calls)
    print(f"current national_ratios (cache cleared)  {med:7.1f} ms ({lo:.1f}–{hi:.1f})")
    med, lo, hi, out = timed(lambda: wh.sql(SQL, {"as_of": AS_OF, "election": ELECTION}), args.calls)
    cols = ["region_code", "voters", "tps", "desa", "pkd", "ptps", "panwascam", "supervisors", *ratios.RATIOS,
            *[f"{r}_{s}" for r in ratios.RATIOS for s in ("prov_median", "national_median")]]
    same = all(np.allclose(ref[c].astype("float64"), out[c].astype("float64"), equal_nan=True)
               if c != "region_code" else (ref[c].to_numpy() == out[c].to_numpy()).all() for c in cols)
    print(f"proposed single DuckDB query            {med:7.1f} ms ({lo:.1f}–{hi:.1f})  same numbers: {same}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
