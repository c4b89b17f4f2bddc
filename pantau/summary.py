"""Ringkasan: headline numbers with change against the previous period; the worst gaps."""

from __future__ import annotations

from datetime import date  # noqa: F401

import pandas as pd

from pantau.filters import Period, Scope  # noqa: F401
from pantau.warehouse import Warehouse

HEADLINE_COLUMNS = ['metric', 'value', 'previous', 'change', 'unit']
WORST_GAPS_COLUMNS = ['region_code', 'region_name', 'body', 'seats', 'filled', 'gap']


def headline(wh: Warehouse, scope: Scope, period: Period, election: str) -> pd.DataFrame:
    """Skeleton: returns the empty frame with its columns."""
    return pd.DataFrame(columns=HEADLINE_COLUMNS)


def worst_gaps(wh: Warehouse, scope: Scope, as_of: date, election: str, n: int = 5) -> pd.DataFrame:
    """Skeleton: returns the empty frame with its columns."""
    return pd.DataFrame(columns=WORST_GAPS_COLUMNS)
