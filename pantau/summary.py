"""Ringkasan: headline numbers with the change against the previous period; the worst gaps.

Units of `headline`: "share" (a fraction 0-1, shown as %; change in percentage points / 100),
"count", "score" (0-100). change = value - previous (NaN when either is missing).

fill_rate and units_empty count only the bodies reported in the scope (any member count on or
before the period's end): a body nobody reported (e.g. no PTPS recap at all) is missing data, not
thousands of empty seats. Such bodies are named in the `unreported` column of those two rows
(comma-separated body keys of the current period, "" when none); with nothing reported at all both
figures are NaN. worst_gaps leaves unreported bodies out too.

At national scope a province is the unit that reports (each sends its own recap of a body): a body a
province sent nothing for is missing data there even when other provinces reported it, and is left out
of fill_rate, units_empty and worst_gaps the same way (coverage.counted_by_body; so is a province with no
PTPS seats, no TPS for the election, beside its PTPS members). The function `unreported` lists each region
x body left out for want of a report; the `unreported` column of the headline only the bodies nobody in
the scope reported.

pleno_compliance and pleno_mean_score (pleno.compliance_totals) count the reported pleno weeks only: a body
or week nobody reported is not reported, not a missed pleno (pleno.not_reported names those bodies).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from pantau import activity, coverage, pleno
from pantau.filters import Period, Scope
from pantau.warehouse import Warehouse

HEADLINE_COLUMNS = ["metric", "value", "previous", "change", "unit", "unreported"]
UNREPORTED_COLUMNS = ["region_code", "region_name", "body", "seats"]
WORST_GAPS_COLUMNS = ["region_code", "region_name", "body", "seats", "filled", "gap"]
METRICS = {  # metric -> unit, in display order
    "fill_rate": "share", "supervisors": "count", "units_empty": "count", "activities": "count",
    "sambang_reach": "share", "pleno_compliance": "share", "pleno_mean_score": "score",
}
#: Metrics computed over the reported bodies only (the `unreported` column names the others).
REPORTED_ONLY = ("fill_rate", "units_empty")


def _figures(wh: Warehouse, scope: Scope, period: Period, election: str) -> tuple[dict[str, float], list[str]]:
    """The figures of the period, and the bodies with seats that nobody reported in the scope."""
    b = coverage.sums(wh, scope, period.end, election)
    rep = b["units_reported"] > 0
    r = b[rep & (b["seats"] > 0)]  # PTPS members without TPS for the election: seats unknown, not 844% filled
    if scope.code is None and rep.any():  # nationally, over the provinces that count for each body
        r = coverage.counted_by_body(coverage.province_sums(wh, period.end, election))
    seats, filled_r = float(r["seats"].sum()), float(r["filled"].sum())
    compliance, mean_score = pleno.compliance_totals(wh, scope, period)
    figures = {
        "fill_rate": filled_r / seats if seats else np.nan,
        "supervisors": float(b["filled"].sum()) if rep.any() else np.nan,  # nobody reported: unknown, not 0
        "units_empty": float(r["units_empty"].sum()) if len(r) else np.nan,
        "activities": float(activity.activity_count(wh, scope, period)),
        "sambang_reach": activity.reach_total(wh, scope, period),
        "pleno_compliance": compliance,
        "pleno_mean_score": mean_score,
    }
    unreported = b.loc[(b["seats"] > 0) & ~rep, "body"]
    return figures, sorted(unreported, key=lambda x: coverage.BODY_ORDER.get(x, len(coverage.BODY_ORDER)))


def unreported(wh: Warehouse, scope: Scope, as_of: date, election: str) -> pd.DataFrame:
    """Region x body with seats but no member count on or before as_of, left out of the headline and worst gaps:
    nationally each province that sent nothing for a body; elsewhere the scope, for each body nobody in it
    reported. Sorted by body, then seats (most first)."""
    if scope.code is None:
        df = coverage.province_sums(wh, as_of, election)
    else:
        df = coverage.sums(wh, scope, as_of, election).assign(region_code=scope.code)
    df = df[(df["seats"] > 0) & (df["units_reported"] == 0)]
    if df.empty:
        return pd.DataFrame(columns=UNREPORTED_COLUMNS)
    df = df.assign(_b=df["body"].map(coverage.BODY_ORDER)).sort_values(["_b", "seats", "region_code"],
                                                                        ascending=[True, False, True])
    df["region_name"] = wh.names(df["region_code"])
    return df.reset_index(drop=True)[UNREPORTED_COLUMNS]


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

    Bodies nobody reported in the scope are left out (missing data, not gaps), and nationally the bodies a
    province sent nothing for.
    """
    bodies = coverage.sums(wh, scope, as_of, election)
    reported = bodies.loc[bodies["units_reported"] > 0, "body"]
    df = coverage.sums(wh, scope, as_of, election, by=coverage.CODE_LEN[scope.child_level])
    df = df[df["body"].isin(reported)].rename(columns={"shortfall": "gap"})
    if scope.code is None:  # the children are provinces: those that do not count for a body are left out
        df = df[coverage.counts(df)]
    if df.empty:
        return pd.DataFrame(columns=WORST_GAPS_COLUMNS)
    df["_b"] = df["body"].map(coverage.BODY_ORDER)
    df = df[df["gap"] > 0].sort_values(["gap", "region_code", "_b"], ascending=[False, True, True]).head(n)
    df["region_name"] = wh.names(df["region_code"])
    return df.reset_index(drop=True)[WORST_GAPS_COLUMNS]
