"""Figures and tables kept across reruns: a rerun whose chart or table is unchanged skips building and serialising it.

A rerun of a page builds every plotly figure again (ui.views), deep-copies and JSON-encodes it (st.plotly_chart),
and formats every table cell through a pandas Styler (st.dataframe): about two thirds of the CPU a warm rerun costs
(docs/PERFORMANCE.md, issue 16 point 7). Most reruns show the same figures again: another session of the same
province, a filter changed back, a click on "Tambah ke slide". So:

- ``view`` keeps what a view function returned, per (function, filters and warehouse version, data given), in a
  bounded, process-wide memory shared by every session: a figure is built once per distinct input. The input is
  hashed by value (a frame's columns from their Arrow buffers), so a query that returns other rows builds a new figure.
  A kept figure is shared: callers must copy it before changing it (ui.present and ui.slides do).
- ``draw`` and ``dataframe`` put a chart or a table on the page through ``st.cache_data``, which replays the
  element's message on a hit (Streamlit's replay of elements made inside a cached function): the figure is not
  copied, checked and encoded again, nor the table formatted. Only for elements that are no widget (no selection).
"""

from __future__ import annotations

import functools
import hashlib
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from pantau.access import User
from pantau.warehouse import Warehouse


class Ctx(Protocol):
    """What a view reads from ui.widgets.Ctx besides its data."""

    wh: Warehouse
    f: Any  # ui.state.Filters
    phone: bool
    user: User


P = ParamSpec("P")
R = TypeVar("R")
C = TypeVar("C", bound=Ctx)

#: Results of view functions and maps kept (a figure is ~10-100 KB; a map's names its shapes by address).
MAX_VIEWS = 512
#: Charts and tables whose element message is kept for replay (per st.cache_data function).
MAX_ELEMENTS = 1024
TOKEN = "_pantau_token"  # set on a kept figure: the digest it was kept under

_lock = threading.Lock()
_views: OrderedDict[str, Any] = OrderedDict()


def _digest_of(value: Any, h: Any) -> None:  # h: a hashlib object
    """Feed `value` into `h`, by value; TypeError for what cannot be hashed so."""
    if isinstance(value, pd.DataFrame | pd.Series):
        frame = value.to_frame(name=str(value.name)) if isinstance(value, pd.Series) else value
        h.update(repr((list(frame.columns), [str(d) for d in frame.dtypes], frame.shape)).encode())
        index = frame.index
        if isinstance(index, pd.RangeIndex):
            h.update(repr((index.start, index.stop, index.step)).encode())
        else:
            h.update(pd.util.hash_pandas_object(index).to_numpy().tobytes())
        for _, column in frame.items():
            _column_digest(column, h)
    elif isinstance(value, set | frozenset):
        h.update(repr(sorted(map(str, value))).encode())
    elif isinstance(value, list | tuple):
        h.update(f"{type(value).__name__}{len(value)}".encode())
        for item in value:
            _digest_of(item, h)
    elif isinstance(value, Mapping):
        _digest_of(sorted(value.items(), key=lambda kv: str(kv[0])), h)
    elif value is None or isinstance(value, str | int | float | bool):
        h.update(repr(value).encode())
    else:  # dataclasses and the like (ActivityTypes, dates): their pickle
        h.update(pickle.dumps(value, protocol=5))


def _column_digest(column: pd.Series, h: Any) -> None:  # h: a hashlib object
    """Feed a column's values into `h`: an Arrow-backed column's buffers as they are (text is not turned into
    Python objects: ~3x quicker than pandas' hash), a numpy one's bytes, anything else through pandas' hash."""
    import pyarrow as pa

    values = column.array
    if hasattr(values, "__arrow_array__"):
        arr = pa.array(values)
        arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
        if arr.offset:  # a slice: its own buffers, so equal values give equal bytes
            arr = pa.concat_arrays([arr])
        h.update(repr((str(arr.type), arr.offset, len(arr))).encode())
        for buf in arr.buffers():
            h.update(b"-" if buf is None else memoryview(buf))
    elif isinstance(column.dtype, np.dtype) and column.dtype.kind in "biufcmM":  # not object: no pointers
        h.update(column.to_numpy().tobytes())
    else:
        h.update(pd.util.hash_pandas_object(column, index=False).to_numpy().tobytes())


def fingerprint(ctx: Ctx) -> tuple:
    """What a view reads from its context besides the data it is given: the warehouse version (data dates, names),
    the filters (scope, period, language, ...), the user's scope and whether the page is laid out for a phone."""
    return (str(ctx.wh.path), ctx.wh.version, ctx.wh.is_sample, ctx.f, ctx.phone, ctx.user.role, ctx.user.scope)


def _figures(out: Any) -> list[go.Figure]:
    if isinstance(out, go.Figure):
        return [out]
    return [x for x in out if isinstance(x, go.Figure)] if isinstance(out, tuple) else []


def digest(parts: Sequence[Any]) -> str | None:
    """A digest of ``parts`` by value (frames column by column, ``_column_digest``); None when a part cannot be
    hashed so (a frame of lists, an open handle)."""
    try:
        h = hashlib.blake2b(digest_size=20)
        _digest_of(list(parts), h)
        return h.hexdigest()
    except (TypeError, ValueError, pickle.PicklingError):
        return None


def kept(parts: Sequence[Any], build: Callable[[], R]) -> R:
    """``build()``, or what it returned before for the same ``parts`` (hashed by value: frames by their rows);
    built anew, not kept, when a part cannot be hashed so."""
    key = digest(parts)
    if key is None:
        return build()
    with _lock:
        if key in _views:
            _views.move_to_end(key)
            return _views[key]
    out = build()
    for fig in _figures(out):
        setattr(fig, TOKEN, key)
    with _lock:
        _views[key] = out
        while len(_views) > MAX_VIEWS:
            _views.popitem(last=False)
    return out


def view(fn: Callable[Concatenate[C, P], R]) -> Callable[Concatenate[C, P], R]:
    """A view function (ctx, data, ...) whose result is kept per (function, ``fingerprint(ctx)``, data)."""
    name = f"{fn.__module__}.{fn.__qualname__}"

    @functools.wraps(fn)
    def call(ctx: C, *args: P.args, **kwargs: P.kwargs) -> R:
        return kept((name, fingerprint(ctx), args, sorted(kwargs.items())), lambda: fn(ctx, *args, **kwargs))

    return call


def token(fig: go.Figure) -> str | None:
    """The digest a figure was kept under by ``view``; None for a figure built otherwise (or changed since)."""
    return getattr(fig, TOKEN, None)


@st.cache_data(show_spinner=False, max_entries=MAX_ELEMENTS)
def draw(token: str, key: str | None, config: dict[str, Any], _fig: go.Figure) -> None:
    """``st.plotly_chart`` of the kept figure ``token`` (its message replayed on a hit: no copy, check or encoding).
    ``_fig`` is not hashed: the token names it."""
    st.plotly_chart(_fig, theme=None, key=key, config=config)


@st.cache_data(show_spinner=False, max_entries=MAX_ELEMENTS)
def dataframe(rows_digest: str, key: str, height: int | str, config: dict[str, Any], _rows: pd.DataFrame,
              _render: Callable[[pd.DataFrame], Any]) -> None:
    """``st.dataframe`` of the table ``_render(_rows)`` (its message replayed on a hit: no formatting or Styler
    pass). ``rows_digest`` names the rows, the shown columns with their kinds and the language (``digest``; quicker
    than Streamlit's own hashing of the frame)."""
    st.dataframe(_render(_rows), hide_index=True, key=key, height=height, placeholder="–", column_config=config)
