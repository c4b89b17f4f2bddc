"""What every page shows the same way: header and notices, charts, tables with downloads, empty states."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from pantau import audit, charts, coverage, fmt
from pantau.access import OPEN, User
from pantau.i18n import label, t
from pantau.warehouse import Warehouse
from ui import auth, export, figure_cache, present
from ui.data import RegionIndex, cached
from ui.state import Filters, on_a_phone, scope_name

#: Rows a table shows (the downloads hold all).
MAX_ROWS = 250
#: Column kinds for display: how a value is shown in a table.
PCT, INT, FLOAT1, DATE, DATETIME, TEXT, BOOL = "pct", "int", "float1", "date", "datetime", "text", "bool"
NUM = "num"  # a column mixing counts and ratios: whole numbers without decimals ('99', not '99,0'), others one
NUM_TEXT = "num_text"  # numbers the page formatted row by row (one format per measure), aligned as numbers
VOCAB = ("body", "type", "outcome", "issue", "level", "table", "status")
PICKED = "pantau_picked"  # the charts picked for "Unduh slide terpilih", in the order picked
HERE = "pantau_deck_here"  # this run's page as a deck knows it (ui.deck_buttons.page): Picked without key/title


@dataclass
class Ctx:
    """What a page needs: the open warehouse, the filters, region names (and lookups, when prepared)."""

    wh: Warehouse
    f: Filters
    names: Mapping[str, str]
    regions: RegionIndex | None = None
    phone: bool = False  # a phone's browser: words wrapped for ~360 px, lists instead of wide grids
    user: User = OPEN

    @property
    def lang(self) -> str:
        return self.f.lang

    def t(self, key: str, **values: Any) -> str:
        """Translate; {scope} and {scope_in} ("di Lampung" / "secara nasional") are filled in unless given."""
        values.setdefault("scope", self.scope_name)
        values.setdefault("scope_in", self.scope_in)
        return t(key, self.f.lang, **values)

    @property
    def scope_in(self) -> str:
        if self.f.scope.code is None:
            return t("scope_in_nasional", self.f.lang)
        return t("scope_in", self.f.lang, name=self.scope_name)

    @property
    def scope_name(self) -> str:
        return scope_name(self.f.scope, self.names, self.f.lang)

    @property
    def period_text(self) -> str:
        return fmt.date_range(self.f.period.start, self.f.period.end, self.f.lang)

    def name(self, code: str | None) -> str:
        return self.names.get(code, code) if code else t("nasional", self.f.lang)

    def frame(self, title: str, *, table: str | None = None, when: str | None = None,
              narrow: bool = False, whole: bool = False) -> charts.Frame:
        """The words around a chart: finding, scope and period, source and data date (`whole`: a chart of the
        whole warehouse, whatever the scope filter says)."""
        data_date, others = None, {}
        if table == "personnel" and not whole:  # the scope's own date, and the bodies whose recap is older
            data_date, others = self.personnel_dates()
        elif table:
            try:
                data_date = self.wh.data_date(table)
            except Exception:  # no such table in this version
                data_date = None
        data_date = fmt.to_date(data_date) or self.f.today
        subtitle = f"{t('whole_warehouse', self.lang) if whole else self.scope_name} · {when or self.period_text}"
        footer = charts.footer_text(data_date, self.wh.is_sample, self.lang, others)
        wrap = charts.PHONE_WRAP if self.phone else charts.NARROW_WRAP if narrow else charts.TITLE_WRAP
        return charts.Frame(title, subtitle, footer, self.lang, wrap=wrap)

    def personnel_dates(self) -> tuple[dt.date | None, dict[str, dt.date]]:
        """The date of the scope's personnel data (its latest recap on or before the filter's date) and the bodies
        whose latest recap is older, by name: said once, in the chart's footer."""
        df = cached(coverage.personnel_dates)(self.wh, self.f.scope, self.f.as_of)
        if df.empty:
            return None, {}
        dates = [fmt.to_date(d) for d in df["as_of"]]
        latest = max(dates)
        return latest, {label("body", b, self.lang): d for b, d in zip(df["body"], dates, strict=True) if d < latest}

    def leaders(self, df: pd.DataFrame, value: str, name: str) -> str:
        """The names of the rows of a frame sorted best first that share the first row's `value`, joined: a title
        that several share names them all."""
        return self.join_names(list(df.loc[df[value] == df[value].iloc[0], name]))

    def join_names(self, names: Sequence[str], limit: int = 2) -> str:
        """'A', 'A dan B', 'A, B dan C' (up to the limit), 'A, B dan 3 lainnya': the winners of a title that several
        share."""
        names = list(names)
        if len(names) <= limit:
            *first, last = names or [""]
            return f"{', '.join(first)} {t('and', self.lang)} {last}" if first else last
        return f"{', '.join(names[:limit])} {t('and', self.lang)} {t('n_more', self.lang, n=len(names) - limit)}"

    def as_of_text(self) -> str:
        """'Pemilu 2024' for the coverage questions: their date is the data's own, said once in the footer."""
        return label("election", self.f.election, self.lang)


@dataclass(frozen=True)
class Picked:
    """A chart picked for a deck across pages: its page (a key of ui.specs.PAGES), the page's own choice, the
    filters it was seen under, and its key among the page's charts. No data: the deck asks the queries again."""

    page: str
    pick: tuple[str, ...]
    f: Filters
    key: str = ""
    title: str = ""


_CSS = """<style>
.block-container, [data-testid="stMainBlockContainer"] {padding-top: 2.2rem; padding-bottom: 2rem;}
</style>"""


def header(ctx: Ctx, page_key: str) -> None:
    """Page title, what it looks at, and the notices (sample data, fixed-up link parameters)."""
    st.html(_CSS)
    st.session_state.pop(HERE, None)  # until this page says which deck page it is (ui.deck_buttons.page)
    if present.on():
        present.style(ctx.t("present_exit"))
    st.title(ctx.t(page_key))
    st.caption(f"{ctx.scope_name} · {ctx.period_text} · {label('election', ctx.f.election, ctx.lang)}")
    if ctx.wh.is_sample:
        st.warning(ctx.t("sample_notice"), icon=":material/science:")
    for notice in ctx.f.notices:
        st.info(notice, icon=":material/link_off:")


def empty(ctx: Ctx, what: str, hint: bool = True) -> None:
    """A clear empty state instead of a blank chart."""
    st.info(ctx.t("empty", what=what, scope=ctx.scope_name, period=ctx.period_text)
            + (" " + ctx.t("empty_scope_hint") if hint else ""), icon=":material/info:")


def pleno_not_reported(ctx: Ctx, missing: pd.DataFrame, limit: int = 3) -> None:
    """One sentence naming the bodies with no pleno week reported (pleno.not_reported): they are missing data,
    left out of every compliance figure, never a 0 % bar. Nothing when there are none."""
    if missing.empty:
        return
    names = [ctx.t("pleno_body_provinsi", name=n) if b == "bawaslu_provinsi" else ctx.t("pleno_body_kabkota", name=n)
             for n, b in zip(missing["region_name"], missing["body"], strict=True)]
    st.info(ctx.t("pleno_not_reported", names=ctx.join_names(names, limit=limit)), icon=":material/report:")


def chart(fig: go.Figure, name: str, *, key: str | None = None, on_select: str = "ignore",
          selection_mode: str | Sequence[str] = "points", slides: bool = True) -> Any:
    """Show a house-style figure (Streamlit's theme off, so the figure is what a slide gets). On a phone the
    footer goes under the chart as a caption: plotly places it from the plot area's edge, which long axis labels
    push so far right on a 390 px screen that the footer ran off the chart's left edge. In presentation mode the
    figure is enlarged (ui.present); elsewhere, on a page that makes decks, "Tambah ke slide" follows (`slides`)."""
    presenting = present.on()
    kept = figure_cache.token(fig) if on_select == "ignore" and not presenting else None
    if presenting:
        fig = present.figure(fig)
    fig, footer = phone_footer(fig)
    if footer:
        kept = None  # a copy changed for the phone
    height = int(fig.layout.height or 520)
    config = charts.config(name, height)
    if presenting:
        config["displayModeBar"] = False
    if kept:  # a figure built before: its element replayed (ui.figure_cache)
        event = None
        figure_cache.draw(kept, key, config, _fig=fig)
    else:
        event = st.plotly_chart(fig, theme=None, key=key, on_select=on_select, selection_mode=selection_mode,
                               config=config)
    if footer:
        st.caption(footer)
    here = st.session_state.get(HERE)
    if slides and here is not None and not presenting:
        pick_button(Picked(here.page, here.pick, here.f, name, _title_of(fig)))
    return event


def _title_of(fig: go.Figure) -> str:
    """A figure's title as plain text (the house style writes it in <b> lines)."""
    text = str(fig.layout.title.text or "")
    for tag in ("<b>", "</b>"):
        text = text.replace(tag, "")
    return text.replace("<br>", " ")


def pick_button(item: Picked) -> None:
    """'Tambah ke slide' under a chart; once picked, it says so instead."""
    lang = item.f.lang
    if item in st.session_state.get(PICKED, []):
        st.caption(t("slide_added", lang))
        return
    st.button(t("slide_add", lang), key=f"pick_{item.page}_{item.key}", icon=":material/add_to_photos:",
              type="tertiary", on_click=_pick, args=(item,))


def _pick(item: Picked) -> None:
    picked = list(st.session_state.get(PICKED, []))
    if item not in picked:
        picked.append(item)
    st.session_state[PICKED] = picked


def phone_footer(fig: go.Figure) -> tuple[go.Figure, str | None]:
    """On a phone: a copy of the figure without its footer (and its room), and the footer's text, to be shown as a
    caption under the chart; elsewhere the figure itself and None. A copy: the figure may be one ui.figure_cache
    keeps for every session."""
    notes = [a for a in fig.layout.annotations if a.name == "footer"] if on_a_phone() else []
    if not notes:
        return fig, None
    text = str(notes[0].text).replace("<br>", " · ")
    fig = go.Figure(fig)
    fig.layout.annotations = [a.to_plotly_json() for a in fig.layout.annotations if a.name != "footer"]
    fig.layout.margin.b = max(int(fig.layout.margin.b or 0) - (charts.MARGIN["b"] - 40), 40)
    return fig, text


def display_frame(df: pd.DataFrame, columns: Mapping[str, str], lang: str) -> pd.DataFrame:
    """The table as shown and downloaded: chosen columns, vocabulary translated, headers translated."""
    cols = [c for c in columns if c in df.columns]
    out = df[cols].copy()
    for col in cols:
        kind = columns[col]
        if kind in VOCAB:
            out[col] = out[col].map(lambda v, k=kind: label(k, v, lang) if isinstance(v, str) else v)
        elif kind == DATE:
            out[col] = out[col].map(fmt.to_date)
        elif kind == DATETIME:
            out[col] = out[col].map(lambda v: "–" if fmt.is_missing(v) else fmt.datetime(v, lang))
        elif kind == TEXT:
            out[col] = out[col].map(lambda v: "–" if fmt.is_missing(v) else v)
        elif kind == BOOL:  # words, not a checkbox beside the row-selection one
            out[col] = out[col].map(lambda v: "–" if fmt.is_missing(v) else t("yes" if v else "no", lang))
    out.columns = [t(f"col_{c}", lang) for c in cols]
    return out


def _styled(df: pd.DataFrame, kinds: Sequence[str], lang: str) -> Any:
    formatters: dict[str, Any] = {}
    for col, kind in zip(df.columns, kinds, strict=True):
        if kind == PCT:
            formatters[col] = lambda v: fmt.percent(v, 1, lang)
        elif kind == INT:
            formatters[col] = lambda v: fmt.number(v, 0, lang)
        elif kind == FLOAT1:
            formatters[col] = lambda v: fmt.number(v, 1, lang)
        elif kind == NUM:
            formatters[col] = lambda v: fmt.number(v, 0 if float(v).is_integer() else 1, lang)
        elif kind == DATE:
            formatters[col] = lambda v: fmt.date(v, lang)
    return df.style.format(formatters, na_rep="–")


def _rendered(rows: pd.DataFrame, columns: Mapping[str, str], lang: str) -> Any:
    """The rows as a table shows them: display_frame, numbers and dates formatted in `lang` by a Styler (the sort
    keeps the values)."""
    return _styled(display_frame(rows, columns, lang), list(columns.values()), lang)


def table(ctx: Ctx, df: pd.DataFrame, stem: str, columns: Mapping[str, str], *, key: str,
          on_select: bool = False, max_rows: int = MAX_ROWS, height: int | str = "auto",
          files: Mapping[str, str] | None = None) -> list[int]:
    """A table in the house format with CSV/XLSX downloads named after the filters (of the `files` columns when
    given: numbers where the screen shows them as text formatted row by row).

    Shows the first `max_rows` rows (every row is formatted for display: a national table of thousands would
    hold up every rerun, docs/PERFORMANCE.md); the downloads hold every row, and the caption says so.
    Returns the selected row positions when `on_select` (single-row selection), else [].
    """
    lang = ctx.lang
    rows = df.head(max_rows)
    shown = {c: kind for c, kind in columns.items() if c in df.columns}
    if height != "auto" and len(rows) * 35 + 45 < int(height):
        height = "auto"  # a short table needs no scroll box (and no blank rows)
    config = {t(f"col_{c}", lang): st.column_config.TextColumn(alignment="right")
              for c, kind in shown.items() if kind == NUM_TEXT}
    render = functools.partial(_rendered, columns=shown, lang=lang)
    selected: list[int] = []
    if on_select:
        event = st.dataframe(render(rows), hide_index=True, key=key, on_select="rerun", selection_mode="single-row",
                             height=height, placeholder="–", column_config=config)
        selected = list(getattr(getattr(event, "selection", None), "rows", []) or [])
    elif (named := figure_cache.digest((rows, shown, lang))) is not None:  # replayed when shown before
        figure_cache.dataframe(named, key, height, config, _rows=rows, _render=render)
    else:
        st.dataframe(render(rows), hide_index=True, key=key, height=height, placeholder="–", column_config=config)
    downloads(ctx, df, stem, key=key, columns=files or columns, shown=len(rows))
    return selected


def downloads(ctx: Ctx, df: pd.DataFrame, stem: str, *, key: str, columns: Mapping[str, str] | None = None,
              shown: int | None = None) -> None:
    """CSV and XLSX buttons; file names carry the scope and period.

    The files are made when a button is clicked (Streamlit calls the function then), not on every rerun:
    an XLSX of a few thousand rows is slow to write (docs/PERFORMANCE.md). With `columns`, `df` is the query's
    frame and the files hold it as the table shows it (display_frame); `shown` rows are on screen.
    """
    f = ctx.f
    name = ctx.name(f.scope.code)
    lang = ctx.lang
    meta = {
        t("meta_scope", lang): ctx.scope_name, t("meta_period", lang): ctx.period_text,
        t("meta_from", lang): f.period.start.isoformat(), t("meta_to", lang): f.period.end.isoformat(),
        t("meta_election", lang): label("election", f.election, lang),
        t("meta_source", lang): charts.footer_text(f.today, ctx.wh.is_sample, lang),
        t("meta_version", lang): ctx.wh.version,
    }
    # one row as wide as its buttons ("Download XLSX" was cut in a sixth of the page at 1280 px), wrapping if narrow
    row = st.container(horizontal=True, vertical_alignment="center")
    if ctx.user.may_download:
        csv_name = export.file_name(stem, f.scope.code, name, f.period.start, f.period.end, "csv")
        xlsx_name = export.file_name(stem, f.scope.code, name, f.period.start, f.period.end, "xlsx")
        who = downloader(ctx)
        row.download_button(ctx.t("download_csv"), functools.partial(logged, who, csv_name, _csv, df, columns, lang),
                            key=f"{key}_csv", mime="text/csv", file_name=csv_name, on_click="ignore",
                            icon=":material/download:")
        row.download_button(ctx.t("download_xlsx"),
                            functools.partial(logged, who, xlsx_name, _xlsx, df, columns, lang, meta),
                            key=f"{key}_xlsx", file_name=xlsx_name, on_click="ignore", icon=":material/download:",
                            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    else:
        row.caption(ctx.t("no_download_role"))
    n = fmt.number(len(df), 0, lang)
    row.caption(ctx.t("rows_capped", shown=fmt.number(shown, 0, lang), n=n) if shown is not None and shown < len(df)
               else ctx.t("rows_shown", n=n))


def downloader(ctx: Ctx) -> tuple[str, str, str]:
    """Who downloads, for the audit log: the user's name, their address, the scope."""
    return ctx.user.name, auth.address(), ctx.f.scope.param


def logged(who: tuple[str, str, str], file: str, make: Any, *args: Any) -> bytes:
    """A download's bytes, made on click, with an audit line (who, address, scope, file)."""
    data = make(*args)
    audit.record(who[0], who[1], who[2], "download", file)
    return data


def _kinds(df: pd.DataFrame, columns: Mapping[str, str] | None, lang: str) -> dict[str, str]:
    """The kind of each column of display_frame(df, columns, lang), by its translated header."""
    return {t(f"col_{c}", lang): kind for c, kind in (columns or {}).items() if c in df.columns}


def _csv(df: pd.DataFrame, columns: Mapping[str, str] | None, lang: str) -> bytes:
    """The CSV download (made on click)."""
    return export.to_csv(display_frame(df, columns, lang) if columns else df, _kinds(df, columns, lang))


def _xlsx(df: pd.DataFrame, columns: Mapping[str, str] | None, lang: str, meta: Mapping[str, str]) -> bytes:
    """The XLSX download (made on click), stamped with the time it was made."""
    data = display_frame(df, columns, lang) if columns else df
    made = {t("meta_made", lang): dt.datetime.now().strftime("%Y-%m-%d %H:%M")}
    return export.to_xlsx(data, {**meta, **made}, kinds=_kinds(df, columns, lang),
                          meta_headers=(t("meta_sheet", lang), t("meta_value", lang)))
