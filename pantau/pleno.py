"""Weekly plenary meetings (pleno rutin mingguan): compliance, scores, outcomes, trend, ranking.

Who evaluates whom: a body's weekly pleno is evaluated by the body above it (a province's sheet covers its
kab/kota, not the province itself), so a body or a week nobody reported is *not reported* (tidak dilaporkan):
missing data, never a week without a pleno, and in no denominator.

compliance of a body = weeks_held / weeks_reported, its weeks reported in the period. A body of the scope
with no reported week in the period is not reported: reported False, compliance and mean_score NaN, rank
<NA> (nullable Int64), listed after the ranked bodies in region_code order; `not_reported` names them.
mean_score = the mean score of the reported weeks. weeks_in_period = the Mondays in the period clipped to the
weeks the pleno table covers (its first to its last week_start): shown for context, in no denominator.
The scope's figures add its reported rows up: compliance = sum of weeks held / sum of weeks reported
(`compliance_totals`, and `pleno_trend` per time bucket), NaN when nothing was reported.
Every Bawaslu kab/kota and provinsi in the scope is listed, reported or not, plus any other body in pleno.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from etl.spec import PLENO_OUTCOMES
from pantau.filters import Period, Scope, scope_sql
from pantau.warehouse import Warehouse

COMPLIANCE_COLUMNS = [
    "region_code", "region_name", "body", "weeks_in_period", "weeks_reported", "weeks_held", "compliance",
    "mean_score", "rank", "reported",
]
NOT_REPORTED_COLUMNS = ["region_code", "region_name", "body"]
WEEKLY_COLUMNS = ["region_code", "region_name", "week_start", "held", "score", "outcome"]
SHARES_COLUMNS = ["outcome", "n", "share"]
TREND_COLUMNS = ["period_start", "compliance", "mean_score"]
_TRUNC = {"W": "week", "M": "month", "Q": "quarter", "Y": "year"}


def covered_period(wh: Warehouse, period: Period) -> tuple[date, date] | None:
    """The period clipped to the weeks the pleno table covers; None when nothing is left."""

    def span() -> tuple[date | None, date | None]:
        row = wh.sql("SELECT min(week_start) AS a, max(week_start) AS b FROM pleno").iloc[0]
        return (None, None) if pd.isna(row["a"]) else (row["a"].date(), row["b"].date())

    first, last = wh.cached(("pleno_span",), span)
    if first is None:
        return None
    start, end = max(period.start, first), min(period.end, last)
    return (start, end) if start <= end else None


def mondays(start: date, end: date) -> int:
    """Number of Mondays in [start, end]."""
    first = start + timedelta(days=(7 - start.weekday()) % 7)
    return 0 if first > end else (end - first).days // 7 + 1


def week_starts(wh: Warehouse, period: Period) -> list[date]:
    """The Mondays of the period within the weeks the pleno table covers: the weeks a heatmap shows, reported
    or not."""
    span = covered_period(wh, period)
    if span is None:
        return []
    first = span[0] + timedelta(days=(7 - span[0].weekday()) % 7)
    return [first + timedelta(weeks=i) for i in range(mondays(*span))]


def expected_bodies(wh: Warehouse, scope: Scope) -> pd.DataFrame:
    """region_code, body of every Bawaslu provinsi and kab/kota in the scope, plus bodies in pleno (cached)."""

    def build() -> pd.DataFrame:
        where, params = scope_sql(scope)
        src = "agg_region_names" if wh.has("agg_region_names") else "regions"  # the same rows, fewer to read
        lv = wh.sql(f"SELECT code, level FROM {src} WHERE level IN ('provinsi', 'kabkota') AND {where} "
                    "ORDER BY code", params)
        exp = pd.DataFrame({"region_code": lv["code"],
                            "body": np.where(lv["level"] == "provinsi", "bawaslu_provinsi", "bawaslu_kabkota")})
        seen = wh.sql(f"SELECT DISTINCT region_code, body FROM pleno WHERE {where}", params)
        return pd.concat([exp, seen]).drop_duplicates(ignore_index=True)

    return wh.cached(("expected_bodies", scope), build)


def compliance_totals(wh: Warehouse, scope: Scope, period: Period) -> tuple[float, float]:
    """The scope's pleno compliance and mean score over the period, as `pleno_compliance` rows add up:
    weeks held / weeks reported (bodies and weeks nobody reported count in neither), and the mean of the
    bodies' mean scores weighted by their reported weeks (both NaN when nothing was reported)."""
    where, params = scope_sql(scope)
    row = wh.sql("SELECT CAST(sum(h) AS BIGINT) AS held, CAST(sum(n) AS BIGINT) AS reported, "
                 "coalesce(sum(m * n), 0) AS weighted FROM (SELECT count(*) AS n, sum(CAST(held AS INTEGER)) AS h, "
                 f"avg(score) AS m FROM pleno WHERE {where} AND week_start BETWEEN ? AND ? GROUP BY region_code, body)",
                 [*params, period.start, period.end]).iloc[0]
    reported = 0 if pd.isna(row["reported"]) else int(row["reported"])
    if not reported:
        return float("nan"), float("nan")
    held = 0 if pd.isna(row["held"]) else int(row["held"])
    return held / reported, float(row["weighted"]) / reported


def _rows(wh: Warehouse, scope: Scope, start: date, end: date, cols: str) -> pd.DataFrame:
    where, params = scope_sql(scope)
    return wh.sql(f"SELECT {cols} FROM pleno WHERE {where} AND week_start BETWEEN ? AND ? "
                  "ORDER BY region_code, week_start", [*params, start, end])


def pleno_compliance(wh: Warehouse, scope: Scope, period: Period) -> pd.DataFrame:
    """Per body: weeks in period, reported, held, compliance (held / reported), mean score, rank (1 = best by
    compliance, then mean score; ties share a rank) and reported; the bodies not reported come last."""
    bodies = expected_bodies(wh, scope)
    if bodies.empty:
        return pd.DataFrame(columns=COMPLIANCE_COLUMNS)
    span = covered_period(wh, period)
    weeks = mondays(*span) if span else 0
    if span:
        where, params = scope_sql(scope)
        agg = wh.sql("SELECT region_code, body, count(*) AS weeks_reported, "
                     "CAST(sum(CAST(held AS INTEGER)) AS BIGINT) AS weeks_held, avg(score) AS mean_score "
                     f"FROM pleno WHERE {where} AND week_start BETWEEN ? AND ? GROUP BY ALL", [*params, *span])
    else:
        agg = pd.DataFrame(columns=["region_code", "body", "weeks_reported", "weeks_held", "mean_score"])
    df = bodies.merge(agg, on=["region_code", "body"], how="left")
    df["weeks_in_period"] = weeks
    for c in ("weeks_reported", "weeks_held"):
        df[c] = df[c].fillna(0).astype("int64")
    df["reported"] = df["weeks_reported"] > 0
    df["mean_score"] = df["mean_score"].astype("float64")
    df["compliance"] = (df["weeks_held"] / df["weeks_reported"]).where(df["reported"]).astype("float64")
    key = (df["compliance"] * 1e6 + df["mean_score"].fillna(-1)).where(df["reported"])
    df["rank"] = key.rank(method="min", ascending=False).astype("Int64")  # NaN key (not reported): <NA>
    df["region_name"] = wh.names(df["region_code"])
    df = df.sort_values(["reported", "rank", "region_code"], ascending=[False, True, True], na_position="last",
                        ignore_index=True)
    return df[COMPLIANCE_COLUMNS]


def not_reported(wh: Warehouse, scope: Scope, period: Period) -> pd.DataFrame:
    """The bodies of the scope with no pleno week reported in the period (region_code, region_name, body), in
    region_code order: left out of every compliance figure, for the pages to name."""
    df = pleno_compliance(wh, scope, period)
    return df.loc[~df["reported"].astype(bool), NOT_REPORTED_COLUMNS].reset_index(drop=True)


def pleno_weekly(wh: Warehouse, scope: Scope, period: Period) -> pd.DataFrame:
    """Every reported week in the scope and period (for the bodies x weeks heatmap)."""
    df = _rows(wh, scope, period.start, period.end, "region_code, body, week_start, held, score, outcome")
    if df.empty:
        return pd.DataFrame(columns=[*WEEKLY_COLUMNS, "body"])
    df["region_name"] = wh.names(df["region_code"])
    return df[[*WEEKLY_COLUMNS, "body"]]


def pleno_outcome_shares(wh: Warehouse, scope: Scope, period: Period) -> pd.DataFrame:
    """Reported weeks per outcome (baik, cukup, kurang, tidak_pleno) and their share."""
    where, params = scope_sql(scope)
    df = wh.sql(f"SELECT coalesce(outcome, '') AS outcome, count(*) AS n FROM pleno WHERE {where} "
                "AND week_start BETWEEN ? AND ? GROUP BY ALL", [*params, period.start, period.end])
    if df.empty:
        return pd.DataFrame(columns=SHARES_COLUMNS)
    order = list(PLENO_OUTCOMES) + sorted(set(df["outcome"]) - set(PLENO_OUTCOMES))
    df = df.set_index("outcome").reindex(order, fill_value=0).rename_axis("outcome").reset_index()
    df["n"] = df["n"].astype("int64")
    df["share"] = df["n"] / df["n"].sum()
    return df[SHARES_COLUMNS]


def pleno_trend(wh: Warehouse, scope: Scope, period: Period, freq: str = "M") -> pd.DataFrame:
    """Compliance (weeks held / weeks reported) and mean score per time bucket (W, M, Q, Y) of the covered
    period; NaN in a bucket nobody reported."""
    if freq not in _TRUNC:
        raise ValueError(f"unknown freq {freq!r}; expected one of {', '.join(_TRUNC)}")
    span = covered_period(wh, period)
    if span is None or expected_bodies(wh, scope).empty:
        return pd.DataFrame(columns=TREND_COLUMNS)
    where, params = scope_sql(scope)
    df = wh.sql(f"SELECT CAST(date_trunc('{_TRUNC[freq]}', week_start) AS DATE) AS period_start, "
                "CAST(sum(CAST(held AS INTEGER)) AS BIGINT) AS held, count(*) AS reported, avg(score) AS mean_score "
                f"FROM pleno WHERE {where} AND week_start BETWEEN ? AND ? GROUP BY ALL", [*params, *span])
    buckets = pd.DataFrame({"period_start": pd.date_range(span[0], span[1], freq="D", unit="us")})
    buckets = buckets[buckets["period_start"].dt.day_of_week == 0]
    if buckets.empty:
        return pd.DataFrame(columns=TREND_COLUMNS)
    start = buckets["period_start"].dt.to_period({"W": "W", "M": "M", "Q": "Q", "Y": "Y"}[freq]).dt.start_time
    out = pd.DataFrame({"period_start": start.drop_duplicates().astype("datetime64[us]")})
    df["period_start"] = df["period_start"].astype("datetime64[us]")
    out = out.merge(df, on="period_start", how="left").sort_values("period_start", ignore_index=True)
    out["compliance"] = (out["held"].astype("float64") / out["reported"].astype("float64")).astype("float64")
    out["mean_score"] = out["mean_score"].astype("float64")
    return out[TREND_COLUMNS]
