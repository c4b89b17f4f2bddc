"""Coverage, gaps, worst gaps and the headline fill rate on a hand-made warehouse.

Warehouse (as of 2024-06-30 unless noted):
  18 provinsi: 5 seats; ketua 1 + anggota 3 L + anggota 1 P = 5 (a kasek too, not a member).
  18.01 kab: 5 seats; 2023-01-01 anggota 4; 2024-01-01 ketua 1 + anggota 2 -> 3 now, 4 back in 2023.
    18.01.01 kec: 3 anggota (full). desa .2001: 2 PKD (lebih), .2002: 1 PKD; .2099 is not in the region
    list but has 1 PKD (a mismatch like Lampung's 2,654 PKD for 2,651 desa).
    18.01.02 kec: no Panwascam (kosong); desa .2001: 1 PKD.
    PTPS: .2001 seats from the seats table (4; 2 for pilkada), filled 4; .2002 seats from tps (3), filled 1.
  18.02 kab: 3 seats, no personnel at all; 18.02.01 kec, 18.02.01.2001 desa (no TPS rows).
  19 provinsi: 5 seats, nothing else (the empty province).
Kecamatan and desa have no seats rows: the law's 3 and 1 are derived.
"""

from datetime import date

import pandas as pd
import pytest

from pantau import coverage, summary
from pantau.filters import Period, Scope
from pantau.warehouse import open_warehouse
from tests.factory import small_regions, write_warehouse

AS_OF = date(2024, 6, 30)
E = "pemilu_2024"


@pytest.fixture(scope="module")
def wh(tmp_path_factory):
    regions = small_regions()
    seats = pd.DataFrame([("18", "bawaslu_provinsi", "", 5), ("18.01", "bawaslu_kabkota", "", 5),
                          ("18.02", "bawaslu_kabkota", "", 3), ("19", "bawaslu_provinsi", "", 5),
                          ("18.01.01.2001", "ptps", E, 4), ("18.01.01.2001", "ptps", "pilkada_2024", 2)],
                         columns=["region_code", "body", "election", "seats"])
    tps = pd.DataFrame([("18.01.01.2001", E, 5, 1000), ("18.01.01.2002", E, 3, 600)],
                       columns=["desa_code", "election", "tps", "voters"])
    d, old = date(2024, 1, 1), date(2023, 1, 1)
    personnel = pd.DataFrame([
        (d, "18", "bawaslu_provinsi", "ketua", "L", 1), (d, "18", "bawaslu_provinsi", "anggota", "L", 3),
        (d, "18", "bawaslu_provinsi", "anggota", "P", 1), (d, "18", "sekretariat_provinsi", "kasek", "L", 1),
        (old, "18.01", "bawaslu_kabkota", "anggota", "L", 4),
        (d, "18.01", "bawaslu_kabkota", "ketua", "L", 1), (d, "18.01", "bawaslu_kabkota", "anggota", "L", 2),
        (d, "18.01.01", "panwaslu_kecamatan", "anggota", "L", 3),
        (d, "18.01.01.2001", "pkd", "anggota", "L", 2), (d, "18.01.01.2002", "pkd", "anggota", "P", 1),
        (d, "18.01.02.2001", "pkd", "anggota", "L", 1), (d, "18.01.01.2099", "pkd", "anggota", "L", 1),
        (d, "18.01.01.2001", "ptps", "anggota", "L", 4), (d, "18.01.01.2002", "ptps", "anggota", "L", 1),
    ], columns=["as_of", "region_code", "body", "role", "gender", "count"])
    root = write_warehouse(tmp_path_factory.mktemp("cov"), {"regions": regions, "seats": seats, "tps": tps,
                                                            "personnel": personnel})
    return open_warehouse(root)


def rows(df, key="body"):
    return {r[key]: r for r in df.to_dict("records")}


def test_fill_rate_by_body_province(wh):
    r = rows(coverage.fill_rate_by_body(wh, Scope("provinsi", "18"), AS_OF, E))
    assert list(r) == ["bawaslu_provinsi", "bawaslu_kabkota", "panwaslu_kecamatan", "pkd", "ptps"]
    assert (r["bawaslu_provinsi"]["seats"], r["bawaslu_provinsi"]["filled"]) == (5, 5)  # kasek not counted
    assert (r["bawaslu_kabkota"]["seats"], r["bawaslu_kabkota"]["filled"]) == (8, 3)   # 5+3 seats; 1+2+0
    assert r["bawaslu_kabkota"]["fill_rate"] == pytest.approx(3 / 8)
    assert (r["panwaslu_kecamatan"]["seats"], r["panwaslu_kecamatan"]["filled"]) == (9, 3)  # 3 kec x 3
    # PKD: 4 desa seats; filled 2 + 1 + 1 + 1 (unknown desa .2099) = 5 -> 125 %, a mismatch, not hidden
    assert (r["pkd"]["seats"], r["pkd"]["filled"]) == (4, 5)
    assert r["pkd"]["fill_rate"] == pytest.approx(1.25) and bool(r["pkd"]["mismatch"]) is True
    assert bool(r["bawaslu_kabkota"]["mismatch"]) is False
    # PTPS: seats table 4 for .2001 wins over its 5 TPS; .2002 from tps = 3 -> 7; filled 4 + 1
    assert (r["ptps"]["seats"], r["ptps"]["filled"]) == (7, 5)


def test_elections_are_those_with_ptps_seats(wh):
    # TPS rows for Pemilu 2024, a PTPS seats row for Pilkada 2024, nothing for Pemilu 2019
    assert coverage.elections(wh) == ["pemilu_2024", "pilkada_2024"]


def test_fill_rate_by_body_other_election_and_older_date(wh):
    r = rows(coverage.fill_rate_by_body(wh, Scope("provinsi", "18"), AS_OF, "pilkada_2024"))
    assert r["ptps"]["seats"] == 2  # only the pilkada seats row; no pilkada TPS rows
    old = rows(coverage.fill_rate_by_body(wh, Scope("kabkota", "18.01"), date(2023, 6, 30), E))
    assert old["bawaslu_kabkota"]["filled"] == 4  # the 2023 snapshot
    assert old["pkd"]["filled"] == 0 and old["pkd"]["fill_rate"] == 0.0
    assert "bawaslu_provinsi" not in old  # a kab/kota scope holds no provinsi body


def test_fill_rate_per_child(wh):
    df = coverage.fill_rate(wh, Scope("provinsi", "18"), AS_OF, E)
    assert list(df.columns) == coverage.FILL_RATE_COLUMNS
    r = {(x["region_code"], x["body"]): x for x in df.to_dict("records")}
    assert set(df["region_code"]) == {"18.01", "18.02"}  # the provinsi body itself is not a child
    assert (r["18.01", "pkd"]["seats"], r["18.01", "pkd"]["filled"]) == (3, 5)  # .2099 counted in 18.01
    assert r["18.01", "panwaslu_kecamatan"]["fill_rate"] == pytest.approx(3 / 6)
    # the kab/kota with seats but no personnel: 0 %, not missing
    assert (r["18.02", "bawaslu_kabkota"]["seats"], r["18.02", "bawaslu_kabkota"]["filled"]) == (3, 0)
    assert r["18.02", "bawaslu_kabkota"]["fill_rate"] == 0.0
    assert r["18.01", "bawaslu_kabkota"]["region_name"] == "Lampung Selatan"
    pkd = coverage.fill_rate(wh, Scope("kabkota", "18.01"), AS_OF, E, body="pkd")
    assert pkd[["region_code", "seats", "filled"]].values.tolist() == [["18.01.01", 2, 4], ["18.01.02", 1, 1]]
    assert pkd["mismatch"].tolist() == [True, False]


def test_gaps(wh):
    df = coverage.gaps(wh, Scope("provinsi", "18"), AS_OF, E)
    got = df[["region_code", "body", "seats", "filled", "gap", "issue"]].values.tolist()
    assert got == [
        ["18.01.02", "panwaslu_kecamatan", 3, 0, 3, "kosong"],
        ["18.02", "bawaslu_kabkota", 3, 0, 3, "kosong"],
        ["18.02.01", "panwaslu_kecamatan", 3, 0, 3, "kosong"],
        ["18.02.01.2001", "pkd", 1, 0, 1, "kosong"],
        ["18.01", "bawaslu_kabkota", 5, 3, 2, "kurang"],
        ["18.01.01.2002", "ptps", 3, 1, 2, "kurang"],
        ["18.01.01.2001", "pkd", 1, 2, -1, "lebih"],
        ["18.01.01.2099", "pkd", 0, 1, -1, "lebih"],
    ]
    unknown = df[df["region_code"] == "18.01.01.2099"].iloc[0]
    assert unknown["region_name"] == "18.01.01.2099" and unknown["parent_name"] == "Natar"
    assert unknown["level"] == "desa"
    assert df.iloc[0]["parent_code"] == "18.01" and df.iloc[0]["parent_name"] == "Lampung Selatan"


def test_empty_province_and_unknown_scope(wh):
    s19 = Scope("provinsi", "19")
    by_body = coverage.fill_rate_by_body(wh, s19, AS_OF, E)
    assert by_body[["body", "seats", "filled"]].values.tolist() == [["bawaslu_provinsi", 5, 0]]
    assert coverage.fill_rate(wh, s19, AS_OF, E).empty
    assert list(coverage.fill_rate(wh, s19, AS_OF, E).columns) == coverage.FILL_RATE_COLUMNS
    assert coverage.gaps(wh, s19, AS_OF, E)["issue"].tolist() == ["kosong"]
    for f in (coverage.fill_rate_by_body, coverage.fill_rate, coverage.gaps):
        out = f(wh, Scope("provinsi", "52"), AS_OF, E)
        assert out.empty and len(out.columns) > 3


def test_national_children_are_provinces(wh):
    df = coverage.fill_rate(wh, Scope(), AS_OF, E, body="bawaslu_provinsi")
    assert df[["region_code", "seats", "filled"]].values.tolist() == [["18", 5, 5], ["19", 5, 0]]


def test_worst_gaps(wh):
    df = summary.worst_gaps(wh, Scope("provinsi", "18"), AS_OF, E, n=4)
    # shortfalls per kab/kota x body: 18.01 Panwascam 3, 18.02 kab 3, 18.02 Panwascam 3,
    # 18.01 kab 2 (18.01 ptps 2 is fifth); PKD over-fill does not offset anything
    assert df[["region_code", "body", "gap"]].values.tolist() == [
        ["18.01", "panwaslu_kecamatan", 3], ["18.02", "bawaslu_kabkota", 3],
        ["18.02", "panwaslu_kecamatan", 3], ["18.01", "bawaslu_kabkota", 2]]
    assert summary.worst_gaps(wh, Scope("provinsi", "52"), AS_OF, E).empty


def test_headline_fill_rate_and_change(wh):
    df = summary.headline(wh, Scope("provinsi", "18"), Period(date(2024, 1, 1), AS_OF), E).set_index("metric")
    # now: seats 5 + 8 + 9 + 4 + 7 = 33, filled 5 + 3 + 3 + 5 + 5 = 21
    assert df.loc["fill_rate", "value"] == pytest.approx(21 / 33)
    # previous period ends 2023-12-31: only the 2023 snapshot (18.01 anggota 4), so only the kab/kota
    # body was reported then: seats 5 + 3, filled 4 -> 1/2 (the unreported bodies are left out)
    assert df.loc["fill_rate", "previous"] == pytest.approx(4 / 8)
    assert df.loc["fill_rate", "change"] == pytest.approx(21 / 33 - 1 / 2)
    assert df.loc["supervisors", "value"] == 21 and df.loc["supervisors", "previous"] == 4
    # empty units now: 18.01.02 Panwascam, 18.02 kab, 18.02.01 Panwascam, 18.02.01.2001 PKD = 4;
    # before: of the reported body's 2 units (18.01, 18.02) only 18.02 = 1
    assert df.loc["units_empty", "value"] == 4 and df.loc["units_empty", "previous"] == 1
    assert df.loc["fill_rate", "unit"] == "share"
    assert (df["unreported"] == "").all()  # every body has a count now
