"""Filters, warehouse opening, ratios, comparison and data quality (tiny warehouse numbers by hand)."""

from datetime import date

import pandas as pd
import pyarrow.parquet as pq
import pytest

from pantau import compare, quality, ratios
from pantau.filters import Period, Scope, preset_period
from pantau.warehouse import WarehouseMissing, open_warehouse
from tests.factory import TINY_REGIONS, tiny_warehouse, write_warehouse

E = "pemilu_2024"
AS_OF = date(2024, 6, 30)
Y2024 = Period(date(2024, 1, 1), date(2024, 12, 31))


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return open_warehouse(tiny_warehouse(tmp_path_factory.mktemp("tiny") / "wh"))


def test_scope_parse():
    assert Scope.parse("18.01") == Scope("kabkota", "18.01")
    assert Scope.parse("18") == Scope("provinsi", "18") and Scope.parse("18").child_level == "kabkota"
    assert Scope.parse("") == Scope.parse("nasional") == Scope() and Scope().child_level == "provinsi"
    assert Scope.parse("18.01").param == "18.01" and Scope().param == "nasional"
    assert Scope.parse("18.01").parent == Scope("provinsi", "18")
    for bad in ("18.1", "1801", "18.01.01", "x", "18,01"):
        with pytest.raises(ValueError):
            Scope.parse(bad)
    with pytest.raises(ValueError):
        Scope("provinsi", "18.01")


def test_period_and_presets():
    q = Period(date(2024, 4, 1), date(2024, 6, 30))
    assert q.previous() == Period(date(2024, 1, 1), date(2024, 3, 31))  # whole months stay whole
    assert Period(date(2024, 3, 10), date(2024, 3, 19)).previous() == Period(date(2024, 2, 29), date(2024, 3, 9))
    assert Period.parse("2024-01-01..2024-03-31") == Period(date(2024, 1, 1), date(2024, 3, 31))
    for bad in ("2024-03-01..2024-01-01", "2024-13-01..2024-12-31", "soon"):
        with pytest.raises(ValueError):
            Period.parse(bad)
    today = date(2025, 11, 22)
    assert preset_period("bulan_ini", today) == Period(date(2025, 11, 1), today)
    assert preset_period("kuartal_ini", today) == Period(date(2025, 10, 1), today)
    assert preset_period("tahun_pemilu_2024", today) == Y2024
    assert preset_period("12_bulan", today) == Period(date(2024, 12, 1), date(2025, 11, 30))
    with pytest.raises(ValueError):
        preset_period("kemarin", today)


def test_open_warehouse(tmp_path, tiny):
    with pytest.raises(WarehouseMissing, match="python -m etl"):
        open_warehouse(tmp_path / "nowhere")
    assert tiny.version == "tiny-1" and tiny.is_sample
    assert tiny.data_date("activities") == date(2024, 8, 22) and tiny.data_date("regions") is None
    assert len(tiny.regions) == len(TINY_REGIONS) and tiny.regions["code"].dtype == "str"
    # a version swap: the new warehouse is seen by a new open, the old instance keeps its version
    root = write_warehouse(tmp_path / "wh", {}, sample=False, version="v2")
    fresh = open_warehouse(root)
    assert fresh.version == "v2" and not fresh.is_sample and fresh.sql("SELECT count(*) AS n FROM pleno")["n"][0] == 0


def test_supervisor_ratios(tiny):
    df = ratios.supervisor_ratios(tiny, Scope("provinsi", "18"), AS_OF, E).set_index("region_code")
    # 18.01: voters 2500+1500+1000; supervisors kab 5 + Panwascam 3+2 + PKD 3 + PTPS 10+6+4 = 33
    a = df.loc["18.01"]
    assert (a["voters"], a["tps"], a["desa"], a["pkd"], a["ptps"], a["panwascam"], a["supervisors"]) == \
        (5000, 20, 3, 3, 20, 5, 33)
    assert a["voters_per_supervisor"] == pytest.approx(5000 / 33)
    assert a["tps_per_pkd"] == pytest.approx(20 / 3) and a["desa_per_panwascam"] == pytest.approx(3 / 5)
    # 18.72: voters 3200, supervisors 2 + 3 + (1+2) + 13 = 21
    assert df.loc["18.72", "voters_per_supervisor"] == pytest.approx(3200 / 21)
    assert df.loc["18.01", "voters_per_supervisor_prov_median"] == pytest.approx((5000 / 33 + 3200 / 21) / 2)
    # national median over 5000/33, 3200/21, 2100/17 (52.01 has no supervisors: NaN, left out)
    assert df.loc["18.01", "voters_per_supervisor_national_median"] == pytest.approx(5000 / 33)
    nat = ratios.supervisor_ratios(tiny, Scope(), AS_OF, E).set_index("region_code")
    assert pd.isna(nat.loc["52.01", "voters_per_supervisor"]) and not nat.loc["52.01", "tps_per_pkd_outlier"]
    assert ratios.supervisor_ratios(tiny, Scope("provinsi", "11"), AS_OF, E).empty


def test_ratio_outlier(tmp_path):
    codes = [f"18.0{i}" for i in range(1, 6)]
    regions = pd.DataFrame({"code": ["18", *codes, *[c + ".01" for c in codes], *[c + ".01.2001" for c in codes]]})
    regions["name"] = regions["code"]
    tps = pd.DataFrame({"desa_code": [c + ".01.2001" for c in codes], "election": E,
                        "tps": [1, 1, 1, 1, 10], "voters": 100})
    pers = pd.DataFrame({"as_of": date(2024, 1, 1), "region_code": [c + ".01.2001" for c in codes],
                         "body": "pkd", "role": "anggota", "gender": "L", "count": 1})
    wh = open_warehouse(write_warehouse(tmp_path, {"regions": regions, "tps": tps, "personnel": pers}))
    df = ratios.supervisor_ratios(wh, Scope(), AS_OF, E)
    # TPS per PKD 1, 1, 1, 1, 10: Q1 = Q3 = 1, IQR 0 -> only 10 lies outside the fences
    assert df["tps_per_pkd_outlier"].tolist() == [False, False, False, False, True]
    assert df["tps_per_pkd_national_median"].iloc[0] == 1.0


def test_tukey_outliers_of_the_values_given() -> None:
    # the fences a page asks of one province's kab/kota: Q1 217, Q3 221 -> 211..227; 210 and 233 lie outside
    values = pd.Series([216.0, 217, 218, 219, 220, 221, 222, 233, 210, None])
    assert ratios.tukey_outliers(values).tolist() == [False] * 7 + [True, True, False]
    assert not ratios.tukey_outliers(pd.Series([None, None], dtype="float64")).any()


def test_compare_kabkota(tiny):
    df = compare.compare_kabkota(tiny, ["18.72", "18.01"], Y2024, AS_OF, E)
    assert list(dict.fromkeys(df["region_code"])) == ["18.72", "18.01"]  # the order asked for
    v = df.set_index(["region_code", "measure"])
    # PKD: Kota Metro 3 of 2 seats, Lampung Selatan 3 of 3; median of 1.5 and 1.0
    assert v.loc[("18.72", "fill_rate_pkd"), "value"] == pytest.approx(1.5)
    assert v.loc[("18.72", "fill_rate_pkd"), "prov_median"] == pytest.approx(1.25)
    # activities 2024: Kota Metro 1 (pembinaan 23 Jul), Lampung Selatan 3 (2 sambang, 1 sosialisasi)
    assert v.loc[("18.72", "activities"), "value"] == 1 and v.loc[("18.01", "activities"), "value"] == 3
    assert v.loc[("18.01", "activities"), "prov_median"] == 2
    # pleno: Lampung Selatan held 7 of 9 weeks
    assert v.loc[("18.01", "pleno_compliance"), "value"] == pytest.approx(7 / 9)
    assert set(df["measure"]) == set(compare.MEASURES)
    with pytest.raises(ValueError):
        compare.compare_kabkota(tiny, ["18"], Y2024, AS_OF, E)
    assert compare.compare_kabkota(tiny, [], Y2024, AS_OF, E).empty


def test_compare_kabkota_pleno_not_reported_is_missing_not_zero(tiny):
    """Kab. Lombok Barat (52.01) reported no pleno week: its compliance and score are missing, not 0 %, and so is
    its province median (no kab/kota of Nusa Tenggara Barat reported); Bangka Tengah held 9 of its 9 reported."""
    v = compare.compare_kabkota(tiny, ["52.01", "19.04"], Y2024, AS_OF, E).set_index(["region_code", "measure"])
    for m in ("pleno_compliance", "pleno_mean_score"):
        assert pd.isna(v.loc[("52.01", m), "value"]) and pd.isna(v.loc[("52.01", m), "prov_median"])
    assert v.loc[("19.04", "pleno_compliance"), "value"] == 1.0


def test_quality(tiny):
    runs = quality.etl_runs(tiny)
    assert runs[["run_id", "rows_read", "rows_loaded", "rows_rejected"]].values.tolist() == [["test-1", 60, 58, 2]]
    rej = quality.rejects(tiny, "test-1")
    assert rej["table"].tolist() == ["activities", "personnel"] and quality.rejects(tiny, "other").empty
    fr = quality.freshness(tiny).set_index("table")
    assert fr.loc["activities", "rows"] == 10 and fr.loc["activities", "data_date"] == date(2024, 8, 22)
    assert fr.loc["pleno", "data_date"] == date(2024, 8, 26)  # the ninth Monday from 1 Jul


def test_reject_checks_count_by_rule(tiny):
    df = quality.reject_checks(tiny)
    assert list(df.columns) == quality.CHECK_COUNT_COLUMNS
    assert df.values.tolist() == [["not_a_date", "Bukan tanggal", 1, "activities"],
                                  ["not_a_number", "Bukan angka", 1, "personnel"]]
    assert quality.reject_checks(tiny, "en")["name"].tolist() == ["Not a date", "Not a number"]
    assert quality.rejects(tiny)["check"].tolist() == ["not_a_date", "not_a_number"]
    # two negative counts that quote different values are one rule; most first; a rule this code does not know is
    # named by its id, a reject without a rule is 'other'
    rej = pd.DataFrame({"table": ["tps", "personnel", "tps", "pleno", "pleno"],
                        "check": ["negative_count", "unknown_role", "negative_count", "rule_of_tomorrow", None]})
    assert quality.count_checks(rej).values.tolist() == [
        ["negative_count", "Tidak boleh negatif", 2, "tps"], ["", "Lainnya (aturan tidak tercatat)", 1, "pleno"],
        ["rule_of_tomorrow", "rule_of_tomorrow", 1, "pleno"], ["unknown_role", "Jabatan tidak dikenal", 1, "personnel"]]


def test_rejects_published_before_they_named_their_rule_count_as_other(tmp_path):
    root = tiny_warehouse(tmp_path / "wh")
    path = root / "current" / "rejects.parquet"
    pq.write_table(pq.read_table(path).drop_columns(["check"]), path)
    wh = open_warehouse(root)
    assert quality.rejects(wh)["check"].isna().all() and len(quality.rejects(wh)) == 2
    assert quality.reject_checks(wh, "en").values.tolist() == [["", "Other (rule not recorded)", 2,
                                                                "activities,personnel"]]
