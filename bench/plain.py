"""The baseline: convert the same source files the ETL reads to Parquet, plainly, with no checks.

    python -m bench.plain --engine polars|pyarrow SOURCE_DIR OUT_DIR   -> one JSON line on stdout

CSV files stream through polars (`scan_csv().sink_parquet()`) or pyarrow (`csv.open_csv` into a
`ParquetWriter`); every column is kept as text (no type inference: nothing to check or fail). polars reads
every file as utf8-lossy, so only the head is sniffed for the separator; pyarrow decodes, so each file is
first checked whole for UTF-8 (else cp1252). XLSX sheets are read as a cell grid with python-calamine (both
engines) and written the same way. SQL sources are not converted (counted only). The files come from
`etl.inputs.discover`, so the list is exactly the ETL's.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

COMPRESSION = "zstd"


def sniff(path: Path, *, encoding: bool = True) -> tuple[str, str | None]:
    """(separator, encoding) of a CSV: ';' or ',' by the first non-blank line. The encoding is utf-8 when the whole
    file decodes, else cp1252; with ``encoding=False`` only the head is read and the encoding is None (unknown)."""
    enc: str | None = None
    if encoding:
        data = path.read_bytes()
        try:
            data.decode("utf-8")
            enc = "utf-8"
        except UnicodeDecodeError:
            enc = "cp1252"
    else:
        with open(path, "rb") as fh:
            data = fh.read(8192)
    head = data[:8192].decode(enc or "utf-8", "replace").lstrip("\ufeff").splitlines()
    first = next((line for line in head if line.strip()), "")
    return (";" if first.count(";") > first.count(",") else ","), enc


def csv_polars(path: Path, out: Path) -> int:
    import polars as pl

    sep, _ = sniff(path, encoding=False)  # read as utf8-lossy: the encoding is not needed
    pl.scan_csv(path, separator=sep, encoding="utf8-lossy", infer_schema=False, truncate_ragged_lines=True,
                quote_char='"').sink_parquet(out, compression=COMPRESSION)
    return pq.ParquetFile(out).metadata.num_rows


def csv_pyarrow(path: Path, out: Path) -> int:
    from pyarrow import csv as pacsv

    sep, enc = sniff(path)
    with open(path, encoding=enc, newline="") as fh:
        names = next(csv.reader(io.StringIO(fh.readline().lstrip("\ufeff")), delimiter=sep))
    names = [n if n else f"col{i}" for i, n in enumerate(names)]
    names = [f"{n}_{i}" if names.count(n) > 1 else n for i, n in enumerate(names)]
    reader = pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(encoding=enc, block_size=1 << 24, column_names=names, skip_rows=1),
        parse_options=pacsv.ParseOptions(delimiter=sep, invalid_row_handler=lambda row: "skip"),
        convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names}),
    )
    rows = 0
    with pq.ParquetWriter(out, reader.schema, compression=COMPRESSION) as writer:
        for batch in reader:
            writer.write_batch(batch)
            rows += batch.num_rows
    return rows


def xlsx_grid(path: Path, out: Path, sheet: str | None) -> int:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    names = [sheet] if sheet else wb.sheet_names
    rows = 0
    tables = []
    for name in names:
        grid = wb.get_sheet_by_name(name).to_python(skip_empty_area=True)
        width = max((len(r) for r in grid), default=0)
        cols = [[None if i >= len(r) or r[i] in ("", None) else str(r[i]) for r in grid] for i in range(width)]
        tables.append(pa.table({f"c{i}": pa.array(c, pa.string()) for i, c in enumerate(cols)}))
        rows += len(grid)
    if tables:
        pq.write_table(pa.concat_tables(tables, promote_options="permissive"), out, compression=COMPRESSION)
    return rows


def convert(source: Path, out_dir: Path, engine: str) -> dict:
    """Convert every file source of the ETL's input list; return counts and timings."""
    from etl.inputs import discover

    inputs = discover(source)
    out_dir.mkdir(parents=True, exist_ok=True)
    stats = {"engine": engine, "csv_files": 0, "csv_rows": 0, "csv_bytes": 0, "csv_s": 0.0,
             "xlsx_files": 0, "xlsx_rows": 0, "xlsx_bytes": 0, "xlsx_s": 0.0, "sql_sources": 0}
    to_csv = csv_polars if engine == "polars" else csv_pyarrow
    for i, spec in enumerate(inputs.sources):
        path = spec.get("path")
        if path is None:
            stats["sql_sources"] += 1
            continue
        path = Path(path)
        target = out_dir / f"{i:04d}_{path.stem}.parquet"
        kind = "xlsx" if path.suffix.lower() in (".xlsx", ".xlsm") else "csv"
        t0 = time.perf_counter()
        rows = xlsx_grid(path, target, spec.get("sheet")) if kind == "xlsx" else to_csv(path, target)
        stats[f"{kind}_s"] += time.perf_counter() - t0
        stats[f"{kind}_files"] += 1
        stats[f"{kind}_rows"] += rows
        stats[f"{kind}_bytes"] += path.stat().st_size
    stats["rows"] = stats["csv_rows"] + stats["xlsx_rows"]
    stats["out_bytes"] = sum(p.stat().st_size for p in out_dir.glob("*.parquet"))
    return stats


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--engine", choices=["polars", "pyarrow"], default="polars")
    p.add_argument("source", type=Path)
    p.add_argument("out", type=Path)
    args = p.parse_args(argv)
    t0 = time.perf_counter()
    stats = convert(args.source, args.out, args.engine)
    stats["convert_s"] = time.perf_counter() - t0
    print(json.dumps(stats))
    return 0


if __name__ == "__main__":
    sys.exit(main())
