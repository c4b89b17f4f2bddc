"""Reading one source into staged Parquet parts, in the build's process or in a worker (etl.parallel).

A source is read chunk by chunk (CHUNK_ROWS; a bulk activities CSV by parsed blocks, etl.csv_arrow); each chunk's
good rows go to parts/<table>/p=<provinsi_code>/<order>-<chunk>.parquet, one file per province, and its rejects
to parts/_rejects/. File names start with the source's order in the run, so two sources never write one file,
and what a source wrote can be dropped (drop_parts) when it is read again.

Also here: the contract's Arrow types (arrow_schema, to_arrow), the counts of one source in one run
(SourceStats), and the memory settings of a reading process (glibc's thresholds, handing freed memory back).
Importing this module does not import etl.loaders or etl.readers: the functions that read a source import them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from etl.inputs import read_only_url
from etl.spec import table_columns

if TYPE_CHECKING:
    from etl.loaders import LoadResult

#: Parts are kept per province in folders named PROVINCE_DIR + provinsi_code (see write_by_province).
PROVINCE_DIR = "p="
#: Columns of nearly unique values, written without a dictionary (it grows to its limit, then is dropped): with
#: merge.NO_STATISTICS, the merge writes the activities faster (docs/PERFORMANCE.md).
NO_DICTIONARY = {"activities": ("activity_id",)}
#: Source rows in memory at once (the readers' default is 200,000). More rows cost memory while reading, but the
#: peak of a big load is the merge, and fewer cost CPU (figures: docs/PERFORMANCE.md).
CHUNK_ROWS = 100_000
#: glibc thresholds of a read worker (etl.parallel): blocks under 16 MiB come from the heap, and the heap keeps up
#: to 16 MiB free at its top. With the build's 256 KiB every such block was mapped and unmapped again, a page
#: fault for each 4 KiB it touched (figures: docs/PERFORMANCE.md). A worker hands its heap back after each
#: source (return_freed_memory).
WORKER_MMAP_THRESHOLD = WORKER_TRIM_THRESHOLD = 16 << 20
_ARROW = {"string": pa.string(), "int64": pa.int64(), "float64": pa.float64(), "bool": pa.bool_(),
          "date": pa.date32(), "timestamp": pa.timestamp("us", tz="UTC")}

Progress = Callable[[str, dict], None]


def arrow_schema(table: str) -> pa.Schema:
    return pa.schema([(name, _ARROW[kind]) for name, kind in table_columns(table).items()])


def to_arrow(frame: pd.DataFrame, table: str) -> pa.Table:
    """A DataFrame in the contract's columns as an Arrow table of exactly the contract's types."""
    schema = arrow_schema(table)
    arrays = []
    for fld in schema:
        col = frame[fld.name] if fld.name in frame.columns else pd.Series([None] * len(frame), dtype="object")
        if pa.types.is_date32(fld.type) and not col.empty and str(col.dtype).startswith("datetime"):
            col = col.dt.date
        arr = pa.array(col, from_pandas=True)
        arrays.append(arr.cast(fld.type, safe=False) if arr.type != fld.type else arr)
    return pa.Table.from_arrays(arrays, schema=schema)


@dataclass
class SourceStats:
    """One source in one run. rows_* count what this run did (all 0 when the source was reused)."""

    name: str
    table: str
    sha256: str = ""
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    reused: bool = False
    loaded_run: str = ""      # the run that last read this source
    order: int = 0
    loaded: dict[str, int] = field(default_factory=dict)  # read/loaded/rejected of the run that read it
    values: dict[str, str] = field(default_factory=dict)  # given for whole columns (--set, sources.toml)
    filled: list[dict] = field(default_factory=list)      # columns filled for the whole file, and from where
    scope: str = ""           # only rows inside this region code load (an upload of a provinsi/kabkota account)
    refused: str = ""         # why it could not be read, when --keep-going set it aside (etl.keep_going)
    encoding: str = ""        # a CSV's encoding ('utf-8', 'cp1252', 'utf-8+cp1252': readers.MIXED)
    encoding_note: str = ""   # a mixed one's lines read as Windows-1252, in words (readers.Decoding.describe)

    def record(self) -> dict:
        """The entry in etl_runs.inputs ("refused" and "rows_kept", its rows of an earlier run, only for a source set
        aside)."""
        rec = {"source": self.name, "table": self.table, "sha256": self.sha256, "rows_read": self.rows_read,
               "rows_loaded": self.rows_loaded, "rows_rejected": self.rows_rejected, "reused": self.reused,
               "loaded_run": self.loaded_run, "values": self.values, "filled": self.filled}
        rec |= {k: v for k, v in (("encoding", self.encoding), ("encoding_note", self.encoding_note)) if v}
        kept = self.loaded.get("loaded", 0) if self.reused else 0
        return rec | {"refused": self.refused, "rows_kept": kept} if self.refused else rec


@dataclass(frozen=True)
class LoadJob:
    """What every source read in a run shares: where parts go, the run, the day, rows per chunk."""

    parts: Path
    run_id: str
    today: date
    chunk_rows: int | None = None


def make_source(spec: dict):  # noqa: ANN201 - etl.readers.Source, imported lazily
    """A readers.Source from one entry of inputs.discover (SQL URLs opened read-only)."""
    from etl.readers import Source

    kwargs: dict = {"table": spec.get("table"), "values": {**spec.get("context", {}), **spec.get("values", {})},
                    "defaults": dict(spec.get("defaults") or {}), "name": spec["name"],
                    "scope": spec.get("scope") or None}
    if "path" in spec:
        kwargs["path"] = spec["path"]
        kwargs["sheet"] = spec.get("sheet")
    else:
        kwargs["url"] = read_only_url(spec["url"])
        kwargs["sql_table"] = spec.get("sql_table")  # "schema.table" is read from that schema
        kwargs["query"] = spec.get("query")
        kwargs["params"] = dict(spec.get("params") or {})
    return Source(**kwargs)


def load_into_parts(spec: dict, stats: SourceStats, job: LoadJob, notify: Progress) -> SourceStats:
    """Read one source (an entry of inputs.discover) into parts and rejects under job.parts; fills `stats`.

    Runs in the build's process or in a worker (etl.parallel); file names carry stats.order, so two
    sources never write the same file. Raises SourceError when the source cannot be read at all.
    """
    from etl.intake import bulk_eligible, load_source
    from etl.readers import ReadLog, sha256_of
    from etl.regions import default_resolver

    src = make_source(spec)
    notify("source", {"name": stats.name, "table": stats.table})
    if not (stats.sha256 or src.is_sql):  # an SQL source is hashed as its rows are read (ReadLog.sha256)
        stats.sha256 = sha256_of(src)
    rows = job.chunk_rows or (None if bulk_eligible(src) else CHUNK_ROWS)
    log = ReadLog()
    results = load_source(src, default_resolver(), run_id=job.run_id, today=job.today, chunk_rows=rows, log=log,
                          restart=lambda: drop_parts(job.parts, stats))
    for i, res in enumerate(results):
        _write_part(job.parts, stats, i, res)
        if len(res.rejects):
            pq.write_table(to_arrow(res.rejects, "rejects"),
                           subfolder(job.parts, "_rejects") / f"{stats.order:05d}-{i:05d}.parquet")
        stats.rows_read += res.rows_read
        stats.rows_loaded += res.n_good
        stats.rows_rejected += res.rejects["row"].nunique() if len(res.rejects) else 0  # rows, as check counts
        notify("rows", {"name": stats.name, "rows": res.rows_read})
    stats.loaded = {"read": stats.rows_read, "loaded": stats.rows_loaded, "rejected": stats.rows_rejected}
    stats.filled = [f.record() for f in log.filled]
    if log.decoding is not None:
        stats.encoding = log.decoding.encoding
        stats.encoding_note = log.decoding.describe() if log.decoding.mixed else ""
    stats.sha256 = log.sha256 or stats.sha256 or sha256_of(src)  # SQL: the rows this run loaded
    return stats


def _write_part(parts: Path, stats: SourceStats, i: int, res: LoadResult) -> None:
    if not res.n_good:
        return
    tbl = res.arrow.cast(arrow_schema(stats.table)) if res.arrow is not None else to_arrow(res.good, stats.table)
    tbl = tbl.append_column("_prio", pa.repeat(pa.scalar(prio_of(stats), pa.string()), len(tbl)))
    write_by_province(parts, stats.table, tbl, f"{stats.order:05d}-{i:05d}")


def prio_of(stats: SourceStats) -> str:
    """Rank of a source's rows when keys collide: later loaded run first, then later in the source list."""
    return f"{stats.loaded_run}-{stats.order:05d}"


def write_by_province(parts: Path, table: str, tbl: pa.Table, name: str) -> None:
    """Rows of a part in one file per province (parts/<table>/p=<provinsi_code>/name.parquet): the merge sorts
    one province at a time and appends them in code order, which is the table's order (SORT starts with the
    region code, whose first two digits are the province). Parts are read whole, once: no statistics, and no
    dictionary for NO_DICTIONARY columns (the others keep theirs: their repeated values then stay shared in
    memory, which the merge's sort and write need)."""
    provinces = pc.unique(tbl["provinsi_code"]).to_pylist()
    folder = parts / table
    dictionary = dictionary_columns(table, tbl.column_names)
    for prov in provinces:
        piece = tbl if len(provinces) == 1 else tbl.filter(pc.equal(tbl["provinsi_code"], prov))
        pq.write_table(piece, subfolder(folder, f"{PROVINCE_DIR}{prov}") / f"{name}.parquet", compression="lz4",
                       use_dictionary=dictionary, write_statistics=False)


def dictionary_columns(table: str, columns: Iterable[str]) -> list[str]:
    """The columns written with a Parquet dictionary: all but the table's NO_DICTIONARY ones."""
    return [c for c in columns if c not in NO_DICTIONARY.get(table, ())]


def subfolder(parts: Path, name: str) -> Path:
    folder = parts / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def refuse(parts: Path, stats: SourceStats, why: Exception) -> None:
    """Set a source that cannot be read aside (--keep-going): what it wrote is dropped, the reason kept."""
    drop_parts(parts, stats)
    stats.refused = str(why)


def drop_parts(parts: Path, stats: SourceStats) -> None:
    """Forget what a source wrote so far (its bulk read gave up part-way and starts again)."""
    for folder in (parts / stats.table, parts / "_rejects"):
        for f in folder.rglob(f"{stats.order:05d}-*.parquet") if folder.exists() else []:
            f.unlink()
    stats.rows_read = stats.rows_loaded = stats.rows_rejected = 0


# ---------------------------------------------------------------------------


def malloc_tuning(mmap_threshold: int = 256 * 1024, trim_threshold: int | None = None) -> None:
    """glibc: keep blocks of ``mmap_threshold`` bytes and more in their own mappings (returned to the OS when
    freed); ``trim_threshold``: free bytes the heap keeps at its top (glibc's default when None).

    By default the threshold grows with every freed large block, so the chunks' arrays end up in the heap
    and stay there after they are freed (more peak RSS on a big source: docs/PERFORMANCE.md).
    """
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, mmap_threshold)  # M_MMAP_THRESHOLD
        if trim_threshold is not None:
            libc.mallopt(-1, trim_threshold)  # M_TRIM_THRESHOLD


def release_memory() -> None:
    """Hand what reading held back to the OS before DuckDB's merge (the region resolver is rebuilt on demand)."""
    import gc

    from etl.regions import default_resolver

    default_resolver.cache_clear()
    gc.collect()
    return_freed_memory()


def return_freed_memory() -> None:
    """Give memory already freed back to the OS: pyarrow's pool and glibc's heap (no gc pass)."""
    pa.default_memory_pool().release_unused()
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
