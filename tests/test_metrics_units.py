"""The unit-state aggregates (agg_unit_state, agg_unit_rollup) against the base tables, by hand.

Warehouse: 18 Lampung (provinsi 5 seats, nobody reported); kab 18.01, 3 seats; kecamatan 18.01.01 (law: 3
Panwascam, nobody reported); desa .2001 (2 TPS) and .2002 (1 TPS): 1 PKD each, PTPS seats = TPS.
Personnel, each role keeping its latest count:
  2024-01-10  18.01 kab/kota ketua 1                 -> 1 member
  2024-03-01  18.01 kab/kota anggota 2               -> 1 + 2 = 3
  2024-05-01  18.01 kab/kota anggota 1               -> 1 + 1 = 2 (ketua's January row still counts)
  2024-03-01  PKD .2001: 1; PKD .2099 (not in the region list, no seat): 1
  2024-04-01  PKD .2001: 1 again (a recap that changes nothing)
  2024-05-01  PTPS .2001: 2
Every question is asked twice: with the aggregates, and with them removed (the base-table path).
"""

import shutil
from datetime import date

import numpy as np
import pandas as pd
import pytest

from pantau import coverage, summary
from pantau.filters import Period, Scope
from pantau.warehouse import open_warehouse
from tests.factory import write_warehouse

E = "pemilu_2024"
LAMPUNG, KAB = Scope("provinsi", "18"), Scope("kabkota", "18.01")


@pytest.fixture(scope="module", params=["aggregates", "base tables"])
def wh(request, tmp_path_factory):
    regions = pd.DataFrame({"code": ["18", "18.01", "18.01.01", "18.01.01.2001", "18.01.01.2002"],
                            "name": ["Lampung", "Lampung Selatan", "Natar", "Hajimena", "Pemanggilan"]})
    seats = pd.DataFrame([("18", "bawaslu_provinsi", "", 5), ("18.01", "bawaslu_kabkota", "", 3)],
                         columns=["region_code", "body", "election", "seats"])
    tps = pd.DataFrame([("18.01.01.2001", E, 2, 500), ("18.01.01.2002", E, 1, 300)],
                       columns=["desa_code", "election", "tps", "voters"])
    jan, mar, apr, may = date(2024, 1, 10), date(2024, 3, 1), date(2024, 4, 1), date(2024, 5, 1)
    personnel = pd.DataFrame([
        (jan, "18.01", "bawaslu_kabkota", "ketua", "L", 1), (mar, "18.01", "bawaslu_kabkota", "anggota", "L", 2),
        (may, "18.01", "bawaslu_kabkota", "anggota", "P", 1),
        (mar, "18.01.01.2001", "pkd", "anggota", "L", 1), (mar, "18.01.01.2099", "pkd", "anggota", "L", 1),
        (apr, "18.01.01.2001", "pkd", "anggota", "L", 1),
        (may, "18.01.01.2001", "ptps", "anggota", "L", 2),
    ], columns=["as_of", "region_code", "body", "role", "gender", "count"])
    root = write_warehouse(tmp_path_factory.mktemp("units"), {"regions": regions, "seats": seats, "tps": tps,
                                                              "personnel": personnel})
    vdir = root / "versions" / "test-1"
    if request.param == "base tables":
        plain = tmp_path_factory.mktemp("plain") / "v"
        shutil.copytree(vdir, plain)
        for f in plain.glob("agg_unit_*.parquet"):
            f.unlink()
        return open_warehouse(plain)
    wh = open_warehouse(root)
    # one state per change: PKD .2001 none until March, then 1 (April's same count adds nothing);
    # the kab/kota body none, 1, 3, 2
    states = wh.sql("SELECT region_code, count(*) AS n FROM agg_unit_state WHERE body IN ('pkd', 'bawaslu_kabkota') "
                    "GROUP BY ALL ORDER BY region_code")
    assert states.values.tolist() == [["18.01", 4], ["18.01.01.2001", 2], ["18.01.01.2002", 1], ["18.01.01.2099", 1]]
    return wh


def _by_body(wh, scope, as_of, election=E):
    df = coverage.fill_rate_by_body(wh, scope, as_of, election)
    return {r.body: (int(r.seats), int(r.filled), bool(r.reported)) for r in df.itertuples(index=False)}


def test_state_follows_each_role_and_date(wh):
    assert _by_body(wh, LAMPUNG, date(2024, 1, 1)) == {
        "bawaslu_provinsi": (5, 0, False), "bawaslu_kabkota": (3, 0, False), "panwaslu_kecamatan": (3, 0, False),
        "pkd": (2, 0, False), "ptps": (3, 0, False)}  # the .2099 unit does not exist before its first count
    assert _by_body(wh, LAMPUNG, date(2024, 2, 29))["bawaslu_kabkota"] == (3, 1, True)
    on_mar = _by_body(wh, LAMPUNG, date(2024, 3, 1))
    assert on_mar["bawaslu_kabkota"] == (3, 3, True) and on_mar["pkd"] == (2, 2, True)  # .2001 and .2099
    late = _by_body(wh, KAB, date(2024, 6, 30))
    assert late["bawaslu_kabkota"] == (3, 2, True) and late["ptps"] == (3, 2, True)
    units = coverage.run(wh, f"SELECT * FROM {coverage.unit_source(wh, date(2024, 6, 30), E)}", as_of=date(2024, 6, 30),
                         election=E)
    assert len(units) == 8  # 7 units with seats + the .2099 PKD


def test_election_without_ptps_seats(wh):
    # no TPS for the pilkada: PTPS seats 0, the May count stays (a mismatch, fill rate unknown)
    df = coverage.fill_rate_by_body(wh, LAMPUNG, date(2024, 6, 30), "pilkada_2024").set_index("body")
    assert (df.loc["ptps", "seats"], df.loc["ptps", "filled"]) == (0, 2)
    assert np.isnan(df.loc["ptps", "fill_rate"]) and bool(df.loc["ptps", "mismatch"])


def test_children_and_gaps(wh):
    fr = coverage.fill_rate(wh, LAMPUNG, date(2024, 6, 30), E)
    assert fr[["region_code", "body", "seats", "filled"]].values.tolist() == [
        ["18.01", "bawaslu_kabkota", 3, 2], ["18.01", "panwaslu_kecamatan", 3, 0], ["18.01", "pkd", 2, 2],
        ["18.01", "ptps", 3, 2]]
    g = coverage.gaps(wh, KAB, date(2024, 6, 30), E)
    assert g[["region_code", "body", "gap", "issue", "reported"]].values.tolist() == [
        ["18.01.01.2002", "pkd", 1, "kosong", True], ["18.01.01.2002", "ptps", 1, "kosong", True],
        ["18.01", "bawaslu_kabkota", 1, "kurang", True], ["18.01.01.2099", "pkd", -1, "lebih", True],
        ["18.01.01", "panwaslu_kecamatan", 3, "kosong", False]]
    assert g["parent_name"].tolist()[:2] == ["Natar", "Natar"] and g["region_name"].iloc[3] == "18.01.01.2099"


def test_worst_gaps_and_headline(wh):
    # per kecamatan: PKD 2 of 2 but .2002 is empty (the .2099 extra does not offset it): gap 1; PTPS gap 1
    wg = summary.worst_gaps(wh, KAB, date(2024, 6, 30), E)
    assert wg[["region_code", "body", "seats", "filled", "gap"]].values.tolist() == [
        ["18.01.01", "pkd", 2, 2, 1], ["18.01.01", "ptps", 3, 2, 1]]
    h = summary.headline(wh, LAMPUNG, Period(date(2024, 4, 1), date(2024, 6, 30)), E).set_index("metric")
    # reported: kab/kota 2 of 3, PKD 2 of 2, PTPS 2 of 3 -> 6 / 8; empty: PKD and PTPS of .2002
    assert h.loc["fill_rate", "value"] == pytest.approx(6 / 8) and h.loc["units_empty", "value"] == 2
    assert h.loc["fill_rate", "unreported"] == "bawaslu_provinsi,panwaslu_kecamatan"
    # 31 Mar: kab/kota 3 of 3 and PKD 2 of 2 reported; PKD .2002 empty
    assert h.loc["fill_rate", "previous"] == pytest.approx(1.0) and h.loc["units_empty", "previous"] == 1
    assert h.loc["supervisors", "value"] == 6 and h.loc["supervisors", "previous"] == 5


def test_what_the_pages_leave_out_is_left_out_by_the_query(wh):
    # no TPS for the pilkada: PTPS has no seats there, and a chart of fill rates cannot draw it
    seated = coverage.fill_rate_by_body(wh, LAMPUNG, date(2024, 6, 30), "pilkada_2024", only_seated=True)
    assert "ptps" not in set(seated["body"]) and list(seated.index) == list(range(len(seated)))
    # on New Year's Day nobody had reported anything yet: no body to draw
    assert coverage.fill_rate_by_body(wh, LAMPUNG, date(2024, 1, 1), E, only_reported=True).empty
    assert list(coverage.fill_rate_by_body(wh, LAMPUNG, date(2024, 3, 1), E, only_reported=True)["body"]) == [
        "bawaslu_kabkota", "pkd"]
    # lowest first: Panwascam 0 of 3, then the kab/kota body and PTPS (2 of 3), then PKD (2 of 2)
    fr = coverage.fill_rate(wh, LAMPUNG, date(2024, 6, 30), E, only_seated=True, lowest_first=True)
    assert fr["fill_rate"].round(3).tolist() == [0.0, 0.667, 0.667, 1.0]
    assert fr["body"].iloc[0] == "panwaslu_kecamatan" and fr["body"].iloc[-1] == "pkd"
