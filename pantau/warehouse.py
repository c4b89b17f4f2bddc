"""Open the published warehouse version read-only and query it with DuckDB.

`open_warehouse("data/warehouse")` resolves `current` once; every view then reads the Parquet
files of that one version, so a reader never mixes two versions.
"""

from __future__ import annotations

import json
import threading
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from etl.spec import TABLES, WAREHOUSE

_DUCK_TYPES = {"string": "VARCHAR", "int64": "BIGINT", "float64": "DOUBLE", "bool": "BOOLEAN",
               "date": "DATE", "timestamp": "TIMESTAMP"}
#: The column holding the date of each table, for "data per ...".
#: In-memory tables `Warehouse.materialize` keeps at most.
MATERIALIZED_MAX = 8
DATE_COLUMNS = {t.name: t.date for t in TABLES.values() if t.date}


class WarehouseMissing(FileNotFoundError):
    """No published warehouse where one was expected."""


class VersionUnreadable(Exception):  # noqa: N818 - said to the user as it is
    """A published version holding a file that cannot be read (cut short, damaged): `version` and `file` name it."""

    def __init__(self, path: Path, file: str, detail: str):
        self.path, self.version, self.file = path, path.name, file
        super().__init__(f"{path.name}/{file}: {detail}")


def _empty_select(table: str) -> str:
    cols = ", ".join(f"CAST(NULL AS {_DUCK_TYPES[t]}) AS \"{c}\"" for c, t in WAREHOUSE[table].items())
    return f"SELECT {cols} WHERE false"


class Warehouse:
    """One published warehouse version: DuckDB views named like the tables, plus small caches."""

    def __init__(self, path: Path, manifest: dict[str, Any]):
        self.path = path
        self.manifest = manifest
        self.version: str = str(manifest.get("version") or path.name)
        self._con = duckdb.connect(":memory:", config={"threads": 2})
        self._con.execute("SET enable_progress_bar = false")
        self._local = threading.local()
        self._lock = threading.Lock()
        self._cache: dict[Any, Any] = {}
        self._tables_made: list[tuple[tuple, str]] = []
        self._made = 0
        self.tables: list[str] = []
        for f in sorted(path.glob("*.parquet")):
            try:  # a view reads the file's footer now: a file cut short or damaged fails here, not in a page
                self._con.execute(f"CREATE VIEW \"{f.stem}\" AS SELECT * FROM read_parquet('{f.as_posix()}')")
            except duckdb.Error as exc:
                self._con.close()
                raise VersionUnreadable(path, f.name, str(exc).splitlines()[0]) from None
            self.tables.append(f.stem)
            if f.stem == "activities":  # row numbers let a top-N read only the rows it returns
                self._con.execute(f"CREATE VIEW activities_rn AS SELECT * FROM "
                                  f"read_parquet('{f.as_posix()}', file_row_number = true)")
        for table in WAREHOUSE:
            if table not in self.tables:  # a missing base table reads as empty, with its columns
                self._con.execute(f"CREATE VIEW \"{table}\" AS {_empty_select(table)}")

    def __repr__(self) -> str:
        return f"Warehouse({str(self.path)!r}, version={self.version!r})"

    @property
    def is_sample(self) -> bool:
        return bool(self.manifest.get("sample", False))

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        cur = getattr(self._local, "cur", None)
        if cur is None:  # one cursor per thread: Streamlit serves sessions from several threads
            with self._lock:
                cur = self._con.cursor()
            self._local.cur = cur
        return cur

    def sql(self, query: str, params: list[Any] | dict[str, Any] | None = None) -> pd.DataFrame:
        """Run a query over the views and return a DataFrame."""
        return self._cursor().execute(query, params or []).df()

    def scalar(self, query: str, params: list[Any] | dict[str, Any] | None = None) -> Any:
        row = self._cursor().execute(query, params or []).fetchone()
        return None if row is None else row[0]

    def has(self, table: str) -> bool:
        """True when the version holds this table as a Parquet file."""
        return table in self.tables

    def cached(self, key: Any, build: Any) -> Any:
        """Per-instance cache: build() once per key (keys include everything the value depends on)."""
        if key not in self._cache:
            value = build()
            with self._lock:
                if len(self._cache) > 256:
                    self._cache.clear()
                self._cache[key] = value
        return self._cache[key]

    def materialize(self, key: tuple, query: str, params: dict[str, Any] | None = None) -> str:
        """Name of an in-memory table holding the query's result, built once per key like `cached` (visible
        to every thread's cursor; beyond MATERIALIZED_MAX tables the oldest is dropped)."""
        with self._lock:
            name = self._cache.get(("materialized", key))
            if name is None:
                name = f"_mat_{self._made}"
                self._made += 1
                self._con.execute(f'CREATE TABLE "{name}" AS {query}', params or {})
                self._cache[("materialized", key)] = name
                self._tables_made.append((key, name))
                if len(self._tables_made) > MATERIALIZED_MAX:
                    old_key, old = self._tables_made.pop(0)
                    self._con.execute(f'DROP TABLE IF EXISTS "{old}"')
                    if self._cache.get(("materialized", old_key)) == old:
                        del self._cache[("materialized", old_key)]
            return name

    @cached_property
    def regions(self) -> pd.DataFrame:
        """The regions table (code, name, level, kind, parent_code, provinsi_code, kabkota_code, ...)."""
        return self.sql("SELECT * FROM regions ORDER BY code")

    @cached_property
    def upper_names(self) -> dict[str, str]:
        """Names of every provinsi, kab/kota and kecamatan (from agg_region_names; {} when absent)."""
        if not self.has("agg_region_names"):
            return {}
        df = self.sql("SELECT code, name FROM agg_region_names")
        return dict(zip(df["code"].tolist(), df["name"].tolist(), strict=True))

    def names(self, codes: pd.Series) -> pd.Series:
        """Region names of a Series of codes (the code itself when unknown, None stays None)."""
        if codes.empty:
            return pd.Series([], index=codes.index, dtype="str")
        wanted = [c for c in codes.dropna().unique().tolist() if isinstance(c, str)]
        if "regions" in self.__dict__:  # loaded already: map in memory
            lookup = self.regions.set_index("code")["name"]
        elif self.has("agg_region_names") and all(len(c) <= 8 for c in wanted):  # down to kecamatan
            upper = self.upper_names
            lookup = {c: upper[c] for c in wanted if c in upper}
        else:  # read only the names asked for
            lookup = self.sql("SELECT code, name FROM regions WHERE code IN (SELECT unnest(?))",
                              [wanted]).set_index("code")["name"]
        mapped = codes.map(lookup).astype("object")
        return mapped.where(mapped.notna(), codes).astype("str")

    def region_name(self, code: str | None) -> str:
        """Name of one region code ('Indonesia' for None; the code itself when unknown)."""
        if code is None:
            return "Indonesia"
        return str(self.names(pd.Series([code])).iloc[0])

    def data_date(self, table: str) -> date | None:
        """Latest date in a table (manifest first, else the data), or None when empty/unknown."""
        info = self.manifest.get("tables", {}).get(table, {})
        if info.get("data_date"):
            return date.fromisoformat(str(info["data_date"])[:10])
        col = DATE_COLUMNS.get(table)
        if col is None or table not in self.tables + list(WAREHOUSE):
            return None
        value = self.scalar(f"SELECT max(\"{col}\") FROM \"{table}\"")
        if value is None:
            return None
        return value.date() if isinstance(value, datetime) else value

    def close(self) -> None:
        self._con.close()


def resolve_version(root: str | Path) -> Path:
    """The directory of the published version: root/current, or root itself if it holds a manifest."""
    root = Path(root)
    if (root / "manifest.json").is_file():
        return root
    current = root / "current"
    if current.exists():
        target = current.resolve()
        if (target / "manifest.json").is_file():
            return target
    raise WarehouseMissing(
        f"No published warehouse at {root} (expected {current} -> versions/<run_id>/ with manifest.json). "
        "Build one with `python -m etl sample && python -m etl build` (sample data) or "
        "`python -m etl build` on your sources."
    )


def earlier_versions(version_dir: Path) -> list[Path]:
    """The published versions before this one (siblings in versions/ with a manifest), newest first."""
    if version_dir.parent.name != "versions":
        return []
    return sorted((p for p in version_dir.parent.iterdir()
                   if p.name < version_dir.name and (p / "manifest.json").is_file()), reverse=True)


def open_warehouse(root: str | Path = "data/warehouse") -> Warehouse:
    """Open the published version under root (resolving `current` once); WarehouseMissing if none,
    VersionUnreadable when one of its files cannot be read."""
    path = resolve_version(root)
    try:
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise WarehouseMissing(f"Unreadable manifest in {path}: {exc}") from exc
    return Warehouse(path, manifest)
