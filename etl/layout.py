"""Where the table is in a source, and what its rows need before they are data.

``find_layout`` takes the first rows of a file (or an SQL result's column names) as text and finds the
header row (with a second header row under it, and unit rows skipped: etl.headers), the title rows
above it, and the values the whole file shares (etl.file_values): what a user gave, then what the title
rows and the file name say. A required column that is still missing is looked for by the values under
the unknown headers; failing that, ``SourceError`` names the file, the columns found and needed, the
nearest header for each missing one and the option that would load it.

``finish`` turns a block of rows read under that layout into a RawChunk: canonical column names, rows
that are not data set aside with a reason in the log (blank rows, a "JUMLAH"/"TOTAL" row, the signature
block under the table), the table's region taken from its level columns where it has none, and the
file-wide values filled in. Readers of CSV, spreadsheets and SQL, and the bulk path, all go through here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from etl import file_values, spec
from etl.errors import SourceError
from etl.file_values import Filled
from etl.headers import (
    AREA_HINT,
    GENDER_SEP,
    LEVEL_HINT,
    LEVEL_OF_COLUMN,
    HeaderMatch,
    as_written,
    compose,
    guess_by_values,
    is_unit_row,
    match_headers,
    nearest_headers,
    unique_headers,
)
from etl.parse import DASHES
from etl.regions import RegionResolver, default_resolver

HEADER_SCAN_ROWS = 30
#: Data rows looked at to recognise a column by its values.
GUESS_ROWS = 50
#: A region cell that says the row is a recap's sum, not a region (one pattern for Python and polars).
TOTAL_ROW = r"(?i)^\s*(?:jumlah|jml|total|sub\s*total|grand\s*total)\b"
_TOTAL = re.compile(TOTAL_ROW)
_TOTAL_STARTS = {"jum", "jml", "tot", "sub", "gra"}
#: The leftmost cell of a row when the template does not know its column ('No'): read only to see a 'JUMLAH' row.
FIRST_CELL = "_awal"
SKIP_UNITS = "baris satuan/nomor kolom di bawah judul (unit row)"
#: The last rows of a source looked at for the notes below its table.
FOOTER_ROWS = 100
SKIP_HEADER = "judul kolom berulang (header repeated)"
SKIP_TOTAL = "baris jumlah/total (total row)"
SKIP_FOOTER = "catatan di bawah tabel, mis. tanda tangan (notes below the table)"


@dataclass
class Layout:
    """Where one source's data is, and what fills the columns it lacks."""

    header_idx: int                  # 0-based row of the header (the first of two header rows)
    data_start: int                  # 0-based row of the first data row
    headers: list[str]               # the header of each position, told apart (etl.headers.unique_headers)
    match: HeaderMatch
    filled: list[Filled] = field(default_factory=list)
    title: list[str] = field(default_factory=list)
    unit_rows: list[int] = field(default_factory=list)  # 1-based rows skipped under the header
    area: file_values.Found | None = None  # the region the file covers (names are looked for there first)
    sep: str = ""                    # CSV only
    encoding: str = ""               # CSV only

    @property
    def positions(self) -> list[int]:
        """The positions read: those the template knows, and the leftmost (where a 'JUMLAH' row says so)."""
        known = [i for i, h in enumerate(self.headers) if h in self.match.mapping]
        return known if not self.headers or 0 in known else [0, *known]

    @property
    def names(self) -> dict[int, str]:
        """Position -> header (as told apart); the leftmost cell, when the template does not know it, FIRST_CELL."""
        return {i: self.headers[i] if self.headers[i] in self.match.mapping else FIRST_CELL for i in self.positions}

    def kind(self, name: str, types: dict[str, str]) -> str:
        """The template type of the column read under ``name`` ('text' for FIRST_CELL)."""
        return types.get(self.match.mapping.get(name, "").split(GENDER_SEP)[0], "text")

    @property
    def first_data_row(self) -> int:
        """Row number (as a spreadsheet shows it) of the first data row."""
        return self.data_start + 1

    @property
    def plain(self) -> bool:
        """Nothing to do but read the columns: no level columns standing for the region, no split by gender, no
        value filling a blank cell of a column the source has (the bulk path takes only these)."""
        have = set(self.match.mapping.values())
        return not self.match.promote and not self.match.genders and all(f.column not in have for f in self.filled)

    def headers_of(self) -> dict[str, str]:
        """Canonical column -> how a reason names it (the header as written; a filled column says so)."""
        out = self.match.source_of
        for f in self.filled:
            if f.column not in out:
                where = {"judul": "dari judul", "nama file": "dari nama file",
                         file_values.PER_PERSON: file_values.PER_PERSON}.get(f.origin, "diberikan")
                out[f.column] = f"{f.column} ({where})"
        for canon, header in list(out.items()):
            if GENDER_SEP in canon:
                out.setdefault("jumlah", header)
        return out


def _title_lines(rows: Sequence[Sequence[str]]) -> list[str]:
    """The rows above the header as lines of text (a merged title's repeats said once)."""
    out = []
    for row in rows:
        cells = [c.strip() for c in row if c.strip()]
        cells = [c for i, c in enumerate(cells) if i == 0 or c != cells[i - 1]]
        if cells:
            out.append(" ".join(cells))
    return out


def find_header(rows: Sequence[Sequence[str]], template: spec.SourceTemplate, given: Sequence[str] = ()
                ) -> tuple[tuple, int, int, list[str], HeaderMatch] | None:
    """The best header among the first rows: (rank, row, rows it takes (1, or 2 with a second header row under
    it), headers told apart, match), or None when no row matches any column."""
    best = None
    for i, cells in enumerate(rows[:HEADER_SCAN_ROWS]):
        options = [(unique_headers(cells), 1)]
        if i + 1 < len(rows) and (both := compose(cells, rows[i + 1])):
            options.append((unique_headers(both), 2))
        for headers, used in options:
            m = match_headers(headers, template, given=given)
            rank = (not m.missing, m.score, used)
            if m.mapping and (best is None or rank > best[0]):
                best = (rank, i, used, headers, m)
    return best


def find_layout(rows: Sequence[Sequence[str]], source_name: str, table: str, *, path: Path | str | None,
                given: dict[str, str], resolver: RegionResolver | None = None, where: str = "",
                defaults: dict[str, str] | None = None) -> Layout:
    """The layout of a source whose first rows (as text) are ``rows``; raises SourceError when required columns
    stay missing (see the module docstring). ``given`` fills a column where the source has none and its blank
    cells; ``defaults`` only a column the source lacks."""
    template = spec.SOURCES[table]
    known = {c.name for c in template.columns}
    defaults = {c: v for c, v in (defaults or {}).items() if c in known and c not in given}
    for col in given:
        if col not in known:
            raise SourceError(f"{source_name}: kolom '{col}' tidak dikenal untuk {template.title} (unknown column in "
                              f"--set/values); kolom: {', '.join(sorted(known))}")
    best = find_header(rows, template, [*given, *defaults])
    if best is None:
        raise SourceError(_missing_message(source_name, template, None, [], where))
    _, idx, used, headers, match = best
    start = idx + used
    units = []
    while start < len(rows) and is_unit_row(rows[start]):
        units.append(start + 1)
        start += 1
    layout = Layout(idx, start, headers, match, title=_title_lines(rows[:idx]), unit_rows=units)
    resolver = resolver or default_resolver()
    layout.filled = _fills(layout, table, given, path, resolver, defaults)
    filled = {f.column for f in layout.filled}
    missing = [c for c in match.missing if c not in filled]
    if missing and not match.ambiguous:
        data = rows[start:start + GUESS_ROWS]
        within = next((f.value for f in layout.filled if f.column in ("kabupaten_kota", "provinsi",
                                                                         "penyelenggara")), None) \
            or (layout.area.value if layout.area else None)
        guess_by_values(match, headers, data, template, missing, resolver, within)
        missing = [c for c in match.missing if c not in filled]
    if missing or any(c in missing or template.column(c).required for c in match.ambiguous):
        match.missing = missing
        raise SourceError(_missing_message(source_name, template, match, headers, where))
    match.missing = []
    return layout


def _fills(layout: Layout, table: str, given: dict[str, str], path: Path | str | None,
           resolver: RegionResolver, defaults: dict[str, str]) -> list[Filled]:
    """What fills a column: what the user gave, else (for a column the source lacks) the title rows, then the
    file name. Sets ``layout.area``."""
    out = [Filled(col, str(value), "diberikan", str(value)) for col, value in given.items()]
    have = set(layout.match.mapping.values()) | set(layout.match.promote[:1]) | set(given)
    out += [Filled(col, str(value), "diberikan", str(value)) for col, value in defaults.items() if col not in have]
    have |= set(defaults)
    read = file_values.read_titles(layout.title, resolver)
    if path is not None:
        read = read.merged(file_values.read_name(path, resolver))
    layout.area = file_values.area(read)
    fills = file_values.fills(table, read)
    for col, found in fills.items():
        if col not in have:
            out.append(Filled(col, found.value, found.origin, found.text, found.label))
    week = fills.get("minggu")
    if week is not None and "minggu" in layout.match.mapping.values() and "minggu" not in given:
        # a pleno sheet of one week whose date column is empty on a row (a pleno not held): the title's week
        out.append(Filled("minggu", week.value, week.origin, week.text, week.label, blanks=True))
    if table == "personnel" and "jumlah" not in have and not layout.match.genders and layout.match.dropped:
        out.append(Filled("jumlah", "1", file_values.PER_PERSON, ", ".join(layout.match.dropped)))  # a list of names
    return out


def _missing_message(source_name: str, template: spec.SourceTemplate, match: HeaderMatch | None,
                     headers: list[str], where: str) -> str:
    """One message: the columns missing and those found, the nearest header for each missing one, and the option
    that would load it."""
    need = ", ".join(c.name for c in template.columns if c.required)
    if match is None:
        return (f"{source_name}{where}: tidak ada baris judul kolom {template.title} (no header row with the expected "
                f"headers); kolom wajib: {need}")
    shown = ", ".join(h for h in headers if h) or "(tidak ada)"
    parts = []
    if match.missing:
        missing = ", ".join(match.missing)
        parts.append(f"kolom wajib tidak ada: {missing} (required column missing: {missing})")
    for canon, both in match.ambiguous.items():
        listed = " dan ".join(f"'{h}'" for h in both)
        parts.append(f"{listed} sama-sama bisa menjadi {canon}: ubah judul salah satunya (mis. 'Jumlah L' dan "
                     f"'Jumlah P') atau tulis di baris bawah judul apa yang membedakannya (two columns under one "
                     f"header: rename one)")
    text = f"{source_name}{where}: " + "; ".join(parts) + f"; kolom yang ada: {shown}"
    near = nearest_headers(match, template)
    if near:
        text += "; yang paling mirip: " + ", ".join(f"'{h}' mirip '{c}'" for c, h in near.items()) + \
            " (the nearest headers: rename them)"
    fillable = [c for c in match.missing if c in file_values.FILLED_BY_FILE.get(template.table, {})]
    if fillable:
        c = fillable[0]
        text += (f"; bila satu nilai berlaku untuk seluruh berkas, tulis di judul berkas atau beri dengan --set "
                 f"{c}=NILAI (python -m etl check/build) atau values = {{ {c} = \"…\" }} di sources.toml (one value "
                 f"for the whole file: --set {c}=VALUE)")
    return text


# ---------------------------------------------------------------------------
# Rows under the layout
# ---------------------------------------------------------------------------


def region_columns(table: str) -> list[str]:
    return [c.name for c in spec.SOURCES[table].columns if c.type == "region"]


def total_rows(frame: pd.DataFrame, table: str) -> pd.Series:
    """Rows whose region cell, or leftmost cell read, says 'JUMLAH'/'TOTAL' (a recap's sum row)."""
    cols = [c for c in [*region_columns(table), FIRST_CELL, *frame.columns[:1]] if c in frame.columns]
    total = pd.Series(False, index=frame.index)
    for c in dict.fromkeys(cols):
        values = frame[c]
        maybe = values.str.lstrip().str[:3].str.lower().isin(_TOTAL_STARTS)  # the regex only where it may match
        if maybe.any():
            total[maybe] |= values[maybe].map(lambda v: _TOTAL.match(v) is not None).astype(bool)
    return total


#: A cell of a signature block: 'Mengetahui,', 'Ketua Bawaslu ...', 'ttd', 'Metro, 31 Juli 2024', 'Dedi, S.H.'.
_SIGNATURE = re.compile(
    r"(?i)^\s*(?:mengetahui|menyetujui|a\.?\s?n\.\s|ttd\.?\s*$|\(?ttd\)?\s*$|ketua\s+(?:bawaslu|panwaslu)|"
    r"kepala\s+(?:sekretariat|bagian|sub)|koordinator\s+(?:divisi|sekretariat)|nip\.?\s|dibuat oleh|disahkan)"
    r"|^(?!\s*(?:senin|selasa|rabu|kamis|jum'?at|sabtu|minggu|ahad)\b)\s*[A-Za-z][\w .'-]{1,40},\s*\d{1,2}\s+"
    r"[A-Za-z]+\s+\d{4}\s*$"
    r"|,\s*(?:S|M|Dr|Ir|Drs|Dra|A|Hj?)\.\s?[A-Za-z]{0,4}\.?\s*$")


def header_rows(frame: pd.DataFrame) -> pd.Series:
    """Rows that repeat the header (a table pasted twice, a header on every printed page): half or more of their
    filled cells read as their column's header. ``frame`` is still under the headers as written."""
    cols = [c for c in frame.columns if c != FIRST_CELL]
    if not cols or not len(frame):
        return pd.Series(False, index=frame.index)

    def reads_as_header(col: str) -> pd.Series:
        written = as_written(col)
        values = frame[col]
        maybe = values.str.len().between(len(written), len(written) + 4)  # cheap: most cells cannot be it
        out = pd.Series(False, index=frame.index)
        if maybe.any():
            out[maybe] = [" ".join(v.split()).lower() == written for v in values[maybe]]
        return out

    first = reads_as_header(cols[0])
    if not first.any():  # a repeated header repeats its first column's header too
        return first
    same = sum(reads_as_header(c).astype("int64") for c in cols)
    filled = sum(frame[c].str.strip().ne("").astype("int64") for c in cols)
    return (same >= 2) & (same * 2 >= filled)


def footer_rows(frame: pd.DataFrame) -> pd.Index:
    """The notes below the table: from the end, rows with at most one cell filled, or two with a cell of a signature
    block ('Mengetahui,', 'Metro, 31 Juli 2024', 'Ketua Bawaslu ...', a name with its degree), up to the last data
    row."""
    if not len(frame):
        return frame.index[:0]
    frame = frame.tail(FOOTER_ROWS)  # notes are a few lines; the rows before them are data
    filled = np.zeros(len(frame), dtype="int64")
    signed = np.zeros(len(frame), dtype=bool)
    for c in frame.columns:
        values = frame[c].str.strip()
        filled += values.ne("").to_numpy()
        # a few rows: Python's re on each cell (pandas parses a pattern anew on every call of its str methods)
        signed |= np.fromiter((bool(_SIGNATURE.search(v)) for v in values), dtype=bool, count=len(values))
    notes = (filled <= 1) | (signed & (filled <= 2))  # a signature block is sparse: a data row fills more
    end = len(frame)
    while end > 0 and notes[end - 1]:
        end -= 1
    if end == 0:  # nothing but notes: they are the data, and the checks say what is wrong with them
        return frame.index[:0]
    return frame.index[end:][filled[end:] > 0]


def promote_levels(frame: pd.DataFrame, promote: tuple[str, ...]) -> pd.DataFrame:
    """The table's region column from its level columns: on each row the deepest filled one, whose own column is
    then blanked there (the others stay its context); LEVEL_HINT holds the level it was written at."""
    target, *levels = promote
    value = pd.Series("", index=frame.index, dtype="str")
    level = pd.Series("", index=frame.index, dtype="str")
    frame = frame.copy()
    for col in levels:  # deepest first
        here = value.eq("") & frame[col].str.strip().ne("")
        value = value.mask(here, frame[col])
        level = level.mask(here, LEVEL_OF_COLUMN[col])
        frame[col] = frame[col].mask(here, "")
    frame[target] = value
    frame[LEVEL_HINT] = level
    return frame


def finish(frame: pd.DataFrame, layout: Layout, log, *, table: str, last: bool) -> pd.DataFrame | None:  # noqa: ANN001
    """Canonical names, rows that are not data left out (and logged), levels promoted, file-wide values filled.

    ``frame`` holds the source's raw strings under ``layout.headers`` (index = row number); ``last``: it holds the
    source's last rows (the notes below a table are looked for there). None when no data row is left."""
    repeated = header_rows(frame)
    if repeated.any():
        log.skip(SKIP_HEADER, frame.index[repeated])
        frame = frame[~repeated]
    frame = frame.rename(columns=layout.match.mapping)
    blank = pd.Series(True, index=frame.index)
    for col in frame.columns:
        if col != FIRST_CELL:  # a numbered row with nothing else in it is blank (a template's empty rows)
            blank &= frame[col].str.strip().eq("")
    frame = frame[~blank]
    total = total_rows(frame, table)
    if total.any():
        log.skip(SKIP_TOTAL, frame.index[total])
        frame = frame[~total]
    frame = frame.drop(columns=[FIRST_CELL], errors="ignore")
    if last and len(frame):
        footer = footer_rows(frame)
        if len(footer):
            log.skip(SKIP_FOOTER, footer)
            frame = frame.drop(index=footer)
    if layout.match.promote:
        frame = promote_levels(frame, layout.match.promote)
    for f in layout.filled:
        if f.column not in frame.columns:
            frame = frame.assign(**{f.column: f.value})
        elif f.origin == "diberikan":  # given for this source: its blank cells too
            frame[f.column] = frame[f.column].mask(frame[f.column].str.strip().eq(""), f.value)
        elif f.blanks:
            frame[f.column] = frame[f.column].mask(frame[f.column].str.strip().isin(["", *DASHES]), f.value)
    if layout.area is not None:
        frame = frame.assign(**{AREA_HINT: layout.area.value})
    return frame if len(frame) else None
