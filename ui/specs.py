"""Page specs: each page's charts outside Streamlit (figure, title, KPI line, the table behind it), built with the
same query functions and ui.views helpers the page uses, so a deck and the page cannot disagree.

`run` wraps each query function: the pages pass `ui.data.cached`, `python -m pantau report` the bare function.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pantau import activity, compare, coverage, fmt, pleno, quality, ratios, summary
from pantau.access import clamp
from pantau.filters import EARLIEST
from pantau.i18n import label, t
from pantau.ratios import tukey_outliers
from ui import slides, views
from ui.slides import DeckInfo, SlideChart

if TYPE_CHECKING:
    from ui.widgets import Ctx, Picked

Run = Callable[[Callable[..., Any]], Callable[..., Any]]
Pick = Sequence[str]  # a page's own choice (Cakupan's body, Perbandingan's kab/kota); empty: the page's default
RATIOS = ("voters_per_supervisor", "tps_per_pkd", "desa_per_panwascam")
MIN_SPREAD = 3  # as pages/3_rasio.py: fewer kab/kota have no spread to draw
FACT_TABLES = ("personnel", "activities", "pleno", "tps")  # the tables whose data date a deck names
PLENO_COLS = {"region_name": "text", "weeks_reported": "int", "weeks_held": "int", "compliance": "pct",
              "mean_score": "float1"}


def _bare(fn: Callable[..., Any]) -> Callable[..., Any]:
    return fn


@dataclass(frozen=True)
class PageSpec:
    """A page a deck can be made of: its title key, its charts, its source tables."""

    title_key: str
    build: Callable[..., list[SlideChart]]  # (ctx, run, pick) -> charts
    sources: tuple[str, ...]
    kpis: Callable[..., list[str]] | None = None  # (ctx, run) -> the key numbers of a KPI slide


def pleno_charts(ctx: Ctx, run: Run = _bare, pick: Pick = ()) -> list[SlideChart]:
    """Evaluasi pleno: heatmap, outcome shares, trend, ranking (as pages/5_pleno.py)."""
    f, lang = ctx.f, ctx.lang
    comp = run(pleno.pleno_compliance)(ctx.wh, f.scope, f.period)
    weekly = run(pleno.pleno_weekly)(ctx.wh, f.scope, f.period)
    if weekly.empty or comp.empty:
        return []
    comp = comp.copy()
    own = comp["region_code"].str.len() == 2
    comp.loc[own, "region_name"] = [ctx.t("province_named", name=n) for n in comp.loc[own, "region_name"]]
    ranked = comp[comp["reported"].astype(bool)]
    ranked = ranked.sort_values(["compliance", "mean_score", "region_name"], ascending=[False, False, True])
    held, reported = int(ranked["weeks_held"].sum()), int(ranked["weeks_reported"].sum())
    kpi = ctx.t("kpi_pleno", pct=fmt.percent(held / reported if reported else 0, 1, lang),
                held=fmt.number(held, 0, lang), reported=fmt.number(reported, 0, lang))
    weeks = run(pleno.week_starts)(ctx.wh, f.period)
    out = [SlideChart("pleno_mingguan", ctx.t("page_pleno"), views.pleno_heatmap(ctx, comp, weekly, weeks), kpi,
                      ranked.iloc[::-1], PLENO_COLS)]
    shares = run(pleno.pleno_outcome_shares)(ctx.wh, f.scope, f.period)
    shares = shares[shares["n"].fillna(0) > 0] if not shares.empty else shares
    if not shares.empty:
        top = shares.sort_values("n", ascending=False).iloc[0]
        line = ctx.t("kpi_pleno_shares", n=fmt.number(int(shares["n"].sum()), 0, lang),
                     top=label("outcome", top["outcome"], lang), pct=fmt.percent(top["share"], 1, lang))
        out.append(SlideChart("pleno_hasil", ctx.t("col_outcome"), views.pleno_shares_chart(ctx, shares), line,
                              shares, {"outcome": "text", "n": "int", "share": "pct"}))
    trend = run(pleno.pleno_trend)(ctx.wh, f.scope, f.period, freq=f.period.trend_freq)
    trend = trend.dropna(subset=["compliance"]) if not trend.empty else trend
    if not trend.empty:
        out.append(SlideChart("pleno_tren", ctx.t("col_compliance"), views.pleno_trend_chart(ctx, trend), kpi,
                              trend.assign(period_start=trend["period_start"].map(lambda d: fmt.date(d, lang))),
                              {"period_start": "text", "compliance": "pct", "mean_score": "float1"}))
    if not ranked.empty:
        low = int((ranked["compliance"] < views.PLENO_LOW).sum())
        line = ctx.t("kpi_pleno_rank", low=fmt.number(low, 0, lang), n=fmt.number(len(ranked), 0, lang),
                     limit=fmt.percent(views.PLENO_LOW, 0, lang))
        out.append(SlideChart("pleno_peringkat", ctx.t("pleno_ranking"), views.pleno_ranking_chart(ctx, ranked),
                              line, ranked.iloc[::-1], PLENO_COLS))
    return out


def rasio_charts(ctx: Ctx, run: Run = _bare, pick: Pick = ()) -> list[SlideChart]:
    """Rasio pengawas: per ratio its distribution and its comparison with the province median (as pages/3)."""
    f, lang = ctx.f, ctx.lang
    df = run(ratios.supervisor_ratios)(ctx.wh, f.scope, f.as_of, f.election)
    out: list[SlideChart] = []
    for ratio in RATIOS:
        valid = df.dropna(subset=[ratio]) if not df.empty else df
        if len(valid) < MIN_SPREAD:
            continue
        name = ctx.t(f"col_{ratio}")
        if f.scope.level != "nasional":
            valid = valid.assign(**{f"{ratio}_outlier": tukey_outliers(valid[ratio])})
        top = valid.sort_values(ratio, ascending=False)
        dec = views.RATIO_DECIMALS[ratio]
        kpi = ctx.t("kpi_ratio", name=name, median=fmt.number(valid[ratio].median(), dec, lang),
                    top=top["region_name"].iloc[0], max=fmt.number(top[ratio].iloc[0], dec, lang))
        cols = {"region_name": "text", ratio: "float1", "supervisors": "int"}
        out.append(SlideChart(f"rasio_sebaran_{ratio}", name, views.ratio_distribution_chart(ctx, valid, ratio),
                              kpi, top, cols))
        cmp = valid.dropna(subset=[f"{ratio}_prov_median"])
        if not cmp.empty:
            out.append(SlideChart(f"rasio_median_{ratio}", name, views.ratio_median_chart(ctx, cmp, ratio), kpi,
                                  top, cols))
    return out


def kegiatan_charts(ctx: Ctx, run: Run = _bare, pick: Pick = ()) -> list[SlideChart]:
    """Kegiatan: the monthly trend by type, by region, sambang reach (as pages/4_kegiatan.py)."""
    f, lang = ctx.f, ctx.lang
    trend = run(activity.activity_trend)(ctx.wh, f.scope, f.period, freq="M")
    if trend.empty:
        return []
    total = int(trend["n"].sum())
    kpi = ctx.t("kpi_activities", n=fmt.number(total, 0, lang),
                people=fmt.number(int(trend["participants"].fillna(0).sum()), 0, lang))
    by_type = trend.groupby("type", as_index=False)["n"].sum().sort_values("n", ascending=False)
    by_type["type"] = [label("type", v, lang) for v in by_type["type"]]
    fig, types = views.activity_trend_chart(ctx, trend)
    out = [SlideChart("kegiatan_tren", ctx.t("page_kegiatan"), fig, kpi, by_type, {"type": "text", "n": "int"})]
    by_region = run(activity.activity_by_region)(ctx.wh, f.scope, f.period)
    if not by_region.empty:
        per = by_region.groupby("region_name", as_index=False)["n"].sum().sort_values("n", ascending=False)
        out.append(SlideChart("kegiatan_wilayah", ctx.t("page_kegiatan"),
                              views.activity_region_chart(ctx, by_region, types), kpi, per,
                              {"region_name": "text", "n": "int"}))
    reach = run(activity.sambang_reach)(ctx.wh, f.scope, f.period)
    tot = reach[reach["region_code"] == "TOTAL"] if not reach.empty else reach
    if not tot.empty and float(tot["desa_reached"].fillna(0).sum()) > 0:
        active = set(by_region["region_code"]) if not by_region.empty else set()
        rows = reach.sort_values("reach", ascending=False)
        out.append(SlideChart("sambang_jangkauan", label("type", "sambang_pengawasan", lang),
                              views.sambang_chart(ctx, reach, active), kpi, rows,
                              {"region_name": "text", "desa_reached": "int", "desa_total": "int", "reach": "pct"}))
    return out


def kualitas_charts(ctx: Ctx, run: Run = _bare, pick: Pick = ()) -> list[SlideChart]:
    """Kualitas data: freshness per table and rejected rows by check (as pages/7_kualitas.py)."""
    lang = ctx.lang
    when = ctx.t("data_as_of", date=fmt.date(ctx.f.today, lang))
    fresh = run(quality.freshness)(ctx.wh)
    out: list[SlideChart] = []
    fig = views.freshness_chart(ctx, fresh, when)
    if fig is not None:
        out.append(SlideChart("kesegaran_data", ctx.t("q_freshness"), fig, ctx.t("q_version", version=ctx.wh.version),
                              fresh, {"table": "text", "rows": "int"}))
    rej = run(quality.rejects)(ctx.wh)
    if not rej.empty:
        checks = run(quality.reject_checks)(ctx.wh, lang)
        out.append(SlideChart("baris_ditolak", ctx.t("q_rejects"), views.checks_chart(ctx, checks, len(rej), when),
                              ctx.t("slide_rejected", n=fmt.number(len(rej), 0, lang)), checks,
                              {"name": "text", "n": "int", "tables": "text"}))
    return out


def ringkasan_kpis(ctx: Ctx, run: Run = _bare) -> list[str]:
    """The headline numbers of Ringkasan as lines of editable text: 'Keterisian PKD: 99,9 % (+0,2 poin)'."""
    f = ctx.f
    heads = run(summary.headline)(ctx.wh, f.scope, f.period, f.election)
    if heads.empty:
        return []
    comparable = f.period.previous().end >= EARLIEST
    return [f"{c.name}: {c.value}" + (f" ({c.change})" if c.change else "")
            for c in views.headline_cards(ctx, heads, comparable)]


def ringkasan_charts(ctx: Ctx, run: Run = _bare, pick: Pick = ()) -> list[SlideChart]:
    """Ringkasan: fill rate by body and the largest gaps (as pages/1_ringkasan.py)."""
    f, lang = ctx.f, ctx.lang
    out: list[SlideChart] = []
    by_body = run(coverage.fill_rate_by_body)(ctx.wh, f.scope, f.as_of, f.election, only_seated=True,
                                              only_reported=True)
    body_cols = {"body": "text", "filled": "int", "seats": "int", "fill_rate": "pct"}
    if not by_body.empty:
        rows = by_body.assign(body=[label("body", b, lang) for b in by_body["body"]])
        out.append(SlideChart("ringkasan_keterisian", ctx.t("sum_headline"),
                              views.fill_by_body_chart(ctx, by_body, name_lowest=False), "", rows, body_cols))
    every_gap = run(summary.worst_gaps)(ctx.wh, f.scope, f.as_of, f.election, n=10_000)
    every_gap = every_gap[every_gap["gap"].fillna(0) > 0] if not every_gap.empty else every_gap
    if not every_gap.empty:
        gaps = views.gap_labels(ctx, every_gap.head(5))
        line = ctx.t("slide_gaps_total", n=fmt.number(int(every_gap["gap"].sum()), 0, lang))
        out.append(SlideChart("ringkasan_kekurangan", ctx.t("sum_worst_gaps"),
                              views.worst_gaps_chart(ctx, every_gap, gaps), line,
                              gaps.assign(body=gaps["body_label"]),
                              {"region_name": "text", "body": "text", "seats": "int", "filled": "int", "gap": "int"}))
    return out


def cakupan_charts(ctx: Ctx, run: Run = _bare, pick: Pick = ()) -> list[SlideChart]:
    """Cakupan wilayah: fill rate by body, and by child region for the body picked (default: the one short of
    its mandate, as pages/2_cakupan.py)."""
    f, lang = ctx.f, ctx.lang
    by_body = run(coverage.fill_rate_by_body)(ctx.wh, f.scope, f.as_of, f.election, only_seated=True)
    if by_body.empty:
        return []
    rows = by_body.assign(body=[label("body", b, lang) for b in by_body["body"]])
    out = [SlideChart("cakupan_lembaga", ctx.t("page_cakupan"),
                      views.fill_by_body_chart(ctx, by_body, name_lowest=True), "", rows,
                      {"body": "text", "filled": "int", "seats": "int", "fill_rate": "pct"})]
    bodies = list(by_body["body"])
    default = coverage.shortfall_body(by_body) or ("panwaslu_kecamatan" if "panwaslu_kecamatan" in bodies
                                                   else bodies[0])
    body = pick[0] if pick and pick[0] in bodies else default
    child = run(coverage.fill_rate)(ctx.wh, f.scope, f.as_of, f.election, body=body, only_seated=True,
                                    lowest_first=True)
    if not child.empty:
        n_full = int((child["fill_rate"] >= 1).sum())
        line = ctx.t("slide_children_full", full=fmt.number(n_full, 0, lang), total=fmt.number(len(child), 0, lang),
                     body=label("body", body, lang))
        out.append(SlideChart(f"cakupan_{body}", label("body", body, lang), views.children_chart(ctx, child, body),
                              line, child, {"region_name": "text", "filled": "int", "seats": "int",
                                            "fill_rate": "pct"}))
    return out


def compare_default(ctx: Ctx) -> list[str]:
    """The kab/kota Perbandingan compares when none is picked: the scope's own and two siblings, or the first
    three of the province (of the country, nationally)."""
    f = ctx.f
    kab = sorted(c for c in ctx.names if c.count(".") == 1)
    if f.scope.code:
        kab = [c for c in kab if c.startswith(f.scope.provinsi_code + ".")]
    if f.scope.level == "kabkota":
        return [f.scope.code, *[c for c in kab if c != f.scope.code][:2]]
    return kab[:3]


def perbandingan_charts(ctx: Ctx, run: Run = _bare, pick: Pick = ()) -> list[SlideChart]:
    """Perbandingan: the kab/kota picked (default: compare_default) against their province median."""
    f = ctx.f
    codes = [c for c in pick if c in ctx.names and c.count(".") == 1][:5] or compare_default(ctx)
    if len(codes) < 2:
        return []
    df = run(compare.compare_kabkota)(ctx.wh, list(codes), f.period, f.as_of, f.election)
    if df.empty:
        return []
    rel = views.compare_frame(ctx, df).dropna(subset=["relative"])
    if rel.empty:
        return []
    line = " · ".join(ctx.names.get(c, c) for c in codes)
    return [SlideChart("perbandingan", ctx.t("page_perbandingan"), views.compare_chart(ctx, rel), line, rel,
                       {"region_name": "text", "measure_label": "text", "value_text": "text",
                        "prov_median_text": "text", "relative": "pct"})]


#: Pages a deck can be made of, by the name `--pages` takes.
PAGES: dict[str, PageSpec] = {
    "ringkasan": PageSpec("page_ringkasan", ringkasan_charts, ("personnel", "activities", "pleno", "regions"),
                          ringkasan_kpis),
    "cakupan": PageSpec("page_cakupan", cakupan_charts, ("personnel", "regions")),
    "rasio": PageSpec("page_rasio", rasio_charts, ("personnel", "tps", "regions")),
    "kegiatan": PageSpec("page_kegiatan", kegiatan_charts, ("activities", "regions")),
    "pleno": PageSpec("page_pleno", pleno_charts, ("pleno", "regions")),
    "perbandingan": PageSpec("page_perbandingan", perbandingan_charts,
                             ("personnel", "activities", "pleno", "tps", "regions")),
    "kualitas": PageSpec("page_kualitas", kualitas_charts, ("etl_runs", "rejects")),
}


def deck_info(ctx: Ctx, title: str, sources: tuple[str, ...], kpis: tuple[str, ...] = ()) -> DeckInfo:
    """The title and trace slides' words for the current filters."""
    facts = [s for s in sources if s in FACT_TABLES]  # a build's own tables (etl_runs) carry the build's date
    dates = [d for d in (ctx.wh.data_date(s) if ctx.wh.has(s) else None for s in facts) if d is not None]
    data_date = fmt.date(max(fmt.to_date(d) for d in dates) if dates else ctx.f.today, ctx.lang)
    try:
        rejected = len(quality.rejects(ctx.wh))
    except Exception:  # a version without a rejects table: nothing was rejected on record
        rejected = 0
    return DeckInfo(title, ctx.scope_name, ctx.period_text, label("election", ctx.f.election, ctx.lang), data_date,
                    ctx.wh.is_sample, ctx.lang, kpis, sources, ctx.wh.version, rejected)


@dataclass
class Deck:
    """A built deck: the PPTX, the PDF (when asked) and how many slides."""

    pptx: bytes
    pdf: bytes | None
    slides: int


def build_deck(ctx: Ctx, charts_: list[SlideChart], title: str, sources: tuple[str, ...], *,
               want_pdf: bool = False, kpis: tuple[str, ...] = (), info: DeckInfo | None = None) -> Deck:
    """A deck of charts under the current filters (or `info`'s words); NoBrowser (ui.slides) without Chromium."""
    info = info or deck_info(ctx, title, sources, kpis)
    pngs = [slides.image(c.fig, sample=info.sample, lang=info.lang) for c in charts_]
    pptx = slides.deck(info, charts_, pngs)
    pdf = None
    if want_pdf:
        lines = slides.title_lines(info)
        middle = [slides.text_image(t("slide_kpis", info.lang), list(info.kpis), info.sample, info.lang)] \
            if info.kpis else []
        pages = [slides.text_image(info.page_title, lines, info.sample, info.lang), *middle, *pngs,
                 slides.text_image(t("slide_trace", info.lang), slides.trace_lines(info), info.sample, info.lang)]
        pdf = slides.pdf(pages)
    return Deck(pptx, pdf, len(charts_) + 2 + (1 if info.kpis else 0))


def page_deck(ctx: Ctx, names: list[str], run: Run = _bare, *, want_pdf: bool = False,
              picks: dict[str, Pick] | None = None) -> Deck:
    """The deck of pages `names` (keys of PAGES) in that order; `picks`: a page's own choice by page name."""
    charts_: list[SlideChart] = []
    sources: list[str] = []
    kpis: list[str] = []
    for name in names:
        spec = PAGES[name]
        charts_ += spec.build(ctx, run, (picks or {}).get(name, ()))
        sources += [s for s in spec.sources if s not in sources]
        kpis += spec.kpis(ctx, run) if spec.kpis else []
    title = " · ".join(ctx.t(PAGES[n].title_key) for n in names)
    return build_deck(ctx, charts_, title, tuple(sources), want_pdf=want_pdf, kpis=tuple(kpis))


def picked_charts(ctx: Ctx, items: Sequence[Picked], run: Run = _bare) -> tuple[list[SlideChart], list[Ctx]]:
    """The charts picked across pages and scopes, in the order picked, each built again under the filters it was
    picked with, the scope clamped to the signed-in user's (ctx.user) as every page's is; a chart the data no
    longer draws is left out. Returns the charts and the context each was built under."""
    built: dict[tuple[str, tuple[str, ...], object], list[SlideChart]] = {}
    out: list[SlideChart] = []
    ctxs: list[Ctx] = []
    for item in items:
        scope, _ = clamp(ctx.user, item.f.scope)
        sub = dataclasses.replace(ctx, f=dataclasses.replace(item.f, scope=scope, lang=ctx.lang, notices=()))
        group = (item.page, item.pick, sub.f)
        if group not in built:
            built[group] = PAGES[item.page].build(sub, run, item.pick)
        chart = next((c for c in built[group] if c.key == item.key), None)
        if chart is not None:
            where = f"{sub.scope_name} · {sub.period_text}"
            out.append(dataclasses.replace(chart, kpi=f"{where} · {chart.kpi}" if chart.kpi else where))
            ctxs.append(sub)
    return out, ctxs


def picked_deck(ctx: Ctx, items: Sequence[Picked], run: Run = _bare, *, want_pdf: bool = False) -> Deck:
    """One deck of the charts picked across pages (picked_charts), its title slide naming every scope and period."""
    charts_, ctxs = picked_charts(ctx, items, run)
    sources: list[str] = []
    for item in items:
        sources += [s for s in PAGES[item.page].sources if s not in sources]
    info = deck_info(ctx, ctx.t("slide_picked_title"), tuple(sources))
    scopes = list(dict.fromkeys(c.scope_name for c in ctxs)) or [info.scope]
    periods = list(dict.fromkeys(c.period_text for c in ctxs)) or [info.period]
    elections = list(dict.fromkeys(label("election", c.f.election, ctx.lang) for c in ctxs)) or [info.election]
    info = dataclasses.replace(info, scope=" · ".join(scopes), period=" · ".join(periods),
                               election=" · ".join(elections))
    return build_deck(ctx, charts_, info.page_title, info.sources, want_pdf=want_pdf, info=info)
