"""A source's rows carried from the published version, and the activities carried a province at a time.

A build reads only the sources that changed; the others' rows come from the published version (``carry``). For
the activities (nine in ten rows), a build whose changed sources touch only some provinces (a province's weekly
upload) carries and merges only those provinces: ``touched_provinces`` says which, and ``splice`` writes the new
activities file from the merged touched provinces and the published row groups of every other province, in
province order, without sorting or deduplicating them again (docs/PERFORMANCE.md). A province is touched when a
changed source has rows there (new, or in the published version, shadowed ones included) or when a row there has
the key of such a row (keys may cross provinces: the newest source's row wins across them).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from etl.merge import NO_STATISTICS, ROW_GROUP, SHADOW_DIR, sql_path
from etl.spec import KEYS, table_columns
from etl.staging import (
    PROVINCE_DIR,
    SourceStats,
    arrow_schema,
    dictionary_columns,
    prio_of,
    subfolder,
    write_by_province,
)

#: The table carried a province at a time.
BY_PROVINCE = "activities"
#: Rows per batch when a reused source's rows are copied from the published version.
CARRY_BATCH = 100_000


def carry(con: duckdb.DuckDBPyConnection, prev_dir: Path, parts: Path, stats: SourceStats, *, rows: bool = True,
          rejects: bool = True, provinces: set[str] | None = None) -> None:
    """Copy a source's rows and/or its rejects from the published version instead of reading it again; with
    ``provinces``, only its rows in those provinces (the others are spliced in whole: ``splice``)."""
    files = [f for f in (prev_dir / f"{stats.table}.parquet", prev_dir / SHADOW_DIR / f"{stats.table}.parquet")
             if f.exists()] if rows and provinces != set() else []
    if files:
        cols = ", ".join(f'"{c}"' for c in table_columns(stats.table))
        only = "" if provinces is None else f" AND provinsi_code IN ({_in_list(provinces)})"
        union = " UNION ALL ".join(f"SELECT {cols} FROM read_parquet('{sql_path(f)}') WHERE source = $name{only}"
                                   for f in files)
        with warnings.catch_warnings():  # "an extra copy of the rows": a batch at a time, and the name is bound
            warnings.simplefilter("ignore", UserWarning)
            reader = con.execute(f"SELECT *, $prio::VARCHAR AS _prio FROM ({union})",
                                 {"name": stats.name, "prio": prio_of(stats)}).to_arrow_reader(CARRY_BATCH)
        schema = arrow_schema(stats.table).append(pa.field("_prio", pa.string()))
        for k, batch in enumerate(reader):
            if batch.num_rows:
                write_by_province(parts, stats.table, pa.Table.from_batches([batch]).cast(schema),
                                   f"{stats.order:05d}-carried-{k:05d}")
    old_rejects = prev_dir / "rejects.parquet"
    if rejects and old_rejects.exists():
        out = subfolder(parts, "_rejects") / f"{stats.order:05d}-carried.parquet"
        con.execute(f"COPY (SELECT {rejects_columns(old_rejects)} FROM read_parquet('{sql_path(old_rejects)}') "
                    f"WHERE source = $name) TO '{sql_path(out)}' (FORMAT parquet)", {"name": stats.name})


def rejects_columns(path: Path) -> str:
    """The contract's rejects columns of a published rejects file; in one published before rejects named their
    rule, `check` is NULL (the Kualitas data page counts those as 'other')."""
    have = set(pq.read_schema(path).names)
    return ", ".join(f'"{c}"' if c in have else f'NULL::VARCHAR AS "{c}"' for c in table_columns("rejects"))


def _in_list(values: set[str]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in sorted(values)) or "NULL"


def _province_row_groups(path: Path) -> list[str] | None:
    """The province of each row group of a published file, or None when one spans two (or has no statistics)."""
    meta = pq.ParquetFile(path).metadata
    col = meta.schema.names.index("provinsi_code")
    out = []
    for i in range(meta.num_row_groups):
        st = meta.row_group(i).column(col).statistics
        if st is None or not st.has_min_max or st.min != st.max:
            return None
        out.append(st.min)
    return out


def touched_provinces(con: duckdb.DuckDBPyConnection, prev_dir: Path | None, parts: Path,
                      carried: list[SourceStats], prev_sources: dict) -> set[str] | None:
    """The provinces of the activities a build must merge again (see the module docstring), or None when the whole
    table must be: no published file, a row group spanning provinces, or carried sources listed in another order
    than before (their rows' precedence on equal keys could then change)."""
    table = BY_PROVINCE
    prev = prev_dir / f"{table}.parquet" if prev_dir is not None else None
    if prev is None or not prev.exists() or _province_row_groups(prev) is None:
        return None
    mine = [s.name for s in sorted(carried, key=lambda s: s.order) if s.table == table]
    before = [n for n, old in prev_sources.items() if old.get("table") == table and n in set(mine)]
    if mine != before:
        return None
    changed = [n for n, old in prev_sources.items() if old.get("table") == table and n not in set(mine)]
    olds = [f for f in (prev, prev_dir / SHADOW_DIR / f"{table}.parquet") if f.exists()]  # type: ignore[operator]
    new = sorted((parts / table).glob(f"{PROVINCE_DIR}*/*.parquet")) if (parts / table).exists() else []
    key = ", ".join(f'"{k}"' for k in KEYS[table])
    published = " UNION ALL ".join(f"SELECT provinsi_code, source, {key} FROM read_parquet('{sql_path(f)}')"
                                   for f in olds)
    keys = [f"SELECT {key} FROM ({published}) WHERE source IN (SELECT unnest($changed::VARCHAR[]))"]
    if new:
        keys.append(f"SELECT {key} FROM read_parquet({[str(f) for f in new]!r}, hive_partitioning = false)")
    on = " AND ".join(f"p.{k} IS NOT DISTINCT FROM k.{k}" for k in (f'"{c}"' for c in KEYS[table]))
    got = con.execute(f"SELECT DISTINCT p.provinsi_code FROM ({published}) p SEMI JOIN ({' UNION '.join(keys)}) k "
                      f"ON {on}", {"changed": changed}).fetchall()
    return {r[0] for r in got} | {d.name[len(PROVINCE_DIR):] for d in (parts / table).glob(f"{PROVINCE_DIR}*")
                                  if any(d.glob("*.parquet"))}


def splice(con: duckdb.DuckDBPyConnection, prev_dir: Path, staging: Path, touched: set[str]) -> tuple[int, int]:
    """staging/<table>.parquet (the merged touched provinces) with the published rows of every other province put
    in, province by province in code order; the same for the shadowed rows. Returns (rows, shadowed rows kept)."""
    table = BY_PROVINCE
    merged, prev = staging / f"{table}.parquet", prev_dir / f"{table}.parquet"
    fresh = staging / f"{table}.new.parquet"
    merged.rename(fresh)
    cols = list(table_columns(table))
    # the published dictionaries are read as they are and written again without hashing every value (their
    # columns read back as strings: the file keeps no Arrow schema)
    old_file = pq.ParquetFile(prev, read_dictionary=dictionary_columns(table, cols))
    pieces = [(p, lambda i=i: old_file.read_row_group(i)) for i, p in enumerate(_province_row_groups(prev) or [])
              if p not in touched]
    pieces += _by_province(fresh)
    schema = pa.schema([old_file.schema_arrow.field(c) for c in cols])
    rows = 0
    with pq.ParquetWriter(merged, schema, compression="zstd", store_schema=False,
                          use_dictionary=dictionary_columns(table, cols),
                          write_statistics=[c for c in cols if c not in NO_STATISTICS.get(table, ())]) as writer, \
            ThreadPoolExecutor(1) as reader:
        # stable: a province's groups keep their order; the next group is read while one is written
        reads = [read for _prov, read in sorted(pieces, key=lambda s: s[0])]
        pending = reader.submit(reads[0]) if reads else None
        for k in range(len(reads)):
            group = pending.result()  # type: ignore[union-attr]
            pending = reader.submit(reads[k + 1]) if k + 1 < len(reads) else None
            writer.write_table(group.select(cols).cast(schema), row_group_size=ROW_GROUP)
            rows += group.num_rows
    fresh.unlink()
    old_shadow = prev_dir / SHADOW_DIR / f"{table}.parquet"
    if not old_shadow.exists():
        return rows, 0
    shadow = subfolder(staging, SHADOW_DIR) / f"{table}.parquet"
    keep = f"SELECT * FROM read_parquet('{sql_path(old_shadow)}') WHERE provinsi_code NOT IN ({_in_list(touched)})"
    kept = con.execute(f"SELECT count(*) FROM ({keep})").fetchone()[0]  # type: ignore[index]
    if kept:
        both = f"SELECT * FROM read_parquet('{sql_path(shadow)}') UNION ALL {keep}" if shadow.exists() else keep
        con.execute(f"COPY ({both} ORDER BY source) TO '{sql_path(shadow)}.tmp' (FORMAT parquet, COMPRESSION zstd)")
        Path(f"{shadow}.tmp").rename(shadow)
    return rows, kept


def _by_province(path: Path) -> list[tuple[str, Callable[[], pa.Table]]]:
    """(province, reader) of each province's rows of a sorted file: its row groups when each holds one province
    (etl.merge writes a province at a time), else the file read whole and cut by province (the merge of repeated
    keys writes it in one query)."""
    provinces = _province_row_groups(path)
    file = pq.ParquetFile(path)
    if provinces is not None:
        return [(p, lambda i=i: file.read_row_group(i)) for i, p in enumerate(provinces)]
    whole = file.read()
    out: list[tuple[str, Callable[[], pa.Table]]] = []
    for prov in sorted(set(whole["provinsi_code"].to_pylist())):
        out.append((prov, lambda prov=prov: whole.filter(pc.equal(whole["provinsi_code"], prov))))
    return out
