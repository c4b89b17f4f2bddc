"""One source chunk -> good warehouse rows + rejects, for every source table.

A row with any problem is set aside in rejects (one reject row per row and column problem, with the
value as written and a reason a person understands, Indonesian first); every other row loads.
Personal-data columns never get here: the readers drop them with the header match.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from etl import parse, schemas, spec
from etl.readers import RawChunk, ReadLog, Source, infer_table, read_chunks
from etl.regions import LEVEL_LABEL, LEVELS, RegionResolver, Resolution, level_of, regions_table

LEVEL_BODY = {"provinsi": "bawaslu_provinsi", "kabkota": "bawaslu_kabkota", "kecamatan": "panwaslu_kecamatan",
              "desa": "pkd"}
CONTEXT_LEVEL = {"provinsi": "provinsi", "kabupaten_kota": "kabkota", "kecamatan": "kecamatan"}
#: warehouse key column -> source column, per source table (for duplicate reasons).
KEY_SOURCE = {
    "personnel": {"as_of": "tanggal", "region_code": "wilayah", "body": "lembaga", "role": "jabatan",
                  "gender": "jenis_kelamin"},
    "activities": {"activity_id": "id_kegiatan"},
    "pleno": {"region_code": "wilayah", "body": "lembaga", "week_start": "minggu"},
    "tps": {"desa_code": "desa", "election": "pemilu"},
    "seats_reference": {"region_code": "wilayah", "body": "lembaga"},
}
OUTPUT_TABLE = {"personnel": "personnel", "activities": "activities", "pleno": "pleno", "tps": "tps",
                "seats_reference": "seats_reference"}
_VOCAB_LABEL = {
    "BODIES": ("Lembaga", "body"), "ROLES": ("Jabatan", "role"), "GENDERS": ("Jenis kelamin", "gender"),
    "ACTIVITY_TYPES": ("Jenis kegiatan", "activity type"), "PLENO_OUTCOMES": ("Hasil", "outcome"),
    "ELECTIONS": ("Pemilu", "election"),
}
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


@dataclass
class CheckReport:
    """The outcome of checking one file without loading it."""

    source: str
    table: str
    rows_read: int = 0
    rows_ok: int = 0
    rows_rejected: int = 0
    rejects: pd.DataFrame = field(default_factory=lambda: schemas.empty_frame("rejects"))
    log: ReadLog = field(default_factory=ReadLog)


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

    def __init__(self, chunk: RawChunk) -> None:
        self.raw = chunk.frame
        self.headers = chunk.headers
        self.parts: list[pd.DataFrame] = []
        self.bad = pd.Series(False, index=self.raw.index)

    def label(self, column: str) -> str:
        return self.headers.get(column, column)

    def add(self, mask: pd.Series, column: str, reason: str | pd.Series, value: pd.Series | None = None) -> None:
        """Reject rows where ``mask``; ``reason`` may use ``{v}`` for the raw value."""
        mask = mask.fillna(False).astype(bool) if mask.dtype != bool else mask
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
        self.parts.append(pd.DataFrame({"row": rows.to_numpy(), "column": self.label(column),
                                        "value": vals.to_numpy(), "reason": reasons.to_numpy()}))
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


def _col(raw: pd.DataFrame, name: str) -> pd.Series:
    return raw[name] if name in raw.columns else pd.Series("", index=raw.index, dtype="str")


def _required(raw: pd.DataFrame, p: _Problems, template: spec.SourceTemplate) -> None:
    for col in template.columns:
        if col.required:
            p.add(parse.is_blank(_col(raw, col.name)), col.name,
                  f"Wajib diisi: kolom '{p.label(col.name)}' kosong (required value missing)")


def _date(raw: pd.DataFrame, p: _Problems, name: str, today: dt.date) -> pd.Series:
    values, bad = parse.parse_dates(_col(raw, name))
    p.add(bad, name, "Bukan tanggal yang dikenali: '{v}' — tulis seperti 20/02/2023 atau 20 Februari 2023 "
                     "(not a date)")
    earliest = pd.Timestamp(spec.EARLIEST_DATE)
    p.add(values < earliest, name, f"Tanggal sebelum {fmt_date(earliest.date())} (UU 7/2017): '{{v}}' "
                                   f"(date before 2017)")
    p.add(values > pd.Timestamp(today), name, f"Tanggal di masa depan: '{{v}}' (hari ini {fmt_date(today)}) "
                                              f"(date in the future)")
    return values


def _number(raw: pd.DataFrame, p: _Problems, name: str, *, whole: bool = True,
            nonnegative: bool = True) -> pd.Series:
    values, bad = parse.parse_numbers(_col(raw, name))
    p.add(bad, name, "Bukan angka: '{v}' (not a number)")
    if whole:
        p.add(values.notna() & (values != values.round()), name, "Bukan bilangan bulat: '{v}' (not a whole number)")
    if nonnegative:
        p.add(values < 0, name, "Tidak boleh negatif: '{v}' (negative count)")
    return values


def _bool(raw: pd.DataFrame, p: _Problems, name: str) -> pd.Series:
    values, bad = parse.parse_bools(_col(raw, name))
    p.add(bad, name, "Bukan Ya/Tidak: '{v}' (not yes/no)")
    return values


def _choice(raw: pd.DataFrame, p: _Problems, name: str, vocab_name: str) -> pd.Series:
    vocab = parse.vocabulary(vocab_name)
    values, bad = parse.parse_choices(_col(raw, name), vocab)
    if bad.any():
        ind, eng = _VOCAB_LABEL[vocab_name]
        allowed = ", ".join(k for k in vocab if k)

        def reason(v: str) -> str:
            hint = parse.closest_choice(v, vocab)
            maybe = f" — mungkin: {hint}" if hint else ""
            return f"{ind} tidak dikenal: '{v}'{maybe}; pilihan: {allowed} (unknown {eng})"

        raw_vals = _col(raw, name)
        reasons = raw_vals.where(bad, "").map(lambda v: reason(v) if v else "")
        p.add(bad, name, reasons)
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


def context_region(resolver: RegionResolver, values: tuple[str, ...], ctx_cols: list[str]
                   ) -> tuple[str | None, dict[str, str]]:
    """The deepest region the context columns name (provinsi, kabupaten_kota, kecamatan; blanks skipped),
    or the error of the first one that does not resolve inside the previous."""
    within: str | None = None
    for col, value in zip(ctx_cols, values, strict=False):
        if not value.strip():
            continue
        r = resolver.resolve(_BODY_PREFIX.sub("", value), level=CONTEXT_LEVEL[col], within=within)
        if r.code is None:
            return None, {col: r.error or "Wilayah tidak dikenal (unknown region)"}
        within = r.code
    return within, {}


def resolve_one(resolver: RegionResolver, values: tuple[str, ...], ctx_cols: list[str], target: str,
                 level: str | None, hint: str | None = None) -> tuple[str | None, dict[str, str]]:
    """Resolve one combination (context values..., target value) top-down: (code, {column: error}).

    ``hint`` is a region the target is probably inside (an activity's organizer) when no context is given.
    """
    within, errors = context_region(resolver, values, ctx_cols)
    if errors:
        return None, errors
    text = _BODY_PREFIX.sub("", values[len(ctx_cols)]) or values[len(ctx_cols)]
    tries = [within] if within else ([hint, None] if hint else [None])
    first: Resolution | None = None
    for w in tries:
        r = _resolve_target(resolver, text, level, w)
        if r.code:
            return r.code, {}
        first = first or r
    if within is not None:  # the target may be the context region itself ("Kab. X" inside kabupaten X)
        parent = within.rsplit(".", 1)[0] if "." in within else None
        self_r = resolver.resolve(text, level=level or level_of(within), within=parent)
        if self_r.code == within:
            return within, {}
    if level is not None:  # a region that exists, at another level than the body's
        other = _resolve_target(resolver, text, None, within)
        if other.code:
            return None, {target: _wrong_level(resolver, other.code, level)}
    return None, {target: (first.error if first else None) or "Wilayah tidak dikenal (unknown region)"}


def _wrong_level(resolver: RegionResolver, code: str, level: str, body: str | None = None) -> str:
    body = body or LEVEL_BODY.get(level, level)
    return (f"Tingkat wilayah tidak sesuai lembaga: {resolver.name(code)} ({code}) adalah "
            f"{LEVEL_LABEL[level_of(code)]}, sedangkan {body} berada di tingkat {LEVEL_LABEL[level]} "
            f"(region at the wrong level for the body)")


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
    errors: dict[str, list[str]] = {c: [] for c in cols}
    known = resolver.code_set()
    contexts: dict[tuple[str, ...], tuple[str | None, bool]] = {}
    for k in range(len(first)):
        values = tuple(combo[k] for combo in combos[:len(cols)])
        lvl, hnt = combos[len(cols)][k], combos[len(cols) + 1][k]
        text = values[-1].strip()
        # a code is resolve_one's own answer when its context resolves, it lies inside and is at its level
        # (the rule bulk_activities._quick_region applies to whole columns)
        if text in known:
            ctx = values[:-1]
            if ctx not in contexts:
                within, ctx_errors = context_region(resolver, ctx, ctx_cols)
                contexts[ctx] = (within, not ctx_errors)
            within, ctx_ok = contexts[ctx]
            if ctx_ok and (not lvl or LEVEL_OF_LENGTH.get(len(text)) == lvl) \
                    and (within is None or text.startswith(within + ".")):
                codes_out.append(text)
                for c in cols:
                    errors[c].append("")
                continue
        if not text:
            code, errs = None, {}
        else:
            code, errs = resolve_one(resolver, values, ctx_cols, target, lvl or None, hnt or None)
        codes_out.append(code)
        for c in cols:
            errors[c].append(errs.get(c, ""))
    for c in cols:
        err = np.asarray(errors[c], dtype=object)[group]
        p.add(pd.Series(err != "", index=raw.index), c, pd.Series(err, index=raw.index, dtype="str"))
    return pd.Series(np.asarray(codes_out, dtype=object)[group], index=raw.index, dtype="str")


def _parents(codes: pd.Series) -> tuple[pd.Series, pd.Series]:
    """provinsi_code and kabkota_code (NA for a province) of region codes."""
    kab = codes.str[:5].where(codes.str.len() >= 5)
    return codes.str[:2], kab


#: Level of a dotted region code by its length.
LEVEL_OF_LENGTH = {2: "provinsi", 5: "kabkota", 8: "kecamatan", 13: "desa"}


def _levels(codes: pd.Series) -> pd.Series:
    """Level of dotted region codes, from their length (NA for missing codes)."""
    return codes.str.len().map(LEVEL_OF_LENGTH)


def _body_from(body: pd.Series, codes: pd.Series) -> pd.Series:
    """The body given, or the one its region's level implies."""
    return body.fillna(_levels(codes).map(LEVEL_BODY))


# ---------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------


def _personnel(raw: pd.DataFrame, p: _Problems, resolver: RegionResolver, today: dt.date) -> pd.DataFrame:
    as_of = _date(raw, p, "tanggal", today)
    body = _choice(raw, p, "lembaga", "BODIES")
    role = _choice(raw, p, "jabatan", "ROLES")
    gender = _choice(raw, p, "jenis_kelamin", "GENDERS").fillna("X")
    count = _number(raw, p, "jumlah")
    code = _regions(raw, p, resolver, "wilayah", list(CONTEXT_LEVEL), body.map(spec.BODY_LEVEL))
    prov, kab = _parents(code)
    return pd.DataFrame({"as_of": as_of, "region_code": code, "provinsi_code": prov, "kabkota_code": kab,
                         "body": body, "role": role, "gender": gender, "count": count})


def _activities(raw: pd.DataFrame, p: _Problems, resolver: RegionResolver, today: dt.date) -> pd.DataFrame:
    date = _date(raw, p, "tanggal", today)
    org_body = _choice(raw, p, "lembaga_penyelenggara", "BODIES")
    organizer = _regions(raw, p, resolver, "penyelenggara", ["provinsi"], org_body.map(spec.BODY_LEVEL))
    code = _regions(raw, p, resolver, "lokasi", list(CONTEXT_LEVEL), hint=organizer)
    kind = _choice(raw, p, "jenis", "ACTIVITY_TYPES")
    participants = _number(raw, p, "peserta")
    title = _col(raw, "judul").str.strip()
    prov, kab = _parents(code)
    return pd.DataFrame({
        "activity_id": _col(raw, "id_kegiatan").str.strip(), "date": date, "organizer_code": organizer,
        "organizer_body": _body_from(org_body, organizer), "region_code": code, "provinsi_code": prov,
        "kabkota_code": kab, "type": kind, "title": title.where(title != ""), "participants": participants,
    })


def _pleno(raw: pd.DataFrame, p: _Problems, resolver: RegionResolver, today: dt.date) -> pd.DataFrame:
    body = _choice(raw, p, "lembaga", "BODIES")
    code = _regions(raw, p, resolver, "wilayah", ["provinsi"], body.map(spec.BODY_LEVEL))
    date = _date(raw, p, "minggu", today)
    held = _bool(raw, p, "dilaksanakan")
    present = _number(raw, p, "anggota_hadir")
    total = _number(raw, p, "jumlah_anggota")
    decisions = _number(raw, p, "jumlah_keputusan")
    minutes = _bool(raw, p, "notulen")
    score = _number(raw, p, "nilai", whole=False, nonnegative=False)
    p.add((score < 0) | (score > 100), "nilai", "Nilai di luar 0–100: '{v}' (score outside 0-100)")
    over = (present > total).fillna(False).astype(bool)
    reasons = pd.Series([f"Anggota hadir ({a:g}) lebih dari jumlah anggota ({b:g}) (members present above members "
                         f"total)" for a, b in zip(present.where(over, 0), total.where(over, 0), strict=True)],
                        index=raw.index)
    p.add(over, "anggota_hadir", reasons)
    outcome = _choice(raw, p, "hasil", "PLENO_OUTCOMES")
    from_score = pd.Series(np.select([score >= 80, score >= 60, score >= 0], ["baik", "cukup", "kurang"], ""),
                           index=raw.index).replace("", pd.NA)
    outcome = outcome.fillna(from_score).mask(held.eq(False).fillna(False).astype(bool), "tidak_pleno")
    week = date - pd.to_timedelta(date.dt.day_of_week, unit="D")
    prov, kab = _parents(code)
    return pd.DataFrame({
        "region_code": code, "provinsi_code": prov, "kabkota_code": kab, "body": _body_from(body, code),
        "week_start": week, "held": held, "members_present": present, "members_total": total,
        "decisions": decisions, "minutes_filed": minutes, "score": score, "outcome": outcome,
    })


def _tps(raw: pd.DataFrame, p: _Problems, resolver: RegionResolver, today: dt.date) -> pd.DataFrame:
    code = _regions(raw, p, resolver, "desa", list(CONTEXT_LEVEL),
                    pd.Series("desa", index=raw.index, dtype="str"))
    election = _choice(raw, p, "pemilu", "ELECTIONS")
    tps = _number(raw, p, "jumlah_tps")
    voters = _number(raw, p, "dpt")
    prov, kab = _parents(code)
    return pd.DataFrame({"desa_code": code, "provinsi_code": prov, "kabkota_code": kab,
                         "kecamatan_code": code.str[:8], "election": election, "tps": tps, "voters": voters})


def _seats_reference(raw: pd.DataFrame, p: _Problems, resolver: RegionResolver, today: dt.date) -> pd.DataFrame:
    body = _choice(raw, p, "lembaga", "BODIES")
    code = _regions(raw, p, resolver, "wilayah", ["provinsi"], body.map(spec.BODY_LEVEL))
    level = _levels(code)
    deep = code.notna() & body.isna() & ~level.isin(["provinsi", "kabkota"])
    p.add(deep, "wilayah", code.where(deep, "").map(
        lambda c: f"Tingkat wilayah tidak sesuai: {resolver.name(c)} ({c}) adalah {LEVEL_LABEL[level_of(c)]}; "
                  f"jumlah anggota ditetapkan untuk Bawaslu provinsi atau kabupaten/kota (region at the wrong "
                  f"level)" if c else ""))
    given = body.notna() & ~body.isin(spec.SOURCES["seats_reference"].column("lembaga").allowed)
    p.add(given, "lembaga", "Lembaga harus Bawaslu Provinsi atau Bawaslu Kabupaten/Kota: '{v}' (body must be "
                            "bawaslu_provinsi or bawaslu_kabkota)")
    body = _body_from(body, code)
    seats = _number(raw, p, "jumlah_anggota")
    allowed = pd.Series(False, index=raw.index)
    for b, seats_ok in spec.ALLOWED_SEATS.items():
        allowed |= (body == b) & seats.isin(seats_ok)
    check = seats.notna() & body.isin(["bawaslu_provinsi", "bawaslu_kabkota"]) & ~allowed
    reasons = body.where(check, "").map(
        lambda b: f"Jumlah anggota {b} harus {' atau '.join(map(str, spec.ALLOWED_SEATS[b]))}: '{{v}}' "
                  f"(seats not allowed by UU 7/2017)" if b else "")
    reasons = pd.Series([r.replace("{v}", v) for r, v in zip(reasons, _col(raw, "jumlah_anggota"), strict=True)],
                        index=raw.index)
    p.add(check, "jumlah_anggota", reasons)
    prov, _ = _parents(code)
    return pd.DataFrame({"region_code": code, "provinsi_code": prov, "body": body, "seats": seats})


_BUILDERS = {"personnel": _personnel, "activities": _activities, "pleno": _pleno, "tps": _tps,
             "seats_reference": _seats_reference}


# ---------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------


def duplicate_reason(label: str, value: str, first_row: int) -> str:
    return f"Duplikat: {label} '{value}' sudah ada di baris {first_row} (duplicate key)"


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
    p = _Problems(raw)
    _required(frame, p, template)
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
            src_cols = [KEY_SOURCE[table][c] for c in key_cols]
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
                                         "reason": reasons.loc[dup[dup].index].to_numpy()}))
            p.bad |= mask
            candidate = candidate[~dup]
    # last net: the warehouse schema (should find nothing the checks above did not)
    failures = schemas.row_failures(candidate, out_table, today)
    if len(failures):
        idx = pd.Index(failures["index"].astype("int64").unique())
        p.parts.append(pd.DataFrame({
            "row": failures["index"].astype("int64").to_numpy(), "column": failures["column"].to_numpy(),
            "value": failures["value"].to_numpy(),
            "reason": [f"Tidak lolos pemeriksaan skema: {c} (schema check failed)" for c in failures["check"]]}))
        candidate = candidate.drop(index=idx)
    rows = candidate.index.to_numpy(dtype="int64")
    good = candidate.reset_index(drop=True)
    rejects = p.frame(run_id=run_id, table=table, source=source.name)
    return LoadResult(good, rejects, len(frame), table=table, rows=rows)


def load_source(source: Source, resolver: RegionResolver, *, run_id: str, today: dt.date,
                chunk_rows: int | None = None, log: ReadLog | None = None, bulk: bool | None = None,
                restart: Callable[[], None] | None = None) -> Iterator[LoadResult]:
    """Load every chunk of a source (at most ``chunk_rows`` rows each); yields at least one (possibly empty) result.

    Activities CSVs take the bulk path (``etl.bulk_activities``; ``bulk=False`` or PANTAU_ETL_BULK=0 turns it
    off). When it gives up part-way, ``restart()`` is called so the caller drops the results it got, and the
    source is read again by the reference path; without ``restart`` that case raises RuntimeError.
    """
    source = infer_table(source)
    if bulk is None:
        bulk = os.environ.get("PANTAU_ETL_BULK", "1") != "0"
    if bulk and bulk_eligible(source):
        from etl.bulk_activities import load_activities_csv
        from etl.csv_arrow import BulkUnavailable

        yielded = False
        try:
            for result in load_activities_csv(source, resolver, run_id=run_id, today=today, log=log,
                                              max_rows=chunk_rows):
                yielded = True
                yield result
            return
        except BulkUnavailable:
            if yielded:
                if restart is None:
                    raise RuntimeError(f"{source.name}: bulk read gave up part-way and cannot restart") from None
                restart()
    keys = KeyTracker()
    kwargs = {"chunk_rows": chunk_rows} if chunk_rows else {}
    any_chunk = False
    for chunk in read_chunks(source, log=log, **kwargs):
        any_chunk = True
        yield load_chunk(chunk, source, resolver, run_id=run_id, today=today, keys=keys)
    if not any_chunk:
        yield LoadResult(schemas.empty_frame(OUTPUT_TABLE[source.table]), schemas.empty_frame("rejects"), 0,
                         table=source.table)


def bulk_eligible(source: Source) -> bool:
    from etl.readers import CSV_EXT, _is_spreadsheet

    if source.table != "activities" or source.is_sql:
        return False
    path = Path(source.path)  # type: ignore[arg-type]
    return path.is_file() and path.stat().st_size > 0 and not _is_spreadsheet(path) \
        and (path.suffix.lower() in CSV_EXT or path.suffix == "")


@lru_cache(maxsize=1)
def default_resolver() -> RegionResolver:
    """A resolver over the full region list (built once per process)."""
    return RegionResolver(regions_table())


def check_file(path_or_source: Path | str | Source, table: str | None = None, *, today: dt.date | None = None,
               resolver: RegionResolver | None = None) -> CheckReport:
    """Validate one source without loading it: rows read / ok / rejected and the rejects."""
    source = path_or_source if isinstance(path_or_source, Source) else Source(path=path_or_source)
    if table:
        source = Source(**{**source.__dict__, "table": table})
    source = infer_table(source)
    report = CheckReport(source=source.name, table=source.table or "")
    parts: list[pd.DataFrame] = []

    def restart() -> None:
        report.rows_read = report.rows_ok = report.rows_rejected = 0
        parts.clear()

    for res in load_source(source, resolver or default_resolver(), run_id="check", today=today or dt.date.today(),
                           log=report.log, restart=restart):
        report.rows_read += res.rows_read
        report.rows_ok += res.n_good
        report.rows_rejected += res.rows_read - res.n_good
        if len(res.rejects):
            parts.append(res.rejects)
    if parts:
        report.rejects = pd.concat(parts, ignore_index=True)
    return report


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
    out["provinsi_code"], out["kabkota_code"] = _parents(out["region_code"])
    out = out.sort_values(["region_code", "body", "election"], kind="stable").reset_index(drop=True)
    return schemas.conform(out, "seats")
