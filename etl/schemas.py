"""Schemas as code (pandera) for every warehouse table of ``spec.WAREHOUSE`` (plus seats_reference).

The loaders build their good rows in the pandas dtypes of ``DTYPES`` and run ``schema(table)`` on
them as a last net (``row_failures``); the build validates each whole table before publish
(``validate``). Only vectorised checks, so 5 million rows stay quick.

Nullable columns (documented contract): kabkota_code of a province-level row; an activity's title
and participants when the source left them blank; pleno members_present, decisions, minutes_filed,
score and outcome when not given (outcome is derived from the score, or ``tidak_pleno`` when not held).
"""

from __future__ import annotations

import datetime as dt
from functools import cache, lru_cache

import pandas as pd
import pandera.pandas as pa

from etl import codes as code_shape
from etl import spec
from etl.checks import CHECKS

RE_PROVINSI = f"^{code_shape.PATTERN['provinsi']}$"
RE_KABKOTA = f"^{code_shape.PATTERN['kabkota']}$"
RE_KECAMATAN = f"^{code_shape.PATTERN['kecamatan']}$"
RE_DESA = f"^{code_shape.PATTERN['desa']}$"
RE_ANY_REGION = f"^{code_shape.ANY_PATTERN}$"

SEATS_REFERENCE = spec.SEATS_REFERENCE

_NULLABLE: dict[str, frozenset[str]] = {t.name: t.nullable for t in spec.TABLES.values()}
_PANDAS = {"string": "str", "int64": "int64", "float64": "float64", "bool": "bool", "date": "datetime64[s]",
           "timestamp": "datetime64[us, UTC]"}
_PANDAS_NULLABLE = {"int64": "Int64", "bool": "boolean"}


columns = spec.table_columns


def _dtypes(table: str) -> dict[str, str]:
    nullable = _NULLABLE.get(table, set())
    return {c: (_PANDAS_NULLABLE.get(t, _PANDAS[t]) if c in nullable else _PANDAS[t])
            for c, t in columns(table).items()}


#: table -> column -> pandas dtype of the frames the loaders return.
DTYPES: dict[str, dict[str, str]] = {t: _dtypes(t) for t in [*spec.WAREHOUSE, "seats_reference"]}


def empty_frame(table: str) -> pd.DataFrame:
    """A 0-row frame with the table's columns and dtypes (a copy: callers may add to it)."""
    return _empty_frame(table).copy()


@cache
def _empty_frame(table: str) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=d) for c, d in DTYPES[table].items()})


def conform(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """The table's columns in contract order, cast to ``DTYPES`` (missing columns become null)."""
    out = {}
    for col, dtype in DTYPES[table].items():
        s = frame[col] if col in frame.columns else pd.Series(pd.NA, index=frame.index, dtype="object")
        out[col] = s.astype(dtype)
    return pd.DataFrame(out, index=frame.index)


# ---------------------------------------------------------------------------


def _in(vocab: dict[str, list[str]] | list[str] | tuple[str, ...]) -> pa.Check:
    return pa.Check.isin(list(vocab))


def _region_consistent(df: pd.DataFrame, code_col: str = "region_code") -> pd.Series:
    """provinsi_code / kabkota_code agree with the region code."""
    code = df[code_col].astype("str")
    ok = df["provinsi_code"].astype("str") == code.str[:2]
    if "kabkota_code" in df.columns:
        deep = code.str.len() >= 5
        kab = df["kabkota_code"]
        ok &= (deep & (kab.astype("str") == code.str[:5])) | (~deep & kab.isna())
    return ok.fillna(False).astype(bool)


def _body_level(df: pd.DataFrame) -> pd.Series:
    """The region code sits at the level of the body (a PKD on a desa code...)."""
    level = df["region_code"].astype("str").map(code_shape.level_of)
    return (level == df["body"].map(spec.BODY_LEVEL)).fillna(False).astype(bool)


def _seats_allowed(df: pd.DataFrame) -> pd.Series:
    ok = pd.Series(False, index=df.index)
    for body, allowed in spec.ALLOWED_SEATS.items():
        ok |= (df["body"] == body) & df["seats"].isin(allowed)
    return ok


def _date_range(today: dt.date, polars: bool = False) -> pa.Check:
    earliest = dt.date.fromisoformat(spec.EARLIEST_DATE)
    if polars:
        return pa.Check.in_range(earliest, today)
    return pa.Check.in_range(pd.Timestamp(earliest), pd.Timestamp(today))


def _col(table: str, name: str, *checks: pa.Check) -> pa.Column:
    return pa.Column(DTYPES[table][name], list(checks), nullable=name in _NULLABLE.get(table, set()))


def _cols(table: str, checks: dict[str, list[pa.Check]]) -> dict[str, pa.Column]:
    return {c: _col(table, c, *checks.get(c, [])) for c in columns(table)}


@lru_cache(maxsize=32)
def schema(table: str, today: dt.date | None = None) -> pa.DataFrameSchema:
    """The pandera schema of a table; dates may not be later than ``today`` (default: today). Over 60 lines: one
    branch a table, read as one list of every table's rules (split up, a table's rules would be looked for in two
    places)."""
    today = today or dt.date.today()
    nonneg = [pa.Check.ge(0)]
    prov = [pa.Check.str_matches(RE_PROVINSI)]
    kab = [pa.Check.str_matches(RE_KABKOTA)]
    region = [pa.Check.str_matches(RE_ANY_REGION)]
    checks: dict[str, list[pa.Check]]
    frame_checks: list[pa.Check] = []
    if table == "regions":
        checks = {"code": region, "level": [_in(code_shape.LEVELS)],
                  "kind": [_in(["provinsi", "kabupaten", "kota", "kecamatan", "distrik", "kelurahan", "desa",
                                "desa_adat"])],
                  "parent_code": region, "provinsi_code": prov, "kabkota_code": kab,
                  "kecamatan_code": [pa.Check.str_matches(RE_KECAMATAN)]}
    elif table == "seats":
        checks = {"region_code": region, "provinsi_code": prov, "kabkota_code": kab,
                  "body": [_in(spec.ALLOWED_SEATS)], "election": [_in(["", *spec.ELECTIONS])], "seats": nonneg}
        frame_checks = [pa.Check(_region_consistent, error="provinsi/kabkota_code sesuai region_code"),
                        pa.Check(_body_level, error="tingkat wilayah sesuai lembaga")]
    elif table == "tps":
        checks = {"desa_code": [pa.Check.str_matches(RE_DESA)], "provinsi_code": prov, "kabkota_code": kab,
                  "kecamatan_code": [pa.Check.str_matches(RE_KECAMATAN)], "election": [_in(spec.ELECTIONS)],
                  "tps": nonneg, "voters": nonneg}
        frame_checks = [pa.Check(lambda d: _region_consistent(d, "desa_code"), error="kode induk sesuai desa_code")]
    elif table == "personnel":
        checks = {"as_of": [_date_range(today)], "region_code": region, "provinsi_code": prov, "kabkota_code": kab,
                  "body": [_in(spec.BODIES)], "role": [_in(spec.ROLES)], "gender": [_in(spec.GENDERS)],
                  "count": nonneg}
        frame_checks = [pa.Check(_region_consistent, error="provinsi/kabkota_code sesuai region_code"),
                        pa.Check(_body_level, error="tingkat wilayah sesuai lembaga")]
    elif table == "activities":
        checks = {"activity_id": [pa.Check.str_length(min_value=1)], "date": [_date_range(today)],
                  "organizer_code": region, "organizer_body": [_in(spec.BODIES)], "region_code": region,
                  "provinsi_code": prov, "kabkota_code": kab, "type": [_in(spec.ACTIVITY_TYPES)],
                  "participants": nonneg}
        frame_checks = [pa.Check(_region_consistent, error="provinsi/kabkota_code sesuai region_code")]
    elif table == "pleno":
        checks = {"region_code": region, "provinsi_code": prov, "kabkota_code": kab, "body": [_in(spec.BODIES)],
                  "week_start": [_date_range(today), pa.Check(lambda s: s.dt.day_of_week == 0, error="hari Senin")],
                  "members_present": nonneg, "members_total": nonneg, "decisions": nonneg,
                  "score": [pa.Check.in_range(0, 100)], "outcome": [_in(spec.PLENO_OUTCOMES)]}
        frame_checks = [
            pa.Check(_region_consistent, error="provinsi/kabkota_code sesuai region_code"),
            pa.Check(_body_level, error="tingkat wilayah sesuai lembaga"),
            pa.Check(lambda d: (d["members_present"].isna() | (d["members_present"] <= d["members_total"]))
                     .fillna(False).astype(bool), error="members_present <= members_total"),
        ]
    elif table == "seats_reference":
        checks = {"region_code": [pa.Check.str_matches(r"^\d{2}(?:\.\d{2})?$")], "provinsi_code": prov,
                  "body": [_in(["bawaslu_provinsi", "bawaslu_kabkota"])], "seats": nonneg}
        frame_checks = [pa.Check(_body_level, error="tingkat wilayah sesuai lembaga"),
                        pa.Check(_seats_allowed, error="jumlah anggota sesuai UU 7/2017")]
    elif table == "etl_runs":
        checks = {"rows_read": nonneg, "rows_loaded": nonneg, "rows_rejected": nonneg}
    elif table == "rejects":
        checks = {"row": nonneg, "table": [_in([*spec.SOURCES, *spec.WAREHOUSE])], "check": [_in(CHECKS)]}
    else:
        raise KeyError(f"unknown table: {table}")
    return pa.DataFrameSchema(_cols(table, checks), checks=frame_checks, strict=True, ordered=True,
                              coerce=True, name=table)


def validate(frame: pd.DataFrame, table: str, today: dt.date | None = None) -> pd.DataFrame:
    """Validate a whole table (raises ``pandera.errors.SchemaErrors`` listing every failure)."""
    return schema(table, today).validate(frame, lazy=True)


def row_failures(frame: pd.DataFrame, table: str, today: dt.date | None = None) -> pd.DataFrame:
    """Failures of individual rows: columns ``index``, ``column``, ``check``, ``value`` (empty when valid).

    A failure that concerns a whole column (a wrong dtype) is a bug of the caller: it is raised.
    """
    try:
        schema(table, today).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        fc = exc.failure_cases
        whole = fc["index"].isna()
        if whole.any():
            raise
        return pd.DataFrame({"index": fc["index"].to_numpy(), "column": fc["column"].astype("str").to_numpy(),
                             "check": fc["check"].astype("str").to_numpy(),
                             "value": fc["failure_case"].astype("str").to_numpy()})
    return pd.DataFrame({"index": [], "column": [], "check": [], "value": []})


# ---------------------------------------------------------------------------
# The same contract for polars frames (the bulk path of etl.bulk_activities)
# ---------------------------------------------------------------------------

_POLARS = {"string": "String", "int64": "Int64", "float64": "Float64", "bool": "Boolean", "date": "Date"}


def _region_consistent_polars(data) -> object:  # noqa: ANN001 - pandera's PolarsData
    import polars as pl

    code = pl.col("region_code")
    kab = pl.when(code.str.len_bytes() >= 5).then(pl.col("kabkota_code") == code.str.slice(0, 5)) \
        .otherwise(pl.col("kabkota_code").is_null())
    return data.lazyframe.select(((pl.col("provinsi_code") == code.str.slice(0, 2)) & kab).fill_null(False))


@lru_cache(maxsize=8)
def polars_schema(table: str, today: dt.date) -> object:
    """The pandera schema of ``table`` for polars frames: the column checks of ``schema`` (built-in pandera
    checks work on both), the frame checks written for polars. Only the tables of the bulk path."""
    import pandera.polars as pap
    import polars as pl

    if table != "activities":
        raise KeyError(f"no polars contract for {table}")
    pandas_schema = schema(table, today)
    cols = {}
    for name, kind in columns(table).items():
        checks = list(pandas_schema.columns[name].checks)
        if kind == "date":
            checks = [_date_range(today, polars=True)]
        cols[name] = pap.Column(getattr(pl, _POLARS[kind]), checks, nullable=name in _NULLABLE.get(table, set()))
    return pap.DataFrameSchema(cols, checks=[pa.Check(_region_consistent_polars,
                                                      error="provinsi/kabkota_code sesuai region_code")],
                               strict=True, ordered=True, name=table)


def polars_row_failures(frame: object, contract: object) -> object:
    """Failures of rows of a polars frame: ``index``, ``column``, ``check``, ``value`` (empty when valid)."""
    import pandera.polars as pap
    import polars as pl

    try:
        contract.validate(frame, lazy=True)  # type: ignore[attr-defined]
    except pap.errors.SchemaErrors as exc:
        fc = exc.failure_cases
        if fc["index"].is_null().any():
            raise
        return fc.select(pl.col("index").cast(pl.Int64), pl.col("column").cast(pl.String).fill_null(""),
                         pl.col("check").cast(pl.String), pl.col("failure_case").cast(pl.String).alias("value"))
    return pl.DataFrame(schema={"index": pl.Int64, "column": pl.String, "check": pl.String, "value": pl.String})
