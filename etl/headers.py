"""Reading a source's header as a person would, onto a SourceTemplate of spec.

Headers are compared by a key that ignores case, spaces, underscores, dots and other punctuation
("Jenis Kelamin", "jenis_kelamin" and "JENIS-KELAMIN" are the same). Notes people add to a header are
read past: a note in brackets ("Minggu (Senin)", "Nilai (0-100)", "Jumlah Peserta (orang)"), an
asterisk ("Tanggal*"), a line break inside the cell. Matching goes in passes: the canonical names, then
the synonyms, each on the header as written, then without its notes, then without a leading
"nama"/"kode"/"no"/"jumlah" word ("Nama Kecamatan" -> kecamatan).

Beyond one header row (``layout_of``): a second header row under it ("Jumlah" over "L | P", "Tanggal"
over "Mulai | Selesai") is read into the header; a row of units or column numbers under it ("(orang)",
"(1) (2) (3)") is skipped; two columns under one header are told apart by their column letter; columns
named after a region level ("Kecamatan", "Desa/Kelurahan") stand for a table's region column when it
has none (the deepest filled on each row wins, see ``promote_levels``); a personnel count split by
gender ("L", "P") becomes one row per gender; and a required column still missing is looked for by the
values under the unknown headers (dates, region names, vocabulary words). Every such decision is kept
in ``HeaderMatch.notes`` so the check's output shows which header was taken for which column.

Personal-data headers (names, NIK...) are dropped: never read into the warehouse and never copied
into rejects. Anything else is unknown: ignored and reported.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from etl import parse
from etl.regions import RegionResolver
from etl.spec import SourceTemplate

_NOT_KEY = re.compile(r"[^a-z0-9]")
_STRIP_WORDS = ("nama", "kode", "kd", "no", "nomor", "nomer", "jumlah", "jml")
#: Words a question-style header adds around a column's name (a Google Form: 'Tanggal Pelaksanaan Kegiatan',
#: 'Kecamatan Lokasi Kegiatan', 'Asal Bawaslu Kabupaten/Kota'), read past by the last naming pass only.
_QUESTION_WORDS = {"kegiatan", "pelaksanaan", "lokasi", "tempat", "yang", "asal", "di", "dari"}
#: Header starts that always mean personal data when no template column claims the header.
_PERSONAL_STARTS = ("nama", "name", "nik", "noktp", "ktp", "nip", "alamat", "nohp", "telepon", "email")
_NOTE = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
#: The column of a table's own region, and the level columns that can stand for it (deepest first).
TARGETS = {"personnel": "wilayah", "activities": "lokasi", "pleno": "wilayah", "tps": "desa",
           "seats_reference": "wilayah"}
LEVEL_COLUMNS = ("kelurahan_desa", "kecamatan", "kabupaten_kota", "provinsi")
LEVEL_OF_COLUMN = {"kelurahan_desa": "desa", "kecamatan": "kecamatan", "kabupaten_kota": "kabkota",
                   "provinsi": "provinsi"}
#: A hidden column of the level a promoted region was written at (read by the loaders).
LEVEL_HINT = "_tingkat"
#: A hidden column: the region the file covers (etl.layout.Layout.area), where the loaders look for a name first.
AREA_HINT = "_wilayah_berkas"
_GENDER_WORDS = {"l": "L", "lk": "L", "laki": "L", "lakilaki": "L", "pria": "L", "male": "L",
                 "p": "P", "pr": "P", "perempuan": "P", "wanita": "P", "female": "P"}
_GENDER_FILLER = {"jumlah", "jml", "personil", "personel", "orang", "anggota", "total", "jenis", "kelamin"}
_UNIT_WORDS = {"orang", "org", "jiwa", "%", "persen", "rp", "unit", "buah", "kali", "hari", "ya/tidak", "y/t",
               "dd/mm/yyyy", "dd-mm-yyyy", "tgl/bln/thn", "angka", "teks", "0-100", "l/p", "kode"}
GENDER_SEP = ":"  # canonical name of a gender's count column: "jumlah:L"


def as_written(header: str) -> str:
    """A header as the file writes it, lower case, spaces folded: without the column letter that tells repeats apart
    ('Tanggal [kolom C]' -> 'tanggal'). A cell that repeats the header reads the same."""
    return " ".join(re.sub(r"\s*\[kolom [A-Z]+\]$", "", header).split()).lower()


def header_key(text: object) -> str:
    """Comparison key of a header: ASCII lower case letters and digits only."""
    return _header_key(str(text))


@lru_cache(maxsize=1 << 16)
def _header_key(text: str) -> str:  # header detection asks the same cells many times (every separator, row)
    s = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return _NOT_KEY.sub("", s)


@lru_cache(maxsize=1 << 16)
def clean_header(text: object) -> str:
    """A header without the notes people add: bracketed notes, asterisks, colons, line breaks.

    'Minggu (Senin)' -> 'Minggu'; 'Jumlah Peserta\\n(orang)' -> 'Jumlah Peserta'; 'Tanggal*' -> 'Tanggal';
    'Jumlah Peserta\\n*isi angka saja' -> 'Jumlah Peserta' (a filling note after an asterisk).
    A header that is only a note keeps it ('(L)' stays)."""
    s = " ".join(str(text).split())
    name, star, note = s.partition("*")
    if star and re.search(r"[A-Za-z]", note) and header_key(name):  # '... *isi angka saja': a filling note
        s = name
    stripped = _NOTE.sub(" ", s)
    if header_key(stripped):
        s = stripped
    return " ".join(s.replace("*", " ").split()).strip(" :.")


def _words(text: object) -> list[str]:
    s = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().lower()
    return re.findall(r"[a-z0-9]+", s)


def column_letter(position: int) -> str:
    """Spreadsheet column letter of a 0-based position (0 -> A, 26 -> AA)."""
    out = ""
    n = position + 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def unique_headers(cells: Sequence[str]) -> list[str]:
    """Headers as written, told apart where two read alike: each repeat gets its column letter
    ('Tanggal [kolom C]', 'Tanggal [kolom D]'). A blank header stays blank."""
    cells = [" ".join(str(c).split()) for c in cells]
    keys = [header_key(clean_header(c)) for c in cells]
    count: dict[str, int] = {}
    for k in keys:
        if k:
            count[k] = count.get(k, 0) + 1
    return [f"{c} [kolom {column_letter(i)}]" if k and count[k] > 1 else c
            for i, (c, k) in enumerate(zip(cells, keys, strict=True))]


def gender_of(header: str) -> str | None:
    """'L', 'P' when a header counts people of one gender ('L', 'Jumlah P', 'Perempuan', 'Jumlah (L)')."""
    if "%" in header or "persen" in header.lower():  # a share of women is no count of them
        return None
    h = re.sub(r"laki\s*-\s*laki", "lakilaki", as_written(header))
    words = [w for w in _words(h) if w not in _GENDER_FILLER]
    return _GENDER_WORDS.get(words[0]) if len(words) == 1 else None


@dataclass
class HeaderMatch:
    """How the headers of one source map onto a template."""

    mapping: dict[str, str] = field(default_factory=dict)   # source header -> canonical column
    unknown: list[str] = field(default_factory=list)         # ignored, reported
    dropped: list[str] = field(default_factory=list)         # personal data, never read
    missing: list[str] = field(default_factory=list)         # required canonical columns not found
    notes: list[str] = field(default_factory=list)           # which header was taken for which column, and why
    ambiguous: dict[str, list[str]] = field(default_factory=dict)  # canonical -> headers it could be
    promote: tuple[str, ...] = ()                            # (target, level columns present, deepest first)

    @property
    def source_of(self) -> dict[str, str]:
        """Canonical column -> the header as written in the source."""
        out = {canon: src for src, canon in self.mapping.items()}
        if self.promote:
            target, *levels = self.promote
            out[target] = " / ".join(out[lv] for lv in levels if lv in out)
        return out

    @property
    def genders(self) -> dict[str, str]:
        """Gender -> canonical count column ('L' -> 'jumlah:L') when counts are split by gender."""
        return {c.split(GENDER_SEP, 1)[1]: c for c in self.mapping.values() if GENDER_SEP in c}

    @property
    def score(self) -> float:
        """How well a row of cells looks like this template's header (higher is better)."""
        return len(self.mapping) - 0.5 * len(self.missing)


def match_headers(headers: Sequence[str], template: SourceTemplate, *, given: Sequence[str] = ()) -> HeaderMatch:
    """Map source headers to the template's canonical columns (``given``: columns that get a value for the
    whole file, so they are not missing)."""
    result = HeaderMatch()
    taken: set[str] = set()
    pending = _claim_by_name(result, [h for h in headers if header_key(h)], template, taken)
    if template.table == "personnel" and "jenis_kelamin" not in taken:
        _split_by_gender(result, pending, taken)
        pending = [h for h in pending if h not in result.mapping]
    _sort_out_the_rest(result, pending, template)
    for canon, both in result.ambiguous.items():
        del result.mapping[both[0]]
        taken.discard(canon)
        if not template.column(canon).required:  # a required one refuses the file (etl.layout names both)
            listed = " dan ".join(f"'{h}'" for h in both)
            result.notes.append(f"{listed} sama-sama bisa menjadi {canon}: keduanya tidak dibaca, {canon} kosong di "
                                f"setiap baris; ubah judul salah satunya (two columns under one header: neither is "
                                f"read)")
    _promotion(result, template, taken)
    have = taken | set(given) | ({"jumlah"} if result.genders else set()) \
        | ({"jumlah_tps"} if "nomor_tps" in taken else set())  # a TPS a row: etl.unit_lists counts them
    result.missing = [c.name for c in template.columns if c.required and c.name not in have]
    return result


def _clean_key(header: str) -> str:
    return header_key(clean_header(header))


def _claim_by_name(result: HeaderMatch, pending: list[str], template: SourceTemplate, taken: set[str]) -> list[str]:
    """Claim canonical columns in passes (names, then synonyms; as written, without notes, without a leading
    'nama'/'kode'/'jumlah'); returns the headers no pass claimed."""
    by_key, syn_key = _lookups(template)

    def claim(header: str, candidates: list[str]) -> bool:
        for canon in candidates:
            if canon not in taken:
                taken.add(canon)
                result.mapping[header] = canon
                return True
        return False

    key_fns: tuple[Callable[[str], str], ...] = (header_key, _clean_key,
                                                   lambda h: _stripped_key(clean_header(h)), _question_key)
    for key_of in key_fns:
        for lookup in (by_key, syn_key):
            pending = [h for h in pending if not claim(h, lookup.get(key_of(h), []))]
    return pending


@lru_cache(maxsize=16)
def _lookups(template: SourceTemplate) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Key of each canonical name, and of each synonym -> the template's columns (built once per template)."""
    by_key: dict[str, list[str]] = {}
    syn_key: dict[str, list[str]] = {}
    for col in template.columns:
        by_key.setdefault(header_key(col.name), []).append(col.name)
        for syn in col.synonyms:
            syn_key.setdefault(header_key(syn), []).append(col.name)
    return by_key, syn_key


def _sort_out_the_rest(result: HeaderMatch, pending: list[str], template: SourceTemplate) -> None:
    """Headers no column claimed: the second of two alike (a date: the first is taken; else ambiguous), personal
    data (dropped), or unknown (ignored, reported)."""
    types = {c.name: c.type for c in template.columns}
    personal = {header_key(p) for p in template.dropped}
    for h in pending:
        key = header_key(h)
        twin = next((s for s, c in result.mapping.items() if _clean_key(s) == _clean_key(h) and GENDER_SEP not in c),
                    None)
        if twin is not None:
            canon = result.mapping[twin]
            if types.get(canon) == "date":
                result.notes.append(f"'{h}' diabaikan: dua kolom '{clean_header(h)}', yang pertama ('{twin}') "
                                    f"dipakai sebagai {canon} (two columns under one header: the first is taken)")
                result.unknown.append(h)
            else:
                result.ambiguous.setdefault(canon, [twin]).append(h)
        elif key in personal or key.startswith(_PERSONAL_STARTS):
            result.dropped.append(h)
        else:
            result.unknown.append(h)


def _split_by_gender(result: HeaderMatch, pending: list[str], taken: set[str]) -> None:
    """Personnel counts in one column per gender ('L', 'P', 'Jumlah L'): 'jumlah:L', 'jumlah:P'. A total
    column beside them is not read (the gender columns are the counts)."""
    total = next((s for s, c in result.mapping.items() if c == "jumlah"), None)
    found = {h: g for h in [*([total] if total else []), *pending] if (g := gender_of(h))}
    if not found or len(set(found.values())) != len(found):
        return
    for h, g in found.items():
        result.mapping[h] = f"jumlah{GENDER_SEP}{g}"
    if total and total not in found:
        del result.mapping[total]
        result.notes.append(f"'{total}' tidak dipakai: jumlah per jenis kelamin diambil dari "
                            f"{', '.join(repr(h) for h in found)} (counts are taken per gender)")
        result.unknown.append(total)
    taken.discard("jumlah")
    result.notes.append("jumlah per jenis kelamin: " + ", ".join(f"'{h}' → {g}" for h, g in found.items())
                        + " (one row per gender)")


def _promotion(result: HeaderMatch, template: SourceTemplate, taken: set[str]) -> None:
    """When the table's own region column is absent, its level columns stand for it (deepest filled wins)."""
    target = TARGETS.get(template.table)
    if target is None or target in taken or template.table == "tps":  # a TPS row needs its desa, not a level above
        return
    levels = [lv for lv in LEVEL_COLUMNS if lv in taken and lv != target]
    if not levels:
        return
    result.promote = (target, *levels)
    taken.add(target)
    src = {c: s for s, c in result.mapping.items()}
    result.notes.append(f"{target} diambil dari kolom tingkat wilayah: " + ", ".join(f"'{src[lv]}'" for lv in levels)
                        + " (the deepest filled on each row)")


def _question_key(header: str) -> str:
    """A question-style header without its question words, then as _stripped_key ('Nama/Judul Kegiatan' -> 'judul');
    '' when it has none of them (the earlier passes already tried it)."""
    words = _words(clean_header(header))
    kept = [w for w in words if w not in _QUESTION_WORDS]
    return _stripped_key(" ".join(kept)) if kept and len(kept) < len(words) else ""


def _stripped_key(header: str) -> str:
    words = _words(header)
    while len(words) > 1 and words[0] in _STRIP_WORDS:
        words = words[1:]
    return "".join(words)


def best_template(headers: list[str], templates: dict[str, SourceTemplate]) -> tuple[str, HeaderMatch] | None:
    """The template these headers match best (all required columns present first), or None."""
    scored = []
    for name, tpl in templates.items():
        m = match_headers(headers, tpl)
        if m.mapping:
            scored.append((not m.missing, m.score, -len(m.unknown), name, m))
    if not scored:
        return None
    best = max(scored, key=lambda t: t[:3])
    return best[3], best[4]


# ---------------------------------------------------------------------------
# Rows around the header
# ---------------------------------------------------------------------------


def _is_number(text: str) -> bool:
    return not isinstance(parse.parse_number_value(text), type(parse.BAD))


def is_unit_row(cells: Sequence[str]) -> bool:
    """A row under a header that holds units or column numbers, not data: '(orang)', '(1) (2) (3)', '1 2 3'."""
    filled = [c.strip() for c in cells if str(c).strip()]
    if not filled:
        return False
    numbers: list[int] = []
    for c in filled:
        inner = c[1:-1].strip() if c[:1] in "([" and c[-1:] in ")]" else None
        if inner is not None:
            if inner.isdigit():
                numbers.append(int(inner))
            continue
        if c.isdigit() and len(c) <= 2:
            numbers.append(int(c))
            continue
        if c.lower() in _UNIT_WORDS:
            continue
        return False
    # column numbers count up; a lone number is more likely a value than a unit row
    lone = len(numbers) == len(filled) and len(numbers) < 2
    return not numbers or (numbers == sorted(set(numbers)) and not lone)


def compose(header: Sequence[str], below: Sequence[str]) -> list[str] | None:
    """The header read together with a second header row under it, or None when ``below`` is not one.

    'Jumlah' (a merged cell, or repeated) over 'L | P' -> 'Jumlah L', 'Jumlah P'; 'Tanggal | Tanggal' over
    'Mulai | Selesai' -> 'Tanggal Mulai', 'Tanggal Selesai'. ``below`` qualifies when its filled cells are short
    labels (no numbers or dates) and at least one stands under a blank or repeated header cell."""
    width = max(len(header), len(below))
    top = [str(c).strip() for c in header] + [""] * (width - len(header))
    sub = [str(c).strip() for c in below] + [""] * (width - len(below))
    filled = [c for c in sub if c]
    if sum(1 for t in top if t) < 2:  # the row above is no header (a blank or title row)
        return None
    if not filled or any(len(c) > 25 or _is_number(c) or not isinstance(parse.parse_date_value(c), type(parse.BAD))
                         for c in filled):
        return None
    keys = [header_key(clean_header(t)) for t in top]
    repeated = {k for k in keys if k and keys.count(k) > 1}
    if not any(s and (not t or keys[i] in repeated) for i, (t, s) in enumerate(zip(top, sub, strict=True))):
        return None
    out, last = [], ""
    for t, s in zip(top, sub, strict=True):
        if t:
            last = t
        elif s and last:
            t = last
        # a header cell merged down over both rows reads the same in each: said once
        out.append(f"{t} {s}".strip() if s and header_key(s) != header_key(t) else t)
    return out


# ---------------------------------------------------------------------------
# When a required column is still missing
# ---------------------------------------------------------------------------

#: Share of the values under a header that must read as a column's type for the header to be taken for it.
GUESS_SHARE = 0.8


def guess_by_values(match: HeaderMatch, headers: Sequence[str], rows: Sequence[Sequence[str]],
                    template: SourceTemplate, missing: Sequence[str], resolver: RegionResolver,
                    within: str | None) -> None:
    """Take an unknown (or blank) header for a missing required column when its values read as that column's
    type: dates, region names (inside ``within``, the file's own region, when known), vocabulary words. Each
    choice is written in ``match.notes``; ``match.mapping``, ``missing`` and ``unknown`` are updated."""
    free = [i for i, h in enumerate(headers)
            if h not in match.mapping and h not in match.dropped]
    for canon in list(missing):
        col = template.column(canon)
        test = _value_test(col.type, col.choices, resolver, within)
        if test is None:
            continue
        best: tuple[float, int] | None = None
        for i in free:
            values = [str(r[i]).strip() for r in rows if i < len(r) and str(r[i]).strip()]
            if len(values) < 3:
                continue
            share = sum(map(test, values)) / len(values)
            if share >= GUESS_SHARE and (best is None or share > best[0]):
                best = (share, i)
        if best is None:
            continue
        i = best[1]
        header = headers[i] or f"kolom {column_letter(i)}"
        if not headers[i]:
            headers[i] = header  # a blank header gets a name to be read under  # type: ignore[index]
        match.mapping[header] = canon
        if header in match.unknown:
            match.unknown.remove(header)
        free.remove(i)
        match.missing.remove(canon)
        match.notes.append(f"'{header}' dipakai sebagai {canon}: {best[0]:.0%} isinya terbaca sebagai "
                           f"{_TYPE_WORD[col.type]} (taken for {canon} by its values)")


_TYPE_WORD = {"date": "tanggal", "region": "nama wilayah", "choice": "pilihan yang dikenal"}


def _value_test(kind: str, choices: str | None, resolver: RegionResolver, within: str | None
                ) -> Callable[[str], bool] | None:
    if kind == "date":
        return lambda v: not isinstance(parse.parse_date_value(v), type(parse.BAD))
    if kind == "region":
        return lambda v: bool(resolver.lookup(v, within=within) or resolver.lookup(v))
    if kind == "choice" and choices:
        lookup = parse.vocabulary_lookup(parse.vocabulary(choices))
        return lambda v: parse.choice_key(v) in lookup
    return None


def nearest_headers(match: HeaderMatch, template: SourceTemplate) -> dict[str, str]:
    """Missing column -> the unknown header most like it ("'Tgl Kegiatn' looks like 'tanggal'")."""
    from rapidfuzz import fuzz, process

    out: dict[str, str] = {}
    unknown = {h: header_key(clean_header(h)) for h in match.unknown}
    for canon in match.missing:
        col = template.column(canon)
        names = [header_key(n) for n in (col.name, *col.synonyms)]
        best = None
        for h, key in unknown.items():
            found = process.extractOne(key, names, scorer=fuzz.ratio, score_cutoff=60)
            if found and (best is None or found[1] > best[1]):
                best = (h, found[1])
        if best:
            out[canon] = best[0]
    return out
