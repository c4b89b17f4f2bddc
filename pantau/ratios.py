"""Supervisor ratios per kab/kota with province and national medians."""

from __future__ import annotations

from datetime import date  # noqa: F401

import pandas as pd

from pantau.filters import Period, Scope  # noqa: F401
from pantau.warehouse import Warehouse

RATIO_COLUMNS = [
    'region_code', 'region_name', 'provinsi_code', 'voters', 'tps', 'desa', 'pkd', 'ptps',
    'panwascam', 'supervisors', 'voters_per_supervisor', 'tps_per_pkd', 'desa_per_panwascam',
    'voters_per_supervisor_prov_median', 'voters_per_supervisor_national_median',
    'voters_per_supervisor_outlier', 'tps_per_pkd_prov_median', 'tps_per_pkd_national_median',
    'tps_per_pkd_outlier', 'desa_per_panwascam_prov_median', 'desa_per_panwascam_national_median',
    'desa_per_panwascam_outlier',
]


def supervisor_ratios(wh: Warehouse, scope: Scope, as_of: date, election: str) -> pd.DataFrame:
    """Skeleton: returns the empty frame with its columns."""
    return pd.DataFrame(columns=RATIO_COLUMNS)
