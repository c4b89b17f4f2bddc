"""What the pages show, made from query results: the figures with their titles, hover texts and legends, and
the sentences around them (no Streamlit here: the pages lay these out).

Each helper takes a query result (and the page's `Ctx` for words, scope and period) and returns a figure, a
frame or text; vectorised, so a national scope (tens of thousands of rows) costs milliseconds per rerun.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from etl.spec import BODY_LEVEL
from pantau import charts, coverage, fmt
from pantau.activity import TYPES as ACTIVITY_TYPES
from pantau.i18n import has, label
from ui import figure_cache

if TYPE_CHECKING:
    from ui.widgets import Ctx


@dataclass(frozen=True)
class WeekGrid:
    """Bodies x weeks: score where a pleno was held, where none was held, hover text per cell."""

    score: pd.DataFrame        # NaN where no pleno was held or nothing was reported
    not_held: pd.DataFrame     # True where the week was reported without a pleno
    hover: list[list[str]]
    weeks: list[pd.Timestamp]


def week_grid(weekly: pd.DataFrame, codes: Sequence[str], *, outcome_name: Callable[[str], str],
              score_word: str, not_held_text: str, lang: str, not_reported_text: str | None = None,
              weeks: Sequence[Any] = ()) -> WeekGrid:
    """Rows `codes` (in that order) x every week they reported and every week of `weeks` (the period's, so a week
    nobody reported keeps its column): the weekly pleno rows as grids.

    Hover: the outcome and score of a reported week, `not_held_text` for a reported week without an outcome,
    `not_reported_text` (default `not_held_text`) for a week the body has no row for: not reported, not missed.
    Several rows of one body and week (should not happen) take the mean score, any held, the first outcome.
    """
    rows = list(codes)
    wk = weekly[weekly["region_code"].isin(rows)]
    code_keys = wk["region_code"].to_numpy(dtype=object)
    week_keys = pd.to_datetime(wk["week_start"]).to_numpy()
    held_01 = wk["held"].astype("boolean").astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    scores = pd.to_numeric(wk["score"], errors="coerce").to_numpy(dtype=float)
    outcomes = wk["outcome"].to_numpy(dtype=object)
    cols = pd.DatetimeIndex(np.unique(np.concatenate([week_keys, pd.to_datetime(list(weeks)).to_numpy()])))
    weeks = list(cols)
    r, c = pd.Index(rows).get_indexer(code_keys), cols.get_indexer(week_keys)
    shape = (len(rows), len(cols))
    reported = np.zeros(shape, dtype=bool)
    reported[r, c] = True
    if len(np.unique(r * max(1, len(cols)) + c)) == len(r):  # one row per body and week: place the values
        score_a, held, outcome_a = np.full(shape, np.nan), np.full(shape, np.nan), np.full(shape, None, dtype=object)
        score_a[r, c], held[r, c], outcome_a[r, c] = scores, held_01, outcomes
    else:
        grouped = pd.DataFrame({"score": scores, "held": held_01, "outcome": outcomes}) \
            .groupby([code_keys, week_keys]).agg(score=("score", "mean"), held=("held", "max"),
                                                 outcome=("outcome", "first"))
        score_a = grouped["score"].unstack().reindex(index=rows, columns=cols).to_numpy(dtype=float)
        held = grouped["held"].unstack().reindex(index=rows, columns=cols).to_numpy(dtype=float)
        outcome_a = grouped["outcome"].unstack().reindex(index=rows, columns=cols).to_numpy(dtype=object)
    labels: dict[Any, str] = {}
    numbers: dict[float, str] = {}
    hover: list[list[str]] = []
    missing_text = not_held_text if not_reported_text is None else not_reported_text
    for o_row, s_row, rep_row in zip(outcome_a, score_a, reported, strict=True):
        line = []
        for o, s, rep in zip(o_row, s_row, rep_row, strict=True):
            if isinstance(o, str):
                if o not in labels:
                    labels[o] = outcome_name(o)
                if s not in numbers:
                    numbers[s] = fmt.number(s, 0, lang)
                line.append(f"{labels[o]} · {score_word} {numbers[s]}")
            else:
                line.append(not_held_text if rep else missing_text)
        hover.append(line)
    return WeekGrid(pd.DataFrame(np.where(held == 1, score_a, np.nan), index=rows, columns=cols),
                    pd.DataFrame(held == 0, index=rows, columns=cols), hover, weeks)


# ---------------------------------------------------------------------------------------------------------------
# The words and figures of each page's charts: titles, hover texts, legends (the pages lay them out)
# ---------------------------------------------------------------------------------------------------------------


def fill_legend(ctx: Ctx) -> dict[str, str]:
    """The legend of every fill-rate chart: full, short, over 100 %."""
    return {"full": ctx.t("legend_full"), "short": ctx.t("legend_short"), "over": ctx.t("legend_over")}


def fill_hover(ctx: Ctx, df: pd.DataFrame, name_col: str) -> list[str]:
    """'PKD: 2.651 dari 2.654 kursi terisi (99,9 %)' per row of a fill-rate frame."""
    lang = ctx.lang
    return [ctx.t("hover_fill", name=n, filled=fmt.number(fl, 0, lang), seats=fmt.number(se, 0, lang),
                  rate=fmt.percent(r, 1, lang))
            for n, fl, se, r in zip(df[name_col], df["filled"], df["seats"], df["fill_rate"], strict=True)]


@figure_cache.view
def fill_by_body_chart(ctx: Ctx, by_body: pd.DataFrame, *, name_lowest: bool) -> go.Figure:
    """The fill rate per body (coverage.fill_rate_by_body), as Ringkasan and Cakupan show it: titled with the
    scope (Ringkasan) or, `name_lowest`, with the reported body filled least (Cakupan: coverage.shortfall_body)."""
    lang = ctx.lang
    df = by_body.assign(label=[label("body", b, lang) for b in by_body["body"]])
    df["hover"] = fill_hover(ctx, df, "label")
    unreported = ~df["reported"].fillna(False).astype(bool)
    if unreported.any():  # missing data, not a 0 % bar: no bar, said at the label and in hover
        df.loc[unreported, "hover"] = [ctx.t("hover_not_reported", name=n, seats=fmt.number(se, 0, lang))
                                       for n, se in zip(df.loc[unreported, "label"], df.loc[unreported, "seats"],
                                                        strict=True)]
        df.loc[unreported, "label"] = df.loc[unreported, "label"] + " · " + ctx.t("label_not_reported")
        df["fill_rate"] = df["fill_rate"].where(~unreported)
    title = ctx.t("sum_bodies_title", scope=ctx.scope_name)
    if name_lowest:
        gap_body = coverage.shortfall_body(df)  # a body nobody reported is not "0 % filled"
        if not df["reported"].fillna(False).astype(bool).any():
            title = ctx.t("cov_by_body_none_reported", scope=ctx.scope_name)
        elif gap_body is None:
            title = ctx.t("cov_by_body_all_full", scope=ctx.scope_name)
        else:
            low = df[df["body"] == gap_body].iloc[0]
            title = ctx.t("cov_by_body_lowest", body=low["label"], rate=fmt.percent(low["fill_rate"], 1, lang),
                          scope=ctx.scope_name)
    return charts.rate_bars(df, ctx.frame(title, table="personnel", when=ctx.as_of_text()), label="label",
                            rate="fill_rate", codes="body", hover="hover", names=fill_legend(ctx),
                            axis_from=ctx.t("axis_from"))


@figure_cache.view
def by_body_rows(ctx: Ctx, by_body: pd.DataFrame, counts: pd.DataFrame) -> pd.DataFrame:
    """The figures behind the fill-rate-by-body chart as a table with a total row: body, where its seats are
    (region_counts: '229 kecamatan'), seats, filled, fill rate: the seed's 61 / 687 / 2.654 as text on screen."""
    lang = ctx.lang
    n_of = dict(zip(counts["level"], counts["n"], strict=True))
    rows = by_body[["body", "seats", "filled", "fill_rate"]].copy()
    unreported = ~by_body["reported"].fillna(False).astype(bool)
    rows["filled"] = rows["filled"].astype("Float64").where(~unreported)  # '–': nobody reported, not 0 members
    rows["fill_rate"] = rows["fill_rate"].where(~unreported)
    rows["places"] = [f"{fmt.number(n_of.get(BODY_LEVEL.get(b, ''), 0), 0, lang)} "
                      f"{ctx.t('levels_' + BODY_LEVEL.get(b, 'desa'))}" for b in rows["body"]]
    seats, filled = rows["seats"].sum(), rows["filled"].sum(min_count=1)
    total = {"body": ctx.t("total_row"), "places": "", "seats": seats, "filled": filled,
             "fill_rate": filled / seats if seats and not unreported.any() else np.nan}  # '–' when incomplete
    return pd.concat([rows, pd.DataFrame([total])], ignore_index=True)[["body", "places", "seats", "filled",
                                                                          "fill_rate"]]


def pleno_recent(ctx: Ctx, comp: pd.DataFrame, weekly: pd.DataFrame, weeks: Sequence[Any],
                 n: int = 8) -> pd.DataFrame:
    """The heatmap as a list a phone can read: each reported body (lowest compliance first), its held of reported
    weeks, and its last `n` weeks as marks: ● held, ✕ not held, · not reported."""
    lang = ctx.lang
    order = comp[comp["reported"].astype(bool)].sort_values(["compliance", "region_code"])
    last = [pd.Timestamp(wk) for wk in list(weeks)[-n:]]
    held = {(c, pd.Timestamp(wk)): bool(h) if pd.notna(h) else False
            for c, wk, h in zip(weekly["region_code"], weekly["week_start"], weekly["held"], strict=True)}
    marks = [" ".join("·" if (c, wk) not in held else ("●" if held[(c, wk)] else "✕") for wk in last)
             for c in order["region_code"]]
    return pd.DataFrame({
        "region_name": order["region_name"].to_numpy(),
        "held_of_reported": [f"{fmt.number(h, 0, lang)} / {fmt.number(r, 0, lang)}"
                             for h, r in zip(order["weeks_held"], order["weeks_reported"], strict=True)],
        "compliance": order["compliance"].to_numpy(), "recent": marks})


@dataclass(frozen=True)
class Card:
    """One headline figure as st.metric takes it."""

    name: str
    value: str
    change: str | None
    help: str
    still: bool      # no change: grey and no arrow, not a green "↑ ±0"
    inverse: bool    # up is bad (empty units)


def headline_cards(ctx: Ctx, heads: pd.DataFrame, comparable: bool) -> list[Card]:
    """The rows of summary.headline as cards: name, value, change against the previous period (when
    `comparable`), and the help naming the previous value."""
    lang = ctx.lang
    cards = []
    for row in heads.itertuples(index=False):
        share = str(row.unit) == "share"
        dec = 1 if share or str(row.unit) == "score" else 0
        key = f"metric_{row.metric}"
        name = ctx.t(key) if has(key) else str(row.metric).replace("_", " ")

        def show(v: object, share: bool = share, dec: int = dec) -> str:
            return fmt.percent(v, dec, lang) if share else fmt.number(v, dec, lang)

        change = None
        if comparable and not fmt.is_missing(row.change):
            change = (fmt.signed(float(row.change) * 100, 1, lang, " " + ctx.t("points")) if share
                      else fmt.signed(row.change, dec, lang))
        change = change.replace("−", "-") if change else change  # st.metric reads the direction from "-"
        cards.append(Card(name, show(row.value), change,
                          f"**{ctx.t(key + '_help') if has(key + '_help') else name}**  \n"
                          f"{ctx.t('col_previous')}: {show(row.previous)}",
                          bool(change and change.startswith("±")), row.metric == "units_empty"))
    return cards


def unreported_text(ctx: Ctx, missing: pd.DataFrame) -> str:
    """One sentence naming the bodies nobody reported (summary.unreported), bodies missing in the same regions
    named together."""
    lang = ctx.lang
    groups: dict[tuple[str, ...], list[str]] = {}
    for body, rows in missing.groupby("body", sort=False):
        groups.setdefault(tuple(rows["region_code"]), []).append(str(body))
    items = []
    for codes, bodies in groups.items():
        rows = missing[missing["region_code"].isin(codes) & missing["body"].isin(bodies)]
        places = list(dict.fromkeys(rows["region_name"]))
        where = ctx.join_names(places, limit=3) if len(places) <= 3 else ctx.t("sum_unreported_many", n=len(places))
        items.append(ctx.t("sum_unreported_item", body=ctx.join_names([label("body", b, lang) for b in bodies],
                                                                       limit=len(bodies)),
                           where=where, seats=fmt.number(rows["seats"].sum(), 0, lang)))
    return ctx.t("sum_unreported", items="; ".join(items))


@figure_cache.view
def worst_gaps_chart(ctx: Ctx, every_gap: pd.DataFrame, gaps: pd.DataFrame) -> go.Figure:
    """The largest gaps (`gaps`, the first rows of `every_gap`, with body_label and label), titled with every
    region tied for the largest."""
    lang = ctx.lang
    top = gaps.iloc[0]
    tied = every_gap[every_gap["gap"] == top["gap"]]
    if len(tied) == 1:
        title = ctx.t("sum_gaps_title", name=top["region_name"], gap=fmt.number(top["gap"], 0, lang),
                      body=top["body_label"])
    elif tied["body"].nunique() == 1:  # 'Metro Pusat dan Metro Utara kurang 1 PTPS masing-masing'
        title = ctx.t("sum_gaps_tied", names=ctx.join_names(list(tied["region_name"])),
                      gap=fmt.number(top["gap"], 0, lang), body=top["body_label"])
    else:
        names = [f"{n} ({label('body', b, lang)})" for n, b in zip(tied["region_name"], tied["body"], strict=True)]
        title = ctx.t("sum_gaps_tied_mixed", names=ctx.join_names(names), gap=fmt.number(top["gap"], 0, lang))
    return charts.value_bars(gaps, ctx.frame(title, table="personnel", when=ctx.as_of_text()),
                             label="label", value="gap", codes="region_code", x_title=ctx.t("sum_gap_axis"))


def gap_labels(ctx: Ctx, gaps: pd.DataFrame) -> pd.DataFrame:
    """`gaps` with body_label and label ('Natar · PKD')."""
    out = gaps.assign(body_label=[label("body", b, ctx.lang) for b in gaps["body"]])
    out["label"] = [f"{n} · {b}" for n, b in zip(out["region_name"], out["body_label"], strict=True)]
    return out


@figure_cache.view
def coverage_notes(ctx: Ctx, by_body: pd.DataFrame) -> tuple[list[str], list[str]]:
    """(warnings: bodies with more members than seats, notes: bodies with seats and nobody) over the scope."""
    lang = ctx.lang
    warnings = [ctx.t("cov_mismatch_pkd" if row.body == "pkd" else "cov_mismatch",
                      filled=fmt.number(row.filled, 0, lang), seats=fmt.number(row.seats, 0, lang),
                      body=label("body", row.body, lang), where=ctx.scope_name)
                for row in by_body[by_body["mismatch"].fillna(False).astype(bool)].itertuples(index=False)]
    notes = [ctx.t("cov_no_personnel", body=label("body", row.body, lang), seats=fmt.number(row.seats, 0, lang),
                   scope=ctx.scope_name)
             for row in by_body[by_body["filled"].fillna(0) == 0].itertuples(index=False)]
    return warnings, notes


@figure_cache.view
def children_chart(ctx: Ctx, child: pd.DataFrame, body: str) -> go.Figure:
    """The fill rate of one body per child region (coverage.fill_rate, lowest first), titled with how many
    are full (and how many report more members than seats)."""
    lang, level = ctx.lang, ctx.f.scope.child_level
    df = child.assign(hover=fill_hover(ctx, child, "region_name"))
    n_full, n_over = coverage.full_and_over(df)  # more members than seats is a mismatch, not "full"
    title = ctx.t("cov_children_title_over" if n_over else "cov_children_title", full=fmt.number(n_full, 0, lang),
                  total=fmt.number(len(df), 0, lang), over=fmt.number(n_over, 0, lang),
                  level=ctx.t("levels_" + level), body=label("body", body, lang))
    return charts.rate_bars(df, ctx.frame(title, table="personnel", when=ctx.as_of_text()), label="region_name",
                            rate="fill_rate", codes="region_code", hover="hover", names=fill_legend(ctx),
                            axis_from=ctx.t("axis_from"))


#: Decimals each supervisor ratio is shown with.
RATIO_DECIMALS = {"voters_per_supervisor": 0, "tps_per_pkd": 1, "desa_per_panwascam": 1}


@figure_cache.view
def ratio_distribution_chart(ctx: Ctx, valid: pd.DataFrame, ratio: str) -> go.Figure:
    """The spread of one ratio over the kab/kota (outliers in `{ratio}_outlier`), titled with how many stand
    out; against the province's median in a province, the nation's nationally."""
    lang, national = ctx.lang, ctx.f.scope.level == "nasional"
    name, outlier_col = ctx.t(f"col_{ratio}"), f"{ratio}_outlier"
    n_out = int(valid[outlier_col].fillna(False).astype(bool).sum()) if outlier_col in valid else 0
    title = (ctx.t("ratio_dist_title", ratio=name, n=fmt.number(n_out, 0, lang)) if n_out
             else ctx.t("ratio_dist_none", ratio=name))
    return charts.distribution(
        valid, ctx.frame(title, table="personnel", when=ctx.as_of_text()), value=ratio, label="region_name",
        outlier=outlier_col, median=f"{ratio}_national_median" if national else f"{ratio}_prov_median",
        value_title=name, decimals=RATIO_DECIMALS[ratio], outlier_name=ctx.t("ratio_outlier"),
        median_name=ctx.t("ratio_median") if national else ctx.t("ratio_prov_median"))


@figure_cache.view
def ratio_median_chart(ctx: Ctx, cmp: pd.DataFrame, ratio: str) -> go.Figure:
    """Each kab/kota's ratio against its province's median, titled with how many are above it."""
    lang, name, prov_median = ctx.lang, ctx.t(f"col_{ratio}"), f"{ratio}_prov_median"
    heavier = int((cmp[ratio] > cmp[prov_median]).sum())
    title = ctx.t("ratio_median_title", n=fmt.number(heavier, 0, lang), total=fmt.number(len(cmp), 0, lang))
    return charts.against_median(
        cmp, ctx.frame(title, table="personnel", when=ctx.as_of_text()), label="region_name", value=ratio,
        median=prov_median, value_title=name, decimals=RATIO_DECIMALS[ratio], median_name=ctx.t("ratio_prov_median"),
        value_name=name, max_rows=charts.MEDIAN_ROWS, worse_name=ctx.t("ratio_above_median"),
        better_name=ctx.t("ratio_not_above_median"))


#: Activity types with a line of their own in the trend; the rest are summed as OTHER_TYPES.
TOP_TYPES = 5
OTHER_TYPES = "lainnya"
ONE_MONTH_DAYS = 31  # up to this, activities are counted by type, not drawn over time


@dataclass(frozen=True)
class ActivityTypes:
    """The types the activity charts draw apart (the most frequent first, OTHER_TYPES last), their names and
    colours (a type keeps its colour in every chart, scope and period)."""

    keep: list[str]
    names: dict[str, str]
    colors: dict[str, str]


@figure_cache.view
def activity_trend_chart(ctx: Ctx, trend: pd.DataFrame) -> tuple[go.Figure, ActivityTypes]:
    """Activities over time per type (activity.activity_trend by month; counted by type over a month or less),
    titled with the total and the most frequent type; and the types, for the other activity charts."""
    lang, f = ctx.lang, ctx.f
    totals = trend.groupby("type")["n"].sum().sort_values(ascending=False)
    per_type = totals.rename("n").reset_index()
    per_type["type_label"] = [label("type", ty, lang) for ty in per_type["type"]]
    tied = int((totals == totals.iloc[0]).sum())
    title = ctx.t("act_trend_title", total=fmt.number(totals.sum(), 0, lang),
                  type=ctx.leaders(per_type, "n", "type_label"),
                  n=fmt.number(totals.iloc[0], 0, lang) + (f" {ctx.t('each')}" if tied > 1 else ""))
    # The five most frequent types keep their own line; the rest are summed as "Lainnya" (eleven lines are a tangle).
    keep = list(totals.index[:TOP_TYPES])
    if len(totals) > TOP_TYPES + 1:
        trend = trend.assign(type=trend["type"].where(trend["type"].isin(keep), OTHER_TYPES))
        trend = trend.groupby(["period_start", "type"], as_index=False)[["n", "participants"]].sum()
        keep.append(OTHER_TYPES)
    else:
        keep = list(totals.index)
    names = {ty: label("type", ty, lang) for ty in keep}
    names[OTHER_TYPES] = ctx.t("other_types", n=len(totals) - TOP_TYPES)  # a sum of several: it may top the others
    colors = charts.category_colors(ACTIVITY_TYPES)  # a type keeps its colour in every chart, scope and period
    colors[OTHER_TYPES] = charts.GREY
    if f.period.days <= ONE_MONTH_DAYS:  # by month a line is one point; by week its ends are part-weeks that dip
        fig = charts.value_bars(per_type, ctx.frame(title, table="activities"), label="type_label", value="n",
                                codes="type", colors=colors, x_title=ctx.t("act_count"))
    else:
        # "Semua" starts in 2017: the months before the first activity are no data, not quiet months
        first = trend["period_start"].min() if f.preset == "semua" else f.period.start
        fig = charts.trend_lines(trend, ctx.frame(title, table="activities"), x="period_start", y="n", color="type",
                                 color_names=names, y_title=ctx.t("act_count"), months=(first, f.period.end),
                                 colors=colors)
    return fig, ActivityTypes(keep, names, colors)


@figure_cache.view
def activity_region_chart(ctx: Ctx, by_region: pd.DataFrame, types: ActivityTypes) -> go.Figure:
    """Activities per child region (activity.activity_by_region), stacked by type, busiest first, titled with
    the busiest (every one tied for it)."""
    lang, f = ctx.lang, ctx.f
    by_region = by_region.copy()
    own = by_region["region_code"] == f.scope.code  # held by the scope's own office, not by one of its parts
    by_region.loc[own, "region_name"] = [ctx.t("own_level", name=n, level=ctx.t(f"level_{f.scope.level}"))
                                         for n in by_region.loc[own, "region_name"]]
    per = by_region.groupby(["region_code", "region_name"], as_index=False)["n"].sum()
    per = per.sort_values("n", ascending=False)
    order = list(per["region_name"])
    by_region["type"] = by_region["type"].where(by_region["type"].isin(types.keep), OTHER_TYPES)
    by_region = by_region.groupby(["region_code", "region_name", "type"], as_index=False)["n"].sum()
    by_region["type_label"] = [types.names.get(ty, label("type", ty, lang)) for ty in by_region["type"]]
    by_region["rank"] = by_region["region_name"].map({n: i for i, n in enumerate(order)})
    by_region["type_rank"] = by_region["type"].map({ty: i for i, ty in enumerate(types.keep)})
    by_region = by_region.sort_values(["rank", "type_rank"])
    tied = int((per["n"] == per.iloc[0]["n"]).sum())
    key = ("act_region_title" if tied == 1 else "act_region_all_title" if tied == len(per)
           else "act_region_tie_title")
    title = ctx.t(key, name=ctx.leaders(per, "n", "region_name"), k=tied, n=fmt.number(per.iloc[0]["n"], 0, lang))
    return charts.value_bars(by_region, ctx.frame(title, table="activities"), label="region_name", value="n",
                             color_by="type_label", colors={types.names.get(k, k): c for k, c in types.colors.items()},
                             category_order=order)


@figure_cache.view
def activity_calendar_chart(ctx: Ctx, daily: pd.DataFrame) -> go.Figure:
    """Activities per day of the period (activity.activity_daily), titled with the busiest day(s)."""
    lang = ctx.lang
    busiest = daily.sort_values(["n", "date"], ascending=[False, True]).iloc[0]
    k = int((daily["n"] == busiest["n"]).sum())
    title = ctx.t("act_calendar_title" if k == 1 else "act_calendar_tie_title", k=fmt.number(k, 0, lang),
                  date=fmt.date(busiest["date"], lang), n=fmt.number(busiest["n"], 0, lang))
    return charts.calendar(daily, ctx.frame(title, table="activities"), value_name=ctx.t("act_count").lower(),
                           span=(ctx.f.period.start, ctx.f.period.end))


@figure_cache.view
def sambang_chart(ctx: Ctx, reach: pd.DataFrame, active: set[str]) -> go.Figure:
    """The share of kelurahan/desa a sambang pengawasan reached per child region (activity.sambang_reach, with
    its TOTAL row), highest first; a region with no activity reported at all (not in `active`) says so."""
    total = reach[reach["region_code"] == "TOTAL"]
    per_region = reach[reach["region_code"] != "TOTAL"]
    title = ctx.t("act_sambang_title", rate=fmt.percent(float(total.iloc[0]["reach"]), 1, ctx.lang),
                  scope=ctx.scope_name)
    per_region = per_region.sort_values(["reach", "region_name"], ascending=[False, True])
    # a region with no activity reported at all reads 0% because nothing came in, not because nobody went
    silent = ~per_region["region_code"].isin(active)
    per_region.loc[silent, "region_name"] = [ctx.t("no_reports", name=n) for n in per_region.loc[silent, "region_name"]]
    return charts.value_bars(per_region, ctx.frame(title, table="activities"), label="region_name", value="reach",
                             percent=True, decimals=1)


#: Bodies the pleno heatmap and ranking draw at most (the lowest compliance); below PLENO_LOW a bar is marked.
PLENO_ROWS = 40
PLENO_LOW = 0.75


@figure_cache.view
def pleno_heatmap(ctx: Ctx, comp: pd.DataFrame, weekly: pd.DataFrame, weeks: Sequence[Any]) -> go.Figure:
    """Bodies x weeks (pleno.pleno_weekly; every week of `weeks`, pleno.week_starts, keeps its column), the bodies
    with a reported week lowest compliance first (of pleno.pleno_compliance), PLENO_ROWS at most: score where a
    pleno was held, marked where none was, blank where nobody reported the week."""
    lang = ctx.lang
    order = comp[comp["reported"].astype(bool)].sort_values(["compliance", "region_code"], ascending=[True, True])
    shown_codes = list(order["region_code"])[:PLENO_ROWS]  # more than PLENO_ROWS: the title says so
    names = dict(zip(order["region_code"].head(PLENO_ROWS), order["region_name"].head(PLENO_ROWS), strict=True))
    row_names = [names[c] for c in shown_codes]
    grid = week_grid(weekly, shown_codes, outcome_name=lambda o: label("outcome", o, lang),
                     score_word=ctx.t("col_score"), not_held_text=ctx.t("pleno_not_held"), lang=lang,
                     not_reported_text=ctx.t("pleno_week_not_reported"), weeks=weeks)
    weeks = grid.weeks
    z, not_held = grid.score, grid.not_held
    z.index = row_names
    not_held.index = row_names
    n_held = int(weekly["held"].fillna(False).astype(bool).sum())
    title = ctx.t("pleno_heat_low_title" if len(order) > PLENO_ROWS else "pleno_heat_title", n=PLENO_ROWS,
                  held=fmt.number(n_held, 0, lang), total=fmt.number(len(weekly), 0, lang))
    week_labels = [fmt.date(x, lang) for x in weeks]
    month_ticks: tuple[list[str], list[str]] = ([], [])
    for label_text, wk_start in zip(week_labels, weeks, strict=True):
        if pd.Timestamp(wk_start).day <= 7:  # the first Monday of a month
            month_ticks[0].append(label_text)
            first_or_january = not month_ticks[1] or pd.Timestamp(wk_start).month == 1
            month_ticks[1].append(charts.month_tick(wk_start, lang, first_or_january))
    return charts.heatmap(z, ctx.frame(title, table="pleno"), x_labels=week_labels,
                          x_ticks=month_ticks if len(weeks) > 12 else None,
                          zmin=50, zmax=100, colorbar_title=ctx.t("pleno_score_scale"), hover_text=grid.hover,
                          mark=not_held, mark_name=ctx.t("pleno_not_held"),
                          blank_name=ctx.t("pleno_week_not_reported"))


@figure_cache.view
def pleno_shares_chart(ctx: Ctx, shares: pd.DataFrame) -> go.Figure:
    """The outcomes' shares of the evaluated weeks (pleno.pleno_outcome_shares), titled with the share 'baik'."""
    good = float(shares.loc[shares["outcome"] == "baik", "share"].sum())
    return charts.share_bar(
        shares, ctx.frame(ctx.t("pleno_shares_title", share=fmt.percent(good, 1, ctx.lang)), table="pleno",
                          narrow=True),
        category="outcome", share="share", count="n",
        names={o: label("outcome", o, ctx.lang) for o in shares["outcome"]},
        colors={"baik": charts.BLUE, "cukup": charts.SKY, "kurang": charts.ORANGE, "tidak_pleno": charts.VERMILLION})


@figure_cache.view
def pleno_trend_chart(ctx: Ctx, trend: pd.DataFrame) -> go.Figure:
    """Compliance over time (pleno.pleno_trend, buckets with a reported week), titled with its direction."""
    lang = ctx.lang
    first, last = float(trend["compliance"].iloc[0]), float(trend["compliance"].iloc[-1])
    direction = "pleno_up" if last > first + 0.005 else "pleno_down" if last < first - 0.005 else "pleno_flat"
    title = ctx.t("pleno_trend_title", direction=ctx.t(direction), first=fmt.percent(first, 1, lang),
                  last=fmt.percent(last, 1, lang))
    if len(trend) == 1:  # one point: no direction to claim
        title = ctx.t("pleno_trend_one", rate=fmt.percent(last, 1, lang))
    return charts.trend_lines(trend, ctx.frame(title, table="pleno", narrow=True), x="period_start",
                              y="compliance", percent=True, y_title=ctx.t("col_compliance"), height=420,
                              y_range=(0, 1.05), weekly=ctx.f.period.trend_freq == "W")


@figure_cache.view
def pleno_ranking_chart(ctx: Ctx, ranked: pd.DataFrame) -> go.Figure:
    """The reported bodies by compliance (best first in `ranked`), the lowest PLENO_ROWS when there are more,
    titled with the best and the lowest (every one tied for it)."""
    lang = ctx.lang
    best, worst = ranked.iloc[0], ranked.iloc[-1]
    # every body tied for the lowest, by name
    lowest = ctx.join_names(sorted(ranked.loc[ranked["compliance"] == worst["compliance"], "region_name"]))
    if len(ranked) > PLENO_ROWS:  # the chart holds the lowest only: its title must not name a body it leaves out
        n_low = int((ranked["compliance"] < PLENO_LOW).sum())
        title = ctx.t("pleno_rank_low_title" if n_low else "pleno_rank_none_low", n=fmt.number(n_low, 0, lang),
                      total=fmt.number(len(ranked), 0, lang), limit=fmt.percent(PLENO_LOW, 0, lang),
                      worst=lowest, rate=fmt.percent(worst["compliance"], 1, lang))
    elif len(ranked) == 1:
        title = ctx.t("pleno_rank_one", name=best["region_name"], rate=fmt.percent(best["compliance"], 1, lang))
    elif best["compliance"] == worst["compliance"]:  # all equal: none is the most or the least
        title = ctx.t("pleno_rank_all_equal", n=fmt.number(len(ranked), 0, lang),
                      rate=fmt.percent(best["compliance"], 1, lang))
    else:
        title = ctx.t("pleno_rank_title", best=ctx.leaders(ranked, "compliance", "region_name"),
                      worst=lowest, rate=fmt.percent(worst["compliance"], 1, lang))
    chart_rows = ranked.tail(PLENO_ROWS) if len(ranked) > PLENO_ROWS else ranked
    chart_rows = chart_rows.assign(low=chart_rows["compliance"] < PLENO_LOW)
    return charts.value_bars(chart_rows, ctx.frame(title, table="pleno"), label="region_name", value="compliance",
                             percent=True, decimals=1, highlight="low", codes="region_code", x_range=(0, 1.15))


#: Measures of compare.compare_kabkota that are fractions: shown as percent.
SHARE_MEASURES = ("fill_rate", "sambang_reach", "pleno_compliance")


def measure_name(ctx: Ctx, measure: str) -> str:
    """A measure of compare.compare_kabkota by name ('Keterisian PKD')."""
    for key in (f"measure_{measure}", f"col_{measure}"):
        if has(key):
            return ctx.t(key)
    return measure.replace("_", " ")


def compare_frame(ctx: Ctx, df: pd.DataFrame) -> pd.DataFrame:
    """compare.compare_kabkota's rows as shown: shares in percent, measure_label, relative (value / province
    median), hover, and value_text / prov_median_text in one format per measure (a count without decimals, a
    share or a ratio with one: '100,0', '99,5', '217,0')."""
    lang = ctx.lang
    df = df.copy()
    is_share = df["measure"].str.startswith(SHARE_MEASURES)
    df.loc[is_share, ["value", "prov_median"]] = df.loc[is_share, ["value", "prov_median"]] * 100
    df["measure_label"] = [measure_name(ctx, m) + (" (%)" if s else "")
                           for m, s in zip(df["measure"], is_share, strict=True)]
    df["measure_axis"] = [f"{m} {direction_mark(k)}" for m, k in zip(df["measure_label"], df["measure"], strict=True)]
    df["relative"] = df["value"] / df["prov_median"].replace(0, np.nan)
    whole = df["measure"].eq("activities")
    for col in ("value", "prov_median"):
        df[f"{col}_text"] = [fmt.number(v, 0 if c else 1, lang) for v, c in zip(df[col], whole, strict=True)]
    # more members than seats is a mismatch in the data, never a fill rate above 100 % to be proud of
    df["mismatch"] = df["measure"].str.startswith("fill_rate") & (df["value"] > 100)
    df["bar_text"] = [f"{v} ⚠" if o else v for v, o in zip(df["value_text"], df["mismatch"], strict=True)]
    df["hover"] = [f"{m}: {v}{' ' + ctx.t('cmp_mismatch') if o else ''} · {ctx.t('col_prov_median')} {md}"
                   for m, v, o, md in zip(df["measure_label"], df["value_text"], df["mismatch"], df["prov_median_text"],
                                          strict=True)]
    return df


#: Measures where lower is better (a supervisor with fewer voters, TPS or desa to watch); for fill rates 100 % is
#: the mandate; for the rest higher is better.
LOWER_BETTER = ("voters_per_supervisor", "tps_per_pkd", "desa_per_panwascam")


def direction_mark(measure: str) -> str:
    """▼ lower is better, ● 100 % is the mandate (fill rates), ▲ higher is better: the caption under the chart
    says so in words."""
    if measure in LOWER_BETTER:
        return "▼"
    return "●" if measure.startswith("fill_rate") else "▲"


@figure_cache.view
def compare_chart(ctx: Ctx, rel: pd.DataFrame) -> go.Figure:
    """Each measure of each kab/kota against its province's median (the rows of compare_frame with a
    relative), titled with the one farthest from it."""
    lang = ctx.lang
    far = rel.iloc[(rel["relative"] - 1).abs().argmax()]
    measure = measure_name(ctx, far["measure"])  # inside an Indonesian sentence: 'keterisian PKD', 'TPS per PKD'
    title = ctx.t("cmp_title", name=far["region_name"], measure=fmt.lower_first(measure) if lang == "id" else measure,
                  rel=fmt.percent(far["relative"], 0, lang))
    return charts.relative_bars(rel, ctx.frame(title, when=f"{ctx.period_text} · {ctx.as_of_text()}"),
                                measure="measure_axis", label="region_name", relative="relative", hover="hover",
                                baseline_name=ctx.t("cmp_baseline"), text="bar_text")


@figure_cache.view
def freshness_chart(ctx: Ctx, fresh: pd.DataFrame, when: str) -> go.Figure | None:
    """How old each table's latest data is against the newest (quality.freshness; the run log left out: its
    date is when the ETL ran), oldest first; None when no table has a date."""
    lang = ctx.lang
    dated = fresh[fresh["table"] != "etl_runs"].dropna(subset=["data_date"]) if not fresh.empty else fresh
    if dated.empty:
        return None
    dated = dated.assign(data_date=[fmt.to_date(d) for d in dated["data_date"]])
    newest = max(dated["data_date"])
    dated["age_days"] = [(newest - d).days for d in dated["data_date"]]
    dated = dated.sort_values("age_days", ascending=False)
    dated["table_label"] = [f"{label('table', tb, lang)} · {fmt.date(d, lang)}"
                            for tb, d in zip(dated["table"], dated["data_date"], strict=True)]
    oldest = dated.iloc[0]
    title = ctx.t("q_fresh_title", date=fmt.date(newest, lang), table=label("table", oldest["table"], lang),
                  old=fmt.date(oldest["data_date"], lang))
    return charts.value_bars(dated, ctx.frame(title, when=when, whole=True), label="table_label", value="age_days",
                             x_title=ctx.t("q_days_old"))


@figure_cache.view
def checks_chart(ctx: Ctx, checks: pd.DataFrame, n_rejects: int, when: str) -> go.Figure:
    """The rejected rows by the rule they broke (quality.reject_checks, most first; 25 at most), titled with the
    most frequent, or with how many rules when several share the most."""
    lang = ctx.lang
    checks = checks.rename(columns={"name": "label"})
    top = checks.iloc[0]
    if int((checks["n"] == top["n"]).sum()) > 1:  # several rules share the most: none of them is "the most"
        title = ctx.t("q_problems_spread_title", n=fmt.number(n_rejects, 0, lang), k=fmt.number(len(checks), 0, lang))
    else:
        title = ctx.t("q_problems_title", n=fmt.number(n_rejects, 0, lang), problem=fmt.lower_first(top["label"]),
                      k=fmt.number(top["n"], 0, lang))
    return charts.value_bars(checks.head(25), ctx.frame(title, when=when, whole=True), label="label", value="n")
