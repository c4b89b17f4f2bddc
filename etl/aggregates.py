"""Pre-aggregated tables the query layer reads at national scale (written beside the base tables).

`write_aggregates(version_dir)` reads the staged base tables and writes agg_*.parquet into the
same directory. The build calls it after the base tables pass their checks, before publishing.
Region codes stay strings; dates are DATE (month = the first day of the month).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from etl.spec import MEMBER_ROLES, SUPERVISOR_BODIES

ROW_GROUP = 100_000

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
}
#: Base tables each aggregate reads.
SOURCES = {"agg_activity_month": "activities", "agg_activity_day_prov": "activities",
           "agg_sambang_desa_month": "activities", "agg_personnel_members": "personnel",
           "agg_unit_seats": ("regions", "seats", "tps")}


def write_aggregates(version_dir: Path) -> dict[str, int]:
    """Write every agg_*.parquet from the base tables in version_dir; return rows per aggregate."""
    version_dir = Path(version_dir)
    con = duckdb.connect(":memory:")
    con.execute("SET enable_progress_bar = false")
    try:
        needed = {t for v in SOURCES.values() for t in ((v,) if isinstance(v, str) else v)}
        for table in sorted(needed):
            f = version_dir / f"{table}.parquet"
            if not f.is_file():
                raise FileNotFoundError(f"write_aggregates needs {f}")
            con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{f.as_posix()}')")
        rows: dict[str, int] = {}
        for name, query in AGGREGATES.items():
            out = version_dir / f"{name}.parquet"
            tmp = out.with_suffix(".parquet.tmp")
            con.execute(f"COPY ({query}) TO '{tmp.as_posix()}' "
                        f"(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {ROW_GROUP})")
            tmp.replace(out)
            rows[name] = int(con.execute(f"SELECT count(*) FROM read_parquet('{out.as_posix()}')").fetchone()[0])
        return rows
    finally:
        con.close()
