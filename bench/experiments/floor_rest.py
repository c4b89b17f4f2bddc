"""What the floor leaves out: the build's other sources read natively, with no checks at all, against the floor.

    python bench/experiments/floor_rest.py [SOURCE]

``bench/experiments/floor.py`` covers the activity CSVs under ``kegiatan/`` (9 in 10 warehouse rows). A national
build reads every source of the manifest. This reads the others as cheaply as any build could: CSVs by polars
(every column as text, the header found by ``etl.readers.csv_layout``), each spreadsheet's sheets by calamine, the
SQL sources' tables by sqlite3 into polars; nothing is parsed, checked or written. It prints their count, rows and
time, so the floor's figure can be read against the whole build's inputs.
"""

from __future__ import annotations

import argparse
import resource
import sqlite3
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import polars as pl  # noqa: E402
from python_calamine import CalamineWorkbook  # noqa: E402

from etl.readers import ReadLog, Source, csv_layout  # noqa: E402

DEFAULT_SOURCE = ROOT / "bench" / "out" / "sources" / "national-seed0"


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _csv(path: Path, table: str) -> int:
    layout = csv_layout(path, Source(name=path.name, table=table, path=path), ReadLog())
    enc = "utf8" if layout.encoding.replace("-", "").lower() in ("utf8", "utf8sig") else "utf8-lossy"
    return pl.read_csv(path, separator=layout.sep, encoding=enc, infer_schema=False, skip_rows=layout.header_idx,
                       truncate_ragged_lines=True).height


def _xlsx(path: Path) -> int:
    wb = CalamineWorkbook.from_path(str(path))
    return sum(len(wb.get_sheet_by_name(n).to_python()) for n in wb.sheet_names)


def _sql(url: str, table: str) -> int:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as con:
        return len(con.execute(f'SELECT * FROM "{table}"').fetchall())  # noqa: S608 - a benchmark's own file


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("source", type=Path, nargs="?", default=DEFAULT_SOURCE)
    args = p.parse_args(argv)
    manifest = tomllib.loads((args.source / "sources.toml").read_text(encoding="utf-8"))
    floor = {f.resolve() for f in (args.source / "kegiatan").glob("*.csv")}
    count = rows = 0
    t, c = time.perf_counter(), _cpu()
    for entry in manifest["source"]:
        if "path" in entry:
            path = (args.source / entry["path"]).resolve()
            if path in floor:
                continue
            rows += _xlsx(path) if path.suffix.lower() in (".xlsx", ".xls") else _csv(path, entry["table"])
        else:
            url = str(entry["url"])
            if not url.startswith("sqlite:////"):
                url = "sqlite:///" + str((args.source / url.removeprefix("sqlite:///")).resolve())
            rows += _sql(url, entry["sql_table"])
        count += 1
    print(f"{count} sources the floor leaves out, {rows:,} rows (header and title rows included), read with no checks:"
          f" {time.perf_counter() - t:.2f} s wall, {_cpu() - c:.2f} s CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
