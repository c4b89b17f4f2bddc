"""Issue 14: chart images rendered on the server, PPTX/PDF decks, python -m pantau report (real tiny warehouse,
real Chromium through kaleido)."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import plotly.graph_objects as go
import pytest
from PIL import Image
from pptx import Presentation

from pantau import fmt
from tests.factory import tiny_warehouse
from ui import slides
from ui.report_cli import main, parse_period

needs_chromium = pytest.mark.skipif(slides.chromium_path() is None, reason="no chromium on this machine")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_warehouse(tmp_path_factory.mktemp("slides") / "warehouse")


def _chromium_children() -> int:
    """Chromium processes descended from this process (kaleido's browser and its helpers)."""
    parents: dict[int, int] = {}
    names: dict[int, str] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        pid, rest = int(text.split(" ", 1)[0]), text.rsplit(")", 1)[1].split()
        parents[pid], names[pid] = int(rest[1]), text[text.index("(") + 1:text.rindex(")")]
    me, count = os.getpid(), 0
    for pid, name in names.items():
        p = pid
        while p in parents and p not in (0, 1, me):
            p = parents[p]
        count += p == me and "chrom" in name
    return count


@needs_chromium
def test_png_sizes_svg_and_one_browser_for_many_images() -> None:
    fig = go.Figure(go.Bar(x=["a", "b"], y=[1, 2]))
    big = Image.open(io.BytesIO(slides.image(fig, sample=True)))
    running = _chromium_children()
    small = Image.open(io.BytesIO(slides.image(fig, size="1280x720")))
    assert big.size == (1920, 1080) and small.size == (1280, 720)
    assert ET.fromstring(slides.image(fig, "svg", sample=True)).tag.endswith("svg")
    assert running >= 1 and _chromium_children() == running and slides.browser_starts() == 1


@needs_chromium
def test_report_builds_a_lampung_deck_with_title_charts_notes_trace_and_pdf(warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "lampung.pptx"
    code = main(["--scope", "18", "--period", "2024-07-01..2024-08-31", "--out", str(out), "--pdf",
                 "--warehouse", str(warehouse)])
    assert code == 0
    prs = Presentation(str(out))
    slides_ = list(prs.slides)
    title = " ".join(sh.text_frame.text for sh in slides_[0].shapes if sh.has_text_frame)
    assert "Lampung" in title and "1 Jul – 31 Agu 2024" in title and "DATA CONTOH" in title
    kpis = " ".join(sh.text_frame.text for sh in slides_[1].shapes if sh.has_text_frame)
    assert "Angka kunci" in kpis and "Kepatuhan pleno: 74,1%" in kpis  # Ringkasan's numbers as editable text
    charts_ = slides_[2:-1]
    assert len(charts_) >= 8
    titles = [" ".join(sh.text_frame.text for sh in s.shapes if sh.has_text_frame) for s in charts_]
    assert "Angka utama" in titles[0] and any("Cakupan wilayah" in x for x in titles)  # every page is in the deck
    assert any("Perbandingan" in x and "Kab. Lampung Selatan · Kota Metro" in x for x in titles)
    for slide in charts_:
        pics = [sh for sh in slide.shapes if sh.shape_type == 13]
        assert len(pics) == 1 and pics[0].width >= 0.9 * prs.slide_width
        assert Image.open(io.BytesIO(pics[0].image.blob)).size == (1920, 1080)
        assert slide.has_notes_slide and slide.notes_slide.notes_text_frame.text.strip()
    notes = "\n".join(s.notes_slide.notes_text_frame.text for s in charts_)
    assert "Kota Metro" in notes and re.search(r"\d+,\d%", notes)  # a share with its unit, as the table holds it
    trace = " ".join(sh.text_frame.text for sh in slides_[-1].shapes if sh.has_text_frame)
    assert "tiny-1" in trace and "pleno" in trace and "ditolak" in trace
    pdf = out.with_suffix(".pdf").read_bytes()
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == len(slides_)


def test_pleno_notes_hold_a_number_of_the_chart_table(warehouse: Path) -> None:
    import datetime as dt

    from pantau.filters import Period, Scope
    from pantau.warehouse import open_warehouse
    from ui.specs import pleno_charts
    from ui.state import Filters
    from ui.widgets import Ctx

    wh = open_warehouse(warehouse)
    names = dict(zip(wh.regions["code"], wh.regions["name"], strict=True))
    ctx = Ctx(wh, Filters(Scope.parse("18"), Period(dt.date(2024, 7, 1), dt.date(2024, 8, 31)), "kustom",
                          "pemilu_2024", "id", dt.date(2024, 8, 31)), names)
    charts_ = pleno_charts(ctx)
    assert [c.key for c in charts_][0] == "pleno_mingguan"
    first = charts_[0]
    row = first.table.iloc[0]
    assert fmt.percent(row["compliance"], 1, "id") in slides.notes_text(first, "id")


@pytest.mark.parametrize(("args", "word"), [
    (["--scope", "99"], "99"), (["--period", "2024-Q5"], "2024-Q5"), (["--pages", "pleno,slides"], "pleno,slides"),
])
def test_a_bad_value_exits_2_with_one_sentence(warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture,
                                              args: list[str], word: str) -> None:
    base = {"--scope": "18", "--period": "2024-Q3", "--pages": "pleno"}
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    argv = [x for kv in base.items() for x in kv] + ["--out", str(tmp_path / "x.pptx"), "--warehouse", str(warehouse)]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert word in err and "diterima" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "x.pptx").exists()


def test_periods_the_sidebar_offers() -> None:
    import datetime as dt

    today = dt.date(2024, 8, 31)
    assert (parse_period("2024-Q3", today).start, parse_period("2024-Q3", today).end) == (dt.date(2024, 7, 1),
                                                                                          dt.date(2024, 9, 30))
    assert parse_period("2024-12", today).end == dt.date(2024, 12, 31)
    assert parse_period("2024", today).start == dt.date(2024, 1, 1)
    assert parse_period("2024-07-01..2024-09-30", today).end == dt.date(2024, 9, 30)


def test_without_chromium_the_cli_says_so_in_one_sentence(warehouse: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PANTAU_CHROMIUM": "/nonexistent", "PATH": "/nonexistent"}
    res = subprocess.run([sys.executable, "-m", "pantau", "report", "--scope", "18", "--period", "2024-Q3",
                          "--pages", "pleno", "--out", str(tmp_path / "x.pptx"), "--warehouse", str(warehouse)],
                         capture_output=True, text=True, env=env, cwd=Path(__file__).parents[1], timeout=120)
    assert res.returncode == 1 and "Chromium" in res.stderr and "Traceback" not in res.stderr


def _app(root: Path, page: str, env: pytest.MonkeyPatch):
    from streamlit.testing.v1 import AppTest

    env.setenv("PANTAU_WAREHOUSE", str(root))
    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "dashboard.py"), default_timeout=60)
    at.query_params["wilayah"], at.query_params["periode"] = "18", "2024-07-01..2024-08-31"
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@needs_chromium
@pytest.mark.parametrize("page", ["pages/1_ringkasan.py", "pages/2_cakupan.py", "pages/3_rasio.py",
                                  "pages/4_kegiatan.py", "pages/5_pleno.py", "pages/6_perbandingan.py",
                                  "pages/7_kualitas.py"])
def test_pages_offer_unduh_slide_pdf_and_chart_images(warehouse: Path, monkeypatch: pytest.MonkeyPatch,
                                                      page: str) -> None:
    at = _app(warehouse, page, monkeypatch)
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Unduh slide" in labels and "Unduh PDF" in labels and not any("SVG" in x for x in labels)
    if "pleno" not in page:  # the images of one page are enough
        return
    at.toggle(key="imgs_pleno").set_value(True).run()
    labels = [b.proto.label for b in at.get("download_button")]
    assert "PNG 1920x1080" in labels and "PNG 1280x720" in labels and "SVG" in labels


def test_without_chromium_the_page_says_so_in_one_sentence(warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PANTAU_CHROMIUM", "/nonexistent")
    monkeypatch.setenv("PATH", "/nonexistent")
    at = _app(warehouse, "pages/5_pleno.py", monkeypatch)
    assert "Unduh slide" not in [b.proto.label for b in at.get("download_button")]
    assert any("perlu Chromium" in c.value for c in at.caption)


@needs_chromium
def test_report_on_real_data_acts_as_an_account_and_keeps_to_its_region(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    from pantau import accounts
    from ui import auth

    real = tiny_warehouse(tmp_path / "real", sample=False)
    monkeypatch.setenv("PANTAU_USERS", str(tmp_path / "users.json"))
    monkeypatch.setenv("PANTAU_AUDIT", str(tmp_path / "audit.jsonl"))
    accounts.add("lampung", "provinsi", "18", "kata-sandi-panjang-1")
    out = tmp_path / "deck.pptx"
    base = ["--period", "2024-07-01..2024-08-31", "--pages", "pleno", "--out", str(out), "--warehouse", str(real)]
    assert main(["--scope", "52", *base]) == 2 and "--as" in capsys.readouterr().err
    assert main(["--scope", "52", "--as", "nobody", *base]) == 2 and "nobody" in capsys.readouterr().err
    try:
        assert main(["--scope", "52", "--as", "lampung", *base]) == 0
    finally:
        auth.act_as(None)
    assert "di luar wilayah" in capsys.readouterr().err
    title = " ".join(sh.text_frame.text for sh in Presentation(str(out)).slides[0].shapes if sh.has_text_frame)
    assert "Lampung" in title and "Nusa Tenggara Barat" not in title and "DATA CONTOH" not in title
    assert '"who": "lampung"' in (tmp_path / "audit.jsonl").read_text()


def _ctx(warehouse: Path, scope: str, user: object = None):
    import datetime as dt

    from pantau.access import OPEN
    from pantau.filters import Period, Scope
    from pantau.warehouse import open_warehouse
    from ui.state import Filters
    from ui.widgets import Ctx

    wh = open_warehouse(warehouse)
    names = dict(zip(wh.regions["code"], wh.regions["name"], strict=True))
    return Ctx(wh, Filters(Scope.parse(scope), Period(dt.date(2024, 7, 1), dt.date(2024, 8, 31)), "kustom",
                           "pemilu_2024", "id", dt.date(2024, 8, 31)), names, user=user or OPEN)


def test_ringkasan_cakupan_perbandingan_have_charts_kpis_and_a_pick(warehouse: Path) -> None:
    from ui import specs

    ctx = _ctx(warehouse, "18")
    assert [c.key for c in specs.ringkasan_charts(ctx)] == ["ringkasan_keterisian", "ringkasan_kekurangan"]
    assert "Kepatuhan pleno: 74,1%" in specs.ringkasan_kpis(ctx)
    assert [c.key for c in specs.cakupan_charts(ctx, pick=["pkd"])] == ["cakupan_lembaga", "cakupan_pkd"]
    cmp = specs.perbandingan_charts(ctx, pick=["18.72", "18.01"])[0]
    assert cmp.kpi == "Kota Metro · Kab. Lampung Selatan"
    assert fmt.percent(cmp.table["relative"].iloc[0], 1, "id") in slides.notes_text(cmp, "id")


def test_picked_charts_keep_the_order_and_the_user_region(warehouse: Path) -> None:
    from pantau.access import Role, User
    from pantau.filters import Scope
    from ui import specs
    from ui.widgets import Picked

    nat = _ctx(warehouse, "nasional")
    lampung = _ctx(warehouse, "18")
    items = [Picked("pleno", (), lampung.f, "pleno_peringkat"), Picked("ringkasan", (), nat.f, "ringkasan_kekurangan"),
             Picked("pleno", (), lampung.f, "pleno_hasil"), Picked("kegiatan", (), lampung.f, "no_such_chart")]
    charts_, ctxs = specs.picked_charts(nat, items)
    assert [c.key for c in charts_] == ["pleno_peringkat", "ringkasan_kekurangan", "pleno_hasil"]
    assert [c.scope_name for c in ctxs] == ["Lampung", "Nasional", "Lampung"]
    assert charts_[1].kpi.startswith("Nasional · 1 Jul – 31 Agu 2024")
    user = User("lampung", Role("provinsi"), Scope.parse("18"))
    _, clamped = specs.picked_charts(_ctx(warehouse, "18", user), items)
    assert {c.scope_name for c in clamped} == {"Lampung"}  # a national chart picked earlier is Lampung's now


def test_presentation_figures_have_large_type_and_no_faint_colours(warehouse: Path) -> None:
    from pantau import charts
    from ui import present, specs

    ctx = _ctx(warehouse, "18")
    figs = [present.figure(c.fig) for name in ("pleno", "kegiatan", "ringkasan") for c in specs.PAGES[name].build(ctx)]
    for fig in figs:
        layout = fig.layout
        assert layout.height == present.HEIGHT and layout.font.size >= 20
        assert layout.xaxis.tickfont.size >= 18 and layout.yaxis.tickfont.size >= 18
        assert all(a.font.size >= 18 for a in layout.annotations)
        assert all(t.textfont.size >= 18 for t in fig.data if "textfont" in t)
        assert charts.YELLOW not in str(fig.to_dict()) and charts.SKY not in str(fig.to_dict())
    # 1600 px hold on one line the titles that Pleno's half-width columns wrap in two
    assert [str(f.layout.title.text).count("<br>") for f in figs[:4]] == [0, 0, 0, 0]


def test_a_tall_chart_grows_its_type_but_keeps_every_row_label() -> None:
    names = [f"Kabupaten {i}" for i in range(18)]
    heat = go.Figure(go.Heatmap(z=[[1, 2]] * 18, y=names, x=["a", "b"]),
                     layout={"height": 824, "margin": {"t": 164, "b": 96}, "yaxis": {"tickfont": {"size": 14}}})
    width, height = slides.base_size(heat)
    grown = slides.grow_for(heat, width, height)
    assert 1.0 < grown < width / slides.BASE_W  # larger type than plain scaling gives, not so large rows lose labels
    rows_px = (height - grown * (164 + 96)) / 18
    assert rows_px >= slides.ROW_LINES * 14 * grown - 0.01
    line = go.Figure(go.Scatter(x=[1, 2], y=[1, 2]), layout={"height": 900})
    assert slides.grow_for(line, *slides.base_size(line)) == slides.MAX_GROW
    assert slides.slide_figure(heat, False, "id").layout.yaxis.tickfont.size == round(14 * grown)


def test_the_deck_names_the_data_date_not_the_build_date(warehouse: Path) -> None:
    from ui import specs

    info = specs.deck_info(_ctx(warehouse, "18"), "Kualitas data", ("etl_runs", "rejects", "pleno"))
    assert info.data_date == "26 Agu 2024"  # the pleno data's date, not the day the warehouse was built (1 Sep)
