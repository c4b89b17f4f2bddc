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

from etl.spec import MEMBER_ROLES, SUPERVISOR_BODIES
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
CODE_LEN = {"provinsi": 2, "kabkota": 5, "kecamatan": 8, "desa": 13}
LEVEL_BY_LEN = {2: "provinsi", 5: "kabkota", 8: "kecamatan"}
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
           CAST(coalesce(f.filled, 0) AS BIGINT) AS filled, f.filled IS NOT NULL AS reported,
           CASE length(region_code) WHEN 2 THEN 'provinsi' WHEN 5 THEN 'kabkota' WHEN 8 THEN 'kecamatan'
                ELSE 'desa' END AS level
    FROM a FULL OUTER JOIN f USING (region_code, body)
    """


def units(wh: Warehouse, as_of: date, election: str) -> pd.DataFrame:
    """Every unit in the nation: region_code, body, seats, filled, reported, level (cached per warehouse).

    reported: the unit has a member count on or before as_of (filled 0 with reported False = no row).
    """
    return wh.cached(("units", as_of, election),
                     lambda: wh.sql(_units_query(wh), {"as_of": as_of, "election": election}))


def in_scope(codes: pd.Series, scope: Scope) -> pd.Series:
    """Boolean mask of region codes inside the scope."""
    if scope.code is None:
        return pd.Series(True, index=codes.index)
    return (codes == scope.code) | codes.str.startswith(scope.code + ".")


def scoped_units(wh: Warehouse, scope: Scope, as_of: date, election: str) -> pd.DataFrame:
    u = units(wh, as_of, election)
    return u[in_scope(u["region_code"], scope)]


def body_reported(u: pd.DataFrame) -> pd.Series:
    """Per unit: True when its body has a member count in any unit of `u` (the scope's units)."""
    if u.empty:
        return pd.Series(False, index=u.index, dtype=bool)
    return u.groupby("body")["reported"].transform("any").astype(bool)


def unreported_bodies(u: pd.DataFrame) -> list[str]:
    """Bodies with seats in `u` but no member count in any of its units, in body order."""
    by = u.groupby("body").agg(seats=("seats", "sum"), reported=("reported", "any"))
    out = by.index[(by["seats"] > 0) & ~by["reported"].astype(bool)]
    return sorted(out, key=lambda b: BODY_ORDER.get(b, len(BODY_ORDER)))


def _rates(df: pd.DataFrame) -> pd.DataFrame:
    seats = df["seats"].astype("float64")
    df["fill_rate"] = np.where(seats > 0, df["filled"] / seats.where(seats > 0), np.nan)
    df["mismatch"] = df["filled"] > df["seats"]
    return df


def _body_sort(df: pd.DataFrame, first: list[str]) -> pd.DataFrame:
    key = df["body"].map(BODY_ORDER).fillna(len(BODY_ORDER))
    return df.assign(_b=key).sort_values([*first, "_b"]).drop(columns="_b").reset_index(drop=True)


def fill_rate_by_body(wh: Warehouse, scope: Scope, as_of: date, election: str) -> pd.DataFrame:
    """Seats, filled and fill rate per supervisor body over the whole scope; reported = any count of it."""
    u = scoped_units(wh, scope, as_of, election)
    if u.empty:
        return pd.DataFrame(columns=BY_BODY_COLUMNS)
    df = u.groupby("body", as_index=False).agg(seats=("seats", "sum"), filled=("filled", "sum"),
                                               reported=("reported", "any"))
    return _body_sort(_rates(df), [])[BY_BODY_COLUMNS]


def fill_rate(wh: Warehouse, scope: Scope, as_of: date, election: str, body: str | None = None) -> pd.DataFrame:
    """Seats, filled and fill rate per child region of the scope and body (bodies at or below the child)."""
    u = scoped_units(wh, scope, as_of, election)
    n = CODE_LEN[scope.child_level]
    u = u[u["region_code"].str.len() >= n]
    if body is not None:
        u = u[u["body"] == body]
    if u.empty:
        return pd.DataFrame(columns=FILL_RATE_COLUMNS)
    df = (u.assign(region_code=u["region_code"].str[:n])
          .groupby(["region_code", "body"], as_index=False)
          .agg(seats=("seats", "sum"), filled=("filled", "sum"), reported=("reported", "any")))
    df["region_name"] = wh.names(df["region_code"])
    return _body_sort(_rates(df), ["region_code"])[FILL_RATE_COLUMNS]


def gaps(wh: Warehouse, scope: Scope, as_of: date, election: str) -> pd.DataFrame:
    """Units whose filled differs from their seats: kosong (none), kurang (below), lebih (over: mismatch).

    reported is False for the units of a body with no member count anywhere in the scope (their
    "kosong" means not reported, not empty); they come after every reported unit.
    """
    u = scoped_units(wh, scope, as_of, election)
    u = u.assign(reported=body_reported(u))
    u = u[u["filled"] != u["seats"]]
    if u.empty:
        return pd.DataFrame(columns=GAPS_COLUMNS)
    df = u.copy()
    df["gap"] = df["seats"] - df["filled"]
    df["issue"] = np.select([df["filled"] == 0, df["filled"] < df["seats"]], ["kosong", "kurang"], "lebih")
    df["parent_code"] = df["region_code"].str.rsplit(".", n=1).str[0].where(df["region_code"].str.len() > 2)
    both = wh.names(pd.concat([df["region_code"], df["parent_code"]], ignore_index=True))
    df["region_name"] = both.iloc[: len(df)].to_numpy()
    df["parent_name"] = both.iloc[len(df):].to_numpy()
    df.loc[df["parent_code"].isna(), "parent_name"] = None
    df["_i"] = df["issue"].map(ISSUE_ORDER)
    df["_b"] = df["body"].map(BODY_ORDER).fillna(len(BODY_ORDER))
    df["_r"] = ~df["reported"]
    df = df.sort_values(["_r", "_i", "region_code", "_b"], ignore_index=True)
    return df[GAPS_COLUMNS]
