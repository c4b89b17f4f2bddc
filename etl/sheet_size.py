"""How many cells each sheet of an XLSX spans, read from its XML before a reader builds it.

python-calamine builds a sheet as one dense grid from its first to its last cell: a single stray cell at
XFD1048576 in a 5 KB file asks for 512 GB and aborts the process (a Rust panic no ``except`` catches),
and with it every later build. The extent is found here by streaming each worksheet's XML for the cell
references it holds (``<c r="XFD1048576"``), so a sheet too large to read is set aside with one sentence
instead. A file that is not a zip (XLS, ODS in another form) is left to the reader.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path, PurePosixPath

#: Cells a sheet may span (rows x columns from A1 to its last cell): 20 million, about 0.5 GB once read.
MAX_CELLS = 20_000_000
_CELL_REF = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3})([0-9]{1,7})"')
_SHEET = re.compile(r"<(?:\w+:)?sheet\b[^>]*>")
_ATTR = re.compile(r'([\w:]+)="([^"]*)"')
_REL = re.compile(r"<(?:\w+:)?Relationship\b[^>]*>")


def column_number(letters: bytes) -> int:
    """'A' -> 1, 'XFD' -> 16384."""
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def sheet_extents(path: Path | str) -> dict[str, tuple[int, int]]:
    """Sheet name -> (last row, last column) of the cells its XML holds; {} when the file is no XLSX zip."""
    try:
        with zipfile.ZipFile(path) as z:
            targets = _sheet_targets(z)
            return {name: _extent(z, member) for name, member in targets.items() if member in z.namelist()}
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return {}


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


def _extent(z: zipfile.ZipFile, member: str) -> tuple[int, int]:
    """(last row, last column) over every cell reference of a worksheet, streamed in 1 MB pieces."""
    rows = cols = 0
    tail = b""
    with z.open(member) as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            data = tail + block
            for col, row in _CELL_REF.findall(data):
                rows = max(rows, int(row))
                cols = max(cols, column_number(col))
            tail = data[-200:]  # a reference cut by the block boundary is found whole in the next piece
    return rows, cols


def too_large(path: Path | str) -> dict[str, str]:
    """Sheet name -> one sentence, for every sheet spanning more than MAX_CELLS cells."""
    out = {}
    for name, (rows, cols) in sheet_extents(path).items():
        if rows * cols > MAX_CELLS:
            out[name] = (f"sheet '{name}' terlalu besar untuk dibaca: selnya sampai baris {rows:,} kolom {cols:,} "
                         f"({rows * cols:,} sel; batas {MAX_CELLS:,}); hapus isi atau format sel jauh di luar tabel "
                         f"lalu simpan lagi (sheet too large to read)").replace(",", ".")
    return out
