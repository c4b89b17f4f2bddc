"""Two to five kab/kota side by side on every measure, each against the median of its province.

Measures (long format): fill_rate (all supervisor bodies), fill_rate_<body> for Panwascam, PKD and
PTPS, the three supervisor ratios, activities, sambang_reach, pleno_compliance, pleno_mean_score.
prov_median = the median of the measure over every kab/kota of the same province.
pleno_compliance = weeks held / weeks reported in the period (pantau.pleno); with pleno_mean_score it is NaN
for a kab/kota with no week reported (not reported: not 0 %, and out of the province median).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from pantau import activity, coverage, ratios
from pantau.filters import Period, Scope
from pantau.warehouse import Warehouse

COMPARE_COLUMNS = ["region_code", "region_name", "measure", "value", "prov_median"]
BODY_MEASURES = ("panwaslu_kecamatan", "pkd", "ptps")
MEASURES = [
    "fill_rate", "fill_rate_panwaslu_kecamatan", "fill_rate_pkd", "fill_rate_ptps",
    *ratios.RATIOS, "activities", "sambang_reach", "pleno_compliance", "pleno_mean_score",
]


def _fill_rates(wh: Warehouse, as_of: date, election: str) -> pd.DataFrame:
    """Per kab/kota: fill_rate over its reported bodies, fill_rate_<body> (NaN when unreported there)."""
    def rate(cond: str) -> str:
        return (f"CAST(sum(filled) FILTER (WHERE {cond}) AS DOUBLE) / "
                f"nullif(sum(seats) FILTER (WHERE {cond}), 0)")

    per_body = ", ".join(f"{rate(f'rep AND body = {chr(39)}{b}{chr(39)}')} AS fill_rate_{b}" for b in BODY_MEASURES)
    q = (f"SELECT region_code, {rate('rep')} AS fill_rate, {per_body} FROM "
         f"(SELECT left(group_code, 5) AS region_code, body, seats, filled, units_reported > 0 AS rep "
         f"FROM {coverage.rollup_source(wh, as_of, election)} WHERE length(group_code) >= 5) GROUP BY region_code")
    return coverage.run(wh, q, as_of=as_of, election=election).set_index("region_code")


def kabkota_measures(wh: Warehouse, period: Period, as_of: date, election: str) -> pd.DataFrame:
    """Wide table: one row per kab/kota of the nation (index region_code; column provinsi_code), one column
    per measure, in a few national queries (cached per warehouse, period, as_of and election)."""

    def build() -> pd.DataFrame:
        out = ratios.national_ratios(wh, as_of, election).set_index("region_code")[["provinsi_code", *ratios.RATIOS]]
        out = out.join(_fill_rates(wh, as_of, election))
        out["activities"] = activity.kabkota_counts(wh, period)
        out["activities"] = out["activities"].fillna(0)
        out["sambang_reach"] = activity.kabkota_reach(wh, period)
        # as pleno_compliance: held / reported weeks; a kab/kota with no week reported is NaN, not 0 %
        pl = wh.sql("SELECT region_code, CAST(sum(CAST(held AS INTEGER)) AS DOUBLE) / count(*) AS compliance, "
                    "avg(score) AS mean_score FROM pleno WHERE body = 'bawaslu_kabkota' "
                    "AND week_start BETWEEN ? AND ? GROUP BY ALL", [period.start, period.end]).set_index("region_code")
        out["pleno_compliance"] = pl["compliance"]
        out["pleno_mean_score"] = pl["mean_score"]
        return out[["provinsi_code", *MEASURES]].astype({m: "float64" for m in MEASURES})

    return wh.cached(("kabkota_measures", period, as_of, election), build)


def compare_kabkota(wh: Warehouse, codes: list[str], period: Period, as_of: date, election: str) -> pd.DataFrame:
    """Every measure of each kab/kota in `codes` (kept in the given order) with its province median."""
    for c in codes:
        if Scope.parse(c).level != "kabkota":
            raise ValueError(f"compare_kabkota takes kab/kota codes like '18.01', got {c!r}")
    frames = []
    provs = list(dict.fromkeys(c[:2] for c in codes))
    wide = kabkota_measures(wh, period, as_of, election) if provs else None
    for prov in provs:
        med = wide.loc[wide["provinsi_code"] == prov, MEASURES].median(skipna=True)
        for c in (c for c in codes if c[:2] == prov):
            row = wide.loc[c, MEASURES] if c in wide.index else pd.Series(np.nan, index=MEASURES)
            frames.append(pd.DataFrame({"region_code": c, "measure": MEASURES,
                                        "value": row.reindex(MEASURES).to_numpy(dtype="float64"),
                                        "prov_median": med.reindex(MEASURES).to_numpy(dtype="float64")}))
    if not frames:
        return pd.DataFrame(columns=COMPARE_COLUMNS)
    df = pd.concat(frames, ignore_index=True)
    order = {c: i for i, c in enumerate(dict.fromkeys(codes))}
    df = df.sort_values(["region_code", "measure"], key=lambda s: s.map(order) if s.name == "region_code"
                        else s.map({m: i for i, m in enumerate(MEASURES)}), ignore_index=True)
    df["region_name"] = wh.names(df["region_code"])
    return df[COMPARE_COLUMNS]
