"""Maps: the tile grid, the boundary files against the region list, the figure, and every map page through
AppTest at national, province and kab/kota scope (tiny warehouse of tests/factory.py).

Boundaries come from ../shared/geo beside the checkout (never from the repository); without it these tests are
skipped with the reason, except in CI (CI=true), where that is a failure.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from streamlit.testing.v1 import AppTest

from etl.regions import regions_table
from pantau import charts, geo
from pantau.maps import NOT_REPORTED, TOPOJSON_URL, Measure, region_map
from tests.factory import tiny_warehouse

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "dashboard.py")
SHARED = ROOT.parent / "shared" / "geo"
MAP_PAGES = {"ringkasan": "pages/1_ringkasan.py", "cakupan": "pages/2_cakupan.py", "rasio": "pages/3_rasio.py",
             "kegiatan": "pages/4_kegiatan.py", "pleno": "pages/5_pleno.py"}


def shared_geo() -> Path:
    """../shared/geo, or skip (fail in CI: the CI keeps a copy of shared/ beside the clone)."""
    if not (SHARED / "provinsi.geojson").is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{SHARED} is missing in CI: the map tests need the boundary files there")
        pytest.skip(f"{SHARED} is missing (the boundary files live beside the checkout, not in it)")
    return SHARED


@pytest.fixture(scope="module")
def listed() -> pd.DataFrame:
    df = regions_table()
    return df[df["level"].isin(["provinsi", "kabkota"])][["code", "name", "level", "parent_code"]]


# --- the tile grid ---------------------------------------------------------------------------------


def test_tile_grid_places_each_of_the_38_provinces_once_and_no_two_in_one_cell(listed: pd.DataFrame) -> None:
    tiles = geo.tiles()
    codes = [t.code for t in tiles]
    assert len(codes) == 38 and len(set(codes)) == 38
    assert set(codes) == set(listed.loc[listed["level"] == "provinsi", "code"])
    cells = [(t.row, t.col) for t in tiles]
    assert len(set(cells)) == len(cells), "two provinces share a cell"
    by_code = {t.code: t for t in tiles}
    assert (by_code["11"].row, by_code["11"].col) == (0, 0)  # Aceh top left
    papua = [by_code[c].col for c in ("91", "92", "93", "94", "95", "96")]
    assert min(papua) >= max(t.col for t in tiles if not t.code.startswith("9"))  # Papua's six on the right
    assert all(t.short and len(t.short) <= 9 for t in tiles)


def test_tiles_are_equal_squares_for_the_same_map_builder() -> None:
    gj = geo.tile_geojson(tuple(t.code for t in geo.tiles()))
    sides = {round(abs(r[2][0] - r[0][0]), 6) for f in gj["features"] for r in [f["geometry"]["coordinates"][0][0]]}
    assert len(gj["features"]) == 38 and sides == {geo.TILE_SIZE}


# --- the boundary files -------------------------------------------------------------------------------


def test_shared_boundaries_match_the_region_list_both_ways(listed: pd.DataFrame) -> None:
    folder = shared_geo()
    loaded = [geo.load(folder, level) for level in geo.FILES]
    assert geo.check(loaded, listed).empty
    assert len(loaded[0].features) == 38 and len(loaded[1].features) == 514
    assert not any(b.problems for b in loaded)


def _write_folder(tmp_path: Path, drop: str, extra: str) -> Path:
    """A copy of the shared provinces without `drop` and with a made-up `extra`, and the shared kab/kota."""
    data = json.loads((shared_geo() / "provinsi.geojson").read_text(encoding="utf-8"))
    feats = [f for f in data["features"] if f["properties"]["code"] != drop]
    fake = json.loads(json.dumps(feats[0]))
    fake["id"] = fake["properties"]["code"] = extra
    fake["properties"]["name"] = "Provinsi Khayalan"
    data["features"] = [*feats, fake]
    folder = tmp_path / "geo"
    folder.mkdir()
    (folder / "provinsi.geojson").write_text(json.dumps(data), encoding="utf-8")
    (folder / "kabkota.geojson").write_bytes((shared_geo() / "kabkota.geojson").read_bytes())
    return folder


def test_a_folder_with_a_missing_and_an_extra_code_is_reported(tmp_path: Path, listed: pd.DataFrame) -> None:
    folder = _write_folder(tmp_path, drop="18", extra="99")
    report = geo.check([geo.load(folder, lv) for lv in geo.FILES], listed)
    assert report[["code", "issue"]].values.tolist() == [["18", "hilang"], ["99", "lebih"]]
    assert report.loc[report["code"] == "18", "name"].item() == "Lampung"


def test_a_kabkota_under_the_wrong_province_and_a_broken_file_are_said(tmp_path: Path, listed: pd.DataFrame) -> None:
    data = json.loads((shared_geo() / "kabkota.geojson").read_text(encoding="utf-8"))
    for f in data["features"]:
        if f["properties"]["code"] == "18.71":
            f["properties"]["provinsi_code"] = "19"
    (tmp_path / "kabkota.geojson").write_text(json.dumps(data), encoding="utf-8")
    report = geo.check([geo.load(tmp_path, "kabkota")], listed)
    assert report[["code", "issue"]].values.tolist() == [["18.71", "tidak_cocok"]]
    (tmp_path / "provinsi.geojson").write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    with pytest.raises(geo.GeoError, match=r"provinsi\.geojson bukan GeoJSON yang sah: baris 1"):
        geo.load(tmp_path, "provinsi")


def test_the_folder_setting_comes_first_then_data_geo_then_shared(tmp_path: Path) -> None:
    assert geo.geo_folder({"PANTAU_GEO": str(tmp_path)}) == geo.GeoFolder(tmp_path, "env")
    found = geo.geo_folder({})
    assert found.origin in ("data", "shared", "none")
    if (geo.DEFAULT_FOLDERS[0] / "provinsi.geojson").is_file():
        assert found.origin == "data"


def test_snapping_keeps_the_winding_and_drops_what_is_smaller_than_a_pixel() -> None:
    clockwise = np.array([[0, 0], [0, 1], [1, 1], [1, 0], [0, 0]], dtype=float)  # y up: clockwise
    out = geo.snap_ring(clockwise + 0.0001, 0.02)
    assert out is not None
    x, y = out[:, 0], out[:, 1]
    assert float(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1])) < 0  # still clockwise
    assert geo.snap_ring(clockwise * 0.01, 0.02) is None


# --- the figure -----------------------------------------------------------------------------------


def test_not_reported_has_its_own_colour_and_legend_entry_and_hover_is_indonesian() -> None:
    gj = geo.tile_geojson(("18", "19", "52"))
    values = pd.DataFrame({"code": ["18", "19"], "value": [0.975, 0.5], "hover": ["Lampung<br>97,5%", "Babel"]})
    frame = charts.Frame("Judul", "Nasional", "Sumber: Bawaslu", "id")
    fig = region_map(gj, values, frame, measure=Measure("Kursi terisi (%)", percent=True, decimals=1, rate=True),
                     not_reported_name="Tidak dilaporkan", tiles=True, labels={"18": "Lampung"})
    go_fig = fig.to_dict()
    main, grey, text = go_fig["data"]
    assert sorted(main["locations"]) == ["18", "19"] and main["zmin"] == 0.5 and main["zmax"] == 1.0
    assert main["colorbar"]["title"]["text"] == "Kursi terisi (%)" and main["colorbar"]["tickformat"] == ".1%"
    assert list(grey["locations"]) == ["52"] and grey["colorscale"][0][1] == NOT_REPORTED and grey["showlegend"]
    assert grey["name"] == "Tidak dilaporkan" and NOT_REPORTED not in str(main["colorscale"])
    assert "Lampung<br>97,5%" in main["hovertext"] and go_fig["layout"]["separators"] == ",."
    assert text["type"] == "scattergeo" and dict(zip(text["customdata"], text["text"], strict=True))["18"] == "Lampung"
    go.Figure(go_fig)  # validates every property


def test_a_map_names_its_shapes_by_address_when_served_and_carries_them_otherwise(
        tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    import json

    from ui import maps as ui_maps

    gj = geo.tile_geojson(("18", "19", "52"))
    monkeypatch.setattr(ui_maps, "SHAPES_DIR", tmp_path / "static" / "peta")
    url = ui_maps.served(gj, ("petak", "18", "19", "52"))
    assert url is not None and url.startswith("app/static/peta/") and url.endswith(".json")
    assert json.loads((tmp_path / "static" / "peta" / url.rsplit("/", 1)[1]).read_text()) == json.loads(json.dumps(gj))
    assert ui_maps.served(gj, ("petak", "18", "19", "52")) == url != ui_maps.served(gj, ("petak", "18", "19"))
    values = pd.DataFrame({"code": ["18", "19"], "value": [0.9, 0.5], "hover": ["Lampung", "Babel"]})
    frame = charts.Frame("Judul", "Nasional", "Sumber: Bawaslu", "id")
    m = Measure("Kursi terisi (%)", percent=True, decimals=1, rate=True)
    small = region_map(gj, values, frame, measure=m, not_reported_name="Tidak dilaporkan", tiles=True, url=url)
    whole = region_map(gj, values, frame, measure=m, not_reported_name="Tidak dilaporkan", tiles=True)
    assert [t["geojson"] for t in small.to_dict()["data"]] == [url, url]  # both traces: one file, fetched once
    assert "coordinates" not in small.to_json() and "coordinates" in whole.to_json()  # no shapes in the figure
    (tmp_path / "plain").write_text("a file, not a folder")
    monkeypatch.setattr(ui_maps, "SHAPES_DIR", tmp_path / "plain" / "peta")  # cannot be written: shapes inline
    assert ui_maps.served(gj, ("petak", "18")) is None


# --- the pages ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory):
    root = tiny_warehouse(tmp_path_factory.mktemp("maps") / "warehouse")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PANTAU_WAREHOUSE", str(root))
        env.setenv("PANTAU_GEO", str(shared_geo()))
        yield root


def run(page: str, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in {"periode": "tahun_pemilu_2024", **params}.items():
        at.query_params[key] = value
    at.run()
    if page != "ringkasan":
        at.switch_page(MAP_PAGES[page]).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def maps_of(at: AppTest) -> list[dict]:
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    return [s for s in specs if any(d["type"] == "choropleth" for d in s["data"])]


@pytest.mark.parametrize("page", list(MAP_PAGES))
def test_every_map_page_at_national_province_and_kabkota_scope(tiny: Path, page: str) -> None:
    at = run(page, wilayah="nasional")
    national = maps_of(at)
    assert len(national) == 1, "one map nationally"
    drawn = {c for d in national[0]["data"] if d["type"] == "choropleth" for c in d["locations"]}
    assert drawn == {"18", "19", "52"}  # every province of the (tiny) region list: coloured or not reported
    assert national[0]["layout"]["geo"]["projection"]["type"] == "mercator"
    at = run(page, wilayah="18")
    province = maps_of(at)
    assert len(province) == 1
    assert {c for d in province[0]["data"] if d["type"] == "choropleth" for c in d["locations"]} == {"18.01", "18.72"}
    at = run(page, wilayah="18.01")
    assert maps_of(at) == []


def test_a_map_where_nobody_is_short_says_all_full_not_lowest(tiny: Path) -> None:
    def map_title(at: AppTest) -> str:
        return maps_of(at)[0]["layout"]["title"]["text"].replace("<br>", " ").replace("<b>", "").replace("</b>", "")

    # Lampung's PKD by kab/kota: 18.01 3 of 3, 18.72 3 of 2 (over): none short
    assert "semua terisi penuh" in map_title(run("cakupan", wilayah="18", lembaga="pkd"))
    # Panwascam: 18.01 5 of 6 is short and named
    assert "terendah Kab" in map_title(run("cakupan", wilayah="18", lembaga="panwaslu_kecamatan"))


def test_the_map_is_configured_to_fetch_its_base_map_from_the_dashboard(tiny: Path) -> None:
    at = run("cakupan", wilayah="nasional")
    chart = next(c for c in at.get("plotly_chart") if '"choropleth"' in c.proto.spec)
    assert json.loads(chart.proto.config)["topojsonURL"] == TOPOJSON_URL
    assert (ROOT / "static" / "world_110m.json").is_file()
    assert "enableStaticServing = true" in (ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8")


def test_tile_view_from_the_url(tiny: Path) -> None:
    at = run("ringkasan", wilayah="nasional", peta="petak")
    (fig,) = maps_of(at)
    assert fig["layout"]["geo"]["projection"]["type"] == "equirectangular"
    assert fig["data"][-1]["type"] == "scattergeo" and "Lampung" in " ".join(fig["data"][-1]["text"])


def test_without_a_boundary_folder_one_sentence_and_the_tile_map(tiny: Path, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PANTAU_GEO", str(tmp_path / "nowhere"))
    at = run("cakupan", wilayah="nasional")
    (fig,) = maps_of(at)
    assert fig["layout"]["geo"]["projection"]["type"] == "equirectangular"
    assert any("PANTAU_GEO" in i.value and "peta petak" in i.value for i in at.info)
    at = run("cakupan", wilayah="18")
    assert maps_of(at) == [] and any("PANTAU_GEO" in i.value for i in at.info)


def test_regions_without_a_boundary_are_listed_beside_the_map(tiny: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PANTAU_GEO", str(_write_folder(tmp_path, drop="18", extra="99")))
    at = run("cakupan", wilayah="nasional")
    (fig,) = maps_of(at)
    assert "18" not in {c for d in fig["data"] if d["type"] == "choropleth" for c in d["locations"]}
    assert any("Tanpa batas wilayah" in c.value for c in at.caption)
    assert any("Lampung (18)" in m.value for m in at.markdown)


def test_kualitas_reports_a_missing_and_an_extra_code(tiny: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _write_folder(tmp_path, drop="18", extra="99")
    monkeypatch.setenv("PANTAU_GEO", str(folder))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("pages/7_kualitas.py").run()
    assert not at.exception
    # the tiny region list has 3 provinces and 4 kab/kota: the file's other 36 provinces (35 + 99) and 510
    # kab/kota are not in it; Lampung has no boundary
    warning = next(w.value for w in at.warning if "Batas wilayah" in w.value)
    assert "1 wilayah tanpa batas" in warning and "546 batas di luar daftar" in warning
    assert str(folder) in warning
