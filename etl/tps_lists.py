"""A TPS table kept one row per TPS (a 'Nomor TPS' column and no TPS count), counted per kelurahan/desa.

KPU's DPT recap, and many offices' own lists, give each TPS its own row ('TPS 001' and its voters), under a
'Nomor TPS' header or under 'TPS', which otherwise names the count: labels there make it a list. Each row is
checked as a row of the per-desa table is (its desa, election and voters), as one TPS. A TPS number that came
earlier for the same desa and election is set aside as a duplicate, naming the row it repeats. The rows that
load are then summed per desa and election: ``tps`` counts the TPS and ``voters`` adds up their DPT. A desa's
TPS may span chunks, so the whole source is summed once, at its end, and comes out as one result.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

from etl import checks, schemas
from etl.keys import duplicate_reason
from etl.loaders import LoadResult, load_chunk
from etl.readers import RawChunk, Source
from etl.regions import RegionResolver

NUMBER = "nomor_tps"
COUNT = "jumlah_tps"
KEY = ["desa_code", "election"]
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


def _numbered(chunk: RawChunk) -> RawChunk:
    """The chunk with its TPS labels under NUMBER (a 'TPS' column taken as the count holds them)."""
    if NUMBER in chunk.frame.columns:
        return chunk
    headers = {(NUMBER if c == COUNT else c): h for c, h in chunk.headers.items()}
    return RawChunk(chunk.frame.rename(columns={COUNT: NUMBER}), chunk.first_row, chunk.sheet, headers)


def tps_number(text: str) -> str:
    """A TPS number as compared: 'TPS 001', 'tps-1', '001' and '1' are all '1'; another label is kept upper case,
    its spaces folded ('TPS LOKSUS 2')."""
    label = " ".join(str(text).upper().split())
    found = _NUMBERED.fullmatch(label)
    return found.group(1) if found else label


def load_tps_list(chunks: Iterable[RawChunk], source: Source, resolver: RegionResolver, *, run_id: str,
                  today: dt.date) -> LoadResult:
    """Check every row of a per-TPS list as one TPS, set repeated TPS numbers aside, and sum the rest per desa and
    election (see the module docstring)."""
    goods: list[pd.DataFrame] = []
    rejects: list[pd.DataFrame] = []
    read, label = 0, NUMBER
    for chunk in map(_numbered, chunks):
        read += len(chunk)
        label = chunk.headers.get(NUMBER, NUMBER)
        number = chunk.frame[NUMBER]
        # a row is one TPS; without its number the count is what is missing, blamed on the number's column
        one = chunk.frame.assign(**{COUNT: number.where(number.str.strip().eq(""), "1")})
        res = load_chunk(RawChunk(one, chunk.first_row, chunk.sheet, {**chunk.headers, COUNT: label}), source,
                         resolver, run_id=run_id, today=today, check_keys=False)
        rejects.append(res.rejects)
        rows = res.rows if res.rows is not None else np.zeros(0, dtype="int64")
        goods.append(res.good.assign(_row=rows, _number=number.loc[rows].to_numpy()))
    good = pd.concat(goods, ignore_index=True) if goods else pd.DataFrame()
    if not len(good):
        return LoadResult(schemas.empty_frame("tps"), _sorted(rejects), read, table="tps")
    good["_key"] = good["_number"].map(tps_number)
    first = good.groupby([*KEY, "_key"], sort=False)["_row"].transform("min")
    repeated = good["_row"] != first
    if repeated.any():
        dup = good[repeated]
        rejects.append(schemas.conform(pd.DataFrame({
            "row": dup["_row"].to_numpy(), "column": label, "value": dup["_number"].astype("str").to_numpy(),
            "reason": [duplicate_reason(label, v, int(f)) for v, f in zip(dup["_number"], first[repeated],
                                                                         strict=True)],
            "check": checks.DUPLICATE_KEY.id, "run_id": run_id, "table": "tps", "source": source.name}), "rejects"))
        good = good[~repeated]
    summed = good.groupby(KEY, sort=False, dropna=False).agg(
        provinsi_code=("provinsi_code", "first"), kabkota_code=("kabkota_code", "first"),
        kecamatan_code=("kecamatan_code", "first"), tps=("_key", "size"), voters=("voters", "sum"),
        source=("source", "first"), _row=("_row", "min")).reset_index().sort_values("_row", kind="stable")
    rows = summed.pop("_row").to_numpy(dtype="int64")
    out = schemas.conform(summed[list(schemas.empty_frame("tps").columns)].reset_index(drop=True), "tps")
    return LoadResult(out, _sorted(rejects), read, table="tps", rows=rows)


def _sorted(rejects: list[pd.DataFrame]) -> pd.DataFrame:
    found = [r for r in rejects if len(r)]
    if not found:
        return schemas.empty_frame("rejects")
    return pd.concat(found, ignore_index=True).sort_values("row", kind="stable").reset_index(drop=True)
