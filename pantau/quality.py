"""Data quality: what the ETL runs loaded and rejected, and how fresh each table is."""

from __future__ import annotations

import pandas as pd

from etl.spec import WAREHOUSE
from pantau.warehouse import Warehouse

RUNS_COLUMNS = ["run_id", "started_at", "finished_at", "status", "rows_read", "rows_loaded", "rows_rejected",
                "message"]
REJECTS_COLUMNS = ["run_id", "table", "source", "row", "column", "value", "reason"]
FRESHNESS_COLUMNS = ["table", "rows", "data_date", "loaded_at"]
BASE_TABLES = ["regions", "seats", "tps", "personnel", "activities", "pleno"]


def etl_runs(wh: Warehouse) -> pd.DataFrame:
    """Every ETL run recorded in the warehouse, newest first."""
    cols = ", ".join(f'"{c}"' for c in RUNS_COLUMNS)
    df = wh.sql(f"SELECT {cols} FROM etl_runs ORDER BY started_at DESC NULLS LAST, run_id DESC")
    return df if not df.empty else pd.DataFrame(columns=RUNS_COLUMNS)


def rejects(wh: Warehouse, run_id: str | None = None) -> pd.DataFrame:
    """Rejected source rows with their reason (of one run, or of every run when run_id is None)."""
    cols = ", ".join(f'"{c}"' for c in REJECTS_COLUMNS)
    where, params = ("WHERE run_id = ?", [run_id]) if run_id is not None else ("", [])
    df = wh.sql(f'SELECT {cols} FROM rejects {where} ORDER BY run_id DESC, "table", source, "row"', params)
    return df if not df.empty else pd.DataFrame(columns=REJECTS_COLUMNS)


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
