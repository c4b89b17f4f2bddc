"""Weekly pleno: compliance, ranking, weekly rows, outcome shares and trend, worked by hand.

Data covers the weeks of 1, 8, 15, 22 Jul 2024 (Mondays). 18.01 reports all four (held, held, not,
held; scores 90, 80, 0, 70); 18.02 reports two (held 60, held 100); provinsi 18 and 19 report nothing.
"""

from datetime import date

import pandas as pd
import pytest

from pantau import pleno
from pantau.filters import Period, Scope
from pantau.warehouse import open_warehouse
from tests.factory import write_warehouse

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


def test_compliance_and_rank(wh):
    df = pleno.pleno_compliance(wh, Scope("provinsi", "18"), JULY)
    # July clipped to the data's last week (22 Jul): 4 weeks
    got = df[["region_code", "body", "weeks_in_period", "weeks_reported", "weeks_held", "rank"]].values.tolist()
    assert got == [["18.01", "bawaslu_kabkota", 4, 4, 3, 1], ["18.02", "bawaslu_kabkota", 4, 2, 2, 2],
                   ["18", "bawaslu_provinsi", 4, 0, 0, 3]]
    assert df["compliance"].tolist() == pytest.approx([3 / 4, 2 / 4, 0.0])
    assert df["mean_score"].iloc[0] == pytest.approx((90 + 80 + 0 + 70) / 4)
    assert df["mean_score"].iloc[1] == pytest.approx((60 + 100) / 2)
    assert pd.isna(df["mean_score"].iloc[2])
    nat = pleno.pleno_compliance(wh, Scope(), JULY)
    assert nat.set_index("region_code")["rank"].to_dict() == {"18.01": 1, "18.02": 2, "18": 3, "19": 3}


def test_period_starting_before_data(wh):
    df = pleno.pleno_compliance(wh, Scope("kabkota", "18.01"), Period(date(2024, 6, 24), date(2024, 7, 14)))
    assert df[["weeks_in_period", "weeks_held"]].values.tolist() == [[2, 2]]  # 1 and 8 Jul
    assert df["compliance"].iloc[0] == 1.0


def test_period_without_pleno(wh):
    sept = Period(date(2024, 9, 1), date(2024, 9, 30))
    df = pleno.pleno_compliance(wh, Scope("provinsi", "18"), sept)
    assert df["weeks_in_period"].tolist() == [0, 0, 0] and df["compliance"].isna().all()
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
    # 3 bodies; held per week: 2, 2, 0, 1
    assert [str(d.date()) for d in tr["period_start"]] == ["2024-07-01", "2024-07-08", "2024-07-15", "2024-07-22"]
    assert tr["compliance"].tolist() == pytest.approx([2 / 3, 2 / 3, 0.0, 1 / 3])
    assert tr["mean_score"].tolist() == pytest.approx([75.0, 90.0, 0.0, 70.0])
    mo = pleno.pleno_trend(wh, Scope("provinsi", "18"), JULY, "M")
    assert mo["compliance"].tolist() == pytest.approx([5 / 12])  # 5 held of 3 bodies x 4 weeks
