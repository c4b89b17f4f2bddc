"""`python -m etl` as a person runs it: exit codes, messages without tracebacks, the summary table."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pandas as pd
from test_build import BASE_ROWS, file_hashes, write_csv

from etl import publish
from etl.sample import generate

ROOT = Path(__file__).resolve().parents[1]


def etl(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "etl", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=180, env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"})


def test_build_prints_rows_read_loaded_rejected_per_table_and_exits_0(tmp_path):
    write_csv(tmp_path / "src" / "kegiatan_lampung.csv", BASE_ROWS)
    res = etl("build", "--source", str(tmp_path / "src"), "--warehouse", str(tmp_path / "wh"), "--quiet")
    assert res.returncode == 0, res.stderr
    row = next(line for line in res.stdout.splitlines() if "activities" in line)
    # the CLI checks dates against the real today (after A5's 01/01/2025): all 5 rows read and loaded
    cells = [c.strip() for c in row.strip("│┃ ").split("│")]
    assert cells[0] == "activities"
    assert cells[1:] == ["5", "5", "0", "5"]
    assert "1 sumber, 0 tidak berubah" in res.stdout
    version = (tmp_path / "wh" / "current").readlink().name
    assert f"versi {version}" in res.stdout

    again = etl("build", "--source", str(tmp_path / "src"), "--warehouse", str(tmp_path / "wh"), "--quiet")
    assert again.returncode == 0, again.stderr
    assert "1 sumber, 1 tidak berubah" in again.stdout


def test_an_unreadable_source_exits_2_naming_the_file_without_a_traceback(tmp_path):
    write_csv(tmp_path / "src" / "kegiatan_lampung.csv", BASE_ROWS[:2])
    wh = tmp_path / "wh"
    assert etl("build", "--source", str(tmp_path / "src"), "--warehouse", str(wh), "--quiet").returncode == 0
    before = file_hashes(wh / "current")
    write_csv(tmp_path / "src" / "kegiatan_bangka.csv", ["X1,05/08/2024,19.04,19.04.01"],
              header="id_kegiatan,tanggal,penyelenggara,lokasi")

    res = etl("build", "--source", str(tmp_path / "src"), "--warehouse", str(wh), "--quiet")
    assert res.returncode == 2
    assert "kegiatan_bangka.csv" in res.stderr and "jenis" in res.stderr
    assert "Gudang data tidak diubah" in res.stderr
    assert "Traceback" not in res.stderr + res.stdout
    assert file_hashes(wh / "current") == before

    missing = etl("build", "--source", str(tmp_path / "nowhere"), "--warehouse", str(wh), "--quiet")
    assert missing.returncode == 2 and "nowhere" in missing.stderr and "Traceback" not in missing.stderr


def test_build_exits_3_while_the_warehouse_is_locked(tmp_path):
    write_csv(tmp_path / "src" / "kegiatan_lampung.csv", BASE_ROWS[:2])
    wh = tmp_path / "wh"
    held = publish.lock(wh)  # another run, as far as the CLI can tell
    try:
        res = etl("build", "--source", str(tmp_path / "src"), "--warehouse", str(wh), "--quiet", "--wait", "0.5")
    finally:
        held.release()
    assert res.returncode == 3
    assert "Sibuk" in res.stderr and "sedang berjalan" in res.stderr and "menunggu 0.5 s" in res.stderr
    assert "Traceback" not in res.stderr
    assert not (wh / "current").exists()


def test_build_help_explains_exit_codes_and_flags():
    res = etl("build", "--help")
    assert res.returncode == 0
    text = " ".join(res.stdout.split())
    for flag in ("--source", "--warehouse", "--wait", "--prune", "--quiet", "--chunk-rows"):
        assert flag in text
    assert "2 a source cannot be read" in text and "3 another run holds the warehouse lock" in text


def test_check_and_rejects_print_file_row_column_value_and_reason(tmp_path):
    # row 1 is the header, so the third data line "A3" sits on row 4 of the file
    src = write_csv(tmp_path / "src" / "kegiatan_lampung.csv",
                    [*BASE_ROWS[:2], "A3,20/02/2023,19.04,19.04.01,rapat dengar pendapat,Salah jenis,12"])
    checked = etl("check", str(src))
    assert checked.returncode == 1  # rows would be rejected
    assert "3 baris dibaca, 2 baik, 1 ditolak" in checked.stdout
    assert f"{src}:4 · kolom jenis = 'rapat dengar pendapat'" in checked.stdout
    assert "Jenis kegiatan tidak dikenal" in checked.stdout

    built = etl("build", "--source", str(tmp_path / "src"), "--warehouse", str(tmp_path / "wh"), "--quiet")
    assert built.returncode == 0
    listed = etl("rejects", "--warehouse", str(tmp_path / "wh"))
    assert listed.returncode == 0
    assert "1 baris ditolak" in listed.stdout
    assert "kegiatan_lampung.csv:4 · kolom jenis = 'rapat dengar pendapat'" in listed.stdout


def test_an_unexpected_error_exits_4_with_a_plain_message_and_the_details_in_a_log(tmp_path):
    write_csv(tmp_path / "src" / "kegiatan_lampung.csv", BASE_ROWS[:2])
    wh = tmp_path / "wh"
    assert etl("build", "--source", str(tmp_path / "src"), "--warehouse", str(wh), "--quiet").returncode == 0
    (wh / "current" / "etl_runs.parquet").write_bytes(b"not parquet")  # a damaged file: no SourceError, a bug-like one
    before = file_hashes(wh / "current")
    write_csv(tmp_path / "src" / "kegiatan_lampung.csv", BASE_ROWS[:3])

    res = etl("build", "--source", str(tmp_path / "src"), "--warehouse", str(wh), "--quiet")
    assert res.returncode == 4, res.stderr
    assert "kesalahan tak terduga" in res.stderr and "Gudang data tidak diubah" in res.stderr
    assert "Traceback" not in res.stderr + res.stdout
    log = wh / "etl-error.log"
    assert str(log) in res.stderr.replace("\n", "")
    assert "Traceback" in log.read_text(encoding="utf-8")
    assert file_hashes(wh / "current") == before
    assert publish.read_run_log(wh)[-1]["status"] == "failed"


def test_rejected_rows_of_the_sample_are_said_to_be_its_planted_errors(tmp_path):
    src = tmp_path / "src"
    write_csv(src / "kegiatan_lampung.csv", [*BASE_ROWS[:2], "A9,23/07/2024,18,18.72,pembinaan,Peserta negatif,-3"])
    sha = hashlib.sha256((src / "kegiatan_lampung.csv").read_bytes()).hexdigest()  # as etl/sample.py marks its own
    manifest = (f'sample = true\n[[source]]\ntable = "activities"\npath = "kegiatan_lampung.csv"\n'
                f'sample_sha256 = "{sha}"\n')
    (src / "sources.toml").write_text(manifest)
    res = etl("build", "--source", str(src / "sources.toml"), "--warehouse", str(tmp_path / "wh"), "--quiet")
    assert res.returncode == 0, res.stderr
    text = " ".join(res.stdout.split())
    assert "1 baris ditolak adalah kesalahan yang sengaja ditanam di data contoh" in text

    # the sample's file written over by someone: its rejects are no longer the sample's planted ones
    write_csv(src / "kegiatan_lampung.csv", [*BASE_ROWS[:1], "A9,23/07/2024,18,18.72,pembinaan,Peserta negatif,-3"])
    over = etl("build", "--source", str(src / "sources.toml"), "--warehouse", str(tmp_path / "wh"), "--quiet")
    text = " ".join(over.stdout.split())
    assert over.returncode == 0 and "ditanam" not in text
    assert "1 baris ditolak berasal dari sumber yang bukan bagian data contoh atau sudah diubah" in text

    (src / "sources.toml").unlink()  # the same rows as real data: no word of planting
    real = etl("build", "--source", str(src), "--warehouse", str(tmp_path / "wh_real"), "--quiet")
    assert real.returncode == 0, real.stderr
    assert "ditanam" not in real.stdout and "python -m etl rejects" in " ".join(real.stdout.split())


#: A clerk's own recap added to the sample's manifest: a title row, names not codes, one date that does not exist.
OWN = (b"REKAP KEGIATAN PENGAWASAN\r\nBAWASLU KABUPATEN LAMPUNG SELATAN\r\n\r\n"
       b"No;Tanggal;Jenis Kegiatan;Nama Kegiatan;Kabupaten/Kota;Jumlah Peserta\r\n"
       b"1;02/12/2024;Sosialisasi;Sosialisasi Pengawasan Partisipatif;Lampung Selatan;35\r\n"
       b"2;31/11/2024;Supervisi;Supervisi Panwascam Kalianda;Lampung Selatan;9\r\n")


def test_a_file_added_to_the_sample_manifest_has_real_rejects_not_planted_ones(tmp_path):
    src = tmp_path / "sample"
    generate(src)
    (src / "kegiatan_tambahan.csv").write_bytes(OWN)
    with open(src / "sources.toml", "a", encoding="utf-8") as f:
        f.write('\n[[source]]\npath = "kegiatan_tambahan.csv"\ntable = "activities"\n')
    res = etl("build", "--source", str(src), "--warehouse", str(tmp_path / "wh"), "--quiet")
    assert res.returncode == 0, res.stderr
    text = " ".join(res.stdout.split())
    rejects = pd.read_parquet(publish.current_dir(tmp_path / "wh") / "rejects.parquet")
    own = rejects["source"] == "kegiatan_tambahan.csv"
    assert own.sum() == 1 and rejects.loc[own, "value"].tolist() == ["31/11/2024"]
    planted = rejects.loc[~own, "row"].groupby(rejects["source"]).nunique().sum()
    assert planted > 0
    assert f"{planted} baris ditolak adalah kesalahan yang sengaja ditanam di data contoh" in text
    assert "1 baris ditolak berasal dari sumber yang bukan bagian data contoh atau sudah diubah " \
           "(kegiatan_tambahan.csv): periksa dan perbaiki" in text


def test_a_manifest_key_with_a_typo_stops_the_build_naming_it(tmp_path):
    src = tmp_path / "src"
    write_csv(src / "kegiatan_lampung.csv", BASE_ROWS[:2])
    wh = tmp_path / "wh"
    (src / "sources.toml").write_text('[[source]]\ntable = "activities"\npath = "kegiatan_lampung.csv"\n')
    assert etl("build", "--source", str(src / "sources.toml"), "--warehouse", str(wh), "--quiet").returncode == 0
    before = file_hashes(wh / "current")
    # '[[sources]]' built nothing and said nothing; 'scop' loaded an account's upload without its region
    for manifest, key in [('[[sources]]\ntable = "activities"\npath = "kegiatan_lampung.csv"\n', "'sources'"),
                          ('[[source]]\ntable = "activities"\npath = "kegiatan_lampung.csv"\nscop = "18"\n', "'scop'")]:
        (src / "sources.toml").write_text(manifest)
        res = etl("build", "--source", str(src / "sources.toml"), "--warehouse", str(wh), "--quiet")
        assert res.returncode == 2 and key in res.stderr and "kunci tidak dikenal" in res.stderr
        assert "Traceback" not in res.stderr and file_hashes(wh / "current") == before
