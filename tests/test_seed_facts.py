"""The sample warehouse, built end to end by the real ETL, reproduces the facts of the news seeds."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from etl.build import build
from etl.checks import CHECKS
from etl.sample import generate


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("seed")
    generate(root / "sources", scale="sample")
    summary = build(root / "sources", root / "warehouse")
    assert summary.status == "ok"
    return (root / "warehouse" / "current").resolve()


def test_every_reject_of_the_sample_build_names_a_known_rule(warehouse: Path) -> None:
    rejects = pd.read_parquet(warehouse / "rejects.parquet")
    assert len(rejects) >= 10 and rejects["check"].notna().all()
    assert set(rejects["check"]) <= set(CHECKS), set(rejects["check"]) - set(CHECKS)
    assert {"negative_count", "region_unknown", "duplicate_key", "score_outside_0_100"} <= set(rejects["check"])


def q(wh: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect()
    for name in ("regions", "seats", "personnel", "activities", "pleno", "manifest"):
        if (wh / f"{name}.parquet").exists():
            con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{wh / f'{name}.parquet'}')")
    return con.execute(sql, params or []).fetchall()


def latest_members(wh: Path, body: str, prov: str) -> int:
    """Members (ketua + anggota) of a body in a province on the latest as_of date."""
    return q(wh, """
        SELECT sum(count) FROM personnel
        WHERE body = ? AND provinsi_code = ? AND role IN ('ketua', 'anggota')
          AND as_of = (SELECT max(as_of) FROM personnel WHERE body = ? AND provinsi_code = ?)""",
             [body, prov, body, prov])[0][0]


def test_is_marked_as_sample(warehouse: Path) -> None:
    import json

    manifest = json.loads((warehouse / "manifest.json").read_text())
    assert manifest["sample"] is True
    assert all(info["sample"] for info in manifest["tables"].values())


def test_lampung_region_list(warehouse: Path) -> None:
    counts = dict(q(warehouse, "SELECT level, count(*) FROM regions WHERE provinsi_code = '18' GROUP BY level"))
    assert counts == {"provinsi": 1, "kabkota": 15, "kecamatan": 229, "desa": 2651}


def test_lampung_panwascam_seats_and_filled_687(warehouse: Path) -> None:
    # 229 kecamatan x 3 members = 687 seats, and the seed reports 687 people at kecamatan level
    seats = q(warehouse, "SELECT sum(seats) FROM seats WHERE body='panwaslu_kecamatan' AND provinsi_code='18'")
    assert seats[0][0] == 687
    assert latest_members(warehouse, "panwaslu_kecamatan", "18") == 687


def test_lampung_pkd_2654_against_2651_desa(warehouse: Path) -> None:
    seats = q(warehouse, "SELECT sum(seats) FROM seats WHERE body='pkd' AND provinsi_code='18'")
    assert seats[0][0] == 2651
    assert latest_members(warehouse, "pkd", "18") == 2654


def test_lampung_kabkota_61(warehouse: Path) -> None:
    seats = q(warehouse, "SELECT sum(seats) FROM seats WHERE body='bawaslu_kabkota' AND provinsi_code='18'")
    assert seats[0][0] == 61
    assert latest_members(warehouse, "bawaslu_kabkota", "18") == 61


def test_bangka_tengah_mou_with_koba_and_lubuk_besar(warehouse: Path) -> None:
    rows = q(warehouse, """SELECT region_code FROM activities
                          WHERE type='mou' AND organizer_code='19.04' AND date = DATE '2023-02-20'
                          ORDER BY region_code""")
    assert [r[0] for r in rows] == ["19.04.01", "19.04.06"]


@pytest.mark.parametrize(
    ("day", "type_", "organizer", "region"),
    [
        (date(2023, 10, 18), "pembinaan", "18", "18.71"),   # Bandar Lampung, Kasek/Korsek (seed 000)
        (date(2024, 7, 23), "pembinaan", "18", "18.72"),    # Taman Semilir, Kota Metro (seed 001)
        (date(2024, 8, 22), "evaluasi", "74", "74.71"),     # Kendari, pleno evaluation (seed 003)
        (date(2022, 3, 11), "pelantikan", "52", "52"),      # 48 officials, NTB (seed 002)
    ],
)
def test_seed_events(warehouse: Path, day: date, type_: str, organizer: str, region: str) -> None:
    rows = q(warehouse, "SELECT count(*) FROM activities WHERE date=? AND type=? AND organizer_code=? "
                        "AND region_code=?", [day, type_, organizer, region])
    assert rows[0][0] >= 1


def test_ntb_inauguration_has_48_participants(warehouse: Path) -> None:
    rows = q(warehouse, "SELECT participants FROM activities WHERE type='pelantikan' AND date=DATE '2022-03-11' "
                        "AND provinsi_code='52'")
    assert 48 in [r[0] for r in rows]


def test_sulawesi_tenggara_pleno_of_all_17_kabkota(warehouse: Path) -> None:
    rows = q(warehouse, "SELECT count(DISTINCT region_code) FROM pleno WHERE provinsi_code='74' "
                        "AND body='bawaslu_kabkota' AND week_start <= DATE '2024-08-22'")
    assert rows[0][0] == 17


def test_query_layer_reports_the_pkd_mismatch(warehouse: Path) -> None:
    from pantau import coverage
    from pantau.filters import Scope
    from pantau.warehouse import open_warehouse

    wh = open_warehouse(warehouse.parent.parent)
    as_of = date(2024, 12, 31)
    by_body = coverage.fill_rate_by_body(wh, Scope(level="provinsi", code="18"), as_of, "pemilu_2024")
    pkd = by_body.set_index("body").loc["pkd"]
    assert (pkd["seats"], pkd["filled"]) == (2651, 2654)
    assert bool(pkd["mismatch"]) is True
    kec = by_body.set_index("body").loc["panwaslu_kecamatan"]
    assert (kec["seats"], kec["filled"], kec["fill_rate"]) == (687, 687, 1.0)
