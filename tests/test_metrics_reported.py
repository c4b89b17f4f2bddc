"""A body nobody reported (no personnel row at all in the scope) is missing data, not empty seats.

Warehouse:
  18 Lampung, provinsi 5 seats; 2024-07-31: ketua 1 + anggota 4 = 5.
    18.01 kab, 5 seats: 2023-06-30 anggota 3; 2024-07-31 ketua 1 + anggota 4 = 5.
      18.01.01 kec: Panwascam 3. Desa .2001 (4 TPS) and .2002 (3 TPS): 1 PKD each.
    18.71 kota, 3 seats: 2024-07-31 ketua 1 + anggota 1 = 2.
      18.71.01 kec: no Panwascam row. Kelurahan .1001 (6 TPS): no PKD row.
    No PTPS row anywhere in 18 (PTPS seats from TPS: 4 + 3 + 6 = 13).
  19 Babel, provinsi 5 seats; 19.01 kab 3 seats; 19.01.01 kec; desa 19.01.01.2001 (2 TPS).
    All dated 2024-02-14: provinsi 1 + 4, kab 1 + 2, Panwascam 3, PKD 1, PTPS 2.
Kecamatan and desa seats are the law's 3 and 1.
"""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from pantau import compare, coverage, ratios, summary
from pantau.filters import Period, Scope
from pantau.warehouse import open_warehouse
from tests.factory import write_warehouse

E = "pemilu_2024"
END = date(2024, 12, 31)
Y2024 = Period(date(2024, 1, 1), END)
LAMPUNG = Scope("provinsi", "18")


@pytest.fixture(scope="module")
def wh(tmp_path_factory):
    regions = pd.DataFrame([
        ("18", "Lampung"), ("18.01", "Lampung Selatan"), ("18.01.01", "Natar"), ("18.01.01.2001", "Hajimena"),
        ("18.01.01.2002", "Pemanggilan"), ("18.71", "Kota Bandar Lampung"), ("18.71.01", "Teluk Betung"),
        ("18.71.01.1001", "Pesawahan"), ("19", "Kepulauan Bangka Belitung"), ("19.01", "Bangka"),
        ("19.01.01", "Mendo Barat"), ("19.01.01.2001", "Kace")], columns=["code", "name"])
    seats = pd.DataFrame([("18", "bawaslu_provinsi", "", 5), ("18.01", "bawaslu_kabkota", "", 5),
                          ("18.71", "bawaslu_kabkota", "", 3), ("19", "bawaslu_provinsi", "", 5),
                          ("19.01", "bawaslu_kabkota", "", 3)],
                         columns=["region_code", "body", "election", "seats"])
    tps = pd.DataFrame([("18.01.01.2001", E, 4, 900), ("18.01.01.2002", E, 3, 700),
                        ("18.71.01.1001", E, 6, 1500), ("19.01.01.2001", E, 2, 400)],
                       columns=["desa_code", "election", "tps", "voters"])
    old, d, feb = date(2023, 6, 30), date(2024, 7, 31), date(2024, 2, 14)
    personnel = pd.DataFrame([
        (old, "18.01", "bawaslu_kabkota", "anggota", "L", 3),
        (d, "18", "bawaslu_provinsi", "ketua", "L", 1), (d, "18", "bawaslu_provinsi", "anggota", "P", 4),
        (d, "18.01", "bawaslu_kabkota", "ketua", "L", 1), (d, "18.01", "bawaslu_kabkota", "anggota", "L", 4),
        (d, "18.71", "bawaslu_kabkota", "ketua", "P", 1), (d, "18.71", "bawaslu_kabkota", "anggota", "L", 1),
        (d, "18.01.01", "panwaslu_kecamatan", "anggota", "L", 3),
        (d, "18.01.01.2001", "pkd", "anggota", "L", 1), (d, "18.01.01.2002", "pkd", "anggota", "P", 1),
        (feb, "19", "bawaslu_provinsi", "ketua", "L", 1), (feb, "19", "bawaslu_provinsi", "anggota", "L", 4),
        (feb, "19.01", "bawaslu_kabkota", "ketua", "L", 1), (feb, "19.01", "bawaslu_kabkota", "anggota", "P", 2),
        (feb, "19.01.01", "panwaslu_kecamatan", "anggota", "L", 3),
        (feb, "19.01.01.2001", "pkd", "anggota", "L", 1), (feb, "19.01.01.2001", "ptps", "anggota", "L", 2),
    ], columns=["as_of", "region_code", "body", "role", "gender", "count"])
    root = write_warehouse(tmp_path_factory.mktemp("rep"), {"regions": regions, "seats": seats, "tps": tps,
                                                            "personnel": personnel})
    return open_warehouse(root)


def _by_body(df: pd.DataFrame) -> dict[str, tuple]:
    return {r.body: (r.seats, r.filled, bool(r.reported)) for r in df.itertuples(index=False)}


def test_fill_rate_by_body_marks_the_unreported_body(wh):
    df = coverage.fill_rate_by_body(wh, LAMPUNG, END, E)
    assert list(df.columns) == coverage.BY_BODY_COLUMNS
    assert _by_body(df) == {"bawaslu_provinsi": (5, 5, True), "bawaslu_kabkota": (8, 7, True),
                            "panwaslu_kecamatan": (6, 3, True), "pkd": (3, 2, True), "ptps": (13, 0, False)}
    # seats and fill rate stay as they are: the page decides how to show an unreported body
    assert df.set_index("body").loc["ptps", "fill_rate"] == 0.0


def test_the_headline_body_is_the_lowest_reported_one_never_an_unreported_one(wh):
    # Lampung: PTPS 0 of 13 but nobody reported it; Panwascam 3 of 6 = 50 % is the real shortfall
    assert coverage.shortfall_body(coverage.fill_rate_by_body(wh, LAMPUNG, END, E)) == "panwaslu_kecamatan"
    # Babel: everything reported and full
    assert coverage.shortfall_body(coverage.fill_rate_by_body(wh, Scope("provinsi", "19"), END, E)) is None


def test_personnel_dates_are_the_scopes_own(wh):
    lampung = coverage.personnel_dates(wh, LAMPUNG, END)
    assert list(lampung.columns) == coverage.PERSONNEL_DATE_COLUMNS
    assert [(b, d.date()) for b, d in lampung.values.tolist()] == [
        ("bawaslu_provinsi", date(2024, 7, 31)), ("bawaslu_kabkota", date(2024, 7, 31)),
        ("panwaslu_kecamatan", date(2024, 7, 31)), ("pkd", date(2024, 7, 31))]
    babel = coverage.personnel_dates(wh, Scope("provinsi", "19"), END)
    assert {d.date() for d in babel["as_of"]} == {date(2024, 2, 14)}
    # on 2024-07-01 Lampung's kab/kota recap was the one of 2023-06-30
    early = coverage.personnel_dates(wh, Scope("kabkota", "18.01"), date(2024, 7, 1))
    assert [(b, d.date()) for b, d in early.values.tolist()] == [("bawaslu_kabkota", date(2023, 6, 30))]
    assert coverage.personnel_dates(wh, LAMPUNG, date(2020, 1, 1)).empty


def test_reported_follows_the_scope_and_the_date(wh):
    # nationally PTPS is reported (Babel's 2 of 2 TPS), over the provinces that sent a recap of it: Lampung sent
    # none, so its 13 seats are missing data, not empty (with them: 2 of 15), as in the headline
    nat = _by_body(coverage.fill_rate_by_body(wh, Scope(), END, E))
    assert nat["ptps"] == (2, 2, True)
    # the day before Babel's recap only the 2023 kab/kota snapshot exists
    before = _by_body(coverage.fill_rate_by_body(wh, Scope(), date(2024, 2, 13), E))
    assert [b for b, (_, _, rep) in before.items() if rep] == ["bawaslu_kabkota"]
    assert before["bawaslu_kabkota"][:2] == (8, 3)  # Lampung's 5 + 3 seats (Babel sent nothing yet); 18.01's 3
    # in Kota Bandar Lampung nobody reported Panwascam, PKD or PTPS: only its kab/kota body counts
    kota = _by_body(coverage.fill_rate_by_body(wh, Scope("kabkota", "18.71"), END, E))
    assert kota == {"bawaslu_kabkota": (3, 2, True), "panwaslu_kecamatan": (3, 0, False), "pkd": (1, 0, False),
                    "ptps": (6, 0, False)}


def test_fill_rate_per_child_reports_per_child(wh):
    df = coverage.fill_rate(wh, LAMPUNG, END, E, body="panwaslu_kecamatan")
    assert df[["region_code", "seats", "filled", "reported"]].values.tolist() == [
        ["18.01", 3, 3, True], ["18.71", 3, 0, False]]


def test_headline_leaves_unreported_bodies_out(wh):
    df = summary.headline(wh, LAMPUNG, Y2024, E).set_index("metric")
    assert list(df.reset_index().columns) == summary.HEADLINE_COLUMNS
    # reported bodies: filled 5 + 7 + 3 + 2 = 17 of seats 5 + 8 + 6 + 3 = 22 (with PTPS it would be 17 / 35)
    assert df.loc["fill_rate", "value"] == pytest.approx(17 / 22)
    assert df.loc["supervisors", "value"] == 17
    # empty units of reported bodies: Panwascam 18.71.01 and PKD 18.71.01.1001 (not the 3 PTPS desa)
    assert df.loc["units_empty", "value"] == 2
    assert df.loc["fill_rate", "unreported"] == "ptps" and df.loc["units_empty", "unreported"] == "ptps"
    assert df.loc["activities", "unreported"] == ""
    # 2023: only the kab/kota body was reported: 18.01 3 + 18.71 0 of 5 + 3; 18.71 empty
    assert df.loc["fill_rate", "previous"] == pytest.approx(3 / 8)
    assert df.loc["fill_rate", "change"] == pytest.approx(17 / 22 - 3 / 8)
    assert df.loc["units_empty", "previous"] == 1


def test_headline_nation_and_nothing_reported(wh):
    nat = summary.headline(wh, Scope(), Y2024, E).set_index("metric")
    # every body reported somewhere, but Lampung sent no PTPS recap: its 13 PTPS seats are missing data, so
    # filled 10 + 10 + 6 + 3 + 2 = 31 of 10 + 11 + 9 + 4 + 2 = 36 (with Lampung's PTPS it would be 31 / 49)
    assert nat.loc["fill_rate", "value"] == pytest.approx(31 / 36)
    # Panwascam 18.71.01 and PKD 18.71.01.1001; not Lampung's three PTPS desa
    assert nat.loc["units_empty", "value"] == 2 and nat.loc["fill_rate", "unreported"] == ""
    assert nat.loc["supervisors", "value"] == 31
    # Babel before 2024-02-14 (the previous period ends 2023-12-31): nothing reported at all -> unknown
    babel = summary.headline(wh, Scope("provinsi", "19"), Y2024, E).set_index("metric")
    assert babel.loc["fill_rate", "value"] == 1.0  # 14 of 14: 5 + 3 + 3 + 1 + 2
    assert np.isnan(babel.loc["fill_rate", "previous"]) and np.isnan(babel.loc["units_empty", "previous"])
    # and so is the number of supervisors: no change is shown against a period nobody reported
    assert np.isnan(babel.loc["supervisors", "previous"]) and np.isnan(babel.loc["supervisors", "change"])


def test_gaps_put_unreported_units_last(wh):
    df = coverage.gaps(wh, LAMPUNG, END, E)
    assert list(df.columns) == coverage.GAPS_COLUMNS
    assert df[["region_code", "body", "gap", "issue", "reported"]].values.tolist() == [
        ["18.71.01", "panwaslu_kecamatan", 3, "kosong", True],
        ["18.71.01.1001", "pkd", 1, "kosong", True],
        ["18.71", "bawaslu_kabkota", 1, "kurang", True],
        ["18.01.01.2001", "ptps", 4, "kosong", False],
        ["18.01.01.2002", "ptps", 3, "kosong", False],
        ["18.71.01.1001", "ptps", 6, "kosong", False],
    ]


def test_gaps_nationally_count_the_empty_bodies_the_summary_counts(wh):
    # Babel reported its PTPS, Lampung sent none: nationally Lampung's PTPS units are not reported either (issue 21:
    # Cakupan counted them as places without a supervisor, 2,976 against the summary's 1,834 on the sample)
    df = coverage.gaps(wh, Scope(), END, E)
    assert df.loc[df["body"] == "ptps", ["region_code", "reported"]].values.tolist() == [
        ["18.01.01.2001", False], ["18.01.01.2002", False], ["18.71.01.1001", False]]
    empty = df[(df["issue"] == "kosong") & df["reported"]]
    head = summary.headline(wh, Scope(), Y2024, E).set_index("metric")
    assert len(empty) == head.loc["units_empty", "value"] == 2
    for scope in (LAMPUNG, Scope("provinsi", "19"), Scope("kabkota", "18.71")):
        g = coverage.gaps(wh, scope, END, E)
        n = int(((g["issue"] == "kosong") & g["reported"]).sum()) if not g.empty else 0
        h = summary.headline(wh, scope, Y2024, E).set_index("metric").loc["units_empty", "value"]
        assert n == (0 if np.isnan(h) else h), scope


def test_worst_gaps_skip_unreported_bodies(wh):
    df = summary.worst_gaps(wh, LAMPUNG, END, E, n=5)
    # without the rule 18.01 PTPS (7) and 18.71 PTPS (6) would lead
    assert df[["region_code", "body", "gap"]].values.tolist() == [
        ["18.71", "panwaslu_kecamatan", 3], ["18.71", "bawaslu_kabkota", 1], ["18.71", "pkd", 1]]


def test_worst_gaps_nationally_skip_a_province_that_sent_nothing(wh):
    # Lampung's PTPS (13 seats, no recap) would lead with 13; Babel reported its 2 of 2
    df = summary.worst_gaps(wh, Scope(), END, E, n=5)
    assert df[["region_code", "body", "gap"]].values.tolist() == [
        ["18", "panwaslu_kecamatan", 3], ["18", "bawaslu_kabkota", 1], ["18", "pkd", 1]]


def test_unreported_lists_what_the_figures_leave_out(wh):
    nat = summary.unreported(wh, Scope(), END, E)
    assert list(nat.columns) == summary.UNREPORTED_COLUMNS
    assert nat.values.tolist() == [["18", "Lampung", "ptps", 13]]
    assert summary.unreported(wh, LAMPUNG, END, E).values.tolist() == [["18", "Lampung", "ptps", 13]]
    kota = summary.unreported(wh, Scope("kabkota", "18.71"), END, E)
    assert kota[["body", "seats"]].values.tolist() == [["panwaslu_kecamatan", 3], ["pkd", 1], ["ptps", 6]]
    assert summary.unreported(wh, Scope("provinsi", "19"), END, E).empty
    # before Babel's recap nothing was reported nationally but the 2023 kab/kota snapshot
    early = summary.unreported(wh, Scope(), date(2024, 2, 13), E)
    assert set(map(tuple, early[["region_code", "body"]].values.tolist())) >= {("19", "ptps"), ("18", "pkd")}


def test_empty_scope_has_the_columns(wh):
    for f, cols in ((coverage.fill_rate_by_body, coverage.BY_BODY_COLUMNS),
                    (coverage.gaps, coverage.GAPS_COLUMNS)):
        out = f(wh, Scope("provinsi", "52"), END, E)
        assert out.empty and list(out.columns) == cols
    heads = summary.headline(wh, Scope("provinsi", "52"), Y2024, E).set_index("metric")
    assert np.isnan(heads.loc["fill_rate", "value"]) and np.isnan(heads.loc["units_empty", "value"])
    assert heads.loc["fill_rate", "unreported"] == ""


def test_ratios_leave_unreported_bodies_unknown(wh):
    df = ratios.supervisor_ratios(wh, Scope(), END, E).set_index("region_code")
    # 18.01: kab 1 + 4, Panwascam 3, PKD 1 + 1, no PTPS row: PTPS unknown, so supervisors and voters per
    # supervisor are unknown too (counting PTPS as 0 would give 1600 / 10 = 160)
    a = df.loc["18.01"]
    assert (a["voters"], a["tps"], a["desa"], a["panwascam"], a["pkd"]) == (1600, 7, 2, 3, 2)
    assert np.isnan(a["ptps"]) and np.isnan(a["supervisors"]) and np.isnan(a["voters_per_supervisor"])
    assert a["tps_per_pkd"] == pytest.approx(7 / 2) and a["desa_per_panwascam"] == pytest.approx(2 / 3)
    # 18.71: only its kab/kota body reported: Panwascam, PKD, PTPS and every ratio unknown
    b = df.loc["18.71"]
    assert [np.isnan(b[c]) for c in ("panwascam", "pkd", "ptps", "supervisors", *ratios.RATIOS)] == [True] * 7
    # 19.01 reported everything: 400 voters / (3 + 3 + 1 + 2) supervisors
    c = df.loc["19.01"]
    assert c["supervisors"] == 9 and c["voters_per_supervisor"] == pytest.approx(400 / 9)
    # medians over the known values only: TPS per PKD 3.5 (18.01) and 2 (19.01)
    assert c["tps_per_pkd_national_median"] == pytest.approx(2.75)
    assert c["voters_per_supervisor_national_median"] == pytest.approx(400 / 9)
    assert a["desa_per_panwascam_prov_median"] == pytest.approx(2 / 3)


def test_compare_fill_rates_count_reported_bodies_only(wh):
    df = compare.compare_kabkota(wh, ["18.01", "18.71"], Y2024, END, E).set_index(["region_code", "measure"])
    v, med = df["value"], df["prov_median"]
    # 18.01 reported kab 5 of 5, Panwascam 3 of 3, PKD 2 of 2; PTPS (7 seats) not reported: 10 / 10, not 10 / 17
    assert v[("18.01", "fill_rate")] == pytest.approx(1.0)
    assert v[("18.01", "fill_rate_pkd")] == pytest.approx(1.0) and np.isnan(v[("18.01", "fill_rate_ptps")])
    # 18.71 reported only its kab/kota body: 2 of 3 (not 2 of 13); its Panwascam and PKD are unknown, not 0 %
    assert v[("18.71", "fill_rate")] == pytest.approx(2 / 3)
    assert np.isnan(v[("18.71", "fill_rate_panwaslu_kecamatan")]) and np.isnan(v[("18.71", "fill_rate_pkd")])
    assert med[("18.71", "fill_rate")] == pytest.approx((1 + 2 / 3) / 2)
    assert med[("18.71", "fill_rate_pkd")] == pytest.approx(1.0) and np.isnan(med[("18.71", "fill_rate_ptps")])
    assert np.isnan(v[("18.01", "voters_per_supervisor")]) and v[("18.01", "tps_per_pkd")] == pytest.approx(3.5)
