"""The global filters: scope (nasional, a provinsi, a kab/kota), period and election.

Everything can be built from the plain strings a URL carries; a bad string raises ValueError
(the pages catch it and fall back to a default with a notice).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from etl import codes as code_shape

LEVELS = ("nasional", "provinsi", "kabkota")
CHILD_LEVEL = {"nasional": "provinsi", "provinsi": "kabkota", "kabkota": "kecamatan"}
_SCOPE_LEVELS = ("provinsi", "kabkota")  # the code levels a scope takes

DEFAULT_ELECTION = "pemilu_2024"
PRESETS = ("bulan_ini", "kuartal_ini", "tahun_ini", "tahun_pemilu_2024", "12_bulan", "semua")
EARLIEST = date(2017, 1, 1)  # etl.spec.EARLIEST_DATE


@dataclass(frozen=True)
class Scope:
    """Where the dashboard looks: the whole nation, one provinsi or one kab/kota."""

    level: str = "nasional"
    code: str | None = None

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ValueError(f"unknown scope level {self.level!r}; expected one of {', '.join(LEVELS)}")
        if self.level == "nasional":
            if self.code not in (None, ""):
                raise ValueError(f"a nasional scope takes no code, got {self.code!r}")
            object.__setattr__(self, "code", None)
            return
        if not isinstance(self.code, str) or not code_shape.is_code(self.code, self.level):
            shape = "18" if self.level == "provinsi" else "18.01"
            raise ValueError(f"invalid {self.level} code {self.code!r}; expected a string like {shape!r}")

    @classmethod
    def parse(cls, text: str | None) -> Scope:
        """'' / None / 'nasional' -> nasional; '18' -> provinsi; '18.01' -> kabkota; else ValueError."""
        s = (text or "").strip()
        if s.lower() in ("", "nasional", "national", "id"):
            return cls()
        for level in _SCOPE_LEVELS:
            if code_shape.is_code(s, level):
                return cls(level, s)
        raise ValueError(f"invalid scope {text!r}; expected 'nasional', a provinsi code like '18' "
                         "or a kab/kota code like '18.01'")

    @property
    def param(self) -> str:
        """The URL form: 'nasional', '18' or '18.01' (Scope.parse(scope.param) == scope)."""
        return self.code or "nasional"

    @property
    def child_level(self) -> str:
        """The level one below the scope: provinsi, kabkota or kecamatan."""
        return CHILD_LEVEL[self.level]

    @property
    def provinsi_code(self) -> str | None:
        return None if self.code is None else self.code[:2]

    @property
    def parent(self) -> Scope:
        """One level up (nasional stays nasional)."""
        if self.level == "kabkota":
            return Scope("provinsi", self.code[:2])  # type: ignore[index]
        return Scope()

#: Longest period whose trends go by week.
WEEKLY_TREND_DAYS = 92


@dataclass(frozen=True)
class Period:
    """A closed date range [start, end]."""

    start: date
    end: date

    def __post_init__(self) -> None:
        for name in ("start", "end"):
            v = getattr(self, name)
            if hasattr(v, "date") and callable(v.date):  # datetime / Timestamp -> date
                object.__setattr__(self, name, v.date())
            elif not isinstance(v, date):
                raise ValueError(f"period {name} must be a date, got {v!r}")
        if self.start > self.end:
            raise ValueError(f"period start {self.start} is after its end {self.end}")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def trend_freq(self) -> str:
        """The bucket of a trend of weekly records (pleno) over this period: weeks up to a quarter ("Bulan ini" by
        months is one point), then months. Daily records would make part-weeks at the ends: not for those."""
        return "W" if self.days <= WEEKLY_TREND_DAYS else "M"

    def previous(self) -> Period:
        """The period of the same length just before this one (whole months stay whole months)."""
        if self.start.day == 1 and (self.end + timedelta(days=1)).day == 1:
            months = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1
            y, m = divmod(self.start.year * 12 + self.start.month - 1 - months, 12)
            return Period(date(y, m + 1, 1), self.start - timedelta(days=1))
        end = self.start - timedelta(days=1)
        return Period(end - timedelta(days=self.days - 1), end)

    @property
    def param(self) -> str:
        """URL form 'YYYY-MM-DD..YYYY-MM-DD'."""
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    @classmethod
    def parse(cls, text: str) -> Period:
        """Parse 'YYYY-MM-DD..YYYY-MM-DD' (also '/' or ',' between); ValueError when invalid."""
        parts = re.split(r"\.\.|/|,", (text or "").strip())
        if len(parts) != 2:
            raise ValueError(f"invalid period {text!r}; expected 'YYYY-MM-DD..YYYY-MM-DD'")
        try:
            start, end = (date.fromisoformat(p.strip()) for p in parts)
        except ValueError as exc:
            raise ValueError(f"invalid period {text!r}: {exc}") from None
        return cls(start, end)


def _quarter_start(d: date) -> date:
    return date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)


def _month_end(y: int, m: int) -> date:
    y2, m2 = (y + 1, 1) if m == 12 else (y, m + 1)
    return date(y2, m2, 1) - timedelta(days=1)


def preset_period(name: str, today: date) -> Period:
    """A named period relative to `today` (see PRESETS); ValueError for an unknown name."""
    if name == "bulan_ini":
        return Period(date(today.year, today.month, 1), today)
    if name == "kuartal_ini":
        return Period(_quarter_start(today), today)
    if name == "tahun_ini":
        return Period(date(today.year, 1, 1), today)
    if name == "tahun_pemilu_2024":
        return Period(date(2024, 1, 1), date(2024, 12, 31))
    if name == "12_bulan":
        y, m = (today.year - 1, today.month + 1) if today.month < 12 else (today.year, 1)
        return Period(date(y, m, 1), _month_end(today.year, today.month))
    if name == "semua":
        return Period(EARLIEST, max(today, EARLIEST))
    raise ValueError(f"unknown period preset {name!r}; expected one of {', '.join(PRESETS)}")


def scope_sql(scope: Scope, prov_col: str = "provinsi_code", kab_col: str = "kabkota_code") -> tuple[str, list]:
    """A SQL condition (with parameters) restricting rows to the scope, on denormalised code columns."""
    if scope.level == "nasional":
        return "TRUE", []
    if scope.level == "provinsi":
        return f"{prov_col} = ?", [scope.code]
    return f"{kab_col} = ?", [scope.code]
