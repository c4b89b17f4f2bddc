"""The ETL's finalize stage at national scale: the merge of the activity parts and the aggregates.

    python bench/experiments/merge_sql.py [WAREHOUSE]

Rebuilds the input the build's finalize sees (the activities split into per-source part files with a
`_prio` column) from a published national warehouse, then times, with the build's DuckDB settings
(memory_limit 1GB, 2 threads, a temp directory):

- current: etl.merge.merge (row_number() over every row, PARTITION BY the key, into a TEMP TABLE, then
  COPY ... WHERE _rn = 1 ORDER BY the sort key, then a count of the replaced rows);
- proposed: find the duplicated keys first (a one-column GROUP BY ... HAVING count(*) > 1); when there are
  none, COPY the parts sorted; otherwise rank only the rows whose key is duplicated;
- etl.aggregates.write_aggregates on the finished tables (it reads activities three times).

Both merges are checked to write the same rows.
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from etl import merge as etl_merge  # noqa: E402
from etl.aggregates import write_aggregates  # noqa: E402

WORK = ROOT / "bench" / "out" / "experiments" / "merge"
TABLE = "activities"


def make_parts(src: Path, parts: Path, n_parts: int = 40) -> int:  # 40: about one per province source
    """Split the published table into part files as the loaders write them (with _prio)."""
    shutil.rmtree(parts, ignore_errors=True)
    (parts / TABLE).mkdir(parents=True)
    pf = pq.ParquetFile(src)
    rows = pf.metadata.num_rows
    per = -(-rows // n_parts)
    table = pf.read()
    for i in range(n_parts):
        chunk = table.slice(i * per, per)
        chunk = chunk.append_column("_prio", pa.array([f"run-{i:05d}"] * len(chunk), pa.string()))
        pq.write_table(chunk, parts / TABLE / f"{i:05d}-00000.parquet", compression="zstd")
    return rows


def connect(tmp: Path) -> duckdb.DuckDBPyConnection:
    tmp.mkdir(parents=True, exist_ok=True)
    return duckdb.connect(config={"memory_limit": etl_merge.DUCKDB_MEMORY, "threads": 2,
                                  "temp_directory": str(tmp)})


def proposed_merge(con: duckdb.DuckDBPyConnection, staging: Path, parts: Path, table: str) -> tuple[int, int]:
    """Rank only the rows whose key occurs more than once; copy the rest as they are, sorted."""
    out = staging / f"{table}.parquet"
    key = ", ".join(f'"{k}"' for k in etl_merge.KEYS[table])
    cols = ", ".join(f'"{c}"' for c in etl_merge.table_columns(table))
    src = f"read_parquet('{parts / table}/*.parquet', filename = true, file_row_number = true)"
    con.execute(f"CREATE OR REPLACE TEMP TABLE _dup AS SELECT {key} FROM {src} GROUP BY ALL HAVING count(*) > 1")
    n_dup = con.execute("SELECT count(*) FROM _dup").fetchone()[0]
    if n_dup == 0:
        body = f"SELECT {cols} FROM {src}"
    else:
        body = (f"SELECT {cols} FROM {src} ANTI JOIN _dup USING ({key}) UNION ALL "
                f"SELECT {cols} FROM (SELECT * FROM {src} SEMI JOIN _dup USING ({key})) "
                f"QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY _prio DESC, filename DESC, "
                "file_row_number DESC) = 1")
    con.execute(f"COPY ({body} ORDER BY {etl_merge.SORT[table]}) TO '{out}' "
                f"(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {etl_merge.ROW_GROUP})")
    replaced = con.execute(f"SELECT CAST(sum(c - 1) AS BIGINT) FROM (SELECT {key}, count(*) AS c FROM {src} "
                           f"SEMI JOIN _dup USING ({key}) GROUP BY ALL)").fetchone()[0] or 0
    return pq.ParquetFile(out).metadata.num_rows, replaced


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    wh = Path(args[0] if args else ROOT / "bench/out/national/warehouse").resolve()
    cur = (wh / "current").resolve()
    parts = WORK / "_parts"
    t0 = time.perf_counter()
    rows = make_parts(cur / f"{TABLE}.parquet", parts)
    print(f"parts: {rows:,} {TABLE} rows in 40 files ({time.perf_counter() - t0:.1f} s to prepare)")
    results = {}
    for name, merge in (("current etl.merge.merge", etl_merge.merge), ("proposed: rank duplicates only",
                                                                         proposed_merge)):
        staging = WORK / name.split()[0]
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        con = connect(staging / "_tmp")
        t0 = time.perf_counter()
        n, replaced = merge(con, staging, parts, TABLE)
        secs = time.perf_counter() - t0
        con.close()
        results[name] = staging / f"{TABLE}.parquet"
        print(f"{name:34s} {secs:6.1f} s  rows {n:,}  replaced {replaced:,}")
    a, b = (pq.read_table(p).sort_by("activity_id") for p in results.values())
    differ = [c for c in a.column_names if c not in b.column_names or not a[c].equals(b[c])]
    print(f"same values in every column (sorted by activity_id): {not differ and a.num_rows == b.num_rows}"
          f"{'' if not differ else f' · differ: {differ}'} · same Arrow schema: {a.schema.equals(b.schema)}")
    staging = WORK / "aggregates"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for f in ("activities", "personnel", "regions", "seats", "tps"):
        (staging / f"{f}.parquet").symlink_to(cur / f"{f}.parquet")
    t0 = time.perf_counter()
    agg = write_aggregates(staging)
    print(f"{'etl.aggregates.write_aggregates':34s} {time.perf_counter() - t0:6.1f} s  {agg}")
    shutil.rmtree(WORK, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
