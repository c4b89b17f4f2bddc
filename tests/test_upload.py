"""The Unggah data page (pages/8_unggah.py, etl/uploads.py) on a warehouse built by the real ETL: the page and
`python -m etl check` give the same counts, rows, columns and reasons; every bad upload gets one sentence and changes
nothing; a publish goes through the CLI's door, keeps the file with who sent it, and shows on Kegiatan."""

from __future__ import annotations

import ast
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from etl import publish, uploads
from etl.build import build
from tests import upload_files as files

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "dashboard.py")
OFFICE = ROOT / "tests" / "fixtures" / "office"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def build_base(root: Path) -> Path:
    """A warehouse built by the ETL from two office files (Kota Metro's and Lampung's), not the sample."""
    src = root / "kiriman"
    src.mkdir(parents=True)
    for name in ("kegiatan_kota_metro_2024.xlsx", "personil_lampung_2024-07.csv"):
        (src / name).write_bytes((OFFICE / name).read_bytes())
    build(src, root / "warehouse")
    return root / "warehouse"


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    wh = build_base(tmp_path)
    monkeypatch.setenv("PANTAU_WAREHOUSE", str(wh))
    monkeypatch.setenv("PANTAU_OPEN", "1")  # real (not sample) data and no accounts: open on purpose (issue 16)
    return wh


def fingerprint(warehouse: Path) -> str:
    """The published version (where `current` points and every byte under it) and the sources folder."""
    h = hashlib.sha256(os.readlink(warehouse / "current").encode())
    for folder in (warehouse / "current", warehouse / uploads.SOURCES_DIR):
        for path in sorted(folder.rglob("*")) if folder.exists() else []:
            if path.is_file():
                h.update(str(path.relative_to(folder)).encode() + path.read_bytes())
    return h.hexdigest()


def page(upload: tuple[str, bytes] | None = None, kind: str = "", values: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    at.switch_page("pages/8_unggah.py").run()
    if kind:
        at.selectbox(key="up_kind").set_value(kind).run()
    if upload:
        at.file_uploader(key="up_files").set_value((upload[0], upload[1], XLSX)).run()
    for column, value in (values or {}).items():
        [field] = [ti for ti in at.text_input if ti.key.endswith(f"_{column}")]
        field.set_value(value).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def page_counts(at: AppTest) -> tuple[int, int, int]:
    [line] = [m.value for m in at.markdown if "baris dibaca" in m.value]
    read, ok, bad = (int(x.replace(".", "")) for x in re.findall(r"([\d.]+) (?:baris dibaca|akan|disisihkan)", line))
    return read, ok, bad


def page_problems(at: AppTest) -> set[tuple[int, str, str, str]]:
    frames = [df.value for df in at.dataframe if list(df.value.columns) == ["Baris", "Kolom", "Nilai", "Alasan"]]
    if not frames:
        return set()
    return {(int(r.Baris), r.Kolom, r.Nilai, r.Alasan) for r in frames[0].itertuples()}


def cli_check(path: Path, values: dict[str, str],
              scope: str | None = None) -> tuple[tuple[int, int, int], set[tuple[int, str, str, str]]]:
    """`python -m etl check` as a clerk's steward runs it (with ``--scope``: as an account of that region uploads):
    its count line and its rejects, parsed."""
    args = [sys.executable, "-m", "etl", "check", str(path), "--limit", "1000", *(["--scope", scope] if scope else [])]
    for k, v in values.items():
        args += ["--set", f"{k}={v}"]
    out = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, env={**os.environ, "COLUMNS": "1000"},
                         check=False).stdout
    counts = re.search(r"([\d.]+) baris dibaca, ([\d.]+) baik, ([\d.]+) ditolak", out)
    assert counts, out
    problems = set()
    for m in re.finditer(r":(\d+) · kolom (.+?) = ('.*?'|\".*?\")\n    (.+)", out):
        problems.add((int(m.group(1)), m.group(2), ast.literal_eval(m.group(3)), m.group(4)))
    return tuple(int(x.replace(".", "")) for x in counts.groups()), problems  # type: ignore[return-value]


CASES = {  # name -> (file bytes, values the form is given)
    "kegiatan_metro.csv": (files.good_csv, {}),
    "kegiatan_mingguan.xlsx": (files.mixed_xlsx, {"penyelenggara": files.ORGANISER}),
    "kegiatan_rumus.xlsx": (files.formula_xlsx, {}),
}


@pytest.mark.parametrize("name", list(CASES))
def test_the_page_and_the_cli_check_give_the_same_counts_rows_columns_and_reasons(warehouse: Path, tmp_path: Path,
                                                                                 name: str) -> None:
    make, values = CASES[name]
    data = make()
    path = tmp_path / name
    path.write_bytes(data)
    counts, problems = cli_check(path, values)
    at = page((name, data), values=values)
    assert page_counts(at) == counts
    assert page_problems(at) == problems
    if name == "kegiatan_mingguan.xlsx":  # the rows and headers a person expects (tests/upload_files.py)
        assert counts == (6, 3, 3)
        assert {(r, c) for r, c, _v, _w in problems} == {(8, "Tanggal"), (9, "Kelurahan"), (10, "Jenis Kegiatan")}
        assert not at.error


def test_a_file_without_its_organiser_asks_for_it_then_checks(warehouse: Path) -> None:
    at = page(("kegiatan_mingguan.xlsx", files.mixed_xlsx()))
    assert any("penyelenggara" in w.value for w in at.warning)  # asked, not refused
    assert not at.error and not [m for m in at.markdown if "baris dibaca" in m.value]
    assert [ti.label for ti in at.text_input][:1] == ["penyelenggara"]


def test_a_file_lacking_two_values_is_told_which_one_is_still_missing(warehouse: Path) -> None:
    data = b"REKAP PERSONEL\r\n\r\nKabupaten/Kota;Jabatan;Laki-laki;Perempuan\r\nKota Metro;Ketua;1;0\r\n"
    at = page(("rekap_personel.csv", data))
    [said] = [w.value for w in at.warning if "rekap_personel.csv" in w.value]
    assert "tidak punya kolom tanggal, lembaga," in said
    at = page(("rekap_personel.csv", data), values={"tanggal": "2024-07-01"})
    # one value given: the other is still asked for, not silence
    [said] = [w.value for w in at.warning if "rekap_personel.csv" in w.value]
    assert "tidak punya kolom lembaga," in said and not [m for m in at.markdown if "baris dibaca" in m.value]


def test_what_the_title_says_is_shown_in_the_form_and_a_correction_is_used(warehouse: Path) -> None:
    data = (OFFICE / "kegiatan_kota_metro_2024.xlsx").read_bytes()
    at = page(("kegiatan_kota_metro_2024.xlsx", data))
    [field] = [ti for ti in at.text_input if ti.label == "penyelenggara"]
    assert field.value == "18.72"  # read from 'BAWASLU KOTA METRO' in the title rows
    headers = [df.value for df in at.dataframe if "Judul kolom di berkas" in df.value.columns][0]
    assert dict(zip(headers["Kolom Pantau"], headers["Judul kolom di berkas"], strict=True))["id_kegiatan"] \
        == "No. Kegiatan"
    field.set_value("Bawaslu Kabupaten Lampung Selatan").run()
    staged = [v for v in at.session_state["pantau_uploads"].values() if isinstance(v, uploads.Staged)][-1]
    assert set(staged.report.good["organizer_code"]) == {"18.01"}


def test_changes_per_kabkota_and_the_set_aside_download(warehouse: Path, tmp_path: Path) -> None:
    s = uploads.stage("kegiatan_mingguan.xlsx", files.mixed_xlsx(), tmp_path, values={"penyelenggara": "18.72"})
    chg = uploads.changes(s, warehouse)
    assert chg[["kabkota_code", "kabkota_name", "new", "replaced", "removed"]].values.tolist() == \
        [["18.72", "Kota Metro", 3, 0, 0]]
    book = pd.read_excel(io.BytesIO(uploads.set_aside_xlsx(s)), sheet_name="perbaiki", dtype=str, engine="calamine")
    assert list(book.columns) == [*files.HEADER, "masalah"]
    assert book["Nama Kegiatan"].tolist() == [r[3] for r in files.BAD_ROWS]
    assert book["masalah"].str.startswith(("baris 8 · Tanggal:", "baris 9 · Kelurahan:", "baris 10 · Jenis")).all()


def test_a_personnel_recap_sent_again_replaces_its_rows_keyed_by_date(warehouse: Path, tmp_path: Path) -> None:
    """Personnel's key starts with its as-of date: the upload's keys (text) meet the warehouse's (DATE)."""
    name = "personil_lampung_2024-07.csv"
    s = uploads.stage(name, (OFFICE / name).read_bytes(), tmp_path)
    chg = uploads.changes(s, warehouse)
    assert chg["new"].sum() == 0 and chg["replaced"].sum() == len(s.report.good) > 0


def test_publish_keeps_the_file_with_who_and_when_and_shows_on_kegiatan(warehouse: Path, tmp_path: Path) -> None:
    at = page(("kegiatan_mingguan.xlsx", files.mixed_xlsx()), values={"penyelenggara": files.ORGANISER})
    before = os.readlink(warehouse / "current")
    at.text_input(key="up_who").set_value("Rina, Bawaslu Kota Metro").run()
    at.button(key="up_publish").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("Diterbitkan" in s.value for s in at.success)
    assert os.readlink(warehouse / "current") != before
    cur = warehouse / "current"
    acts = pd.read_parquet(cur / "activities.parquet")
    mine = acts[acts["source"] == "uploads/activities/kegiatan_mingguan.xlsx"]
    assert sorted(mine["title"]) == sorted(r[3] for r in files.GOOD_ROWS)
    assert set(mine["organizer_code"]) == {"18.72"}
    assert (acts["source"] == "kegiatan_kota_metro_2024.xlsx").sum() == 11  # the earlier source's rows stay
    entry = tomllib.loads((warehouse / "sources" / "sources.toml").read_text())["source"][0]
    assert entry["uploaded_by"] == "Rina, Bawaslu Kota Metro" and entry["values"] == {"penyelenggara": "18.72"}
    log = [json.loads(x) for x in (warehouse / "sources" / "uploads.jsonl").read_text().splitlines()]
    assert log[0]["run_id"] == cur.resolve().name and log[0]["rows_ok"] == 3
    # the running dashboard shows it: the same session opens Kegiatan, no restart
    at.switch_page("pages/4_kegiatan.py").run()
    shown = pd.concat([df.value for df in at.dataframe if "Judul" in df.value.columns])
    assert "Supervisi Panwascam Metro Timur" in set(shown["Judul"])
    # the warehouse rebuilds from its sources: the upload's rows come back the same
    again = build(warehouse / "sources" / "sources.toml", tmp_path / "rebuilt")
    rebuilt = pd.read_parquet(again.version_dir / "activities.parquet")
    assert sorted(rebuilt["title"]) == sorted(mine["title"])


def test_a_corrected_file_replaces_its_rows(warehouse: Path, tmp_path: Path) -> None:
    first = uploads.stage("kegiatan_mingguan.xlsx", files.mixed_xlsx(), tmp_path, values={"penyelenggara": "18.72"})
    uploads.publish_uploads([first], warehouse, who="uji")
    fixed = [*files.GOOD_ROWS[1:], ["4", "28/02/2024", *files.BAD_ROWS[0][2:]]]
    second = uploads.stage("kegiatan_mingguan.xlsx", files.mixed_xlsx(fixed), tmp_path,
                           values={"penyelenggara": "18.72"})
    assert uploads.changes(second, warehouse)[["new", "replaced", "removed"]].values.tolist() == [[1, 2, 1]]
    uploads.publish_uploads([second], warehouse, who="uji")
    acts = pd.read_parquet(warehouse / "current" / "activities.parquet")
    mine = acts[acts["source"] == second.source_name]
    assert sorted(mine["title"]) == sorted(r[3] for r in fixed)


BAD = {  # name -> (bytes, environment, the sentence's telling words)
    "kegiatan_besar.csv": (files.good_csv, {"PANTAU_UPLOAD_MAX_MB": "0.0001"}, "lebih besar dari batas"),
    "foto_kegiatan.xlsx": (files.renamed_binary, {}, "bukan spreadsheet XLSX"),
    "foto_kegiatan.csv": (files.renamed_binary, {}, "bukan teks CSV"),
    "kegiatan_makro.xlsm": (files.xlsm, {}, "makro"),
    "kegiatan_bom.xlsx": (lambda: files.zip_bomb(3), {"PANTAU_XLSX_MAX_MB": "2"}, "membengkak"),
    "kegiatan_kosong.csv": (lambda: b"", {}, "kosong"),
    "pleno_salah.xlsx": (files.mixed_xlsx, {}, "bukan evaluasi pleno"),
}


@pytest.mark.parametrize("name", list(BAD))
def test_a_bad_upload_gets_one_sentence_and_changes_nothing(warehouse: Path, monkeypatch: pytest.MonkeyPatch,
                                                           name: str) -> None:
    make, env, words = BAD[name]
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    before = fingerprint(warehouse)
    at = page((name, make()), kind="pleno" if name.startswith("pleno") else "")
    [error] = [e.value for e in at.error]
    assert words in error and error.startswith(name) and "\n" not in error and "Traceback" not in error
    assert not at.button  # nothing to publish
    assert fingerprint(warehouse) == before


def test_formulas_load_their_cached_values_never_evaluated(warehouse: Path, tmp_path: Path) -> None:
    s = uploads.stage("kegiatan_rumus.xlsx", files.formula_xlsx(), tmp_path)
    participants = dict(zip(s.report.good["title"], s.report.good["participants"], strict=True))
    assert participants[files.GOOD_ROWS[0][3]] == 35  # '=30+5' cached 35
    # '=A1*' has no cached value: the row is set aside naming the cell (issue 20), never evaluated, never blank
    assert files.GOOD_ROWS[1][3] not in participants
    assert "formula_without_value" in set(s.report.rejects["check"])


def test_publishing_while_another_run_holds_the_warehouse_changes_nothing(warehouse: Path) -> None:
    at = page(("kegiatan_mingguan.xlsx", files.mixed_xlsx()), values={"penyelenggara": files.ORGANISER})
    before = fingerprint(warehouse)
    held = publish.lock(warehouse)  # another upload or ETL run is publishing
    try:
        at.button(key="up_publish").click().run()
    finally:
        held.release()
    [error] = [e.value for e in at.error]
    assert "sedang diperbarui" in error and "tidak ada yang berubah" in error
    assert fingerprint(warehouse) == before


def test_templates_download_from_the_page(warehouse: Path) -> None:
    at = page()
    keys = {b.proto.id for b in at.get("download_button")}
    assert len([k for k in keys if "up_tpl_" in k]) == len(uploads.KINDS)
    assert uploads.template_bytes("activities")[:2] == b"PK"
