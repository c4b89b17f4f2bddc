"""ui.figure_cache: a figure is built once per distinct input and never served for another; a replayed chart or
table is what the page would have drawn (over the tiny warehouse of tests/factory.py)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.factory import tiny_warehouse

APP = str(Path(__file__).resolve().parents[1] / "dashboard.py")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_warehouse(tmp_path_factory.mktemp("figcache") / "warehouse")


def _ctx(warehouse: Path, *, scope: str = "18", lang: str = "id"):  # noqa: ANN202 - ui.widgets.Ctx
    from pantau.filters import Period, Scope
    from pantau.warehouse import open_warehouse
    from ui.state import Filters
    from ui.widgets import Ctx

    wh = open_warehouse(warehouse)
    names = dict(zip(wh.regions["code"], wh.regions["name"], strict=True))
    return Ctx(wh, Filters(Scope.parse(scope), Period(dt.date(2024, 7, 1), dt.date(2024, 8, 31)), "kustom",
                           "pemilu_2024", lang, dt.date(2024, 8, 31)), names)


def _shares() -> pd.DataFrame:
    return pd.DataFrame({"outcome": ["sesuai", "tidak_sesuai"], "n": [7, 3], "share": [0.7, 0.3]})


def test_a_view_is_built_once_per_input_and_again_for_other_data_words_or_scope(warehouse: Path) -> None:
    from ui import figure_cache

    built: list[int] = []

    @figure_cache.view
    def chart(ctx, df: pd.DataFrame, *, top: int = 3):  # noqa: ANN001, ANN202 - a view's shape
        built.append(len(df))
        return ctx.t("page_pleno") + str(int(df["n"].sum())) + str(top)

    ctx = _ctx(warehouse)
    first = chart(ctx, _shares())
    assert chart(_ctx(warehouse), _shares().copy()) is first  # equal data from another query call: kept
    assert len(built) == 1
    changed = _shares()
    changed.loc[0, "n"] = 8
    assert chart(ctx, changed) != first  # other rows: built anew, never the kept one
    chart(_ctx(warehouse, lang="en"), _shares())  # other words
    chart(_ctx(warehouse, scope="18.01"), _shares())  # another scope
    chart(ctx, _shares(), top=5)  # another argument
    assert len(built) == 5


def test_a_kept_figure_is_not_changed_by_the_phone_layout(warehouse: Path) -> None:
    from ui import figure_cache, views, widgets

    ctx = _ctx(warehouse)
    fig = views.pleno_shares_chart(ctx, _shares())
    before = fig.to_json()
    assert figure_cache.token(fig) and views.pleno_shares_chart(ctx, _shares()) is fig
    copy, footer = widgets.phone_footer(fig)  # outside a phone session: the figure itself
    assert copy is fig and footer is None and fig.to_json() == before


def _run(warehouse: Path, page: str, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(page).run()
    return at


def _shown(at: AppTest) -> tuple[list[str], list[list[str]]]:
    specs = [json.dumps(json.loads(c.proto.spec), sort_keys=True) for c in at.get("plotly_chart")]
    tables = [list(map(str, d.value.columns)) + d.value.astype(str).to_numpy().ravel().tolist() for d in at.dataframe]
    return specs, tables


def test_a_rerun_replays_the_same_charts_and_tables_and_a_new_language_redraws_them(
        warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PANTAU_WAREHOUSE", str(warehouse))
    at = _run(warehouse, "pages/4_kegiatan.py", wilayah="18", periode="tahun_pemilu_2024")
    assert not at.exception
    first = _shown(at)
    assert first[0] and first[1]
    at.run()  # nothing changed: every chart and table replayed
    assert _shown(at) == first
    again = _run(warehouse, "pages/4_kegiatan.py", wilayah="18", periode="tahun_pemilu_2024")  # another session
    assert _shown(again) == first
    english = _run(warehouse, "pages/4_kegiatan.py", wilayah="18", periode="tahun_pemilu_2024", lang="en")
    specs, tables = _shown(english)
    assert specs != first[0] and tables != first[1]
    assert "Date" in tables[-1] and "Tanggal" in first[1][-1]  # the activity list's headers in each language


@pytest.mark.parametrize("column", [
    pd.array([1, None, 3], dtype="Int64"), pd.array(["a", None, "c"], dtype="str"), [1.5, float("nan"), 3.0],
    pd.to_datetime(["2024-01-01", None, "2024-03-01"]), pd.Categorical(["x", "y", "x"]), [True, False, True],
])
def test_equal_frames_share_a_digest_and_any_changed_cell_changes_it(column) -> None:  # noqa: ANN001
    from ui import figure_cache

    df = pd.DataFrame({"c": column, "k": ["p", "q", "r"]}, index=[10, 11, 12])
    same = figure_cache.digest([df.copy()])
    assert same == figure_cache.digest([df]) and same is not None
    for changed in (df.iloc[[0, 2, 1]], df.assign(k=["p", "q", "s"]), df.set_axis([10, 11, 13]), df.head(2),
                    df.rename(columns={"c": "d"})):
        assert figure_cache.digest([changed]) != same
    assert figure_cache.digest([df.iloc[1:]]) == figure_cache.digest([df.iloc[1:].copy()])  # a slice: by content
