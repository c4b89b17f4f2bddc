"""One source chunk -> good warehouse rows + rejects, for every source table.

A row with any problem is set aside in rejects (one reject row per row and column problem, with the
value as written and a reason a person understands, Indonesian first); every other row loads.
Personal-data columns never get here: the readers drop them with the header match.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import pyarrow as pa

from etl import checks, parse, schemas, spec
from etl import codes as code_shape
from etl.checks import Check, Finding
from etl.codes import LEVELS, level_of
from etl.headers import AREA_HINT, LEVEL_HINT, LEVEL_OF_COLUMN, TARGETS
from etl.readers import RawChunk, Source
from etl.regions import (
    LEVEL_LABEL,
    RegionResolver,
    Resolution,
    kind_word,
)

LEVEL_BODY = {"provinsi": "bawaslu_provinsi", "kabkota": "bawaslu_kabkota", "kecamatan": "panwaslu_kecamatan",
              "desa": "pkd"}
CONTEXT_LEVEL = {"provinsi": "provinsi", "kabupaten_kota": "kabkota", "kecamatan": "kecamatan"}
COLUMN_OF_LEVEL = {level: column for column, level in LEVEL_OF_COLUMN.items()}
#: warehouse key column -> source column, per source table (for duplicate reasons).
KEY_SOURCE = {t: spec.TABLES[t].key_source for t in spec.SOURCES}
OUTPUT_TABLE = {"personnel": "personnel", "activities": "activities", "pleno": "pleno", "tps": "tps",
                "seats_reference": "seats_reference"}
_BODY_PREFIX = re.compile(r"^\s*(?:bawaslu|panwaslu|panwascam|panwas|pengawas)\b\.?\s*", re.IGNORECASE)
_MONTHS_ID = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
              "November", "Desember")


def fmt_date(d: dt.date) -> str:
    """20 Februari 2023."""
    return f"{d.day} {_MONTHS_ID[d.month - 1]} {d.year}"


class LoadResult:
    """The outcome of loading one chunk: the good rows (pandas, or Arrow from the bulk path), the rejects."""

    def __init__(self, good: pd.DataFrame | None, rejects: pd.DataFrame, rows_read: int, *, table: str = "",
                 arrow: pa.Table | None = None, rows: np.ndarray | None = None) -> None:
        self._good, self.arrow, self.table = good, arrow, table
        self.rejects, self.rows_read = rejects, rows_read
        self.rows = rows  # source row number of each good row (the reference path; used by the bulk path)

    @property
    def good(self) -> pd.DataFrame:
        """The good rows as a pandas frame in the contract's dtypes."""
        if self._good is None:
            self._good = schemas.conform(self.arrow.to_pandas(), OUTPUT_TABLE[self.table])  # type: ignore[union-attr]
        return self._good

    @property
    def n_good(self) -> int:
        return self.arrow.num_rows if self.arrow is not None else len(self.good)


class KeyTracker:
    """Keys seen so far in one source, with the row number of each key's first good occurrence.

    No key text is kept (a Python string per key cost ~1 GB at 5 M rows): each key is a 64-bit hash
    in sorted blocks, with its first row. A hit on that hash is confirmed by a second, independent
    hash of the key, kept to 32 bits (together a 96-bit fingerprint: a false duplicate among 10^7 keys
    has a chance of about 10^-15), so an accidental collision of the first hash never rejects a row.
    Memory: 16 bytes a key (80 MB at 5 M keys); blocks are merged while they stay small.
    """

    #: Blocks grow by merging neighbours of similar size up to this many keys (bounds the temporary copy).
    MAX_BLOCK = 1_000_000
    _KEY2 = "pantau-keys-2nd!"  # hash_key of the confirming hash (16 bytes, differs from pandas' default)

    def __init__(self) -> None:
        self._blocks: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # (hash, 2nd hash, first row)
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def _lookup(self, h1: np.ndarray, h2: np.ndarray) -> np.ndarray:
        """First row of each key among the stored ones (-1 when new)."""
        found = np.full(len(h1), -1, dtype="int64")
        order = np.argsort(h1)
        needles = h1[order]  # sorted needles: searchsorted walks memory in order
        for sorted_h, second, rows in self._blocks:
            left = np.searchsorted(sorted_h, needles)
            hit = np.flatnonzero(sorted_h[np.minimum(left, len(sorted_h) - 1)] == needles)
            for o in hit:
                i, j = order[o], left[o]
                while found[i] < 0 and j < len(sorted_h) and sorted_h[j] == needles[o]:
                    if second[j] == h2[i]:  # confirmed: the same key
                        found[i] = rows[j]
                    j += 1
        return found

    def _add(self, h1: np.ndarray, h2: np.ndarray, rows: np.ndarray) -> None:
        order = np.argsort(h1)
        self._blocks.append((h1[order], h2[order], rows[order].astype(np.int32 if rows.max() < 2**31 else np.int64)))
        self._count += len(h1)
        while len(self._blocks) > 1 and len(self._blocks[-2][0]) <= len(self._blocks[-1][0]) * 2 \
                and len(self._blocks[-2][0]) + len(self._blocks[-1][0]) <= self.MAX_BLOCK:
            b, a = self._blocks.pop(), self._blocks.pop()
            h = np.concatenate([a[0], b[0]])
            order = np.argsort(h, kind="stable")
            rows_ab = np.concatenate([a[2], b[2]])
            self._blocks.append((h[order], np.concatenate([a[1], b[1]])[order], rows_ab[order]))

    def seen(self, h1: np.ndarray, h2: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """For keys distinct among themselves, given by two independent hashes (uint64, uint32) and their
        rows: the row of an earlier occurrence, or -1 (the key is then recorded at its row)."""
        found = self._lookup(h1, h2) if self._count else np.full(len(h1), -1, dtype="int64")
        new = found < 0
        if new.any():
            self._add(h1[new], h2[new], rows[new])
        return found

    def first_rows(self, keys: pd.Series) -> pd.Series:
        """For each row (index = row number): the row of an earlier occurrence, or NA; records new keys."""
        rows = keys.index.to_numpy(dtype="int64")
        result = np.full(len(keys), -1, dtype="int64")
        dup = keys.duplicated(keep="first").to_numpy()
        firsts = np.flatnonzero(~dup)
        unique = keys.iloc[firsts]
        h1 = pd.util.hash_pandas_object(unique, index=False, categorize=False).to_numpy()
        h2 = pd.util.hash_pandas_object(unique, index=False, categorize=False,
                                        hash_key=self._KEY2).to_numpy().astype(np.uint32)  # low 32 bits
        result[firsts] = self.seen(h1, h2, rows[firsts])
        if dup.any():
            first_here = pd.Index(unique.to_numpy())
            pos = first_here.get_indexer(keys.to_numpy()[dup])
            earlier = result[firsts][pos]
            result[dup] = np.where(earlier >= 0, earlier, rows[firsts][pos])
        out = pd.Series(result, index=keys.index, dtype="Int64")
        return out.mask(result < 0)


# ---------------------------------------------------------------------------
# Problems of one chunk
# ---------------------------------------------------------------------------


class _Problems:
    """Collects (row, column, value, reason) of one chunk."""

    def __init__(self, chunk: RawChunk, table: str = "") -> None:
        self.raw = chunk.frame
        self.headers = chunk.headers
        self.parts: list[pd.DataFrame] = []
        self.bad = pd.Series(False, index=self.raw.index)
        # a region taken from level columns (etl.headers.promote) is blamed on the level column it was written in
        self.promoted = TARGETS.get(table) if LEVEL_HINT in self.raw.columns else None

    def label(self, column: str) -> str:
        return self.headers.get(column, column)

    def add(self, mask: pd.Series, column: str, check: Check | pd.Series, reason: str | pd.Series | None = None,
            value: pd.Series | None = None) -> None:
        """Reject rows where ``mask`` for breaking ``check`` (a rule, or a rule id per row with ``reason`` per row);
        the reason is the rule's own unless given, and may use ``{v}`` for the raw value."""
        mask = mask.fillna(False).astype(bool) if mask.dtype != bool else mask
        if not mask.any():
            return
        if reason is None:
            reason = check.reason()  # type: ignore[union-attr]
        if column == self.promoted and value is None:
            written = self.raw[LEVEL_HINT]
            for level, level_col in COLUMN_OF_LEVEL.items():
                here = mask & written.eq(level)
                if here.any():
                    self.add(here, level_col, check, reason, self.raw[column])
            mask = mask & ~written.isin(list(COLUMN_OF_LEVEL))
            if not mask.any():
                return
        rows = mask[mask].index
        if value is None:
            value = self.raw[column] if column in self.raw.columns else pd.Series("", index=self.raw.index)
        vals = value.loc[rows].astype("str").fillna("")
        if isinstance(reason, str):
            reasons = vals.map(lambda v: reason.replace("{v}", v)) if "{v}" in reason else \
                pd.Series(reason, index=rows)
        else:
            reasons = reason.loc[rows].astype("str")
        ids = check.id if isinstance(check, Check) else check.loc[rows].astype("str").to_numpy()
        self.parts.append(pd.DataFrame({"row": rows.to_numpy(), "column": self.label(column),
                                        "value": vals.to_numpy(), "reason": reasons.to_numpy(), "check": ids}))
        self.bad |= mask

    def frame(self, *, run_id: str, table: str, source: str) -> pd.DataFrame:
        if not self.parts:
            return schemas.empty_frame("rejects")
        out = pd.concat(self.parts, ignore_index=True)
        out = out.drop_duplicates(["row", "column"], keep="first").sort_values("row", kind="stable")
        out = out.assign(run_id=run_id, table=table, source=source)
        return schemas.conform(out.reset_index(drop=True), "rejects")


# ---------------------------------------------------------------------------
# Typed columns
# ---------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _control_characters(raw: pd.DataFrame, p: _Problems) -> None:
    """A cell holding a control character (a stray NUL, a bell from a copy-paste) sets its row aside; the value
    is shown with the character made visible (U+2400..)."""
    for col in raw.columns:
        values = raw[col]
        if col.startswith("_") or values.dtype != object and str(values.dtype) != "str":
            continue
        text = values.astype("str")
        if not _CONTROL.search("".join(text.tolist())):
            continue  # one C-speed search over the column decides most blocks
        bad = text.map(lambda v: _CONTROL.search(v) is not None).astype(bool)
        visible = text.map(lambda v: _CONTROL.sub(lambda m: chr(0x2400 + min(ord(m.group()), 0x21)), v))
        p.add(bad, col, checks.CONTROL_CHARACTER, value=visible)


def derived_ids(organizer: pd.Series, date: pd.Series, region: pd.Series, kind: pd.Series,
                title: pd.Series) -> pd.Series:
    """A stable key of activities written without an id: a hash of what the row says (organiser, date, place,
    type, title) and its position among identical rows, so a corrected re-send of the same rows gets the same keys
    and replaces them ('~3f9a0c1d2e4b', then '~3f9a0c1d2e4b-2' for its twin)."""
    import hashlib

    content = (organizer.fillna("").astype("str") + "|" + date.dt.strftime("%Y-%m-%d").fillna("") + "|"
               + region.fillna("").astype("str") + "|" + kind.fillna("").astype("str") + "|"
               + title.fillna("").astype("str").str.strip().str.lower())
    digest = content.map(lambda c: "~" + hashlib.blake2b(c.encode(), digest_size=6).hexdigest())
    nth = content.groupby(content, sort=False).cumcount()
    return digest.where(nth == 0, digest + "-" + (nth + 1).astype("str"))



def _col(raw: pd.DataFrame, name: str) -> pd.Series:
    return raw[name] if name in raw.columns else pd.Series("", index=raw.index, dtype="str")


def _area(raw: pd.DataFrame) -> pd.Series | None:
    """The region the file covers, where a name is looked for first (etl.layout), or None."""
    return raw[AREA_HINT] if AREA_HINT in raw.columns else None


#: Columns that may be absent, but when a source has one, every row must fill it: an activity's id (without the
#: column, a key is derived from the row: derived_ids).
REQUIRED_WHEN_PRESENT = {"activities": ("id_kegiatan",)}


def _required(raw: pd.DataFrame, p: _Problems, template: spec.SourceTemplate) -> None:
    present = [c for c in REQUIRED_WHEN_PRESENT.get(template.table, ()) if c in raw.columns]
    for col in template.columns:
        if col.required or col.name in present:
            p.add(parse.is_blank(_col(raw, col.name)), col.name, checks.REQUIRED,
                  checks.REQUIRED.reason(column=p.label(col.name)))


def _date(raw: pd.DataFrame, p: _Problems, name: str, today: dt.date) -> pd.Series:
    values, bad = parse.parse_dates(_col(raw, name))
    p.add(bad, name, checks.NOT_A_DATE)
    earliest = pd.Timestamp(spec.EARLIEST_DATE)
    p.add(values < earliest, name, checks.DATE_TOO_EARLY,
          checks.DATE_TOO_EARLY.reason(earliest=fmt_date(earliest.date())))
    p.add(values > pd.Timestamp(today), name, checks.DATE_IN_FUTURE,
          checks.DATE_IN_FUTURE.reason(today=fmt_date(today)))
    return values


def _number(raw: pd.DataFrame, p: _Problems, name: str, *, whole: bool = True,
            nonnegative: bool = True) -> pd.Series:
    values, bad = parse.parse_numbers(_col(raw, name))
    p.add(bad, name, checks.NOT_A_NUMBER)
    if whole:
        p.add(values.notna() & (values != values.round()), name, checks.NOT_WHOLE)
        p.add(values.abs() > parse.MAX_WHOLE, name, checks.TOO_LARGE)
    if nonnegative:
        p.add(values < 0, name, checks.NEGATIVE)
    return values


def _bool(raw: pd.DataFrame, p: _Problems, name: str) -> pd.Series:
    values, bad = parse.parse_bools(_col(raw, name))
    p.add(bad, name, checks.NOT_YES_NO)
    return values


def _choice(raw: pd.DataFrame, p: _Problems, name: str, vocab_name: str) -> pd.Series:
    vocab = parse.vocabulary(vocab_name)
    values, bad = parse.parse_choices(_col(raw, name), vocab)
    if bad.any():
        rule = checks.UNKNOWN_CHOICE[vocab_name]
        allowed = ", ".join(k for k in vocab if k)

        def reason(v: str) -> str:
            hint = parse.closest_choice(v, vocab)
            return rule.reason(maybe=f" — mungkin: {hint}" if hint else "", allowed=allowed).replace("{v}", v)

        raw_vals = _col(raw, name)
        reasons = raw_vals.where(bad, "").map(lambda v: reason(v) if v else "")
        p.add(bad, name, rule, reasons)
    return values


# ---------------------------------------------------------------------------
# Regions
# ---------------------------------------------------------------------------


def _resolve_target(resolver: RegionResolver, text: str, level: str | None, within: str | None) -> Resolution:
    """Resolve at ``level``; with no level, a name that fits several levels means the largest region
    ("Koba" is Kecamatan Koba rather than Kelurahan Koba inside it)."""
    r = resolver.resolve(text, level=level, within=within)
    if r.code or level is not None:
        return r
    for lv in LEVELS:
        r2 = resolver.resolve(text, level=lv, within=within)
        if r2.code:
            return r2
    return r


def context_region(resolver: RegionResolver, values: tuple[str, ...], ctx_cols: list[str],
                   hint: str | None = None) -> tuple[str | None, dict[str, Finding]]:
    """The deepest region the context columns name (provinsi, kabupaten_kota, kecamatan; blanks skipped),
    or the error of the first one that does not resolve inside the previous. The first is looked for inside
    ``hint`` first (the organiser, the file's region): 'Wonosari' in a Kabupaten Boalemo recap is its kecamatan."""
    within: str | None = None
    for col, value in zip(ctx_cols, values, strict=False):
        if not value.strip():
            continue
        text = _BODY_PREFIX.sub("", value)
        if within is None and hint and (code := resolver.lookup(text, level=CONTEXT_LEVEL[col], within=hint)):
            within = code  # found inside the hint (a miss there costs a lookup, not a search for suggestions)
            continue
        r = resolver.resolve(text, level=CONTEXT_LEVEL[col], within=within)
        if r.code is None:
            return None, {col: r.finding}
        within = r.code
    return within, {}


def resolve_one(resolver: RegionResolver, values: tuple[str, ...], ctx_cols: list[str], target: str,
                 level: str | None, hint: str | None = None) -> tuple[str | None, dict[str, Finding]]:
    """Resolve one combination (context values..., target value) top-down: (code, {column: error}).

    ``hint`` is a region the target is probably inside (an activity's organizer) when no context is given.
    """
    within, errors = context_region(resolver, values, ctx_cols, hint)
    if errors:
        return None, errors
    text = _BODY_PREFIX.sub("", values[len(ctx_cols)]) or values[len(ctx_cols)]
    tries = [within] if within else ([hint, None] if hint else [None])
    if within is None and hint and _names_itself(resolver, text, level, hint):
        return hint, {}  # 'Kabupaten Konawe' in Konawe's recap is the kabupaten, not its Kecamatan Konawe
    first: Resolution | None = None
    for w in tries:
        r = _resolve_target(resolver, text, level, w)
        if r.code:
            return r.code, {}
        first = first or r
    around = within or hint
    if around is not None:  # the target may be the region around it ("Kab. X" inside kabupaten X, "Sragi" in Sragi)
        parent = around.rsplit(".", 1)[0] if "." in around else None
        self_r = resolver.resolve(text, level=level or level_of(around), within=parent)
        if self_r.code == around:
            return around, {}
    if level is not None:  # a region that exists, at another level than the body's
        other = _resolve_target(resolver, text, None, within)
        if other.code:
            return None, {target: _wrong_level(resolver, other.code, level)}
    return None, {target: first.finding if first else Resolution(None).finding}


_KIND_LEVEL = {"kabupaten": "kabkota", "kota": "kabkota", "provinsi": "provinsi", "kecamatan": "kecamatan",
               "desa": "desa"}


def _names_itself(resolver: RegionResolver, text: str, level: str | None, hint: str) -> bool:
    """True when ``text`` names the hint region itself at its own level, said by its kind word ('Kota Kendari') or by
    the body's level: then a same-named region inside it is not meant."""
    hint_level = level_of(hint)
    if level != hint_level and _KIND_LEVEL.get(kind_word(text) or "") != hint_level:
        return False
    parent = hint.rsplit(".", 1)[0] if "." in hint else None
    return resolver.lookup(text, level=hint_level, within=parent) == hint


def _wrong_level(resolver: RegionResolver, code: str, level: str, body: str | None = None) -> Finding:
    return checks.finding(checks.REGION_LEVEL_BODY, name=resolver.name(code), code=code,
                          level=LEVEL_LABEL[level_of(code)], body=body or LEVEL_BODY.get(level, level),
                          body_level=LEVEL_LABEL[level])


def _regions(raw: pd.DataFrame, p: _Problems, resolver: RegionResolver, target: str, ctx_cols: list[str],
             level: pd.Series | None = None, hint: pd.Series | None = None) -> pd.Series:
    """Region codes of ``target`` (NA where unresolved; problems recorded on the column at fault).

    Works on the unique combinations of (context columns, target, level, hint), then maps back.
    """
    ctx_cols = [c for c in ctx_cols if c in raw.columns]
    cols = [*ctx_cols, target]
    columns = [_col(raw, c).fillna("").astype("str") for c in cols]
    columns.append(level.fillna("").astype("str") if level is not None else pd.Series("", index=raw.index))
    columns.append(hint.fillna("").astype("str") if hint is not None else pd.Series("", index=raw.index))
    group = np.zeros(len(raw), dtype="int64")
    for col in columns:  # one dense id per combination of (context columns, target, level, hint)
        codes, uniques = pd.factorize(col)
        group, _ = pd.factorize(group * max(len(uniques), 1) + codes)
    _, first = np.unique(group, return_index=True)  # first row of each combination, in id order
    combos = [c.take(first).to_numpy(dtype=object) for c in columns]
    codes_out: list[str | None] = []
    none = Finding("", "")
    errors: dict[str, list[Finding]] = {c: [] for c in cols}
    known = resolver.code_set()
    contexts: dict[tuple[tuple[str, ...], str], tuple[str | None, bool]] = {}
    for k in range(len(first)):
        values = tuple(combo[k] for combo in combos[:len(cols)])
        lvl, hnt = combos[len(cols)][k], combos[len(cols) + 1][k]
        text = values[-1].strip()
        # a code is resolve_one's own answer when its context resolves, it lies inside and is at its level
        # (the rule bulk_activities._quick_region applies to whole columns)
        if text in known:
            ctx = values[:-1]
            if (ctx, hnt) not in contexts:
                within, ctx_errors = context_region(resolver, ctx, ctx_cols, hnt or None)
                contexts[(ctx, hnt)] = (within, not ctx_errors)
            within, ctx_ok = contexts[(ctx, hnt)]
            if ctx_ok and (not lvl or code_shape.LEVEL_OF_LENGTH.get(len(text)) == lvl) \
                    and (within is None or text.startswith(within + ".")):
                codes_out.append(text)
                for c in cols:
                    errors[c].append(none)
                continue
        if not text:
            code, errs = None, {}
        else:
            code, errs = resolve_one(resolver, values, ctx_cols, target, lvl or None, hnt or None)
        codes_out.append(code)
        for c in cols:
            errors[c].append(errs.get(c, none))
    for c in cols:
        ids = np.asarray([f.check for f in errors[c]], dtype=object)[group]
        reasons = np.asarray([f.reason for f in errors[c]], dtype=object)[group]
        p.add(pd.Series(ids != "", index=raw.index), c, pd.Series(ids, index=raw.index, dtype="str"),
              pd.Series(reasons, index=raw.index, dtype="str"))
    return pd.Series(np.asarray(codes_out, dtype=object)[group], index=raw.index, dtype="str")


def _inside_area(raw: pd.DataFrame, p: _Problems, resolver: RegionResolver, target: str, codes: pd.Series
                 ) -> pd.Series:
    """Codes outside the region the file covers (its title or name: etl.layout.Layout.area) set their row aside;
    a personnel, pleno, TPS or seats table of an office lists the office's own regions (an activity may take
    place anywhere, so activities are not held to it)."""
    area = _area(raw)
    if area is None:
        return codes
    pairs = pd.DataFrame({"c": codes, "a": area.fillna("")}).dropna()
    outside = pd.Series(False, index=raw.index)
    reasons = pd.Series("", index=raw.index, dtype="str")
    for (c, a), idx in pairs.groupby(["c", "a"], sort=False).groups.items():
        if a and c != a and not c.startswith(a + "."):
            outside.loc[idx] = True
            reasons.loc[idx] = checks.OUTSIDE_FILE_AREA.reason(name=resolver.name(c), code=c,
                                                               area_name=resolver.name(a), area=a)
    if outside.sum() * 2 > len(pairs) >= 3:  # most rows elsewhere: the title or name was misread, not the rows
        return codes
    set_aside = outside.copy()
    # blamed on the widest column that is already outside (a kecamatan of another kab/kota), else the region's own
    for col in [c for c in CONTEXT_LEVEL if c in raw.columns]:
        here = outside & _col(raw, col).str.strip().ne("")
        if not here.any():
            continue
        within = pd.Series([context_region(resolver, (v,), [col])[0] or "" for v in raw.loc[here, col]],
                           index=raw.index[here])
        wrong = pd.Series(False, index=raw.index)
        wrong.loc[within.index] = [bool(w) and not (w == a or w.startswith(a + ".") or a.startswith(w + "."))
                                   for w, a in zip(within, area.loc[within.index], strict=True)]
        p.add(wrong, col, checks.OUTSIDE_FILE_AREA, reasons)
        outside &= ~wrong
    p.add(outside, target, checks.OUTSIDE_FILE_AREA, reasons)
    return codes.mask(set_aside)


def _body_from(body: pd.Series, codes: pd.Series) -> pd.Series:
    """The body given, or the one its region's level implies."""
    return body.fillna(code_shape.levels(codes).map(LEVEL_BODY))


# ---------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------


def _personnel(raw: pd.DataFrame, p: _Problems, resolver: RegionResolver, today: dt.date) -> pd.DataFrame:
    as_of = _date(raw, p, "tanggal", today)
    body = _choice(raw, p, "lembaga", "BODIES")
    role = _choice(raw, p, "jabatan", "ROLES")
    gender = _choice(raw, p, "jenis_kelamin", "GENDERS").fillna("X")
    count = _number(raw, p, "jumlah")
    code = _regions(raw, p, resolver, "wilayah", list(CONTEXT_LEVEL), body.map(spec.BODY_LEVEL), _area(raw))
    code = _inside_area(raw, p, resolver, "wilayah", code)
    prov, kab = code_shape.parents(code)
    return pd.DataFrame({"as_of": as_of, "region_code": code, "provinsi_code": prov, "kabkota_code": kab,
                         "body": body, "role": role, "gender": gender, "count": count})


def _activities(raw: pd.DataFrame, p: _Problems, resolver: RegionResolver, today: dt.date) -> pd.DataFrame:
    date = _date(raw, p, "tanggal", today)
    org_body = _choice(raw, p, "lembaga_penyelenggara", "BODIES")
    area = _area(raw)
    organizer = _regions(raw, p, resolver, "penyelenggara", ["provinsi"], org_body.map(spec.BODY_LEVEL), area)
    written_at = raw[LEVEL_HINT] if LEVEL_HINT in raw.columns else None  # the level column a place was written in
    code = _regions(raw, p, resolver, "lokasi", list(CONTEXT_LEVEL), written_at,
                    hint=organizer if area is None else organizer.fillna(area))
    kind = _choice(raw, p, "jenis", "ACTIVITY_TYPES")
    participants = _number(raw, p, "peserta")
    title = _col(raw, "judul").str.strip()
    ids = _col(raw, "id_kegiatan").str.strip() if "id_kegiatan" in raw.columns \
        else derived_ids(organizer, date, code, kind, title)
    prov, kab = code_shape.parents(code)
    return pd.DataFrame({
        "activity_id": ids, "date": date, "organizer_code": organizer,
        "organizer_body": _body_from(org_body, organizer), "region_code": code, "provinsi_code": prov,
        "kabkota_code": kab, "type": kind, "title": title.where(title != ""), "participants": participants,
    })


def _pleno(raw: pd.DataFrame, p: _Problems, resolver: RegionResolver, today: dt.date) -> pd.DataFrame:
    body = _choice(raw, p, "lembaga", "BODIES")
    level = body.map(spec.BODY_LEVEL)
    if LEVEL_HINT in raw.columns:  # a body not given sits at the level its region was written in
        level = level.fillna(raw[LEVEL_HINT].replace("", pd.NA))
    code = _regions(raw, p, resolver, "wilayah", list(CONTEXT_LEVEL), level, _area(raw))
    code = _inside_area(raw, p, resolver, "wilayah", code)
    date = _date(raw, p, "minggu", today)
    held = _bool(raw, p, "dilaksanakan")
    present = _number(raw, p, "anggota_hadir")
    total = _number(raw, p, "jumlah_anggota")
    decisions = _number(raw, p, "jumlah_keputusan")
    minutes = _bool(raw, p, "notulen")
    score = _number(raw, p, "nilai", whole=False, nonnegative=False)
    p.add((score < 0) | (score > 100), "nilai", checks.SCORE_RANGE)
    over = (present > total).fillna(False).astype(bool)
    reasons = pd.Series([checks.PRESENT_ABOVE_TOTAL.reason(present=a, total=b)
                         for a, b in zip(present.where(over, 0), total.where(over, 0), strict=True)], index=raw.index)
    p.add(over, "anggota_hadir", checks.PRESENT_ABOVE_TOTAL, reasons)
    outcome = _choice(raw, p, "hasil", "PLENO_OUTCOMES")
    from_score = pd.Series(np.select([score >= 80, score >= 60, score >= 0], ["baik", "cukup", "kurang"], ""),
                           index=raw.index).replace("", pd.NA)
    outcome = outcome.fillna(from_score).mask(held.eq(False).fillna(False).astype(bool), "tidak_pleno")
    week = date - pd.to_timedelta(date.dt.day_of_week, unit="D")
    evaluator = _regions(raw, p, resolver, "penilai", []) if "penilai" in raw.columns \
        else pd.Series(pd.NA, index=raw.index, dtype="str")
    prov, kab = code_shape.parents(code)
    return pd.DataFrame({
        "region_code": code, "provinsi_code": prov, "kabkota_code": kab, "body": _body_from(body, code),
        "week_start": week, "held": held, "members_present": present, "members_total": total,
        "decisions": decisions, "minutes_filed": minutes, "score": score, "outcome": outcome,
        "evaluator_code": evaluator,
    })


def _tps(raw: pd.DataFrame, p: _Problems, resolver: RegionResolver, today: dt.date) -> pd.DataFrame:
    code = _regions(raw, p, resolver, "desa", list(CONTEXT_LEVEL),
                    pd.Series("desa", index=raw.index, dtype="str"), _area(raw))
    code = _inside_area(raw, p, resolver, "desa", code)
    election = _choice(raw, p, "pemilu", "ELECTIONS")
    tps = _number(raw, p, "jumlah_tps")
    voters = _number(raw, p, "dpt")
    prov, kab = code_shape.parents(code)
    return pd.DataFrame({"desa_code": code, "provinsi_code": prov, "kabkota_code": kab,
                         "kecamatan_code": code.str[:8], "election": election, "tps": tps, "voters": voters})


def _seats_reference(raw: pd.DataFrame, p: _Problems, resolver: RegionResolver, today: dt.date) -> pd.DataFrame:
    body = _choice(raw, p, "lembaga", "BODIES")
    code = _regions(raw, p, resolver, "wilayah", ["provinsi"], body.map(spec.BODY_LEVEL), _area(raw))
    code = _inside_area(raw, p, resolver, "wilayah", code)
    level = code_shape.levels(code)
    deep = code.notna() & body.isna() & ~level.isin(["provinsi", "kabkota"])
    p.add(deep, "wilayah", checks.REGION_LEVEL_SEATS, code.where(deep, "").map(
        lambda c: checks.REGION_LEVEL_SEATS.reason(name=resolver.name(c), code=c, level=LEVEL_LABEL[level_of(c)])
        if c else ""))
    given = body.notna() & ~body.isin(spec.SOURCES["seats_reference"].column("lembaga").allowed)
    p.add(given, "lembaga", checks.SEATS_BODY)
    body = _body_from(body, code)
    seats = _number(raw, p, "jumlah_anggota")
    allowed = pd.Series(False, index=raw.index)
    for b, seats_ok in spec.ALLOWED_SEATS.items():
        allowed |= (body == b) & seats.isin(seats_ok)
    check = seats.notna() & body.isin(["bawaslu_provinsi", "bawaslu_kabkota"]) & ~allowed
    reasons = body.where(check, "").map(
        lambda b: checks.SEATS_NOT_ALLOWED.reason(body=b, allowed=" atau ".join(map(str, spec.ALLOWED_SEATS[b])))
        if b else "")
    reasons = pd.Series([r.replace("{v}", v) for r, v in zip(reasons, _col(raw, "jumlah_anggota"), strict=True)],
                        index=raw.index)
    p.add(check, "jumlah_anggota", checks.SEATS_NOT_ALLOWED, reasons)
    prov, _ = code_shape.parents(code)
    return pd.DataFrame({"region_code": code, "provinsi_code": prov, "body": body, "seats": seats})


_BUILDERS = {"personnel": _personnel, "activities": _activities, "pleno": _pleno, "tps": _tps,
             "seats_reference": _seats_reference}


# ---------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------


def duplicate_reason(label: str, value: str, first_row: int) -> str:
    return checks.DUPLICATE_KEY.reason(label=label, value=value, first_row=first_row)


def load_chunk(raw: RawChunk, source: Source, resolver: RegionResolver, *, run_id: str, today: dt.date,
               keys: KeyTracker | None = None, check_keys: bool = True) -> LoadResult:
    """Parse, resolve and check one chunk of ``source`` (its table must be known).

    ``keys`` carries the keys seen in earlier chunks of the same source (duplicates across chunks);
    ``check_keys=False`` leaves duplicates to the caller (the bulk path checks them over all its rows).
    """
    table = source.table
    if table not in _BUILDERS:
        raise ValueError(f"no loader for source table {table!r}")
    template = spec.SOURCES[table]
    frame = raw.frame
    p = _Problems(raw, table)
    _required(frame, p, template)
    _control_characters(frame, p)
    built = _BUILDERS[table](frame, p, resolver, today)
    built["source"] = source.name
    out_table = OUTPUT_TABLE[table]
    ok = ~p.bad
    candidate = schemas.conform(built[ok], out_table)
    # duplicate keys among the rows that are otherwise good
    key_cols = spec.KEYS[table]
    if len(candidate) and check_keys:
        key = candidate[key_cols[0]].astype("str")
        for c in key_cols[1:]:
            key = key.str.cat(candidate[c].astype("str"), sep="\x1f")
        first = (keys if keys is not None else KeyTracker()).first_rows(key)
        dup = first.notna()
        if dup.any():
            src_cols = [KEY_SOURCE[table][c] for c in key_cols if c in KEY_SOURCE[table]]
            label = ", ".join(p.label(c) for c in src_cols)
            values = _col(frame, src_cols[0]).astype("str")
            for c in src_cols[1:]:
                values = values.str.cat(_col(frame, c).astype("str"), sep=" | ")
            mask = pd.Series(False, index=frame.index)
            mask.loc[dup[dup].index] = True
            reasons = pd.Series("", index=frame.index, dtype="str")
            reasons.loc[dup[dup].index] = [duplicate_reason(label, values.loc[r], int(f))
                                           for r, f in first[dup].items()]
            p.parts.append(pd.DataFrame({"row": dup[dup].index.to_numpy(), "column": label,
                                         "value": values.loc[dup[dup].index].to_numpy(),
                                         "reason": reasons.loc[dup[dup].index].to_numpy(),
                                         "check": checks.DUPLICATE_KEY.id}))
            p.bad |= mask
            candidate = candidate[~dup]
    # last net: the warehouse schema (should find nothing the checks above did not)
    failures = schemas.row_failures(candidate, out_table, today)
    if len(failures):
        idx = pd.Index(failures["index"].astype("int64").unique())
        p.parts.append(pd.DataFrame({
            "row": failures["index"].astype("int64").to_numpy(), "column": failures["column"].to_numpy(),
            "value": failures["value"].to_numpy(),
            "reason": [checks.SCHEMA.reason(check=c) for c in failures["check"]], "check": checks.SCHEMA.id}))
        candidate = candidate.drop(index=idx)
    rows = candidate.index.to_numpy(dtype="int64")
    good = candidate.reset_index(drop=True)
    rejects = p.frame(run_id=run_id, table=table, source=source.name)
    return LoadResult(good, rejects, len(frame), table=table, rows=rows)


# ---------------------------------------------------------------------------
# Derived: seats
# ---------------------------------------------------------------------------


def derive_seats(regions: pd.DataFrame, seats_reference: pd.DataFrame, tps: pd.DataFrame) -> pd.DataFrame:
    """Mandated positions: 3 per kecamatan, 1 per kelurahan/desa (PKD), 1 per TPS per election (PTPS),
    and the members set per Bawaslu provinsi and kab/kota in ``seats_reference``."""
    parts = []
    kec = regions[regions["level"] == "kecamatan"]
    parts.append(pd.DataFrame({"region_code": kec["code"], "body": "panwaslu_kecamatan", "election": "",
                               "seats": 3}))
    desa = regions[regions["level"] == "desa"]
    parts.append(pd.DataFrame({"region_code": desa["code"], "body": "pkd", "election": "", "seats": 1}))
    if len(tps):
        t = tps.groupby(["desa_code", "election"], as_index=False)["tps"].sum()
        parts.append(pd.DataFrame({"region_code": t["desa_code"], "body": "ptps", "election": t["election"],
                                   "seats": t["tps"]}))
    if len(seats_reference):
        ref = seats_reference.drop_duplicates(["region_code", "body"], keep="last")
        parts.append(pd.DataFrame({"region_code": ref["region_code"], "body": ref["body"], "election": "",
                                   "seats": ref["seats"]}))
    out = pd.concat(parts, ignore_index=True)
    out["region_code"] = out["region_code"].astype("str")
    out["provinsi_code"], out["kabkota_code"] = code_shape.parents(out["region_code"])
    out = out.sort_values(["region_code", "body", "election"], kind="stable").reset_index(drop=True)
    return schemas.conform(out, "seats")
