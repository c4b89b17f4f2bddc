"""A CSV source as polars frames of raw strings, parsed by pyarrow's multi-threaded reader (the bulk path).

Same rules as ``readers._read_csv``: the header row and separator found by ``readers.csv_layout``,
every value kept as the text written, row numbers as a spreadsheet shows them (blank lines count),
rows blank in every column dropped, context columns added. Where pyarrow would read a file
differently from the reference reader (a row with a different number of fields, a byte the encoding
cannot decode, a file that changed its shape) it raises ``BulkUnavailable`` and the caller reads the
file again with the reference reader, which also gives the exact message for a malformed file.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv

from etl.readers import RawChunk, ReadLog, Source, csv_layout

#: Bytes of CSV per block (about 60,000 activity rows). pyarrow reads several blocks ahead, so memory grows with
#: it: a 400 MB file peaked at 1.27 GB with 32 MB blocks and 0.84 GB with 8 MB, for about 10 % of speed.
BLOCK_BYTES = 8 << 20
#: A file up to this size is parsed whole, on all cores, and checked as one block. Bigger blocks are faster and
#: cost memory: at 64 MB two workers peaked at 1.8 GB in the national build, at 16 MB at 1.2-1.3 GB, ~1 s slower.
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


def _contains(path: Path, needle: bytes) -> bool:
    with open(path, "rb") as f:
        return any(needle in block for block in iter(lambda: f.read(1 << 24), b""))


def read_csv_batches(source: Source, log: ReadLog | None = None, block_bytes: int | None = None,
                     max_rows: int | None = None) -> Iterator[RawBatch]:
    """Yield the rows of a CSV source in blocks of at most ``max_rows`` (default: one per parsed block of
    ``block_bytes``); raises BulkUnavailable, see the module docstring."""
    path = Path(source.path)  # type: ignore[arg-type]
    log = log if log is not None else ReadLog()
    layout = csv_layout(path, source, log)
    names = {f"f{i}": layout.names[i] for i in layout.positions}
    canonical = {f: layout.match.mapping[h] for f, h in names.items()}
    headers = layout.match.source_of
    quoted = _contains(path, b'"')
    read_options = pacsv.ReadOptions(skip_rows=layout.header_idx + 1, autogenerate_column_names=True,
                                     block_size=block_bytes or BLOCK_BYTES,
                                     encoding=_pyarrow_encoding(layout.encoding))
    parse_options = pacsv.ParseOptions(delimiter=layout.sep, quote_char='"', double_quote=True,
                                       newlines_in_values=quoted, ignore_empty_lines=False)
    convert_options = pacsv.ConvertOptions(include_columns=list(names), column_types={f: pa.string() for f in names},
                                           strings_can_be_null=False, quoted_strings_can_be_null=False)
    try:
        if block_bytes is None and path.stat().st_size <= WHOLE_FILE_BYTES:
            read_options.block_size = WHOLE_FILE_BYTES  # one block
            blocks = iter(pacsv.read_csv(path, read_options=read_options, parse_options=parse_options,
                                         convert_options=convert_options).to_batches())
        else:
            blocks = pacsv.open_csv(path, read_options=read_options, parse_options=parse_options,
                                    convert_options=convert_options)
    except (pa.ArrowException, UnicodeError, ValueError) as exc:
        if isinstance(exc, pa.ArrowInvalid) and "Empty CSV file" in str(exc):
            return  # a header without data: 0 rows, as the reference reader
        raise BulkUnavailable(str(exc)) from None
    row = layout.first_data_row
    while True:
        try:
            batch = next(blocks)
        except StopIteration:
            return
        except (pa.ArrowException, UnicodeError, ValueError) as exc:
            raise BulkUnavailable(str(exc)) from None
        n = batch.num_rows
        if n == 0:
            continue
        frame = pl.from_arrow(batch).rename(canonical)  # type: ignore[union-attr]
        frame = frame.with_columns(pl.int_range(row, row + n, dtype=pl.Int64).alias(ROW))
        row += n
        frame = _drop_blank_rows(frame)
        for col, value in source.context.items():
            if col not in frame.columns:
                frame = frame.with_columns(pl.lit(str(value)).alias(col))
                headers[col] = col
        step = max_rows or max(frame.height, 1)
        for start in range(0, frame.height, step):
            yield RawBatch(frame.slice(start, step), headers)


def _drop_blank_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """The rows with text in some column (the frame holds no nulls: ``strings_can_be_null=False``): a row whose
    first column starts with a non-space is kept without stripping all of its columns (10x quicker); only the
    others are checked in full."""
    cols = [c for c in frame.columns if c != ROW]
    if not cols:
        return frame
    unsure = frame.filter(~pl.col(cols[0]).str.contains(r"^\S"))
    if not unsure.height:
        return frame
    blank = unsure.filter(pl.all_horizontal([pl.col(c).str.strip_chars().str.len_bytes() == 0 for c in cols]))[ROW]
    return frame.filter(~pl.col(ROW).is_in(blank.implode())) if blank.len() else frame
