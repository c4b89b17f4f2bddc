"""Data quality: ETL runs, rejected rows, freshness of each table."""

from __future__ import annotations

from datetime import date  # noqa: F401

import pandas as pd

from pantau.filters import Period, Scope  # noqa: F401
from pantau.warehouse import Warehouse

RUNS_COLUMNS = ['run_id', 'started_at', 'finished_at', 'status', 'rows_read', 'rows_loaded', 'rows_rejected', 'message']
REJECTS_COLUMNS = ['run_id', 'table', 'source', 'row', 'column', 'value', 'reason']
FRESHNESS_COLUMNS = ['table', 'rows', 'data_date', 'loaded_at']


def etl_runs(wh: Warehouse) -> pd.DataFrame:
    """Skeleton: returns the empty frame with its columns."""
    return pd.DataFrame(columns=RUNS_COLUMNS)


def rejects(wh: Warehouse, run_id: str | None = None) -> pd.DataFrame:
    """Skeleton: returns the empty frame with its columns."""
    return pd.DataFrame(columns=REJECTS_COLUMNS)


def freshness(wh: Warehouse) -> pd.DataFrame:
    """Skeleton: returns the empty frame with its columns."""
    return pd.DataFrame(columns=FRESHNESS_COLUMNS)
