"""ui.data.cached: a query function called through st.cache_data, keyed on the warehouse version and arguments."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest

from pantau import coverage
from pantau.filters import Scope
from pantau.warehouse import Warehouse, open_warehouse
from tests.factory import tiny_warehouse
from ui.data import cached

CALLS: list[tuple[str, str]] = []


def regions_of(wh: Warehouse, level: str, *, limit: int = 100) -> pd.DataFrame:
    """A query function of the pages' kind that records each time it really runs."""
    CALLS.append((wh.version, level))
    return wh.sql("SELECT code, name FROM regions WHERE level = ? ORDER BY code LIMIT ?", [level, limit])


@pytest.fixture(scope="module")
def two_versions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Warehouse, Warehouse]:
    root = tiny_warehouse(tmp_path_factory.mktemp("cached") / "wh")
    version = (root / "current").resolve()
    other = version.with_name("tiny-2")
    shutil.copytree(version, other)
    manifest = other / "manifest.json"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace('"tiny-1"', '"tiny-2"'), encoding="utf-8")
    return open_warehouse(version), open_warehouse(Path(other))


def test_cached_runs_once_per_version_and_arguments(two_versions):
    first, second = two_versions
    assert second.version == "tiny-2"
    CALLS.clear()
    a = cached(regions_of)(first, "provinsi")
    b = cached(regions_of)(first, "provinsi")       # the warehouse (a DuckDB connection) is not hashed
    a.loc[0, "name"] = "changed"                     # each caller gets its own frame
    assert b.loc[0, "name"] != "changed" and cached(regions_of)(first, "provinsi").equals(b)
    assert CALLS == [("tiny-1", "provinsi")]
    cached(regions_of)(first, "kabkota")
    cached(regions_of)(second, "provinsi")           # another version: its own entry
    cached(regions_of)(first, "provinsi", limit=1)
    assert CALLS == [("tiny-1", "provinsi"), ("tiny-1", "kabkota"), ("tiny-2", "provinsi"), ("tiny-1", "provinsi")]


def test_cached_keeps_the_function_and_its_answer(two_versions):
    wh, _ = two_versions
    scope = Scope("provinsi", "18")
    call = cached(coverage.fill_rate_by_body)
    assert call.__name__ == "fill_rate_by_body" and call.__doc__ == coverage.fill_rate_by_body.__doc__
    as_of = dt.date(2024, 6, 30)
    pd.testing.assert_frame_equal(call(wh, scope, as_of, "pemilu_2024", only_seated=True),
                                  coverage.fill_rate_by_body(wh, scope, as_of, "pemilu_2024", only_seated=True))
