"""`python -m pantau report`: the meeting deck from the warehouse without a browser (for a cron job).

python -m pantau report --scope 18 --period 2024-Q3 --out F.pptx [--pages pleno,rasio] [--lang en] [--pdf]
    [--as NAME]
A bad scope, period or page name gets one sentence naming the value and what is accepted, exit code 2.
On real data the run acts as an account (--as): the deck holds that account's region only, as in the app,
and the audit log records it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
import time
from pathlib import Path

from pantau.access import clamp
from pantau.filters import DEFAULT_ELECTION, PRESETS, Period, Scope, preset_period
from pantau.i18n import LANGS, t
from pantau.warehouse import open_warehouse

PERIOD_FORMS = "2024-Q3, 2024-07, 2024, 2024-07-01..2024-09-30"


def parse_period(text: str, today: dt.date) -> Period:
    """'2024-Q3', '2024-07', '2024', '2024-07-01..2024-09-30' or a sidebar preset -> Period; ValueError else."""
    s = text.strip()
    if s in PRESETS:
        return preset_period(s, today)
    if m := re.fullmatch(r"(\d{4})-Q([1-4])", s, re.I):
        year, q = int(m[1]), int(m[2])
        end = dt.date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1) - dt.timedelta(days=1)
        return Period(dt.date(year, 3 * q - 2, 1), end)
    if m := re.fullmatch(r"(\d{4})-(\d{2})", s):
        year, month = int(m[1]), int(m[2])
        if not 1 <= month <= 12:
            raise ValueError(s)
        end = dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)
        return Period(dt.date(year, month, 1), end)
    if re.fullmatch(r"\d{4}", s):
        return Period(dt.date(int(s), 1, 1), dt.date(int(s), 12, 31))
    return Period.parse(s)


def _args(argv: list[str]) -> argparse.Namespace:
    from ui.specs import PAGES

    p = argparse.ArgumentParser(prog="python -m pantau report", description=__doc__.splitlines()[0])
    p.add_argument("--scope", default="nasional", help="'nasional', a provinsi code (18) or a kab/kota (18.01)")
    p.add_argument("--period", required=True, help=PERIOD_FORMS + ", or a preset: " + ", ".join(PRESETS))
    p.add_argument("--out", required=True, type=Path, help="the .pptx to write")
    p.add_argument("--pages", default=",".join(PAGES), help="comma-separated: " + ", ".join(PAGES))
    p.add_argument("--lang", default="id", help="id or en")
    p.add_argument("--election", default=DEFAULT_ELECTION)
    p.add_argument("--pdf", action="store_true", help="also write the PDF beside the PPTX")
    p.add_argument("--as", dest="user", default=None, help="the account to act as (required on real data)")
    p.add_argument("--warehouse", default=None, help="warehouse root (default PANTAU_WAREHOUSE or data/warehouse)")
    return p.parse_args(argv)


def _bad(name: str, value: str, accepted: str, lang: str) -> int:
    print(t("report_bad", lang, name=name, value=value, accepted=accepted), file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    """Build the deck; 0 when written, 2 for a bad value (one sentence), 1 when there is no Chromium."""
    from pantau import accounts, audit
    from ui import auth
    from ui.data import warehouse_root
    from ui.slides import NoBrowser
    from ui.specs import PAGES, page_deck
    from ui.state import Filters, data_today
    from ui.widgets import Ctx

    a = _args(sys.argv[2:] if argv is None else argv)
    lang = a.lang if a.lang in LANGS else "id"
    if a.lang not in LANGS:
        return _bad("--lang", a.lang, ", ".join(LANGS), lang)
    pages = [p.strip() for p in a.pages.split(",") if p.strip()]
    if not pages or any(p not in PAGES for p in pages):
        return _bad("--pages", a.pages, ", ".join(PAGES), lang)
    wh = open_warehouse(a.warehouse or warehouse_root())
    if a.user is not None:
        rec = accounts.load().get(a.user)
        if not rec or rec.get("disabled"):
            print(t("report_no_account", lang, name=a.user), file=sys.stderr)
            return 2
        auth.act_as(accounts.make_user(a.user, rec["role"], rec["scope"]))
    elif not auth.open_allowed(wh):
        print(t("report_who", lang), file=sys.stderr)
        return 2
    today = data_today(wh)
    regions = wh.regions
    names = dict(zip(regions["code"], regions["name"], strict=True))
    try:
        scope = Scope.parse(a.scope)
        if scope.code is not None and scope.code not in names:
            raise ValueError(a.scope)
    except ValueError:
        return _bad("--scope", a.scope, "nasional, " + t("report_scope_forms", lang), lang)
    try:
        period = parse_period(a.period, today)
    except ValueError:
        return _bad("--period", a.period, PERIOD_FORMS + ", " + ", ".join(PRESETS), lang)
    if a.user is not None:  # the same rule as the app: a scope outside the account's becomes its own
        own, notice = clamp(auth.current_user(wh), scope)
        if notice is not None:
            print(t(notice, lang, asked=scope.param, own=own.param), file=sys.stderr)
        scope = own
    start = time.perf_counter()
    ctx = Ctx(wh, Filters(scope, period, "kustom", a.election, lang, today), names)
    try:
        deck = page_deck(ctx, pages, want_pdf=a.pdf)
    except NoBrowser:
        print(t("slide_no_browser", lang), file=sys.stderr)
        return 1
    a.out.write_bytes(deck.pptx)
    if a.user is not None:
        audit.record(a.user, "cli", scope.param, "report", file=str(a.out))
    if deck.pdf is not None:
        a.out.with_suffix(".pdf").write_bytes(deck.pdf)
    print(t("report_done", lang, n=deck.slides, path=a.out, s=fmt_s(time.perf_counter() - start)))
    return 0


def fmt_s(seconds: float) -> str:
    return f"{seconds:.1f}"
