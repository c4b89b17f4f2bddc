"""The query layer reads the aggregates (agg_*) when a version has them and the base tables when it does not (a
warehouse built before an aggregate existed): without each aggregate, and without any, every function of
docs/QUERY_API.md gives the answers it gives with all of them, at every scope and over two periods."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from etl.aggregates import AGGREGATES
from pantau.filters import Period
from pantau.warehouse import Warehouse, open_warehouse
from tests.factory import tiny_warehouse
from tests.query_api import calls, run

SCOPES = ("nasional", "18", "18.01")
PERIODS = (Period(date(2024, 1, 1), date(2024, 12, 31)), Period(date(2023, 1, 1), date(2024, 3, 31)))
CALLS = calls()


@pytest.fixture(scope="module")
def version(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return (tiny_warehouse(tmp_path_factory.mktemp("fallbacks") / "wh") / "current").resolve()


@pytest.fixture(scope="module")
def full(version: Path) -> Warehouse:
    return open_warehouse(version)


@pytest.fixture(scope="module")
def answers(full: Warehouse) -> dict[tuple[str, str, str], pd.DataFrame]:
    """Every call's answer with every aggregate, by (function, scope, period)."""
    return {(call.name, scope, period.param): run(call, full, scope, period)
            for call in CALLS for scope in (SCOPES if call.scoped else SCOPES[:1]) for period in PERIODS}


def without(version: Path, names: list[str]) -> Warehouse:
    """The version with the aggregates `names` removed, opened."""
    copy = version.with_name(f"{version.name}-without-{len(names)}-{names[0]}")
    if not copy.exists():
        shutil.copytree(version, copy)
        for name in names:
            (copy / f"{name}.parquet").unlink()
    return open_warehouse(copy)


def test_every_aggregate_is_read_somewhere(full: Warehouse) -> None:
    assert set(AGGREGATES) <= set(full.tables)  # else the cases below remove nothing


@pytest.mark.parametrize("names", [[n] for n in AGGREGATES] + [list(AGGREGATES)],
                         ids=[*AGGREGATES, "every_aggregate"])
def test_same_answers_without(names: list[str], version: Path, answers: dict) -> None:
    base = without(version, names)
    assert not set(names) & set(base.tables)
    for (name, scope, period_param), want in answers.items():
        call = next(c for c in CALLS if c.name == name)
        got = run(call, base, scope, Period.parse(period_param))
        where = f"{name} at {scope} over {period_param} without {', '.join(names)}"
        pd.testing.assert_frame_equal(got.reset_index(drop=True), want.reset_index(drop=True), check_dtype=False,
                                      obj=where)
