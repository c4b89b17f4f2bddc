"""Build small real warehouses for tests: the published layout of docs/ARCHITECTURE.md.

    root = write_warehouse(tmp_path / "wh", {"regions": df, "personnel": df, ...})
    wh = open_warehouse(root)

Missing tables are written empty with their spec columns; missing columns are derived where
they can be (provinsi_code/kabkota_code/kecamatan_code from the region code, level/kind/parent
of a region from its code) or filled with a neutral default. The aggregates come from
etl.aggregates.write_aggregates, exactly as in a real build.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from etl import codes as code_shape
from etl.aggregates import write_aggregates
from etl.publish import point_current
from etl.spec import TABLES, WAREHOUSE
from etl.staging import arrow_schema

_CODE_COL = {"regions": "code", "tps": "desa_code"}
_DATE_COL = {t.name: t.date for t in TABLES.values() if t.date}


def _derive(table: str, df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    code_col = _CODE_COL.get(table, "region_code")
    if code_col in df.columns:
        codes = df[code_col].astype("str")
        parts = codes.str.count(r"\.") + 1
        derived = {
            "provinsi_code": codes.str[:2],
            "kabkota_code": codes.str[:5].where(parts >= 2),
            "kecamatan_code": codes.str[:8].where(parts >= 3),
        }
        if table == "regions":
            derived["level"] = parts.map(code_shape.LEVEL_OF_PARTS)
            derived["parent_code"] = codes.str.rsplit(".", n=1).str[0].where(parts > 1)
            kinds = []
            for c, nm, lv in zip(codes, df.get("name", codes), derived["level"], strict=True):
                if lv == "kabkota":
                    kinds.append("kota" if str(nm).lower().startswith("kota") else "kabupaten")
                elif lv == "desa":
                    kinds.append("kelurahan" if c.split(".")[3].startswith("1") else "desa")
                else:
                    kinds.append(lv)
            derived["kind"] = pd.Series(kinds, index=df.index)
        for col, values in derived.items():
            if col in WAREHOUSE[table] and col not in df.columns:
                df[col] = values
    if table == "activities":
        if "organizer_code" not in df.columns and "region_code" in df.columns:
            df["organizer_code"] = df["region_code"].astype("str").str[:5]
        if "organizer_body" not in df.columns and "organizer_code" in df.columns:
            df["organizer_body"] = df["organizer_code"].map(
                lambda c: "bawaslu_provinsi" if len(c) == 2 else "bawaslu_kabkota")
        if "activity_id" not in df.columns:
            df["activity_id"] = [f"A{i:06d}" for i in range(len(df))]
    if table == "pleno" and "body" not in df.columns and "region_code" in df.columns:
        df["body"] = df["region_code"].map(lambda c: "bawaslu_provinsi" if len(c) == 2 else "bawaslu_kabkota")
    if table == "seats" and "election" not in df.columns:
        df["election"] = ""
    return df


def _to_arrow(table: str, df: pd.DataFrame) -> pa.Table:
    spec = WAREHOUSE[table]
    schema = arrow_schema(table)  # the very types the ETL writes
    df = _derive(table, df)
    unknown = set(df.columns) - set(spec)
    if unknown:
        raise ValueError(f"{table}: columns not in etl.spec.WAREHOUSE: {sorted(unknown)}")
    arrays = []
    for col, typ in spec.items():
        if col in df.columns:
            values = df[col]
        elif typ == "string":
            values = pd.Series(["test" if col == "source" else ""] * len(df), dtype="object")
        elif typ in ("int64", "float64", "bool"):
            values = pd.Series([0 if typ == "int64" else (False if typ == "bool" else float("nan"))] * len(df))
        else:
            values = pd.Series([None] * len(df), dtype="object")
        if typ == "date":
            values = pd.Series([None if pd.isna(v) else pd.Timestamp(v).date() for v in values], dtype="object")
        elif typ == "timestamp":
            values = pd.to_datetime(values)
        elif typ == "string":
            values = pd.Series([None if v is None or (isinstance(v, float) and pd.isna(v)) else str(v)
                                for v in values], dtype="object")
        arrays.append(pa.array(values, type=schema.field(col).type, from_pandas=True))
    return pa.Table.from_arrays(arrays, schema=schema)


def write_warehouse(root: Path, tables: dict[str, pd.DataFrame], *, sample: bool = True,
                    version: str = "test-1") -> Path:
    """Write root/versions/<version>/ (+ manifest, aggregates) and point root/current at it; return root."""
    root = Path(root)
    vdir = root / "versions" / version
    vdir.mkdir(parents=True, exist_ok=True)
    unknown = set(tables) - set(WAREHOUSE)
    if unknown:
        raise ValueError(f"unknown tables {sorted(unknown)}; expected {sorted(WAREHOUSE)}")
    info: dict[str, dict] = {}
    for table in WAREHOUSE:
        at = _to_arrow(table, tables.get(table, pd.DataFrame()))
        sort_col = _CODE_COL.get(table, "region_code")
        if sort_col in at.column_names and at.num_rows:
            at = at.sort_by(sort_col)
        pq.write_table(at, vdir / f"{table}.parquet", row_group_size=50_000)
        data_date = None
        if table in _DATE_COL and at.num_rows:
            d = pa.compute.max(at[_DATE_COL[table]]).as_py()
            data_date = (d.date() if isinstance(d, datetime) else d).isoformat() if d else None
        info[table] = {"rows": at.num_rows, "data_date": data_date, "sample": sample}
    for name, rows in write_aggregates(vdir).items():
        info[name] = {"rows": rows, "data_date": None, "sample": sample}
    manifest = {"version": version, "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "sample": sample, "tables": info}
    (vdir / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    point_current(root, version)
    return root


def small_regions() -> pd.DataFrame:
    """Two kab/kota of Lampung with their kecamatan and desa, and Bangka Belitung: the unit tests' regions."""
    return pd.DataFrame({"code": ["18", "18.01", "18.01.01", "18.01.01.2001", "18.01.01.2002", "18.01.02",
                                  "18.01.02.2001", "18.02", "18.02.01", "18.02.01.2001", "19"],
                         "name": ["Lampung", "Lampung Selatan", "Natar", "Hajimena", "Pemanggilan",
                                  "Jati Agung", "Karang Anyar", "Kota Metro", "Metro Pusat", "Metro",
                                  "Bangka Belitung"]})


# ---------------------------------------------------------------------------
# A tiny ready-made warehouse (for page tests)
# ---------------------------------------------------------------------------

TINY_REGIONS = [
    ("18", "Lampung"),
    ("18.01", "Kab. Lampung Selatan"),
    ("18.01.01", "Natar"), ("18.01.01.2001", "Hajimena"), ("18.01.01.2002", "Pemanggilan"),
    ("18.01.02", "Jati Agung"), ("18.01.02.2001", "Karang Anyar"),
    ("18.72", "Kota Metro"),
    ("18.72.01", "Metro Pusat"), ("18.72.01.1001", "Metro"), ("18.72.01.1002", "Hadimulyo Barat"),
    ("19", "Kepulauan Bangka Belitung"),
    ("19.04", "Kab. Bangka Tengah"),
    ("19.04.01", "Koba"), ("19.04.01.2001", "Nibung"), ("19.04.01.2002", "Padang Mulia"),
    ("19.04.06", "Lubuk Besar"), ("19.04.06.2001", "Lubuk Besar"),
    ("52", "Nusa Tenggara Barat"),
    ("52.01", "Kab. Lombok Barat"),
    ("52.01.01", "Gerung"), ("52.01.01.2001", "Gerung Utara"),
]
#: desa -> (tps, voters) for pemilu_2024
TINY_TPS = {"18.01.01.2001": (10, 2500), "18.01.01.2002": (6, 1500), "18.01.02.2001": (4, 1000),
            "18.72.01.1001": (8, 2000), "18.72.01.1002": (5, 1200), "19.04.01.2001": (3, 700),
            "19.04.01.2002": (2, 500), "19.04.06.2001": (4, 900), "52.01.01.2001": (5, 1300)}


def tiny_tables() -> dict[str, pd.DataFrame]:
    """The tables of tiny_warehouse (see its docstring for what is in them)."""
    regions = pd.DataFrame(TINY_REGIONS, columns=["code", "name"])
    desa = [c for c, _ in TINY_REGIONS if c.count(".") == 3]
    kec = [c for c, _ in TINY_REGIONS if c.count(".") == 2]
    seats = pd.DataFrame(
        [(c, "bawaslu_provinsi", "", s) for c, s in [("18", 7), ("19", 5), ("52", 5)]]
        + [(c, "bawaslu_kabkota", "", s) for c, s in [("18.01", 5), ("18.72", 3), ("19.04", 3), ("52.01", 3)]]
        + [(c, "panwaslu_kecamatan", "", 3) for c in kec]
        + [(c, "pkd", "", 1) for c in desa]
        + [(c, "ptps", "pemilu_2024", TINY_TPS[c][0]) for c in desa],
        columns=["region_code", "body", "election", "seats"])
    tps = pd.DataFrame([(c, "pemilu_2024", t, v) for c, (t, v) in TINY_TPS.items()],
                       columns=["desa_code", "election", "tps", "voters"])
    d0, d1 = date(2023, 6, 1), date(2024, 1, 15)
    p = [
        (d0, "18.01", "bawaslu_kabkota", "anggota", "L", 2),  # older snapshot, superseded
        (d1, "18", "bawaslu_provinsi", "ketua", "L", 1), (d1, "18", "bawaslu_provinsi", "anggota", "P", 6),
        (d1, "18.01", "bawaslu_kabkota", "ketua", "P", 1), (d1, "18.01", "bawaslu_kabkota", "anggota", "L", 4),
        (d1, "18.72", "bawaslu_kabkota", "ketua", "L", 1), (d1, "18.72", "bawaslu_kabkota", "anggota", "L", 1),
        (d1, "19", "bawaslu_provinsi", "ketua", "L", 1), (d1, "19", "bawaslu_provinsi", "anggota", "L", 4),
        (d1, "19.04", "bawaslu_kabkota", "ketua", "L", 1), (d1, "19.04", "bawaslu_kabkota", "anggota", "P", 2),
        (d1, "18.01.01", "panwaslu_kecamatan", "anggota", "L", 3),
        (d1, "18.01.02", "panwaslu_kecamatan", "anggota", "L", 2),
        (d1, "18.72.01", "panwaslu_kecamatan", "anggota", "P", 3),
        (d1, "19.04.01", "panwaslu_kecamatan", "anggota", "L", 3),
        (d1, "18.01", "sekretariat_kabkota", "kasek", "L", 1),
        (d1, "18.01.01", "sekretariat_kecamatan", "korsek", "P", 1),
    ]
    pkd = {"18.01.01.2001": 1, "18.01.01.2002": 1, "18.01.02.2001": 1, "18.72.01.1001": 1,
           "18.72.01.1002": 2, "19.04.01.2001": 1, "19.04.01.2002": 1}
    p += [(d1, c, "pkd", "anggota", "L", n) for c, n in pkd.items()]
    p += [(d1, c, "ptps", "anggota", "L", TINY_TPS[c][0]) for c in desa if c[:2] != "52"]
    personnel = pd.DataFrame(p, columns=["as_of", "region_code", "body", "role", "gender", "count"])
    acts = [
        ("2023-02-20", "19.04", "19.04.01", "mou", "MoU Sambang Pengawasan Kecamatan Koba", 30),
        ("2023-02-20", "19.04", "19.04.06", "mou", "MoU Sambang Pengawasan Kecamatan Lubuk Besar", 25),
        ("2023-10-18", "18", "18.72", "pembinaan", "Pembinaan Kasek dan Korsek", 60),
        ("2024-02-05", "18.01", "18.01.01.2001", "sambang_pengawasan", "Sambang Hajimena", 15),
        ("2024-02-19", "18.01", "18.01.01.2002", "sambang_pengawasan", "Sambang Pemanggilan", 12),
        ("2024-02-20", "18.01", "18.01.01", "sosialisasi", "Sosialisasi netralitas", 80),
        ("2024-03-04", "19.04", "19.04.01.2001", "sambang_pengawasan", "Sambang Nibung", 10),
        ("2024-03-11", "19.04", "19.04.01.2001", "sambang_pengawasan", "Sambang Nibung (2)", 9),
        ("2024-07-23", "18", "18.72", "pembinaan", "Pembinaan aparatur, Taman Semilir", 40),
        ("2024-08-22", "18", "18", "supervisi", "Supervisi pleno mingguan", 20),
    ]
    activities = pd.DataFrame(
        [(f"T-{i:03d}", pd.Timestamp(d).date(), o, r, t, ti, n) for i, (d, o, r, t, ti, n) in enumerate(acts, 1)],
        columns=["activity_id", "date", "organizer_code", "region_code", "type", "title", "participants"])
    weeks = pd.date_range("2024-07-01", periods=9, freq="W-MON")
    pl = []
    for code, members, missed in [("18.01", 5, {2, 6}), ("18.72", 3, {0, 1, 2, 3}), ("19.04", 3, set()),
                                  ("18", 7, {8})]:
        for i, w in enumerate(weeks):
            held = i not in missed
            score = (90.0 - 5 * (i % 3)) if held else 0.0
            outcome = ("baik" if score >= 80 else "cukup") if held else "tidak_pleno"
            pl.append((code, w.date(), held, members - 1 if held else 0, members, 2 if held else 0,
                       held, score, outcome))
    pleno = pd.DataFrame(pl, columns=["region_code", "week_start", "held", "members_present", "members_total",
                                      "decisions", "minutes_filed", "score", "outcome"])
    etl_runs = pd.DataFrame([{
        "run_id": "test-1", "started_at": pd.Timestamp("2024-09-01 08:00"),
        "finished_at": pd.Timestamp("2024-09-01 08:01"), "status": "ok", "inputs": "[]",
        "rows_read": 60, "rows_loaded": 58, "rows_rejected": 2, "sample": True, "message": "",
    }])
    rejects = pd.DataFrame([
        ("test-1", "personnel", "personel_lampung.csv", 14, "jumlah", "tiga", "bukan bilangan bulat", "not_a_number"),
        ("test-1", "activities", "kegiatan_babel.xlsx", 7, "tanggal", "31/02/2024", "tanggal tidak ada", "not_a_date"),
    ], columns=["run_id", "table", "source", "row", "column", "value", "reason", "check"])
    return {"regions": regions, "seats": seats, "tps": tps, "personnel": personnel,
            "activities": activities, "pleno": pleno, "etl_runs": etl_runs, "rejects": rejects}


def tiny_warehouse(root: Path, *, sample: bool = True, version: str = "tiny-1") -> Path:
    """A tiny warehouse under root (returns root): three provinces.

    - 18 Lampung: kab 18.01 (2 kecamatan, 3 desa), kota 18.72 (1 kecamatan, 2 kelurahan). Full personnel
      except: Kota Metro 2 of 3 members (kurang), Jati Agung 2 of 3 Panwascam (kurang), kelurahan
      18.72.01.1002 has 2 PKD for 1 seat (lebih: Lampung PKD 6 of 5 = 120%, a mismatch).
    - 19 Kepulauan Bangka Belitung: kab 19.04 with Koba (full) and Lubuk Besar (no Panwascam, no PKD:
      kosong). Seed activities (MoU 20 Feb 2023), sambang in Mar 2024.
    - 52 Nusa Tenggara Barat: regions, seats and TPS only (no personnel, activities, pleno): the empty
      province and the kab/kota with seats but no personnel.
    Personnel as of 2024-01-15; activities 2023-02-20..2024-08-22; weekly pleno 2024-07-01..2024-08-26
    for 18, 18.01, 18.72, 19.04; one ETL run with two rejects.
    """
    return write_warehouse(Path(root), tiny_tables(), sample=sample, version=version)


# ---------------------------------------------------------------------------
# Sulawesi Tenggara's pleno evaluation sheet (issue 17: who evaluates and who is evaluated)
# ---------------------------------------------------------------------------

SULTRA_WEEKS = [date(2024, 8, 5), date(2024, 8, 12), date(2024, 8, 19), date(2024, 8, 26)]  # the Mondays of Aug 2024


def sultra_pleno_tables() -> dict[str, pd.DataFrame]:
    """Province 74 and its 17 kab/kota (etl.regions.regions_table()) with the province's weekly evaluation of
    its kab/kota in August 2024: 17 x 4 = 68 rows, nothing for the province itself (it evaluates, it is not
    evaluated on its own sheet).

    Kab/kota k (0-16, in code order) misses week w (0-3) when (4k + w) % 5 == 4: 13 of the 68 cells (4, 9, .. 64),
    at most one per kab/kota, so 55 held; the four with k % 5 == 0 (74.01, 74.06, 74.11 and 74.71 Kota Kendari)
    hold all four weeks (100 %), the other 13 three (75 %). Score 85 for a held week, 0 for a missed one.
    """
    from etl.regions import regions_table

    r = regions_table()
    regions = r.loc[(r["provinsi_code"] == "74") & r["level"].isin(["provinsi", "kabkota"]), ["code", "name"]]
    kab = sorted(c for c in regions["code"] if len(c) == 5)
    rows = []
    for k, code in enumerate(kab):
        for w, week in enumerate(SULTRA_WEEKS):
            held = (4 * k + w) % 5 != 4
            rows.append((code, week, held, 85.0 if held else 0.0, "baik" if held else "tidak_pleno", 5))
    pleno = pd.DataFrame(rows, columns=["region_code", "week_start", "held", "score", "outcome", "members_total"])
    return {"regions": regions.reset_index(drop=True), "pleno": pleno}
