"""What a whole file says once: read from its name and its title rows, or given by the user.

Offices write the organiser, the evaluator, the date of a recap or the election once, above the table
("REKAP KEGIATAN PENGAWASAN / BAWASLU KABUPATEN BANGKA TENGAH / TAHUN 2023") or only in the file name
(``personil_lampung_2024-07.csv``). This module reads those, and knows which source column each one
fills when the file has no column for it (``FILLS``). What a user gives (``--set``, ``values`` in
sources.toml) always wins over what is read; what is read from the title rows wins over the file name.
It also says which source table a file name points to (``table_of_path``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from etl import parse, spec
from etl.codes import level_of
from etl.regions import RegionResolver

#: Words in a file or folder name that say which source table it holds (whole words of the name).
TABLE_WORDS: dict[str, str] = {
    **spec.SOURCE_ALIASES,
    "personil": "personnel", "kepegawaian": "personnel", "sdm": "personnel",
    "aktivitas": "activities", "pengawasan": "activities", "sosialisasi": "activities",
    "plenorutin": "pleno",
    "pemilih": "tps",
}
_OFFICE = re.compile(r"\b(sekretariat bawaslu|bawaslu|panwaslu kecamatan|panwaslu kec\.?|panwascam|panwaslu|"
                     r"pengawas pemilu|kpud|kpu)\b[\s.:]*(.+)", re.IGNORECASE)
_SCOPE = re.compile(r"\bse[\s-]+(.+)", re.IGNORECASE)
#: A title line that names regions by their level words ("KECAMATAN GADING REJO KABUPATEN PRINGSEWU"): each word
#: and the level it names, the broadest resolved first.
_LEVEL_WORD = re.compile(r"\b(provinsi|prov\.?|kabupaten|kab\.?|kota|kecamatan|kec\.?|distrik|kelurahan|kel\.?|desa)"
                         r"(?=[\s.:])", re.IGNORECASE)
_LEVEL_OF_WORD = {"prov": "provinsi", "provinsi": "provinsi", "kabupaten": "kabkota", "kab": "kabkota",
                  "kota": "kabkota", "kecamatan": "kecamatan", "kec": "kecamatan", "distrik": "kecamatan",
                  "kelurahan": "desa", "kel": "desa", "desa": "desa"}
_RANK = {"provinsi": 0, "kabkota": 1, "kecamatan": 2, "desa": 3}
#: Words after which the region name in a title has ended.
_STOP = re.compile(r"\s(?:tahun|ta|th|periode|pada|bulan|per|tanggal|tgl|s\.?d\.?|sampai|minggu|pekan|pemilu|"
                   r"pemilihan|pilkada|se|keadaan|kondisi|untuk|tentang|dalam)\b|[,;:()\[\]/|]|\s-\s|\d",
                   re.IGNORECASE)
_YEAR = re.compile(r"\b(?:tahun|ta|th|tahun anggaran)\.?\s*(20\d\d)\b", re.IGNORECASE)
_ANY_YEAR = re.compile(r"\b(20[1-4]\d)\b")
_ELECTION = [  # the general election first: 'PEMILIHAN UMUM TAHUN 2024' is no pilkada
    (re.compile(r"\b(pemilu|pemilihan umum|pemilu serentak)\b\D{0,20}(20\d\d)", re.IGNORECASE), "pemilu"),
    (re.compile(r"\b(pilkada|pemilihan serentak|pemilihan kepala daerah|pemilihan gubernur|pemilihan bupati|"
                r"pemilihan walikota|pemilihan wali kota|pemilihan)\b[^\d]{0,60}?(20\d\d)", re.IGNORECASE), "pilkada"),
]
_MONTH_WORDS = "|".join(sorted(parse.MONTHS, key=len, reverse=True))
_DATE_IN_TEXT = [  # days of one month ('7 - 11 Oktober 2024': the first); a day, never 'minggu ke-2 Oktober'
    re.compile(rf"\b(\d{{1,2}}\s*{parse.UNTIL}\s*\d{{1,2}}\s+(?:{_MONTH_WORDS})\.?\s+20\d\d)\b", re.IGNORECASE),
    re.compile(rf"(?<!ke-)(?<!ke )\b(\d{{1,2}}\s+(?:{_MONTH_WORDS})\.?\s+20\d\d)\b", re.IGNORECASE),
    re.compile(r"\b(\d{1,2}[/.-]\d{1,2}[/.-]20\d\d)\b"),
    re.compile(r"\b(20\d\d[/.-]\d{1,2}[/.-]\d{1,2})\b"),
]
_MONTH_YEAR = re.compile(rf"\b({_MONTH_WORDS})\.?[\s_-]+(20\d\d)\b", re.IGNORECASE)
_YEAR_MONTH = re.compile(r"\b(20\d\d)[-_.]?(0[1-9]|1[0-2])\b")
_NAME_SPLIT = re.compile(r"[_\-\s.]+")


#: The origin of a personnel list's count: one person a row (etl.layout fills it as 1; etl.unit_lists sums them).
PER_PERSON = "satu baris per orang"


@dataclass(frozen=True)
class Found:
    """One value a whole file shares, and where it was read."""

    value: str          # as the column takes it: a region code, an ISO date, an election key
    origin: str         # "judul" (title rows), "nama file" (file name) or "diberikan" (given by the user)
    text: str           # what was read or given, as written
    label: str = ""     # a readable form of the value ("Bawaslu Kabupaten Bangka Tengah (19.04)")
    whole: bool = True  # a date written whole (not a month standing for its first day)


@dataclass
class FileValues:
    """What a file says once: its office, scope, date, year and election, each with where it came from."""

    office: Found | None = None      # the body that wrote it (organiser, evaluator)
    scope: Found | None = None       # the region the table covers ("se-Sulawesi Tenggara"), else the office's
    date: Found | None = None        # the date of the data (an as-of date)
    year: Found | None = None
    election: Found | None = None
    body: Found | None = None        # the body whose people a list names ("DAFTAR NAMA PENGAWAS TPS (PTPS)")

    def merged(self, other: FileValues) -> FileValues:
        """These values, with ``other``'s where these have none."""
        return FileValues(**{k: getattr(self, k) or getattr(other, k) for k in self.__dataclass_fields__})


@dataclass
class Filled:
    """A source column a file lacks, filled with one value for every row."""

    column: str
    value: str
    origin: str
    text: str
    label: str = ""
    blanks: bool = False  # the source has the column: the value fills its empty cells (and '-') only

    def describe(self) -> str:
        """'penyelenggara diambil dari judul: Bawaslu Kabupaten Bangka Tengah (19.04)'."""
        shown = self.label or self.value
        if self.origin == PER_PERSON:
            return f"{self.column} = {shown}: {PER_PERSON} (kolom {self.text}; one person a row)"
        where = {"judul": "dari judul", "nama file": "dari nama file", "diberikan": "diberikan"}[self.origin]
        if self.blanks and self.origin != "diberikan":
            return f"{self.column} diambil {where} untuk sel yang kosong: {shown} (for the empty cells)"
        return f"{self.column} diambil {where}: {shown}" if self.origin != "diberikan" else \
            f"{self.column} = {shown} (diberikan)"

    def record(self) -> dict[str, str]:
        """As kept in etl_runs.inputs."""
        return {"column": self.column, "value": self.value, "origin": self.origin, "text": self.text,
                "label": self.label}


# ---------------------------------------------------------------------------
# Which table a name points to
# ---------------------------------------------------------------------------


def table_of_name(name: str) -> str | None:
    """The source table the words of one file or folder name point to ('personil_lampung_2024-07.csv' ->
    personnel; 'rekap_pleno_sultra.xlsx' -> pleno): the first word that names a table, or None."""
    stem = Path(name).stem if Path(name).suffix.lower() in {".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls",
                                                              ".ods", ".toml"} else name
    low = stem.lower()
    for alias in sorted((a for a in TABLE_WORDS if "_" in a), key=len, reverse=True):
        if re.match(rf"{re.escape(alias)}(?:$|[_\-\s.0-9])", low):
            return TABLE_WORDS[alias]
    for word in _NAME_SPLIT.split(low):
        word = word.rstrip("0123456789")
        if word in TABLE_WORDS:
            return TABLE_WORDS[word]
    return None


def table_of_path(path: Path | str, folders: Iterable[str] = ()) -> str | None:
    """The table a file's own name points to, else its folders' (closest first): one rule for check and build."""
    if table := table_of_name(Path(path).name):
        return table
    for part in folders:
        if table := table_of_name(part):
            return table
    return None


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------


def _region(resolver: RegionResolver, text: str, levels: tuple[str, ...] = ("provinsi", "kabkota", "kecamatan"),
            within: str | None = None) -> str | None:
    """The region a short text names, trying its longest leading run of words first: at whatever level its own
    words say ('Kota Gorontalo' is the city, 'Gorontalo' the province), then at each of ``levels``."""
    words = text.split()
    for n in range(min(len(words), 8), 0, -1):
        part = " ".join(words[:n])
        code = resolver.lookup(part, within=within)
        if code and level_of(code) in levels:
            return code
        for level in levels:
            if code := resolver.lookup(part, level=level, within=within):
                return code
    return None


def _region_text(rest: str) -> str:
    m = _STOP.search(" " + rest)
    return (rest[: m.start() - 1] if m and m.start() > 0 else rest).strip(" .-")


def _office_label(body_word: str, code: str, resolver: RegionResolver) -> str:
    """'Bawaslu Provinsi Sulawesi Tenggara (74)', 'Bawaslu Kabupaten Bangka Tengah (19.04)'."""
    body = "KPU" if body_word.lower().startswith("kpu") else body_word.title()
    kind = "Provinsi " if level_of(code) == "provinsi" else ""
    return f"{body} {kind}{resolver.name(code)} ({code})"


def _date_in(text: str, *, month_ok: bool) -> tuple[str, str, bool] | None:
    """(ISO date, the text read, written whole) of the first date in ``text``; a month and year alone mean its first
    day."""
    for rx in _DATE_IN_TEXT:
        if m := rx.search(text):
            value = parse.parse_date_value(m.group(1))
            if isinstance(value, dt.date):
                return value.isoformat(), m.group(1), True
    if month_ok:
        if m := _MONTH_YEAR.search(text):
            return dt.date(int(m.group(2)), parse.MONTHS[m.group(1).lower()], 1).isoformat(), m.group(0), False
        if m := _YEAR_MONTH.search(text):
            return dt.date(int(m.group(1)), int(m.group(2)), 1).isoformat(), m.group(0), False
    return None


def _election(text: str) -> tuple[str, str] | None:
    for rx, kind in _ELECTION:
        if m := rx.search(text):
            key = f"{kind}_{m.group(2)}"
            if key in spec.ELECTIONS:
                return key, m.group(0)
    return None


def read_titles(lines: Iterable[str], resolver: RegionResolver) -> FileValues:
    """The values the title rows above a table say (each line is one row's cells joined)."""
    out = FileValues()
    for raw in lines:
        line = " ".join(str(raw).split())
        if not line:
            continue
        if out.office is None and (m := _OFFICE.search(line)):
            body, rest = m.group(1), _region_text(m.group(2))
            if rest and (code := _region(resolver, rest) or _office_region(body, rest, resolver)):
                out.office = Found(code, "judul", line, _office_label(body, code, resolver))
        if out.scope is None and (m := _SCOPE.search(line)):
            rest = _region_text(m.group(1))
            if rest and (code := _region(resolver, rest, ("provinsi", "kabkota"))):
                out.scope = Found(code, "judul", line, f"{resolver.name(code)} ({code})")
        if out.scope is None and out.office is None and (code := _regions_named(line, resolver)):
            out.scope = Found(code, "judul", line, f"{resolver.name(code)} ({code})")
        if out.body is None and (b := _body(line)):
            out.body = Found(b[0], "judul", line, f"{b[1]} → {b[0]}")
        if out.election is None and (e := _election(line)):
            out.election = Found(e[0], "judul", line, f"{e[1]} → {e[0]}")
        if out.date is None and (d := _date_in(line, month_ok=True)):
            out.date = Found(d[0], "judul", line, f"{d[1]} → {d[0]}", d[2])
        if out.year is None and (m := _YEAR.search(line)):
            out.year = Found(m.group(1), "judul", line, m.group(1))
    if out.year is None and out.date is not None:
        out.year = Found(out.date.value[:4], out.date.origin, out.date.text, out.date.value[:4])
    return out


#: A body named in a title by words that say nothing else (not 'provinsi' or 'kecamatan' alone), longest first.
_BODY_WORDS = sorted(((w, b) for b, words in spec.BODIES.items() for w in words
                      if " " in w or w in ("ptps", "pkd", "panwascam")), key=lambda wb: -len(wb[0]))
_RE_BODY = re.compile(r"\b(" + "|".join(re.escape(w) for w, _ in _BODY_WORDS) + r")\b", re.IGNORECASE)


def _body(line: str) -> tuple[str, str] | None:
    """(body, the words read) of the first body a title line names ('DAFTAR NAMA PENGAWAS TPS' -> ptps)."""
    if m := _RE_BODY.search(line):
        word = m.group(1).lower()
        return next(b for w, b in _BODY_WORDS if w == word), m.group(1)
    return None


def _office_region(body: str, rest: str, resolver: RegionResolver) -> str | None:
    """The region of an office whose name goes on with its parents' ('Panwaslu Kecamatan Pagelaran Kabupaten
    Pringsewu': a kecamatan name several kabupaten have, told apart by the next words)."""
    if not body.lower().startswith(("panwaslu kec", "panwascam")):
        return _regions_named(rest, resolver)
    code = _regions_named(f"kecamatan {rest}", resolver)
    return code if code and level_of(code) == "kecamatan" else None


def _regions_named(line: str, resolver: RegionResolver) -> str | None:
    """The deepest region a title line starting with a level word names, each part looked up inside the broader
    ones ('KECAMATAN GADING REJO KABUPATEN PRINGSEWU' -> 18.10.02; 'KABUPATEN PRINGSEWU' -> 18.10), or None."""
    marks = list(_LEVEL_WORD.finditer(line))
    if not marks or marks[0].start() != 0:
        return None
    parts = []
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(line)
        name = _region_text(line[m.end():end])
        if name:
            kind = m.group(1).lower().rstrip(".")
            level = _LEVEL_OF_WORD[kind]
            parts.append((_RANK[level], f"{'kota ' if kind == 'kota' else ''}{name}", level))
    found = None
    for _, name, level in sorted(parts, key=lambda p: p[0]):
        code = resolver.lookup(name, level=level, within=found)
        if code is None:
            break
        found = code
    return found


def read_name(path: Path | str, resolver: RegionResolver) -> FileValues:
    """The values a file name says: a region (the office's), a date or month, a year, an election."""
    stem = Path(path).stem
    words = [w for w in _NAME_SPLIT.split(stem) if w]
    spaced = " ".join(words)
    out = FileValues()
    if (d := _date_in(spaced, month_ok=True)) or (d := _date_in(stem.replace("_", " "), month_ok=True)):
        out.date = Found(d[0], "nama file", Path(path).name, f"{d[1]} → {d[0]}", d[2])
    if e := _election(spaced):
        out.election = Found(e[0], "nama file", Path(path).name, f"{e[1]} → {e[0]}")
    if m := _ANY_YEAR.search(spaced):
        out.year = Found(m.group(1), "nama file", Path(path).name, m.group(1))
    skip = set(TABLE_WORDS) | {"rekap", "rekapitulasi", "data", "laporan", "daftar", "evaluasi", "bawaslu",
                               "panwaslu", "kpu", "revisi", "final", "baru", "fix", "copy", "salinan", "per", "bulan",
                               "tahun", "se", "mingguan", "rutin", "kantor", "kab", "kabupaten", "kota", "prov",
                               "provinsi"}
    skip |= {w for w in parse.MONTHS}
    region_words = [w for w in words if w.lower() not in skip and not any(ch.isdigit() for ch in w)]
    # the first run of region words, tried with the words before it that say its kind ("kab", "kota")
    for start in range(len(region_words)):
        code = _region(resolver, " ".join(region_words[start:]), ("provinsi", "kabkota"))
        if code:
            out.office = Found(code, "nama file", Path(path).name, f"{resolver.name(code)} ({code})")
            break
    return out


# ---------------------------------------------------------------------------
# Which column each value fills
# ---------------------------------------------------------------------------


#: Table -> source column -> the value a file says once that fills it when the file has no such column: the office
#: organises activities and evaluates pleno; a recap's date is personnel's as-of date; the election is TPS's; a
#: pleno sheet of one week (a whole date in its title) gives that week.
FILLED_BY_FILE: dict[str, dict[str, str]] = {
    "activities": {"penyelenggara": "office"},
    "pleno": {"penilai": "office", "minggu": "date"},
    "personnel": {"tanggal": "date", "lembaga": "body"},
    "tps": {"pemilu": "election"},
}


def fills(table: str, values: FileValues) -> dict[str, Found]:
    """Source column -> the file-wide value that fills it when the file has no such column (FILLED_BY_FILE)."""
    out: dict[str, Found] = {}
    for column, kind in FILLED_BY_FILE.get(table, {}).items():
        found = getattr(values, kind)
        if found is None or (column == "minggu" and not (found.origin == "judul" and found.whole)):
            continue  # a week only from a whole date in the title, never a month or a file name
        out[column] = found
    return out


def area(values: FileValues) -> Found | None:
    """The region a file covers (its scope, else its office's region): names in it are looked for there first,
    then anywhere (a hint, not a rule: a provincial file may list another province's row)."""
    return values.scope or values.office


def parse_given(items: Iterable[str]) -> dict[str, str]:
    """Values a user gives for whole columns, from ``COLUMN=VALUE`` strings (``--set``); raises ValueError
    naming a malformed one."""
    out: dict[str, str] = {}
    for item in items:
        column, sep, value = item.partition("=")
        if not sep or not column.strip():
            raise ValueError(f"'{item}': tulis KOLOM=NILAI, mis. penyelenggara=19.04 (write COLUMN=VALUE)")
        out[column.strip()] = value.strip()
    return out
