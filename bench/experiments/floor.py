"""The floor of a checked build: the fewest checks any build must make, each once and natively, against plain.

    python bench/experiments/floor.py [SOURCE] [--repeat N]

Over the activity CSVs of SOURCE (default: the national benchmark sources, 9 in 10 warehouse rows), in one
process, each repeat runs back to back:

- plain: the benchmark's baseline (``bench.plain.csv_polars``: polars ``scan_csv().sink_parquet()``, every
  column as text);
- minimal checked: the same files read by polars (the header found by ``etl.readers.csv_layout``); each
  distinct date, body and activity type parsed once by the reference parsers of ``etl.parse``, then mapped
  onto the rows natively (``replace_strict``); participants cast; organizer and location codes looked up in
  the region list; activity ids checked for repeats; a row flag of all of these. No row is dropped (names
  are not resolved: their rows stay, as if they had resolved), no reject is reported, no contract, no
  reference path, no merge across sources. Then the rows are sorted by region code and written as zstd
  Parquet, one file a province (the warehouse's layout), and, apart, written unsorted;
- minimal streamed: the kindest case, the same checks but the id check in one lazy plan per file from the
  scan to ``sink_parquet`` (the distinct values found by a first streamed scan), unsorted.

What a real build does beyond this (name resolution, reject messages, the contract, the small tables, the SQL
source, the aggregates) only adds to it, so the ratio minimal / plain bounds what any build that checks these
files can reach on this machine.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import polars as pl  # noqa: E402

from bench.plain import csv_polars  # noqa: E402
from etl import parse  # noqa: E402
from etl.readers import ReadLog, Source, csv_layout  # noqa: E402
from etl.regions import regions_table  # noqa: E402

OUT = ROOT / "bench" / "out" / "experiments" / "floor"
DEFAULT_SOURCE = ROOT / "bench" / "out" / "sources" / "national-seed0"


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def plain(files: list[Path]) -> None:
    """The benchmark's baseline, file by file (``bench.plain.csv_polars``: the file is sniffed, then converted)."""
    for f in files:
        csv_polars(f, OUT / f"plain_{f.stem}.parquet")


def _mapped(column: str, distinct: list[str], parser, dtype: pl.DataType) -> pl.Expr:
    """``column`` parsed: each distinct value once in Python, mapped onto the rows natively (null where bad)."""
    values = [None if not u.strip() else parser(u) for u in distinct]
    values = [None if v is parse._BAD else v for v in values]
    return pl.col(column).replace_strict(pl.Series(distinct, dtype=pl.String), pl.Series(values, dtype=dtype),
                                         return_dtype=dtype)


PARSED = (("tanggal", parse.parse_date_value, pl.Date), ("lembaga_penyelenggara", "BODIES", pl.String),
          ("jenis", "ACTIVITY_TYPES", pl.String))


def _parsers(distinct: tuple[list[str], ...]) -> list[pl.Expr]:
    """Date, body and type expressions from each column's distinct values."""
    return [_mapped(c, d, _choice(p) if isinstance(p, str) else p, t) for (c, p, t), d in zip(PARSED, distinct,
                                                                                            strict=True)]


def _choice(vocab: str):
    lookup = parse.vocabulary_lookup(parse.vocabulary(vocab))
    return lambda t: lookup.get(parse.choice_key(t), parse._BAD)


def _layout(f: Path) -> pl.LazyFrame:
    """The activity CSV ``f`` as a lazy frame of canonical text columns (blank for missing)."""
    layout = csv_layout(f, Source(name=f.name, table="activities", path=f), ReadLog())
    names = [layout.names[i] for i in layout.positions]
    canonical = {n: layout.match.mapping[n] for n in names}
    enc = "utf8" if layout.encoding.replace("-", "").lower() in ("utf8", "utf8sig") else "utf8-lossy"
    return pl.scan_csv(f, separator=layout.sep, encoding=enc, infer_schema=False, skip_rows=layout.header_idx,
                       quote_char='"').select(names).rename(canonical).with_columns(pl.all().fill_null(""))


def _rows(date: pl.Expr, body: pl.Expr, kind: pl.Expr, codes: pl.Series, ids: bool) -> list[pl.Expr]:
    """The warehouse columns and the row flag ``_ok`` (with the repeated-id check when ``ids``)."""
    org, loc = pl.col("penyelenggara").str.strip_chars(), pl.col("lokasi").str.strip_chars()
    ok = org.is_in(codes.implode()) & loc.is_in(codes.implode()) & date.is_not_null() & kind.is_not_null()
    if ids:
        ok = ok & pl.col("id_kegiatan").str.strip_chars().is_first_distinct()
    return [pl.col("id_kegiatan").str.strip_chars().alias("activity_id"), date.alias("date"),
            org.alias("organizer_code"), body.alias("organizer_body"), loc.alias("region_code"), kind.alias("type"),
            pl.col("judul").str.strip_chars().alias("title"),
            pl.col("peserta").str.strip_chars().cast(pl.Int64, strict=False).alias("participants"),
            loc.str.slice(0, 2).alias("provinsi_code"), loc.str.slice(0, 5).alias("kabkota_code"), ok.alias("_ok")]


def streamed(files: list[Path], codes: pl.Series) -> None:
    for f in files:
        lazy = _layout(f)
        distinct = lazy.select(pl.col(c).unique().implode() for c, *_ in PARSED).collect(engine="streaming").row(0)
        date, body, kind = _parsers(distinct)
        lazy.select(_rows(date, body, kind, codes, ids=False)).sink_parquet(
            OUT / f"streamed_{f.stem}.parquet", compression="zstd", statistics=False)


def checked(files: list[Path], codes: pl.Series, stages: dict[str, float]) -> int:
    frames = []
    for f in files:
        t0 = time.perf_counter()
        raw = _layout(f).collect()
        t1 = time.perf_counter()
        date, body, kind = _parsers(raw.select(pl.col(c).unique().implode() for c, *_ in PARSED).row(0))
        t2 = time.perf_counter()
        frames.append(raw.lazy().select(_rows(date, body, kind, codes, ids=True)).collect().drop("_ok"))
        t3 = time.perf_counter()
        stages["read"] += t1 - t0
        stages["distinct values"] += t2 - t1
        stages["checks"] += t3 - t2
    t0 = time.perf_counter()
    rows = pl.concat(frames)
    for i, frame in enumerate(frames):
        frame.write_parquet(OUT / f"unsorted_{i}.parquet", compression="zstd", statistics=False)
    t1 = time.perf_counter()
    ordered = rows.sort("region_code")
    t2 = time.perf_counter()
    for (prov,), part in ordered.group_by("provinsi_code", maintain_order=True):
        part.write_parquet(OUT / f"activities_{prov}.parquet", compression="zstd", statistics=False)
    t3 = time.perf_counter()
    stages["write unsorted"] += t1 - t0
    stages["sort"] += t2 - t1
    stages["write sorted"] += t3 - t2
    return rows.height


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("source", type=Path, nargs="?", default=DEFAULT_SOURCE)
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args(argv)
    files = sorted((args.source / "kegiatan").glob("*.csv"))
    if not files:
        print(f"no activity CSVs under {args.source / 'kegiatan'}: run bench/run.py --scale national first")
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    codes = pl.Series(regions_table()["code"].tolist(), dtype=pl.String)
    walls: dict[str, list[float]] = {"plain": [], "minimal, sorted": [], "minimal, unsorted": [],
                                     "minimal streamed": []}
    cpus: dict[str, list[float]] = {"plain": [], "minimal": []}
    stages: dict[str, float] = dict.fromkeys(
        ("read", "distinct values", "checks", "write unsorted", "sort", "write sorted"), 0.0)
    rows = 0
    for _ in range(args.repeat):
        t, c = time.perf_counter(), _cpu()
        plain(files)
        walls["plain"].append(time.perf_counter() - t)
        cpus["plain"].append(_cpu() - c)
        before = dict(stages)
        t, c = time.perf_counter(), _cpu()
        rows = checked(files, codes, stages)
        total = time.perf_counter() - t
        cpus["minimal"].append(_cpu() - c)
        unsorted = sum(stages[k] - before[k] for k in ("read", "distinct values", "checks", "write unsorted"))
        walls["minimal, sorted"].append(total - (stages["write unsorted"] - before["write unsorted"]))
        walls["minimal, unsorted"].append(unsorted)
        t = time.perf_counter()
        streamed(files, codes)
        walls["minimal streamed"].append(time.perf_counter() - t)
    size = sum(f.stat().st_size for f in files)
    print(f"{len(files)} activity CSVs, {size / 1e6:,.0f} MB, {rows:,} rows; {args.repeat} repeats, median (min-max);"
          f" polars {pl.__version__}, {pl.thread_pool_size()} threads")
    base = statistics.median(walls["plain"])
    for name, values in walls.items():
        med = statistics.median(values)
        print(f"  {name:<18} {med:6.2f} s ({min(values):.2f}-{max(values):.2f})  {med / base:4.2f}x plain")
    for name, values in cpus.items():
        print(f"  CPU {name:<14} {statistics.median(values):6.2f} s")
    print("  minimal's stages, summed over the repeats / repeats: "
          + ", ".join(f"{k} {v / args.repeat:.2f} s" for k, v in stages.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
