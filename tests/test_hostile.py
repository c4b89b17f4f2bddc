"""Hostile files, made at test time (no binary blob committed): each is refused or set aside with one sentence naming
the file, within a memory bound, and the published warehouse stays as it was (issue 20)."""

from __future__ import annotations

import re
import resource
import subprocess
import sys
from pathlib import Path

import openpyxl
from test_build import BASE_ROWS, file_hashes, write_csv

ROOT = Path(__file__).resolve().parents[1]
#: A build of a handful of rows stays far below this (the stray cell asked calamine for 512 GB and aborted).
MEMORY_BOUND_MB = 1024


def _etl(*args: str) -> tuple[subprocess.CompletedProcess, float]:
    """`python -m etl ...` and the peak RSS (MB) of the children run so far (this one is the largest)."""
    res = subprocess.run([sys.executable, "-m", "etl", *args], cwd=ROOT, capture_output=True, text=True, timeout=180,
                         env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"})
    return res, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _stray_cell_workbook(path: Path, *, clean_sheet: bool) -> Path:
    """A 5 KB workbook: a good activity, and one stray cell at XFD1048576 (the last cell a sheet has)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    ws.append(["id_kegiatan", "tanggal", "penyelenggara", "lokasi", "jenis"])
    ws.append(["X1", "05/08/2024", "18.71", "18.71.01", "Sosialisasi"])
    ws["XFD1048576"] = "x"
    if clean_sheet:
        other = wb.create_sheet("Bersih")
        other.append(["id_kegiatan", "tanggal", "penyelenggara", "lokasi", "jenis"])
        other.append(["X2", "06/08/2024", "18.71", "18.71.01", "Sosialisasi"])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def test_a_stray_cell_at_the_last_cell_of_a_sheet_sets_that_sheet_aside(tmp_path):
    src, wh = tmp_path / "src", tmp_path / "wh"
    write_csv(src / "kegiatan_lampung.csv", BASE_ROWS[:2])
    first, _ = _etl("build", "--source", str(src), "--warehouse", str(wh), "--quiet")
    assert first.returncode == 0, first.stderr
    before = file_hashes((wh / "current").resolve())

    _stray_cell_workbook(src / "kegiatan_stray.xlsx", clean_sheet=False)
    res, peak = _etl("build", "--source", str(src), "--warehouse", str(wh), "--quiet")
    assert res.returncode == 2, res.stderr
    assert "kegiatan_stray.xlsx: sheet 'Data' terlalu besar untuk dibaca: selnya sampai baris 1.048.576 kolom " \
           "16.384" in res.stderr
    assert "Traceback" not in res.stderr and "panicked" not in res.stderr
    assert peak < MEMORY_BOUND_MB
    assert file_hashes((wh / "current").resolve()) == before
    assert not list(wh.glob(".staging-*"))

    (src / "kegiatan_stray.xlsx").unlink()  # the next build runs as usual
    _stray_cell_workbook(src / "kegiatan_dua_sheet.xlsx", clean_sheet=True)
    res, _ = _etl("build", "--source", str(src), "--warehouse", str(wh), "--quiet")
    assert res.returncode == 0, res.stderr
    check, _ = _etl("check", str(src / "kegiatan_dua_sheet.xlsx"))
    assert "sheet dilewati: Data: sheet 'Data' terlalu besar untuk dibaca" in check.stdout
    assert "1 baris dibaca, 1 baik, 0 ditolak" in check.stdout


def test_a_sheet_that_inflates_past_the_limit_is_set_aside_before_it_is_read(tmp_path):
    """Issue 20, point 2: a reader inflates a sheet whole (a 6 MB file inflating to 6 GiB took 6.5 GB for check).
    The limit is a setting (PANTAU_XLSX_MAX_MB); here 1 MB against a sheet of about 3 MB that stores in a few KB."""
    import os
    import zipfile

    path = _stray_cell_workbook(tmp_path / "kegiatan_besar.xlsx", clean_sheet=True)
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    sheet = "xl/worksheets/sheet1.xml"
    padding = b"<!--" + b" " * (3 << 20) + b"-->"  # 3 MB of nothing, deflated to a few KB
    parts[sheet] = parts[sheet].replace(b"<sheetData>", padding + b"<sheetData>", 1)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    env = {**os.environ, "PANTAU_XLSX_MAX_MB": "1"}
    res = subprocess.run([sys.executable, "-m", "etl", "check", str(path)], cwd=ROOT, capture_output=True,
                         text=True, timeout=180, env={**env, "COLUMNS": "200"})
    assert res.returncode == 0, res.stderr
    assert "sheet dilewati: Data: sheet 'Data' terlalu besar untuk dibaca: isinya mengembang lebih dari 1 MB" \
        in res.stdout
    assert "1 baris dibaca, 1 baik, 0 ditolak" in res.stdout  # the other sheet


def test_a_warehouse_that_cannot_be_written_is_one_sentence_and_exit_5(tmp_path):
    """Issue 20, point 5: a warehouse folder that cannot be written (here a file stands where it should be; tests run
    as root, whom a read-only mode does not stop) gave two chained tracebacks and exit 1."""
    write_csv(tmp_path / "src" / "kegiatan_lampung.csv", BASE_ROWS[:2])
    (tmp_path / "wh").write_text("not a folder", encoding="utf-8")
    res, _ = _etl("build", "--source", str(tmp_path / "src"), "--warehouse", str(tmp_path / "wh"), "--quiet")
    assert res.returncode == 5, res.stderr
    assert "folder gudang data tidak bisa ditulis" in res.stderr and "Traceback" not in res.stderr
    assert len([line for line in res.stderr.splitlines() if line.strip()]) <= 3


def test_an_unexpected_errors_log_goes_to_a_private_folder_not_the_shared_temp(tmp_path, monkeypatch):
    import argparse

    from etl.__main__ import _write_error_log

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    log = _write_error_log(argparse.Namespace(), RuntimeError("boom"))
    assert log == tmp_path / "cache" / "pantau" / "etl-error.log"
    assert (log.parent.stat().st_mode & 0o777) == 0o700 and "RuntimeError: boom" in log.read_text(encoding="utf-8")
    (tmp_path / "blocked").write_text("", encoding="utf-8")  # no place can be written: None, not a traceback
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "blocked"))
    assert _write_error_log(argparse.Namespace(warehouse=str(tmp_path / "blocked")), RuntimeError("x")) is None


def _two_versions(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A real warehouse with two published versions: (root, the older version, the newer one `current` points at)."""
    from etl.build import build

    src, wh = tmp_path / "src", tmp_path / "wh"
    write_csv(src / "kegiatan_lampung.csv", BASE_ROWS[:2])
    older = build(src, wh).run_id
    write_csv(src / "kegiatan_lampung.csv", BASE_ROWS[:4])
    newer = build(src, wh).run_id
    assert (wh / "current").resolve().name == newer
    return wh, wh / "versions" / older, wh / "versions" / newer


def _cut_short(path: Path) -> None:
    """Cut a Parquet file to half its length (its footer gone), as a full disk or a bad copy leaves it."""
    assert path.stat().st_nlink == 1  # not hard-linked into the older version too
    with open(path, "r+b") as fh:
        fh.truncate(path.stat().st_size // 2)


def _dashboard(root: Path, monkeypatch, page: str | None = None):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("PANTAU_WAREHOUSE", str(root))
    monkeypatch.setenv("PANTAU_OPEN", "1")  # real (not sample) data and no accounts: open on purpose (issue 16)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.run()
    if page:
        at.switch_page(page).run()
    return at


def test_a_published_version_cut_short_serves_the_last_good_one_with_one_sentence(tmp_path, monkeypatch):
    """Issue 20, point 5: a Parquet file of the published version cut short put Streamlit's exception box, with the
    server path, on every page. Now: one sentence naming the version and file, and the older version is served."""
    root, older, newer = _two_versions(tmp_path)
    _cut_short(newer / "regions.parquet")
    for page in (None, "pages/7_kualitas.py"):
        at = _dashboard(root, monkeypatch, page)
        assert not at.exception, [e.value for e in at.exception]
        assert not at.error, [e.value for e in at.error]
        assert [w.value for w in at.warning if not w.value.startswith("Mode terbuka")] == [
            f"Versi data `{newer.name}` tidak dapat dibaca (berkas `regions.parquet` terpotong atau rusak); "
            f"yang ditampilkan versi baik terakhir, `{older.name}`."]
        assert str(tmp_path) not in " ".join(str(e.value) for e in at.markdown)
    assert f"Versi gudang data: `{older.name}`" in [c.value for c in at.caption]  # Kualitas names what it serves
    assert (root / "current").resolve() == newer  # the dashboard reads; it changes nothing


def test_no_whole_version_left_is_one_sentence_not_a_traceback(tmp_path, monkeypatch):
    root, older, newer = _two_versions(tmp_path)
    _cut_short(newer / "regions.parquet")
    _cut_short(older / "regions.parquet")
    at = _dashboard(root, monkeypatch)
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == [
        f"Versi data `{newer.name}` tidak dapat dibaca (berkas `regions.parquet` terpotong atau rusak) dan tidak ada "
        "versi baik sebelumnya; bangun ulang dengan perintah berikut, lalu muat ulang halaman ini:"]


def test_keep_going_publishes_the_good_sources_and_keeps_a_refused_files_rows(tmp_path, monkeypatch):
    """Issue 20, point 7: one unreadable file (here a file of NUL bytes, as a crash leaves it) stopped every build.
    Without --keep-going it still does; with it the others publish, the file's earlier rows stay, and it is listed
    in the run summary, in etl_runs and on the Kualitas data page."""
    import json

    from test_build import activities, activity_rows, runs

    from pantau import quality
    from pantau.warehouse import open_warehouse

    src, wh = tmp_path / "src", tmp_path / "wh"
    write_csv(src / "kegiatan_lampung.csv", BASE_ROWS[:2])
    write_csv(src / "kegiatan_kantor.csv", activity_rows(100, 3))
    first, _ = _etl("build", "--source", str(src), "--warehouse", str(wh), "--quiet")
    assert first.returncode == 0, first.stderr
    before = file_hashes((wh / "current").resolve())

    write_csv(src / "kegiatan_lampung.csv", BASE_ROWS[:4])      # a corrected file
    (src / "kegiatan_kantor.csv").write_bytes(b"\0" * 4096)     # the office's file, zeroed
    (src / "kegiatan_baru.csv").write_bytes(b"")                 # a new file, empty
    res, _ = _etl("build", "--source", str(src), "--warehouse", str(wh), "--quiet")
    assert res.returncode == 2 and "kegiatan_baru.csv: file kosong (empty file)" in res.stderr, res.stderr
    assert file_hashes((wh / "current").resolve()) == before    # the default stops, as before

    res, _ = _etl("build", "--source", str(src), "--warehouse", str(wh), "--quiet", "--keep-going")
    assert res.returncode == 6, res.stderr
    assert "2 sumber tidak dapat dibaca dan dilewati" in res.stderr and "Traceback" not in res.stderr
    assert "kegiatan_kantor.csv: bukan file CSV atau spreadsheet (not a CSV or spreadsheet file: binary data) " \
           "(3 baris lama dipertahankan)" in res.stderr
    assert "kegiatan_baru.csv: file kosong (empty file)" in res.stderr
    ids = activities(wh)["activity_id"].tolist()
    assert ids == ["A1", "A2", "A3", "A4", "B100", "B101", "B102"]  # the corrected rows, and the refused file's
    last = runs(wh).iloc[-1]
    assert last["status"] == "partial" and "kegiatan_kantor.csv" in last["message"]
    refused = {e["source"]: e for e in json.loads(last["inputs"]) if e.get("refused")}
    assert set(refused) == {"kegiatan_kantor.csv", "kegiatan_baru.csv"}
    assert refused["kegiatan_kantor.csv"]["rows_kept"] == 3
    manifest = json.loads((wh / "current" / "manifest.json").read_text(encoding="utf-8"))
    assert "kegiatan_baru.csv" not in manifest["sources"]   # nothing of a file never read
    # the refused file keeps the earlier hash, so the next run reads it again (and refuses it again)
    assert manifest["sources"]["kegiatan_kantor.csv"]["sha256"] == \
        json.loads((wh / "versions" / first_version(wh) / "manifest.json").read_text(encoding="utf-8"))[
            "sources"]["kegiatan_kantor.csv"]["sha256"]
    w = open_warehouse(wh)
    try:
        assert quality.refused(w)["source"].tolist() == ["kegiatan_kantor.csv", "kegiatan_baru.csv"]
    finally:
        w.close()
    at = _dashboard(wh, monkeypatch, "pages/7_kualitas.py")
    assert not at.exception and not at.error
    assert any("melewati 2 sumber yang tidak dapat dibaca" in x.value for x in at.warning), at.warning

    again, _ = _etl("build", "--source", str(src), "--warehouse", str(wh), "--quiet", "--keep-going")
    assert again.returncode == 6 and "kegiatan_kantor.csv: bukan file CSV" in again.stderr


def first_version(wh: Path) -> str:
    return sorted(p.name for p in (wh / "versions").iterdir())[0]


def test_keep_going_in_worker_processes(tmp_path, monkeypatch):
    """The same with the sources read by two worker processes (etl.parallel): a refused source does not stop the
    others there either."""
    from test_build import activities, activity_rows

    from etl.build import build

    monkeypatch.setenv("PANTAU_ETL_WORKERS", "2")
    src, wh = tmp_path / "src", tmp_path / "wh"
    write_csv(src / "kegiatan_lampung.csv", BASE_ROWS[:4])
    write_csv(src / "kegiatan_kantor.csv", activity_rows(100, 3))
    (src / "kegiatan_rusak.csv").write_bytes(b"\0" * 4096)
    summary = build(src, wh, keep_going=True)
    assert summary.status == "partial" and [s.name for s in summary.refused] == ["kegiatan_rusak.csv"]
    assert len(activities(wh)) == 7


def test_a_number_too_large_for_its_column_is_a_reject_naming_the_cell(tmp_path):
    """Issue 20, point 6 (b): 99999999999999999999999 in a count column loaded as empty, with no reject. Both paths:
    the bulk path of an activities CSV and the reference path (an XLSX)."""
    huge = "99999999999999999999999"
    csv = write_csv(tmp_path / "kegiatan_besar.csv", [*BASE_ROWS[:2], f"A9,05/08/2024,18.71,18.71.01,mou,MoU,{huge}"])
    wb = openpyxl.Workbook()
    wb.active.append(["id_kegiatan", "tanggal", "penyelenggara", "lokasi", "jenis", "peserta"])
    wb.active.append(["X1", "05/08/2024", "18.71", "18.71.01", "Sosialisasi", huge])
    wb.save(tmp_path / "kegiatan_besar.xlsx")
    for path, row in ((csv, 4), (tmp_path / "kegiatan_besar.xlsx", 2)):
        res, _ = _etl("check", str(path))
        assert res.returncode == 1, res.stdout + res.stderr
        assert f"{path}:{row} · kolom peserta = '{huge}'" in res.stdout
        assert f"Angka terlalu besar untuk kolom ini: '{huge}' (number too large for its column)" in res.stdout
    src, wh = tmp_path / "src", tmp_path / "wh"
    write_csv(src / "kegiatan_besar.csv", [*BASE_ROWS[:2], f"A9,05/08/2024,18.71,18.71.01,mou,MoU,{huge}"])
    res, _ = _etl("build", "--source", str(src), "--warehouse", str(wh), "--quiet")
    assert res.returncode == 0, res.stderr
    from test_build import activities

    assert activities(wh)["activity_id"].tolist() == ["A1", "A2"]  # not A9 with no participants


def _mixed_csv(path: Path) -> Path:
    """Two offices' exports pasted into one file: UTF-8 lines (an em dash, 'café', 'Pesta café') around a
    Windows-1252 one ('Cémara'), as a person pastes them in a text editor."""
    lines = [("id_kegiatan,tanggal,penyelenggara,lokasi,jenis,judul", "utf-8"),
             ("A1,05/08/2024,18.71,18.71.01,Sosialisasi,Rapat — koordinasi café", "utf-8"),
             ("A2,06/08/2024,18.71,18.71.01,Sosialisasi,Sosialisasi Cémara", "cp1252"),
             ("A3,07/08/2024,18.71,18.71.01,Pesta café,Rapat", "utf-8")]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"".join(text.encode(enc) + b"\n" for text, enc in lines))
    return path


def test_a_csv_mixing_utf8_and_windows_1252_lines_is_decoded_line_by_line_and_says_so(tmp_path):
    """Issue 20, point 6 (a): such a file was decoded whole as Windows-1252, so its UTF-8 rows loaded as mojibake
    ('Rapat â€” koordinasi cafÃ©') without a word. Now each line is decoded on its own, by both paths alike, and the
    check and the run summary name the lines read as Windows-1252."""
    from test_build import activities

    from etl.csv_arrow import read_csv_batches
    from etl.readers import ReadLog, Source, read_chunks

    path = _mixed_csv(tmp_path / "src" / "kegiatan_campur.csv")
    res, _ = _etl("check", str(path))
    assert res.returncode == 1, res.stdout + res.stderr  # A3's activity type is unknown: the one reject
    assert "pengodean: campuran: 1 baris bukan UTF-8 dibaca sebagai Windows-1252 (baris 3), sisanya UTF-8" \
        in res.stdout
    assert f"{path}:4 · kolom jenis = 'Pesta café'" in res.stdout
    assert "3 baris dibaca, 2 baik, 1 ditolak" in res.stdout

    titles = ["Rapat — koordinasi café", "Sosialisasi Cémara", "Rapat"]
    source = Source(path=path, table="activities")
    bulk = [t for b in read_csv_batches(source, ReadLog()) for t in b.frame["judul"].to_list()]
    reference = [t for c in read_chunks(source) for t in c.frame["judul"].tolist()]
    assert bulk == reference == titles  # the bulk reader (pyarrow) and the reference reader (pandas) alike

    for bulk_path in ("1", "0"):
        wh = tmp_path / f"wh{bulk_path}"
        built = subprocess.run([sys.executable, "-m", "etl", "build", "--source", str(path.parent), "--warehouse",
                                str(wh), "--quiet"], cwd=ROOT, capture_output=True, text=True, timeout=180,
                               env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "PANTAU_ETL_BULK": bulk_path})
        assert built.returncode == 0, built.stderr
        assert "kegiatan_campur.csv: pengodean campuran: 1 baris bukan UTF-8 dibaca sebagai Windows-1252 (baris 3)" \
            in built.stdout
        got = activities(wh)
        assert got[["activity_id", "title"]].values.tolist() == [["A1", titles[0]], ["A2", titles[1]]]

    cp1252 = write_csv(tmp_path / "kegiatan_kantor.csv", ["A1,05/08/2024,18.71,18.71.01,mou,Cémara,3"])
    cp1252.write_bytes(cp1252.read_text(encoding="utf-8").encode("cp1252"))  # a file of one encoding says which
    res, _ = _etl("check", str(cp1252))
    assert "pengodean: Windows-1252\n" in res.stdout and "campuran" not in res.stdout


def _formula_workbook(path: Path) -> Path:
    """Activities written by a program (openpyxl), never opened in Excel: X2's count is a formula with no value
    saved (F3: '=10+5'); X3's one has its value saved (F4: '=20+2', 22, as Excel saves it), X1 is a number."""
    import zipfile

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    ws.append(["id_kegiatan", "tanggal", "penyelenggara", "lokasi", "jenis", "peserta"])
    ws.append(["X1", "05/08/2024", "18.71", "18.71.01", "Sosialisasi", 12])
    ws.append(["X2", "06/08/2024", "18.71", "18.71.01", "Sosialisasi", "=10+5"])
    ws.append(["X3", "07/08/2024", "18.71", "18.71.01", "Sosialisasi", "=20+2"])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    sheet = "xl/worksheets/sheet1.xml"
    # openpyxl writes the empty value '<v />' with its own writer, '<v/>' when lxml is installed (python-pptx's)
    parts[sheet] = re.sub(rb"<v\s*/>|<v></v>", b"<v />", parts[sheet])
    assert b'<c r="F3"><f>10+5</f><v /></c>' in parts[sheet]  # what openpyxl writes: no value
    parts[sheet] = parts[sheet].replace(b"<f>20+2</f><v />", b"<f>20+2</f><v>22</v>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def test_a_formula_without_a_saved_value_is_a_reject_naming_the_cell(tmp_path):
    """Issue 20, point 6 (c): such a cell loaded as empty (the reader gives ''), so X2 loaded with no participants
    and no word. Now it is a reject naming the sheet, the cell and the formula, which is never evaluated; a formula
    with its value saved loads that value."""
    from test_build import activities

    path = _formula_workbook(tmp_path / "src" / "kegiatan_rumus.xlsx")
    res, _ = _etl("check", str(path))
    assert res.returncode == 1, res.stdout + res.stderr
    assert f"{path}:3 · kolom peserta = '=10+5'\n    Rumus tanpa nilai tersimpan di sheet 'Data' sel F3: =10+5 " \
        "— buka lalu simpan berkas di Excel agar hasilnya tersimpan, atau ketik nilainya (formula without a saved " \
        "value)" in res.stdout
    assert "3 baris dibaca, 2 baik, 1 ditolak" in res.stdout
    wh = tmp_path / "wh"
    built, _ = _etl("build", "--source", str(path.parent), "--warehouse", str(wh), "--quiet")
    assert built.returncode == 0, built.stderr
    got = activities(wh)
    assert got[["activity_id", "participants"]].values.tolist() == [["X1", 12], ["X3", 22]]
    from pantau.warehouse import open_warehouse

    w = open_warehouse(wh)
    try:
        assert w.sql("SELECT row, value, \"check\" FROM rejects").values.tolist() == [
            [3, "=10+5", "formula_without_value"]]
    finally:
        w.close()


def test_the_sheet_scan_finds_formulas_without_a_value_however_the_xml_is_written(tmp_path):
    """The scan behind (c), on a sheet's XML as other programs write it: a namespace prefix, a shared formula (its
    other cells hold only its number), a formula whose saved value is an empty text (a value), escaped text, and a
    long cell cut by the 1 MB pieces the XML is streamed in."""
    import random
    import zipfile

    from etl.sheet_size import scan

    path = _stray_cell_workbook(tmp_path / "kegiatan.xlsx", clean_sheet=False)
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    for x in ("", "x:"):
        cells = (f'<{x}c r="A1"><{x}f>1+1</{x}f></{x}c>'
                 f'<{x}c r="B1" t="str"><{x}f>""&amp;""</{x}f><{x}v></{x}v></{x}c>'
                 f'<{x}c r="C1"><{x}f t="shared" ref="C1:C2" si="0">A1*2</{x}f><{x}v>4</{x}v></{x}c>'
                 f'<{x}c r="D1"><{x}f>"a&lt;b"</{x}f><{x}v/></{x}c></{x}row>'
                 f'<{x}row r="2"><{x}c r="C2"><{x}f t="shared" si="0"/><{x}v/></{x}c>'
                 f'<{x}c r="E2" t="inlineStr"><{x}is><{x}t>')
        head = (f'<{x}worksheet xmlns:x="urn:x" xmlns="urn:x"><{x}sheetData><{x}row r="1">' + cells).encode()
        cut = f'<{x}c r="F9"><{x}f>SUM(A1:A2){"+0" * 150}</{x}f></{x}c>'.encode()  # longer than 200 bytes
        size = (1 << 20) - len(head) - len(f"</{x}t></{x}is></{x}c></{x}row><{x}row r=\"9\">") - 250
        pad = random.Random(0).randbytes(size // 2 + 1).hex()[:size].encode()  # text that does not deflate much
        xml = head + pad + f"</{x}t></{x}is></{x}c></{x}row><{x}row r=\"9\">".encode() + cut + \
            f"</{x}row></{x}sheetData></{x}worksheet>".encode()
        assert xml.index(cut) < 1 << 20 < xml.index(cut) + len(cut)  # F9 is cut by the first piece's end
        parts["xl/worksheets/sheet1.xml"] = xml
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in parts.items():
                z.writestr(name, data)
        found = scan(path)["Data"]
        assert found.formulas == {(1, 1): ("A1", "=1+1"), (1, 4): ("D1", '="a<b"'),
                                  (2, 3): ("C2", "=A1*2 (rumus sel C1 yang disalin)"),
                                  (9, 6): ("F9", "=SUM(A1:A2)" + "+0" * 150)}, x
        assert (found.rows, found.cols) == (9, 6)


def test_two_xlsx_columns_under_one_header_are_named_apart_by_their_letter(tmp_path):
    """Issue 20, point 6 (d): the read told the two columns apart ('tanggal [kolom B]', 'tanggal [kolom C]') for an
    XLSX as for a CSV, but `python -m etl` printed it through Rich, which read '[kolom C]' as a style and dropped it:
    "'tanggal ' diabaikan ... yang pertama ('tanggal ')". Two columns of a column that is not required (here a header
    merged over two columns, as a spreadsheet writes it) were dropped with no word at all."""
    head = ["id_kegiatan", "tanggal", "tanggal", "penyelenggara", "lokasi", "jenis"]
    dates = _workbook(tmp_path / "kegiatan_tanggal.xlsx", head, [
        ["X1", "05/08/2024", "07/08/2024", "18.71", "18.71.01", "Sosialisasi"],
        ["X2", "05/08/2024", "07/08/2024", "18.71", "18.71.01", "[rapat]"]])
    res, _ = _etl("check", str(dates))
    assert res.returncode == 1, res.stdout + res.stderr
    assert "kolom: 'tanggal [kolom C]' diabaikan: dua kolom 'tanggal', yang pertama ('tanggal [kolom B]') dipakai " \
           "sebagai tanggal" in res.stdout
    assert "kolom diabaikan: tanggal [kolom C]\n" in res.stdout
    assert f"{dates}:3 · kolom jenis = '[rapat]'\n    Jenis kegiatan tidak dikenal: '[rapat]'" in res.stdout
    assert "2 baris dibaca, 1 baik, 1 ditolak" in res.stdout

    merged = _workbook(tmp_path / "kegiatan_peserta.xlsx", [*head[:2], *head[3:], "peserta", ""],
                       [["X1", "05/08/2024", "18.71", "18.71.01", "Sosialisasi", 12, None]], merge="F1:G1")
    res, _ = _etl("check", str(merged))
    assert res.returncode == 0, res.stdout + res.stderr
    assert "kolom: 'peserta [kolom F]' dan 'peserta [kolom G]' sama-sama bisa menjadi peserta: keduanya tidak " \
           "dibaca, peserta kosong di setiap baris; ubah judul salah satunya" in res.stdout
    assert "1 baris dibaca, 1 baik, 0 ditolak" in res.stdout

    counts = _workbook(tmp_path / "personel_dua.xlsx", ["tanggal", "wilayah", "lembaga", "jabatan", "jumlah", "jumlah"],
                       [["23/07/2024", "18.72", "Bawaslu Kota", "Anggota", 2, 3]])
    res, _ = _etl("check", str(counts))
    assert res.returncode == 2, res.stdout + res.stderr
    assert "'jumlah [kolom E]' dan 'jumlah [kolom F]' sama-sama bisa menjadi jumlah: ubah judul salah satunya" \
        in " ".join(res.stderr.split())


def _workbook(path: Path, head: list, rows: list[list], merge: str | None = None) -> Path:
    """A one-sheet workbook ('Data'): a header and rows, and a merged range of cells."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    for row in [head, *rows]:
        ws.append(row)
    if merge:
        ws.merge_cells(merge)
    wb.save(path)
    return path
