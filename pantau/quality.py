"""Data quality: what the ETL runs loaded and rejected, and how fresh each table is."""

from __future__ import annotations

import json

import pandas as pd

from etl.checks import CHECKS
from etl.spec import WAREHOUSE
from pantau import i18n
from pantau.warehouse import Warehouse

RUNS_COLUMNS = ["run_id", "started_at", "finished_at", "status", "rows_read", "rows_loaded", "rows_rejected",
                "message"]
REFUSED_COLUMNS = ["source", "table", "message", "rows_kept"]
REJECTS_COLUMNS = ["run_id", "table", "source", "row", "column", "value", "reason", "check"]
FRESHNESS_COLUMNS = ["table", "rows", "data_date", "loaded_at"]
CHECK_COUNT_COLUMNS = ["check", "name", "n", "tables"]
BASE_TABLES = ["regions", "seats", "tps", "personnel", "activities", "pleno"]


def etl_runs(wh: Warehouse) -> pd.DataFrame:
    """Every ETL run recorded in the warehouse, newest first."""
    cols = ", ".join(f'"{c}"' for c in RUNS_COLUMNS)
    df = wh.sql(f"SELECT {cols} FROM etl_runs ORDER BY started_at DESC NULLS LAST, run_id DESC")
    return df if not df.empty else pd.DataFrame(columns=RUNS_COLUMNS)


def refused(wh: Warehouse) -> pd.DataFrame:
    """The sources the newest run set aside (`build --keep-going`): source, table, message, rows_kept (rows it
    loaded in an earlier run, kept)."""
    df = wh.sql("SELECT inputs FROM etl_runs ORDER BY started_at DESC NULLS LAST, run_id DESC LIMIT 1")
    entries = json.loads(df["inputs"].iloc[0] or "[]") if not df.empty else []
    rows = [{"source": e["source"], "table": e.get("table") or None, "message": e["refused"],
             "rows_kept": int(e.get("rows_kept") or 0)}
            for e in entries if e.get("refused")]
    return pd.DataFrame(rows, columns=REFUSED_COLUMNS)


def rejects(wh: Warehouse, run_id: str | None = None) -> pd.DataFrame:
    """Rejected source rows with their reason and rule (of one run, or of every run when run_id is None)."""
    cols = ", ".join(f'"{c}"' for c in REJECTS_COLUMNS[:-1]) + ", " + _check_column(wh)
    where, params = ("WHERE run_id = ?", [run_id]) if run_id is not None else ("", [])
    df = wh.sql(f'SELECT {cols} FROM rejects {where} ORDER BY run_id DESC, "table", source, "row"', params)
    return df if not df.empty else pd.DataFrame(columns=REJECTS_COLUMNS)


def reject_checks(wh: Warehouse, lang: str = "id") -> pd.DataFrame:
    """Rejected rows counted by the rule they broke (``rejects.check``; reasons quote the value, so they rarely
    repeat), most first: check (the rule's id), name (its name in ``lang``), n, tables (comma-separated). Rejects
    published before they named their rule count as one 'other' row (check '')."""
    return count_checks(wh.sql(f'SELECT "table", {_check_column(wh)} FROM rejects'), lang)


def count_checks(df: pd.DataFrame, lang: str = "id") -> pd.DataFrame:
    """``reject_checks`` of a frame of rejects (columns table, check)."""
    if df.empty:
        return pd.DataFrame(columns=CHECK_COUNT_COLUMNS)
    df = df.assign(check=df["check"].fillna("").astype("str"))
    out = df.groupby("check", as_index=False).agg(n=("table", "size"),
                                                  tables=("table", lambda s: ",".join(sorted(set(s)))))
    out["name"] = [CHECKS[c].name(lang) if c in CHECKS else c or i18n.t("q_check_other", lang)
                   for c in out["check"]]
    return out.sort_values(["n", "check"], ascending=[False, True]).reset_index(drop=True)[CHECK_COUNT_COLUMNS]


def _check_column(wh: Warehouse) -> str:
    """The select of rejects.check: NULL in a warehouse published before rejects had the column."""
    return '"check"' if "check" in wh.sql("SELECT * FROM rejects LIMIT 0").columns else 'NULL::VARCHAR AS "check"'


def freshness(wh: Warehouse) -> pd.DataFrame:
    """Per warehouse table: rows, latest data date (None when the table has no dates), when it was loaded."""
    tables = wh.manifest.get("tables", {})
    created = pd.to_datetime(wh.manifest.get("created_at"), utc=True, errors="coerce")
    rows = []
    for t in [*BASE_TABLES, *[t for t in WAREHOUSE if t not in BASE_TABLES]]:
        info = tables.get(t, {})
        n = info.get("rows")
        if n is None:
            n = int(wh.scalar(f'SELECT count(*) FROM "{t}"'))
        loaded = pd.to_datetime(info.get("loaded_at"), utc=True, errors="coerce") if info.get("loaded_at") \
            else created
        rows.append({"table": t, "rows": int(n), "data_date": wh.data_date(t), "loaded_at": loaded})
    return pd.DataFrame(rows, columns=FRESHNESS_COLUMNS)
