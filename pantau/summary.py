"""Ringkasan: headline numbers with the change against the previous period; the worst gaps.

Units of `headline`: "share" (a fraction 0-1, shown as %; change in percentage points / 100),
"count", "score" (0-100). change = value - previous (NaN when either is missing).

fill_rate and units_empty count only the bodies reported in the scope (any member count on or
before the period's end): a body nobody reported (e.g. no PTPS recap at all) is missing data, not
thousands of empty seats. Such bodies are named in the `unreported` column of those two rows
(comma-separated body keys of the current period, "" when none); with nothing reported at all both
figures are NaN. worst_gaps leaves unreported bodies out too.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from pantau import activity, coverage, pleno
from pantau.filters import Period, Scope
from pantau.warehouse import Warehouse

HEADLINE_COLUMNS = ["metric", "value", "previous", "change", "unit", "unreported"]
WORST_GAPS_COLUMNS = ["region_code", "region_name", "body", "seats", "filled", "gap"]
METRICS = {  # metric -> unit, in display order
    "fill_rate": "share", "supervisors": "count", "units_empty": "count", "activities": "count",
    "sambang_reach": "share", "pleno_compliance": "share", "pleno_mean_score": "score",
}
#: Metrics computed over the reported bodies only (the `unreported` column names the others).
REPORTED_ONLY = ("fill_rate", "units_empty")


def _figures(wh: Warehouse, scope: Scope, period: Period, election: str) -> tuple[dict[str, float], list[str]]:
    """The figures of the period, and the bodies with seats that nobody reported in the scope."""
    u = coverage.scoped_units(wh, scope, period.end, election)
    filled = float(u["filled"].sum())
    r = u[coverage.body_reported(u)]
    seats, filled_r = float(r["seats"].sum()), float(r["filled"].sum())
    n_act = activity.activity_count(wh, scope, period)
    reach = activity.sambang_reach(wh, scope, period)
    total = reach[reach["region_code"] == "TOTAL"]["reach"]
    comp = pleno.pleno_compliance(wh, scope, period)
    weeks = comp["weeks_in_period"].sum()
    reported = comp["weeks_reported"].sum()
    mean_score = (comp["mean_score"] * comp["weeks_reported"]).sum() / reported if reported else np.nan
    figures = {
        "fill_rate": filled_r / seats if seats else np.nan,
        "supervisors": filled,
        "units_empty": float(((r["filled"] == 0) & (r["seats"] > 0)).sum()) if len(r) else np.nan,
        "activities": float(n_act),
        "sambang_reach": float(total.iloc[0]) if len(total) else np.nan,
        "pleno_compliance": comp["weeks_held"].sum() / weeks if weeks else np.nan,
        "pleno_mean_score": mean_score,
    }
    return figures, coverage.unreported_bodies(u)


def headline(wh: Warehouse, scope: Scope, period: Period, election: str) -> pd.DataFrame:
    """The headline figures of the scope in the period, the previous period's, and the change."""
    now, unreported = _figures(wh, scope, period, election)
    before, _ = _figures(wh, scope, period.previous(), election)
    note = ",".join(unreported)
    df = pd.DataFrame({"metric": list(METRICS), "value": [now[m] for m in METRICS],
                       "previous": [before[m] for m in METRICS], "unit": list(METRICS.values()),
                       "unreported": [note if m in REPORTED_ONLY else "" for m in METRICS]})
    df["value"] = df["value"].astype("float64")
    df["previous"] = df["previous"].astype("float64")
    df["change"] = df["value"] - df["previous"]
    return df[HEADLINE_COLUMNS]


def worst_gaps(wh: Warehouse, scope: Scope, as_of: date, election: str, n: int = 5) -> pd.DataFrame:
    """The n child regions x bodies with the most unfilled seats (gap = sum of per-unit shortfalls).

    Bodies nobody reported in the scope are left out (missing data, not gaps).
    """
    u = coverage.scoped_units(wh, scope, as_of, election)
    u = u[coverage.body_reported(u)]
    k = coverage.CODE_LEN[scope.child_level]
    u = u[u["region_code"].str.len() >= k]
    if u.empty:
        return pd.DataFrame(columns=WORST_GAPS_COLUMNS)
    df = (u.assign(region_code=u["region_code"].str[:k], gap=(u["seats"] - u["filled"]).clip(lower=0))
          .groupby(["region_code", "body"], as_index=False)[["seats", "filled", "gap"]].sum())
    df["_b"] = df["body"].map(coverage.BODY_ORDER)
    df = df[df["gap"] > 0].sort_values(["gap", "region_code", "_b"], ascending=[False, True, True]).head(n)
    df["region_name"] = wh.names(df["region_code"])
    return df.reset_index(drop=True)[WORST_GAPS_COLUMNS]
