"""Supervision and outreach activities over time, by type and region; sambang pengawasan reach.

Activities are placed by where they happened (region_code). In a per-region breakdown an activity
held at the scope's own level (e.g. at the provinsi itself) appears under the scope's code.
National and provincial questions read the daily per-provinsi aggregate; a kab/kota breakdown reads
the monthly aggregate for whole months and the base table for the partial months at the edges.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from etl.spec import ACTIVITY_TYPES
from pantau.filters import Period, Scope, scope_sql
from pantau.warehouse import Warehouse

#: Every activity type in the order of the template's vocabulary: a type's colour follows from its place here, so it
#: keeps its colour whatever the scope or period.
TYPES: tuple[str, ...] = tuple(ACTIVITY_TYPES)

TREND_COLUMNS = ["period_start", "type", "n", "participants"]
BY_REGION_COLUMNS = ["region_code", "region_name", "type", "n"]
REACH_COLUMNS = ["region_code", "region_name", "desa_total", "desa_reached", "reach"]
LIST_COLUMNS = ["date", "type", "title", "organizer_code", "region_code", "region_name", "participants"]
FREQS = {"D": "day", "W": "week", "M": "month", "Q": "quarter", "Y": "year"}
SAMBANG = "sambang_pengawasan"
_CHILD_LEN = {"provinsi": 2, "kabkota": 5, "kecamatan": 8}


def month_split(period: Period) -> tuple[date, date] | None:
    """[a, b): the whole months inside the period, or None when it holds no whole month."""
    a = period.start if period.start.day == 1 else _next_month(period.start)
    after = period.end + timedelta(days=1)
    b = after if after.day == 1 else date(period.end.year, period.end.month, 1)
    return (a, b) if a < b else None


def _next_month(d: date) -> date:
    return date(d.year + d.month // 12, d.month % 12 + 1, 1)


def _edges(period: Period, split: tuple[date, date] | None) -> tuple[str, list]:
    """Condition on "date" selecting the days of the period not covered by whole months (FALSE when none)."""
    if split is None:
        return '"date" BETWEEN ? AND ?', [period.start, period.end]
    a, b = split
    parts, params = [], []
    if period.start < a:
        parts.append('("date" >= ? AND "date" < ?)')
        params += [period.start, a]
    if b <= period.end:
        parts.append('("date" >= ? AND "date" <= ?)')
        params += [b, period.end]
    return (f"({' OR '.join(parts)})" if parts else "FALSE"), params


def _use_day_agg(wh: Warehouse, scope: Scope) -> bool:
    return scope.level != "kabkota" and wh.has("agg_activity_day_prov")


def _child_expr(scope: Scope) -> str:
    """SQL expression giving the child-region code of an activity's region_code (or the scope's own)."""
    n = _CHILD_LEN[scope.child_level]
    return f"CASE WHEN length(region_code) >= {n} THEN left(region_code, {n}) ELSE region_code END"


def activity_trend(wh: Warehouse, scope: Scope, period: Period, freq: str = "M") -> pd.DataFrame:
    """Activities and participants per time bucket (D, W = Monday, M, Q, Y) and type."""
    if freq not in FREQS:
        raise ValueError(f"unknown freq {freq!r}; expected one of {', '.join(FREQS)}")
    where, params = scope_sql(scope)
    bucket = f"CAST(date_trunc('{FREQS[freq]}', \"date\") AS DATE)"
    if _use_day_agg(wh, scope):
        src, n, p = "agg_activity_day_prov", "sum(n)", "sum(participants)"
    else:
        src, n, p = "activities", "count(*)", "sum(coalesce(participants, 0))"
    df = wh.sql(f"SELECT {bucket} AS period_start, type, CAST({n} AS BIGINT) AS n, "
                f"CAST({p} AS BIGINT) AS participants FROM {src} "
                f"WHERE {where} AND \"date\" BETWEEN ? AND ? GROUP BY ALL ORDER BY period_start, type",
                [*params, period.start, period.end])
    return df[TREND_COLUMNS] if not df.empty else pd.DataFrame(columns=TREND_COLUMNS)


def activity_count(wh: Warehouse, scope: Scope, period: Period) -> int:
    """Number of activities in the scope and period."""
    where, params = scope_sql(scope)
    src, n = ("agg_activity_day_prov", "sum(n)") if _use_day_agg(wh, scope) else ("activities", "count(*)")
    value = wh.scalar(f"SELECT {n} FROM {src} WHERE {where} AND \"date\" BETWEEN ? AND ?",
                      [*params, period.start, period.end])
    return int(value or 0)


def _region_counts(wh: Warehouse, scope: Scope, period: Period) -> pd.DataFrame:
    """region_code (child or scope's own), type, n."""
    where, params = scope_sql(scope)
    if scope.level == "nasional" and wh.has("agg_activity_day_prov"):
        return wh.sql("SELECT provinsi_code AS region_code, type, CAST(sum(n) AS BIGINT) AS n "
                      "FROM agg_activity_day_prov WHERE \"date\" BETWEEN ? AND ? GROUP BY ALL",
                      [period.start, period.end])
    base = f"SELECT {_child_expr(scope)} AS region_code, type, count(*) AS n FROM activities WHERE {where} AND "
    split = month_split(period) if scope.level == "provinsi" and wh.has("agg_activity_month") else None
    if split is None:  # a kab/kota reads its own few rows; a short period reads the base table
        q, allp = base + '"date" BETWEEN ? AND ? GROUP BY ALL', [*params, period.start, period.end]
    else:  # provinsi: whole months from the monthly aggregate, the edge days from the base table
        edge, eparams = _edges(period, split)
        q = (base + edge + " GROUP BY ALL UNION ALL "
             "SELECT coalesce(nullif(kabkota_code, ''), provinsi_code) AS region_code, type, sum(n) AS n "
             f"FROM agg_activity_month WHERE {where} AND month >= ? AND month < ? GROUP BY ALL")
        allp = [*params, *eparams, *params, *split]
    return wh.sql(f"SELECT region_code, type, CAST(sum(n) AS BIGINT) AS n FROM ({q}) GROUP BY ALL", allp)


def kabkota_counts(wh: Warehouse, period: Period) -> pd.Series:
    """Activities in the period per kab/kota of the nation (index region_code): what `activity_by_region`
    gives each kab/kota at provinsi scope, for every province in one query."""
    split = month_split(period) if wh.has("agg_activity_month") else None
    edge, params = _edges(period, split)
    q = f"SELECT left(region_code, 5) AS region_code, count(*) AS n FROM activities WHERE length(region_code) >= 5 " \
        f"AND {edge} GROUP BY ALL"
    if split is not None:
        q += (" UNION ALL SELECT kabkota_code AS region_code, sum(n) AS n FROM agg_activity_month "
              "WHERE coalesce(kabkota_code, '') <> '' AND month >= ? AND month < ? GROUP BY ALL")
        params = [*params, *split]
    df = wh.sql(f"SELECT region_code, CAST(sum(n) AS BIGINT) AS n FROM ({q}) GROUP BY ALL", params)
    return df.set_index("region_code")["n"]


def kabkota_reach(wh: Warehouse, period: Period) -> pd.Series:
    """Sambang reach in the period per kab/kota of the nation (index region_code), as `sambang_reach` gives
    it at provinsi scope (NaN where the region list has no kelurahan/desa)."""
    q, params = _reached_rows(wh, Scope(), period)
    got = wh.sql(f"SELECT left(desa_code, 5) AS region_code, count(DISTINCT desa_code) AS n FROM ({q}) "
                 "GROUP BY ALL", params).set_index("region_code")["n"]
    df = pd.concat([desa_totals(wh, Scope(), 5).rename("total"), got.rename("reached")], axis=1).fillna(0)
    return df["reached"] / df["total"].astype("float64").where(df["total"] > 0)


def activity_by_region(wh: Warehouse, scope: Scope, period: Period) -> pd.DataFrame:
    """Activities per child region of the scope and type."""
    df = _region_counts(wh, scope, period)
    if df.empty:
        return pd.DataFrame(columns=BY_REGION_COLUMNS)
    df["region_name"] = wh.names(df["region_code"])
    return df.sort_values(["region_code", "type"], ignore_index=True)[BY_REGION_COLUMNS]


def activity_daily(wh: Warehouse, scope: Scope, period: Period) -> pd.DataFrame:
    """Activities per day, every day of the period (0 on days without any): for a calendar heatmap."""
    where, params = scope_sql(scope)
    src, n = ("agg_activity_day_prov", "sum(n)") if _use_day_agg(wh, scope) else ("activities", "count(*)")
    df = wh.sql(f"SELECT \"date\", CAST({n} AS BIGINT) AS n FROM {src} WHERE {where} "
                f"AND \"date\" BETWEEN ? AND ? GROUP BY ALL", [*params, period.start, period.end])
    days = pd.date_range(period.start, period.end, freq="D", unit="us")
    out = pd.DataFrame({"date": days})
    out["n"] = out["date"].map(dict(zip(df["date"], df["n"], strict=True))).fillna(0).astype("int64")
    return out


def _reached_rows(wh: Warehouse, scope: Scope, period: Period) -> tuple[str, list]:
    """A SELECT of desa_code (with repeats) reached by sambang pengawasan in the scope and period."""
    where, params = scope_sql(scope)
    split = month_split(period) if wh.has("agg_sambang_desa_month") else None
    edge, eparams = _edges(period, split)
    q = (f"SELECT region_code AS desa_code FROM activities WHERE type = '{SAMBANG}' "
         f"AND length(region_code) > 8 AND {where} AND {edge}")
    allp = [*params, *eparams]
    if split is not None:
        q += f" UNION ALL SELECT desa_code FROM agg_sambang_desa_month WHERE {where} AND month >= ? AND month < ?"
        allp += [*params, *split]
    return q, allp


def _reached(wh: Warehouse, scope: Scope, period: Period, n: int) -> pd.Series:
    """Distinct kelurahan/desa reached by sambang pengawasan in the period, per child code (first n chars)."""
    q, allp = _reached_rows(wh, scope, period)
    df = wh.sql(f"SELECT left(desa_code, {n}) AS region_code, count(DISTINCT desa_code) AS desa_reached "
                f"FROM ({q}) GROUP BY ALL", allp)
    return df.set_index("region_code")["desa_reached"]


def reach_total(wh: Warehouse, scope: Scope, period: Period) -> float:
    """The reach of the TOTAL row of `sambang_reach`: distinct kelurahan/desa reached in the scope and
    period over the kelurahan/desa of the region list in the scope (NaN when there are none)."""
    total = int(desa_totals(wh, scope, _CHILD_LEN[scope.child_level]).sum())
    if total == 0:
        return float("nan")
    q, params = _reached_rows(wh, scope, period)
    return int(wh.scalar(f"SELECT count(DISTINCT desa_code) FROM ({q})", params) or 0) / total


def desa_totals(wh: Warehouse, scope: Scope, n: int) -> pd.Series:
    """Kelurahan/desa in the region list per child code (first n chars), within the scope (cached)."""

    def build() -> pd.Series:
        if wh.has("agg_desa_kecamatan") and n <= 8:  # desa per kecamatan, summed up to the child level
            cond, params = ("", []) if scope.code is None else ("WHERE starts_with(kecamatan_code, ?)",
                                                                [scope.code + "."])
            df = wh.sql(f"SELECT left(kecamatan_code, {n}) AS region_code, CAST(sum(desa) AS BIGINT) AS desa_total "
                        f"FROM agg_desa_kecamatan {cond} GROUP BY ALL", params)
        else:
            cond, params = ("", []) if scope.code is None else ("AND starts_with(code, ?)", [scope.code + "."])
            df = wh.sql(f"SELECT left(code, {n}) AS region_code, count(*) AS desa_total FROM regions "
                        f"WHERE level = 'desa' {cond} GROUP BY ALL", params)
        return df.set_index("region_code")["desa_total"]

    return wh.cached(("desa_totals", scope, n), build)


def sambang_reach(wh: Warehouse, scope: Scope, period: Period) -> pd.DataFrame:
    """Kelurahan/desa reached by sambang pengawasan per child region, and a TOTAL row."""
    n = _CHILD_LEN[scope.child_level]
    df = pd.concat([desa_totals(wh, scope, n), _reached(wh, scope, period, n)], axis=1)
    if df.empty:
        return pd.DataFrame(columns=REACH_COLUMNS)
    df = df.fillna(0).astype("int64").rename_axis("region_code").reset_index().sort_values("region_code")
    tot = pd.DataFrame({"region_code": ["TOTAL"], "desa_total": [df["desa_total"].sum()],
                        "desa_reached": [df["desa_reached"].sum()]})
    df = pd.concat([df, tot], ignore_index=True)
    df["region_name"] = wh.names(df["region_code"])
    df.loc[df["region_code"] == "TOTAL", "region_name"] = wh.region_name(scope.code)
    dt = df["desa_total"].astype("float64")
    df["reach"] = df["desa_reached"] / dt.where(dt > 0)
    return df[REACH_COLUMNS]


def activity_list(wh: Warehouse, scope: Scope, period: Period, limit: int = 500) -> pd.DataFrame:
    """The latest activities in the scope and period (newest first), at most `limit` rows."""
    where, params = scope_sql(scope)
    start = period.start
    if _use_day_agg(wh, scope):  # skip the days older than the newest `limit` activities
        cut = wh.scalar(f"SELECT max(d) FROM (SELECT \"date\" AS d, sum(sum(n)) OVER (ORDER BY \"date\" DESC) AS c "
                        f"FROM agg_activity_day_prov WHERE {where} AND \"date\" BETWEEN ? AND ? GROUP BY \"date\") "
                        "WHERE c >= ?", [*params, period.start, period.end, int(limit)])
        start = max(start, cut.date() if hasattr(cut, "date") else cut) if cut is not None else start
    cols = '"date", type, title, organizer_code, region_code, participants'
    if wh.has("activities"):  # two steps: the row numbers of the newest rows (date column only), then them
        q = (f"SELECT {cols} FROM activities_rn WHERE file_row_number IN (SELECT file_row_number FROM "
             f"activities_rn WHERE {where} AND \"date\" BETWEEN ? AND ? "
             "ORDER BY \"date\" DESC, file_row_number LIMIT ?) ORDER BY \"date\" DESC, activity_id")
    else:
        q = (f"SELECT {cols} FROM activities WHERE {where} AND \"date\" BETWEEN ? AND ? "
             "ORDER BY \"date\" DESC, activity_id LIMIT ?")
    df = wh.sql(q, [*params, start, period.end, int(limit)])
    if df.empty:
        return pd.DataFrame(columns=LIST_COLUMNS)
    df["region_name"] = wh.names(df["region_code"])
    return df[LIST_COLUMNS]
