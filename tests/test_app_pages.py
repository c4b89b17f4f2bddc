"""Every page through Streamlit's AppTest over the tiny warehouse of tests/factory.py.

Expected numbers are worked out by hand from tests/factory.tiny_tables (see the comments).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from streamlit.proto.Metric_pb2 import Metric
from streamlit.testing.v1 import AppTest

from tests.factory import tiny_warehouse

APP = str(Path(__file__).resolve().parents[1] / "dashboard.py")
PAGES = {
    "ringkasan": "pages/1_ringkasan.py", "cakupan": "pages/2_cakupan.py", "rasio": "pages/3_rasio.py",
    "kegiatan": "pages/4_kegiatan.py", "pleno": "pages/5_pleno.py", "perbandingan": "pages/6_perbandingan.py",
    "kualitas": "pages/7_kualitas.py",
}
ELECTION_YEAR = "tahun_pemilu_2024"  # 2024-01-01 .. 2024-12-31


@pytest.fixture(scope="module", autouse=True)
def warehouse(tmp_path_factory: pytest.TempPathFactory):
    root = tiny_warehouse(tmp_path_factory.mktemp("app") / "warehouse")
    with pytest.MonkeyPatch.context() as env:  # the pages read the warehouse named here; put back after the module
        env.setenv("PANTAU_WAREHOUSE", str(root))
        yield root


def run(page: str, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()  # AppTest knows the pages st.navigation registers only after a first run
    if page != "ringkasan":
        at.switch_page(PAGES[page]).run()
    return at


def titles(at: AppTest) -> list[str]:
    """The chart titles (house style: bold, possibly wrapped) as plain text."""
    out = []
    for chart in at.get("plotly_chart"):
        text = json.loads(chart.proto.spec)["layout"]["title"]["text"]
        out.append(text.replace("<br>", " ").replace("<b>", "").replace("</b>", "").replace("  ", " "))
    return out


def texts(elements) -> str:
    return " | ".join(str(e.value) for e in elements)


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_default_filters(page: str) -> None:
    at = run(page)
    assert_clean(at)
    assert len(at.get("plotly_chart")) >= 1
    assert "DATA CONTOH" in texts(at.warning)  # the sample notice, on every page
    # the filters were written back to the URL in their canonical form
    assert at.query_params["wilayah"] == ["nasional"] or at.query_params["wilayah"] == "nasional"


def _qp(at: AppTest, key: str) -> str:
    value = at.query_params[key]
    return value[0] if isinstance(value, list) else value


def test_ringkasan_headline_for_lampung() -> None:
    at = run("ringkasan", wilayah="18", periode=ELECTION_YEAR)
    assert_clean(at)
    metrics = {m.label: m.value for m in at.metric}
    # Lampung seats on 2024-12-31: provinsi 7 + kab/kota 5 + 3 + Panwascam 3 kecamatan x 3 = 9 + PKD 5 desa
    # + PTPS 10+6+4+8+5 = 33 -> 62. Filled (latest count 2024-01-15): 7 + (5 + 2) + (3 + 2 + 3) + 6 PKD + 33 = 61.
    assert metrics["Pengawas terisi"] == "61"
    assert metrics["Keterisian pengawas"] == "98,4%"  # 61 / 62 = 0.98387
    # Activities in Lampung in 2024: 5 Feb, 19 Feb, 20 Feb, 23 Jul, 22 Aug -> 5
    assert metrics["Kegiatan"] == "5"
    # worst gaps: Kota Metro 2 of 3 members, Jati Agung 2 of 3 Panwascam -> gap 1 each: the title names both
    assert ("Kekurangan terbesar: Kab. Lampung Selatan (Panwascam) dan Kota Metro (Bawaslu Kab/Kota), kurang 1 "
            "masing-masing") in titles(at)


def test_ringkasan_names_what_nobody_reported_instead_of_counting_it_as_gaps() -> None:
    # the tiny warehouse has no personnel row at all in Nusa Tenggara Barat (52)
    at = run("ringkasan", periode=ELECTION_YEAR)
    assert_clean(at)
    notes = texts(at.info)
    assert "Bawaslu Provinsi, Bawaslu Kab/Kota, Panwascam, PKD dan PTPS di Nusa Tenggara Barat (17 kursi)" in notes
    assert not any("Nusa Tenggara Barat" in t for t in titles(at) if t.startswith("Kekurangan terbesar"))


def test_ringkasan_no_change_is_grey_without_an_arrow() -> None:
    at = run("ringkasan", periode="bulan_ini")
    assert_clean(at)
    still = [m for m in at.metric if m.delta.startswith("±")]
    assert still, "the tiny warehouse has no change this month"  # e.g. Pengawas terisi ±0
    # grey and no arrow (a green "↑ ±0" read as progress)
    assert all(m.proto.color == Metric.MetricColor.GRAY and m.proto.direction == Metric.MetricDirection.NONE
               for m in still)
    moved = [m for m in at.metric if m.delta and m.delta[0] in "+-"]
    assert moved and all(m.proto.direction != Metric.MetricDirection.NONE for m in moved)
    # every KPI's help says what it counts (the short label cannot), then the previous period's figure
    assert all(m.proto.help.startswith("**") and not m.proto.help.startswith(f"**{m.label}**") for m in at.metric)


def test_rasio_of_one_kabkota_explains_instead_of_drawing_one_dot() -> None:
    at = run("rasio", wilayah="18.01", periode=ELECTION_YEAR)
    assert_clean(at)
    assert not at.get("plotly_chart")
    assert "hanya memuat 1" in texts(at.info)
    assert len(at.dataframe) == 1  # its figures are still in the table


def test_cakupan_provinsi_mismatch_and_children() -> None:
    at = run("cakupan", wilayah="18", periode=ELECTION_YEAR, lembaga="panwaslu_kecamatan")
    assert_clean(at)
    # PKD: 1+1+1+1+2 = 6 reported for the 5 desa/kelurahan of Lampung -> a visible mismatch
    assert "6 PKD dilaporkan untuk 5 desa" in texts(at.warning)
    # Panwascam by kab/kota: 18.01 has 3 + 2 = 5 of 2 x 3 = 6 seats; 18.72 has 3 of 3 -> 1 of 2 full
    assert "1 dari 2 kabupaten/kota: Panwascam terisi penuh" in titles(at)
    table = at.dataframe[1].value  # [0]: the figures by body
    got = dict(zip(table["Kode"], zip(table["Kursi (UU)"], table["Terisi"], strict=True), strict=True))
    assert got == {"18.01": (6, 5), "18.72": (3, 3)}
    # the mismatch column reads in words: a second checkbox beside the row selection read as a control
    assert set(table["Tidak cocok"]) == {"Tidak"}


def test_cakupan_opens_on_the_body_its_headline_names() -> None:
    # Lampung: Bawaslu kab/kota 5 + 2 of 5 + 3 seats = 87,5 % (Kota Metro 2 of 3), below Panwascam's 8 of 9
    at = run("cakupan", wilayah="18", periode=ELECTION_YEAR)
    assert_clean(at)
    assert titles(at)[0].startswith("Bawaslu Kab/Kota baru terisi 87,5%")
    assert next(s for s in at.selectbox if s.label == "Lembaga yang dirinci").value == "bawaslu_kabkota"
    assert "1 dari 2 kabupaten/kota: Bawaslu Kab/Kota terisi penuh" in titles(at)


def test_cakupan_counts_more_members_than_seats_as_a_mismatch_not_full() -> None:
    # PKD by kab/kota: 18.01 has 3 for its 3 desa, 18.72 has 1 + 2 = 3 for its 2 kelurahan (over)
    at = run("cakupan", wilayah="18", periode=ELECTION_YEAR, lembaga="pkd")
    assert_clean(at)
    assert "1 dari 2 kabupaten/kota: PKD terisi penuh; 1 melebihi kursi" in titles(at)


def test_cakupan_and_ringkasan_count_the_same_empty_bodies() -> None:
    # nationally NTB (52) reported nothing: its empty seats are missing data on both pages, not empty bodies
    ring = run("ringkasan", periode=ELECTION_YEAR)
    empty = next(m for m in ring.metric if m.label.startswith("Lembaga kosong")).value
    cak = run("cakupan", periode=ELECTION_YEAR)
    assert_clean(cak)
    assert f"{empty} lembaga kosong" in texts(cak.warning)


def test_cakupan_of_a_province_that_reported_nothing_says_so_not_all_full() -> None:
    at = run("cakupan", wilayah="52", periode=ELECTION_YEAR)
    assert_clean(at)
    assert titles(at)[0].startswith("Belum ada data personel")


def test_coverage_charts_say_the_datas_own_date_once() -> None:
    at = run("cakupan", wilayah="18", periode=ELECTION_YEAR)
    layout = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]
    # the tiny warehouse's personnel are as of 15 Jan 2024: that date, in the footer only (not 'hingga 31 Des 2024')
    assert layout["title"]["subtitle"]["text"].replace("<br>", " · ") == "Lampung · Pemilu 2024"
    footer = next(a["text"] for a in layout["annotations"] if a.get("name") == "footer")
    assert footer == "Sumber: Bawaslu (data contoh) · data per 15 Jan 2024"


def test_cakupan_shows_each_bodys_seats_and_members_as_text_with_a_total() -> None:
    at = run("cakupan", wilayah="18", periode=ELECTION_YEAR, lembaga="panwaslu_kecamatan")
    table = at.dataframe[0].value
    got = {r["Lembaga"]: (r["Wilayah"], r["Kursi (UU)"], r["Terisi"]) for _, r in table.iterrows()}
    # tiny Lampung: 2 kab/kota (5 + 3 seats, 5 + 2 members), 3 kecamatan (9 seats, 5 + 3), 5 desa/kelurahan
    assert got["Bawaslu Kab/Kota"] == ("2 kabupaten/kota", 8, 7)
    assert got["Panwascam"] == ("3 kecamatan", 9, 8)
    assert got["PKD"][0] == "5 kelurahan/desa"
    total = got["Jumlah"]
    assert total[1:] == (sum(v[1] for k, v in got.items() if k != "Jumlah"),
                         sum(v[2] for k, v in got.items() if k != "Jumlah"))


def test_cakupan_kabkota_level_lists_kecamatan() -> None:
    at = run("cakupan", wilayah="18.01", periode=ELECTION_YEAR)
    assert_clean(at)
    table = at.dataframe[1].value  # [0]: the figures by body
    # Natar 3 of 3, Jati Agung 2 of 3
    got = dict(zip(table["Wilayah"], table["Terisi"], strict=True))
    assert got == {"Natar": 3, "Jati Agung": 2}
    assert "Kab. Lampung Selatan, Lampung" in at.caption[0].value


def test_cakupan_up_button_changes_the_scope_in_the_url() -> None:
    at = run("cakupan", wilayah="18.01", periode=ELECTION_YEAR)
    up = [b for b in at.button if b.label.startswith("Naik ke")]
    assert up and up[0].label == "Naik ke Lampung"
    up[0].click().run()
    assert_clean(at)
    assert _qp(at, "wilayah") == "18"


def test_sidebar_province_change_goes_to_the_url() -> None:
    at = run("kegiatan", periode=ELECTION_YEAR)
    at.sidebar.selectbox(key="w_prov").set_value("19").run()
    assert_clean(at)
    assert _qp(at, "wilayah") == "19"
    # Bangka Belitung in 2024: sambang Nibung 4 Mar and 11 Mar -> 2 activities, both sambang
    assert "2 kegiatan; terbanyak Sambang pengawasan (2)" in titles(at)


def test_kegiatan_national_all_time() -> None:
    at = run("kegiatan", periode="semua")
    assert_clean(at)
    # 10 activities; sambang: Hajimena, Pemanggilan, Nibung, Nibung (2) = 4
    assert "10 kegiatan; terbanyak Sambang pengawasan (4)" in titles(at)
    # sambang reached Hajimena, Pemanggilan, Nibung = 3 of 9 desa -> 33%
    assert "Sambang pengawasan menjangkau 33,3% kelurahan/desa secara nasional" in titles(at)
    # Nusa Tenggara Barat reported no activity at all: its 0% says so
    reach = json.loads(at.get("plotly_chart")[-1].proto.spec)["data"][0]
    assert [y for y in reach["y"] if "tak ada laporan" in y] == ["Nusa Tenggara Barat (tak ada laporan kegiatan)"]


def test_a_month_is_not_drawn_as_one_point_a_line() -> None:
    at = run("kegiatan", periode="bulan_ini")
    assert_clean(at)
    by_type = json.loads(at.get("plotly_chart")[0].proto.spec)["data"]
    assert len(by_type) == 1 and by_type[0]["type"] == "bar"  # activities of the month by type
    at = run("pleno", periode="bulan_ini")
    assert_clean(at)
    trend = [json.loads(c.proto.spec) for c in at.get("plotly_chart")
             if "Kepatuhan pleno" in c.proto.spec and '"choropleth"' not in c.proto.spec]  # the trend, not the map
    assert trend and len(trend[0]["data"][0]["x"]) >= 4  # pleno is weekly: the month's weeks


def test_an_activity_type_keeps_its_colour_in_every_scope() -> None:
    def colours(at: AppTest) -> dict[str, str]:
        trend = json.loads(at.get("plotly_chart")[0].proto.spec)["data"]
        return {t["name"]: t["line"]["color"] for t in trend}

    national = colours(run("kegiatan", periode="semua"))
    lampung = colours(run("kegiatan", wilayah="18", periode="semua"))
    shared = set(national) & set(lampung)
    assert shared and all(national[k] == lampung[k] for k in shared)


def test_titles_do_not_crown_one_of_several_equals() -> None:
    at = run("kegiatan", wilayah="18", periode=ELECTION_YEAR)
    assert_clean(at)
    # Lampung 2024: five activities on five days, one each
    assert "5 hari tersibuk, 1 kegiatan masing-masing; yang pertama 5 Feb 2024" in titles(at)


def test_all_time_has_no_previous_period_to_compare_with() -> None:
    at = run("ringkasan", periode="semua")
    assert_clean(at)
    assert all(m.delta == "" for m in at.metric)  # '+10' against 2009-2016, when nothing can be loaded, says nothing
    assert "tanpa periode pembanding" in texts(at.caption)


def test_kualitas_charts_say_they_cover_the_whole_warehouse() -> None:
    at = run("kualitas", wilayah="18")
    assert_clean(at)
    subtitles = [json.loads(c.proto.spec)["layout"]["title"]["subtitle"]["text"] for c in at.get("plotly_chart")]
    assert subtitles and all(s.startswith("Seluruh gudang data") for s in subtitles)


def test_pleno_lampung() -> None:
    at = run("pleno", wilayah="18", periode=ELECTION_YEAR)
    assert_clean(at)
    # 9 weeks x 3 bodies (18, 18.01, 18.72) = 27; held 8 + 7 + 5 = 20
    assert "Pleno mingguan: 20 dari 27 minggu yang dilaporkan terlaksana" in titles(at)
    # ranking: Lampung 8/9 = 89% best (its Bawaslu provinsi, named as such among kab/kota); Kota Metro 5/9 = 56% lowest
    assert "Provinsi Lampung paling patuh pleno; Kota Metro terendah (55,6%)" in titles(at)


def test_pleno_heatmap_and_ringkasan_give_one_compliance() -> None:
    # held of reported weeks on both pages: 20 of 27 = 74,1 %
    pleno = run("pleno", wilayah="18", periode=ELECTION_YEAR)
    held, total = map(int, re.search(r"(\d+) dari (\d+) minggu yang dilaporkan", " ".join(titles(pleno))).groups())
    ring = run("ringkasan", wilayah="18", periode=ELECTION_YEAR)
    compliance = next(m for m in ring.metric if m.label.startswith("Kepatuhan pleno")).value
    assert (held, total) == (20, 27) and compliance == "74,1%"


def test_pleno_names_every_body_tied_for_the_lowest() -> None:
    """August 2024 (weeks 5, 12, 19, 26 Aug = the tiny warehouse's weeks 5-8), held of reported: Kab. Lampung Selatan
    3 of 4 (misses week 6), Provinsi Lampung 3 of 4 (misses week 8), Kota Metro and Kab. Bangka Tengah 4 of 4 (their
    mean scores tie too: 80, 90, 85, 80). Both ties are named in full. (This test ran over the election year
    nationally, where Kab. Lombok Barat and the provinces of Bangka Belitung and Nusa Tenggara Barat tied at 0 %: they
    reported no pleno at all, which is no longer a 0 % but "not reported", see test_pleno_not_reported_is_named.)"""
    at = run("pleno", periode="2024-08-01..2024-08-31")
    assert_clean(at)
    assert ("Kab. Bangka Tengah dan Kota Metro paling patuh pleno; Kab. Lampung Selatan dan Provinsi Lampung "
            "terendah (75,0%)") in titles(at), titles(at)


def test_pleno_not_reported_is_named() -> None:
    """2024 nationally: Bangka Belitung's and Nusa Tenggara Barat's provinces and Kab. Lombok Barat reported no pleno
    week: named in one sentence, not ranked at 0 %. Ranked, held of 9 reported weeks: Kab. Bangka Tengah 9, Provinsi
    Lampung 8, Kab. Lampung Selatan 7, Kota Metro 5 (55,6 %). The headline: 29 held of 36 reported weeks = 80,6 %
    (the old rule: 29 of 7 bodies x 9 weeks = 46,0 %)."""
    named = ("Belum ada laporan pleno: Bawaslu Provinsi Kepulauan Bangka Belitung, Bawaslu Provinsi Nusa Tenggara "
             "Barat dan Bawaslu Kab. Lombok Barat; tidak dihitung dalam kepatuhan pleno.")
    at = run("pleno", periode=ELECTION_YEAR)
    assert_clean(at)
    assert named in texts(at.info)
    assert "Kab. Bangka Tengah paling patuh pleno; Kota Metro terendah (55,6%)" in titles(at)
    at = run("ringkasan", periode=ELECTION_YEAR)
    assert_clean(at)
    assert {m.label: m.value for m in at.metric}["Kepatuhan pleno"] == "80,6%"
    assert named in texts(at.info)
    at = run("perbandingan", periode=ELECTION_YEAR, banding="52.01,19.04")
    assert_clean(at)
    assert "Belum ada laporan pleno: Bawaslu Kab. Lombok Barat;" in texts(at.info)
    table = at.dataframe[0].value
    assert table.loc[(table["Kode"] == "52.01") & (table["Ukuran"] == "Kepatuhan pleno (%)"), "Nilai"].tolist() == ["–"]


def test_perbandingan_two_kabkota_and_a_bad_code() -> None:
    at = run("perbandingan", wilayah="18", periode=ELECTION_YEAR, banding="18.01,18.72,99.99")
    assert_clean(at)
    assert "99.99" in texts(at.info)
    assert len(at.get("plotly_chart")) == 1
    table = at.dataframe[0].value
    assert set(table["Kode"]) == {"18.01", "18.72"}
    # Panwascam fill rate (%) of 18.01: 5 of 6 = 83.3, with one decimal as every share; a count without
    row = table[(table["Kode"] == "18.01") & (table["Ukuran"] == "Keterisian Panwascam (%)")]
    assert row["Nilai"].iloc[0] == "83,3"
    shares = table[table["Ukuran"].str.endswith("(%)")]["Nilai"]
    assert all(re.fullmatch(r"\d+,\d|–", v) for v in shares), list(shares)  # '100,0', not '100' beside '83,3'
    counts = table[table["Ukuran"] == "Kegiatan"]["Nilai"]
    assert len(counts) == 2 and all(re.fullmatch(r"\d+|–", v) for v in counts), list(counts)


def test_perbandingan_says_which_way_is_better_shows_real_values_and_flags_over_100() -> None:
    at = run("perbandingan", wilayah="18", periode=ELECTION_YEAR, banding="18.01,18.72")
    assert_clean(at)
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    axis = {y for d in spec["data"] for y in d["y"]}
    assert "Keterisian PKD (%) ●" in axis and "Kegiatan ▲" in axis and any(a.endswith("▼") for a in axis)
    bars = {(d["name"], y): (t, h) for d in spec["data"] for y, t, h in zip(d["y"], d["text"], d["customdata"],
                                                                                       strict=True)}
    # 18.72 Kota Metro: 3 PKD for its 2 kelurahan = 150 %: the real value at the bar, flagged as a mismatch
    text, hover = bars[("Kota Metro", "Keterisian PKD (%) ●")]
    assert text == "150,0 ⚠" and "tidak cocok" in hover
    # a count in hover without decimals ('Kegiatan: 114', not '114,0')
    assert all(re.search(r"Kegiatan: \d+ ·", h) for (_, y), (_, h) in bars.items() if y == "Kegiatan ▲")
    assert "makin rendah makin baik" in texts(at.caption)
    table = at.dataframe[0].value
    assert table.loc[(table["Kode"] == "18.72") & (table["Ukuran"] == "Keterisian PKD (%)"), "Tidak cocok"].iloc[0] \
        == "Ya"


def test_kualitas_rejects() -> None:
    at = run("kualitas")
    assert_clean(at)
    assert any(t.startswith("2 baris ditolak") for t in titles(at))
    # counted by kind of problem: the two rejects are of two kinds, so no kind is "the most"
    assert "2 baris ditolak, 2 jenis masalah" in titles(at)
    # the run log in words: status 'berhasil', not 'ok'; times as the other tables write them
    runs = next(d.value for d in at.dataframe if "Status" in d.value.columns)
    assert set(runs["Status"]) == {"berhasil"}
    assert all(re.fullmatch(r"\d{1,2} \w{3} \d{4} \d{2}\.\d{2}", v) for v in runs["Mulai"])  # '22 Nov 2026 21.36'
    assert "Proses ETL terakhir" in texts(at.caption) and "(berhasil)" in texts(at.caption)


def test_kualitas_counts_rejects_by_rule_and_opens_a_warehouse_from_before_rules(tmp_path: Path,
                                                                                 warehouse: Path) -> None:
    at = run("kualitas", lang="en")
    assert_clean(at)
    bars = json.loads(at.get("plotly_chart")[-1].proto.spec)["data"][0]
    assert sorted(bars["y"]) == ["Not a date", "Not a number"]  # the rules' names in the page language
    old = tiny_warehouse(tmp_path / "old")
    path = old / "current" / "rejects.parquet"
    pq.write_table(pq.read_table(path).drop_columns(["check"]), path)  # as published before rejects had `check`
    os.environ["PANTAU_WAREHOUSE"] = str(old)
    try:
        at = run("kualitas")
    finally:
        os.environ["PANTAU_WAREHOUSE"] = str(warehouse)
    assert_clean(at)
    assert "2 baris ditolak; masalah terbanyak: lainnya (aturan tidak tercatat) (2 baris)" in titles(at)


@pytest.mark.parametrize("page", list(PAGES))
def test_empty_province(page: str) -> None:
    """Nusa Tenggara Barat has regions, seats and TPS but no personnel, activities or pleno."""
    at = run(page, wilayah="52", periode=ELECTION_YEAR)
    assert_clean(at)
    if page == "cakupan":
        assert "belum ada data personel" in texts(at.info)
    if page == "kegiatan":
        assert "Tidak ada data untuk kegiatan di Nusa Tenggara Barat" in texts(at.info)
    if page == "pleno":
        assert "Tidak ada pleno yang dilaporkan di Nusa Tenggara Barat" in texts(at.info)


def test_invalid_url_parameters_fall_back_with_a_notice() -> None:
    at = run("ringkasan", wilayah="99", periode="kemarin", pemilu="pemilu_1955", lang="xx")
    assert_clean(at)
    notices = texts(at.info)
    assert "Wilayah `99` tidak ada" in notices
    assert "periode=kemarin" in notices and "pemilu=pemilu_1955" in notices and "lang=xx" in notices
    assert _qp(at, "wilayah") == "nasional" and _qp(at, "periode") == "12_bulan"
    assert _qp(at, "pemilu") == "pemilu_2024" and _qp(at, "lang") == "id"


def test_an_election_without_tps_data_falls_back_and_says_why() -> None:
    # the tiny warehouse has TPS for Pemilu 2024 only: PTPS seats for 2019 are unknown, not 0 (844% filled)
    at = run("ringkasan", pemilu="pemilu_2019")
    assert_clean(at)
    assert "Belum ada data TPS untuk Pemilu 2019" in texts(at.info)
    assert _qp(at, "pemilu") == "pemilu_2024"
    election = next(s for s in at.sidebar.selectbox if s.key == "w_election")
    assert election.options == ["Pemilu 2024"]
    fill = next(m.value for m in at.metric if m.label == "Keterisian pengawas")
    assert float(fill.rstrip("%").replace(",", ".")) <= 100


def test_malformed_scope_and_page_parameter() -> None:
    at = run("ringkasan", wilayah="lampung'; drop")
    assert_clean(at)
    assert "wilayah=lampung'; drop" in texts(at.info)
    at = run("cakupan", wilayah="18", lembaga="presiden")
    assert_clean(at)
    assert "lembaga=presiden" in texts(at.info)
    assert _qp(at, "lembaga") == "bawaslu_kabkota"  # the default: the body the headline names (87,5 %)


def test_english() -> None:
    at = run("ringkasan", wilayah="18", periode=ELECTION_YEAR, lang="en")
    assert_clean(at)
    assert at.title[0].value == "Summary"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Supervisor fill rate"] == "98.4%"


def test_no_warehouse_explains_how_to_build_it(tmp_path: Path, warehouse: Path) -> None:
    os.environ["PANTAU_WAREHOUSE"] = str(tmp_path / "nothing")
    try:
        at = AppTest.from_file(APP, default_timeout=60).run()
    finally:
        os.environ["PANTAU_WAREHOUSE"] = str(warehouse)
    assert not at.exception
    assert "python -m etl build" in at.code[0].value
    assert at.error and "belum tersedia" in at.error[0].value


def test_downloads_are_made_on_click_and_hold_every_row(warehouse: Path) -> None:
    # Every download button is deferred: no file is written on a rerun.
    at = run("kualitas")
    buttons = [b for b in at.get("download_button") if not b.key.startswith("tbl_geo")]  # the map check's own
    # 8: the page's Unduh slide and Unduh PDF (issue 14) and three tables' CSV and XLSX
    assert len(buttons) == 8 and all(b.proto.HasField("deferred_file_id") for b in buttons)
    # A table capped at 2 rows of 3: the screen shows 2, the caption says so, the files hold all 3.
    script = f"""
import os
os.environ["PANTAU_WAREHOUSE"] = {str(warehouse)!r}
import pandas as pd
from ui.app import prepare
from ui import widgets as w
ctx = prepare(show_sidebar=False)
df = pd.DataFrame({{"region_code": ["18", "19", "52"], "seats": [1200, 3, 40]}})
w.table(ctx, df, "uji", {{"region_code": w.TEXT, "seats": w.INT}}, key="t", max_rows=2)
st_csv = w._csv(df, {{"region_code": w.TEXT, "seats": w.INT}}, "id")
import streamlit as st
st.text(st_csv.decode("utf-8-sig"))
"""
    at = AppTest.from_string(script, default_timeout=60).run()
    assert_clean(at)
    assert list(at.dataframe[0].value["Kode"]) == ["18", "19"]
    assert "2 dari 3 baris ditampilkan" in texts(at.caption)
    assert at.text[0].value.splitlines() == ["Kode,Kursi (UU)", "18,1200", "19,3", "52,40"]


def test_a_body_nobody_reported_is_no_bar_and_no_zero_percent_on_cakupan() -> None:
    at = run("cakupan", wilayah="52", periode=ELECTION_YEAR)
    assert_clean(at)
    bars = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
    assert all("belum ada data" in str(y) for y in bars["y"]) and not any("0,0" in str(x) for x in bars["text"])
    table = at.dataframe[0].value
    assert table["Terisi"].isna().all() and table["Keterisian"].isna().all()  # shown as '–', not 0 and 0 %
