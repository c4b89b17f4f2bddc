"""Read sources (CSV, XLSX, SQL) into chunks of raw strings with canonical column names.

No type guessing: every value stays the text a person wrote ("18.10" stays "18.10"). Spreadsheet
cells that are numbers or dates are written back as text the parsers of ``etl.parse`` understand.
Row numbers are the ones a person sees: in a spreadsheet or CSV the header row has its real row
number and the first data row the next one; in SQL the first result row is row 1.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import math
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import chain, islice
from pathlib import Path
from typing import Any

import pandas as pd

from etl import file_values, spec
from etl.checks import UNCACHED_FORMULA
from etl.errors import SourceError
from etl.file_values import Filled
from etl.headers import HeaderMatch, best_template, unique_headers
from etl.layout import GUESS_ROWS, HEADER_SCAN_ROWS, SKIP_UNITS, Layout, find_header, find_layout, finish
from etl.sheet_size import scan, too_large
from etl.xlsx_rows import piece_rows, stream_bytes, unmerged, with_formulas

CHUNK_ROWS = 200_000
SPREADSHEET_EXT = {".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"}
CSV_EXT = {".csv", ".txt", ".tsv"}
_SEPARATORS = (",", ";", "\t", "|")
#: Sheets never read as data (the templates' instructions).
HELP_SHEETS = {"petunjuk", "instructions", "instruksi"}


@dataclass(frozen=True)
class Source:
    """One input: a file, or an SQL table/query, holding one source table of ``spec.SOURCES``.

    ``name`` is how the source is named in rejects and the run log: by default the path as given,
    or ``<url without password>#<sql_table or "query">``.
    """

    table: str | None = None                 # spec.SOURCES key; inferred from the file when None
    path: Path | str | None = None
    url: str | None = None                   # any SQLAlchemy URL
    sql_table: str | None = None
    query: str | None = None                 # one SELECT (or WITH ... SELECT)
    params: dict[str, object] = field(default_factory=dict)  # bound parameters of ``query`` (:name)
    sheet: str | None = None                 # read only this sheet (default: every matching sheet)
    #: One value for a whole column (``--set``, ``values`` in sources.toml): fills the column where the source has
    #: none, and its blank cells where it has one (e.g. {"penyelenggara": "19.04"}, {"provinsi": "18"}).
    values: dict[str, str] = field(default_factory=dict)
    name: str = ""
    context: dict[str, str] = field(default_factory=dict)  # the older name of ``values``, merged into it
    #: Values for columns the source lacks only (``build --set``: one value given to every source of a run).
    defaults: dict[str, str] = field(default_factory=dict)
    #: Only rows whose region lies in this region code load (an upload of a provinsi or kabkota account); the
    #: others are set aside by etl.loaders (None: anywhere).
    scope: str | None = None

    def __post_init__(self) -> None:
        if self.context:
            object.__setattr__(self, "values", {**self.context, **self.values})
            object.__setattr__(self, "context", {})
        if not self.name:
            if self.path is not None:
                default = str(self.path)
            else:
                default = f"{safe_url(self.url or '')}#{self.sql_table or 'query'}"
            object.__setattr__(self, "name", default)
        if self.path is None and self.url is None:
            raise SourceError(f"{self.name or 'sumber'}: perlu path atau url (a source needs a path or an SQL url)")

    @property
    def is_sql(self) -> bool:
        return self.url is not None


@dataclass
class RawChunk:
    """A block of source rows: raw strings, canonical column names, index = source row number."""

    frame: pd.DataFrame
    first_row: int
    sheet: str | None
    headers: dict[str, str]                  # canonical column -> header as written in the source

    def __len__(self) -> int:
        return len(self.frame)


@dataclass
class ReadLog:
    """What a read noticed besides the rows: ignored and dropped columns, skipped sheets; the SQL rows' hash."""

    unknown_columns: list[str] = field(default_factory=list)
    dropped_columns: list[str] = field(default_factory=list)
    skipped_sheets: dict[str, str] = field(default_factory=dict)
    sheets: list[str] = field(default_factory=list)
    encoding: str | None = None
    decoding: Decoding | None = None  # a CSV's encoding, and the lines of a mixed one (csv_encoding)
    separator: str | None = None
    sha256: str = ""  # an SQL source read to the end: sha256_of its rows, computed while reading them
    notes: list[str] = field(default_factory=list)        # which header was taken for which column, and why
    filled: list[Filled] = field(default_factory=list)    # columns filled with one value for the whole file
    skipped_rows: dict[str, list[int]] = field(default_factory=dict)  # why -> row numbers not read as data
    title: list[str] = field(default_factory=list)        # the rows above the header, as text
    area: str | None = None                                # the region the file covers (etl.layout.Layout.area)
    columns: dict[str, str] = field(default_factory=dict)  # source column -> the header taken for it, as written

    def note(self, match: HeaderMatch) -> None:
        for h in match.unknown:
            if h not in self.unknown_columns:
                self.unknown_columns.append(h)
        for h in match.dropped:
            if h not in self.dropped_columns:
                self.dropped_columns.append(h)
        for n in match.notes:
            if n not in self.notes:
                self.notes.append(n)

    def skip(self, why: str, rows: Iterable[int]) -> None:
        """Rows that are not data (units under the header, a total row, a signature below the table)."""
        self.skipped_rows.setdefault(why, []).extend(int(r) for r in rows)

    def fill(self, filled: Iterable[Filled]) -> None:
        for f in filled:
            if all(f.column != g.column for g in self.filled):
                self.filled.append(f)


_AUTHORITY = re.compile(r"^(?P<scheme>[A-Za-z][\w+.-]*://)(?P<authority>[^/?#]*)(?P<rest>.*)$", re.DOTALL)


def safe_url(url: str) -> str:
    """A database URL with its password hidden, whatever the password holds: everything between the user's ':' and
    the authority's last '@' ('postgresql://:secret@host/db', a raw '@' in 'user:p@ss@host'). SQLAlchemy's own
    rendering splits a raw '@' at the first one and would show the rest of the password."""
    m = _AUTHORITY.match(url)
    if m is None:  # not a URL: hide anything between '//user:' and the last '@'
        return re.sub(r"(//[^:/@]*:).*@", r"\1***@", url)
    authority = m["authority"]
    if "@" not in authority:
        return url
    credentials, host = authority.rsplit("@", 1)
    user, colon, _ = credentials.partition(":")
    return f"{m['scheme']}{user}{':***' if colon else ''}@{host}{m['rest']}"


# ---------------------------------------------------------------------------
# Table inference
# ---------------------------------------------------------------------------


def table_from_name(path: Path | str) -> str | None:
    """The source table a file's name or its two nearest folders say it holds (``kegiatan_lampung.csv`` ->
    activities; ``personil_lampung_2024-07.csv`` -> personnel); see file_values.table_of_name."""
    p = Path(path)
    return file_values.table_of_path(p, [q.name for q in p.parents][:2])


def infer_table(source: Source) -> Source:
    """``source`` with its table set: from the file name, else from the best header match."""
    if source.table:
        if source.table not in spec.SOURCES:
            raise SourceError(f"{source.name}: tabel sumber tidak dikenal: {source.table} "
                              f"(unknown source table; pilihan: {', '.join(spec.SOURCES)})")
        return source
    if source.path is not None and (table := table_from_name(source.path)):
        return replace(source, table=table)
    headers = _candidate_header_rows(source)
    best = None
    for row in headers:
        found = best_template(unique_headers(row), spec.SOURCES)
        if found and (best is None or (not found[1].missing, found[1].score) > (not best[1].missing, best[1].score)):
            best = found
    if best is None:
        raise SourceError(f"{source.name}: jenis data tidak bisa ditentukan dari nama file maupun judul kolom "
                          f"(cannot tell which table this is); beri nama file yang memuat salah satu kata: "
                          f"{', '.join(sorted(file_values.TABLE_WORDS))}, atau pilih dengan --table")
    return replace(source, table=best[0])


def _candidate_header_rows(source: Source) -> list[list[str]]:
    if source.is_sql:
        with _connect(source) as conn:
            keys = conn.execute(_statement(source, conn)).keys()
            return [[str(c) for c in keys]]
    path = _check_file(source)
    if is_spreadsheet(path):
        rows: list[list[str]] = []
        for _, sheet_rows, _ in _sheets(path, source):
            rows += [[_text(c) for c in r] for r in islice(sheet_rows, HEADER_SCAN_ROWS)]
        return rows
    text, _ = _head_text(path)
    return [r for sep in _SEPARATORS for r in _split_lines(text, sep)]


# ---------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------


def read_chunks(source: Source, chunk_rows: int = CHUNK_ROWS, log: ReadLog | None = None) -> Iterator[RawChunk]:
    """Yield the rows of ``source`` in chunks of at most ``chunk_rows``.

    Raises SourceError when the source cannot be read at all (not a spreadsheet, empty file,
    required column missing, database unreachable). A header without data yields nothing.
    """
    source = infer_table(source)
    log = log if log is not None else ReadLog()
    if source.is_sql:
        yield from _read_sql(source, chunk_rows, log)
        return
    path = _check_file(source)
    if is_spreadsheet(path):
        yield from _read_spreadsheet(path, source, chunk_rows, log)
    else:
        yield from _read_csv(path, source, chunk_rows, log)


def sha256_of(source: Source) -> str:
    """SHA-256 of a file's bytes, or of an SQL table/query result (streamed; _read_sql hashes the same way)."""
    if source.is_sql:
        with _connect(source) as conn:
            stmt = _statement(source, conn)
            try:
                result = conn.execution_options(stream_results=True).execute(stmt)
                h = _sql_digest(result.keys())
                for part in result.partitions(10_000):
                    _hash_rows(h, part)
            except Exception as exc:  # noqa: BLE001 - any database error: named, password hidden
                raise SourceError(_sql_message(source, "query gagal (query failed)", exc)) from None
        return h.hexdigest()
    h = hashlib.sha256()
    with open(_check_file(source), "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _sql_digest(keys: Iterable) -> Any:
    """The hash of an SQL result, started with its column names; _hash_rows adds its rows."""
    return hashlib.sha256(repr(list(keys)).encode())


def _hash_rows(h: Any, rows: Sequence) -> None:  # h: from _sql_digest
    """Adds rows to the hash: each row's repr and a newline (one update per call: however the rows are split
    into calls, the hash is the same)."""
    if rows:
        h.update(("\n".join(map(repr, map(tuple, rows))) + "\n").encode())


# ---------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------


def _check_file(source: Source) -> Path:
    path = Path(source.path)  # type: ignore[arg-type]
    if not path.is_file():
        raise SourceError(f"{source.name}: file tidak ditemukan (file not found)")
    if path.stat().st_size == 0:
        raise SourceError(f"{source.name}: file kosong (empty file)")
    return path


def _magic(path: Path) -> bytes:
    with open(path, "rb") as f:
        return f.read(8)


def is_spreadsheet(path: Path) -> bool:
    magic = _magic(path)
    if magic.startswith(b"PK\x03\x04") or magic.startswith(b"\xd0\xcf\x11\xe0"):
        return True  # a zip (xlsx/ods) or an OLE file (xls), whatever the extension says
    return path.suffix.lower() in SPREADSHEET_EXT


def _chunk(frame: pd.DataFrame, layout: Layout, source: Source, first_row: int, sheet: str | None, log: ReadLog,
           *, last: bool) -> RawChunk | None:
    """A block of raw rows under ``layout`` as a RawChunk (etl.layout.finish), or None when no data row is left."""
    out = finish(frame, layout, log, table=source.table or "", last=last)  # type: ignore[arg-type]
    return None if out is None else RawChunk(out, first_row, sheet, layout.headers_of())


def _start(layout: Layout, source: Source, log: ReadLog) -> None:
    """What the layout decided, into the log."""
    log.note(layout.match)
    log.fill(layout.filled)
    for column, header in layout.match.source_of.items():
        log.columns.setdefault(column, header)
    log.title = layout.title
    log.area = layout.area.value if layout.area else None
    if layout.unit_rows:
        log.skip(SKIP_UNITS, layout.unit_rows)


# -- CSV --------------------------------------------------------------------


#: The encoding of a CSV whose lines are partly UTF-8 and partly Windows-1252 (each line decoded on its own).
MIXED = "utf-8+cp1252"
#: Lines of a mixed file listed by number (the rest are counted).
LINES_LISTED = 10
_HIGH_BYTE = re.compile(rb"[\x80-\xff]")
_ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 (dengan BOM)", "cp1252": "Windows-1252", "utf-16": "UTF-16"}


@dataclass(frozen=True)
class Decoding:
    """How a CSV's bytes are decoded: ``encoding`` (MIXED when some lines are UTF-8 and some are not) and, for a mixed
    file, the lines (1-based, counted by line breaks) decoded as Windows-1252: the first LINES_LISTED and how many."""

    encoding: str
    legacy_lines: tuple[int, ...] = ()
    legacy_count: int = 0

    @property
    def mixed(self) -> bool:
        return self.encoding == MIXED

    def describe(self) -> str:
        """The encoding in one phrase, for the check's output and the run summary."""
        if self.encoding != MIXED:
            return _ENCODING_NAMES.get(self.encoding, self.encoding)
        listed = ", ".join(map(str, self.legacy_lines)) + (" …" if self.legacy_count > len(self.legacy_lines) else "")
        count = f"{self.legacy_count:,}".replace(",", ".")
        return (f"campuran: {count} baris bukan UTF-8 dibaca sebagai Windows-1252 (baris {listed}), sisanya UTF-8 "
                f"(mixed encodings: each line decoded on its own)")


def csv_encoding(path: Path) -> Decoding:
    """The decoding of a CSV file (read whole once per file version: ``_decoding``)."""
    st = path.stat()
    return _decoding(path, st.st_size, st.st_mtime_ns)


@lru_cache(maxsize=64)
def _decoding(path: Path, size: int, mtime_ns: int) -> Decoding:
    """A BOM decides UTF-16; else: UTF-8 when every line is UTF-8, Windows-1252 when no line with a byte above ASCII
    is, MIXED when some are and some are not (a file pasted together from two offices' exports). A first pass
    decides at C speed, block by block; a mixed file is read again, line by line, for the lines it names."""
    magic = _magic(path)
    if magic.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return Decoding("utf-16")
    utf8 = legacy = False
    for _, part in _line_blocks(path):
        some_utf8, some_legacy = _kinds(part)
        utf8, legacy = utf8 or some_utf8, legacy or some_legacy
        if utf8 and legacy:
            break
    bom = magic.startswith(codecs.BOM_UTF8)
    if not legacy:
        return Decoding("utf-8-sig" if bom else "utf-8")
    if not (utf8 or bom):
        return Decoding("cp1252")
    listed: list[int] = []
    count = 0
    for first, part in _line_blocks(path):
        bad = _legacy_lines(part)
        count += len(bad)
        listed += [first + n for n in bad[:LINES_LISTED - len(listed)]]
    return Decoding(MIXED, tuple(listed), count)


def _line_blocks(path: Path) -> Iterator[tuple[int, bytes]]:
    """A file's bytes in blocks of whole lines (about 4 MB), each with the number of its first line (1-based)."""
    line, rest = 1, b""
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 22), b""):
            data = rest + block
            cut = data.rfind(b"\n") + 1
            part, rest = data[:cut], data[cut:]
            if part:
                yield line, part
                line += part.count(b"\n")
    if rest:
        yield line, rest


def _kinds(part: bytes) -> tuple[bool, bool]:
    """(``part`` has a UTF-8 line with a byte above ASCII, it has a line that is not UTF-8), decided at C speed but
    for a block that may have both (only then are its lines looked at)."""
    if part.isascii():
        return False, False
    try:
        part.decode("utf-8")
        return True, False
    except UnicodeDecodeError:
        pass
    if part.decode("utf-8", errors="ignore").isascii():  # not one UTF-8 sequence: no line is UTF-8
        return False, True
    return any(utf8 for _, utf8 in _high_lines(part)), True


def _legacy_lines(part: bytes) -> list[int]:
    """The lines (0-based within ``part``) with a byte above ASCII that are not UTF-8."""
    try:
        part.decode("utf-8")
        return []
    except UnicodeDecodeError:
        return [line for line, utf8 in _high_lines(part) if not utf8]


def _high_lines(part: bytes) -> Iterator[tuple[int, bool]]:
    """Each line of ``part`` with a byte above ASCII: (its number within ``part``, 0-based; whether it is UTF-8)."""
    pos = line = counted = 0
    while m := _HIGH_BYTE.search(part, pos):
        start = part.rfind(b"\n", 0, m.start()) + 1
        end = part.find(b"\n", m.start())
        end = len(part) if end < 0 else end
        line += part.count(b"\n", counted, start)
        counted = start
        try:
            part[start:end].decode("utf-8")
            yield line, True
        except UnicodeDecodeError:
            yield line, False
        pos = end + 1


def as_utf8(data: bytes) -> bytes:
    """Whole lines of a mixed file with every line in UTF-8: a line that is not UTF-8 decoded as Windows-1252."""
    try:
        data.decode("utf-8")
        return data
    except UnicodeDecodeError:
        pass
    out = []
    for line in data.split(b"\n"):
        try:
            line.decode("utf-8")
            out.append(line)
        except UnicodeDecodeError:
            out.append(line.decode("cp1252", errors="replace").encode("utf-8"))
    return b"\n".join(out)


class _Transcoded(io.RawIOBase):
    """A mixed file's bytes as UTF-8, line by line (``as_utf8``), for pandas and pyarrow to read as UTF-8."""

    def __init__(self, path: Path) -> None:
        self._file = open(path, "rb")  # noqa: SIM115 - closed with this stream
        self._out = b""
        self._rest = self._file.read(3).removeprefix(codecs.BOM_UTF8)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:  # buffer: a writable bytes-like object
        while not self._out and (self._rest or not self._file.closed):
            block = self._file.read(1 << 20)
            data = self._rest + block
            cut = data.rfind(b"\n") + 1 if block else len(data)
            self._out, self._rest = as_utf8(data[:cut]), data[cut:]
            if not block:
                self._file.close()
        n = min(len(buffer), len(self._out))
        buffer[:n] = self._out[:n]
        self._out = self._out[n:]
        return n

    def close(self) -> None:
        self._file.close()
        super().close()


def csv_input(path: Path, encoding: str) -> tuple[Any, str]:
    """What a CSV reader is given, and the encoding it reads with: the path itself, or for a MIXED file a stream of
    its lines in UTF-8 (the caller closes it)."""
    if encoding == MIXED:
        return io.BufferedReader(_Transcoded(path), 1 << 20), "utf-8"
    return path, encoding


def _head_text(path: Path) -> tuple[str, str]:
    encoding = csv_encoding(path).encoding
    with open(path, "rb") as f:
        head = f.read(1 << 16)
        complete = not f.read(1)
    if encoding != "utf-16" and _mostly_binary(head):
        raise SourceError(f"{path}: bukan file CSV atau spreadsheet (not a CSV or spreadsheet file: binary data)")
    text = as_utf8(head).decode("utf-8", errors="replace") if encoding == MIXED else \
        head.decode(encoding, errors="replace")
    if not complete:
        text = text[: text.rfind("\n") + 1] or text
    return text.lstrip("\ufeff"), encoding


#: Control bytes (not tab, line feed, carriage return): a few in a cell make that row a reject; a file of them is
#: not text at all.
CONTROL_BYTES = bytes([*range(0, 9), 11, 12, *range(14, 32)])
BINARY_SHARE = 0.05


def _mostly_binary(head: bytes) -> bool:
    """True when more than BINARY_SHARE of a file's first bytes are control bytes (a NUL in one cell is not)."""
    return bool(head) and (len(head) - len(head.translate(None, CONTROL_BYTES))) > BINARY_SHARE * len(head)


def _split_lines(text: str, sep: str) -> list[list[str]]:
    lines = text.splitlines()[:HEADER_SCAN_ROWS + GUESS_ROWS]
    return [[c.strip() for c in row] for row in csv.reader(lines, delimiter=sep)]


def csv_layout(path: Path, source: Source, log: ReadLog) -> Layout:
    """Find the header row and separator of a CSV (raises SourceError when required columns are missing). Found once
    per file version and source settings in a process (its encoding check reads the whole file): choosing the path
    (etl.intake.bulk_eligible) and reading the file share it."""
    st = path.stat()
    layout = _csv_layout(path, st.st_size, st.st_mtime_ns, source.name, source.table or "",
                         tuple(sorted(source.values.items())), tuple(sorted(source.defaults.items())))
    _start(layout, source, log)
    log.encoding, log.separator = layout.encoding, layout.sep
    log.decoding = csv_encoding(path)
    return layout


@lru_cache(maxsize=64)
def _csv_layout(path: Path, size: int, mtime_ns: int, name: str, table: str, values: tuple, defaults: tuple) -> Layout:
    """csv_layout's work, kept per (file, size, modification time, source settings); the Layout is read-only after."""
    template = spec.SOURCES[table]
    text, encoding = _head_text(path)
    if not text.strip():
        raise SourceError(f"{name}: file kosong (empty file)")
    best: tuple | None = None
    for order, sep in enumerate(_SEPARATORS):
        rows = _split_lines(text, sep)
        found = find_header(rows, template, [k for k, _ in values])
        if found and (best is None or (found[0], -order) > best[0]):
            best = ((found[0], -order), sep, rows)
    sep, rows = (best[1], best[2]) if best else (";" if text.count(";") > text.count(",") else ",", [])
    rows = rows or _split_lines(text, sep)
    layout = find_layout(rows, name, table, path=path, given=dict(values), defaults=dict(defaults))
    layout.sep, layout.encoding = sep, encoding
    return layout


def _read_csv(path: Path, source: Source, chunk_rows: int, log: ReadLog) -> Iterator[RawChunk]:
    layout = csv_layout(path, source, log)
    positions, names = layout.positions, layout.names
    given, encoding = csv_input(path, layout.encoding)
    try:
        reader = pd.read_csv(
            given, sep=layout.sep, encoding=encoding, encoding_errors="replace", header=None,
            skiprows=layout.data_start, usecols=positions, dtype=str, keep_default_na=False, na_filter=False,
            skip_blank_lines=False, chunksize=chunk_rows, engine="c", quotechar='"',
        )
        held: tuple[pd.DataFrame, int] | None = None  # one block held back: the last one is told it is last
        for frame in reader:
            frame = frame.rename(columns=names)
            first = layout.first_data_row + int(frame.index[0])
            frame.index = pd.Index(frame.index.to_numpy() + layout.first_data_row, name="row")
            frame = frame.reindex(columns=[names[p] for p in positions]).fillna("").astype("str")
            if held is not None and (chunk := _chunk(held[0], layout, source, held[1], None, log, last=False)):
                yield chunk
            held = (frame, first)
        if held is not None and (chunk := _chunk(held[0], layout, source, held[1], None, log, last=True)):
            yield chunk
    except pd.errors.EmptyDataError:
        return  # a header without data: 0 rows, not an error
    except pd.errors.ParserError as exc:
        raise SourceError(f"{source.name}: file CSV rusak (malformed CSV): {exc}") from None
    finally:
        if given is not path:
            given.close()


# -- spreadsheets -----------------------------------------------------------


def _sheets(path: Path, source: Source, skipped: dict[str, str] | None = None
            ) -> Iterator[tuple[str, Iterator[list[object]], dict[tuple[int, int], tuple[str, str]]]]:
    """Each sheet's rows, one at a time (etl.xlsx_rows: a large XLSX sheet is read in pieces), and its formula cells
    with no value saved (etl.sheet_size.SheetScan.formulas), whose cells hold the formula ('=10+5') instead of the ''
    a reader gives; a sheet too large to read is left out, its reason put in ``skipped``."""
    from python_calamine import CalamineError, CalamineWorkbook

    scans = scan(path)
    oversized = too_large(path, scans)
    piece = stream_bytes()
    try:
        wb = CalamineWorkbook.from_path(str(path))
        names = wb.sheet_names
        if source.sheet is not None:
            if source.sheet not in names:
                raise SourceError(f"{source.name}: sheet '{source.sheet}' tidak ada (sheet not found); "
                                  f"sheet yang ada: {', '.join(names)}")
            names = [source.sheet]
        for name in names:
            if name in oversized:  # calamine would build it as one dense grid and abort the process
                if skipped is not None:
                    skipped[name] = oversized[name]
                continue
            found = scans.get(name)
            if found is not None and found.size > piece:
                rows: Iterator[list[object]] = piece_rows(path, name, found.member, piece)
                merged = found.merged
            else:
                sheet = wb.get_sheet_by_name(name)
                rows, merged = iter(sheet.to_python(skip_empty_area=False)), sheet.merged_cell_ranges or []
            formulas = found.formulas if found is not None else {}
            yield name, _readable(with_formulas(unmerged(rows, merged), formulas), source), formulas
    except (CalamineError, OSError, ValueError, zipfile.BadZipFile) as exc:
        raise SourceError(f"{source.name}: bukan file spreadsheet yang bisa dibaca (not a readable "
                          f"spreadsheet): {exc}") from None


def _readable(rows: Iterator[list[object]], source: Source) -> Iterator[list[object]]:
    """``rows``, a reader's error while reading them on (a sheet read in pieces) as SourceError."""
    from python_calamine import CalamineError

    try:
        yield from rows
    except (CalamineError, OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
        raise SourceError(f"{source.name}: bukan file spreadsheet yang bisa dibaca (not a readable "
                          f"spreadsheet): {exc}") from None


#: A hidden column of a spreadsheet's chunk: the formula cells of a row with no value saved, for the loaders to
#: reject (``formula_cells``): cells split by CELL_SEP, each 'column' FIELD_SEP 'reason' FIELD_SEP 'formula'.
FORMULA_HINT = "_rumus"
CELL_SEP, FIELD_SEP = "\x1e", "\x1f"


def _with_formulas(chunk: RawChunk, formulas: dict[tuple[int, int], tuple[str, str]], layout: Layout) -> RawChunk:
    """``chunk`` with FORMULA_HINT where a column read holds a formula with no value saved."""
    if not formulas:
        return chunk
    canonical = {p + 1: layout.match.mapping[layout.names[p]] for p in layout.positions
                 if layout.names[p] in layout.match.mapping}
    rows = set(chunk.frame.index)
    hints: dict[int, list[str]] = {}
    for (r, c), (ref, text) in formulas.items():
        if r in rows and c in canonical:
            reason = UNCACHED_FORMULA.reason(sheet=chunk.sheet, cell=ref, formula=text)
            hints.setdefault(r, []).append(FIELD_SEP.join((canonical[c], reason, text)))
    if hints:
        chunk.frame[FORMULA_HINT] = [CELL_SEP.join(hints.get(r, ())) for r in chunk.frame.index]
    return chunk


def formula_cells(hint: str) -> list[tuple[str, str, str]]:
    """The (column, reason, formula) of each cell in one row's FORMULA_HINT."""
    return [tuple(cell.split(FIELD_SEP)) for cell in hint.split(CELL_SEP) if cell]  # type: ignore[misc]


def _read_spreadsheet(path: Path, source: Source, chunk_rows: int, log: ReadLog) -> Iterator[RawChunk]:
    template = spec.SOURCES[source.table]  # type: ignore[index]
    types = {c.name: c.type for c in template.columns}
    refused: tuple[tuple, str, SourceError] | None = None
    found_any = False
    for name, rows, formulas in _sheets(path, source, log.skipped_sheets):
        if source.sheet is None and name.strip().lower() in HELP_SHEETS:
            log.skipped_sheets[name] = "sheet petunjuk (instructions sheet)"
            continue
        raw_head = list(islice(rows, HEADER_SCAN_ROWS + GUESS_ROWS))
        head = [[_text(c) for c in row] for row in raw_head]
        try:
            layout = find_layout(head, source.name, source.table or "", path=source.path, given=source.values,
                                 defaults=source.defaults, where=f" (sheet {name})")
        except SourceError as exc:
            best = find_header(head, template, list(source.values))
            log.skipped_sheets[name] = ("kolom wajib tidak ada: " + ", ".join(best[4].missing)) if best \
                else "judul kolom tidak cocok"
            rank = best[0] if best else (False, -1.0, 0)
            if best and (refused is None or rank > refused[0]):
                refused = (rank, name, exc)
            continue
        found_any = True
        log.sheets.append(name)
        _start(layout, source, log)
        data = chain(raw_head[layout.data_start:], rows) if layout.data_start <= len(raw_head) else \
            islice(rows, layout.data_start - len(raw_head), None)
        del raw_head
        kinds = [layout.kind(layout.names[i], types) for i in layout.positions]
        for first, block, last in _blocks(data, chunk_rows, layout.first_data_row):
            cols = _columns(block, layout.positions, kinds, [layout.names[p] for p in layout.positions])
            frame = pd.DataFrame(cols, index=pd.RangeIndex(first, first + len(block), name="row"), dtype="str")
            block.clear()  # its rows are in the frame: not held while the chunk is checked
            del cols
            chunk = _chunk(frame, layout, source, first, name, log, last=last)
            if chunk is not None:
                yield _with_formulas(chunk, formulas, layout)
    if not found_any:
        if refused is None and (big := [r for r in log.skipped_sheets.values() if "terlalu besar" in r]):
            raise SourceError(f"{source.name}: {big[0]}")
        if refused is None:
            raise SourceError(f"{source.name}: tidak ada sheet dengan judul kolom {template.title} (no sheet "
                              f"with the expected headers); kolom wajib: "
                              f"{', '.join(c.name for c in template.columns if c.required)}")
        raise refused[2]


def _blocks(rows: Iterator[list[object]], size: int, first_row: int) -> Iterator[tuple[int, list, bool]]:
    """``rows`` in blocks of ``size``: (the first one's row number, the rows, whether no row follows); one row is
    read ahead to tell the last block. A block may be emptied by its reader once read (``clear``): it is not kept."""
    block = list(islice(rows, size))
    while block:
        following, taken = next(rows, None), len(block)
        yield first_row, block, following is None
        first_row += taken
        block = [] if following is None else [following, *islice(rows, size - 1)]


def _columns(rows: Sequence[Sequence[object]], positions: list[int], kinds: list[str],
             names: list[str]) -> dict[str, list[str]]:
    """The cells at ``positions`` of each row as text (``_cell``), column by column: rows are transposed in one
    step, and a column that holds only text (most do) is taken as it is. A row shorter than the header has
    blanks at its end."""
    width = max(positions, default=-1) + 1
    if any(len(r) < width for r in rows):
        rows = [list(r) + [""] * (width - len(r)) if len(r) < width else r for r in rows]
    columns = list(zip(*rows, strict=False)) if rows else [()] * width
    out = {}
    for name, p, kind in zip(names, positions, kinds, strict=True):
        values = columns[p]
        out[name] = list(values) if set(map(type, values)) <= {str} else [_cell(v, kind) for v in values]
    return out


def _text(value: object) -> str:
    return _cell(value, "text")


def _cell(value: object, kind: str) -> str:
    """A spreadsheet or database cell as the text a person would have typed."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (int, float)):
        f = float(value)
        if math.isnan(f):
            return ""
        if f.is_integer():
            return str(int(f))
        if kind == "region":
            return f"{f:.2f}" if round(f, 2) == f else repr(f)
        if kind in ("int", "float"):
            return repr(f).replace(".", ",")  # Indonesian decimal comma: never read as thousands
        return repr(f)
    return str(value)


# ---------------------------------------------------------------------------
# SQL
# ---------------------------------------------------------------------------


class _connect:
    """Context manager: a read-only-use connection, failures turned into SourceError."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.engine = None
        self.conn = None

    def __enter__(self):  # noqa: ANN204
        from sqlalchemy.engine import make_url

        url = self.source.url or ""
        try:
            parsed = make_url(url)
        except Exception:  # noqa: BLE001
            raise SourceError(f"{safe_url(url)}: alamat database tidak valid (invalid SQL URL)") from None
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:") \
                and not Path(parsed.database).is_file():
            raise SourceError(f"{self.source.name}: file database tidak ditemukan (database file not found)")
        try:
            self.engine = _engine(parsed)
            self.conn = self.engine.connect()
        except Exception as exc:  # noqa: BLE001
            raise SourceError(_sql_message(self.source, "tidak bisa terhubung ke database (cannot connect)",
                                           exc)) from None
        return self.conn

    def __exit__(self, *exc: object) -> None:
        if self.conn is not None:
            self.conn.rollback()
            self.conn.close()
        if self.engine is not None:
            self.engine.dispose()


def _engine(parsed):  # noqa: ANN001, ANN202 - sqlalchemy URL -> Engine
    """An engine that cannot write where the driver allows it: SQLite files open with ``mode=ro``.

    PostgreSQL sessions are made read-only by the URL (``etl.inputs.read_only_url``).
    """
    import sqlite3

    from sqlalchemy import create_engine

    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:") \
            and not str(parsed.database).startswith("file:"):
        uri = Path(parsed.database).resolve().as_uri() + "?mode=ro"
        return create_engine("sqlite://", creator=lambda: sqlite3.connect(uri, uri=True))
    return create_engine(parsed)


def _sql_message(source: Source, what: str, exc: BaseException) -> str:
    detail = str(getattr(exc, "orig", None) or exc).splitlines()[0] if str(exc) else type(exc).__name__
    for secret in _passwords(source.url or ""):
        detail = detail.replace(secret, "***")
    return f"{source.name}: {what}: {detail}"


def _passwords(url: str) -> list[str]:
    """The password of a URL as written (up to the last '@'), and as SQLAlchemy reads it, longest first: whichever a
    driver echoes in its error is hidden."""
    found = []
    if (m := _AUTHORITY.match(url)) and "@" in m["authority"]:
        written = m["authority"].rsplit("@", 1)[0].partition(":")[2]
        # a driver that split a raw '@' at the first one shows the rest as part of the host
        found += [written, *(part for part in written.split("@") if len(part) >= 3)]
    try:
        from sqlalchemy.engine import make_url

        found.append(str(make_url(url).password or ""))
    except Exception:  # noqa: BLE001 - an unparsable URL: what was written is enough
        pass
    return sorted({p for p in found if p}, key=len, reverse=True)


def _statement(source: Source, conn):  # noqa: ANN001, ANN202
    from sqlalchemy import MetaData, Table, bindparam, select, text
    from sqlalchemy.types import NullType

    try:
        if source.sql_table:
            schema, _, name = source.sql_table.rpartition(".")
            return select(Table(name, MetaData(), schema=schema or None, autoload_with=conn))
        query = (source.query or "").strip().rstrip(";")
        if not re.match(r"(?is)^\s*(select|with)\b", query) or ";" in query:
            raise SourceError(f"{source.name}: hanya satu perintah SELECT yang diizinkan (only one SELECT query "
                              f"is allowed)")
        # untyped: the server reads a value as it would a literal in that place ('2024-01-01' against a date)
        return text(query).bindparams(*(bindparam(k, v, type_=NullType()) for k, v in source.params.items()))
    except SourceError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise SourceError(_sql_message(source, "tabel tidak bisa dibaca (cannot read table)", exc)) from None


def _read_sql(source: Source, chunk_rows: int, log: ReadLog) -> Iterator[RawChunk]:
    template = spec.SOURCES[source.table]  # type: ignore[index]
    types = {c.name: c.type for c in template.columns}
    with _connect(source) as conn:
        stmt = _statement(source, conn)
        try:
            result = conn.execution_options(stream_results=True).execute(stmt)
            keys = result.keys()
            digest = _sql_digest(keys)  # as sha256_of: the query is not run twice
            columns = unique_headers([str(c) for c in keys])
            layout = find_layout([columns], source.name, source.table or "", path=None, given=source.values,
                                 defaults=source.defaults)
            _start(layout, source, log)
            positions, names = layout.positions, layout.names
            kinds = [layout.kind(names[i], types) for i in positions]
            first = 1
            for part in result.partitions(chunk_rows):
                _hash_rows(digest, part)
                cols = _columns(part, positions, kinds, [names[p] for p in positions])
                frame = pd.DataFrame(cols, index=pd.RangeIndex(first, first + len(part), name="row"), dtype="str")
                chunk = _chunk(frame, layout, source, first, None, log, last=False)
                first += len(part)
                if chunk is not None:
                    yield chunk
            log.sha256 = digest.hexdigest()
        except SourceError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise SourceError(_sql_message(source, "query gagal (query failed)", exc)) from None


__all__ = ["CHUNK_ROWS", "FORMULA_HINT", "RawChunk", "ReadLog", "Source", "formula_cells", "infer_table", "read_chunks",
           "safe_url", "sha256_of", "table_from_name"]
