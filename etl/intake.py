"""One route from a source to checked warehouse rows: which table, which path, and the rows out.

A source is read by ``etl.readers`` under one layout (``etl.layout``: header, title rows, file-wide
values), then loaded by the reference loader (``etl.loaders.load_chunk``), or, for an activities CSV whose
layout is plain, by the bulk path (``etl.bulk_activities``), which gives the same rows and rejects faster.
The choice is made here and only here (``bulk_eligible``), for ``check`` and ``build`` alike. A personnel
table counted per gender ("L", "P" columns) is loaded once per gender; a row with a problem in either is
set aside whole. A TPS table kept one row per TPS, and a personnel list of names, are summed per key
(``etl.unit_lists``).
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from etl import schemas
from etl.bulk_activities import load_activities_csv
from etl.csv_arrow import BulkUnavailable
from etl.headers import GENDER_SEP
from etl.keys import KeyTracker
from etl.loaders import OUTPUT_TABLE, LoadResult, load_chunk
from etl.readers import CSV_EXT, RawChunk, ReadLog, Source, csv_layout, infer_table, is_spreadsheet, read_chunks
from etl.regions import RegionResolver, default_resolver
from etl.unit_lists import is_person_list, is_tps_list, load_person_list, load_tps_list, summed_note


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
    good: pd.DataFrame | None = None  # the rows that would load (warehouse columns), when asked for (``keep_rows``)


def bulk_eligible(source: Source) -> bool:
    """An activities CSV file whose layout is plain (etl.layout.Layout.plain) with an id column: the bulk path
    reads it. Everything else takes the reference path."""
    if source.table != "activities" or source.is_sql or source.scope:
        return False
    path = Path(source.path)  # type: ignore[arg-type]
    if not (path.is_file() and path.stat().st_size > 0 and not is_spreadsheet(path)
            and (path.suffix.lower() in CSV_EXT or path.suffix == "")):
        return False
    try:
        layout = csv_layout(path, source, ReadLog())
    except Exception:  # noqa: BLE001 - the reference path reports it
        return False
    # the region a title or file name names guides the reference resolution only (etl.loaders)
    return layout.plain and layout.area is None and "id_kegiatan" in layout.match.mapping.values()


def load_source(source: Source, resolver: RegionResolver | None, *, run_id: str, today: dt.date,
                chunk_rows: int | None = None, log: ReadLog | None = None, bulk: bool | None = None,
                restart: Callable[[], None] | None = None) -> Iterator[LoadResult]:
    """Load every chunk of a source (at most ``chunk_rows`` rows each); yields at least one (possibly empty) result.

    Activities CSVs take the bulk path when ``bulk_eligible`` (``bulk=False`` or PANTAU_ETL_BULK=0 turns it off).
    When it gives up part-way, ``restart()`` is called so the caller drops the results it got, and the source is
    read again by the reference path; without ``restart`` that case raises RuntimeError.
    """
    source = infer_table(source)
    resolver = resolver or default_resolver()
    if bulk is None:
        bulk = os.environ.get("PANTAU_ETL_BULK", "1") != "0"
    if bulk and bulk_eligible(source):
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
    chunks = read_chunks(source, log=log, **kwargs)
    for chunk in chunks:
        any_chunk = True
        genders = [c for c in chunk.frame.columns if GENDER_SEP in c]
        if is_tps_list(chunk) or is_person_list(chunk, source.table):  # one row a unit: summed over the source
            load = load_tps_list if source.table == "tps" else load_person_list
            result = load(itertools.chain([chunk], chunks), source, resolver, run_id=run_id, today=today)
            if log is not None:
                log.notes.append(summed_note(source.table, len(result.good)))
            yield result
            break
        if genders:
            yield _load_by_gender(chunk, genders, source, resolver, run_id=run_id, today=today, keys=keys)
        else:
            yield load_chunk(chunk, source, resolver, run_id=run_id, today=today, keys=keys)
    if not any_chunk:
        yield LoadResult(schemas.empty_frame(OUTPUT_TABLE[source.table]), schemas.empty_frame("rejects"), 0,
                         table=source.table)


def _load_by_gender(chunk: RawChunk, genders: list[str], source: Source, resolver: RegionResolver, *, run_id: str,
                    today: dt.date, keys: KeyTracker) -> LoadResult:
    """A personnel chunk counted per gender ('jumlah:L', 'jumlah:P'): each gender's count is loaded as its own row
    (a blank or '-' count is no row); a source row with a problem in any of them is set aside whole."""
    frame, headers = chunk.frame, chunk.headers
    goods, rows, rejects = [], [], []
    none = pd.Series(True, index=frame.index)
    for col in genders:
        none &= frame[col].str.strip().isin(["", "-"])
    for k, col in enumerate(genders):
        count = frame[col]
        some = ~count.str.strip().isin(["", "-"]) | (none if k == 0 else False)  # no count at all: a reject
        part = frame.loc[some].drop(columns=genders).assign(jumlah=count[some], jenis_kelamin=col.split(GENDER_SEP)[1])
        if not len(part):
            continue
        labels = {**headers, "jumlah": headers.get(col, col), "jenis_kelamin": headers.get(col, col)}
        res = load_chunk(RawChunk(part, chunk.first_row, chunk.sheet, labels), source, resolver, run_id=run_id,
                         today=today, keys=keys)
        goods.append(res.good)
        rows.append(res.rows if res.rows is not None else np.zeros(0, dtype="int64"))
        rejects.append(res.rejects)
    if not goods:
        return LoadResult(schemas.empty_frame("personnel"), schemas.empty_frame("rejects"), len(frame),
                          table="personnel")
    rej = pd.concat(rejects, ignore_index=True).drop_duplicates(["row", "column", "reason"])
    rej = rej.sort_values("row", kind="stable").reset_index(drop=True)
    good = pd.concat(goods, ignore_index=True)
    good_rows = np.concatenate(rows)
    whole = ~np.isin(good_rows, rej["row"].to_numpy())
    order = np.argsort(good_rows[whole], kind="stable")
    good = good[whole].iloc[order].reset_index(drop=True)
    return LoadResult(schemas.conform(good, "personnel"), schemas.conform(rej, "rejects"), len(frame),
                      table="personnel", rows=good_rows[whole][order])


def check_file(path_or_source: Path | str | Source, table: str | None = None, *, today: dt.date | None = None,
               resolver: RegionResolver | None = None, values: dict[str, str] | None = None,
               keep_rows: bool = False) -> CheckReport:
    """Validate one source without loading it: rows read / ok / rejected, the rejects, and what the read decided
    (``report.log``: headers taken, values filled, rows skipped); with ``keep_rows`` also the rows that would load
    (``report.good``: what the upload page compares with the warehouse)."""
    source = path_or_source if isinstance(path_or_source, Source) else Source(path=path_or_source)
    if table:
        source = Source(**{**source.__dict__, "table": table})
    if values:
        source = Source(**{**source.__dict__, "values": {**source.values, **values}})
    source = infer_table(source)
    report = CheckReport(source=source.name, table=source.table or "")
    parts: list[pd.DataFrame] = []
    goods: list[pd.DataFrame] = []

    def restart() -> None:
        report.rows_read = report.rows_ok = report.rows_rejected = 0
        parts.clear()
        goods.clear()

    for res in load_source(source, resolver, run_id="check", today=today or dt.date.today(), log=report.log,
                           restart=restart):
        report.rows_read += res.rows_read
        rejected = res.rejects["row"].nunique() if len(res.rejects) else 0
        report.rows_rejected += rejected
        report.rows_ok += res.rows_read - rejected
        if len(res.rejects):
            parts.append(res.rejects)
        if keep_rows:
            goods.append(res.good)
    if parts:
        report.rejects = pd.concat(parts, ignore_index=True)
    if keep_rows:
        report.good = pd.concat(goods, ignore_index=True) if goods else \
            schemas.empty_frame(OUTPUT_TABLE[source.table])  # type: ignore[index]
    return report
