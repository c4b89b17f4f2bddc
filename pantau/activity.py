"""Supervision and outreach activities over time, by type and region; sambang reach."""

from __future__ import annotations

from datetime import date  # noqa: F401

import pandas as pd

from pantau.filters import Period, Scope  # noqa: F401
from pantau.warehouse import Warehouse

TREND_COLUMNS = ['period_start', 'type', 'n', 'participants']
BY_REGION_COLUMNS = ['region_code', 'region_name', 'type', 'n']
DAILY_COLUMNS = ['date', 'n']
REACH_COLUMNS = ['region_code', 'region_name', 'desa_total', 'desa_reached', 'reach']
LIST_COLUMNS = ['date', 'type', 'title', 'organizer_code', 'region_code', 'region_name', 'participants']


def activity_trend(wh: Warehouse, scope: Scope, period: Period, freq: str = "M") -> pd.DataFrame:
    """Skeleton: returns the empty frame with its columns."""
    return pd.DataFrame(columns=TREND_COLUMNS)


def activity_by_region(wh: Warehouse, scope: Scope, period: Period) -> pd.DataFrame:
    """Skeleton: returns the empty frame with its columns."""
    return pd.DataFrame(columns=BY_REGION_COLUMNS)


def activity_daily(wh: Warehouse, scope: Scope, period: Period) -> pd.DataFrame:
    """Skeleton: returns the empty frame with its columns."""
    return pd.DataFrame(columns=DAILY_COLUMNS)


def sambang_reach(wh: Warehouse, scope: Scope, period: Period) -> pd.DataFrame:
    """Skeleton: returns the empty frame with its columns."""
    return pd.DataFrame(columns=REACH_COLUMNS)


def activity_list(wh: Warehouse, scope: Scope, period: Period, limit: int = 500) -> pd.DataFrame:
    """Skeleton: returns the empty frame with its columns."""
    return pd.DataFrame(columns=LIST_COLUMNS)
