"""The global filters: parsed from the URL (st.query_params), shown in the sidebar, written back.

The URL is the source of truth: each run parses it (a bad value falls back to a default and
leaves a notice), puts the values into the sidebar widgets, and writes the canonical values
back, so a copied link opens the same view. Page switches drop the query string, so the last
filters are also kept in the session and restored when the URL carries none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import streamlit as st

from etl.spec import ELECTIONS
from pantau import fmt
from pantau.filters import DEFAULT_ELECTION, PRESETS, Period, Scope, preset_period
from pantau.i18n import DEFAULT_LANG, LANGS, label, t
from ui import present
from ui.data import RegionIndex

#: URL parameter names.
P_SCOPE, P_PERIOD, P_ELECTION, P_LANG = "wilayah", "periode", "pemilu", "lang"
GLOBAL_PARAMS = (P_SCOPE, P_PERIOD, P_ELECTION, P_LANG)
CUSTOM = "kustom"
DEFAULT_PRESET = "12_bulan"
_SAVED = "pantau_params"


@dataclass(frozen=True)
class Filters:
    """What every page looks at."""

    scope: Scope
    period: Period
    preset: str          # a name from PRESETS, or CUSTOM
    election: str
    lang: str
    today: dt.date       # the warehouse's latest data date, not the wall clock
    notices: tuple[str, ...] = field(default=(), compare=False)
    elections: tuple[str, ...] = field(default=tuple(ELECTIONS), compare=False)  # what the filter offers

    @property
    def as_of(self) -> dt.date:
        """Personnel counts are taken at the end of the period."""
        return self.period.end

    def params(self) -> dict[str, str]:
        """The canonical URL parameters of these filters."""
        return {
            P_SCOPE: self.scope.param,
            P_PERIOD: self.preset if self.preset != CUSTOM else self.period.param,
            P_ELECTION: self.election,
            P_LANG: self.lang,
        }


def data_today(wh: object) -> dt.date:
    """'Today' for the presets: the latest data date in the warehouse (the wall clock if it has none)."""
    dates = []
    for table in ("activities", "pleno", "personnel"):
        try:
            d = wh.data_date(table)  # type: ignore[attr-defined]
        except Exception:  # a table the version lacks: no date from it
            d = None
        if d is not None:
            dates.append(fmt.to_date(d))
    return max(dates) if dates else dt.date.today()


def parse_lang(raw: str | None) -> str:
    """A URL's `lang` value -> 'id' or 'en'; anything else -> the default (parse_params says so in a notice)."""
    text = (raw or "").strip().lower()
    return text if text in LANGS else DEFAULT_LANG


def parse_params(params: Mapping[str, str], known_codes: set[str] | frozenset[str], today: dt.date,
                 elections: tuple[str, ...] = tuple(ELECTIONS)) -> Filters:
    """URL parameters -> Filters; every invalid value falls back to a default with a notice. `elections` are those
    the warehouse has TPS data for; another one falls back too, saying why."""
    notices: list[str] = []
    raw_lang = (params.get(P_LANG) or "").strip().lower()
    lang = parse_lang(raw_lang)
    if raw_lang and raw_lang not in LANGS:
        notices.append(t("bad_param", lang, name=P_LANG, value=fmt.md_literal(raw_lang), fallback="Bahasa Indonesia"))

    nasional = t("nasional", lang)
    raw_scope = params.get(P_SCOPE)
    try:
        scope = Scope.parse(raw_scope)
        if scope.code is not None and scope.code not in known_codes:
            notices.append(t("bad_param_unknown_region", lang, value=fmt.md_literal(scope.code), fallback=nasional))
            scope = Scope()
    except ValueError:
        notices.append(t("bad_param", lang, name=P_SCOPE, value=fmt.md_literal(raw_scope), fallback=nasional))
        scope = Scope()

    raw_period = (params.get(P_PERIOD) or "").strip()
    preset = DEFAULT_PRESET
    period = preset_period(DEFAULT_PRESET, today)
    if raw_period in PRESETS:
        preset, period = raw_period, preset_period(raw_period, today)
    elif raw_period:
        try:
            period, preset = Period.parse(raw_period), CUSTOM
        except ValueError:
            notices.append(t("bad_param", lang, name=P_PERIOD, value=fmt.md_literal(raw_period),
                             fallback=label("preset", DEFAULT_PRESET, lang)))

    raw_election = params.get(P_ELECTION)
    elections = elections or tuple(ELECTIONS)
    default = DEFAULT_ELECTION if DEFAULT_ELECTION in elections else elections[-1]
    election = default
    if raw_election and raw_election in elections:
        election = raw_election
    elif raw_election in ELECTIONS:
        notices.append(t("election_no_tps", lang, election=label("election", raw_election, lang),
                         fallback=label("election", default, lang)))
    elif raw_election:
        notices.append(t("bad_param", lang, name=P_ELECTION, value=fmt.md_literal(raw_election),
                         fallback=label("election", default, lang)))
    return Filters(scope, period, preset, election, lang, today, tuple(notices), elections)


def scope_name(scope: Scope, names: Mapping[str, str], lang: str = DEFAULT_LANG) -> str:
    """'Nasional', 'Lampung' or 'Kab. Lampung Selatan, Lampung'."""
    if scope.code is None:
        return t("nasional", lang)
    name = names.get(scope.code, scope.code)
    if scope.level == "kabkota":
        return f"{name}, {names.get(scope.code[:2], scope.code[:2])}"
    return name


# ---------------------------------------------------------------------------
# Streamlit glue
# ---------------------------------------------------------------------------


def _current_params() -> dict[str, str]:
    qp = {k: st.query_params.get(k) for k in GLOBAL_PARAMS if st.query_params.get(k) is not None}
    saved = st.session_state.get(_SAVED)
    if not qp and saved:  # a page switch dropped the query string: restore the last filters
        return dict(saved)
    return {k: v for k, v in qp.items() if v is not None}


def current_lang() -> str:
    """This run's language, from the URL or the session's last filters, as read_filters will read it: for what is
    drawn before the filters are (the page names, the message that there is no warehouse)."""
    return parse_lang(_current_params().get(P_LANG))


def write_params(params: Mapping[str, str]) -> None:
    """Write the global filters to the URL (only what changed) and remember them for page switches."""
    for key, value in params.items():
        if st.query_params.get(key) != value:
            st.query_params[key] = value
    st.session_state[_SAVED] = dict(params)


def set_scope(code: str | None) -> None:
    """Change the scope (a drill-down click): the URL first, the widgets follow on the rerun."""
    params = dict(st.session_state.get(_SAVED) or _current_params())
    params[P_SCOPE] = Scope.parse(code).param
    write_params(params)


def _on_widget_change() -> None:
    """A sidebar widget changed: rebuild the URL from the widgets' values."""
    ss = st.session_state
    params = dict(ss.get(_SAVED) or {})
    kab, prov = ss.get("w_kab") or "", ss.get("w_prov") or ""
    if kab and prov and not kab.startswith(prov + "."):
        kab = ""  # the province changed under the kab/kota
    params[P_SCOPE] = kab or prov or "nasional"
    preset = ss.get("w_preset") or DEFAULT_PRESET
    if preset == CUSTOM:
        dates = ss.get("w_dates")
        if isinstance(dates, (tuple, list)) and len(dates) == 2 and all(dates):
            params[P_PERIOD] = Period(dates[0], dates[1]).param
    else:
        params[P_PERIOD] = preset
    params[P_ELECTION] = ss.get("w_election") or DEFAULT_ELECTION
    params[P_LANG] = ss.get("w_lang") or DEFAULT_LANG
    write_params(params)


def _on_dates_change() -> None:
    st.session_state["w_preset"] = CUSTOM
    _on_widget_change()


def read_filters(known_codes: set[str] | frozenset[str], today: dt.date,
                 elections: tuple[str, ...] = tuple(ELECTIONS)) -> Filters:
    """Parse the URL (or the session's last filters) and write the canonical form back."""
    f = parse_params(_current_params(), known_codes, today, elections)
    write_params(f.params())
    return f


def sidebar(f: Filters, regions: RegionIndex, allowed: Scope | None = None) -> None:
    """The sidebar filters, set from `f`; a change rewrites the URL and reruns. Only what `allowed` (the user's
    scope) covers is offered: a provinsi user its province and its kab/kota, a kabkota user its kab/kota."""
    ss = st.session_state
    lang = f.lang
    prov = f.scope.provinsi_code or ""
    kab = f.scope.code if f.scope.level == "kabkota" else ""
    ss["w_lang"], ss["w_prov"], ss["w_kab"] = lang, prov, kab
    ss["w_preset"], ss["w_dates"], ss["w_election"] = f.preset, (f.period.start, f.period.end), f.election

    names = regions.names
    own = allowed or Scope()
    provs = [own.provinsi_code] if own.code else [""] + list(regions.provinces)
    with st.sidebar:
        st.segmented_control(t("language", lang), list(LANGS), key="w_lang", on_change=_on_widget_change,
                             format_func=lambda v: "Bahasa Indonesia" if v == "id" else "English",
                             required=True)
        st.selectbox(t("provinsi", lang), provs, key="w_prov", on_change=_on_widget_change,
                     format_func=lambda c: names.get(c, c) if c else t("all_provinsi", lang))
        if prov:
            kabs = [own.code] if own.level == "kabkota" else [""] + list(regions.kabkota_of.get(prov, ()))
            st.selectbox(t("kabkota", lang), kabs, key="w_kab", on_change=_on_widget_change,
                         format_func=lambda c: names.get(c, c) if c else t("all_kabkota", lang))
        st.selectbox(t("period", lang), [*PRESETS, CUSTOM], key="w_preset", on_change=_on_widget_change,
                     format_func=lambda p: label("preset", p, lang))
        st.date_input(t("period_dates", lang), key="w_dates", on_change=_on_dates_change,
                      min_value=min(dt.date(2017, 1, 1), f.period.start), max_value=max(f.today, f.period.end),
                      format="DD/MM/YYYY")
        st.caption(t("today_is_data_date", lang, date=fmt.date(f.today, lang)))
        st.selectbox(t("election", lang), list(f.elections), key="w_election", on_change=_on_widget_change,
                     format_func=lambda e: label("election", e, lang))
        st.caption(t("copy_link_hint", lang))
        ss["w_present"] = False  # on, the sidebar is hidden (ui.present); off again, it shows off
        st.toggle(t("present_toggle", lang), key="w_present", on_change=present.set_on, args=(True,))


def page_param(name: str) -> str | None:
    """A page's own choice as the URL (or the session, after a page switch) holds it, before its widget is drawn."""
    return _page_param_raw(name)


def _page_param_raw(name: str) -> str | None:
    raw = st.query_params.get(name)
    return raw if raw is not None else st.session_state.get(f"pp_{name}")


def _store_page_param(name: str) -> None:
    value = st.session_state.get(f"w_{name}")
    text = ",".join(value) if isinstance(value, (list, tuple)) else str(value or "")
    st.query_params[name] = text
    st.session_state[f"pp_{name}"] = text


def page_select(label_text: str, name: str, options: list[str], default: str, lang: str,
                format_func: object = str) -> str:
    """A page's own choice (e.g. the body to break down), kept in the URL under `name`."""
    raw = _page_param_raw(name)
    value = raw if raw in options else default
    if raw not in (None, "") and raw not in options:
        st.info(t("bad_param", lang, name=name, value=fmt.md_literal(raw), fallback=format_func(default)),  # type: ignore[operator]
                icon=":material/link_off:")
    st.session_state[f"w_{name}"] = value
    st.query_params[name] = value
    st.session_state[f"pp_{name}"] = value
    st.selectbox(label_text, options, key=f"w_{name}", format_func=format_func, width=420,  # type: ignore[arg-type]
                 on_change=_store_page_param, args=(name,))
    return value


def page_multiselect(label_text: str, name: str, options: list[str], default: list[str], lang: str,
                     format_func: object = str, max_selections: int = 5, known: set[str] | None = None,
                     minimum: int = 0) -> list[str]:
    """A page's own multiple choice (comma-separated in the URL).

    Values outside `options` are dropped: silently when `known` holds them (e.g. a kab/kota of another
    province after the scope changed), else with a notice. Fewer than `minimum` left -> the default.
    """
    raw = _page_param_raw(name)
    if raw is None:
        value = list(default)
    else:
        asked = [v.strip() for v in raw.split(",") if v.strip()]
        value = [v for v in asked if v in options][:max_selections]
        bad = [v for v in asked if v not in options and (known is None or v not in known)]
        if bad:
            st.info(t("cmp_bad_codes", lang, value=", ".join(bad)), icon=":material/link_off:")
        if len(value) < minimum and len(asked) > len(value):
            value = list(default)
    st.session_state[f"w_{name}"] = value
    st.query_params[name] = ",".join(value)
    st.session_state[f"pp_{name}"] = ",".join(value)
    st.multiselect(label_text, options, key=f"w_{name}", format_func=format_func,  # type: ignore[arg-type]
                   max_selections=max_selections, on_change=_store_page_param, args=(name,))
    return value


def on_a_phone() -> bool:
    """True when the browser says it is a phone ("Mobi" in its User-Agent, as Android and iPhone browsers write):
    charts then wrap their words for ~360 px and the pleno calendar becomes a list. Streamlit tells the server no
    window width, and a phone's browser always sends its User-Agent."""
    try:
        agent = st.context.headers.get("User-Agent") or ""
    except Exception:  # no browser behind this run (AppTest, a bare script)
        return False
    return "Mobi" in agent
