"""Files an office would upload, written by hand as a clerk keeps them, made at test time (tests/test_upload.py and
tests/test_browser_upload.py). Kota Metro (18.72): the warehouse's region list has its kecamatan and kelurahan."""

from __future__ import annotations

import io
import zipfile

import xlsxwriter

HEADER = ["No", "Tanggal", "Jenis Kegiatan", "Nama Kegiatan", "Kecamatan", "Kelurahan", "Jumlah Peserta"]
GOOD_ROWS = [
    ["1", "02/12/2024", "Sosialisasi", "Sosialisasi Pengawasan Partisipatif di Imopuro", "Metro Pusat", "Imopuro",
     "35"],
    ["2", "Selasa, 3 Desember 2024", "Rapat Koordinasi", "Rakor Evaluasi Tahapan Pilkada", "Metro Barat",
     "Mulyojati", "20"],
    ["3", "04/12/2024", "Supervisi", "Supervisi Panwascam Metro Timur", "Metro Timur", "Yosodadi", "12"],
]
#: (row as the spreadsheet shows it, header at fault) of each bad row of MIXED_ROWS in mixed_xlsx
BAD_ROWS = [
    ["4", "31/02/2024", "Pemantauan", "Pemantauan Pemungutan Suara Ulang", "Metro Utara", "Banjarsari", "8"],
    ["5", "05/12/2024", "Sosialisasi", "Sosialisasi Netralitas Kepala Desa", "Metro Pusat", "Desa Antah Berantah",
     "10"],
    ["6", "06/12/2024", "Lomba Catur", "Lomba Catur Antar Pengawas", "Metro Selatan", "Rejomulyo", "5"],
]
MIXED_ROWS = GOOD_ROWS + BAD_ROWS
TITLE = ["LAPORAN KEGIATAN PENGAWASAN MINGGUAN", "Minggu pertama Desember 2024"]
ORGANISER = "18.72"
#: the header rows: two title rows, a blank row, then the header at row 4; data from row 5
FIRST_DATA_ROW = 5


def mixed_xlsx(rows: list[list[str]] = MIXED_ROWS) -> bytes:
    """A weekly activities recap: title rows naming no office, no organiser column, dates as typed text, one row a
    bad date, one an unknown kelurahan, one an unknown type."""
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    sheet = book.add_worksheet("Kegiatan")
    bold = book.add_format({"bold": True})
    for r, text in enumerate(TITLE):
        sheet.write_string(r, 0, text, bold)
    for c, head in enumerate(HEADER):
        sheet.write_string(3, c, head, bold)
    for r, row in enumerate(rows, start=4):
        for c, cell in enumerate(row):
            if c in (0, 6):
                sheet.write_number(r, c, int(cell))
            else:
                sheet.write_string(r, c, cell)
    book.close()
    return buf.getvalue()


def good_csv() -> bytes:
    """The good rows as a ';' CSV saved by Excel in Windows-1252, with an organiser column."""
    lines = [";".join([*HEADER, "Penyelenggara"])] + [";".join([*row, "Bawaslu Kota Metro"]) for row in GOOD_ROWS]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def formula_xlsx() -> bytes:
    """The good rows, participants as a formula with its cached value (=30+5 -> 35) and one without a value."""
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    sheet = book.add_worksheet("Kegiatan")
    for c, head in enumerate([*HEADER, "Penyelenggara"]):
        sheet.write_string(0, c, head)
    for r, row in enumerate(GOOD_ROWS, start=1):
        for c, cell in enumerate([*row, "Bawaslu Kota Metro"]):
            sheet.write_string(r, c, cell)
    sheet.write_formula(1, 6, "=30+5", None, 35)
    sheet.write_formula(2, 6, "=A1*", None, "")  # no cached value: the row has no participant count
    book.close()
    return buf.getvalue()


def zip_bomb(inflated_mb: int) -> bytes:
    """An .xlsx whose zip inflates to ``inflated_mb`` MB of zeros (a few KB on disk)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("xl/worksheets/sheet1.xml", "w") as fh:
            block = b"\0" * (1 << 20)
            for _ in range(inflated_mb):
                fh.write(block)
    return buf.getvalue()


def xlsm() -> bytes:
    """A macro workbook (.xlsm): a zip with a vbaProject.bin."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0macro")
    return buf.getvalue()


def renamed_binary() -> bytes:
    """A PNG's first bytes and noise: what a photo renamed to .xlsx or .csv looks like."""
    return b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 64
