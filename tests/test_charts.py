"""The house style: every builder returns a figure with the finding as title, scope and period under it,
source and data date at the bottom, Indonesian separators, and a 2x PNG export."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from pantau import charts

FRAME = charts.Frame("Panwascam terisi 100% di Lampung", "Lampung · 1 Jan – 31 Des 2024",
                     charts.footer_text(dt.date(2024, 7, 31), True), "id")


def _check_style(fig) -> None:
    # Builders skip plotly's validation for speed: every property must still be one plotly knows.
    charts.go.Figure(fig.to_dict())
    layout = fig.layout
    assert "Panwascam terisi 100% di Lampung" in layout.title.text
    assert layout.title.subtitle.text == "Lampung · 1 Jan – 31 Des 2024"
    footers = [a.text for a in layout.annotations if a.name == "footer"]
    assert footers == ["Sumber: Bawaslu (data contoh) · data per 31 Jul 2024"]
    assert layout.separators == ",."
    assert layout.font.size >= 16 and "sans-serif" in layout.font.family
    assert "http" not in layout.font.family
    assert list(layout.colorway) == charts.PALETTE
    assert layout.template.layout.xaxis.ticks == "outside"  # plotly's simple_white, cut to 2-D charts


def test_footer_text() -> None:
    assert charts.footer_text(dt.date(2024, 7, 31), False) == "Sumber: Bawaslu · data per 31 Jul 2024"
    assert (charts.footer_text(dt.date(2024, 8, 1), True, "en")
            == "Source: Bawaslu (sample data) · data as of 1 Aug 2024")


def test_footer_names_the_parts_older_than_the_data_date() -> None:
    d, ptps = dt.date(2024, 7, 23), dt.date(2024, 2, 14)
    assert charts.footer_text(d, True, "id", {"PTPS": ptps}) == \
        "Sumber: Bawaslu (data contoh) · data per 23 Jul 2024 · PTPS per 14 Feb 2024"
    assert charts.footer_text(d, False, "en") == "Source: Bawaslu · data as of 23 Jul 2024"


def test_config_exports_png_at_2x() -> None:
    cfg = charts.config("cakupan_18", 520)
    assert cfg["toImageButtonOptions"] == {"format": "png", "filename": "cakupan_18", "scale": 2,
                                           "width": charts.EXPORT_WIDTH, "height": 520}
    assert cfg["displaylogo"] is False


def test_rate_bars_colours_by_state_and_marks_mismatch() -> None:
    df = pd.DataFrame({"name": ["A", "B", "C"], "code": ["18.01", "18.02", "18.03"],
                       "rate": [1.0, 0.5, 2654 / 2651]})
    fig = charts.rate_bars(df, FRAME, label="name", rate="rate", codes="code")
    _check_style(fig)
    by_name = {tr.name: list(tr.y) for tr in fig.data}
    assert by_name == {"100%": ["A"], "< 100%": ["B"], "> 100%": ["C"]}
    colours = {tr.name: tr.marker.color for tr in fig.data}
    assert colours == {"100%": charts.GOOD, "< 100%": charts.SHORT, "> 100%": charts.MISMATCH}
    assert [row[0] for row in fig.data[0].customdata] == ["18.01"]  # the code a click drills into


def test_rates_all_near_full_are_dots_on_an_axis_that_says_where_it_starts() -> None:
    df = pd.DataFrame({"name": ["A", "B", "C"], "code": ["11", "12", "13"], "rate": [0.988, 0.997, 1.0]})
    fig = charts.rate_bars(df, FRAME, label="name", rate="rate", codes="code", axis_from="Sumbu dimulai dari {start}")
    assert {tr.type for tr in fig.data} == {"scatter"} and all(tr.mode == "markers+text" for tr in fig.data)
    start, end = fig.layout.xaxis.range
    assert 0.98 <= start < 0.988 and end > 1.0  # from the half percent below the lowest, room for the labels
    assert fig.layout.xaxis.title.text == "Sumbu dimulai dari 98,0%"
    assert [row[0] for tr in fig.data for row in tr.customdata] == ["13", "12", "11"]  # still clickable codes
    # one rate far below: bars from 0, as any bar must start
    low = charts.rate_bars(df.assign(rate=[0.5, 0.997, 1.0]), FRAME, label="name", rate="rate")
    assert {tr.type for tr in low.data} == {"bar"} and low.layout.xaxis.range[0] == 0


def test_title_wraps_and_makes_room() -> None:
    long = charts.Frame("Kab. Lampung Selatan paling jauh dari median provinsi: jangkauan sambang 200%",
                        "Lampung", "Sumber: Bawaslu", "id", wrap=42)
    fig = charts.styled_figure([], long, height=400)
    assert fig.layout.title.text.count("<br>") == 1
    assert fig.layout.height == 454 and fig.layout.margin.t == charts.MARGIN["t"] + 54


def test_trend_fills_quiet_months_with_zero_and_labels_in_indonesian() -> None:
    df = pd.DataFrame({"period_start": [dt.date(2024, 1, 1), dt.date(2024, 5, 1)], "type": ["mou", "mou"],
                       "n": [2, 1]})
    fig = charts.trend_lines(df, FRAME, x="period_start", y="n", color="type",
                             months=(dt.date(2024, 1, 1), dt.date(2024, 5, 31)))
    assert list(fig.data[0].y) == [2, 0, 0, 0, 1]  # Jan 2, Feb-Apr 0, May 1
    assert list(fig.layout.xaxis.ticktext) == ["Jan<br>2024", "Feb", "Mar", "Apr", "Mei"]  # the year once
    fig = charts.trend_lines(df, FRAME, x="period_start", y="n", months=(dt.date(2023, 11, 1), dt.date(2024, 2, 1)))
    assert list(fig.layout.xaxis.ticktext) == ["Nov<br>2023", "Des", "Jan<br>2024", "Feb"]  # and where it changes
    assert fig.layout.yaxis.dtick == 1  # small counts: whole-number ticks


@pytest.mark.parametrize("builder", ["calendar", "distribution", "against_median", "share_bar", "relative_bars",
                                     "heatmap", "value_bars"])
def test_every_builder_has_the_house_style(builder: str) -> None:
    if builder == "calendar":
        fig = charts.calendar(pd.DataFrame({"date": [dt.date(2024, 2, 20), dt.date(2024, 3, 4)], "n": [2, 1]}),
                              FRAME)
    elif builder == "distribution":
        df = pd.DataFrame({"v": [100.0, 120.0, 400.0], "name": ["A", "B", "C"], "out": [False, False, True],
                           "med": [120.0] * 3})
        fig = charts.distribution(df, FRAME, value="v", label="name", outlier="out", median="med")
        assert any(tr.name == "outlier" and list(tr.text) == ["C"] for tr in fig.data)
    elif builder == "against_median":
        df = pd.DataFrame({"v": [100.0, 140.0], "name": ["A", "B"], "med": [120.0, 120.0]})
        fig = charts.against_median(df, FRAME, label="name", value="v", median="med")
        # B is above its median: vermillion, its own legend entry beside the blue of A
        assert [(t.marker.color, list(t.y)) for t in fig.data[2:]] == [(charts.VERMILLION, ["B"]), (charts.BLUE, ["A"])]
    elif builder == "share_bar":
        df = pd.DataFrame({"outcome": ["baik", "tidak_pleno"], "share": [0.75, 0.25], "n": [3, 1]})
        fig = charts.share_bar(df, FRAME, category="outcome", share="share", count="n")
    elif builder == "relative_bars":
        df = pd.DataFrame({"m": ["x", "y", "x", "y"], "name": ["A", "A", "B", "B"], "rel": [1.0, 0.5, 2.0, 1.0]})
        fig = charts.relative_bars(df, FRAME, measure="m", label="name", relative="rel")
    elif builder == "heatmap":
        z = pd.DataFrame([[90.0, None], [80.0, 85.0]], index=["A", "B"], columns=["w1", "w2"])
        mark = pd.DataFrame([[False, True], [False, False]], index=["A", "B"], columns=["w1", "w2"])
        fig = charts.heatmap(z, FRAME, x_labels=["1 Jul 2024", "8 Jul 2024"], mark=mark, mark_name="Tidak pleno")
        assert any(tr.name == "Tidak pleno" for tr in fig.data)
    else:
        df = pd.DataFrame({"name": ["A", "B"], "n": [3, 1], "low": [False, True]})
        fig = charts.value_bars(df, FRAME, label="name", value="n", highlight="low")
        assert list(fig.data[0].marker.color) == [charts.VERMILLION, charts.BLUE]  # reversed: first on top
    _check_style(fig)


def test_validation_skipped_by_builders_is_done_here() -> None:
    bad = charts.styled_figure([{"type": "bar", "x": [1], "y": ["A"], "colour": "red"}], FRAME)
    with pytest.raises(ValueError):
        charts.go.Figure(bad.to_dict())


def test_house_axes_override_the_builders_as_a_style_applied_last() -> None:
    fig = charts.styled_figure([], FRAME, axes={"xaxis": {"showgrid": True, "tickformat": ".0%"}},
                               after={"yaxis": {"showgrid": False}})
    assert fig.layout.xaxis.showgrid is False and fig.layout.xaxis.tickformat == ".0%"
    assert fig.layout.yaxis.showgrid is False and fig.layout.yaxis.gridcolor == charts.LIGHT_GREY


def _weekly(rows: list[tuple[str, str, object, object, object]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["region_code", "week_start", "held", "score", "outcome"])


def test_week_grid_places_each_body_and_week() -> None:
    from ui.views import week_grid

    weekly = _weekly([
        ("18", "2024-07-01", True, 90.0, "baik"), ("18", "2024-07-08", False, None, None),
        ("18.01", "2024-07-15", True, 71.0, "cukup"), ("19", "2024-07-01", True, 80.0, "baik"),
    ])
    grid = week_grid(weekly, ["18.01", "18"], outcome_name=str.upper, score_word="Nilai", not_held_text="tidak",
                     lang="id")
    assert [w.day for w in grid.weeks] == [1, 8, 15]  # 19 is not asked for; its week is one of 18's
    # rows in the order asked; 18.01 reported only the 15th, 18 the 1st (held, 90) and the 8th (not held)
    assert grid.score.fillna(-1).values.tolist() == [[-1, -1, 71.0], [90.0, -1, -1]]
    assert grid.not_held.values.tolist() == [[False, False, False], [False, True, False]]
    assert grid.hover == [["tidak", "tidak", "CUKUP · Nilai 71"], ["BAIK · Nilai 90", "tidak", "tidak"]]


def test_week_grid_two_rows_of_one_body_and_week_take_mean_any_first() -> None:
    from ui.views import week_grid

    weekly = _weekly([("18", "2024-07-01", True, 90.0, "baik"), ("18", "2024-07-01", False, 70.0, "kurang")])
    grid = week_grid(weekly, ["18"], outcome_name=str, score_word="Nilai", not_held_text="-", lang="id")
    assert grid.score.values.tolist() == [[80.0]]  # (90 + 70) / 2, and held in one of them
    assert grid.hover == [["baik · Nilai 80"]]


def test_week_grid_tells_a_week_not_held_from_a_week_not_reported() -> None:
    from ui.views import week_grid

    weekly = _weekly([("18", "2024-07-01", False, 0.0, "tidak_pleno"), ("18", "2024-07-08", False, None, None),
                      ("18.01", "2024-07-15", True, 71.0, "cukup")])
    grid = week_grid(weekly, ["18", "18.01"], outcome_name=str.upper, score_word="Nilai", not_held_text="tidak pleno",
                     lang="id", not_reported_text="tidak dilaporkan")
    # 18 reported 1 and 8 Jul without a pleno (one with its outcome), nothing on the 15th; 18.01 only the 15th
    assert grid.hover == [["TIDAK_PLENO · Nilai 0", "tidak pleno", "tidak dilaporkan"],
                          ["tidak dilaporkan", "tidak dilaporkan", "CUKUP · Nilai 71"]]
    assert grid.not_held.values.tolist() == [[True, True, False], [False, False, False]]


def test_a_week_nobody_reported_keeps_its_column_and_the_legend_names_the_grey_cells() -> None:
    from ui.views import week_grid

    weekly = _weekly([("18.72", "2024-07-01", True, 90.0, "baik"), ("18.72", "2024-07-15", False, 0.0, "tidak_pleno")])
    weeks = [dt.date(2024, 7, 1), dt.date(2024, 7, 8), dt.date(2024, 7, 15)]
    grid = week_grid(weekly, ["18.72"], outcome_name=str.upper, score_word="Nilai", not_held_text="tidak pleno",
                     lang="id", not_reported_text="tidak dilaporkan", weeks=weeks)
    assert [w.day for w in grid.weeks] == [1, 8, 15]  # the 8th was not reported: still on the axis
    assert grid.hover == [["BAIK · Nilai 90", "tidak dilaporkan", "TIDAK_PLENO · Nilai 0"]]
    fig = charts.heatmap(grid.score, FRAME, x_labels=["1", "8", "15"], mark=grid.not_held, mark_name="Tidak pleno",
                         blank_name="Tidak dilaporkan")
    assert [t.name for t in fig.data if t.showlegend is not False and t.name] == ["Tidak pleno", "Tidak dilaporkan"]
    every_week = charts.heatmap(grid.score.fillna(80.0), FRAME, x_labels=["1", "8", "15"],
                                blank_name="Tidak dilaporkan")
    assert not [t for t in every_week.data if t.name == "Tidak dilaporkan"]  # no grey cell, no legend entry


def test_value_bars_axis_options_win_over_the_house_style() -> None:
    df = pd.DataFrame({"name": ["A", "B", "A"], "n": [2, 1, 4], "kind": ["x", "x", "y"]})
    fig = charts.value_bars(df, FRAME, label="name", value="n", color_by="kind", x_title="Jumlah",
                            x_range=(0, 10), category_order=["B", "A"])
    assert fig.layout.xaxis.title.text == "Jumlah" and list(fig.layout.xaxis.range) == [0, 10]
    assert list(fig.layout.yaxis.categoryarray) == ["A", "B"]  # plotly lists categories bottom up: B on top
    assert fig.layout.xaxis.dtick == 1  # stacked totals A 6, B 1: small counts get whole-number ticks
    trend = charts.trend_lines(pd.DataFrame({"m": [dt.date(2024, 1, 1)], "v": [0.5]}), FRAME, x="m", y="v",
                               percent=True, y_range=(0, 1.05))
    assert list(trend.layout.yaxis.range) == [0, 1.05]


def test_a_wrapping_legend_gets_its_own_room_above_the_plot() -> None:
    df = pd.DataFrame({"measure": ["kegiatan", "kegiatan"], "region": ["A", "B"], "relative": [1.2, 0.8]})
    short = charts.relative_bars(df, FRAME, measure="measure", label="region", relative="relative")
    names = ["Kabupaten Aceh Selatan", "Kabupaten Aceh Tenggara", "Kabupaten Aceh Timur"]
    df = pd.DataFrame({"measure": ["kegiatan"] * 3, "region": names, "relative": [1.2, 0.8, 2.3]})
    long = charts.relative_bars(df, FRAME, measure="measure", label="region", relative="relative")
    assert charts.legend_rows(["A", "B"]) == 1 and charts.legend_rows(names) == 2
    # one row more: the plot moves down by a row and the legend's bottom stays just above the plot
    added = long.layout.margin.t - short.layout.margin.t
    assert added == charts.LEGEND_ROW_PX and long.layout.height - short.layout.height == added
    for fig in (short, long):
        assert fig.layout.legend.y == pytest.approx(1 - (fig.layout.margin.t - 6) / fig.layout.height)


def test_only_the_most_extreme_outliers_are_named_each_on_its_own_row() -> None:
    values = [100.0 + i for i in range(40)] + [300.0 + i for i in range(8)] + [10.0, 20.0]
    df = pd.DataFrame({"v": values, "name": [f"Kab {i}" for i in range(len(values))],
                       "out": [v >= 300 or v < 50 for v in values]})
    fig = charts.distribution(df, FRAME, value="v", label="name", outlier="out")
    out = fig.data[-1]
    named = {t: (x, y) for t, x, y in zip(out.text, out.x, out.y, strict=True) if t}
    assert set(named) == {"Kab 47", "Kab 46", "Kab 48", "Kab 49"}  # the 2 highest and the 2 lowest
    for side in (lambda x: x >= 300, lambda x: x < 50):
        rows = [y for x, y in named.values() if side(x)]
        assert len(set(rows)) == 2 and all(abs(y) > 0.3 for y in rows)  # own rows, clear of the dots
    assert len(out.customdata) == 10 and "Kab 40" in out.customdata  # every outlier is still hovered


def test_against_median_keeps_the_worst_rows_when_asked() -> None:
    df = pd.DataFrame({"name": [f"Kab {i}" for i in range(40)], "v": [float(i) for i in range(40)], "med": 20.0})
    def shown(fig) -> list[float]:
        return sorted(x for t in fig.data[2:] for x in t.x)

    fig = charts.against_median(df, FRAME, label="name", value="v", median="med", max_rows=30)
    assert len(shown(fig)) == 30 and min(shown(fig)) == 10.0  # the 30 heaviest
    fig = charts.against_median(df, FRAME, label="name", value="v", median="med", max_rows=30, higher_is_worse=False)
    assert max(shown(fig)) == 29.0
    assert len(shown(charts.against_median(df, FRAME, label="name", value="v", median="med"))) == 40


def test_titles_wrap_into_even_lines_that_fit_a_projector() -> None:
    title = "Sambang pengawasan menjangkau 5% kelurahan/desa secara nasional"  # 63 characters
    lines = charts.wrap_title(title, charts.TITLE_WRAP)
    assert len(lines) == 2 and max(map(len, lines)) <= charts.TITLE_WRAP
    assert abs(len(lines[0]) - len(lines[1])) <= 12  # no last line of one word
    assert charts.wrap_title("Kepatuhan pleno stabil: 94% → 93%", charts.NARROW_WRAP) == [
        "Kepatuhan pleno", "stabil: 94% → 93%"]
    assert charts.wrap_title("Pendek", charts.NARROW_WRAP) == ["Pendek"]


def test_a_narrow_chart_wraps_its_subtitle_and_makes_room_for_its_legend() -> None:
    narrow = charts.Frame("79% minggu dinilai Baik", "Kota Bandar Lampung · 1 Jan – 31 Des 2024", "footer",
                          wrap=charts.NARROW_WRAP)
    wide = charts.Frame(narrow.title, narrow.subtitle, "footer")
    df = pd.DataFrame({"outcome": ["baik", "cukup", "kurang", "tidak_pleno"], "share": [0.79, 0.13, 0.01, 0.07]})
    names = {"baik": "Baik", "cukup": "Cukup", "kurang": "Kurang", "tidak_pleno": "Tidak pleno"}
    fig_n = charts.share_bar(df, narrow, category="outcome", share="share", names=names)
    fig_w = charts.share_bar(df, wide, category="outcome", share="share", names=names)
    assert "<br>" in fig_n.layout.title.subtitle.text and "<br>" not in fig_w.layout.title.subtitle.text
    # four outcomes take two rows in one of two columns (seen at 1280 px), one row across the page
    assert charts.legend_rows(list(names.values()), charts.LEGEND_NARROW_PX) == 2
    assert charts.legend_rows(list(names.values())) == 1
    assert fig_n.layout.margin.t - fig_w.layout.margin.t == charts.SUBTITLE_LINE_PX + charts.LEGEND_ROW_PX


def test_rate_labels_share_one_format_and_never_round_to_100() -> None:
    df = pd.DataFrame({"name": ["A", "B", "C"], "rate": [0.997, 0.85, 1.0]})
    fig = charts.rate_bars(df, FRAME, label="name", rate="rate")
    texts = sorted(t for trace in fig.data for t in trace.text)
    assert texts == ["100,0%", "85,0%", "99,7%"]
    bars = charts.value_bars(df, FRAME, label="name", value="rate", percent=True)
    assert bars.data[0].texttemplate == "%{text:.1%}"


def test_percent_ticks_of_small_shares_have_decimals() -> None:
    assert charts.percent_ticks([0.002, 0.004, 0.012]) == {"tickformat": ".1%"}
    assert charts.percent_ticks([0.2, 0.9]) == {"tickformat": ".0%"}
    assert charts.percent_ticks([0.0004]) == {"tickformat": ".2%"}
    assert charts.percent_ticks([0.0, 0.0]) == {"tickformat": ".0%"}  # nothing held: '0% 20%', not '0,00%'
    assert charts.percent_ticks([0.01, 0.04], span=(0, 1.05)) == {"tickformat": ".0%"}  # a fixed 0-105% axis


def test_eleven_categories_get_eleven_colours() -> None:
    every = [f"type{i}" for i in range(11)]
    assert len(set(charts.category_colors(every).values())) == 11  # eleven activity types


def test_calendar_labels_only_months_it_shows_with_the_year_under_the_first() -> None:
    days = pd.date_range("2024-01-01", "2024-12-31", freq="D")
    fig = charts.calendar(pd.DataFrame({"date": days, "n": 1}), FRAME)
    labels = list(fig.layout.xaxis.ticktext)
    assert labels[0] == "Jan<br>2024" and labels[-1] == "Des" and len(labels) == 12  # no 'Jan 2025' for 30 Dec


def test_distribution_names_sit_clear_of_the_box() -> None:
    values = [100.0 + i for i in range(30)] + [200.0, 10.0]
    df = pd.DataFrame({"v": values, "name": [f"Kab {i}" for i in range(32)], "out": [v > 150 or v < 50 for v in values],
                       "med": 115.0})
    fig = charts.distribution(df, FRAME, value="v", label="name", outlier="out", median="med")
    box_half = fig.data[0].width / 2
    named = [y for t, y in zip(fig.data[-1].text, fig.data[-1].y, strict=True) if t]
    assert named and all(abs(y) > box_half + 0.1 for y in named)
    note = [a for a in fig.layout.annotations if a.text.startswith("median")][0]
    assert note.y > max(named) and fig.layout.yaxis.range[1] > note.y


def test_weekly_trend_labels_dates_with_the_year_under_the_first() -> None:
    df = pd.DataFrame({"period_start": pd.to_datetime(["2024-12-02", "2024-12-09", "2024-12-16"]),
                       "rate": [0.93, 0.997, 0.95]})
    fig = charts.trend_lines(df, FRAME, x="period_start", y="rate", weekly=True, percent=True, y_range=(0, 1.05))
    assert fig.data[0].customdata[1] == "9 Des 2024"
    assert list(fig.layout.xaxis.ticktext) == ["2 Des<br>2024", "9 Des", "16 Des"]
    assert ":.1%" in fig.data[0].hovertemplate  # 99,7% in the hover too, as in the title, not '100%'
    assert fig.layout.yaxis.tickformat == ".0%"  # ticks as the fixed 0-105% axis needs


def test_calendar_leaves_days_before_the_period_blank() -> None:
    daily = pd.DataFrame({"date": [dt.date(2024, 12, 2), dt.date(2024, 12, 20)], "n": [3, 1]})
    fig = charts.calendar(daily, FRAME, span=(dt.date(2024, 12, 1), dt.date(2024, 12, 31)))
    z = fig.data[0].z  # weekdays down, weeks across; 1 Dec 2024 is a Sunday, its week starts 25 Nov
    first_week = [row[0] for row in z]
    assert all(v != v for v in first_week[:6]) and first_week[6] == 0  # 25-30 Nov blank (NaN), Sunday 1 Dec a 0
    assert z[0][1] == 3


def test_subtitles_break_between_parts_not_inside_a_date() -> None:
    lines = charts.wrap_parts("Kota Bandar Lampung, Lampung · 1 Des – 31 Des 2024 · Pemilu 2024", 40)
    assert lines == ["Kota Bandar Lampung, Lampung", "1 Des – 31 Des 2024 · Pemilu 2024"]


def test_a_wrapping_subtitle_makes_the_figure_taller_never_the_plot_smaller() -> None:
    shares = pd.DataFrame({"outcome": ["baik", "cukup", "kurang", "tidak_pleno"], "share": [0.4, 0.3, 0.2, 0.1]})
    names = {"baik": "Baik", "cukup": "Cukup", "kurang": "Kurang", "tidak_pleno": "Tidak pleno"}
    short = charts.Frame("100,0% laporan mingguan dinilai Baik", "Lampung · 1 Jan – 31 Des 2024", "Sumber",
                         wrap=charts.NARROW_WRAP)
    long = charts.Frame(short.title, "Kab. Bangka Tengah, Kepulauan Bangka Belitung · 1 Jan – 31 Des 2024",
                        "Sumber", wrap=charts.NARROW_WRAP)
    for frame in (short, long):
        fig = charts.share_bar(shares, frame, category="outcome", share="share", names=names)
        m = fig.layout.margin
        assert fig.layout.height - m.t - m.b >= charts.MIN_PLOT_PX
        assert fig.layout.legend.y == pytest.approx(1 - (m.t - 6) / fig.layout.height)
