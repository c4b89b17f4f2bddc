"""Number and date formats as Indonesian readers expect them (1.234,5 and 20 Feb 2023).

English is available for the language switch (1,234.5 and 20 Feb 2023). No Streamlit here.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

MONTHS_SHORT: dict[str, tuple[str, ...]] = {
    "id": ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}
WEEKDAYS_SHORT: dict[str, tuple[str, ...]] = {
    "id": ("Sen", "Sel", "Rab", "Kam", "Jum", "Sab", "Min"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}
#: Plotly's `separators` (decimal, thousands) per language.
SEPARATORS: dict[str, str] = {"id": ",.", "en": ".,"}


def _lang(lang: str) -> str:
    return lang if lang in MONTHS_SHORT else "id"


def is_missing(x: Any) -> bool:
    """True for None, NaN and pandas NA/NaT."""
    if x is None:
        return True
    try:
        return bool(x != x)  # NaN, NaT comparisons
    except (TypeError, ValueError):  # pd.NA: its comparison is NA, whose truth value raises
        return type(x).__name__ == "NAType"


def number(x: Any, decimals: int = 0, lang: str = "id", missing: str = "–") -> str:
    """1234.5 -> '1.234,5' (id) or '1,234.5' (en); None/NaN -> '–'."""
    if is_missing(x):
        return missing
    value = float(x)
    if math.isinf(value):
        return "∞"
    if round(value, decimals) == 0:
        value = 0.0  # no "-0"
    text = f"{value:,.{decimals}f}"
    if _lang(lang) == "id":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


#: The most decimals ``percent`` adds so that a share short of 100% (or above 0%) never reads as 100% (0%).
HONEST_DECIMALS = 2


def _shares(values: Any) -> list[float]:
    items = values.tolist() if hasattr(values, "tolist") else values
    items = items if isinstance(items, list | tuple) else [items]
    return [float(v) * 100 for v in items if not is_missing(v) and not math.isinf(float(v))]


def _misread(v: float, decimals: int) -> bool:
    """True when ``v`` (a percentage) rounds to 0 or 100 without being it."""
    return round(v, decimals) in (0.0, 100.0) and v not in (0.0, 100.0)


def percent_decimals(values: Any, decimals: int = 0) -> int:
    """The fewest decimals, at least ``decimals`` (at most ``HONEST_DECIMALS``), with which none of ``values``
    (shares) reads as 0% or 100% unless it is exactly that: 0.997 needs one ('99,7%', not '100%'), 0.004
    too ('0,4%', not '0%'). Pass all the values of a chart or a sentence so they share one format."""
    shares = _shares(values)
    while decimals < HONEST_DECIMALS and any(_misread(v, decimals) for v in shares):
        decimals += 1
    return decimals


def percent(x: Any, decimals: int = 0, lang: str = "id", missing: str = "–") -> str:
    """A share (0.995) -> '99,5%' (id) / '99.5%' (en). With more decimals where ``decimals`` would make a share
    short of 100% read '100%' or one above 0% read '0%' (``percent_decimals``); past that, rounded away from
    the 0% or 100% it is not (0.99999 -> '99,99%', 1.00001 -> '100,01%')."""
    if is_missing(x):
        return missing
    value = float(x) * 100
    decimals = percent_decimals(x, decimals)
    if _misread(value, decimals):
        step = 10 ** -decimals
        value = (-step if value < 0 else step) if value < 50 else (100 + step if value > 100 else 100 - step)
    return number(value, decimals, lang) + "%"


def lower_first(text: str) -> str:
    """A label inside a sentence: 'Keterisian PKD' -> 'keterisian PKD', but 'TPS per PKD' stays as written."""
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


def signed(x: Any, decimals: int = 0, lang: str = "id", unit: str = "") -> str:
    """A change with its sign: +12, −3,5 (a real minus sign reads better on a slide)."""
    if is_missing(x):
        return "–"
    value = float(x)
    body = number(abs(value), decimals, lang) + unit
    if round(value, decimals) == 0:
        return "±" + body
    return ("+" if value > 0 else "−") + body


def to_date(d: Any) -> dt.date | None:
    """A date, datetime, Timestamp or ISO string -> datetime.date (None for missing)."""
    if is_missing(d):
        return None
    if isinstance(d, dt.datetime):
        return d.date()
    if isinstance(d, dt.date):
        return d
    if hasattr(d, "date") and callable(d.date):  # pandas Timestamp
        return d.date()
    return dt.date.fromisoformat(str(d)[:10])


def date(d: Any, lang: str = "id", missing: str = "–") -> str:
    """2023-02-20 -> '20 Feb 2023' (both languages; month abbreviations differ: Mei/May, Agu/Aug...)."""
    value = to_date(d)
    if value is None:
        return missing
    return f"{value.day} {MONTHS_SHORT[_lang(lang)][value.month - 1]} {value.year}"


def datetime(d: Any, lang: str = "id") -> str:
    """2024-09-01 08:01 -> '1 Sep 2024 08.01' (id: a dot between hours and minutes) / '1 Sep 2024 08:01'."""
    if is_missing(d):
        return "–"
    import pandas as pd  # local: fmt stays importable without pandas for plain formatting

    ts = pd.Timestamp(d)
    sep = "." if _lang(lang) == "id" else ":"
    return f"{date(ts, lang)} {ts.hour:02d}{sep}{ts.minute:02d}"


def month(d: Any, lang: str = "id") -> str:
    """2024-08-01 -> 'Agu 2024'."""
    value = to_date(d)
    if value is None:
        return "–"
    return f"{month_name(value.month, lang)} {value.year}"


def month_name(number: int, lang: str = "id") -> str:
    """8 -> 'Agu'."""
    return MONTHS_SHORT[_lang(lang)][number - 1]


def date_range(start: Any, end: Any, lang: str = "id") -> str:
    """'1 Jan 2024 – 31 Des 2024' (compact when the year is the same: '1 Jan – 31 Des 2024')."""
    a, b = to_date(start), to_date(end)
    if a is None or b is None:
        return f"{date(a, lang)} – {date(b, lang)}"
    if a == b:
        return date(a, lang)
    if a.year == b.year:
        return f"{a.day} {MONTHS_SHORT[_lang(lang)][a.month - 1]} – {date(b, lang)}"
    return f"{date(a, lang)} – {date(b, lang)}"


def slug(text: str) -> str:
    """'Kab. Lampung Selatan' -> 'kab-lampung-selatan' (for file names)."""
    out = []
    for ch in text.lower():
        if ch.isalnum():
            out.append(ch)
        elif out and out[-1] != "-":
            out.append("-")
    return "".join(out).strip("-")


#: The longest text from a link shown back in a notice.
LITERAL_CHARS = 60


def md_literal(value: Any) -> str:
    """Text from a link or from data, safe inside a Markdown code span (`` `{value}` ``): no backtick to close the
    span early (and so no live link, image or HTML after it), no line break or control character, at most
    LITERAL_CHARS characters."""
    text = "".join(ch if ch.isprintable() else " " for ch in str(value if value is not None else ""))
    text = text.replace("`", "ʹ")
    return text if len(text) <= LITERAL_CHARS else text[:LITERAL_CHARS - 1] + "…"
