"""Shared fixtures of the ETL tests: the region resolver, a fixed 'today', file writers and a loader."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

import pandas as pd
import pytest

TODAY = dt.date(2025, 6, 30)

# No accounts unless a test makes some: never the tester's own ~/.config/pantau/users.json, and the audit log
# in a scratch file rather than data/warehouse (the dashboard tests then run open, on the tiny sample warehouse).
_SCRATCH = Path(tempfile.mkdtemp(prefix="pantau-tests-"))
os.environ["PANTAU_USERS"] = str(_SCRATCH / "no-users.json")
os.environ["PANTAU_AUDIT"] = str(_SCRATCH / "audit.jsonl")


@pytest.fixture(scope="session")
def resolver():
    from etl.regions import default_resolver

    return default_resolver()


@pytest.fixture
def write_csv(tmp_path: Path):
    """write_csv(name, rows, sep=",", encoding="utf-8", prefix="") -> Path; rows are lists of cells."""

    def _write(name: str, rows: list[list[str]], sep: str = ",", encoding: str = "utf-8", prefix: str = "") -> Path:
        path = tmp_path / name
        text = prefix + "".join(sep.join(r) + "\r\n" for r in rows)
        path.write_bytes(text.encode(encoding))
        return path

    return _write


@pytest.fixture
def load(resolver):
    """load(path_or_source, table=None, chunk_rows=None) -> (good, rejects, rows_read), chunks concatenated."""
    from etl.intake import load_source
    from etl.readers import Source

    def _load(path_or_source, table: str | None = None, chunk_rows: int | None = None):
        src = path_or_source if isinstance(path_or_source, Source) else Source(path=path_or_source, table=table)
        results = list(load_source(src, resolver, run_id="test-run", today=TODAY, chunk_rows=chunk_rows))
        good = pd.concat([r.good for r in results], ignore_index=True)
        rejects = pd.concat([r.rejects for r in results], ignore_index=True)
        return good, rejects, sum(r.rows_read for r in results)

    return _load
