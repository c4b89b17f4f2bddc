"""The merge of a table's staged parts into its warehouse file: one row per key (the newest source's), sorted for
province filters, the rows a newer source replaced kept aside (``_shadowed/``); and the DuckDB settings and the
contract check of the files a build writes. Called by etl.build once per fact table."""

from __future__ import annotations

import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from etl.spec import KEYS, TABLES, table_columns
from etl.staging import arrow_schema, dictionary_columns, subfolder

FACT_TABLES = ("personnel", "activities", "pleno", "tps", "seats_reference")
SORT = {t: ", ".join(TABLES[t].sort) for t in FACT_TABLES}
ROW_GROUP = 64_000
#: Columns no query filters on, written without min/max statistics (with staging.NO_DICTIONARY the merge writes
#: the activities faster: docs/PERFORMANCE.md).
NO_STATISTICS = {"activities": ("activity_id", "title")}
SHADOW_DIR = "_shadowed"
#: DuckDB's memory for the merge (it spills to staging/_tmp beyond it); more costs peak memory for no measurable
#: speed (docs/PERFORMANCE.md); override with PANTAU_ETL_DUCKDB_MEMORY.
DUCKDB_MEMORY = "256MB"
#: A province with at most this many rows is sorted in memory by polars, a larger one by DuckDB within
#: DUCKDB_MEMORY.
SORT_IN_MEMORY_ROWS = 1_000_000


def sql_path(path: Path) -> str:
    """A path as a DuckDB string literal (quotes doubled)."""
    return str(path).replace("'", "''")


def merge(con: duckdb.DuckDBPyConnection, staging: Path, parts: Path, table: str) -> tuple[int, int]:
    """Merge a table's parts into staging/<table>.parquet: one row per key, the newest source's.

    Keys present more than once are found first (usually none: then the parts are only sorted); only
    their rows are ranked. Rows that lost to a newer source go to staging/_shadowed/<table>.parquet.
    Returns (rows, replaced).
    """
    out = staging / f"{table}.parquet"
    files = sorted((parts / table).rglob("*.parquet")) if (parts / table).exists() else []
    if not files:
        pq.write_table(arrow_schema(table).empty_table(), out)
        return 0, 0
    keys = [f'"{k}"' for k in KEYS[table]]
    key = ", ".join(keys)
    cols = ", ".join(f'"{c}"' for c in table_columns(table))
    plain = f"read_parquet('{sql_path(parts / table)}/*/*.parquet', hive_partitioning = false)"
    copy_opts = f"(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {ROW_GROUP})"
    # One source only (file names start with its order): its keys are unique already (KeyTracker, or the
    # published rows of one source). Otherwise key hashes rule out repeats in most runs. Either way the
    # GROUP BY over every key (DuckDB's largest hash table) is skipped.
    single = len({f.name.split("-", 1)[0] for f in files}) == 1
    if single or not _may_repeat_keys(files, KEYS[table]):
        return _write_sorted(con, parts / table, out, table), 0
    con.execute(f"CREATE OR REPLACE TEMP TABLE _dups AS SELECT {key} FROM {plain} GROUP BY ALL "
                f"HAVING count(*) > 1")
    try:
        if not con.execute("SELECT count(*) FROM _dups").fetchall()[0][0]:
            return _write_sorted(con, parts / table, out, table), 0
        on = " AND ".join(f"p.{k} IS NOT DISTINCT FROM d.{k}" for k in keys)
        ranked = (f"read_parquet('{sql_path(parts / table)}/*/*.parquet', filename = true, file_row_number = true, "
                  f"hive_partitioning = false)")
        con.execute(f"CREATE OR REPLACE TEMP TABLE _ranked AS SELECT p.*, row_number() OVER (PARTITION BY {key} "
                    f"ORDER BY _prio DESC, filename DESC, file_row_number DESC) AS _rn "
                    f"FROM {ranked} p SEMI JOIN _dups d ON {on}")
        con.execute(f"COPY (SELECT {cols} FROM {plain} p ANTI JOIN _dups d ON {on} UNION ALL "
                    f"SELECT {cols} FROM _ranked WHERE _rn = 1 ORDER BY {SORT[table]}) TO '{sql_path(out)}' "
                    f"{copy_opts}")
        replaced = con.execute("SELECT count(*) FROM _ranked WHERE _rn > 1").fetchone()[0]
        if replaced:
            shadow = subfolder(staging, SHADOW_DIR) / f"{table}.parquet"
            con.execute(f"COPY (SELECT {cols} FROM _ranked WHERE _rn > 1 ORDER BY source) "
                        f"TO '{sql_path(shadow)}' (FORMAT parquet, COMPRESSION zstd)")
        return pq.ParquetFile(out).metadata.num_rows, replaced
    finally:
        con.execute("DROP TABLE IF EXISTS _dups; DROP TABLE IF EXISTS _ranked")


def _may_repeat_keys(files: list[Path], keys: tuple[str, ...] | list[str]) -> bool:
    """False when no key occurs twice in these parts: as many distinct 64-bit key hashes as rows (quicker
    than DuckDB's GROUP BY: docs/PERFORMANCE.md). Equal keys hash alike, so True may only be a hash collision; the
    caller then finds the repeated keys exactly."""
    import polars as pl

    hashed = pl.col(keys[0]).hash() if len(keys) == 1 else pl.struct(list(keys)).hash()
    frame = pl.scan_parquet(files).select(hashed.alias("h"))
    counts = frame.select(pl.len().alias("rows"), pl.col("h").n_unique().alias("distinct")).collect()
    return counts["distinct"][0] < counts["rows"][0]


def _write_sorted(con: duckdb.DuckDBPyConnection, folder: Path, out: Path, table: str) -> int:
    """Parts without duplicate keys -> out, in SORT order: each province sorted alone, appended in code order
    (row groups never span two). A province of up to SORT_IN_MEMORY_ROWS rows is sorted in memory by polars
    (stable, on all cores) while a thread compresses and writes the one before; a larger one is sorted by
    DuckDB, which spills beyond DUCKDB_MEMORY."""
    from concurrent.futures import Future

    import polars as pl

    cols = list(table_columns(table))
    quoted = ", ".join(f'"{c}"' for c in cols)
    order = [c.strip() for c in SORT[table].split(",")]
    # polars hands its strings over as string_view without a copy (as string it copies each one); Parquet stores
    # both alike, and without the Arrow schema in the file they read back as string
    schema = pa.schema([f.with_type(pa.string_view()) if f.type == pa.string() else f for f in arrow_schema(table)])

    def write(batches: Iterable[pa.RecordBatch]) -> int:
        n = 0
        for batch in batches:
            if batch.num_rows:
                writer.write_table(pa.Table.from_batches([batch]).cast(schema), row_group_size=ROW_GROUP)
                n += batch.num_rows
        return n

    rows = 0
    with pq.ParquetWriter(out, schema, compression="zstd", store_schema=False,
                          use_dictionary=dictionary_columns(table, cols),
                          write_statistics=[c for c in cols if c not in NO_STATISTICS.get(table, ())]) as writer, \
            ThreadPoolExecutor(1) as background:
        pending: Future | None = None
        for prov in sorted(d for d in folder.iterdir() if d.is_dir()):
            files = sorted(prov.glob("*.parquet"))
            if not files:  # every part of it was dropped (a source read again)
                continue
            if sum(pq.ParquetFile(f).metadata.num_rows for f in files) <= SORT_IN_MEMORY_ROWS:
                # stable, so the order does not depend on threads; nulls last, as DuckDB's ORDER BY
                frame = pl.read_parquet(files, columns=cols).sort(order, maintain_order=True, nulls_last=True)
                batches: Iterable[pa.RecordBatch] = frame.to_arrow(compat_level=pl.CompatLevel.newest()) \
                    .to_batches(ROW_GROUP)
                rows += pending.result() if pending else 0
                pending = background.submit(write, batches)
            else:
                rows += pending.result() if pending else 0
                pending = None
                rows += write(con.sql(f"SELECT {quoted} FROM read_parquet('{sql_path(prov)}/*.parquet', "
                                      f"hive_partitioning = false) ORDER BY {SORT[table]}").to_arrow_reader(ROW_GROUP))
        rows += pending.result() if pending else 0
    return rows


def duckdb_config(staging: Path, spill: str = "") -> dict[str, str | int]:
    """DuckDB settings of the build's connections: DUCKDB_MEMORY, 2 threads, spilling beyond it into staging/_tmp
    (or its subfolder `spill`: connections open at the same time do not share a temp directory)."""
    return {"memory_limit": os.environ.get("PANTAU_ETL_DUCKDB_MEMORY", DUCKDB_MEMORY), "threads": 2,
            "temp_directory": str(staging / "_tmp" / spill)}


def check_schema(path: Path, table: str) -> None:
    """The file's column names and types are exactly the contract's (nullability aside)."""
    got = [(f.name, f.type) for f in pq.read_schema(path)]
    want = [(f.name, f.type) for f in arrow_schema(table)]
    if got != want:
        raise RuntimeError(f"{path.name}: columns {got} differ from the contract {want}")
