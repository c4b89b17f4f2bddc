"""The query functions of docs/QUERY_API.md's table, called as the pages call them (shared by test_docs and
test_fallbacks): the table is read by bench.queries.load_api, so a row added there is tested without a change here."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import date
from typing import Any

import pandas as pd

from bench.queries import ApiCall, load_api
from pantau.filters import Period, Scope
from pantau.warehouse import Warehouse

ELECTION = "pemilu_2024"
#: kab/kota compared, per scope key (codes of the factory's tiny warehouse and of the sample alike).
COMPARE = {"nasional": ["18.01", "19.04"], "18": ["18.01", "18.72"], "18.01": ["18.01", "18.72"]}


def calls() -> list[ApiCall]:
    """Every row of the API table."""
    return load_api()


def function(call: ApiCall) -> Callable[..., Any]:
    return getattr(importlib.import_module(f"pantau.{call.module}"), call.function)


def arguments(call: ApiCall, wh: Warehouse, scope_key: str, period: Period) -> list[Any]:
    """The positional arguments of a call for a scope ('nasional', '18', '18.01') and period."""
    values = {"wh": wh, "scope": Scope.parse(scope_key), "period": period, "as_of": period.end,
              "election": ELECTION, "codes": COMPARE[scope_key]}
    return [values[p] for p in call.params]


YEAR_2024 = Period(date(2024, 1, 1), date(2024, 12, 31))


def run(call: ApiCall, wh: Warehouse, scope_key: str = "18", period: Period = YEAR_2024) -> pd.DataFrame:
    """The call's answer on `wh` for the scope and period."""
    return function(call)(*arguments(call, wh, scope_key, period))
