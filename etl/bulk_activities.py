"""The bulk path of activities CSV sources: the same rows and rejects as the reference loader, vectorised.

Activities are 9 in 10 warehouse rows at national scale, so their CSVs skip the row-by-row pandas
path. Each block of raw strings (``etl.csv_arrow``) is parsed in polars: every distinct value of a
column is parsed once by the reference parsers of ``etl.parse`` (memoised across blocks), region
codes written as codes are checked against the region list in one join, and names go through the
reference ``loaders.resolve_one``. A row with any problem is handed, with its raw strings, to the
reference ``loaders.load_chunk``: rejects keep their exact rows, columns and reasons by construction,
and a row the quick checks were unsure of still loads when the reference accepts it. Duplicate
activity ids are found over all good rows of the source (``KeyTracker`` with polars hashes), and the
warehouse contract (``schemas.polars_schema``) is the last net, as in the reference path.
``tests/test_bulk.py`` holds the two paths to the same output.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import numpy as np
import pandas as pd
import polars as pl

from etl import parse, schemas, spec
from etl.csv_arrow import ROW, RawBatch, read_csv_batches
from etl.loaders import (
    CONTEXT_LEVEL,
    LEVEL_BODY,
    LEVEL_OF_LENGTH,
    KeyTracker,
    LoadResult,
    context_region,
    duplicate_reason,
    load_chunk,
    resolve_one,
)
from etl.readers import ReadLog, Source
from etl.regions import RegionResolver

TABLE = "activities"
_MISSING = object()


class _Memo:
    """Parsed values and resolved regions of one source, kept across its blocks."""

    def __init__(self, resolver: RegionResolver, today: dt.date) -> None:
        self.resolver = resolver
        self.today = today
        self.values: dict[str, dict[str, object]] = {}
        self.regions: dict[tuple, tuple[str | None, bool]] = {}
        self.within: dict[tuple, tuple[str | None, bool]] = {}
        self.codes = pl.Series("code", sorted(resolver.codes()), dtype=pl.String)


def _per_value(col: pl.Series, kind: str, fn: Callable[[str], object], memo: _Memo,
               dtype: pl.DataType) -> tuple[pl.Series, pl.Series]:
    """Parse each distinct value once (blank -> missing, as ``parse._map_unique``): (values, bad)."""
    cache = memo.values.setdefault(kind, {})
    uniq = col.unique().to_list()
    for u in uniq:
        if u not in cache:
            cache[u] = _MISSING if u.strip() == "" else fn(u)
    parsed = [cache[u] for u in uniq]
    values = pl.Series([None if v is _MISSING or v is parse._BAD else v for v in parsed], dtype=dtype)
    bad = pl.Series([v is parse._BAD for v in parsed], dtype=pl.Boolean)
    keys = pl.Series(uniq, dtype=pl.String)
    return (col.replace_strict(keys, values, return_dtype=dtype),
            col.replace_strict(keys, bad, return_dtype=pl.Boolean))


def _choice(col: pl.Series, vocab_name: str, memo: _Memo) -> tuple[pl.Series, pl.Series]:
    lookup = parse.vocabulary_lookup(parse.vocabulary(vocab_name))
    return _per_value(col, vocab_name, lambda t: lookup.get(parse.choice_key(t), parse._BAD), memo, pl.String)


def _regions(frame: pl.DataFrame, target: str, ctx: list[str], level: pl.Series | None, hint: pl.Series | None,
             memo: _Memo) -> tuple[pl.Series, pl.Series]:
    """Region code of ``target`` per row and whether it resolved without a problem (the reference
    ``loaders._regions``): codes inside their context in one join, anything else per combination."""
    ctx = [c for c in ctx if c in frame.columns]
    n = frame.height
    level = (level if level is not None else pl.repeat("", n, dtype=pl.String, eager=True)).fill_null("")
    hint = (hint if hint is not None else pl.repeat("", n, dtype=pl.String, eager=True)).fill_null("")
    work = frame.select(*ctx, target).with_columns(level.alias("_level"), hint.alias("_hint"))
    # the deepest context region of each distinct context (usually one or a few per block)
    within = pl.repeat(None, n, dtype=pl.String, eager=True)
    ctx_ok = pl.repeat(True, n, eager=True)
    if ctx:
        ctx_u = work.select(ctx).unique()
        found = []
        for values in ctx_u.iter_rows():
            if values not in memo.within:
                w, errs = context_region(memo.resolver, values, ctx)
                memo.within[values] = (w, not errs)
            found.append(memo.within[values])
        ctx_u = ctx_u.with_columns(pl.Series("_within", [w for w, _ in found], dtype=pl.String),
                                   pl.Series("_ctx_ok", [ok for _, ok in found], dtype=pl.Boolean))
        if ctx_u.height == 1:
            within = pl.repeat(found[0][0], n, dtype=pl.String, eager=True)
            ctx_ok = pl.repeat(found[0][1], n, eager=True)
        else:
            joined = work.select(ctx).join(ctx_u, on=ctx, how="left", maintain_order="left")
            within, ctx_ok = joined["_within"], joined["_ctx_ok"]
    text = work[target].str.strip_chars()
    inside = within.is_null() | text.str.starts_with(within + ".")
    level_ok = (work["_level"] == "") | (work["_level"] == text.str.len_bytes().replace_strict(
        LEVEL_OF_LENGTH, default="", return_dtype=pl.String))
    is_code = text.str.contains(schemas.RE_ANY_REGION) & text.is_in(memo.codes.implode())
    quick = (is_code & inside & level_ok & ctx_ok).fill_null(False)
    code, ok = text.zip_with(quick, pl.repeat(None, n, dtype=pl.String, eager=True)), quick
    if quick.all():
        return code, ok
    # everything else: the reference resolution, once per distinct (context, target, level, hint); the hint
    # only counts where no context region is given (resolve_one), so elsewhere it is blanked before grouping
    keys = [*ctx, target, "_level", "_hint"]
    slow_idx = (~quick).arg_true()
    sub = work[slow_idx].select(keys).with_columns(
        pl.when(within[slow_idx].is_null()).then(pl.col("_hint")).otherwise(pl.lit("")).alias("_hint"))
    rest = sub.unique()
    codes, oks = [], []
    for values in rest.iter_rows():
        if values not in memo.regions:
            vals, lvl, hnt = values[:len(ctx) + 1], values[-2], values[-1]
            if not vals[-1].strip():
                memo.regions[values] = (None, True)  # blank: the required check decides
            else:
                code_, errs = resolve_one(memo.resolver, vals, ctx, target, lvl or None, hnt or None)
                memo.regions[values] = (code_, not errs)
        c, k = memo.regions[values]
        codes.append(c)
        oks.append(k)
    rest = rest.with_columns(pl.Series("_code", codes, dtype=pl.String), pl.Series("_ok", oks, dtype=pl.Boolean))
    sub = sub.join(rest, on=keys, how="left", maintain_order="left")
    return code.scatter(slow_idx, sub["_code"]), ok.scatter(slow_idx, sub["_ok"])


def _blank(col: pl.Series) -> pl.Series:
    return col.str.strip_chars().str.len_bytes() == 0


def _build(batch: RawBatch, memo: _Memo) -> tuple[pl.DataFrame, pl.Series]:
    """The warehouse rows of a block and a mask of the rows without any problem."""
    f = batch.frame
    n = f.height

    def col(name: str) -> pl.Series:
        return f[name] if name in f.columns else pl.repeat("", n, dtype=pl.String, eager=True).alias(name)

    ok = pl.repeat(True, n, eager=True)
    for c in spec.SOURCES[TABLE].columns:
        if c.required:
            ok &= ~_blank(col(c.name))
    date, bad = _per_value(col("tanggal"), "date", parse.parse_date_value, memo, pl.Date)
    ok &= ~bad & ~(date < dt.date.fromisoformat(spec.EARLIEST_DATE)).fill_null(False) \
        & ~(date > memo.today).fill_null(False)
    org_body, bad = _choice(col("lembaga_penyelenggara"), "BODIES", memo)
    ok &= ~bad
    level = org_body.replace_strict(spec.BODY_LEVEL, default=None, return_dtype=pl.String)
    organizer, org_ok = _regions(f.with_columns(col("penyelenggara")), "penyelenggara", ["provinsi"], level, None,
                                 memo)
    code, loc_ok = _regions(f.with_columns(col("lokasi")), "lokasi", list(CONTEXT_LEVEL), None, organizer, memo)
    kind, bad = _choice(col("jenis"), "ACTIVITY_TYPES", memo)
    ok &= ~bad & org_ok & loc_ok
    participants, bad = _per_value(col("peserta"), "number", parse.parse_number_value, memo, pl.Float64)
    ok &= ~bad & ~(participants != participants.round()).fill_null(False) & ~(participants < 0).fill_null(False)
    implied = organizer.str.len_bytes().replace_strict(LEVEL_OF_LENGTH, default=None, return_dtype=pl.String) \
        .replace_strict(LEVEL_BODY, default=None, return_dtype=pl.String)
    region, title = pl.col("region_code"), pl.col("title")
    out = pl.DataFrame({
        "activity_id": col("id_kegiatan").str.strip_chars(), "date": date, "organizer_code": organizer,
        "organizer_body": org_body.fill_null(implied), "region_code": code, "type": kind,
        "title": col("judul").str.strip_chars(), "participants": participants.cast(pl.Int64, strict=False),
        ROW: f[ROW],
    }).with_columns(region.str.slice(0, 2).alias("provinsi_code"),
                    pl.when(region.str.len_bytes() >= 5).then(region.str.slice(0, 5)).alias("kabkota_code"),
                    pl.when(title.str.len_bytes() > 0).then(title).alias("title"))
    return out, ok.fill_null(False)


def load_activities_csv(source: Source, resolver: RegionResolver, *, run_id: str, today: dt.date,
                        log: ReadLog | None = None, max_rows: int | None = None) -> Iterator[LoadResult]:
    """Load an activities CSV (raises csv_arrow.BulkUnavailable before or while reading, see there)."""
    memo = _Memo(resolver, today)
    keys = KeyTracker()
    contract = schemas.polars_schema(TABLE, today)
    columns = list(schemas.DTYPES[TABLE])
    any_batch = False
    for batch in read_csv_batches(source, log=log, max_rows=max_rows):
        any_batch = True
        built, ok = _build(batch, memo)
        parts = [built.filter(ok)]
        rejects = [schemas.empty_frame("rejects")]
        if not ok.all():  # the reference loader decides these rows, with its exact reasons
            ref = load_chunk(batch.chunk(~ok), source, resolver, run_id=run_id, today=today, check_keys=False)
            rejects.append(ref.rejects)
            if ref.n_good:
                slow = pl.from_pandas(ref.good.drop(columns="source")).with_columns(
                    pl.Series(ROW, ref.rows, dtype=pl.Int64), pl.col("date").cast(pl.Date))
                parts.append(slow.select(built.columns).cast(dict(built.schema)))
        good = pl.concat(parts).sort(ROW) if len(parts) > 1 else parts[0]
        good, dup_rejects = _drop_duplicates(good, batch, keys)
        rejects.append(dup_rejects)
        good, net_rejects = _contract(good.with_columns(pl.lit(source.name).alias("source")).select(*columns, ROW),
                                      contract)
        rejects.append(net_rejects)
        rej = pd.concat([r for r in rejects if len(r)], ignore_index=True) if any(len(r) for r in rejects) \
            else rejects[0]
        rej = rej.sort_values("row", kind="stable").reset_index(drop=True)
        rej = schemas.conform(rej.assign(run_id=run_id, table=TABLE, source=source.name), "rejects")
        arrow = good.select(columns).to_arrow()
        yield LoadResult(None, rej, batch.frame.height, table=TABLE, arrow=arrow,
                         rows=good[ROW].to_numpy())
    if not any_batch:
        yield LoadResult(schemas.empty_frame(TABLE), schemas.empty_frame("rejects"), 0, table=TABLE)


def _drop_duplicates(good: pl.DataFrame, batch: RawBatch, keys: KeyTracker) -> tuple[pl.DataFrame, pd.DataFrame]:
    """Rows whose activity id came earlier in the source (in this block or before) become rejects."""
    if not good.height:
        return good, schemas.empty_frame("rejects")
    first_here = good["activity_id"].is_first_distinct()
    firsts = good.filter(first_here).select("activity_id", ROW)
    ids, rows = firsts["activity_id"], firsts[ROW].to_numpy()
    earlier = keys.seen(ids.hash(seed=0).to_numpy(), ids.hash(seed=7919).to_numpy().astype(np.uint32), rows)
    firsts = firsts.select("activity_id", pl.Series("_first", np.where(earlier >= 0, earlier, rows)),
                           pl.Series("_before", earlier >= 0))
    if first_here.all() and not firsts["_before"].any():
        return good, schemas.empty_frame("rejects")
    good = good.join(firsts, on="activity_id", how="left", maintain_order="left")
    is_dup = ~first_here | good["_before"]
    dups = good.filter(is_dup).join(batch.frame.select(ROW, "id_kegiatan"), on=ROW, how="left", maintain_order="left")
    label = batch.headers.get("id_kegiatan", "id_kegiatan")
    values = dups["id_kegiatan"].to_list()
    rej = pd.DataFrame({"row": dups[ROW].to_numpy(), "column": label, "value": values,
                        "reason": [duplicate_reason(label, v, int(r))
                                   for v, r in zip(values, dups["_first"].to_list(), strict=True)]})
    return good.filter(~is_dup).drop("_first", "_before"), rej


def _contract(good: pl.DataFrame, contract: object) -> tuple[pl.DataFrame, pd.DataFrame]:
    """The warehouse contract as the last net: failing rows become rejects (none are expected)."""
    failures = schemas.polars_row_failures(good.drop(ROW), contract)
    if not failures.height:
        return good, schemas.empty_frame("rejects")
    idx = failures["index"].unique()
    rows = good[ROW].gather(failures["index"])
    rej = pd.DataFrame({"row": rows.to_numpy(), "column": failures["column"].to_list(),
                        "value": failures["value"].to_list(),
                        "reason": [f"Tidak lolos pemeriksaan skema: {c} (schema check failed)"
                                   for c in failures["check"].to_list()]})
    keep = ~pl.int_range(good.height, eager=True).is_in(idx.implode())
    return good.filter(keep), rej

