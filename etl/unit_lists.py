"""Tables kept one row per unit (a TPS, a person) where the warehouse holds one row per key with a count.

- **TPS.** KPU's DPT recap, and many offices' own lists, give each TPS its own row ('TPS 001' and its voters),
  under a 'Nomor TPS' header or under 'TPS', which otherwise names the count: labels there make it a list. Each
  row is checked as one TPS. A TPS number that came earlier for the same desa and election is set aside as a
  duplicate, naming the row it repeats. The rest are summed per desa and election: ``tps`` counts the TPS and
  ``voters`` adds up their DPT.
- **People.** A personnel list of names (a 'Nama' or 'NIK' column, dropped as personal data, and no count) has
  one person a row: its count is 1 (``etl.layout`` fills it, origin PER_PERSON), and the rows that load are summed
  per date, region, body, role and gender instead of being duplicates of each other.

A key's rows may span chunks, so the whole source is summed once, at its end, and comes out as one result.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

from etl import checks, schemas, spec
from etl.file_values import PER_PERSON
from etl.keys import duplicate_reason
from etl.loaders import LoadResult, load_chunk
from etl.readers import RawChunk, Source
from etl.regions import RegionResolver

NUMBER = "nomor_tps"
COUNT = "jumlah_tps"
_NUMBERED = re.compile(r"(?:TPS[\s.\-]*)?0*(\d+)")
#: A TPS's label as KPU writes it ('TPS 001', 'TPS-12') or a zero-padded number ('001', '07'): never a count.
_LABEL = re.compile(r"\s*(?:TPS\b.*\d.*|0\d+\s*)", re.IGNORECASE)


def is_tps_list(chunk: RawChunk) -> bool:
    """True when the chunk lists TPS one a row: a TPS number column and no TPS count, or a 'TPS' column (read as the
    count) that holds TPS labels in most of its filled cells."""
    columns = chunk.frame.columns
    if NUMBER in columns:
        return COUNT not in columns
    return COUNT in columns and _labels(chunk.frame[COUNT])


def _labels(values: pd.Series) -> bool:
    filled = values[values.str.strip().ne("")]
    return bool(len(filled)) and filled.str.fullmatch(_LABEL).mean() > 0.5


def is_person_list(chunk: RawChunk, table: str | None) -> bool:
    """True when a personnel chunk lists people one a row (its count filled as 1 for each, see the docstring)."""
    return table == "personnel" and chunk.headers.get("jumlah", "").endswith(f"({PER_PERSON})")


def tps_number(text: str) -> str:
    """A TPS number as compared: 'TPS 001', 'tps-1', '001' and '1' are all '1'; another label is kept upper case,
    its spaces folded ('TPS LOKSUS 2')."""
    label = " ".join(str(text).upper().split())
    found = _NUMBERED.fullmatch(label)
    return found.group(1) if found else label


def load_tps_list(chunks: Iterable[RawChunk], source: Source, resolver: RegionResolver, *, run_id: str,
                  today: dt.date) -> LoadResult:
    """Check every row of a per-TPS list as one TPS, set repeated TPS numbers aside, and sum the rest per desa and
    election."""
    goods, rejects, read, label = _checked(map(_numbered, chunks), source, resolver, run_id, today, NUMBER)
    good = pd.concat(goods, ignore_index=True) if goods else pd.DataFrame()
    if len(good):
        good["_key"] = good[NUMBER].map(tps_number)
        first = good.groupby(["desa_code", "election", "_key"], sort=False)["_row"].transform("min")
        repeated = good["_row"] != first
        if repeated.any():
            dup = good[repeated]
            rejects.append(schemas.conform(pd.DataFrame({
                "row": dup["_row"].to_numpy(), "column": label, "value": dup[NUMBER].astype("str").to_numpy(),
                "reason": [duplicate_reason(label, v, int(f)) for v, f in zip(dup[NUMBER], first[repeated],
                                                                             strict=True)],
                "check": checks.DUPLICATE_KEY.id, "run_id": run_id, "table": "tps", "source": source.name}),
                "rejects"))
            good = good[~repeated]
    return _summed(good, "tps", {"tps": ("_key", "size"), "voters": ("voters", "sum")}, rejects, read)


def load_person_list(chunks: Iterable[RawChunk], source: Source, resolver: RegionResolver, *, run_id: str,
                     today: dt.date) -> LoadResult:
    """Check every row of a list of names as one person and count them per date, region, body, role and gender."""
    goods, rejects, read, _ = _checked(chunks, source, resolver, run_id, today, None)
    good = pd.concat(goods, ignore_index=True) if goods else pd.DataFrame()
    return _summed(good, "personnel", {"count": ("count", "sum")}, rejects, read)


def summed_note(table: str, rows: int) -> str:
    """What check and the upload page say of a list: its rows became ``rows`` warehouse rows."""
    unit, per = ("TPS", "kelurahan/desa dan pemilu") if table == "tps" else \
        ("orang", "tanggal, wilayah, lembaga, jabatan dan jenis kelamin")
    return (f"satu baris per {unit}: baris yang lolos dihitung per {per}, menjadi {rows} baris di gudang data "
            f"(one row per {unit}, counted per key)")


def _numbered(chunk: RawChunk) -> RawChunk:
    """The chunk with its TPS labels under NUMBER (a 'TPS' column taken as the count holds them), and a count of 1
    a row, blank where the number is (its row is then set aside as missing the number)."""
    frame, headers = chunk.frame, chunk.headers
    if NUMBER not in frame.columns:
        headers = {(NUMBER if c == COUNT else c): h for c, h in headers.items()}
        frame = frame.rename(columns={COUNT: NUMBER})
    number = frame[NUMBER]
    frame = frame.assign(**{COUNT: number.where(number.str.strip().eq(""), "1")})
    return RawChunk(frame, chunk.first_row, chunk.sheet, {**headers, COUNT: headers.get(NUMBER, NUMBER)})


def _checked(chunks: Iterable[RawChunk], source: Source, resolver: RegionResolver, run_id: str, today: dt.date,
             carried: str | None) -> tuple[list[pd.DataFrame], list[pd.DataFrame], int, str]:
    """Each chunk through the reference loader without its key check: (good rows with their row number and the
    ``carried`` raw column, rejects, rows read, the header of ``carried``)."""
    goods: list[pd.DataFrame] = []
    rejects: list[pd.DataFrame] = []
    read, label = 0, carried or ""
    for chunk in chunks:
        read += len(chunk)
        if carried:
            label = chunk.headers.get(carried, carried)
        res = load_chunk(chunk, source, resolver, run_id=run_id, today=today, check_keys=False)
        rejects.append(res.rejects)
        rows = res.rows if res.rows is not None else np.zeros(0, dtype="int64")
        good = res.good.assign(_row=rows)
        if carried:
            good[carried] = chunk.frame[carried].loc[rows].to_numpy()
        goods.append(good)
    return goods, rejects, read, label


def _summed(good: pd.DataFrame, table: str, sums: dict[str, tuple[str, str]], rejects: list[pd.DataFrame],
            read: int) -> LoadResult:
    """``good`` summed per the table's key (``sums``: column -> (column, aggregation)), in the order of each key's
    first row; the other columns are the same on every row of a key (they follow from it)."""
    found = [r for r in rejects if len(r)]
    rejected = pd.concat(found, ignore_index=True).sort_values("row", kind="stable").reset_index(drop=True) \
        if found else schemas.empty_frame("rejects")
    if not len(good):
        return LoadResult(schemas.empty_frame(table), rejected, read, table=table)
    key = spec.KEYS[table]
    columns = list(schemas.empty_frame(table).columns)
    rest = {c: (c, "first") for c in columns if c not in key and c not in sums}
    summed = good.groupby(key, sort=False, dropna=False).agg(**rest, **sums, _row=("_row", "min")).reset_index()
    summed = summed.sort_values("_row", kind="stable")
    rows = summed.pop("_row").to_numpy(dtype="int64")
    return LoadResult(schemas.conform(summed[columns].reset_index(drop=True), table), rejected, read, table=table,
                      rows=rows)
