"""The sample generator: deterministic, a complete manifest, the seed facts in the raw files, messy forms.

The files are read back here with plain pandas (and a few lines of header matching against
etl.spec), not with the project's loaders, so these tests say whether the *files* carry the facts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import sqlite3
import tomllib
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from etl import spec
from etl.sample import generate

_MONTHS = {m: i for i, m in enumerate(("januari", "februari", "maret", "april", "mei", "juni", "juli", "agustus",
                                       "september", "oktober", "november", "desember"), start=1)}


# ---------------------------------------------------------------------------
# Reading the raw files back
# ---------------------------------------------------------------------------


def _key(text: object) -> str:
    return re.sub(r"[\s_]+", " ", str(text).strip().lower())


def _header_map(table: str) -> dict[str, str]:
    """Header key -> canonical column (or '_personal' for columns that must be dropped)."""
    tmpl = spec.SOURCES[table]
    out = {_key(d): "_personal" for d in tmpl.dropped}
    for col in tmpl.columns:
        for word in (col.name, *col.synonyms):
            out.setdefault(_key(word), col.name)
    return out


def _choice(text: object, vocab: dict[str, list[str]]) -> str | None:
    k = re.sub(r"[^a-z0-9]", "", str(text).lower())
    for canonical, words in vocab.items():
        if k in {re.sub(r"[^a-z0-9]", "", w.lower()) for w in (canonical, *words)}:
            return canonical
    return None


def _date(value: object) -> dt.date:
    """The four Indonesian forms the generator writes, or an Excel date cell."""
    if isinstance(value, dt.datetime | pd.Timestamp):
        return value.date()
    s = str(value).strip().lower().split(", ")[-1]
    if m := re.fullmatch(r"(\d{2})/(\d{2})/(\d{4})", s):
        return dt.date(int(m[3]), int(m[2]), int(m[1]))
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", s):
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    d, month, y = s.split(" ")
    return dt.date(int(y), _MONTHS[month], int(d))


def _int(value: object) -> int:
    return int(str(value).replace(".", "")) if isinstance(value, str) else int(value)


def read_raw(root: Path, entry: dict) -> tuple[pd.DataFrame, list[str]]:
    """One manifest entry -> (frame with canonical column names, the original headers)."""
    if "url" in entry:
        with sqlite3.connect(root / entry["url"].removeprefix("sqlite:///")) as con:
            frame = pd.read_sql(f"SELECT * FROM {entry['sql_table']}", con)
        con.close()
    else:
        path = root / entry["path"]
        if path.suffix == ".csv":
            raw = path.read_bytes()
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                text = raw.decode("cp1252")
            sep = ";" if ";" in text.splitlines()[0] else ","
            frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
        else:
            grid = pd.read_excel(path, sheet_name=entry.get("sheet", 0), header=None, engine="calamine")
            known = _header_map(entry["table"])
            at = next(i for i in range(10) if sum(_key(v) in known for v in grid.iloc[i]) >= 3)
            frame = grid.iloc[at + 1:].reset_index(drop=True)
            frame.columns = list(grid.iloc[at])
    headers = [str(h) for h in frame.columns]
    names = _header_map(entry["table"])
    frame.columns = [names.get(_key(h), f"?{h}") for h in headers]
    return frame, headers


# ---------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("sample")
    calls: list[tuple[str, int, int]] = []
    summary = generate(out, progress=lambda step, done, total: calls.append((step, done, total)))
    manifest = tomllib.loads((out / "sources.toml").read_text(encoding="utf-8"))
    return out, summary, manifest, calls


@pytest.fixture(scope="module")
def frames(sample) -> dict[str, list[tuple[str, pd.DataFrame, list[str]]]]:
    out, summary, manifest, _ = sample
    by_table: dict[str, list] = {}
    for entry in manifest["source"]:
        if entry.get("path") in summary.office_files:  # shaped as offices keep them: test_office_shaped_files
            continue
        frame, headers = read_raw(out, entry)
        by_table.setdefault(entry["table"], []).append((entry.get("path") or entry["url"], frame, headers))
    return by_table


def _hashes(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


# ---------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------


def test_same_seed_gives_byte_identical_files(sample, tmp_path: Path) -> None:
    out, again = sample[0], tmp_path / "again"
    # an earlier generation left a file its manifest lists; a file of someone else's sits beside it
    (again / "kegiatan").mkdir(parents=True)
    (again / "kegiatan" / "kegiatan_99_7.csv").write_text("stale", encoding="utf-8")
    (again / "notes.txt").write_text("mine", encoding="utf-8")
    (again / "sources.toml").write_text('sample = true\n[[source]]\npath = "kegiatan/kegiatan_99_7.csv"\n'
                                        'table = "activities"\n', encoding="utf-8")
    generate(again)
    first, second = _hashes(out), _hashes(again)
    assert second.pop("notes.txt") == hashlib.sha256(b"mine").hexdigest()
    assert len(first) > 100
    assert first == second


def test_manifest_lists_every_file_and_says_sample(sample) -> None:
    out, summary, manifest, _ = sample
    assert manifest["sample"] is True
    listed = set()
    for entry in manifest["source"]:
        assert entry["table"] in spec.SOURCES
        rel = entry.get("path") or entry["url"].removeprefix("sqlite:///")
        assert (out / rel).is_file(), rel
        listed.add(rel)
    on_disk = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()}
    assert on_disk - listed == {"README.txt", "sources.toml"}
    assert set(summary.files) == listed
    assert "DATA CONTOH / SAMPLE DATA" in (out / "README.txt").read_text(encoding="utf-8")
    # every source table is fed, and the SQL path is exercised by one SQLite table
    assert {e["table"] for e in manifest["source"]} == set(spec.SOURCES)
    sql = [e for e in manifest["source"] if "url" in e]
    assert [{k: v for k, v in e.items() if k != "sample_sha256"} for e in sql] == \
        [{"url": "sqlite:///sql/kegiatan_sumsel.sqlite", "sql_table": "kegiatan", "table": "activities"}]
    # each entry names the hash a build gives its source: the build tells the sample's own sources by it
    assert all(e["sample_sha256"] == hashlib.sha256((out / e["path"]).read_bytes()).hexdigest()
               for e in manifest["source"] if "path" in e)
    assert len(sql[0]["sample_sha256"]) == 64


def test_every_header_is_a_template_name_or_synonym(frames) -> None:
    for table, files in frames.items():
        required = {c.name for c in spec.SOURCES[table].columns if c.required}
        for name, frame, headers in files:
            unknown = [h for h, c in zip(headers, frame.columns, strict=True) if c.startswith("?")]
            assert not unknown, (name, unknown)
            assert required <= set(frame.columns), (name, required - set(frame.columns))


def test_progress_reports_every_step_and_summary_counts_rows(sample, frames, office_reports) -> None:
    _, summary, _, calls = sample
    assert calls[0][1] == 0 and calls[-1][1] == calls[-1][2]
    assert [c[1] for c in calls] == sorted(c[1] for c in calls)
    for table, files in frames.items():
        office = sum(r.rows_read for r in office_reports.values() if r.table == table)
        assert summary.rows[table] == sum(len(f) for _, f, _ in files) + office, table


@pytest.fixture(scope="module")
def office_reports(sample):
    from etl.intake import check_file

    out, summary, _, _ = sample
    return {rel: check_file(out / rel, today=dt.date(2025, 6, 30)) for rel in summary.office_files}


def test_office_shaped_files_load_through_the_intake_without_a_reject(sample, office_reports) -> None:
    """A share of the sample is written as offices keep their recaps (title rows, no id or organiser column, the
    place under its level, L and P under one header, a JUMLAH row, a signature), so the default dashboard is built
    through the same intake as real office files."""
    out, summary, _, _ = sample
    assert {r.table for r in office_reports.values()} == {"activities", "personnel"}
    assert len(summary.office_files) >= 5
    for rel, report in office_reports.items():
        assert report.rows_read > 0 and report.rows_rejected == 0, (rel, report.rejects.head())
        first = (out / rel).read_bytes().decode("cp1252").splitlines()[0]
        assert first.startswith("DATA CONTOH"), rel  # a title row, not a header
        filled = {f.column: f.value for f in report.log.filled}
        assert set(filled) == ({"penyelenggara"} if report.table == "activities" else {"tanggal"}), rel
        if report.table == "activities":  # the kab/kota office of the title ('BAWASLU KOTA GORONTALO'), never the
            assert len(filled["penyelenggara"]) == 5, (rel, filled)  # province that shares its name


def test_lampung_personnel_totals_by_level(frames) -> None:
    totals: Counter[str] = Counter()
    pkd_desa: set[tuple[str, ...]] = set()
    for name, frame, _ in frames["personnel"]:
        if not name.startswith("personel/18_lampung/"):
            continue
        for _, row in frame.iterrows():
            body = _choice(row["lembaga"], spec.BODIES)
            role = _choice(row["jabatan"], spec.ROLES)
            count = _int(row["jumlah"])
            assert count >= 1 and body and role, (name, dict(row))
            if role in spec.MEMBER_ROLES:
                totals[body] += count
            if body == "pkd":
                pkd_desa.add(tuple(str(row.get(c, "")) for c in ("kabupaten_kota", "kecamatan", "wilayah")))
    # 8 kab/kota with 5 seats and 7 with 3 (8*5 + 7*3); 229 kecamatan * 3; 2,651 desa + 3 that report two
    assert totals["bawaslu_kabkota"] == 61
    assert totals["panwaslu_kecamatan"] == 687
    assert totals["pkd"] == 2654
    assert len(pkd_desa) == 2651  # every kelurahan/desa of Lampung has its PKD


def _ptps_by_desa(frame: pd.DataFrame) -> pd.Series:
    """PTPS members per kelurahan/desa of one recap, keyed by its wilayah (with the context columns)."""
    assert {_choice(v, spec.BODIES) for v in frame["lembaga"].unique()} == {"ptps"}
    assert {_choice(v, spec.ROLES) for v in frame["jabatan"].unique()} == {"anggota"}
    assert {_date(v) for v in frame["tanggal"].unique()} == {dt.date(2024, 2, 14)}
    key = frame["wilayah"].astype(str)
    for c in ("kecamatan", "kabupaten_kota"):
        if c in frame:
            key = frame[c].astype(str) + "|" + key
    return frame["jumlah"].map(_int).groupby(key).sum()


def test_ptps_recaps_per_desa_with_a_few_gaps(frames) -> None:
    recaps = {name: f for name, f, _ in frames["personnel"] if "ptps" in name}
    # 38 provinces less Kalimantan Utara (65) and Papua Selatan (93), which sent no recap
    assert len(recaps) == 36
    assert not any(n.endswith(("ptps_65.csv", "ptps_93.csv")) for n in recaps)
    tps = {name: f for name, f, _ in frames["tps"]}
    for p in ("11", "12", "13", "18"):  # one of each style and Lampung's titled XLSX
        name = "personel/18_lampung/ptps_18.xlsx" if p == "18" else f"personel/ptps/ptps_{p}.csv"
        got = _ptps_by_desa(recaps[name])
        want = tps[f"tps/tps_dpt_{p}.csv"]["jumlah_tps"].map(_int)
        n_desa = len(want)
        # 1 PTPS per TPS, one short in about 3% of desa and none in about 0.3%: a little below in total
        assert 0.99 * n_desa <= len(got) < n_desa, p
        assert 0.99 * want.sum() <= got.sum() < want.sum(), p
    lampung = _ptps_by_desa(recaps["personel/18_lampung/ptps_18.xlsx"])
    assert lampung.index.str.match(r"(Kab\. |Kota )").all()  # named rows carry their kab/kota


def test_no_lampung_personnel_outside_its_folder(frames) -> None:
    for name, frame, _ in frames["personnel"]:
        if not name.startswith("personel/18_lampung/"):
            assert not frame["wilayah"].astype(str).str.startswith("18").any(), name


def test_seats_reference_covers_every_body_with_lawful_sizes(frames) -> None:
    [(_, frame, headers)] = frames["seats_reference"]
    seats = frame["jumlah_anggota"].map(_int)
    is_prov = frame["lembaga"].map(lambda v: _choice(v, spec.BODIES)) == "bawaslu_provinsi"
    assert is_prov.sum() == 38 and (~is_prov).sum() == 514
    assert set(seats[is_prov]) <= {5, 7} and set(seats[~is_prov]) <= {3, 5}
    lampung = seats[~is_prov & (frame["provinsi"] == "Lampung")]
    assert Counter(lampung) == Counter({5: 8, 3: 7})


def _activities(frames) -> pd.DataFrame:
    parts = []
    for name, frame, _ in frames["activities"]:
        parts.append(frame.assign(file=name).astype(object))
    return pd.concat(parts, ignore_index=True)


def test_bangka_tengah_mou_rows_and_sambang_visits(frames) -> None:
    acts = _activities(frames)
    mou = acts[acts["id_kegiatan"].isin(["BTG-2023-MOU-01", "BTG-2023-MOU-02"])]
    assert sorted(mou["lokasi"]) == ["Kecamatan Koba", "Kecamatan Lubuk Besar"]
    assert set(mou["penyelenggara"]) == {"Kabupaten Bangka Tengah"}
    assert {_date(d) for d in mou["tanggal"]} == {dt.date(2023, 2, 20)}
    assert {_choice(t, spec.ACTIVITY_TYPES) for t in mou["jenis"]} == {"mou"}
    visits = acts[acts["id_kegiatan"].astype(str).str.startswith("BTG-2023-SMB-")]
    # every desa of Koba (11) and Lubuk Besar (9) in the region list, visited after the MoU
    assert Counter(str(c)[:8] for c in visits["lokasi"]) == Counter({"19.04.01": 11, "19.04.06": 9})
    assert all(_date(d) > dt.date(2023, 2, 20) for d in visits["tanggal"])


def test_other_seed_events_are_recorded(frames) -> None:
    acts = _activities(frames)
    acts["day"] = [_date(d) if str(d).strip() else None for d in acts["tanggal"]]
    lampung = acts[acts["file"] == "kegiatan/kegiatan_18.csv"]
    oct18 = lampung[lampung["day"] == dt.date(2023, 10, 18)]
    assert len(oct18) == 1 and oct18.iloc[0]["lokasi"] == "Kota Bandar Lampung"
    assert "Kasek/Korsek" in oct18.iloc[0]["judul"] and _choice(oct18.iloc[0]["jenis"], spec.ACTIVITY_TYPES) == \
        "pembinaan"
    jul23 = lampung[lampung["day"] == dt.date(2024, 7, 23)]
    assert len(jul23) == 1 and jul23.iloc[0]["lokasi"] == "18.72" and "Taman Semilir" in jul23.iloc[0]["judul"]
    sultra = acts[(acts["file"] == "kegiatan/kegiatan_74.csv") & (acts["day"] == dt.date(2024, 8, 22))]
    assert len(sultra) == 1
    assert sultra.iloc[0]["penyelenggara"] == "74" and sultra.iloc[0]["lokasi"] == "Kota Kendari"
    assert _choice(sultra.iloc[0]["jenis"], spec.ACTIVITY_TYPES) == "evaluasi"
    ntb = acts[acts["day"] == dt.date(2022, 3, 11)]
    assert len(ntb) == 1 and _int(ntb.iloc[0]["peserta"]) == 48
    assert ntb.iloc[0]["judul"] == "Pelantikan 48 Pejabat Pengawas Sekretariat KPU se-NTB"


def test_sultra_pleno_has_all_17_kabkota_around_the_evaluation(frames) -> None:
    [frame] = [f for name, f, _ in frames["pleno"] if name == "pleno/pleno_74.xlsx"]
    days = frame["minggu"].map(_date)
    week = frame[(days >= dt.date(2024, 8, 19)) & (days <= dt.date(2024, 8, 23))]
    bodies = week["lembaga"].map(lambda v: _choice(v, spec.BODIES) if str(v) not in ("", "nan") else None)
    assert len(week) == 18  # the province itself and its 17 kab/kota, once each
    assert (bodies == "bawaslu_provinsi").sum() == 1


def test_tps_one_row_per_desa_and_national_totals(frames) -> None:
    rows = sum(len(f) for _, f, _ in frames["tps"])
    tps = sum(f["jumlah_tps"].map(_int).sum() for _, f, _ in frames["tps"])
    voters = sum(f["dpt"].map(_int).sum() for _, f, _ in frames["tps"])
    assert rows == 83_762
    assert abs(tps - 820_161) < 100          # one planted negative row changes a few TPS
    assert abs(voters - 204_807_222) < 204_807_222 * 0.001
    assert 200 < voters / tps < 300


def test_messy_forms_are_present(sample, frames) -> None:
    out, _, manifest, _ = sample
    cp1252 = []
    for e in manifest["source"]:
        if e.get("path", "").endswith(".csv"):
            raw = (out / e["path"]).read_bytes()
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                cp1252.append(raw.decode("cp1252"))
    semicolon = [(out / e["path"]).read_bytes().decode("cp1252") for e in manifest["source"]
                 if e.get("path", "").endswith(".csv") and b";" in (out / e["path"]).read_bytes().split(b"\n")[0]]
    assert cp1252 and all(text in semicolon for text in cp1252)  # what is not UTF-8 is Excel's ; and CRLF
    assert all("\r\n" in text for text in semicolon)
    assert any(re.search(r";\d{1,3}\.\d{3}\r\n", text) for text in semicolon)  # "6.512" thousands
    titled = pd.read_excel(out / "personel/18_lampung/personel_18.01.xlsx", header=None, engine="calamine")
    assert str(titled.iloc[0, 0]).startswith("DATA CONTOH — REKAP PERSONEL PENGAWAS")
    region_values = pd.concat([f[c].astype(str) for fs in frames.values() for _, f, _ in fs
                               for c in ("wilayah", "lokasi", "penyelenggara", "kabupaten_kota") if c in f])
    for form in (r"Kab\. Lampung Selatan", r"KOTA METRO", r"Kabupaten Bangka Tengah", r"Lampung Selatan"):
        assert region_values.str.fullmatch(form).any(), form
    forms = {type(d).__name__ if not isinstance(d, str) else
             "day" if "," in d else "dmy" if "/" in d else "iso" if "-" in d else "long"
             for _, f, _ in frames["activities"] + frames["personnel"] for d in f["tanggal"].head(50)}
    assert {"day", "dmy", "iso", "long"} <= forms
    personal = [(name, f) for name, f, _ in frames["personnel"] if "_personal" in f.columns]
    assert personal
    values = pd.Series([v for _, f in personal for v in f.loc[:, f.columns == "_personal"].to_numpy().ravel()])
    assert values.astype(str).str.fullmatch(r"Contoh Nama \d+|0{8}\d{8}|").all()
    assert values.astype(str).str.startswith("Contoh Nama").any()


def test_bad_rows_are_few_and_described(sample) -> None:
    _, summary, _, _ = sample
    total = sum(summary.rows.values())
    assert 10 <= len(summary.bad_rows) < total * 0.01


def test_unknown_scale_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="scale"):
        generate(tmp_path, scale="huge")
