"""The rows of a spreadsheet sheet one at a time, in memory bounded by a piece of the sheet rather than the whole sheet.

python-calamine builds a sheet whole: its cells in Rust, then a Python list of lists, both the size of the sheet (a
sheet of 300 MB of XML took 1.5 GB for ``check``). A sheet of an XLSX whose XML inflates past ``stream_bytes()``
(PANTAU_XLSX_STREAM_MB) is therefore cut into pieces of about that size, each cut after a whole row, and each piece is
read by python-calamine as a small workbook of its own: the same styles, shared strings and workbook settings (dates,
1904), so a cell reads exactly as it does in the whole sheet. Rows between pieces that hold no value come back
empty, as in the whole sheet. A smaller sheet, or a sheet of another format (XLS, ODS, XLSB), is read whole.

Either way the rows come out as a whole sheet's would: a merged range's value in each of its cells (``unmerged``,
ranges from etl.sheet_size), and a formula cell with no value saved holding its formula.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Iterable, Iterator
from itertools import chain
from pathlib import Path

#: Inflated XML a sheet may have before it is read in pieces of about this size (PANTAU_XLSX_STREAM_MB).
STREAM_MB = 8
_BLOCK = 1 << 20
_SHEET_DATA = re.compile(rb"<((?:\w+:)?)sheetData\b[^>]*?(/?)>")
_ROOT = re.compile(rb"<((?:\w+:)?worksheet)\b")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*/>")
#: The parts of the workbook a piece needs besides its sheet: python-calamine reads no other.
_PARTS = ("[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml")
_SST = re.compile(r'Target="/?([^"]*sharedStrings[^"]*)"')

Row = list[object]
Merged = list[tuple[tuple[int, int], tuple[int, int]]]


def stream_bytes() -> int:
    """The inflated size above which a sheet is read in pieces (PANTAU_XLSX_STREAM_MB, default STREAM_MB)."""
    try:
        return max(1, int(float(os.environ.get("PANTAU_XLSX_STREAM_MB", STREAM_MB)) * (1 << 20)))
    except ValueError:
        return STREAM_MB << 20


def pieces(path: Path | str, member: str, size: int) -> Iterator[bytes]:
    """The worksheet ``member`` of the XLSX at ``path`` as standalone worksheets of about ``size`` bytes of rows each:
    its head (without its dimension, which would make the reader reserve the whole sheet), some whole rows, and the
    closing tags."""
    with zipfile.ZipFile(path) as z, z.open(member) as f:
        blocks = iter(lambda: f.read(_BLOCK), b"")
        buf = b""
        for block in blocks:
            buf += block
            if (m := _SHEET_DATA.search(buf)) is not None:
                break
        else:
            return
        if m[2]:  # <sheetData/>: no row
            return
        root = _ROOT.search(buf)
        head = _DIMENSION.sub(b"", buf[:m.end()])
        tail = b"</" + m[1] + b"sheetData></" + (root[1] if root else b"worksheet") + b">"
        row_end, data_end = b"</" + m[1] + b"row>", b"</" + m[1] + b"sheetData>"
        parts, have, last = [buf[m.end():]], len(buf) - m.end(), b""
        for block in chain(blocks, [b""]):
            if block and data_end not in last[-len(data_end):] + block and have + len(block) < size:
                parts.append(block)
                have += len(block)
                last = block
                continue
            rows = b"".join([*parts, block])
            end = rows.find(data_end)
            start = 0
            while (cut := rows.find(row_end, start + max(size - len(row_end), 0), None if end < 0 else end)) >= 0:
                cut += len(row_end)
                yield head + rows[start:cut] + tail
                start = cut
            if end >= 0 or not block:  # the last rows (a sheet cut short: its whole rows)
                cut = end if end >= 0 else rows.rfind(row_end) + len(row_end)
                if cut > start and rows[start:cut].strip():
                    yield head + rows[start:cut] + tail
                return
            parts, have, last = [rows[start:]], len(rows) - start, rows[-len(data_end):]
            del rows


def _workbook_parts(path: Path | str) -> dict[str, bytes]:
    """The parts of the workbook every piece is read with (styles, shared strings, workbook settings)."""
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        wanted = [p for p in _PARTS if p in names]
        rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace") if "xl/_rels/workbook.xml.rels" in \
            names else ""
        for target in _SST.findall(rels):
            member = target if target.startswith("xl/") else f"xl/{target}"
            if member in names:
                wanted.append(member)
        return {p: z.read(p) for p in wanted}


def piece_rows(path: Path | str, sheet: str, member: str, size: int) -> Iterator[Row]:
    """The rows of a sheet read piece by piece (``pieces``), from row 1 to its last row holding a value, each as wide
    as its piece: what ``to_python(skip_empty_area=False)`` gives for the whole sheet, without building it."""
    from python_calamine import CalamineWorkbook

    parts = _workbook_parts(path)
    done = 0  # rows given so far
    for xml in pieces(path, member, size):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
            for name, data in parts.items():
                z.writestr(name, data)
            z.writestr(member, xml)
        del xml
        out.seek(0)
        found = CalamineWorkbook.from_filelike(out).get_sheet_by_name(sheet)
        if found.start is None:  # no cell of the piece holds a value
            continue
        first, left = found.start
        rows = found.to_python(skip_empty_area=True)
        width = left + (len(rows[0]) if rows else 0)
        while done < first:
            done += 1
            yield [""] * width
        pad = [""] * left
        for row in rows:
            done += 1
            yield pad + row if left else row


def unmerged(rows: Iterable[Row], merged: Merged) -> Iterator[Row]:
    """Each merged range's value in every cell of it (a kecamatan merged down over its desa, 'Jumlah' merged over
    'L' and 'P'); a spreadsheet keeps it only in the first cell. Row by row: a range's value is taken from its first
    row as it passes."""
    if not merged:
        yield from rows
        return
    starting: dict[int, list[tuple[int, int, int]]] = {}
    for (r0, c0), (r1, c1) in merged:
        starting.setdefault(r0, []).append((c0, r1, c1))
    active: list[tuple[object, int, int, int, int]] = []  # value, first row, first column, last row, last column
    for r, row in enumerate(rows):
        for c0, r1, c1 in starting.pop(r, ()):
            if c0 < len(row):
                active.append((row[c0], r, c0, r1, c1))
        if active:
            active = [a for a in active if a[3] >= r]
            for value, r0, c0, _, c1 in active:
                if len(row) <= c1:
                    row.extend([""] * (c1 + 1 - len(row)))
                for c in range(c0, c1 + 1):
                    if (r, c) != (r0, c0) and row[c] in ("", None):
                        row[c] = value
        yield row


def with_formulas(rows: Iterable[Row], formulas: dict[tuple[int, int], tuple[str, str]]) -> Iterator[Row]:
    """Rows with each formula cell that has no value saved (etl.sheet_size.SheetScan.formulas) holding its formula
    ('=10+5') instead of the '' a reader gives."""
    if not formulas:
        yield from rows
        return
    by_row: dict[int, list[tuple[int, str]]] = {}
    for (r, c), (_, text) in formulas.items():
        by_row.setdefault(r, []).append((c, text))
    for r, row in enumerate(rows, start=1):
        for c, text in by_row.get(r, ()):
            if len(row) < c:  # a row of a piece is as wide as its last cell holding a value
                row.extend([""] * (c - len(row)))
            if row[c - 1] in ("", None):
                row[c - 1] = text
        yield row


__all__ = ["STREAM_MB", "piece_rows", "pieces", "stream_bytes", "unmerged", "with_formulas"]
