"""How many cells each sheet of an XLSX spans, read from its XML before a reader builds it.

python-calamine builds a sheet as one dense grid from its first to its last cell: a single stray cell at
XFD1048576 in a 5 KB file asks for 512 GB and aborts the process (a Rust panic no ``except`` catches),
and with it every later build. The extent is found here by streaming each worksheet's XML for the cell
references it holds (``<c r="XFD1048576"``), so a sheet too large to read is set aside with one sentence
instead. A file that is not a zip (XLS, ODS in another form) is left to the reader.

The same pass finds the formula cells with no value saved (``<c r="D7"><f>10+5</f></c>``, or an empty ``<v/>``: a
file written by a program, never opened in Excel), which a reader returns as empty: the readers make them rejects
naming the cell. Formulas are never evaluated; a formula with its value saved is read as that value.

It also collects the sheet's merged ranges (``<mergeCells>`` comes after the cells): etl.xlsx_rows, reading a large
sheet in pieces, fills them in as its rows pass.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

#: Cells a sheet may span (rows x columns from A1 to its last cell): 20 million, about 0.5 GB once read.
MAX_CELLS = 20_000_000
#: Bytes a sheet's XML may inflate to (declared in the zip, and counted while streaming it, as a zip may lie), and
#: the most it may inflate per byte stored (a sheet within them is still inflated once here, and read in pieces by
#: etl.xlsx_rows past PANTAU_XLSX_STREAM_MB). PANTAU_XLSX_MAX_MB sets the first.
MAX_SHEET_MB = 512
MAX_RATIO = 200


def max_sheet_bytes() -> int:
    """The inflated size a sheet may have (PANTAU_XLSX_MAX_MB, default MAX_SHEET_MB)."""
    import os

    try:
        return int(float(os.environ.get("PANTAU_XLSX_MAX_MB", MAX_SHEET_MB)) * (1 << 20))
    except ValueError:
        return MAX_SHEET_MB << 20
_CELL_REF = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3})([0-9]{1,7})"')
_SHEET = re.compile(r"<(?:\w+:)?sheet\b[^>]*>")
_ATTR = re.compile(r'([\w:]+)="([^"]*)"')
_REL = re.compile(r"<(?:\w+:)?Relationship\b[^>]*>")
_PREFIX = re.compile(rb"<\w+")
_REF = re.compile(rb"^([A-Z]{1,3})([0-9]{1,7})$")
#: The end of a formula cell with no value saved: the formula's end, then nothing or an empty value, then the cell's
#: end (a formula is a cell's first child). Looked for from the end, at C speed: most cells are no formula or have a
#: value. ``<f .../>``: a cell of a shared formula.
_V = rb"(<v\s*/>|<v>\s*</v>)?\s*</c>"
_NO_VALUE = [re.compile(rb"</f>\s*" + _V), re.compile(rb"<f\b[^>]*/>\s*" + _V)]
_FORMULA = re.compile(rb"<(?:\w+:)?f\b([^>]*?)(?:/>|>([^<]*)</(?:\w+:)?f>)")
#: The first cell of a shared formula (the others hold only its number ``si``): its reference, attributes, text.
_SHARED = re.compile(rb"<(?:\w+:)?c\s[^>]*?\br=\"([A-Z]+[0-9]+)\"[^>]*>\s*<(?:\w+:)?f\b([^>]*\bref=[^>]*)>([^<]*)<")
#: A merged range (``<mergeCell ref="A1:B2"/>``, after the sheet's cells).
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]{1,3})([0-9]{1,7}):([A-Z]{1,3})([0-9]{1,7})"')


def _prefixed(pattern: re.Pattern) -> re.Pattern:
    """``pattern`` with a namespace prefix allowed on each of its tags ('<x:f>', '</x:c>'): slower, used only in a
    sheet that has one."""
    return re.compile(pattern.pattern.replace(b"</", b"\x00").replace(b"<", b"<(?:\\w+:)?")
                      .replace(b"\x00", b"</(?:\\w+:)?"))


_NO_VALUE_PREFIXED = [_prefixed(p) for p in _NO_VALUE]
#: Bytes looked back for the start of the last cell of a block (a cell cut by the block boundary is read whole with
#: the next block).
_CARRY = 1 << 20


@dataclass
class SheetScan:
    """What a worksheet's XML holds: its last row and column, its bytes inflated, each formula cell with no value
    saved: (row, column) 1-based -> (reference, the formula as written: '=10+5'), its merged ranges as python-calamine
    gives them (((first row, first column), (last row, last column)), 0-based), and its member in the zip."""

    rows: int = 0
    cols: int = 0
    size: int = 0
    formulas: dict[tuple[int, int], tuple[str, str]] = field(default_factory=dict)
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    member: str = ""


def column_number(letters: bytes) -> int:
    """'A' -> 1, 'XFD' -> 16384."""
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def scan(path: Path | str) -> dict[str, SheetScan]:
    """Sheet name -> its SheetScan; {} when the file is no XLSX zip. A sheet declared or found to inflate past
    max_sheet_bytes (or MAX_RATIO) is not read on: its size comes back above the limit."""
    limit = max_sheet_bytes()
    try:
        with zipfile.ZipFile(path) as z:
            out = {}
            for name, member in _sheet_targets(z).items():
                try:
                    info = z.getinfo(member)
                except KeyError:
                    continue
                if info.file_size > limit or info.file_size > MAX_RATIO * max(info.compress_size, 1 << 10):
                    out[name] = SheetScan(size=max(info.file_size, limit + 1), member=member)
                else:
                    out[name] = _scan_sheet(z, member, limit)
                    out[name].member = member
            return out
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return {}


def sheet_extents(path: Path | str) -> dict[str, tuple[int, int, int]]:
    """Sheet name -> (last row, last column, bytes inflated) of each worksheet (``scan``)."""
    return {name: (s.rows, s.cols, s.size) for name, s in scan(path).items()}


def _sheet_targets(z: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its worksheet's member in the zip (xl/workbook.xml and its relationships)."""
    workbook = z.read("xl/workbook.xml").decode("utf-8", "replace")
    rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    target_of = {}
    for tag in _REL.findall(rels):
        attrs = dict(_ATTR.findall(tag))
        target = attrs.get("Target", "")
        target_of[attrs.get("Id", "")] = target.lstrip("/") if target.startswith("/") else \
            str(PurePosixPath("xl") / target)
    out = {}
    for tag in _SHEET.findall(workbook):
        attrs = dict(_ATTR.findall(tag))
        rid = next((v for k, v in attrs.items() if k.endswith(":id")), "")
        if "name" in attrs and rid in target_of:
            out[_unescape(attrs["name"])] = target_of[rid]
    return out


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'") \
        .replace("&amp;", "&")


def _scan_sheet(z: zipfile.ZipFile, member: str, limit: int) -> SheetScan:
    """A worksheet streamed in 1 MB pieces: the last cell reference, and the formulas with no value saved (looked for
    only in a piece that has a formula); stops once past ``limit`` bytes. Each piece is read up to the start of its
    last cell, which is read whole with the next one."""
    out = SheetScan()
    shared: dict[str, tuple[str, str]] = {}
    tail = b""
    with z.open(member) as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            out.size += len(block)
            if out.size > limit:
                return out
            data = tail + block
            cut = _last_cell_start(data)
            if cut < 0 or cut < len(data) - _CARRY:  # no cell starts near the end (a long part after the cells)
                cut = max(0, len(data) - 200)
            _read_cells(data[:cut], out, shared)
            _read_merged(data, cut, out)
            tail = data[cut:]
    _read_cells(tail, out, shared)
    _read_merged(tail, len(tail), out)
    return out


def _read_merged(data: bytes, cut: int, out: SheetScan) -> None:
    """The merged ranges starting before ``cut`` in ``data`` into ``out.merged`` (the others are read with the next
    block: a tag starting before ``cut`` ends in ``data``, which runs at least 200 bytes past it)."""
    if b"mergeCell" not in data:
        return
    for m in _MERGE.finditer(data, 0, len(data)):
        if m.start() >= cut:
            break
        out.merged.append(((int(m[2]) - 1, column_number(m[1]) - 1), (int(m[4]) - 1, column_number(m[3]) - 1)))


def _last_cell_start(data: bytes, end: int | None = None, *, prefixed: bool = True) -> int:
    """Where the last cell of ``data`` (before ``end``) starts ('<c ', or '<x:c ' when the sheet may have a namespace
    prefix), or -1. Before ``end`` the cell is looked for in the 64 KB before it (a cell with no value is short)."""
    low = 0 if end is None else max(0, end - (1 << 16))
    plain = data.rfind(b"<c ", low, end)
    if not prefixed:
        return plain
    other = data.rfind(b":c ", max(plain, low), end)
    if other > plain:
        start = data.rfind(b"<", 0, other)
        if start >= 0 and _PREFIX.fullmatch(data, start, other):
            return start
    return plain


def _read_cells(data: bytes, out: SheetScan, shared: dict[str, tuple[str, str]]) -> None:
    """The cell references and formulas without a value of whole cells ``data`` into ``out``; ``shared``: the first
    cell and text of each shared formula by its number."""
    for col, row in _CELL_REF.findall(data):
        out.rows = max(out.rows, int(row))
        out.cols = max(out.cols, column_number(col))
    prefixed = b":f>" in data or b":f " in data
    if not (prefixed or b"<f>" in data or b"<f " in data):
        return
    if is_shared := b'"shared"' in data:
        for ref, attrs, text in _SHARED.findall(data):
            f_attrs = dict(_ATTR.findall(attrs.decode("utf-8", "replace")))
            if f_attrs.get("t") == "shared" and "si" in f_attrs:
                shared[f_attrs["si"]] = (ref.decode(), "=" + _unescape(text.decode("utf-8", "replace")))
    patterns = _NO_VALUE_PREFIXED if prefixed else _NO_VALUE
    for pattern in patterns[:2 if is_shared else 1]:
        for m in pattern.finditer(data):
            _no_value(data, _last_cell_start(data, m.start(), prefixed=prefixed), m, out, shared)


def _no_value(data: bytes, start: int, end: re.Match, out: SheetScan, shared: dict[str, tuple[str, str]]) -> None:
    """The formula cell from ``start`` to ``end`` (_NO_VALUE) into ``out.formulas``, but for a formula whose saved
    value is an empty text."""
    if start < 0:
        return
    cell = dict(_ATTR.findall(data[start:data.find(b">", start)].decode("utf-8", "replace")))
    formula = _FORMULA.search(data, start, end.end())
    if formula is None or (end[1] and cell.get("t") == "str") or not (m := _REF.match(cell.get("r", "").encode())):
        return
    text = "=" + _unescape((formula[2] or b"").decode("utf-8", "replace"))
    f_attrs = dict(_ATTR.findall(formula[1].decode("utf-8", "replace")))
    if f_attrs.get("t") == "shared" and formula[2] is None and f_attrs.get("si") in shared:
        first, written = shared[f_attrs["si"]]
        text = f"{written} (rumus sel {first} yang disalin)"
    out.formulas[(int(m[2]), column_number(m[1]))] = (cell["r"], text)


def too_large(path: Path | str, scans: dict[str, SheetScan] | None = None) -> dict[str, str]:
    """Sheet name -> one sentence, for every sheet spanning more than MAX_CELLS cells (``scans``: ``scan(path)``)."""
    out = {}
    limit = max_sheet_bytes()
    for name, found in (scan(path) if scans is None else scans).items():
        rows, cols, size = found.rows, found.cols, found.size
        if size > limit:
            out[name] = (f"sheet '{name}' terlalu besar untuk dibaca: isinya mengembang lebih dari {limit >> 20} MB "
                         f"setelah dibuka (batas PANTAU_XLSX_MAX_MB) (sheet too large once inflated)")
        elif rows * cols > MAX_CELLS:
            out[name] = (f"sheet '{name}' terlalu besar untuk dibaca: selnya sampai baris {rows:,} kolom {cols:,} "
                         f"({rows * cols:,} sel; batas {MAX_CELLS:,}); hapus isi atau format sel jauh di luar tabel "
                         f"lalu simpan lagi (sheet too large to read)").replace(",", ".")
    return out
