"""A large XLSX sheet is read in pieces (etl.xlsx_rows): memory bounded by a piece and a chunk, not by the sheet, and
the same rows, rows set aside and rejects as the whole sheet (issue 20, point 2)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from etl.layout import SKIP_TOTAL
from etl.readers import ReadLog, Source, read_chunks
from etl.sheet_size import scan
from etl.xlsx_rows import pieces, stream_bytes

ROOT = Path(__file__).resolve().parents[1]
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _big_workbook(path: Path, rows: int) -> Path:
    """An activities workbook of ``rows`` rows written as XML straight into the zip (about 410 bytes a row): ids and
    texts inline, the type from the shared strings, the date a serial under a date format."""
    parts = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/></Types>',
        "_rels/.rels": f'<Relationships xmlns="{_REL[:-34]}package/2006/relationships"><Relationship Id="rId1" '
        f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook {_NS} xmlns:r="{_REL}"><sheets><sheet name="Data" sheetId="1" r:id="rId1"/>'
        "</sheets></workbook>",
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{_REL[:-34]}package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
        f'<Relationship Id="rId3" Type="{_REL}/styles" Target="styles.xml"/></Relationships>',
        "xl/styles.xml": f'<styleSheet {_NS}><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" '
        'applyNumberFormat="1"/></cellXfs></styleSheet>',
        "xl/sharedStrings.xml": f"<sst {_NS}><si><t>Sosialisasi</t></si><si><t>Pemantauan</t></si></sst>",
    }
    head = ["id_kegiatan", "tanggal", "penyelenggara", "lokasi", "jenis", "judul", "peserta"]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for name, text in parts.items():
            z.writestr(name, text)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            f.write(f'<worksheet {_NS}><dimension ref="A1:G{rows + 1}"/><sheetData><row r="1">'.encode()
                    + "".join(f'<c r="{c}1" t="inlineStr"><is><t>{h}</t></is></c>' for c, h in zip("ABCDEFG", head,
                                                                                                   strict=True)).encode()
                    + b"</row>")
            pad = "x" * 250
            for start in range(2, rows + 2, 10_000):
                f.write("".join(
                    f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>K{i}</t></is></c><c r="B{i}" s="1"><v>'
                    f'{45500 + i % 200}</v></c><c r="C{i}" t="inlineStr"><is><t>18.71</t></is></c><c r="D{i}" '
                    f't="inlineStr"><is><t>18.71.01</t></is></c><c r="E{i}" t="s"><v>{i % 2}</v></c><c r="F{i}" '
                    f't="inlineStr"><is><t>Kegiatan {i} {pad}</t></is></c><c r="G{i}"><v>{i % 50}</v></c></row>'
                    for i in range(start, min(start + 10_000, rows + 2))).encode())
            f.write(b"</sheetData></worksheet>")
    return path


def _peak(code: str, *args: str) -> tuple[subprocess.CompletedProcess, float]:
    """Python ``code`` run in a child with ``args`` as its sys.argv[1:], and the child's own peak RSS in MB: its
    VmHWM, as ru_maxrss keeps across exec the peak of the process it was forked from (a test worker that read large
    files before would set the floor)."""
    wrapped = ("import atexit, re, sys\n"
               "atexit.register(lambda: print('PEAK', re.search(r'VmHWM:\\s*(\\d+)', "
               "open('/proc/self/status').read())[1], file=sys.stderr))\n" + code)
    res = subprocess.run([sys.executable, "-c", wrapped, *args], cwd=ROOT, capture_output=True, text=True,
                         timeout=300, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "COLUMNS": "200"})
    peak = [line for line in res.stderr.splitlines() if line.startswith("PEAK ")]
    assert peak, res.stderr
    return res, int(peak[-1].split()[1]) / 1024


@pytest.mark.slow
def test_a_large_sheet_is_read_in_memory_bounded_by_its_chunks_not_by_the_sheet(tmp_path):
    """150 MB of sheet XML, 250,000 rows (10 MB stored). Read whole, as before, the reader alone took 565 MB in chunks
    of 20,000 rows and `etl check` 890 MB; read in pieces of 8 MB, 325 MB and 625 MB, every row read as before."""
    path = _big_workbook(tmp_path / "kegiatan_besar.xlsx", 250_000)
    assert scan(path)["Data"].size > 100 << 20
    res, peak = _peak("import sys\nfrom etl.readers import Source, read_chunks\nn, last = 0, None\n"
                      "for chunk in read_chunks(Source(path=sys.argv[1], table='activities'), chunk_rows=20_000):\n"
                      "    n += len(chunk)\n    last = chunk.frame.iloc[-1].to_dict(), chunk.frame.index[-1]\n"
                      "print(n, last)\n", str(path))
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("250000 ({'id_kegiatan': 'K250001', 'tanggal': '2024-07-28', "), res.stdout
    assert res.stdout.rstrip().endswith(", 250001)")
    assert peak < 400, f"reader: peak {peak:.0f} MB"

    res, peak = _peak("import runpy, sys\nrunpy.run_module('etl', run_name='__main__', alter_sys=True)\n",
                      "check", str(path))
    assert res.returncode == 0, res.stderr
    assert "250.000 baris dibaca, 250.000 baik, 0 ditolak" in " ".join(res.stdout.split())
    assert peak < 760, f"etl check: peak {peak:.0f} MB"


def _office_workbook(path: Path, left: int) -> Path:
    """A sheet as an office writes it, ``left`` empty columns before its table: two title rows (one merged across the
    table), a penyelenggara merged down, dates, a formula with no value saved, a total row, an empty row and a
    signature below the table."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    rows = [["LAPORAN KEGIATAN PENGAWASAN"], ["Kabupaten Lampung Selatan"],
            ["id_kegiatan", "tanggal", "penyelenggara", "lokasi", "jenis", "peserta", None],
            ["K1", dt.date(2024, 8, 5), "18.01", "18.01.01", "Sosialisasi", 10, None],
            ["K2", dt.datetime(2024, 8, 6, 13, 30), None, "18.01.02", "Pemantauan", "=5+5", None],
            ["K3", "07/08/2024", None, "18.01.03", "Sosialisasi", 12.5, None],
            ["K4", 45512, None, "18.01.04", "Sosialisasi", 7, None]]
    rows += [[f"K{i}", dt.date(2024, 8, 1 + i % 28), "18.01", "18.01.01", "Sosialisasi", i, None] for i in range(5, 40)]
    rows += [["JUMLAH", None, None, None, None, "=SUM(F4:F42)", None], [],
             [None, None, None, "Kalianda, 31 Agustus 2024"], [None, None, None, "Ketua Bawaslu Lampung Selatan"]]
    for row in rows:
        ws.append([None] * left + row if row else row)
    col = [openpyxl.utils.get_column_letter(left + i) for i in range(1, 8)]
    ws.merge_cells(f"{col[0]}1:{col[5]}1")
    ws.merge_cells(f"{col[2]}4:{col[2]}7")  # penyelenggara merged down over its four rows
    wb.save(path)
    return path


def _read(path: Path) -> tuple[list[pd.DataFrame], ReadLog]:
    log = ReadLog()
    frames = [c.frame for c in read_chunks(Source(path=path, table="activities"), chunk_rows=10, log=log)]
    return frames, log


@pytest.mark.parametrize(("left", "piece_mb"), [(0, "0.000001"), (2, "0.000001"), (1, "0.002")])
def test_a_sheet_read_in_pieces_gives_the_rows_of_the_whole_sheet(tmp_path, monkeypatch, left, piece_mb):
    """Pieces of one row each (the smallest a setting can make), or of a few rows, against the whole sheet: the same
    chunks, the same rows set aside (title, total, signature), the same formula cells to reject, the same notes."""
    path = _office_workbook(tmp_path / "kegiatan_kantor.xlsx", left)
    whole, whole_log = _read(path)
    found = scan(path)["Data"]
    assert sorted(found.merged) == [((0, left), (0, left + 5)), ((3, left + 2), (6, left + 2))]
    monkeypatch.setenv("PANTAU_XLSX_STREAM_MB", piece_mb)
    assert len(list(pieces(path, found.member, stream_bytes()))) == (45 if piece_mb == "0.000001" else 6)
    streamed, streamed_log = _read(path)
    assert [len(f) for f in whole] == [len(f) for f in streamed] == [10, 10, 10, 9 if left == 0 else 10, 2]
    for a, b in zip(whole, streamed, strict=True):
        pd.testing.assert_frame_equal(a, b)
    assert whole_log == streamed_log
    assert whole[0].loc[5, "penyelenggara"] == "18.01" and whole[0].loc[5, "tanggal"] == "2024-08-06 13:30:00"
    formula = f"{openpyxl.utils.get_column_letter(left + 6)}5"
    assert formula in whole[0].loc[5, "_rumus"]
    # the total row (not told when the table starts right of column A: the reader's way today, both paths)
    assert whole_log.skipped_rows.get(SKIP_TOTAL) == ([43] if left == 0 else None)
