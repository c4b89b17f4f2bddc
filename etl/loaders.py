"""One source chunk -> good warehouse rows + rejects, for every source table (the reference path).

A row with any problem is set aside in rejects (one reject row per row and column problem, with the
value as written and a reason a person understands, Indonesian first, and the rule it broke: etl.checks); every
other row loads. Personal-data columns never get here: the readers drop them with the header match. Region
columns are resolved by etl.region_columns, keys tracked by etl.keys, problems collected by etl.problems.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import pyarrow as pa

from etl import checks, parse, schemas, spec
from etl import codes as code_shape
from etl.codes import level_of
from etl.headers import LEVEL_HINT
from etl.keys import KeyTracker, derived_ids, duplicate_reason
from etl.problems import Problems, column, file_area
from etl.readers import FORMULA_HINT, RawChunk, Source, formula_cells
from etl.region_columns import CONTEXT_LEVEL, LEVEL_BODY, inside_area, resolve_column
from etl.regions import LEVEL_LABEL, RegionResolver

#: warehouse key column -> source column, per source table (for duplicate reasons).
KEY_SOURCE = {t: spec.TABLES[t].key_source for t in spec.SOURCES}
OUTPUT_TABLE = {"personnel": "personnel", "activities": "activities", "pleno": "pleno", "tps": "tps",
                "seats_reference": "seats_reference"}
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



# ---------------------------------------------------------------------------
# Typed columns
# ---------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _control_characters(raw: pd.DataFrame, p: Problems) -> None:
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



def _uncached_formulas(raw: pd.DataFrame, p: Problems) -> None:
    """A spreadsheet's formula cell with no value saved (etl.readers puts them in FORMULA_HINT) sets its row aside,
    blamed on its column with the formula as the value: a reader would have given an empty cell."""
    if FORMULA_HINT not in raw.columns:
        return
    cells = [(row, *cell) for row, hint in raw[FORMULA_HINT].items() if hint for cell in formula_cells(hint)]
    for col in dict.fromkeys(c for _, c, _, _ in cells):
        mine = pd.DataFrame([(r, reason, text) for r, c, reason, text in cells if c == col],
                            columns=["row", "reason", "formula"]).drop_duplicates("row").set_index("row")
        p.add(pd.Series(raw.index.isin(mine.index), index=raw.index), col, checks.UNCACHED_FORMULA,
              mine["reason"].reindex(raw.index, fill_value=""), mine["formula"].reindex(raw.index, fill_value=""))


#: Columns that may be absent, but when a source has one, every row must fill it: an activity's id (without the
#: column, a key is derived from the row: derived_ids).
REQUIRED_WHEN_PRESENT = {"activities": ("id_kegiatan",)}


def _required(raw: pd.DataFrame, p: Problems, template: spec.SourceTemplate) -> None:
    present = [c for c in REQUIRED_WHEN_PRESENT.get(template.table, ()) if c in raw.columns]
    for col in template.columns:
        if col.required or col.name in present:
            p.add(parse.is_blank(column(raw, col.name)), col.name, checks.REQUIRED,
                  checks.REQUIRED.reason(column=p.label(col.name)))


def _date(raw: pd.DataFrame, p: Problems, name: str, today: dt.date) -> pd.Series:
    values, bad = parse.parse_dates(column(raw, name))
    p.add(bad, name, checks.NOT_A_DATE)
    earliest = pd.Timestamp(spec.EARLIEST_DATE)
    p.add(values < earliest, name, checks.DATE_TOO_EARLY,
          checks.DATE_TOO_EARLY.reason(earliest=fmt_date(earliest.date())))
    p.add(values > pd.Timestamp(today), name, checks.DATE_IN_FUTURE,
          checks.DATE_IN_FUTURE.reason(today=fmt_date(today)))
    return values


#: Number columns a file may leave empty, where a dash is empty too (a required one still says it is missing).
_MAY_BE_EMPTY = {"peserta", "anggota_hadir", "jumlah_keputusan", "nilai", "jumlah_anggota"}


def _number(raw: pd.DataFrame, p: Problems, name: str, *, whole: bool = True,
            nonnegative: bool = True) -> pd.Series:
    written = column(raw, name)
    if name in _MAY_BE_EMPTY:
        written = written.mask(written.str.strip().isin(parse.DASHES), "")
    values, bad = parse.parse_numbers(written)
    p.add(bad, name, checks.NOT_A_NUMBER)
    if whole:
        p.add(values.notna() & (values != values.round()), name, checks.NOT_WHOLE)
        p.add(values.abs() > parse.MAX_WHOLE, name, checks.TOO_LARGE)
    if nonnegative:
        p.add(values < 0, name, checks.NEGATIVE)
    return values


def _bool(raw: pd.DataFrame, p: Problems, name: str) -> pd.Series:
    values, bad = parse.parse_bools(column(raw, name))
    p.add(bad, name, checks.NOT_YES_NO)
    return values


def _choice(raw: pd.DataFrame, p: Problems, name: str, vocab_name: str) -> pd.Series:
    vocab = parse.vocabulary(vocab_name)
    values, bad = parse.parse_choices(column(raw, name), vocab)
    if bad.any():
        rule = checks.UNKNOWN_CHOICE[vocab_name]
        allowed = ", ".join(k for k in vocab if k)

        def reason(v: str) -> str:
            hint = parse.closest_choice(v, vocab)
            return rule.reason(maybe=f" — mungkin: {hint}" if hint else "", allowed=allowed).replace("{v}", v)

        raw_vals = column(raw, name)
        reasons = raw_vals.where(bad, "").map(lambda v: reason(v) if v else "")
        p.add(bad, name, rule, reasons)
    return values


def _body_from(body: pd.Series, codes: pd.Series) -> pd.Series:
    """The body given, or the one its region's level implies."""
    return body.fillna(code_shape.levels(codes).map(LEVEL_BODY))


# ---------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------


def _personnel(raw: pd.DataFrame, p: Problems, resolver: RegionResolver, today: dt.date) -> pd.DataFrame:
    as_of = _date(raw, p, "tanggal", today)
    body = _choice(raw, p, "lembaga", "BODIES")
    role = _choice(raw, p, "jabatan", "ROLES")
    gender = _choice(raw, p, "jenis_kelamin", "GENDERS").fillna("X")
    count = _number(raw, p, "jumlah")
    code = resolve_column(raw, p, resolver, "wilayah", list(CONTEXT_LEVEL), body.map(spec.BODY_LEVEL), file_area(raw))
    code = inside_area(raw, p, resolver, "wilayah", code)
    prov, kab = code_shape.parents(code)
    return pd.DataFrame({"as_of": as_of, "region_code": code, "provinsi_code": prov, "kabkota_code": kab,
                         "body": body, "role": role, "gender": gender, "count": count})


def _activities(raw: pd.DataFrame, p: Problems, resolver: RegionResolver, today: dt.date) -> pd.DataFrame:
    date = _date(raw, p, "tanggal", today)
    org_body = _choice(raw, p, "lembaga_penyelenggara", "BODIES")
    area = file_area(raw)
    organizer = resolve_column(raw, p, resolver, "penyelenggara", ["provinsi"], org_body.map(spec.BODY_LEVEL), area)
    written_at = raw[LEVEL_HINT] if LEVEL_HINT in raw.columns else None  # the level column a place was written in
    code = resolve_column(raw, p, resolver, "lokasi", list(CONTEXT_LEVEL), written_at,
                    hint=organizer if area is None else organizer.fillna(area))
    kind = _choice(raw, p, "jenis", "ACTIVITY_TYPES")
    participants = _number(raw, p, "peserta")
    title = column(raw, "judul").str.strip()
    ids = column(raw, "id_kegiatan").str.strip() if "id_kegiatan" in raw.columns \
        else derived_ids(organizer, date, code, kind, title)
    prov, kab = code_shape.parents(code)
    return pd.DataFrame({
        "activity_id": ids, "date": date, "organizer_code": organizer,
        "organizer_body": _body_from(org_body, organizer), "region_code": code, "provinsi_code": prov,
        "kabkota_code": kab, "type": kind, "title": title.where(title != ""), "participants": participants,
    })


def _pleno(raw: pd.DataFrame, p: Problems, resolver: RegionResolver, today: dt.date) -> pd.DataFrame:
    body = _choice(raw, p, "lembaga", "BODIES")
    level = body.map(spec.BODY_LEVEL)
    if LEVEL_HINT in raw.columns:  # a body not given sits at the level its region was written in
        level = level.fillna(raw[LEVEL_HINT].replace("", pd.NA))
    code = resolve_column(raw, p, resolver, "wilayah", list(CONTEXT_LEVEL), level, file_area(raw))
    code = inside_area(raw, p, resolver, "wilayah", code)
    date = _date(raw, p, "minggu", today)
    held = _bool(raw, p, "dilaksanakan")
    present = _number(raw, p, "anggota_hadir")
    total = _members(raw, p, _body_from(body, code))
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
    evaluator = resolve_column(raw, p, resolver, "penilai", []) if "penilai" in raw.columns \
        else pd.Series(pd.NA, index=raw.index, dtype="str")
    prov, kab = code_shape.parents(code)
    return pd.DataFrame({
        "region_code": code, "provinsi_code": prov, "kabkota_code": kab, "body": _body_from(body, code),
        "week_start": week, "held": held, "members_present": present, "members_total": total,
        "decisions": decisions, "minutes_filed": minutes, "score": score, "outcome": outcome,
        "evaluator_code": evaluator,
    })


def _members(raw: pd.DataFrame, p: Problems, body: pd.Series) -> pd.Series:
    """A pleno body's members: as written, else the number the law fixes for its body (3 for a Panwaslu Kecamatan,
    1 for a PKD or PTPS); a Bawaslu's, whose number is set per region, must be written."""
    total = _number(raw, p, "jumlah_anggota")
    by_law = body.map(lambda b: spec.ALLOWED_SEATS[b][0] if len(spec.ALLOWED_SEATS.get(b, ())) == 1 else np.nan)
    total = total.fillna(by_law.astype("float64"))
    missing = total.isna() & body.notna() & ~p.bad
    p.add(missing, "jumlah_anggota", checks.REQUIRED, checks.REQUIRED.reason(column=p.label("jumlah_anggota")))
    return total


def _tps(raw: pd.DataFrame, p: Problems, resolver: RegionResolver, today: dt.date) -> pd.DataFrame:
    code = resolve_column(raw, p, resolver, "desa", list(CONTEXT_LEVEL),
                    pd.Series("desa", index=raw.index, dtype="str"), file_area(raw))
    code = inside_area(raw, p, resolver, "desa", code)
    election = _choice(raw, p, "pemilu", "ELECTIONS")
    tps = _number(raw, p, "jumlah_tps")
    voters = _number(raw, p, "dpt")
    prov, kab = code_shape.parents(code)
    return pd.DataFrame({"desa_code": code, "provinsi_code": prov, "kabkota_code": kab,
                         "kecamatan_code": code.str[:8], "election": election, "tps": tps, "voters": voters})


def _seats_reference(raw: pd.DataFrame, p: Problems, resolver: RegionResolver, today: dt.date) -> pd.DataFrame:
    body = _choice(raw, p, "lembaga", "BODIES")
    code = resolve_column(raw, p, resolver, "wilayah", ["provinsi"], body.map(spec.BODY_LEVEL), file_area(raw))
    code = inside_area(raw, p, resolver, "wilayah", code)
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
    reasons = pd.Series([r.replace("{v}", v) for r, v in zip(reasons, column(raw, "jumlah_anggota"), strict=True)],
                        index=raw.index)
    p.add(check, "jumlah_anggota", checks.SEATS_NOT_ALLOWED, reasons)
    prov, _ = code_shape.parents(code)
    return pd.DataFrame({"region_code": code, "provinsi_code": prov, "body": body, "seats": seats})


#: The columns placing a row, per table, each with the source column blamed when it lies outside an account's
#: region (``Source.scope``): where the warehouse scopes the row (its kab/kota or desa; an activity's location),
#: and an activity's organiser too, whose rows (its key) an account outside it must not replace.
SCOPED_BY = {"personnel": {"region_code": "wilayah"}, "pleno": {"region_code": "wilayah"},
             "activities": {"region_code": "lokasi", "organizer_code": "penyelenggara"},
             "tps": {"desa_code": "desa"}, "seats_reference": {"region_code": "wilayah"}}


def _outside_scope(built: pd.DataFrame, p: Problems, resolver: RegionResolver, table: str, scope: str) -> None:
    """Set aside the rows placed outside region ``scope`` (an upload's account: '18' a province, '18.01' a kab/kota),
    blaming the first column that placed them there (a row with other problems too: all are told at once)."""
    inside = f"{scope}."
    told = pd.Series(False, index=built.index)
    for col, source_col in SCOPED_BY[table].items():
        codes = built[col].astype("string")
        out = (codes.notna() & codes.ne(scope) & ~codes.str.startswith(inside).fillna(False) & ~told)
        told |= out.astype(bool)
        if not out.any():
            continue
        said = {c: checks.OUTSIDE_ACCOUNT.reason(name=resolver.name(c) or c, code=c,
                                                 scope_name=resolver.name(scope) or scope, scope=scope)
                for c in codes[out].unique()}
        p.add(out.astype(bool), source_col, checks.OUTSIDE_ACCOUNT, codes.where(out).map(said).fillna(""))


_BUILDERS = {"personnel": _personnel, "activities": _activities, "pleno": _pleno, "tps": _tps,
             "seats_reference": _seats_reference}


# ---------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------


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
    p = Problems(raw, table)
    _uncached_formulas(frame, p)  # first: its reason is the one kept for the cell
    _required(frame, p, template)
    _control_characters(frame, p)
    built = _BUILDERS[table](frame, p, resolver, today)
    built["source"] = source.name
    if source.scope:
        _outside_scope(built, p, resolver, table, source.scope)
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
            values = column(frame, src_cols[0]).astype("str")
            for c in src_cols[1:]:
                values = values.str.cat(column(frame, c).astype("str"), sep=" | ")
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
