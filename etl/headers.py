"""Tolerant matching of a source's header row to a SourceTemplate of spec.

Headers are compared by a key that ignores case, spaces, underscores, dots and other punctuation
("Jenis Kelamin", "jenis_kelamin" and "JENIS-KELAMIN" are the same). Matching goes in passes:
the canonical names first, then the synonyms, then the header with a leading "nama"/"kode"/"no"
word removed ("Nama Kecamatan" -> kecamatan). Personal-data headers (names, NIK...) are dropped:
never read into the warehouse and never copied into rejects. Anything else is unknown: ignored
and reported.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from etl.spec import SourceTemplate

_NOT_KEY = re.compile(r"[^a-z0-9]")
_STRIP_WORDS = ("nama", "kode", "kd", "no", "nomor", "nomer", "jumlah")
#: Header starts that always mean personal data when no template column claims the header.
_PERSONAL_STARTS = ("nama", "name", "nik", "noktp", "ktp", "nip", "alamat", "nohp", "telepon", "email")


def header_key(text: object) -> str:
    """Comparison key of a header: ASCII lower case letters and digits only."""
    return _header_key(str(text))


@lru_cache(maxsize=1 << 16)
def _header_key(text: str) -> str:  # header detection asks the same cells many times (every separator, row)
    s = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return _NOT_KEY.sub("", s)


def _words(text: object) -> list[str]:
    s = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().lower()
    return re.findall(r"[a-z0-9]+", s)


@dataclass
class HeaderMatch:
    """How the headers of one source map onto a template."""

    mapping: dict[str, str] = field(default_factory=dict)   # source header -> canonical column
    unknown: list[str] = field(default_factory=list)         # ignored, reported
    dropped: list[str] = field(default_factory=list)         # personal data, never read
    missing: list[str] = field(default_factory=list)         # required canonical columns not found

    @property
    def source_of(self) -> dict[str, str]:
        """Canonical column -> the header as written in the source."""
        return {canon: src for src, canon in self.mapping.items()}

    @property
    def score(self) -> float:
        """How well a row of cells looks like this template's header (higher is better)."""
        return len(self.mapping) - 0.5 * len(self.missing)


def match_headers(headers: list[str], template: SourceTemplate) -> HeaderMatch:
    """Map source headers to the template's canonical columns."""
    result = HeaderMatch()
    by_key: dict[str, list[str]] = {}
    for col in template.columns:
        by_key.setdefault(header_key(col.name), []).append(col.name)
    syn_key: dict[str, list[str]] = {}
    for col in template.columns:
        for syn in col.synonyms:
            syn_key.setdefault(header_key(syn), []).append(col.name)
    personal = {header_key(p) for p in template.dropped}
    taken: set[str] = set()
    pending = [h for h in headers if header_key(h)]

    def claim(header: str, candidates: list[str]) -> bool:
        for canon in candidates:
            if canon not in taken:
                taken.add(canon)
                result.mapping[header] = canon
                return True
        return False

    for lookup, key_of in ((by_key, header_key), (syn_key, header_key), (by_key, _stripped_key),
                           (syn_key, _stripped_key)):
        rest = []
        for h in pending:
            if not claim(h, lookup.get(key_of(h), [])):
                rest.append(h)
        pending = rest
    for h in pending:
        key = header_key(h)
        if key in personal or key.startswith(_PERSONAL_STARTS):
            result.dropped.append(h)
        else:
            result.unknown.append(h)
    result.missing = [c.name for c in template.columns if c.required and c.name not in taken]
    return result


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
