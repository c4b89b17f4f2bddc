"""Two to five kab/kota side by side on every measure, each against the median of its province.

Measures (long format): fill_rate (all supervisor bodies), fill_rate_<body> for Panwascam, PKD and
PTPS, the three supervisor ratios, activities, sambang_reach, pleno_compliance, pleno_mean_score.
prov_median = the median of the measure over every kab/kota of the same province.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from pantau import activity, coverage, pleno, ratios
from pantau.filters import Period, Scope
from pantau.warehouse import Warehouse

COMPARE_COLUMNS = ["region_code", "region_name", "measure", "value", "prov_median"]
MEASURES = [
    "fill_rate", "fill_rate_panwaslu_kecamatan", "fill_rate_pkd", "fill_rate_ptps",
    *ratios.RATIOS, "activities", "sambang_reach", "pleno_compliance", "pleno_mean_score",
]


def province_measures(wh: Warehouse, prov: str, period: Period, as_of: date, election: str) -> pd.DataFrame:
    """Wide table: one row per kab/kota of the province, one column per measure."""
    scope = Scope("provinsi", prov)
    kab = wh.sql("SELECT code FROM regions WHERE level = 'kabkota' AND provinsi_code = ? ORDER BY code",
                 [prov])["code"]
    out = pd.DataFrame(index=pd.Index(kab, name="region_code"))
    fr = coverage.fill_rate(wh, scope, as_of, election)
    fr = fr[fr["region_code"] != prov]
    tot = fr.groupby("region_code")[["seats", "filled"]].sum()
    out["fill_rate"] = tot["filled"] / tot["seats"].where(tot["seats"] > 0)
    for body in ("panwaslu_kecamatan", "pkd", "ptps"):
        out[f"fill_rate_{body}"] = fr[fr["body"] == body].set_index("region_code")["fill_rate"]
    rat = ratios.supervisor_ratios(wh, scope, as_of, election).set_index("region_code")
    for m in ratios.RATIOS:
        out[m] = rat[m]
    act = activity.activity_by_region(wh, scope, period)
    out["activities"] = act.groupby("region_code")["n"].sum()
    out["activities"] = out["activities"].fillna(0)
    reach = activity.sambang_reach(wh, scope, period).set_index("region_code")
    out["sambang_reach"] = reach["reach"]
    comp = pleno.pleno_compliance(wh, scope, period)
    comp = comp[comp["body"] == "bawaslu_kabkota"].set_index("region_code")
    out["pleno_compliance"] = comp["compliance"]
    out["pleno_mean_score"] = comp["mean_score"]
    return out.astype("float64")


def compare_kabkota(wh: Warehouse, codes: list[str], period: Period, as_of: date, election: str) -> pd.DataFrame:
    """Every measure of each kab/kota in `codes` (kept in the given order) with its province median."""
    for c in codes:
        if Scope.parse(c).level != "kabkota":
            raise ValueError(f"compare_kabkota takes kab/kota codes like '18.01', got {c!r}")
    frames = []
    for prov in dict.fromkeys(c[:2] for c in codes):
        wide = province_measures(wh, prov, period, as_of, election)
        med = wide.median(skipna=True)
        for c in (c for c in codes if c[:2] == prov):
            row = wide.loc[c] if c in wide.index else pd.Series(np.nan, index=MEASURES)
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
