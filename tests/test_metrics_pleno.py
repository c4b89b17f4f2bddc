"""Weekly pleno: compliance, ranking, weekly rows, outcome shares and trend, worked by hand.

Data covers the weeks of 1, 8, 15, 22 Jul 2024 (Mondays). 18.01 reports all four (held, held, not,
held; scores 90, 80, 0, 70); 18.02 reports two (held 60, held 100); provinsi 18 and 19 report nothing.

The rule (pantau/pleno.py): a week or body nobody reported is not reported, never a missed pleno, so
compliance = weeks held / weeks reported: 18.01 3/4 = 75 %, 18.02 2/2 = 100 % (its two unreported weeks
do not count against it), provinsi 18 and 19 not reported (NaN, no rank). Lampung's total: 5 held of the
6 reported weeks = 83.3 % (the old rule read 5 / (3 bodies x 4 weeks) = 41.7 %).
"""

from datetime import date

import pandas as pd
import pytest

from pantau import pleno
from pantau.filters import Period, Scope
from pantau.warehouse import open_warehouse
from tests.factory import sultra_pleno_tables, write_warehouse

JULY = Period(date(2024, 7, 1), date(2024, 7, 31))


@pytest.fixture(scope="module")
def wh(tmp_path_factory):
    regions = pd.DataFrame({"code": ["18", "18.01", "18.02", "19"],
                            "name": ["Lampung", "Lampung Selatan", "Kota Metro", "Bangka Belitung"]})
    rows = [("18.01", "2024-07-01", True, 90.0, "baik"), ("18.01", "2024-07-08", True, 80.0, "baik"),
            ("18.01", "2024-07-15", False, 0.0, "tidak_pleno"), ("18.01", "2024-07-22", True, 70.0, "cukup"),
            ("18.02", "2024-07-01", True, 60.0, "kurang"), ("18.02", "2024-07-08", True, 100.0, "baik")]
    p = pd.DataFrame(rows, columns=["region_code", "week_start", "held", "score", "outcome"])
    p["week_start"] = pd.to_datetime(p["week_start"]).dt.date
    p["members_total"] = 5
    return open_warehouse(write_warehouse(tmp_path_factory.mktemp("pleno"), {"regions": regions, "pleno": p}))


def test_mondays():
    assert pleno.mondays(date(2024, 7, 1), date(2024, 7, 31)) == 5  # 1, 8, 15, 22, 29
    assert pleno.mondays(date(2024, 7, 2), date(2024, 7, 7)) == 0


def test_week_starts_are_the_covered_mondays_reported_or_not(wh):
    # the table covers 1-22 Jul; 18.02 reported only the first two, still every Monday is a week of the heatmap
    assert pleno.week_starts(wh, JULY) == [date(2024, 7, 1), date(2024, 7, 8), date(2024, 7, 15), date(2024, 7, 22)]
    assert pleno.week_starts(wh, Period(date(2024, 7, 9), date(2024, 7, 20))) == [date(2024, 7, 15)]
    assert pleno.week_starts(wh, Period(date(2023, 1, 1), date(2023, 12, 31))) == []


def test_compliance_and_rank(wh):
    """July clipped to the data's last week (22 Jul): 4 weeks in the period. 18.02 held both weeks it reported:
    2/2 = 100 %, rank 1; 18.01 held 3 of its 4: 75 %, rank 2; provinsi 18 reported nothing: no compliance, no
    rank, listed last (the old rule ranked 18.01 3/4 first, 18.02 2/4 second and the province 0/4 third)."""
    df = pleno.pleno_compliance(wh, Scope("provinsi", "18"), JULY)
    assert list(df.columns) == pleno.COMPLIANCE_COLUMNS
    got = df[["region_code", "body", "weeks_in_period", "weeks_reported", "weeks_held", "reported"]].values.tolist()
    assert got == [["18.02", "bawaslu_kabkota", 4, 2, 2, True], ["18.01", "bawaslu_kabkota", 4, 4, 3, True],
                   ["18", "bawaslu_provinsi", 4, 0, 0, False]]
    assert str(df["rank"].dtype) == "Int64"
    assert df["rank"].tolist()[:2] == [1, 2] and pd.isna(df["rank"].iloc[2])
    assert df["compliance"].iloc[:2].tolist() == pytest.approx([2 / 2, 3 / 4])
    assert pd.isna(df["compliance"].iloc[2])
    assert df["mean_score"].iloc[0] == pytest.approx((60 + 100) / 2)
    assert df["mean_score"].iloc[1] == pytest.approx((90 + 80 + 0 + 70) / 4)
    assert pd.isna(df["mean_score"].iloc[2])
    nat = pleno.pleno_compliance(wh, Scope(), JULY)
    assert nat["region_code"].tolist() == ["18.02", "18.01", "18", "19"]  # ranked, then not reported by code
    assert nat.set_index("region_code")["rank"].dropna().to_dict() == {"18.02": 1, "18.01": 2}
    assert nat["rank"].isna().tolist() == [False, False, True, True]


def test_not_reported_bodies_and_totals(wh):
    """Lampung in July: held 3 + 2 = 5 of the 4 + 2 = 6 reported weeks -> 5/6; the mean score weighs each body's
    mean by its reported weeks: (60 x 4 + 80 x 2) / 6 = 66.7 = the mean of the six scores (400 / 6)."""
    miss = pleno.not_reported(wh, Scope("provinsi", "18"), JULY)
    assert list(miss.columns) == pleno.NOT_REPORTED_COLUMNS
    assert miss.values.tolist() == [["18", "Lampung", "bawaslu_provinsi"]]
    assert pleno.not_reported(wh, Scope(), JULY)["region_code"].tolist() == ["18", "19"]
    assert pleno.not_reported(wh, Scope("kabkota", "18.01"), JULY).empty
    compliance, score = pleno.compliance_totals(wh, Scope("provinsi", "18"), JULY)
    assert compliance == pytest.approx(5 / 6) and score == pytest.approx(400 / 6)
    # a province alone, nothing reported for it: no figure, not 0 %
    assert all(pd.isna(v) for v in pleno.compliance_totals(wh, Scope("provinsi", "19"), JULY))
    assert pleno.not_reported(wh, Scope("provinsi", "19"), JULY)["body"].tolist() == ["bawaslu_provinsi"]


def test_period_starting_before_data(wh):
    df = pleno.pleno_compliance(wh, Scope("kabkota", "18.01"), Period(date(2024, 6, 24), date(2024, 7, 14)))
    assert df[["weeks_in_period", "weeks_held"]].values.tolist() == [[2, 2]]  # 1 and 8 Jul
    assert df["compliance"].iloc[0] == 1.0


def test_period_without_pleno(wh):
    sept = Period(date(2024, 9, 1), date(2024, 9, 30))
    df = pleno.pleno_compliance(wh, Scope("provinsi", "18"), sept)
    assert df["weeks_in_period"].tolist() == [0, 0, 0] and df["compliance"].isna().all()
    assert not df["reported"].any() and df["rank"].isna().all()
    assert all(pd.isna(v) for v in pleno.compliance_totals(wh, Scope("provinsi", "18"), sept))
    assert pleno.pleno_outcome_shares(wh, Scope("provinsi", "18"), sept).empty
    assert pleno.pleno_trend(wh, Scope("provinsi", "18"), sept).empty
    assert pleno.pleno_weekly(wh, Scope("provinsi", "18"), sept).empty
    assert pleno.pleno_compliance(wh, Scope("provinsi", "52"), JULY).empty


def test_outcome_shares(wh):
    df = pleno.pleno_outcome_shares(wh, Scope("provinsi", "18"), JULY)
    assert df["outcome"].tolist() == ["baik", "cukup", "kurang", "tidak_pleno"]
    assert df["n"].tolist() == [3, 1, 1, 1]
    assert df["share"].tolist() == pytest.approx([3 / 6, 1 / 6, 1 / 6, 1 / 6])


def test_weekly_and_trend(wh):
    wk = pleno.pleno_weekly(wh, Scope("kabkota", "18.02"), JULY)
    assert wk[["region_name", "held", "score"]].values.tolist() == [["Kota Metro", True, 60.0],
                                                                    ["Kota Metro", True, 100.0]]
    tr = pleno.pleno_trend(wh, Scope("provinsi", "18"), JULY, "W")
    # reported per week (held of reported): 1 Jul 2 of 2, 8 Jul 2 of 2, 15 Jul 0 of 1 (18.01 only), 22 Jul 1 of 1;
    # the province and 18.02's last two weeks were not reported (the old rule divided by 3 bodies: 2/3, 2/3, 0, 1/3)
    assert [str(d.date()) for d in tr["period_start"]] == ["2024-07-01", "2024-07-08", "2024-07-15", "2024-07-22"]
    assert tr["compliance"].tolist() == pytest.approx([2 / 2, 2 / 2, 0 / 1, 1 / 1])
    assert tr["mean_score"].tolist() == pytest.approx([75.0, 90.0, 0.0, 70.0])
    mo = pleno.pleno_trend(wh, Scope("provinsi", "18"), JULY, "M")
    assert mo["compliance"].tolist() == pytest.approx([5 / 6])  # 5 held of 6 reported weeks (old: 5 / (3 x 4))


AUGUST = Period(date(2024, 8, 1), date(2024, 8, 31))


@pytest.fixture(scope="module")
def sultra(tmp_path_factory):
    return open_warehouse(write_warehouse(tmp_path_factory.mktemp("sultra"), sultra_pleno_tables()))


def test_a_province_evaluates_its_kabkota_and_is_not_counted_as_missing(sultra):
    """Issue 17 point 6: Sulawesi Tenggara's sheet covers its 17 kab/kota, 4 weeks each = 68 rows, 55 held.
    Compliance 55 / 68 = 80.9 % (the old rule counted the province's own 4 unreported weeks as missed:
    55 / 72 = 76.4 %, and ranked the province last at 0 %)."""
    scope = Scope("provinsi", "74")
    compliance, score = pleno.compliance_totals(sultra, scope, AUGUST)
    assert compliance == pytest.approx(55 / 68) and round(compliance * 100, 1) == 80.9
    assert score == pytest.approx(55 * 85 / 68)
    df = pleno.pleno_compliance(sultra, scope, AUGUST)
    ranked = df[df["reported"]]
    assert len(ranked) == 17 and "74" not in set(ranked["region_code"]) and ranked["rank"].notna().all()
    # 4 kab/kota at 4/4 share rank 1, the other 13 at 3/4 share rank 5
    assert sorted(ranked.loc[ranked["rank"] == 1, "region_code"]) == ["74.01", "74.06", "74.11", "74.71"]
    assert (ranked.loc[ranked["rank"] == 5, "compliance"] == 0.75).sum() == 13
    assert ranked["weeks_held"].sum() == 55 and ranked["weeks_reported"].sum() == 68
    last = df.iloc[-1]
    assert last["region_code"] == "74" and not last["reported"] and pd.isna(last["rank"])
    assert pd.isna(last["compliance"]) and last["weeks_in_period"] == 4
    assert pleno.not_reported(sultra, scope, AUGUST).values.tolist() == [["74", "Sulawesi Tenggara",
                                                                           "bawaslu_provinsi"]]
    # the monthly trend says the same: 55 of 68
    assert pleno.pleno_trend(sultra, scope, AUGUST, "M")["compliance"].tolist() == pytest.approx([55 / 68])
