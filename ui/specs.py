"""Page specs: each page's charts outside Streamlit (figure, title, KPI line, the table behind it), built with the
same query functions and ui.views helpers the page uses, so a deck and the page cannot disagree.

`run` wraps each query function: the pages pass `ui.data.cached`, `python -m pantau report` the bare function.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pantau import activity, fmt, pleno, quality, ratios
from pantau.i18n import label, t
from pantau.ratios import tukey_outliers
from ui import slides, views
from ui.slides import DeckInfo, SlideChart

if TYPE_CHECKING:
    from ui.widgets import Ctx

Run = Callable[[Callable[..., Any]], Callable[..., Any]]
RATIOS = ("voters_per_supervisor", "tps_per_pkd", "desa_per_panwascam")
MIN_SPREAD = 3  # as pages/3_rasio.py: fewer kab/kota have no spread to draw
PLENO_COLS = {"region_name": "text", "weeks_reported": "int", "weeks_held": "int", "compliance": "pct",
              "mean_score": "float1"}


def _bare(fn: Callable[..., Any]) -> Callable[..., Any]:
    return fn


@dataclass(frozen=True)
class PageSpec:
    """A page a deck can be made of: its title key, its charts, its source tables."""

    title_key: str
    build: Callable[[Ctx, Run], list[SlideChart]]
    sources: tuple[str, ...]


def pleno_charts(ctx: Ctx, run: Run = _bare) -> list[SlideChart]:
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


def rasio_charts(ctx: Ctx, run: Run = _bare) -> list[SlideChart]:
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


def kegiatan_charts(ctx: Ctx, run: Run = _bare) -> list[SlideChart]:
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


def kualitas_charts(ctx: Ctx, run: Run = _bare) -> list[SlideChart]:
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


#: Pages a deck can be made of, by the name `--pages` takes.
PAGES: dict[str, PageSpec] = {
    "rasio": PageSpec("page_rasio", rasio_charts, ("personnel", "tps", "regions")),
    "kegiatan": PageSpec("page_kegiatan", kegiatan_charts, ("activities", "regions")),
    "pleno": PageSpec("page_pleno", pleno_charts, ("pleno", "regions")),
    "kualitas": PageSpec("page_kualitas", kualitas_charts, ("etl_runs", "rejects")),
}


def deck_info(ctx: Ctx, title: str, sources: tuple[str, ...], kpis: tuple[str, ...] = ()) -> DeckInfo:
    """The title and trace slides' words for the current filters."""
    dates = [d for d in (ctx.wh.data_date(s) if ctx.wh.has(s) else None for s in sources) if d is not None]
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
               want_pdf: bool = False) -> Deck:
    """A deck of charts under the current filters; NoBrowser (ui.slides) without Chromium."""
    info = deck_info(ctx, title, sources)
    pngs = [slides.image(c.fig, sample=info.sample, lang=info.lang) for c in charts_]
    pptx = slides.deck(info, charts_, pngs)
    pdf = None
    if want_pdf:
        pages = [slides.text_image(title, slides.title_lines(info), info.sample, info.lang), *pngs,
                 slides.text_image(t("slide_trace", info.lang), slides.trace_lines(info), info.sample, info.lang)]
        pdf = slides.pdf(pages)
    return Deck(pptx, pdf, len(charts_) + 2 + (1 if info.kpis else 0))


def page_deck(ctx: Ctx, names: list[str], run: Run = _bare, *, want_pdf: bool = False) -> Deck:
    """The deck of pages `names` (keys of PAGES) in that order."""
    charts_: list[SlideChart] = []
    sources: list[str] = []
    for name in names:
        spec = PAGES[name]
        charts_ += spec.build(ctx, run)
        sources += [s for s in spec.sources if s not in sources]
    title = " · ".join(ctx.t(PAGES[n].title_key) for n in names)
    return build_deck(ctx, charts_, title, tuple(sources), want_pdf=want_pdf)
