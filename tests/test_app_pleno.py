"""Issue 17, point 6 on the pages: a province's pleno sheet covers its kab/kota, not itself.

The warehouse of tests/factory.sultra_pleno_tables: Sulawesi Tenggara (74) and its 17 kab/kota, August 2024
(4 Mondays), 68 weeks reported for the kab/kota, 55 held; nothing for the province's own Bawaslu. Compliance
55 / 68 = 80.9 % (not 55 / 72 = 76.4 %), and the province is named as not reported, not ranked at 0 %.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from tests.factory import sultra_pleno_tables, write_warehouse
from tests.test_app_pages import assert_clean, run, texts, titles

AUGUST = "2024-08-01..2024-08-31"


@pytest.fixture(scope="module", autouse=True)
def warehouse(tmp_path_factory: pytest.TempPathFactory):
    root = write_warehouse(tmp_path_factory.mktemp("sultra") / "warehouse", sultra_pleno_tables())
    with pytest.MonkeyPatch.context() as env:  # the pages read the warehouse named here; put back after the module
        env.setenv("PANTAU_WAREHOUSE", str(root))
        yield root


def _ranking(at) -> dict:
    [chart] = [json.loads(c.proto.spec) for c in at.get("plotly_chart") if "paling patuh" in c.proto.spec
               or "most reliable" in c.proto.spec.lower()]
    return chart["data"][0]


def test_pleno_page_ranks_the_kabkota_and_names_the_province_as_not_reported() -> None:
    at = run("pleno", wilayah="74", periode=AUGUST)
    assert_clean(at)
    assert "Belum ada laporan pleno: Bawaslu Provinsi Sulawesi Tenggara; tidak dihitung dalam kepatuhan pleno." \
        in texts(at.info)
    # the ranking: the 17 kab/kota only (the province was ranked last at 0 %); 4 hold 4 of 4, 13 hold 3 of 4
    bars = _ranking(at)
    assert len(bars["y"]) == 17 and not any("Sulawesi Tenggara" in str(y) for y in bars["y"])
    assert ("Kabupaten Bombana, Kabupaten Kolaka dan 2 lainnya paling patuh pleno; Kabupaten Buton, Kabupaten "
            "Buton Selatan dan 11 lainnya terendah (75,0%)") in titles(at), titles(at)
    # the heatmap counts the 68 reported weeks; the weekly trend: held of the 17 reported each week, 13 on 5 Aug
    # (kab/kota 1, 6, 11, 16 missed), 14 on each of the other three -> 76,5% to 82,4% (the old rule divided by
    # 18 bodies: 72,2% to 77,8%)
    assert "Pleno mingguan: 55 dari 68 minggu yang dilaporkan terlaksana" in titles(at)
    assert "Kepatuhan pleno naik: 76,5% → 82,4%" in titles(at)
    # the table keeps the province, without rank or compliance
    table = at.dataframe[0].value
    row = table[table["Kode"] == "74"].iloc[0]
    assert table["Kode"].iloc[-1] == "74"  # last, after the ranked kab/kota
    assert row["Dilaporkan"] == 0 and pd.isna(row["Peringkat"]) and pd.isna(row["Kepatuhan"])  # shown "–"


def test_ringkasan_headline_is_held_of_reported_weeks() -> None:
    at = run("ringkasan", wilayah="74", periode=AUGUST)
    assert_clean(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Kepatuhan pleno"] == "80,9%"  # 55 / 68 (the old rule: 55 / 72 = 76,4%)
    assert "Belum ada laporan pleno: Bawaslu Provinsi Sulawesi Tenggara" in texts(at.info)


def test_english() -> None:
    at = run("pleno", wilayah="74", periode=AUGUST, lang="en")
    assert_clean(at)
    assert "No pleno report yet: Bawaslu of Sulawesi Tenggara Province; left out of pleno compliance." \
        in texts(at.info)
    at = run("ringkasan", wilayah="74", periode=AUGUST, lang="en")
    assert {m.label: m.value for m in at.metric}["Pleno compliance"] == "80.9%"
