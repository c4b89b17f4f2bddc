"""A CSV source as polars frames of raw strings, parsed by pyarrow's multi-threaded reader (the bulk path).

Same rules as ``readers._read_csv``: the layout found by ``readers.csv_layout`` (the bulk path takes only
plain ones: ``etl.intake.bulk_eligible``), every value kept as the text written, row numbers as a
spreadsheet shows them (blank lines count), rows blank in every column dropped, total rows and the notes
below the table left out as ``etl.layout.finish`` does, file-wide values added. Where pyarrow would read a file
differently from the reference reader (a row with a different number of fields, a byte the encoding
cannot decode, a file that changed its shape) it raises ``BulkUnavailable`` and the caller reads the
file again with the reference reader, which also gives the exact message for a malformed file.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv

from etl.headers import as_written
from etl.layout import (
    FIRST_CELL,
    FOOTER_ROWS,
    SKIP_FOOTER,
    SKIP_HEADER,
    SKIP_TOTAL,
    TOTAL_ROW,
    Layout,
    footer_rows,
    region_columns,
)
from etl.readers import CONTROL_BYTES, RawChunk, ReadLog, Source, csv_input, csv_layout

#: Bytes of CSV per block. pyarrow reads several blocks ahead, so memory grows with it; larger blocks are a little
#: faster (figures: docs/PERFORMANCE.md).
BLOCK_BYTES = 8 << 20
#: A file up to this size is parsed whole, on all cores, and checked as one block. Bigger blocks are faster and
#: cost memory (figures: docs/PERFORMANCE.md).
WHOLE_FILE_BYTES = 16 << 20
ROW = "_row"


class BulkUnavailable(Exception):  # noqa: N818 - a signal to use the reference path, not an error
    """The bulk path cannot read this source exactly as the reference reader would."""


@dataclass
class RawBatch:
    """A block of source rows: raw strings in canonical columns plus ``_row`` (the row number)."""

    frame: pl.DataFrame
    headers: dict[str, str]  # canonical column -> header as written

    def chunk(self, mask: pl.Series | None = None) -> RawChunk:
        """The rows where ``mask`` (all rows when None) as a reference RawChunk (pandas, index = row)."""
        sub = self.frame if mask is None else self.frame.filter(mask)
        cols = [c for c in sub.columns if c != ROW]
        index = pd.Index(sub[ROW].to_list(), name="row", dtype="int64")
        frame = pd.DataFrame({c: pd.Series(sub[c].to_list(), index=index, dtype="str") for c in cols}, index=index)
        first = int(sub[ROW][0]) if sub.height else 0
        return RawChunk(frame, first, None, dict(self.headers))


def _pyarrow_encoding(encoding: str) -> str:
    return "utf8" if encoding.replace("-", "").lower() in ("utf8", "utf8sig") else encoding


def _scan(path: Path) -> tuple[bool, bool]:
    """(any quote, any control byte) in the file, in one pass."""
    quoted = control = False
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 24), b""):
            quoted = quoted or b'"' in block
            control = control or len(block.translate(None, CONTROL_BYTES)) != len(block)
    return quoted, control


def read_csv_batches(source: Source, log: ReadLog | None = None, block_bytes: int | None = None,
                     max_rows: int | None = None) -> Iterator[RawBatch]:
    """Yield the rows of a CSV source in blocks of at most ``max_rows`` (default: one per parsed block of
    ``block_bytes``); raises BulkUnavailable, see the module docstring."""
    path = Path(source.path)  # type: ignore[arg-type]
    log = log if log is not None else ReadLog()
    layout = csv_layout(path, source, log)
    if not layout.plain:
        raise BulkUnavailable("layout")
    names = {f"f{i}": layout.names[i] for i in layout.positions}
    canonical = {f: layout.match.mapping.get(h, h) for f, h in names.items()}  # FIRST_CELL keeps its name
    headers = layout.headers_of()
    written = {canonical[f]: h for f, h in names.items() if h != FIRST_CELL}
    first = canonical[f"f{min(layout.positions)}"] if layout.positions else FIRST_CELL  # the leftmost column read
    totals = list(dict.fromkeys(c for c in [*region_columns(source.table or "activities"), FIRST_CELL, first]
                                if c in canonical.values()))  # as etl.layout.total_rows
    blocks = _open_blocks(path, layout, list(names), block_bytes)
    if blocks is None:
        return  # a header without data: 0 rows, as the reference reader
    row = layout.first_data_row
    held: pl.DataFrame | None = None  # one block held back: the notes below a table are looked for in the last
    while True:
        try:
            batch = next(blocks)
        except StopIteration:
            batch = None
        except (pa.ArrowException, UnicodeError, ValueError) as exc:
            raise BulkUnavailable(str(exc)) from None
        if batch is not None and batch.num_rows == 0:
            continue
        if held is not None:
            frame = _without_footer(held, log) if batch is None else held
            frame = frame.with_columns(pl.lit(str(f.value)).alias(f.column) for f in layout.filled
                                       if f.column not in frame.columns)
            step = max_rows or max(frame.height, 1)
            for start in range(0, frame.height, step):
                yield RawBatch(frame.slice(start, step), headers)
        if batch is None:
            return
        frame = pl.from_arrow(batch).rename(canonical)  # type: ignore[union-attr]
        frame = frame.with_columns(pl.int_range(row, row + batch.num_rows, dtype=pl.Int64).alias(ROW))
        row += batch.num_rows
        frame = _without_repeated_headers(_drop_blank_rows(frame), written, log)
        held = _without_totals(frame, totals, log).drop(FIRST_CELL, strict=False)


def _open_blocks(path: Path, layout: Layout, fields: list[str], block_bytes: int | None
                 ) -> Iterator[pa.RecordBatch] | None:
    """pyarrow's reader of the data rows under ``layout`` (None for a header without data); BulkUnavailable where it
    would read the file differently from the reference reader."""
    quoted, control = _scan(path)
    if control:
        raise BulkUnavailable("control characters")  # the reference loader sets those rows aside
    given, encoding = csv_input(path, layout.encoding)  # a mixed file: its lines in UTF-8, as the reference reads it
    read_options = pacsv.ReadOptions(skip_rows=layout.data_start, autogenerate_column_names=True,
                                     block_size=block_bytes or BLOCK_BYTES, encoding=_pyarrow_encoding(encoding))
    parse_options = pacsv.ParseOptions(delimiter=layout.sep, quote_char='"', double_quote=True,
                                       newlines_in_values=quoted, ignore_empty_lines=False)
    convert_options = pacsv.ConvertOptions(include_columns=fields, column_types={f: pa.string() for f in fields},
                                           strings_can_be_null=False, quoted_strings_can_be_null=False)
    try:
        if block_bytes is None and path.stat().st_size <= WHOLE_FILE_BYTES:
            read_options.block_size = WHOLE_FILE_BYTES  # one block
            with contextlib.closing(given) if given is not path else contextlib.nullcontext():
                return iter(pacsv.read_csv(given, read_options=read_options, parse_options=parse_options,
                                           convert_options=convert_options).to_batches())
        return pacsv.open_csv(given, read_options=read_options, parse_options=parse_options,
                              convert_options=convert_options)
    except (pa.ArrowException, UnicodeError, ValueError) as exc:
        if isinstance(exc, pa.ArrowInvalid) and "Empty CSV file" in str(exc):
            return None
        raise BulkUnavailable(str(exc)) from None


def _without_repeated_headers(frame: pl.DataFrame, written: dict[str, str], log: ReadLog) -> pl.DataFrame:
    """Without the rows that repeat the header (etl.layout.header_rows): looked for in full only when a cell of the
    first column reads as its header, which a repeated header row always has (one cheap comparison per block)."""
    cols = [c for c in written if c in frame.columns]
    if not cols or not frame.height:
        return frame

    def reads_as_header(c: str) -> pl.Expr:
        text = as_written(written[c])
        return pl.col(c).str.strip_chars().str.to_lowercase().str.replace_all(r"\s+", " ") == text

    if not frame.select(reads_as_header(cols[0]).any()).item():
        return frame
    same = pl.sum_horizontal(reads_as_header(c).cast(pl.Int32) for c in cols)
    filled = pl.sum_horizontal((pl.col(c).str.strip_chars() != "").cast(pl.Int32) for c in cols)
    repeated = (same >= 2) & (same * 2 >= filled)
    hit = frame.filter(repeated)
    if not hit.height:
        return frame
    log.skip(SKIP_HEADER, hit[ROW].to_list())
    return frame.filter(~repeated)


def _without_totals(frame: pl.DataFrame, columns: list[str], log: ReadLog) -> pl.DataFrame:
    """Without the rows whose region cell says 'JUMLAH'/'TOTAL' (etl.layout.total_rows)."""
    if not columns or not frame.height:
        return frame
    total = pl.any_horizontal(pl.col(c).str.contains(TOTAL_ROW) for c in columns)
    hit = frame.filter(total)
    if not hit.height:
        return frame
    log.skip(SKIP_TOTAL, hit[ROW].to_list())
    return frame.filter(~total)


def _without_footer(frame: pl.DataFrame, log: ReadLog) -> pl.DataFrame:
    """Without the notes below the table (etl.layout.footer_rows), looked for in the last rows only."""
    tail = frame.tail(FOOTER_ROWS)
    pdf = pd.DataFrame({c: tail[c].to_list() for c in tail.columns if c != ROW}, index=tail[ROW].to_list())
    footer = footer_rows(pdf)
    if not len(footer):
        return frame
    log.skip(SKIP_FOOTER, footer)
    return frame.filter(~pl.col(ROW).is_in(list(footer)))


def _drop_blank_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """The rows with text in some column (the frame holds no nulls: ``strings_can_be_null=False``): a row whose
    first column starts with a non-space is kept without stripping all of its columns (much quicker); only the
    others are checked in full."""
    cols = [c for c in frame.columns if c not in (ROW, FIRST_CELL)]  # a numbered row with nothing else is blank
    if not cols:
        return frame
    unsure = frame.filter(~pl.col(cols[0]).str.contains(r"^\S"))
    if not unsure.height:
        return frame
    blank = unsure.filter(pl.all_horizontal([pl.col(c).str.strip_chars().str.len_bytes() == 0 for c in cols]))[ROW]
    return frame.filter(~pl.col(ROW).is_in(blank.implode())) if blank.len() else frame
