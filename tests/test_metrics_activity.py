"""Activities: trend, by region, daily, sambang reach and list on a hand-made warehouse.

Period A = 15 Jan .. 15 Mar 2024: February is a whole month (read from the monthly aggregate for a
provinsi breakdown), the January and March days are edges (read from the base table).
"""

from datetime import date

import pandas as pd
import pytest

from pantau import activity
from pantau.filters import Period, Scope
from pantau.warehouse import open_warehouse
from tests.factory import small_regions, write_warehouse

A = Period(date(2024, 1, 15), date(2024, 3, 15))
ACTS = [  # date, region_code, type, participants
    ("2023-12-31", "18.01.01.2002", "sambang_pengawasan", 4),   # before A
    ("2024-01-31", "18.01.01.2001", "sambang_pengawasan", 3),   # A, January edge
    ("2024-02-01", "18.01.01.2001", "sambang_pengawasan", 2),   # same desa again
    ("2024-02-10", "19", "pembinaan", 7),                      # provinsi-level, other province
    ("2024-02-15", "18.01.01.2002", "sambang_pengawasan", 1),
    ("2024-02-29", "18.02.01.2001", "pembinaan", 10),
    ("2024-03-01", "18", "supervisi", 5),                      # provinsi-level, March edge
    ("2024-03-10", "18.01.01", "sosialisasi", 100),            # kecamatan-level
    ("2024-03-16", "18.01.01.2001", "sosialisasi", 50),        # after A
]


@pytest.fixture(scope="module")
def wh(tmp_path_factory):
    regions = small_regions()
    acts = pd.DataFrame(ACTS, columns=["date", "region_code", "type", "participants"])
    acts["date"] = pd.to_datetime(acts["date"]).dt.date
    acts["title"] = acts["type"]
    return open_warehouse(write_warehouse(tmp_path_factory.mktemp("act"),
                                          {"regions": regions, "activities": acts}))


def test_month_split():
    assert activity.month_split(A) == (date(2024, 2, 1), date(2024, 3, 1))
    assert activity.month_split(Period(date(2024, 2, 2), date(2024, 2, 20))) is None
    assert activity.month_split(Period(date(2024, 1, 1), date(2024, 1, 31))) == (date(2024, 1, 1), date(2024, 2, 1))


def test_by_region_national_province_kabkota(wh):
    def as_set(df):
        return {(r, t, n) for r, t, n in df[["region_code", "type", "n"]].values.tolist()}

    # nasional: Lampung sambang 01-31, 02-01, 02-15 = 3; pembinaan 02-29; supervisi 03-01; sosialisasi 03-10
    assert as_set(activity.activity_by_region(wh, Scope(), A)) == {
        ("18", "sambang_pengawasan", 3), ("18", "pembinaan", 1), ("18", "supervisi", 1),
        ("18", "sosialisasi", 1), ("19", "pembinaan", 1)}
    prov = activity.activity_by_region(wh, Scope("provinsi", "18"), A)
    # the provinsi-level supervisi stays under the scope's own code
    assert as_set(prov) == {("18", "supervisi", 1), ("18.01", "sambang_pengawasan", 3),
                            ("18.01", "sosialisasi", 1), ("18.02", "pembinaan", 1)}
    assert prov.set_index(["region_code", "type"]).loc[("18.02", "pembinaan"), "region_name"] == "Kota Metro"
    assert as_set(activity.activity_by_region(wh, Scope("kabkota", "18.01"), A)) == {
        ("18.01.01", "sambang_pengawasan", 3), ("18.01.01", "sosialisasi", 1)}


def test_trend_monthly_and_weekly(wh):
    df = activity.activity_trend(wh, Scope("provinsi", "18"), A, "M")
    got = [(str(p.date()), t, n, pa) for p, t, n, pa in df.values.tolist()]
    assert got == [("2024-01-01", "sambang_pengawasan", 1, 3),
                   ("2024-02-01", "pembinaan", 1, 10), ("2024-02-01", "sambang_pengawasan", 2, 3),  # 2 + 1
                   ("2024-03-01", "sosialisasi", 1, 100), ("2024-03-01", "supervisi", 1, 5)]
    wk = activity.activity_trend(wh, Scope("kabkota", "18.01"), A, "W")
    # 2024-01-31 (Wed) and 2024-02-01 (Thu) share the week of Monday 29 Jan
    first = wk.iloc[0]
    assert (str(first["period_start"].date()), first["n"], first["participants"]) == ("2024-01-29", 2, 5)
    with pytest.raises(ValueError):
        activity.activity_trend(wh, Scope(), A, "X")


def test_daily_has_every_day(wh):
    df = activity.activity_daily(wh, Scope(), A)
    assert len(df) == 17 + 29 + 15  # 15..31 Jan, Feb 2024 (leap), 1..15 Mar
    assert df["n"].sum() == 7
    assert df.set_index("date").loc[pd.Timestamp("2024-02-10"), "n"] == 1
    k = activity.activity_daily(wh, Scope("kabkota", "18.01"), A)
    assert k["n"].sum() == 4 and len(k) == 61


def test_sambang_reach(wh):
    df = activity.sambang_reach(wh, Scope("provinsi", "18"), A)
    # 18.01 has 3 desa, reached .2001 and .2002 = 2; 18.02 has 1 desa, none; total 4, 2
    assert df[["region_code", "desa_total", "desa_reached"]].values.tolist() == [
        ["18.01", 3, 2], ["18.02", 1, 0], ["TOTAL", 4, 2]]
    assert df["reach"].tolist() == pytest.approx([2 / 3, 0.0, 0.5])
    assert df.iloc[-1]["region_name"] == "Lampung"
    # no whole month: base table only -> 15 Feb (.2002)
    short = activity.sambang_reach(wh, Scope("provinsi", "18"), Period(date(2024, 2, 2), date(2024, 2, 20)))
    assert short.iloc[-1]["desa_reached"] == 1
    # two whole months (aggregate only): 31 Dec (.2002) and 31 Jan (.2001)
    whole = activity.sambang_reach(wh, Scope("kabkota", "18.01"), Period(date(2023, 12, 1), date(2024, 1, 31)))
    assert whole[["region_code", "desa_reached"]].values.tolist() == [["18.01.01", 2], ["18.01.02", 0],
                                                                      ["TOTAL", 2]]


def test_list_count_and_empty(wh):
    df = activity.activity_list(wh, Scope("kabkota", "18.01"), A, limit=2)
    assert df[["type", "region_name"]].values.tolist() == [["sosialisasi", "Natar"],
                                                           ["sambang_pengawasan", "Pemanggilan"]]
    assert activity.activity_count(wh, Scope(), A) == 7
    assert activity.activity_count(wh, Scope("provinsi", "18"), A) == 6
    empty = Scope("provinsi", "19")  # no desa at all: reach is empty, counts are zero
    assert activity.sambang_reach(wh, empty, A).empty
    for f in (activity.activity_trend, activity.activity_by_region, activity.activity_list):
        out = f(wh, Scope("provinsi", "52"), A)
        assert out.empty and len(out.columns) >= 4
    assert activity.activity_daily(wh, Scope("provinsi", "52"), A)["n"].sum() == 0
