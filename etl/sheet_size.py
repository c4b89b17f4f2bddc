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
#: Bytes a sheet's XML may inflate to (declared in the zip, and counted while streaming it, as a zip may lie), and
#: the most it may inflate per byte stored: a reader inflates the sheet whole. PANTAU_XLSX_MAX_MB sets the first.
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


def column_number(letters: bytes) -> int:
    """'A' -> 1, 'XFD' -> 16384."""
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def sheet_extents(path: Path | str) -> dict[str, tuple[int, int, int]]:
    """Sheet name -> (last row, last column, bytes inflated) of each worksheet's XML; {} when the file is no XLSX zip.
    A sheet declared or found to inflate past max_sheet_bytes (or MAX_RATIO) is not read on: its bytes come back
    above the limit."""
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
                    out[name] = (0, 0, max(info.file_size, limit + 1))
                else:
                    out[name] = _extent(z, member, limit)
            return out
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


def _extent(z: zipfile.ZipFile, member: str, limit: int) -> tuple[int, int, int]:
    """(last row, last column, bytes) over every cell reference of a worksheet, streamed in 1 MB pieces; stops once
    past ``limit`` bytes."""
    rows = cols = size = 0
    tail = b""
    with z.open(member) as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            size += len(block)
            if size > limit:
                return rows, cols, size
            data = tail + block
            for col, row in _CELL_REF.findall(data):
                rows = max(rows, int(row))
                cols = max(cols, column_number(col))
            tail = data[-200:]  # a reference cut by the block boundary is found whole in the next piece
    return rows, cols, size


def too_large(path: Path | str) -> dict[str, str]:
    """Sheet name -> one sentence, for every sheet spanning more than MAX_CELLS cells."""
    out = {}
    limit = max_sheet_bytes()
    for name, (rows, cols, size) in sheet_extents(path).items():
        if size > limit:
            out[name] = (f"sheet '{name}' terlalu besar untuk dibaca: isinya mengembang lebih dari {limit >> 20} MB "
                         f"setelah dibuka (batas PANTAU_XLSX_MAX_MB) (sheet too large once inflated)")
        elif rows * cols > MAX_CELLS:
            out[name] = (f"sheet '{name}' terlalu besar untuk dibaca: selnya sampai baris {rows:,} kolom {cols:,} "
                         f"({rows * cols:,} sel; batas {MAX_CELLS:,}); hapus isi atau format sel jauh di luar tabel "
                         f"lalu simpan lagi (sheet too large to read)").replace(",", ".")
    return out
