"""Pre-aggregated tables the query layer reads at national scale (written beside the base tables).

`write_aggregates(version_dir)` reads the staged base tables and writes agg_*.parquet into the
same directory. The build writes those that do not read the activities while it merges the activities
(`OF_ACTIVITIES` come after), each once its base tables are staged and checked, before publishing.
Region codes stay strings; dates are DATE (month = the first day of the month).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from etl.spec import MEMBER_ROLES, SUPERVISOR_BODIES

ROW_GROUP = 100_000
#: Row groups of the unit tables: small, so a provinsi or kab/kota filter reads few of them.
UNIT_ROW_GROUP = 10_000
FIRST_DAY, LAST_DAY = "DATE '0001-01-01'", "DATE '9999-12-31'"

#: name -> SELECT over the base-table views (sorted so a region filter prunes row groups).
AGGREGATES: dict[str, str] = {
    # activity counts per month, kab/kota and type (kabkota_code NULL/'' for provinsi-level ones)
    "agg_activity_month": """
        SELECT CAST(date_trunc('month', "date") AS DATE) AS month, provinsi_code, kabkota_code, type,
               count(*) AS n, CAST(sum(coalesce(participants, 0)) AS BIGINT) AS participants
        FROM activities GROUP BY ALL ORDER BY provinsi_code, kabkota_code, month, type""",
    # activity counts per day, provinsi and type (answers any period at nasional/provinsi scope)
    "agg_activity_day_prov": """
        SELECT "date", provinsi_code, type, count(*) AS n,
               CAST(sum(coalesce(participants, 0)) AS BIGINT) AS participants
        FROM activities GROUP BY ALL ORDER BY provinsi_code, "date", type""",
    # distinct kelurahan/desa reached by sambang pengawasan, per month
    "agg_sambang_desa_month": """
        SELECT DISTINCT CAST(date_trunc('month', "date") AS DATE) AS month, provinsi_code, kabkota_code,
               left(region_code, 8) AS kecamatan_code, region_code AS desa_code
        FROM activities
        WHERE type = 'sambang_pengawasan' AND length(region_code) > 8
        ORDER BY desa_code, month""",
    # member counts (ketua + anggota, all genders) of supervisor bodies per date, region and body
    "agg_personnel_members": f"""
        SELECT as_of, region_code, provinsi_code, kabkota_code, body, role, CAST(sum("count") AS BIGINT) AS "count"
        FROM personnel
        WHERE role IN ({", ".join(repr(r) for r in MEMBER_ROLES)})
          AND body IN ({", ".join(repr(b) for b in SUPERVISOR_BODIES)})
        GROUP BY ALL ORDER BY region_code, body, role, as_of""",
    # mandated seats per unit (region x body; election only for PTPS): the seats table, and for a
    # kecamatan / desa / desa's TPS it does not list, what the law mandates (3 Panwascam, 1 PKD, 1 PTPS a TPS)
    "agg_unit_seats": f"""
        WITH s AS (
            SELECT region_code, body, CASE WHEN body = 'ptps' THEN election ELSE '' END AS election,
                   sum(seats) AS seats
            FROM seats WHERE body IN ({", ".join(repr(b) for b in SUPERVISOR_BODIES)})
              AND (body = 'ptps' OR coalesce(election, '') = '') GROUP BY ALL),
        d AS (
            SELECT code AS region_code, 'panwaslu_kecamatan' AS body, '' AS election, 3 AS seats
            FROM regions WHERE level = 'kecamatan'
            UNION ALL SELECT code, 'pkd', '', 1 FROM regions WHERE level = 'desa'
            UNION ALL SELECT desa_code, 'ptps', election, sum(tps) FROM tps GROUP BY desa_code, election)
        SELECT region_code, body, election, CAST(seats AS BIGINT) AS seats FROM (
            SELECT * FROM s UNION ALL SELECT * FROM d ANTI JOIN s USING (region_code, body, election))
        ORDER BY region_code, body, election""",
    # unit states: every unit (region x body; per election for PTPS) with its seats and, from each date
    # its member count changed, the filled count (per role the latest count on or before that date) and
    # reported (any member row yet). valid_from <= as_of < valid_to picks the state at as_of; the first
    # state of a unit with seats (filled 0, not reported) starts at 0001-01-01, the last ends at 9999-12-31.
    "agg_unit_state": f"""
        WITH s AS (SELECT region_code, body, election, seats FROM agg_unit_seats),
        el AS (SELECT DISTINCT election FROM s WHERE body = 'ptps'),
        m AS (SELECT as_of, region_code, body, role, "count" FROM agg_personnel_members),
        pu AS (SELECT DISTINCT region_code, body FROM m),
        u AS (SELECT region_code, body, election FROM s
              UNION SELECT region_code, body, '' FROM pu WHERE body <> 'ptps'
              UNION SELECT region_code, body, el.election FROM pu CROSS JOIN el WHERE body = 'ptps'),
        g AS (SELECT d.region_code, d.body, d.as_of, r.role
              FROM (SELECT DISTINCT region_code, body, as_of FROM m) d
              JOIN (SELECT DISTINCT region_code, body, role FROM m) r USING (region_code, body)),
        c AS (SELECT g.region_code, g.body, g.as_of, sum(m."count") AS filled
              FROM g ASOF LEFT JOIN m ON g.region_code = m.region_code AND g.body = m.body
                                     AND g.role = m.role AND g.as_of >= m.as_of
              GROUP BY ALL),
        st AS (SELECT region_code, body, {FIRST_DAY} AS valid_from, 0 AS filled, false AS reported
               FROM (SELECT DISTINCT region_code, body FROM u)
               UNION ALL SELECT region_code, body, as_of, filled, true FROM c),
        ch AS (SELECT *, lag(filled) OVER w IS DISTINCT FROM filled OR lag(reported) OVER w IS DISTINCT FROM reported
                  AS changed FROM st WINDOW w AS (PARTITION BY region_code, body ORDER BY valid_from)),
        sv AS (SELECT region_code, body, valid_from, filled, reported,  -- a recap that changed nothing adds no state
                      lead(valid_from, 1, {LAST_DAY}) OVER (PARTITION BY region_code, body ORDER BY valid_from)
                        AS valid_to FROM ch WHERE changed)
        SELECT u.region_code, left(u.region_code, 2) AS provinsi_code, left(u.region_code, 5) AS kabkota_code,
               u.body, u.election, sv.valid_from, sv.valid_to, CAST(coalesce(s.seats, 0) AS BIGINT) AS seats,
               CAST(sv.filled AS BIGINT) AS filled, sv.reported
        FROM u JOIN sv USING (region_code, body) LEFT JOIN s USING (region_code, body, election)
        WHERE sv.reported OR s.seats IS NOT NULL  -- a unit without seats exists from its first count on
        ORDER BY region_code, body, election, valid_from""",
    # the unit states rolled up per kab/kota (group_code = left(region_code, 5): a provinsi's own body
    # under the provinsi code), body and election, one row per period in which none of them changed
    "agg_unit_rollup": f"""
        WITH u AS (SELECT * FROM agg_unit_state),
        d AS (SELECT DISTINCT kabkota_code, body, election, valid_from AS day FROM u),
        x AS (SELECT d.kabkota_code AS group_code, d.body, d.election, d.day AS valid_from,
                     CAST(sum(u.seats) AS BIGINT) AS seats, CAST(sum(u.filled) AS BIGINT) AS filled,
                     count(*) AS units, count(*) FILTER (WHERE u.reported) AS units_reported,
                     count(*) FILTER (WHERE u.seats > 0 AND u.filled = 0) AS units_empty,
                     CAST(sum(greatest(u.seats - u.filled, 0)) AS BIGINT) AS shortfall
              FROM d JOIN u ON u.kabkota_code = d.kabkota_code AND u.body = d.body AND u.election = d.election
                           AND u.valid_from <= d.day AND u.valid_to > d.day
              GROUP BY ALL)
        SELECT group_code, left(group_code, 2) AS provinsi_code, body, election, valid_from,
               lead(valid_from, 1, {LAST_DAY}) OVER (PARTITION BY group_code, body, election ORDER BY valid_from)
                 AS valid_to, seats, filled, units, units_reported, units_empty, shortfall
        FROM x ORDER BY group_code, body, election, valid_from""",
    # per kab/kota of the region list: name, provinsi and kelurahan/desa count (the ratio denominators)
    "agg_kabkota": """
        SELECT k.code AS region_code, k.name AS region_name, k.provinsi_code, count(d.code) AS desa
        FROM regions k LEFT JOIN regions d ON d.level = 'desa' AND d.kabkota_code = k.code
        WHERE k.level = 'kabkota' GROUP BY ALL ORDER BY region_code""",
    # names of the provinsi, kab/kota and kecamatan (a few thousand rows: labels without reading every desa)
    "agg_region_names": """
        SELECT code, name, level, provinsi_code, kabkota_code FROM regions
        WHERE level IN ('provinsi', 'kabkota', 'kecamatan') ORDER BY code""",
    # kelurahan/desa of the region list per kecamatan (left(code, 8)): desa totals of any scope
    "agg_desa_kecamatan": """
        SELECT left(code, 8) AS kecamatan_code, count(*) AS desa FROM regions WHERE level = 'desa'
        GROUP BY ALL ORDER BY kecamatan_code""",
    # DPT voters and TPS per kab/kota (first five characters of the desa code) and election
    "agg_tps_kabkota": """
        SELECT left(desa_code, 5) AS region_code, election, CAST(sum(voters) AS BIGINT) AS voters,
               CAST(sum(tps) AS BIGINT) AS tps
        FROM tps GROUP BY ALL ORDER BY region_code, election""",
}
#: The tables each aggregate reads: base tables, and aggregates listed before it in AGGREGATES.
SOURCES = {"agg_activity_month": "activities", "agg_activity_day_prov": "activities",
           "agg_sambang_desa_month": "activities", "agg_personnel_members": "personnel",
           "agg_unit_seats": ("regions", "seats", "tps"),
           "agg_unit_state": ("agg_unit_seats", "agg_personnel_members"), "agg_unit_rollup": "agg_unit_state",
           "agg_kabkota": "regions", "agg_region_names": "regions", "agg_desa_kecamatan": "regions",
           "agg_tps_kabkota": "tps"}
#: Row group size per aggregate, when not ROW_GROUP.
ROW_GROUPS = {"agg_unit_state": UNIT_ROW_GROUP, "agg_unit_rollup": UNIT_ROW_GROUP}


def _reads(name: str) -> tuple[str, ...]:
    v = SOURCES[name]
    return (v,) if isinstance(v, str) else v


def _base_tables(name: str) -> set[str]:
    """The base tables an aggregate reads, itself or through the aggregates it reads."""
    return {t for r in _reads(name) for t in (_base_tables(r) if r in AGGREGATES else {r})}


#: The aggregates that read the activities (the build writes the others while it merges the activities).
OF_ACTIVITIES = tuple(name for name in AGGREGATES if "activities" in _base_tables(name))


def write_aggregates(version_dir: Path, names: tuple[str, ...] | None = None,
                     config: dict[str, str | int] | None = None,
                     keep: tuple[Path, set[str]] | None = None) -> dict[str, int]:
    """Write every agg_*.parquet (or those in ``names``, in AGGREGATES order) from the tables in version_dir;
    return rows per aggregate. An aggregate read by one in ``names`` is written in the same call or was written
    before. ``config``: DuckDB settings (the build passes its memory limit and a temp directory in staging).
    ``keep``: (a published version, provinces): an aggregate of the activities alone (each groups within a
    provinsi) keeps that version's rows outside these provinces and computes only theirs."""
    version_dir = Path(version_dir)
    unknown = set(names or ()) - set(AGGREGATES)
    if unknown:
        raise KeyError(f"unknown aggregates: {sorted(unknown)}")
    todo = {n: q for n, q in AGGREGATES.items() if names is None or n in names}
    con = duckdb.connect(":memory:", config=config or {})
    con.execute("SET enable_progress_bar = false")
    try:
        for table in sorted({t for n in todo for t in _reads(n) if t not in todo}):
            f = version_dir / f"{table}.parquet"
            if not f.is_file():
                raise FileNotFoundError(f"write_aggregates needs {f}")
            con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{f.as_posix()}')")
        rows: dict[str, int] = {}
        for name, query in todo.items():
            out = version_dir / f"{name}.parquet"
            tmp = out.with_suffix(".parquet.tmp")
            if keep is not None and SOURCES[name] == "activities" and (keep[0] / f"{name}.parquet").is_file():
                query = _per_province(query, keep[0] / f"{name}.parquet", keep[1])
            con.execute(f"COPY ({query}) TO '{tmp.as_posix()}' "
                        f"(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {ROW_GROUPS.get(name, ROW_GROUP)})")
            tmp.replace(out)
            con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{out.as_posix()}')")
            rows[name] = int(con.execute(f"SELECT count(*) FROM {name}").fetchone()[0])
        return rows
    finally:
        con.close()


def _per_province(query: str, published: Path, provinces: set[str]) -> str:
    """An activities aggregate computed for ``provinces`` only, the published rows of the others put beside them,
    in the aggregate's order."""
    body, order = query.rsplit("ORDER BY", 1)
    listed = ", ".join("'" + p.replace("'", "''") + "'" for p in sorted(provinces)) or "NULL"
    body = body.replace("FROM activities", f"FROM (SELECT * FROM activities WHERE provinsi_code IN ({listed})) "
                                           f"AS activities")
    return (f"SELECT * FROM ({body} UNION ALL SELECT * FROM read_parquet('{published.as_posix()}') "
            f"WHERE provinsi_code NOT IN ({listed})) ORDER BY {order}")
