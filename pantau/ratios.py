"""Supervisor ratios per kab/kota, with the province and national medians and outliers.

voters_per_supervisor = DPT voters / supervisors (members of Bawaslu kab/kota, Panwascam, PKD and
PTPS in the kab/kota); tps_per_pkd = TPS / PKD; desa_per_panwascam = kelurahan/desa / Panwascam
members. A ratio with a zero denominator is NaN (never an outlier). An outlier lies outside the
Tukey fences (Q1 - 1.5 IQR, Q3 + 1.5 IQR) of that ratio over every kab/kota in the nation.

A body with no member count at all in a kab/kota by as_of was not reported there (as coverage's
`reported`: missing data, not empty seats): its members (pkd, ptps, panwascam) are NaN, not 0, and so
are `supervisors` when any of its four bodies is unreported and every ratio built on them.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from pantau.coverage import sums
from pantau.filters import Scope
from pantau.warehouse import Warehouse

RATIOS = ["voters_per_supervisor", "tps_per_pkd", "desa_per_panwascam"]
RATIO_COLUMNS = [
    "region_code", "region_name", "provinsi_code", "voters", "tps", "desa", "pkd", "ptps", "panwascam",
    "supervisors", *RATIOS,
    *[f"{r}_{s}" for r in RATIOS for s in ("prov_median", "national_median", "outlier")],
]
_BODY_COL = {"bawaslu_kabkota": "kabkota_members", "panwaslu_kecamatan": "panwascam", "pkd": "pkd",
             "ptps": "ptps"}


def _div(a: pd.Series, b: pd.Series) -> pd.Series:
    b = b.astype("float64")
    return a.astype("float64") / b.where(b > 0)


def _inputs(wh: Warehouse, election: str) -> pd.DataFrame:
    """Per kab/kota of the region list: region_name, provinsi_code, desa, voters, tps (index region_code)."""
    if wh.has("agg_kabkota") and wh.has("agg_tps_kabkota"):
        kab = wh.sql("SELECT region_code, region_name, provinsi_code, desa FROM agg_kabkota")
        t = wh.sql("SELECT region_code, voters, tps FROM agg_tps_kabkota WHERE election = ?", [election])
    else:
        kab = wh.sql("SELECT k.code AS region_code, k.name AS region_name, k.provinsi_code, "
                     "count(d.code) AS desa FROM regions k LEFT JOIN regions d "
                     "ON d.level = 'desa' AND d.kabkota_code = k.code WHERE k.level = 'kabkota' GROUP BY ALL")
        t = wh.sql("SELECT left(desa_code, 5) AS region_code, sum(voters) AS voters, sum(tps) AS tps "
                   "FROM tps WHERE election = ? GROUP BY ALL", [election])
    df = kab.set_index("region_code").join(t.set_index("region_code"))
    for col in ("voters", "tps", "desa"):
        df[col] = df[col].fillna(0).astype("int64")
    return df


def members(wh: Warehouse, as_of: date, election: str) -> pd.DataFrame:
    """Members per kab/kota (index) of Bawaslu kab/kota, Panwascam, PKD and PTPS (columns kabkota_members,
    panwascam, pkd, ptps): NaN where that body has no member count at all in the kab/kota (not reported)."""
    s = sums(wh, Scope(), as_of, election, by=5)
    s = s[s["body"].isin(list(_BODY_COL))]
    filled = s["filled"].astype("float64").where(s["units_reported"] > 0)
    wide = (s.assign(col=s["body"].map(_BODY_COL), filled=filled)
            .pivot(index="region_code", columns="col", values="filled"))
    return wide.reindex(columns=list(_BODY_COL.values())).astype("float64")


def national_ratios(wh: Warehouse, as_of: date, election: str) -> pd.DataFrame:
    """The ratio table for every kab/kota in the nation (cached per warehouse, as_of and election)."""

    def build() -> pd.DataFrame:
        df = _inputs(wh, election).join(members(wh, as_of, election))
        cols = list(_BODY_COL.values())
        df[cols] = df[cols].astype("float64")
        df["supervisors"] = df[cols].sum(axis=1, skipna=False)
        df["voters_per_supervisor"] = _div(df["voters"], df["supervisors"])
        df["tps_per_pkd"] = _div(df["tps"], df["pkd"])
        df["desa_per_panwascam"] = _div(df["desa"], df["panwascam"])
        df = df.rename_axis("region_code").reset_index()
        for r_ in RATIOS:
            v = df[r_]
            df[f"{r_}_prov_median"] = df.groupby("provinsi_code")[r_].transform("median")
            df[f"{r_}_national_median"] = v.median()
            df[f"{r_}_outlier"] = tukey_outliers(v)
        return df.sort_values("region_code", ignore_index=True)

    return wh.cached(("ratios", as_of, election), build)


def tukey_outliers(values: pd.Series) -> pd.Series:
    """True where a value lies outside the Tukey fences (Q1 - 1.5 IQR, Q3 + 1.5 IQR) of `values`; NaN is never an
    outlier. The `*_outlier` columns use every kab/kota in the nation; a page can ask it of the ones it shows."""
    v = pd.to_numeric(values, errors="coerce").astype("float64")
    if not v.notna().any():
        return pd.Series(False, index=values.index)
    q1, q3 = v.quantile(0.25), v.quantile(0.75)
    lo, hi = q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1)
    return ((v < lo) | (v > hi)).fillna(False).astype(bool)


def supervisor_ratios(wh: Warehouse, scope: Scope, as_of: date, election: str) -> pd.DataFrame:
    """The ratios of every kab/kota in the scope (medians and outliers against all kab/kota)."""
    df = national_ratios(wh, as_of, election)
    if scope.level == "provinsi":
        df = df[df["provinsi_code"] == scope.code]
    elif scope.level == "kabkota":
        df = df[df["region_code"] == scope.code]
    if df.empty:
        return pd.DataFrame(columns=RATIO_COLUMNS)
    return df[RATIO_COLUMNS].reset_index(drop=True)

