"""Supervisor ratios per kab/kota, with the province and national medians and outliers.

voters_per_supervisor = DPT voters / supervisors (members of Bawaslu kab/kota, Panwascam, PKD and
PTPS in the kab/kota); tps_per_pkd = TPS / PKD; desa_per_panwascam = kelurahan/desa / Panwascam
members. A ratio with a zero denominator is NaN (never an outlier). An outlier lies outside the
Tukey fences (Q1 - 1.5 IQR, Q3 + 1.5 IQR) of that ratio over every kab/kota in the nation.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from pantau.coverage import units
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


def national_ratios(wh: Warehouse, as_of: date, election: str) -> pd.DataFrame:
    """The ratio table for every kab/kota in the nation (cached per warehouse, as_of and election)."""

    def build() -> pd.DataFrame:
        kab = wh.sql("SELECT k.code AS region_code, k.name AS region_name, k.provinsi_code, "
                     "count(d.code) AS desa FROM regions k LEFT JOIN regions d "
                     "ON d.level = 'desa' AND d.kabkota_code = k.code WHERE k.level = 'kabkota' "
                     "GROUP BY ALL").set_index("region_code")
        t = wh.sql("SELECT left(desa_code, 5) AS region_code, sum(voters) AS voters, sum(tps) AS tps "
                   "FROM tps WHERE election = ? GROUP BY ALL", [election]).set_index("region_code")
        u = units(wh, as_of, election)
        u = u[u["body"].isin(list(_BODY_COL)) & (u["region_code"].str.len() >= 5)]
        m = (u.assign(region_code=u["region_code"].str[:5], col=u["body"].map(_BODY_COL))
             .pivot_table(index="region_code", columns="col", values="filled", aggfunc="sum"))
        df = kab.join(t).join(m)
        for col in ["voters", "tps", "desa", *_BODY_COL.values()]:
            if col not in df:
                df[col] = 0
            df[col] = df[col].fillna(0).astype("int64")
        df["supervisors"] = df[list(_BODY_COL.values())].sum(axis=1)
        df["voters_per_supervisor"] = _div(df["voters"], df["supervisors"])
        df["tps_per_pkd"] = _div(df["tps"], df["pkd"])
        df["desa_per_panwascam"] = _div(df["desa"], df["panwascam"])
        df = df.reset_index()
        for r_ in RATIOS:
            v = df[r_]
            df[f"{r_}_prov_median"] = df.groupby("provinsi_code")[r_].transform("median")
            df[f"{r_}_national_median"] = v.median()
            q1, q3 = v.quantile(0.25), v.quantile(0.75)
            lo, hi = q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1)
            df[f"{r_}_outlier"] = ((v < lo) | (v > hi)).fillna(False).astype(bool) if v.notna().any() else False
        return df.sort_values("region_code", ignore_index=True)

    return wh.cached(("ratios", as_of, election), build)


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

