"""Fill rate (filled / mandated seats) per body and region, and the gaps.

A *unit* is one body in one region (e.g. the PKD of one desa). Seats come from the `seats`
table; a kecamatan or desa missing there gets what the law mandates (3 Panwascam, 1 PKD) and a
desa's PTPS seats default to its TPS count for the election. Filled = the latest member count
(ketua + anggota) per region, body and role on or before `as_of`. Overfilled units are kept:
they are the data mismatches the dashboard must show.

*Reported*: a body with no personnel row at all in the scope (on or before `as_of`) was not
reported, which is not the same as empty: `reported` is False for it in `fill_rate_by_body`,
`fill_rate` (per child region) and `gaps`, and the summary leaves it out of its headline figures.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from etl import codes as code_shape
from etl.spec import ELECTIONS, MEMBER_ROLES, SUPERVISOR_BODIES
from pantau.filters import Scope
from pantau.warehouse import Warehouse

BY_BODY_COLUMNS = ["body", "seats", "filled", "fill_rate", "mismatch", "reported"]
FILL_RATE_COLUMNS = ["region_code", "region_name", "body", "seats", "filled", "fill_rate", "mismatch", "reported"]
GAPS_COLUMNS = [
    "region_code", "region_name", "level", "parent_code", "parent_name", "body", "seats", "filled", "gap",
    "issue", "reported",
]
BODY_ORDER = {b: i for i, b in enumerate(SUPERVISOR_BODIES)}
ISSUE_ORDER = {"kosong": 0, "kurang": 1, "lebih": 2}
CODE_LEN = code_shape.LENGTH
_BODIES_SQL = ", ".join(f"'{b}'" for b in SUPERVISOR_BODIES)
_ROLES_SQL = ", ".join(f"'{r}'" for r in MEMBER_ROLES)


def members_source(wh: Warehouse) -> str:
    """FROM-clause of member counts per as_of, region, body, role (the aggregate when published)."""
    if wh.has("agg_personnel_members"):
        return "agg_personnel_members"
    return (f"(SELECT as_of, region_code, body, role, sum(\"count\") AS \"count\" FROM personnel "
            f"WHERE role IN ({_ROLES_SQL}) AND body IN ({_BODIES_SQL}) GROUP BY ALL)")


def _seats_source(wh: Warehouse) -> str:
    """A SELECT of region_code, body, seats for the election $election."""
    if wh.has("agg_unit_seats"):
        return ("SELECT region_code, body, seats FROM agg_unit_seats "
                "WHERE election = CASE WHEN body = 'ptps' THEN $election ELSE '' END")
    return f"""
        WITH s AS (
            SELECT region_code, body, sum(seats) AS seats FROM seats
            WHERE body IN ({_BODIES_SQL}) AND ((body = 'ptps' AND election = $election)
                                              OR (body <> 'ptps' AND coalesce(election, '') = ''))
            GROUP BY ALL),
        d AS (
            SELECT code AS region_code, 'panwaslu_kecamatan' AS body, 3 AS seats FROM regions
            WHERE level = 'kecamatan'
            UNION ALL SELECT code, 'pkd', 1 FROM regions WHERE level = 'desa'
            UNION ALL SELECT desa_code, 'ptps', sum(tps) FROM tps WHERE election = $election GROUP BY desa_code)
        SELECT * FROM s UNION ALL SELECT * FROM d ANTI JOIN s USING (region_code, body)"""


def _units_query(wh: Warehouse) -> str:
    return f"""
    WITH a AS ({_seats_source(wh)}),
    f AS (
        SELECT region_code, body, sum(c) AS filled FROM (
            SELECT region_code, body, role, arg_max("count", as_of) AS c FROM {members_source(wh)}
            WHERE as_of <= $as_of GROUP BY ALL)
        GROUP BY ALL)
    SELECT region_code, body, CAST(coalesce(a.seats, 0) AS BIGINT) AS seats,
           CAST(coalesce(f.filled, 0) AS BIGINT) AS filled, f.filled IS NOT NULL AS reported
    FROM a FULL OUTER JOIN f USING (region_code, body)
    """


def unit_elections(wh: Warehouse) -> frozenset[str]:
    """Elections the unit aggregates hold PTPS seats for (empty when the aggregates are not published)."""
    if not (wh.has("agg_unit_state") and wh.has("agg_unit_rollup")):
        return frozenset()
    return wh.cached(("unit_elections",), lambda: frozenset(
        wh.sql("SELECT DISTINCT election FROM agg_unit_rollup WHERE body = 'ptps'")["election"].tolist()))


def elections(wh: Warehouse) -> list[str]:
    """Elections with PTPS seats in the warehouse (TPS counts, or PTPS rows of `seats`), in spec.ELECTIONS order.

    PTPS seats follow TPS, so for any other election they are unknown: a fill rate over it would divide the
    PTPS members by no seats."""
    def read() -> list[str]:
        found = set(unit_elections(wh))
        if not found:
            parts = (["SELECT DISTINCT election FROM tps"] if wh.has("tps") else []) + (
                ["SELECT DISTINCT election FROM seats WHERE body = 'ptps'"] if wh.has("seats") else [])
            if parts:
                found = set(wh.sql(" UNION ".join(parts))["election"].dropna().tolist())
        return [e for e in ELECTIONS if e in found]

    return wh.cached(("elections",), read)


_AT = ("election = CASE WHEN body = 'ptps' THEN $election ELSE '' END "
       "AND valid_from <= $as_of AND valid_to > $as_of")
_UNIT_COLS = "region_code, provinsi_code, kabkota_code, body, seats, filled, reported"
_SUMS = ("CAST(sum(seats) AS BIGINT) AS seats, CAST(sum(filled) AS BIGINT) AS filled, "
         "CAST(sum(units) AS BIGINT) AS units, CAST(sum(units_reported) AS BIGINT) AS units_reported, "
         "CAST(sum(units_empty) AS BIGINT) AS units_empty, CAST(sum(shortfall) AS BIGINT) AS shortfall")
_UNIT_SUMS = ("CAST(sum(seats) AS BIGINT) AS seats, CAST(sum(filled) AS BIGINT) AS filled, "
              "count(*) AS units, count(*) FILTER (WHERE reported) AS units_reported, "
              "count(*) FILTER (WHERE seats > 0 AND filled = 0) AS units_empty, "
              "CAST(sum(greatest(seats - filled, 0)) AS BIGINT) AS shortfall")


_LEVEL = f"{code_shape.sql_level('region_code')} AS level"


def unit_source(wh: Warehouse, as_of: date, election: str) -> str:
    """FROM-clause of every unit at as_of for the election: region_code, provinsi_code, kabkota_code, body,
    seats, filled, reported. From the unit-state aggregate when it holds the election (with parameters
    $as_of and $election), else from the base tables, materialised once per (as_of, election)."""
    if election in unit_elections(wh):
        return f"(SELECT {_UNIT_COLS} FROM agg_unit_state WHERE {_AT})"
    query = (f"SELECT *, left(region_code, 2) AS provinsi_code, left(region_code, 5) AS kabkota_code "
             f"FROM ({_units_query(wh)})")
    return wh.materialize(("units", as_of, election), query, {"as_of": as_of, "election": election})


def rollup_source(wh: Warehouse, as_of: date, election: str) -> str:
    """FROM-clause of the units at as_of summed per kab/kota (group_code; a provinsi's own body under the
    provinsi code) and body: group_code, provinsi_code, body, seats, filled, units, units_reported,
    units_empty (seats > 0 and nobody), shortfall (sum of max(seats - filled, 0))."""
    if election in unit_elections(wh):
        return (f"(SELECT group_code, provinsi_code, body, seats, filled, units, units_reported, units_empty, "
                f"shortfall FROM agg_unit_rollup WHERE {_AT})")
    query = (f"SELECT kabkota_code AS group_code, provinsi_code, body, {_UNIT_SUMS} "
             f"FROM {unit_source(wh, as_of, election)} GROUP BY ALL")
    return wh.materialize(("rollup", as_of, election), query)


def run(wh: Warehouse, query: str, **values: object) -> pd.DataFrame:
    """wh.sql with the named parameters ($name) the query uses."""
    return wh.sql(query, {k: v for k, v in values.items() if f"${k}" in query})


def _scope_cond(scope: Scope, rollup: bool) -> str:
    if scope.level == "nasional":
        return "TRUE"
    if scope.level == "provinsi":
        return "provinsi_code = $code"
    return "group_code = $code" if rollup else "kabkota_code = $code"


def sums(wh: Warehouse, scope: Scope, as_of: date, election: str, by: int | None = None,
         body: str | None = None, where: str | None = None, **params: object) -> pd.DataFrame:
    """Per body (and per child code of `by` characters, region_code, when given; only units at or below
    it): seats, filled, units, units_reported, units_empty, shortfall over the scope's units.

    `where` replaces the scope's condition (on provinsi_code / group_code, with its own parameters).
    Up to kab/kota codes this reads the per-kab/kota rollup, below it the units of the scope.
    """
    rollup = by is None or by <= 5
    cond = where or _scope_cond(scope, rollup)
    code_col = "group_code" if rollup else "region_code"
    conds = [cond] + ([f"length({code_col}) >= {by}"] if by else []) + (["body = $body"] if body else [])
    key = f"left({code_col}, {by}) AS region_code, body" if by else "body"
    src, agg = (rollup_source(wh, as_of, election), _SUMS) if rollup else (unit_source(wh, as_of, election), _UNIT_SUMS)
    q = f"SELECT {key}, {agg} FROM {src} WHERE {' AND '.join(conds)} GROUP BY ALL"
    return run(wh, q, as_of=as_of, election=election, code=scope.code, body=body, **params)


def _rates(df: pd.DataFrame) -> pd.DataFrame:
    seats = df["seats"].astype("float64")
    df["fill_rate"] = np.where(seats > 0, df["filled"] / seats.where(seats > 0), np.nan)
    df["mismatch"] = df["filled"] > df["seats"]
    return df


def _body_sort(df: pd.DataFrame, first: list[str]) -> pd.DataFrame:
    key = df["body"].map(BODY_ORDER).fillna(len(BODY_ORDER))
    return df.assign(_b=key).sort_values([*first, "_b"]).drop(columns="_b").reset_index(drop=True)


def province_sums(wh: Warehouse, as_of: date, election: str) -> pd.DataFrame:
    """`sums` per province (region_code) and body, nationally."""
    return sums(wh, Scope(), as_of, election, by=CODE_LEN["provinsi"])


def counts(by_province: pd.DataFrame) -> pd.Series:
    """Rows of `province_sums` (province x body) that count nationally: the province reported the body and has
    seats for it. One that sent no recap of a body, or has no TPS for the election (PTPS seats 0 beside its
    members), is missing data there, not empty or overfilled seats."""
    return (by_province["units_reported"] > 0) & (by_province["seats"] > 0)


def counted_by_body(by_province: pd.DataFrame) -> pd.DataFrame:
    """Per body (index), seats, filled and units_empty over the provinces that count for it (`counts`)."""
    return by_province[counts(by_province)].groupby("body")[["seats", "filled", "units_empty"]].sum()


def fill_rate_by_body(wh: Warehouse, scope: Scope, as_of: date, election: str, *, only_seated: bool = False,
                      only_reported: bool = False) -> pd.DataFrame:
    """Seats, filled and fill rate per supervisor body over the whole scope; reported = any count of it.
    Nationally over the provinces that count for each body (`counted_by_body`), as the summary's headline.
    `only_seated`: the bodies with seats in the scope (what a chart of fill rates can draw); `only_reported`:
    the bodies somebody reported (a body nobody reported is missing data, named elsewhere, not a 0 % bar)."""
    df = sums(wh, scope, as_of, election)
    if df.empty:
        return pd.DataFrame(columns=BY_BODY_COLUMNS)
    df["reported"] = df["units_reported"] > 0
    if scope.code is None:
        counted = counted_by_body(province_sums(wh, as_of, election))
        has = df["body"].isin(counted.index)
        if has.any():  # no body counts (no recap at all): pandas 3 refuses the empty, string-typed map below
            for col in ("seats", "filled"):
                df.loc[has, col] = df.loc[has, "body"].map(counted[col])
    out = _body_sort(_rates(df), [])[BY_BODY_COLUMNS]
    if only_seated:
        out = out[out["seats"] > 0]
    if only_reported:
        out = out[out["reported"].astype(bool)]
    return out.reset_index(drop=True)


REGION_COUNT_COLUMNS = ["level", "n"]


def region_counts(wh: Warehouse, scope: Scope) -> pd.DataFrame:
    """How many regions of each level the scope holds (Lampung: 15 kab/kota, 229 kecamatan, 2,651 desa), from
    the region list: the places each body's seats are set for."""
    cond = "TRUE" if scope.code is None else "(code = $code OR starts_with(code, $code || '.'))"
    order = "CASE level WHEN 'provinsi' THEN 0 WHEN 'kabkota' THEN 1 WHEN 'kecamatan' THEN 2 ELSE 3 END"
    df = run(wh, f"SELECT level, count(*) AS n FROM regions WHERE {cond} GROUP BY level ORDER BY {order}, level",
             code=scope.code)
    return df.reindex(columns=REGION_COUNT_COLUMNS)


PERSONNEL_DATE_COLUMNS = ["body", "as_of"]


def personnel_dates(wh: Warehouse, scope: Scope, as_of: date) -> pd.DataFrame:
    """The data's own date per body: the latest member count on or before as_of in the scope (Lampung's personnel
    per 23 Jul 2024, its PTPS per 14 Feb 2024), in body order; empty when nobody reported."""
    cond = "TRUE" if scope.code is None else "(region_code = $code OR starts_with(region_code, $code || '.'))"
    q = (f"SELECT body, CAST(max(as_of) AS DATE) AS as_of FROM {members_source(wh)} "
         f"WHERE as_of <= $as_of AND {cond} GROUP BY body")
    df = run(wh, q, as_of=as_of, code=scope.code)
    if df.empty:
        return pd.DataFrame(columns=PERSONNEL_DATE_COLUMNS)
    return _body_sort(df, [])[PERSONNEL_DATE_COLUMNS]


def shortfall_body(by_body: pd.DataFrame) -> str | None:
    """The body a coverage headline names, from `fill_rate_by_body`: the reported body with seats whose fill rate
    is lowest below 100 % (None when every reported body is full). A body nobody reported is missing data, not
    0 % filled, and is never the one named."""
    short = by_body[by_body["reported"].fillna(False).astype(bool) & (by_body["seats"].fillna(0) > 0)
                    & (by_body["fill_rate"] < 1)]
    return None if short.empty else str(short.sort_values("fill_rate", kind="stable").iloc[0]["body"])


def full_and_over(by_region: pd.DataFrame) -> tuple[int, int]:
    """Of the rows of `fill_rate` (one body), how many are filled exactly to their seats and how many report
    more members than seats (a mismatch, never "full")."""
    filled, seats = by_region["filled"].fillna(0), by_region["seats"].fillna(0)
    return int(((filled == seats) & (seats > 0)).sum()), int((filled > seats).sum())


def fill_rate(wh: Warehouse, scope: Scope, as_of: date, election: str, body: str | None = None, *,
              only_seated: bool = False, lowest_first: bool = False) -> pd.DataFrame:
    """Seats, filled and fill rate per child region of the scope and body (bodies at or below the child), by
    region code; `only_seated`: the units with seats; `lowest_first`: by fill rate, lowest first, then name."""
    df = sums(wh, scope, as_of, election, by=CODE_LEN[scope.child_level], body=body)
    if df.empty:
        return pd.DataFrame(columns=FILL_RATE_COLUMNS)
    df["reported"] = df["units_reported"] > 0
    df["region_name"] = wh.names(df["region_code"])
    out = _body_sort(_rates(df), ["region_code"])[FILL_RATE_COLUMNS]
    if only_seated:
        out = out[out["seats"] > 0]
    if lowest_first:
        out = out.sort_values(["fill_rate", "region_name"], ascending=[True, True])
    return out.reset_index(drop=True)


def gaps(wh: Warehouse, scope: Scope, as_of: date, election: str) -> pd.DataFrame:
    """Units whose filled differs from their seats: kosong (none), kurang (below), lebih (over: mismatch).

    reported is False for the units of a body that the province (at national scope) or the scope sent no member
    count of, or has no seats of (`counts`, the rule of the summary's "Lembaga kosong"): their "kosong" means
    not reported, not empty. They come after every reported unit. So the reported "kosong" rows are the units the
    summary counts as empty.
    """
    scope_cond = _scope_cond(scope, False)
    names = "SELECT code, name FROM regions" + ("" if scope.code is None else " WHERE provinsi_code = $prov")
    q = f"""
        WITH b AS (SELECT provinsi_code, body, sum(units_reported) > 0 AND sum(seats) > 0 AS reported
                   FROM {rollup_source(wh, as_of, election)} WHERE {_scope_cond(scope, True)} GROUP BY ALL),
        g AS (SELECT u.region_code, u.body, u.seats, u.filled, b.reported, {_LEVEL},
                     CASE WHEN length(u.region_code) > 2 THEN regexp_replace(u.region_code, '\\.[^.]*$', '') END
                       AS parent_code
              FROM {unit_source(wh, as_of, election)} u JOIN b USING (provinsi_code, body)
              WHERE {scope_cond} AND u.filled <> u.seats),
        n AS ({names})
        SELECT g.region_code, coalesce(r.name, g.region_code) AS region_name, g.level, g.parent_code,
               CASE WHEN g.parent_code IS NOT NULL THEN coalesce(p.name, g.parent_code) END AS parent_name,
               g.body, g.seats, g.filled, g.seats - g.filled AS gap,
               CASE WHEN g.filled = 0 THEN 'kosong' WHEN g.filled < g.seats THEN 'kurang' ELSE 'lebih' END AS issue,
               g.reported
        FROM g LEFT JOIN n r ON r.code = g.region_code LEFT JOIN n p ON p.code = g.parent_code
        ORDER BY NOT g.reported, {_order("issue", ISSUE_ORDER)}, g.region_code, {_order("g.body", BODY_ORDER)}"""
    df = run(wh, q, as_of=as_of, election=election, code=scope.code, prov=scope.provinsi_code)
    if df.empty:
        return pd.DataFrame(columns=GAPS_COLUMNS)
    df["parent_code"] = df["parent_code"].astype("object")
    return df[GAPS_COLUMNS]


def _order(col: str, order: dict[str, int]) -> str:
    """SQL sort key of a column by a fixed order (unknown values last)."""
    whens = " ".join(f"WHEN '{k}' THEN {v}" for k, v in order.items())
    return f"CASE {col} {whens} ELSE {len(order)} END"
