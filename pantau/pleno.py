"""Weekly plenary meetings: compliance, scores, outcomes, trend, ranking."""

from __future__ import annotations

from datetime import date  # noqa: F401

import pandas as pd

from pantau.filters import Period, Scope  # noqa: F401
from pantau.warehouse import Warehouse

COMPLIANCE_COLUMNS = [
    'region_code', 'region_name', 'body', 'weeks_in_period', 'weeks_reported', 'weeks_held',
    'compliance', 'mean_score', 'rank',
]
WEEKLY_COLUMNS = ['region_code', 'region_name', 'week_start', 'held', 'score', 'outcome']
SHARES_COLUMNS = ['outcome', 'n', 'share']
TREND_COLUMNS = ['period_start', 'compliance', 'mean_score']


def pleno_compliance(wh: Warehouse, scope: Scope, period: Period) -> pd.DataFrame:
    """Skeleton: returns the empty frame with its columns."""
    return pd.DataFrame(columns=COMPLIANCE_COLUMNS)


def pleno_weekly(wh: Warehouse, scope: Scope, period: Period) -> pd.DataFrame:
    """Skeleton: returns the empty frame with its columns."""
    return pd.DataFrame(columns=WEEKLY_COLUMNS)


def pleno_outcome_shares(wh: Warehouse, scope: Scope, period: Period) -> pd.DataFrame:
    """Skeleton: returns the empty frame with its columns."""
    return pd.DataFrame(columns=SHARES_COLUMNS)


def pleno_trend(wh: Warehouse, scope: Scope, period: Period, freq: str = "M") -> pd.DataFrame:
    """Skeleton: returns the empty frame with its columns."""
    return pd.DataFrame(columns=TREND_COLUMNS)
