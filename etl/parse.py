"""Vectorised parsers of raw source strings: Indonesian dates, numbers, yes/no and vocabularies.

Every parser takes a Series of raw strings and returns ``(parsed, bad)``: the parsed Series
(same index) and a boolean mask of values that were written but could not be understood.
Blank values are never bad: they parse to a missing value and the loader decides whether the
column is required. Work is done once per UNIQUE value and mapped back, so 5 million rows with a
few thousand distinct dates stay fast.

Numbers (Indonesian first):
  ``1.234`` = 1234, ``1.234.567`` = 1234567, ``85,5`` = 85.5, ``1.234,5`` = 1234.5.
  When both ``.`` and ``,`` appear, the last one is the decimal mark (``1,234.5`` = 1234.5).
  A single ``,`` is a decimal mark (``1,234`` = 1.234). A single ``.`` followed by exactly three
  digits after a non-zero whole part is a thousands separator (``1.234`` = 1234); otherwise it is a
  decimal mark (``85.5`` = 85.5, ``0.125`` = 0.125). Several ``,`` are thousands separators.
  A count may carry its unit and say it is approximate: ``45 orang``, ``25 org.``, ``± 30``, ``sekitar 30``
  (45, 25, 30, 30). A number in words (``lima``) is not a number.
Dates are day first: ``20/02/2023``, ``20-02-2023``, ``20.02.2023``, ``2023-02-20``,
  ``20 Februari 2023``, ``20 Feb 2023``, ``Senin, 20 Februari 2023``, ``February 20, 2023``,
  Excel serial days (``44977``) and ISO date-times as written by spreadsheets and databases. Read past: a weekday or
  ``tgl`` before it, an hour after it (``09.00 WIB``, ``pukul 09.00 s.d. selesai``). A range of days is its first
  day: ``12-14 Oktober 2024``, ``12 s.d. 14 Okt 2024``, ``30 September - 2 Oktober 2024``,
  ``12/10/2024 - 14/10/2024``.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable

import numpy as np
import pandas as pd

from etl import spec

_MONTHS = {
    "januari": 1, "jan": 1, "january": 1,
    "februari": 2, "feb": 2, "pebruari": 2, "february": 2, "peb": 2,
    "maret": 3, "mar": 3, "march": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6,
    "juli": 7, "jul": 7, "july": 7,
    "agustus": 8, "agu": 8, "agt": 8, "ags": 8, "aug": 8, "august": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "oct": 10, "october": 10,
    "november": 11, "nov": 11, "nopember": 11, "nop": 11,
    "desember": 12, "des": 12, "dec": 12, "december": 12,
}
_WEEKDAYS = {"senin", "selasa", "rabu", "kamis", "jumat", "jum'at", "sabtu", "minggu", "ahad",
             "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
             "sen", "sel", "rab", "kam", "jum", "sab", "min", "mon", "tue", "wed", "thu", "fri", "sat", "sun"}
_EXCEL_EPOCH = dt.date(1899, 12, 30)
#: Month names and abbreviations (Indonesian and English) -> month number.
MONTHS = _MONTHS

_RE_DMY = re.compile(r"^(\d{1,2})[/\-.](\d{1,2})[/\-.](\d{4}|\d{2})$")
_RE_YMD = re.compile(r"^(\d{4})[/\-.](\d{1,2})[/\-.](\d{1,2})(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_RE_D_MON_Y = re.compile(r"^(\d{1,2})[\s\-/.]*([a-z']+)\.?[\s\-/.,]*(\d{4}|\d{2})$")
_RE_MON_D_Y = re.compile(r"^([a-z']+)\.?\s+(\d{1,2}),?\s+(\d{4})$")
_RE_SERIAL = re.compile(r"^\d{5}(?:[.,]\d+)?$")
#: "until" in a range of days or hours: '12-14', '12 s.d. 14', '12 s/d 14', '12 sampai 14', '12 hingga 14'.
UNTIL = r"(?:-|–|—|s\.?\s?d\.?|s/d|sampai|hingga)"
#: What a clerk writes in a cell that has nothing to say ('-': none, not applicable).
DASHES = ("-", "–", "—")
_RE_WEEKDAY = re.compile(rf"^([a-z']+)(?:\s*{UNTIL}\s*([a-z']+))?\s*,?\s*(?=\d)")
_RE_DATE_WORD = re.compile(r"^(?:tanggal|tgl)\.?\s*:?\s*")
#: An hour after the date ('09.00 WIB', 'pukul 09:00 s.d. selesai') or only 's.d. selesai'.
_HH_MM = r"\d{1,2}[.:]\d{2}"
_ZONE = r"\s*(?:wib|wita|wit)?"
_RE_HOUR = re.compile(rf"(?:\s+|\s*,\s*)(?:(?:pukul|pkl|jam)\.?\s*)?"
                      rf"(?:{_HH_MM}(?:[.:]\d{{2}})?{_ZONE}(?:\s*{UNTIL}\s*(?:{_HH_MM}|selesai){_ZONE})?"
                      rf"|{UNTIL}\s*selesai)$")
#: Several days of one month: '12-14 oktober 2024', '12 dan 13 okt 2024', '12, 13 oktober 2024'.
_RE_DAYS = re.compile(rf"^(\d{{1,2}})\s*(?:{UNTIL}|dan|&|,)\s*\d{{1,2}}\s+([a-z']+\.?\s*\d{{4}})$")
#: Days across two months: '30 september - 2 oktober 2024'.
_RE_MONTHS = re.compile(rf"^(\d{{1,2}})\s+([a-z']+)\.?\s*{UNTIL}\s*\d{{1,2}}\s+([a-z']+)\.?\s+(\d{{4}})$")
#: Two whole dates: '12/10/2024 - 14/10/2024', '12 oktober 2024 s.d. 14 oktober 2024'.
_RE_TWO_DATES = re.compile(rf"^(.+?\d{{4}})\s*{UNTIL}\s*(.+\d{{4}})$")


def is_blank(raw: pd.Series) -> pd.Series:
    """True where a raw value is empty or only spaces (or missing)."""
    s = raw.astype("str").fillna("")
    return s.str.strip().eq("") | raw.isna()


def _map_unique(raw: pd.Series, fn: Callable[[str], object], missing: object) -> tuple[pd.Series, pd.Series]:
    """Apply ``fn`` (returning a value, or the ``_BAD`` sentinel) once per unique value; map back to rows."""
    values = raw.astype("str").fillna("")
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    parsed = [missing if u.strip() == "" else fn(u) for u in uniques]
    bad_u = np.fromiter((v is _BAD for v in parsed), dtype=bool, count=len(parsed))
    clean = np.empty(len(parsed), dtype=object)
    clean[:] = [missing if v is _BAD else v for v in parsed]
    bad = pd.Series(bad_u[codes] if len(codes) else np.zeros(0, bool), index=raw.index)
    out = pd.Series(clean[codes] if len(codes) else np.empty(0, object), index=raw.index, dtype=object)
    return out, bad


class _Bad:
    """Sentinel for a value that could not be parsed."""

    def __repr__(self) -> str:
        return "<bad>"


_BAD = _Bad()
#: What a parser of one value returns for text it cannot read (``value is BAD``).
BAD = _BAD


def _valid_date(y: int, m: int, d: int) -> dt.date | _Bad:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return _BAD


def parse_date_value(text: str) -> dt.date | _Bad:
    """One raw date string -> date, or the bad sentinel. A range of days is its first day; an hour after it and a
    weekday or 'tgl' before it are read past."""
    s = unicodedata.normalize("NFKC", text).strip().lower()
    s = _RE_DATE_WORD.sub("", re.sub(r"\s+", " ", s))
    m = _RE_WEEKDAY.match(s)
    if m and m.group(1) in _WEEKDAYS and (m.group(2) is None or m.group(2) in _WEEKDAYS):
        s = s[m.end():]
    s = _RE_HOUR.sub("", s)
    return _first_day(s)


def _first_day(s: str) -> dt.date | _Bad:
    """The date ``s`` writes, the first day of a range of days."""
    if m := _RE_DAYS.match(s):
        return _one_date(f"{m.group(1)} {m.group(2)}")
    if m := _RE_MONTHS.match(s):
        first, last = _MONTHS.get(m.group(2)), _MONTHS.get(m.group(3))
        if first is None or last is None:
            return _BAD
        year = int(m.group(4)) - (1 if first > last else 0)  # '30 desember - 2 januari 2025' began in 2024
        return _valid_date(year, first, int(m.group(1)))
    if (m := _RE_TWO_DATES.match(s)) and not isinstance(second := _one_date(m.group(2)), _Bad):
        first = _one_date(m.group(1))
        return first if isinstance(first, _Bad) or first <= second else _BAD
    return _one_date(s)


def _year(written: str) -> int:
    """'2024' -> 2024; '24' -> 2024."""
    return int(written) if len(written) == 4 else 2000 + int(written)


def _one_date(s: str) -> dt.date | _Bad:
    """One date, written as the module docstring lists."""
    if m := _RE_DMY.match(s):
        return _valid_date(_year(m.group(3)), int(m.group(2)), int(m.group(1)))
    if m := _RE_YMD.match(s):
        return _valid_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if m := _RE_D_MON_Y.match(s):
        month = _MONTHS.get(m.group(2))
        return _BAD if month is None else _valid_date(_year(m.group(3)), month, int(m.group(1)))
    if m := _RE_MON_D_Y.match(s):
        month = _MONTHS.get(m.group(1))
        return _BAD if month is None else _valid_date(int(m.group(3)), month, int(m.group(2)))
    if _RE_SERIAL.match(s):
        days = int(float(s.replace(",", ".")))
        if 20000 <= days <= 80000:  # 1954 .. 2119: a plausible Excel serial day number
            return _EXCEL_EPOCH + dt.timedelta(days=days)
    return _BAD


def parse_dates(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Raw strings -> ``datetime64[s]`` Series (NaT for blank or bad) and the bad mask."""
    out, bad = _map_unique(raw, parse_date_value, None)
    dates = pd.to_datetime(out.where(out.notna(), None), errors="coerce").astype("datetime64[s]")
    return dates, bad




def _grouped(s: str, sep: str) -> bool:
    return re.fullmatch(r"\d{1,3}(?:" + re.escape(sep) + r"\d{3})+", s) is not None


#: Words a clerk writes after a count ("45 orang", "25 org.") and before an approximate one ("± 30", "sekitar 30"):
#: the number is what they meant. Lower case, without spaces, as the text is compared.
_COUNT_UNITS = ("orang", "org", "jiwa", "peserta", "pemilih")
_ABOUT = ("±", "+/-", "+-", "kuranglebih", "lebihkurang", "kurleb", "sekitar", "kira-kira", "kira2")
_UNIT_RE = re.compile(r"(?<=\d)(?:" + "|".join(_COUNT_UNITS) + r")\.?$")


def parse_number_value(text: str) -> float | _Bad:
    """One raw number string -> float, or the bad sentinel (rules in the module docstring)."""
    s = unicodedata.normalize("NFKC", text).strip().replace("\u00a0", "").replace(" ", "")
    s = s.removesuffix("%")
    low = s.lower()
    if low.startswith(_ABOUT):
        low = low.removeprefix(next(a for a in _ABOUT if low.startswith(a)))
        if low.startswith(("+", "-")):  # "± -3" says nothing a count can hold
            return _BAD
    s = _UNIT_RE.sub("", low)
    m = re.fullmatch(r"([+-]?)(\d[\d.,]*\d|\d)", s)
    if m is None:
        return _BAD
    sign = -1.0 if m.group(1) == "-" else 1.0
    s = m.group(2)
    dots, commas = s.count("."), s.count(",")
    if dots and commas:
        dec = "." if s.rfind(".") > s.rfind(",") else ","
        thousands = "," if dec == "." else "."
        whole, _, frac = s.rpartition(dec)
        if whole.count(dec) or (thousands in whole and not _grouped(whole, thousands)) or thousands in frac:
            return _BAD
        return sign * float(whole.replace(thousands, "") + "." + frac)
    if commas > 1:
        return sign * float(s.replace(",", "")) if _grouped(s, ",") else _BAD
    if commas == 1:
        return sign * float(s.replace(",", "."))
    if dots > 1:
        return sign * float(s.replace(".", "")) if _grouped(s, ".") else _BAD
    if dots == 1:
        whole, frac = s.split(".")
        if len(frac) == 3 and whole != "0" and _grouped(s, "."):
            return sign * float(whole + frac)
        return sign * float(s)
    return sign * float(s)


#: The largest whole number a count column holds exactly (a float64 holds every whole number up to 2**53; the
#: warehouse's int64 up to 2**63 - 1): beyond it a value would load rounded, or as empty.
MAX_WHOLE = 2**53


def parse_numbers(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Raw strings -> float64 Series (NaN for blank or bad) and the bad mask."""
    out, bad = _map_unique(raw, parse_number_value, np.nan)
    return out.astype("float64"), bad


def parse_ints(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Raw strings -> nullable ``Int64`` Series and the bad mask (not a number, or not whole)."""
    values, bad = parse_numbers(raw)
    not_whole = values.notna() & (values != values.round())
    bad = bad | not_whole
    return values.where(~bad).astype("Int64"), bad


_TRUE = {"ya", "y", "yes", "1", "true", "benar", "sudah", "ada", "iya", "v", "✓", "x"}
_FALSE = {"tidak", "t", "tdk", "no", "n", "0", "false", "salah", "belum", "tidak ada", "-"}


def parse_bool_value(text: str) -> bool | _Bad:
    """One raw yes/no string -> bool, or the bad sentinel."""
    s = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text).strip().lower()).rstrip(".")
    if s in ("1.0",):
        return True
    if s in ("0.0",):
        return False
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    return _BAD


def parse_bools(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Raw strings -> nullable ``boolean`` Series and the bad mask."""
    out, bad = _map_unique(raw, parse_bool_value, None)
    return out.astype("boolean"), bad


def choice_key(text: str) -> str:
    """Comparison key of a vocabulary value: lower case, letters and digits only."""
    s = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]", "", s)


def vocabulary(name: str) -> dict[str, list[str]]:
    """A vocabulary of spec by its name (``"BODIES"``, ``"ACTIVITY_TYPES"``...)."""
    return getattr(spec, name)


def vocabulary_lookup(vocab: dict[str, list[str]]) -> dict[str, str]:
    """Key of every canonical value and synonym -> canonical value (first wins)."""
    lookup: dict[str, str] = {}
    for canonical, synonyms in vocab.items():
        for word in (canonical, canonical.replace("_", " "), *synonyms):
            key = choice_key(word)
            if key:
                lookup.setdefault(key, canonical)
    return lookup


def parse_choices(raw: pd.Series, vocab: dict[str, list[str]]) -> tuple[pd.Series, pd.Series]:
    """Raw strings -> canonical vocabulary values (``str``; NA for blank or bad) and the bad mask.

    Matching ignores case, spaces and punctuation (``"Inspeksi-Mendadak"`` = ``inspeksi_mendadak``).
    """
    lookup = vocabulary_lookup(vocab)
    named = vocab is spec.BODIES  # a body may be written with its region: 'Bawaslu Kota Metro'

    def one(text: str) -> str | _Bad:
        key = choice_key(text)
        found = lookup.get(key, _BAD)
        return body_with_region(key, lookup) if found is _BAD and named else found

    out, bad = _map_unique(raw, one, None)
    return out.astype("str"), bad


_BODY_WORDS = ("bawaslu", "panwaslu", "panwascam", "panwas", "sekretariat", "pengawas")


def body_with_region(key: str, lookup: dict[str, str]) -> str | _Bad:
    """The body of a name written with its region ('bawaslukotametro' -> bawaslu_kabkota): the longest body word
    the key starts with, when a region name (3 letters or more) follows it."""
    if not key.startswith(_BODY_WORDS):
        return _BAD
    best = max((k for k in lookup if key.startswith(k) and len(key) - len(k) >= 3 and k.startswith(_BODY_WORDS)),
               key=len, default=None)
    return _BAD if best is None else lookup[best]


def closest_choice(text: str, vocab: dict[str, list[str]]) -> str | None:
    """The canonical value whose key is closest to ``text`` (for a hint in a reason), or None."""
    from rapidfuzz import fuzz, process

    lookup = vocabulary_lookup(vocab)
    found = process.extractOne(choice_key(text), list(lookup), scorer=fuzz.ratio, score_cutoff=70)
    return None if found is None else lookup[found[0]]
