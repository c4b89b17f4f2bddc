"""Data quality: what the ETL runs loaded and rejected, and how fresh each table is."""

from __future__ import annotations

import json
import re

import pandas as pd

from etl.spec import WAREHOUSE
from pantau.warehouse import Warehouse

RUNS_COLUMNS = ["run_id", "started_at", "finished_at", "status", "rows_read", "rows_loaded", "rows_rejected",
                "message"]
REFUSED_COLUMNS = ["source", "table", "message", "rows_kept"]
REJECTS_COLUMNS = ["run_id", "table", "source", "row", "column", "value", "reason"]
FRESHNESS_COLUMNS = ["table", "rows", "data_date", "loaded_at"]
PROBLEM_COLUMNS = ["problem", "problem_id", "n", "tables"]
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
    """Rejected source rows with their reason (of one run, or of every run when run_id is None)."""
    cols = ", ".join(f'"{c}"' for c in REJECTS_COLUMNS)
    where, params = ("WHERE run_id = ?", [run_id]) if run_id is not None else ("", [])
    df = wh.sql(f'SELECT {cols} FROM rejects {where} ORDER BY run_id DESC, "table", source, "row"', params)
    return df if not df.empty else pd.DataFrame(columns=REJECTS_COLUMNS)


_KIND = re.compile(r"\(([^()]*)\)\s*$")  # the reason's closing English words: '... (negative count)'
_NUMBER = re.compile(r"\s*\(\d[^()]*\)")   # '(5)' in 'Anggota hadir (5) lebih dari ...'


def problem_of(reason: str) -> tuple[str, str]:
    """A reject reason's kind: (the English words that close it, its Indonesian head without the value).
    'Tidak boleh negatif: '-5' (negative count)' -> ('negative count', 'Tidak boleh negatif')."""
    text = str(reason).strip()
    m = _KIND.search(text)
    english = m.group(1).strip() if m else text
    head = (text[: m.start()] if m else text).split(":", 1)[0]
    return english, _NUMBER.sub("", head).strip() or english


def reject_problems(wh: Warehouse) -> pd.DataFrame:
    """Rejected rows counted by kind of problem (reasons quote the value, so they rarely repeat), most first:
    problem (English), problem_id (Indonesian), n, tables (the tables it came from, comma-separated)."""
    return count_problems(wh.sql('SELECT "table", reason FROM rejects'))


def count_problems(df: pd.DataFrame) -> pd.DataFrame:
    """``reject_problems`` of a frame of rejects (columns table, reason)."""
    if df.empty:
        return pd.DataFrame(columns=PROBLEM_COLUMNS)
    kinds = [problem_of(r) for r in df["reason"]]
    df = df.assign(problem=[k[0] for k in kinds], problem_id=[k[1] for k in kinds])
    out = df.groupby("problem", as_index=False).agg(
        problem_id=("problem_id", "first"), n=("reason", "size"),
        tables=("table", lambda s: ",".join(sorted(set(s)))))
    return out.sort_values(["n", "problem"], ascending=[False, True]).reset_index(drop=True)[PROBLEM_COLUMNS]


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
