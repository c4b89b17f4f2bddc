"""Fill rate (filled / mandated seats) per body and region, and the gaps."""

from __future__ import annotations

from datetime import date  # noqa: F401

import pandas as pd

from pantau.filters import Period, Scope  # noqa: F401
from pantau.warehouse import Warehouse

BY_BODY_COLUMNS = ['body', 'seats', 'filled', 'fill_rate', 'mismatch']
FILL_RATE_COLUMNS = ['region_code', 'region_name', 'body', 'seats', 'filled', 'fill_rate', 'mismatch']
GAPS_COLUMNS = [
    'region_code', 'region_name', 'level', 'parent_code', 'parent_name', 'body', 'seats', 'filled',
    'gap', 'issue',
]


def fill_rate_by_body(wh: Warehouse, scope: Scope, as_of: date, election: str) -> pd.DataFrame:
    """Skeleton: returns the empty frame with its columns."""
    return pd.DataFrame(columns=BY_BODY_COLUMNS)


def fill_rate(wh: Warehouse, scope: Scope, as_of: date, election: str, body: str | None = None) -> pd.DataFrame:
    """Skeleton: returns the empty frame with its columns."""
    return pd.DataFrame(columns=FILL_RATE_COLUMNS)


def gaps(wh: Warehouse, scope: Scope, as_of: date, election: str) -> pd.DataFrame:
    """Skeleton: returns the empty frame with its columns."""
    return pd.DataFrame(columns=GAPS_COLUMNS)
