"""Cached access to the warehouse: one open Warehouse per published version, query results
cached by st.cache_data on (version, function, filter values)."""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pandas as pd
import streamlit as st

from pantau.filters import Period, Scope
from pantau.warehouse import (
    VersionUnreadable,
    Warehouse,
    WarehouseMissing,
    earlier_versions,
    open_warehouse,
    resolve_version,
)

DEFAULT_ROOT = "data/warehouse"


def warehouse_root() -> str:
    """PANTAU_WAREHOUSE, or data/warehouse."""
    return os.environ.get("PANTAU_WAREHOUSE") or DEFAULT_ROOT


@st.cache_resource(show_spinner=False, max_entries=4)
def _open(version_dir: str) -> Warehouse:
    return open_warehouse(version_dir)


@st.cache_resource(show_spinner=False, max_entries=4)
def _served(version_dir: str) -> tuple[str, VersionUnreadable | None]:
    """The version to serve for a published one: itself, or when it cannot be read the newest whole one before it
    (with why). Versions never change in place, so this is decided once per published version."""
    try:
        _open(version_dir)
        return version_dir, None
    except VersionUnreadable as exc:
        for older in earlier_versions(Path(version_dir)):
            try:
                _open(str(older))
            except (VersionUnreadable, WarehouseMissing):
                continue
            return str(older), exc
        raise


def served(root: str | None = None) -> tuple[Warehouse, VersionUnreadable | None]:
    """The version served under root and, when the published one cannot be read, why (the last good version is
    served instead); WarehouseMissing if none is published, VersionUnreadable if no version is whole."""
    version_dir, broken = _served(str(resolve_version(root or warehouse_root())))
    return _open(version_dir), broken


def get_warehouse(root: str | None = None) -> Warehouse:
    """The version served under root (see `served`): re-resolved each run, opened once."""
    return served(root)[0]


def _freeze(value: Any) -> Any:
    if isinstance(value, Scope):
        return ("__scope__", value.level, value.code)
    if isinstance(value, Period):
        return ("__period__", value.start, value.end)
    if isinstance(value, (list, tuple)):
        return ("__list__", *[_freeze(v) for v in value])
    return value


def _thaw(value: Any) -> Any:
    if isinstance(value, tuple) and value and value[0] == "__scope__":
        return Scope(value[1], value[2])
    if isinstance(value, tuple) and value and value[0] == "__period__":
        return Period(value[1], value[2])
    if isinstance(value, tuple) and value and value[0] == "__list__":
        return [_thaw(v) for v in value[1:]]
    return value


@st.cache_data(show_spinner=False, max_entries=1024)
def _cached(version_dir: str, version: str, module: str, func: str, args: tuple, kwargs: tuple) -> pd.DataFrame:
    fn = getattr(importlib.import_module(f"pantau.{module}"), func)
    return fn(_open(version_dir), *[_thaw(a) for a in args], **{k: _thaw(v) for k, v in kwargs})


def query(wh: Warehouse, name: str, *args: Any, **kwargs: Any) -> pd.DataFrame:
    """query(wh, "coverage.fill_rate", scope, as_of, election) -> the cached DataFrame (a copy)."""
    module, func = name.split(".")
    frozen_args = tuple(_freeze(a) for a in args)
    frozen_kwargs = tuple(sorted((k, _freeze(v)) for k, v in kwargs.items()))
    df = _cached(str(Path(wh.path)), wh.version, module, func, frozen_args, frozen_kwargs)
    return df.copy()


@st.cache_data(show_spinner=False, max_entries=16)
def regions(version_dir: str, version: str) -> pd.DataFrame:
    """The regions table without kelurahan/desa (what the filters and labels need)."""
    return _open(version_dir).sql(
        "SELECT code, name, level, parent_code FROM regions WHERE level <> 'desa' ORDER BY code")


@st.cache_resource(show_spinner=False, max_entries=4)
def elections(version_dir: str, version: str) -> tuple[str, ...]:
    """The elections the filter offers: those with PTPS seats (coverage.elections: TPS counts or PTPS rows of
    `seats`), or every one when none has."""
    from etl.spec import ELECTIONS
    from pantau import coverage

    return tuple(coverage.elections(_open(version_dir)) or ELECTIONS)


@dataclass(frozen=True)
class RegionIndex:
    """What the filters, labels and pickers need from the regions table, made once per warehouse version
    (shared by every session and run: read-only)."""

    names: Mapping[str, str]                    # code -> name, provinsi to kecamatan
    codes: frozenset[str]
    provinces: tuple[str, ...]                  # provinsi codes, sorted
    kabkota: tuple[str, ...]                    # every kab/kota code, sorted
    kabkota_of: Mapping[str, tuple[str, ...]]   # provinsi code -> its kab/kota codes, sorted


@st.cache_resource(show_spinner=False, max_entries=4)
def region_index(version_dir: str, version: str) -> RegionIndex:
    """The regions without kelurahan/desa as lookups (a cached resource: no copy per run)."""
    df = regions(version_dir, version)
    codes, names, levels, parents = (df[c].tolist() for c in ("code", "name", "level", "parent_code"))
    kab_of: dict[str, list[str]] = {}
    for code, level, parent in zip(codes, levels, parents, strict=True):
        if level == "kabkota":
            kab_of.setdefault(parent, []).append(code)
    return RegionIndex(
        names=MappingProxyType(dict(zip(codes, names, strict=True))),
        codes=frozenset(codes),
        provinces=tuple(sorted(c for c, lv in zip(codes, levels, strict=True) if lv == "provinsi")),
        kabkota=tuple(sorted(c for c, lv in zip(codes, levels, strict=True) if lv == "kabkota")),
        kabkota_of=MappingProxyType({k: tuple(sorted(v)) for k, v in kab_of.items()}),
    )
