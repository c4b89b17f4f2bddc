"""The bulk path of activities CSV sources: the same rows and rejects as the reference loader, vectorised.

Activities are 9 in 10 warehouse rows at national scale, so their CSVs skip the row-by-row pandas
path. Each block of raw strings (``etl.csv_arrow``) is checked in a few batched polars plans: every
distinct value of a column is parsed once by the reference parsers of ``etl.parse`` (memoised across
blocks), region codes written as codes are checked against the region list in one pass, and names go
through the reference ``region_columns.resolve_one`` once per distinct combination. A row with any problem is
handed, with its raw strings, to the reference ``loaders.load_chunk``: rejects keep their exact rows,
columns and reasons by construction, and a row the quick checks were unsure of still loads when the
reference accepts it. Duplicate
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

from etl import checks, parse, schemas, spec
from etl import codes as code_shape
from etl.csv_arrow import ROW, RawBatch, read_csv_batches
from etl.keys import KeyTracker, duplicate_reason
from etl.loaders import LoadResult, load_chunk
from etl.readers import ReadLog, Source
from etl.region_columns import CONTEXT_LEVEL, LEVEL_BODY, context_region, resolve_one
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
        codes = pl.Series("code", sorted(resolver.codes()), dtype=pl.String)
        self.codes = codes.filter(codes.str.contains(schemas.RE_ANY_REGION))  # text in it is written as a code


#: (source column, memo kind, parser, dtype) of the columns parsed value by value; vocabularies are parsed by
#: their lookup (see _choice_parser).
_PARSED = (("tanggal", "date", parse.parse_date_value, pl.Date),
           ("lembaga_penyelenggara", "BODIES", None, pl.String),
           ("jenis", "ACTIVITY_TYPES", None, pl.String),
           ("peserta", "number", parse.parse_number_value, pl.Float64))


def _choice_parser(vocab_name: str) -> Callable[[str], object]:
    lookup = parse.vocabulary_lookup(parse.vocabulary(vocab_name))
    return lambda t: lookup.get(parse.choice_key(t), parse.BAD)


#: What a value that does not parse becomes in its parsed column (its row then fails ``_{column}_bad``, goes to the
#: reference loader, and is never output from here): one lookup a column instead of two. A real value equal to it
#: (1 January of year 1) only sends its row to the reference loader too, which decides it exactly.
_UNPARSED = {pl.Date: dt.date(1, 1, 1), pl.String: "\x00", pl.Float64: float("nan")}


def _parsed_columns(f: pl.DataFrame, memo: _Memo) -> tuple[list[pl.Expr], list[pl.Expr]]:
    """Expressions for each parsed column, and for its 'bad' flag (over the parsed column): every distinct value is
    parsed once (blank -> missing, as ``parse._map_unique``) and memoised for the source's later blocks."""
    uniques = f.select(pl.col(c).unique().implode() for c, *_ in _PARSED).row(0)
    values_, bad_ = [], []
    for (column, kind, fn, dtype), uniq in zip(_PARSED, uniques, strict=True):
        fn = fn or _choice_parser(kind)
        cache = memo.values.setdefault(kind, {})
        for u in uniq:
            if u not in cache:
                cache[u] = _MISSING if u.strip() == "" else fn(u)
        parsed = [cache[u] for u in uniq]
        keys = pl.Series(uniq, dtype=pl.String)
        unparsed = _UNPARSED[dtype]
        values = pl.Series([None if v is _MISSING else unparsed if v is parse.BAD else v for v in parsed], dtype=dtype)
        values_.append(pl.col(column).replace_strict(keys, values, return_dtype=dtype).alias(f"_{column}"))
        parsed_col = pl.col(f"_{column}")
        bad = parsed_col.is_nan() if dtype == pl.Float64 else parsed_col == unparsed
        bad_.append(bad.fill_null(False).alias(f"_{column}_bad"))
    return values_, bad_


def _context_columns(f: pl.DataFrame, ctx: list[str], name: str, memo: _Memo) -> tuple[pl.DataFrame, list[pl.Expr]]:
    """The deepest context region of each row (``_{name}_within``) and whether the context resolved
    (``_{name}_ctx_ok``), once per distinct context (usually one or a few per block)."""
    within, ok = f"_{name}_within", f"_{name}_ctx_ok"
    if not ctx:
        return f, [pl.lit(None, dtype=pl.String).alias(within), pl.lit(True).alias(ok)]
    ctx_u = f.select(ctx).unique()
    found = []
    for values in ctx_u.iter_rows():
        if values not in memo.within:
            w, errs = context_region(memo.resolver, values, ctx)
            memo.within[values] = (w, not errs)
        found.append(memo.within[values])
    if ctx_u.height == 1:
        return f, [pl.lit(found[0][0], dtype=pl.String).alias(within), pl.lit(found[0][1]).alias(ok)]
    ctx_u = ctx_u.with_columns(pl.Series(within, [w for w, _ in found], dtype=pl.String),
                               pl.Series(ok, [k for _, k in found], dtype=pl.Boolean))
    return f.join(ctx_u, on=ctx, how="left", maintain_order="left"), []


def _quick_region(name: str, memo: _Memo) -> pl.Expr:
    """True where the target (stripped: ``_{name}_text``) is a region code, inside its context region and at the
    row's level (``_{name}_level``, '' for any): the reference resolution would return the code itself without a
    problem."""
    text = pl.col(f"_{name}_text")
    within, level = pl.col(f"_{name}_within"), pl.col(f"_{name}_level")
    inside = within.is_null() | text.str.starts_with(within + ".")
    level_ok = (level == "") | (level == text.str.len_bytes().replace_strict(code_shape.LEVEL_OF_LENGTH, default="",
                                                                              return_dtype=pl.String))
    is_code = text.is_in(memo.codes.implode())
    return (is_code & inside & level_ok & pl.col(f"_{name}_ctx_ok")).fill_null(False)


def _slow_regions(w: pl.DataFrame, target: str, ctx: list[str], name: str, memo: _Memo) -> tuple[pl.Series, pl.Series]:
    """Code and ok of the rows that are not quick (``_{name}_quick``): the reference ``resolve_one``, once per distinct
    (context, target, level, hint). The hint only counts where no context region is given, so elsewhere it is
    blanked before grouping. Quick rows get null / False."""
    n = w.height
    code = pl.repeat(None, n, dtype=pl.String, eager=True)
    ok = pl.repeat(False, n, eager=True)
    slow_idx = (~w[f"_{name}_quick"]).arg_true()
    if not len(slow_idx):
        return code, ok
    keys = [*ctx, target, "_level", "_hint"]
    within, hint = f"_{name}_within", f"_{name}_hint"
    sub = w.select(*ctx, target, pl.col(f"_{name}_level").alias("_level"), within, hint)[slow_idx].select(
        *ctx, target, "_level", pl.when(pl.col(within).is_null()).then(pl.col(hint)).otherwise(pl.lit(""))
        .alias("_hint"))  # the few columns, then the rows
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


def _regions(w: pl.DataFrame, target: str, ctx: list[str], name: str, memo: _Memo) -> pl.DataFrame:
    """Adds ``_{name}`` (the region code of ``target``) and ``_{name}_ok`` (resolved without a problem), as the
    reference ``region_columns.resolve_column``: codes inside their context in one pass (``_{name}_quick``, see
    _quick_region), anything else per combination. ``w`` holds ``_{name}_text`` (the stripped target),
    ``_{name}_quick``, ``_{name}_level`` and ``_{name}_hint`` ('' when none) and the context columns
    (_context_columns)."""
    slow_code, slow_ok = _slow_regions(w, target, ctx, name, memo)
    quick = pl.col(f"_{name}_quick")
    return w.with_columns(pl.when(quick).then(pl.col(f"_{name}_text")).otherwise(slow_code).alias(f"_{name}"),
                          (quick | slow_ok).alias(f"_{name}_ok"))


#: The body a region code's length implies (the organizer's body when the source leaves it blank).
_BODY_OF_LENGTH = {n: LEVEL_BODY[level] for n, level in code_shape.LEVEL_OF_LENGTH.items()}


def _build(batch: RawBatch, memo: _Memo) -> tuple[pl.DataFrame, pl.Series]:
    """The warehouse rows of a block and a mask of the rows without any problem (a few batched polars calls)."""
    f = batch.frame
    org_ctx = [c for c in ["provinsi"] if c in f.columns]
    loc_ctx = [c for c in CONTEXT_LEVEL if c in f.columns]
    names = [c.name for c in spec.SOURCES[TABLE].columns]
    f = f.with_columns(pl.lit("", dtype=pl.String).alias(c) for c in names if c not in f.columns)
    f, org_within = _context_columns(f, org_ctx, "org", memo)
    f, loc_within = _context_columns(f, loc_ctx, "loc", memo)
    parsed, bad = _parsed_columns(f, memo)
    w = f.lazy().with_columns(*parsed, *org_within, *loc_within,
                              pl.col("penyelenggara").str.strip_chars().alias("_org_text"),
                              pl.col("lokasi").str.strip_chars().alias("_loc_text")).with_columns(
        *bad,
        pl.col("_lembaga_penyelenggara").replace_strict(spec.BODY_LEVEL, default=None, return_dtype=pl.String)
        .fill_null("").alias("_org_level"),
        pl.lit("").alias("_org_hint"), pl.lit("").alias("_loc_level"),
    ).with_columns(_quick_region("org", memo).alias("_org_quick"), _quick_region("loc", memo).alias("_loc_quick")) \
        .collect()
    w = _regions(w, "penyelenggara", org_ctx, "org", memo)
    w = _regions(w.with_columns(pl.col("_org").fill_null("").alias("_loc_hint")), "lokasi", loc_ctx, "loc", memo)

    date, participants, organizer = pl.col("_tanggal"), pl.col("_peserta"), pl.col("_org")
    stripped = {"penyelenggara": pl.col("_org_text"), "lokasi": pl.col("_loc_text")}
    required = [~(stripped.get(c.name, pl.col(c.name).str.strip_chars()).str.len_bytes() == 0)
                for c in spec.SOURCES[TABLE].columns if c.required or c.name == "id_kegiatan"]
    # a row without an id gets one derived from its content by the reference loader (keys.derived_ids)
    ok = pl.all_horizontal(
        *required, ~pl.col("_tanggal_bad"), ~(date < dt.date.fromisoformat(spec.EARLIEST_DATE)).fill_null(False),
        ~(date > memo.today).fill_null(False), ~pl.col("_lembaga_penyelenggara_bad"), pl.col("_org_ok"),
        pl.col("_loc_ok"), ~pl.col("_jenis_bad"), ~pl.col("_peserta_bad"),
        ~(participants != participants.round()).fill_null(False), ~(participants < 0).fill_null(False),
        ~(participants.abs() > parse.MAX_WHOLE).fill_null(False),
    ).fill_null(False)
    implied = organizer.str.len_bytes().replace_strict(_BODY_OF_LENGTH, default=None, return_dtype=pl.String)
    region, title = pl.col("_loc"), pl.col("judul").str.strip_chars()
    out = w.lazy().select(
        pl.col("id_kegiatan").str.strip_chars().alias("activity_id"), date.alias("date"),
        organizer.alias("organizer_code"), pl.col("_lembaga_penyelenggara").fill_null(implied).alias("organizer_body"),
        region.alias("region_code"), pl.col("_jenis").alias("type"), pl.when(title.str.len_bytes() > 0).then(title)
        .alias("title"), participants.cast(pl.Int64, strict=False).alias("participants"), pl.col(ROW),
        region.str.slice(0, 2).alias("provinsi_code"),
        pl.when(region.str.len_bytes() >= 5).then(region.str.slice(0, 5)).alias("kabkota_code"),
        ok.alias("_ok"),
    ).collect()
    return out.drop("_ok").select("activity_id", "date", "organizer_code", "organizer_body", "region_code", "type",
                                  "title", "participants", ROW, "provinsi_code", "kabkota_code"), out["_ok"]


#: Rows read in consecutive blocks whose good rows are gathered before the contract checks them and they are
#: handed on (with their rejects): the contract's cost is mostly per call, and a big file comes in blocks of
#: csv_arrow.BLOCK_BYTES (figures: docs/PERFORMANCE.md).
CHECKED_ROWS = 250_000


def load_activities_csv(source: Source, resolver: RegionResolver, *, run_id: str, today: dt.date,
                        log: ReadLog | None = None, max_rows: int | None = None) -> Iterator[LoadResult]:
    """Load an activities CSV (raises csv_arrow.BulkUnavailable before or while reading, see there). Results hold
    whole blocks: one each with ``max_rows``, else as many as make CHECKED_ROWS rows read."""
    memo = _Memo(resolver, today)
    keys = KeyTracker()
    contract = schemas.polars_schema(TABLE, today)
    columns = list(schemas.DTYPES[TABLE])
    held: list[tuple[pl.DataFrame, list[pd.DataFrame], int]] = []  # good rows, rejects, rows read of each block

    def checked() -> LoadResult:
        good = pl.concat([g for g, _, _ in held]) if len(held) > 1 else held[0][0]
        rejects = [r for _, rs, _ in held for r in rs]
        good, net_rejects = _contract(good.with_columns(pl.lit(source.name).alias("source")).select(*columns, ROW),
                                      contract)
        rejects.append(net_rejects)
        if any(len(r) for r in rejects):
            rej = pd.concat([r for r in rejects if len(r)], ignore_index=True)
            rej = rej.sort_values("row", kind="stable").reset_index(drop=True)
            rej = schemas.conform(rej.assign(run_id=run_id, table=TABLE, source=source.name), "rejects")
        else:
            rej = schemas.empty_frame("rejects")
        result = LoadResult(None, rej, sum(n for *_, n in held), table=TABLE, arrow=good.select(columns).to_arrow(),
                            rows=good[ROW].to_numpy())
        held.clear()
        return result

    any_batch = False
    for batch in read_csv_batches(source, log=log, max_rows=max_rows):
        any_batch = True
        built, ok = _build(batch, memo)
        parts = [built.filter(ok)]
        rejects: list[pd.DataFrame] = []
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
        held.append((good, rejects, batch.frame.height))
        if max_rows or sum(n for *_, n in held) >= CHECKED_ROWS:  # rows read: a file of rejects is bounded too
            yield checked()
    if held:
        yield checked()
    if not any_batch:
        yield LoadResult(schemas.empty_frame(TABLE), schemas.empty_frame("rejects"), 0, table=TABLE)


def _drop_duplicates(good: pl.DataFrame, batch: RawBatch, keys: KeyTracker) -> tuple[pl.DataFrame, pd.DataFrame]:
    """Rows whose key (organiser, activity id) came earlier in the source (in this block or before) become
    rejects."""
    if not good.height:
        return good, schemas.empty_frame("rejects")
    key = pl.struct("organizer_code", "activity_id")
    good = good.with_columns(key.hash(seed=0).alias("_h1"), key.hash(seed=7919).alias("_h2"))
    first_here = good.select(pl.struct("_h1", "_h2").is_first_distinct()).to_series()  # the 96-bit key, as KeyTracker
    firsts = good.filter(first_here).select("_h1", "_h2", ROW)
    rows = firsts[ROW].to_numpy()
    earlier = keys.seen(firsts["_h1"].to_numpy(), firsts["_h2"].to_numpy().astype(np.uint32), rows)
    firsts = firsts.select("_h1", "_h2", pl.Series("_first", np.where(earlier >= 0, earlier, rows)),
                           pl.Series("_before", earlier >= 0))
    if first_here.all() and not firsts["_before"].any():
        return good.drop("_h1", "_h2"), schemas.empty_frame("rejects")
    good = good.join(firsts, on=["_h1", "_h2"], how="left", maintain_order="left")
    is_dup = ~first_here | good["_before"]
    dups = good.filter(is_dup).join(batch.frame.select(ROW, "id_kegiatan"), on=ROW, how="left", maintain_order="left")
    label = batch.headers.get("id_kegiatan", "id_kegiatan")
    values = dups["id_kegiatan"].to_list()
    rej = pd.DataFrame({"row": dups[ROW].to_numpy(), "column": label, "value": values,
                        "reason": [duplicate_reason(label, v, int(r))
                                   for v, r in zip(values, dups["_first"].to_list(), strict=True)],
                        "check": checks.DUPLICATE_KEY.id})
    return good.filter(~is_dup).drop("_first", "_before", "_h1", "_h2"), rej


def _contract(good: pl.DataFrame, contract: object) -> tuple[pl.DataFrame, pd.DataFrame]:
    """The warehouse contract as the last net: failing rows become rejects (none are expected)."""
    failures = schemas.polars_row_failures(good.drop(ROW), contract)
    if not failures.height:
        return good, schemas.empty_frame("rejects")
    idx = failures["index"].unique()
    rows = good[ROW].gather(failures["index"])
    rej = pd.DataFrame({"row": rows.to_numpy(), "column": failures["column"].to_list(),
                        "value": failures["value"].to_list(),
                        "reason": [checks.SCHEMA.reason(check=c) for c in failures["check"].to_list()],
                        "check": checks.SCHEMA.id})
    keep = ~pl.int_range(good.height, eager=True).is_in(idx.implode())
    return good.filter(keep), rej

