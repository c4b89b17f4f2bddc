"""Cached access to the warehouse: one open Warehouse per published version, query results cached by
st.cache_data on (version, function, filter values) through `cached(module.function)`."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Concatenate, ParamSpec, TypeVar

import pandas as pd
import streamlit as st

from pantau.access import User, clamp, clamp_codes
from pantau.filters import Scope
from pantau.warehouse import (
    VersionUnreadable,
    Warehouse,
    WarehouseMissing,
    earlier_versions,
    open_warehouse,
    resolve_version,
)
from ui import auth

DEFAULT_ROOT = "data/warehouse"
P = ParamSpec("P")
R = TypeVar("R")


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


@st.cache_data(show_spinner=False, max_entries=1024)
def _call(version_dir: str, version: str, name: str, args: tuple, kwargs: tuple, _wh: Warehouse,
          _fn: Callable[..., Any]) -> Any:
    """One query function's result, cached on (version directory, version, function name, arguments): the open
    warehouse and the function object stay out of the hash (`_wh`, `_fn`: the version and `name` stand for them)."""
    return _fn(_wh, *args, **dict(kwargs))


#: Query functions whose first argument after the warehouse is a list of region codes (clamped one by one).
CODE_LISTS = frozenset({"pantau.compare.compare_kabkota"})
#: Query functions with row-level data of every region and no scope: the nasional role only (others: no rows).
NATIONAL_ONLY = frozenset({"pantau.quality.rejects", "pantau.quality.refused"})


def scoped(user: User | None, name: str, args: tuple, kwargs: dict) -> tuple[tuple, dict, bool]:
    """The arguments clamped to what `user` may see: every Scope (positional or keyword) narrowed to the user's
    own when outside it, a code list filtered; and whether the query may run at all (False: it returns no rows).
    PermissionError when there is no user (accounts exist and nobody signed in, or real data with no accounts)."""
    if user is None:
        raise PermissionError("no signed-in user: no data")

    def one(value: Any) -> Any:
        return clamp(user, value)[0] if isinstance(value, Scope) else value

    args = tuple(one(a) for a in args)
    kwargs = {k: one(v) for k, v in kwargs.items()}
    if name in CODE_LISTS and args:
        args = (clamp_codes(user, args[0]), *args[1:])
    return args, kwargs, user.reads_audit or name not in NATIONAL_ONLY


def cached(fn: Callable[Concatenate[Warehouse, P], R]) -> Callable[Concatenate[Warehouse, P], R]:
    """`cached(coverage.fill_rate_by_body)(wh, scope, as_of, election)`: the query function called through
    st.cache_data, keyed on the warehouse's version (directory and run id) and the other arguments (Scope and
    Period are frozen dataclasses, hashed by value). The same signature as `fn`, so type checkers and
    go-to-definition follow the call; each call gets its own copy (st.cache_data unpickles a new one).

    Every call is clamped to the session's user first (`scoped`): a page, a download or an export cannot ask for
    rows outside the user's scope, whatever it passes."""
    name = f"{fn.__module__}.{fn.__qualname__}"

    @functools.wraps(fn)
    def call(wh: Warehouse, *args: P.args, **kwargs: P.kwargs) -> R:
        safe_args, safe_kwargs, may = scoped(auth.current_user(wh), name, args, kwargs)
        out = _call(str(Path(wh.path)), wh.version, name, safe_args, tuple(sorted(safe_kwargs.items())),
                    _wh=wh, _fn=fn)
        return out if may or not isinstance(out, pd.DataFrame) else out.head(0)  # type: ignore[return-value]

    return call


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
