"""Two to five kab/kota side by side on every measure, each against its province median."""

from __future__ import annotations

from datetime import date  # noqa: F401

import pandas as pd

from pantau.filters import Period, Scope  # noqa: F401
from pantau.warehouse import Warehouse

COMPARE_COLUMNS = ['region_code', 'region_name', 'measure', 'value', 'prov_median']


def compare_kabkota(wh: Warehouse, codes: list[str], period: Period, as_of: date, election: str) -> pd.DataFrame:
    """Skeleton: returns the empty frame with its columns."""
    return pd.DataFrame(columns=COMPARE_COLUMNS)
