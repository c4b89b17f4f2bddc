"""Streamlit glue of the Unggah data page: each dropped file checked once per kind and values for the signed-in
account (kept in the session), the templates made once per process. The rules are etl/uploads.py's and
pantau/uploading.py's. A session's staged files are removed once published or dropped from the page; any left by a
session that ended are swept when older than a day (at startup, then at most hourly)."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import streamlit as st

from etl import uploads
from etl.file_values import Filled
from etl.uploads import NeedsValues, Staged, UploadRefused
from pantau import uploading
from pantau.access import User

_STAGED = "pantau_uploads"
_PUBLISHED = "pantau_uploads_published"


def workdir() -> Path:
    """Where dropped files are staged: PANTAU_UPLOAD_DIR, else <temp>/pantau-uploads (one folder per file)."""
    return Path(os.environ.get("PANTAU_UPLOAD_DIR") or Path(tempfile.gettempdir()) / "pantau-uploads")

SWEEP_EVERY = 3600.0  # seconds between sweeps of staged files older than a day
_last_sweep = [0.0]


def sweep_old() -> None:
    """Remove staged uploads older than a day: at the first page run of the process, then at most hourly."""
    if time.monotonic() - _last_sweep[0] >= SWEEP_EVERY or not _last_sweep[0]:
        _last_sweep[0] = time.monotonic()
        uploads.sweep(workdir())


@st.cache_resource(show_spinner=False)
def template(table: str) -> bytes:
    return uploads.template_bytes(table)


def _file_id(file: object) -> str:
    return getattr(file, "file_id", None) or file.name  # type: ignore[attr-defined]


def stage(user: User, file: object, table: str | None, values: dict[str, str]) -> Staged | UploadRefused:
    """The check of an uploaded file (an st.file_uploader UploadedFile) for this account, kind and values, or why
    it was refused; made once per (file, kind, values) in a session."""
    key = (_file_id(file), table, tuple(sorted(values.items())))
    held: dict = st.session_state.setdefault(_STAGED, {})
    if key not in held:
        try:
            held[key] = uploading.stage_as(user, file.name, file.getvalue(), workdir(), table=table,  # type: ignore[attr-defined]
                                           values=values)
        except UploadRefused as exc:
            held[key] = exc
    return held[key]


def fields(first: Staged | UploadRefused) -> dict[str, Filled | None]:
    """The file-wide values the form asks for, with what the file said (None: nothing), from its first check."""
    if isinstance(first, Staged):
        return first.file_values
    if isinstance(first, NeedsValues):
        return dict.fromkeys(first.columns)
    return {}


def value_key(file: object, column: str) -> str:
    """The session key of a file-wide value's field."""
    return f"up_val_{_file_id(file)}_{column}"


def prefill(user: User, file: object, first: Staged | UploadRefused,
            asked: dict[str, Filled | None]) -> dict[str, str]:
    """Start the fields the file said nothing for with the account's own office (pantau.uploading.account_values),
    once: the user may change or clear them. Returns those columns and values."""
    table = first.table if isinstance(first, Staged | NeedsValues) else ""
    own = {c: v for c, v in uploading.account_values(user, table).items() if c in asked and asked[c] is None}
    for column, value in own.items():
        st.session_state.setdefault(value_key(file, column), value)
    return own


def from_account(file: object, column: str, own: dict[str, str]) -> bool:
    """Does the field of ``column`` still hold what the account filled (``prefill``)?"""
    return column in own and str(st.session_state.get(value_key(file, column), "")).strip() == own[column]


def given_values(file: object, asked: dict[str, Filled | None]) -> dict[str, str]:
    """The file-wide values the user typed in the form (one equal to what the file said is not 'given')."""
    out = {}
    for column, filled in asked.items():
        typed = str(st.session_state.get(value_key(file, column), "") or "").strip()
        if typed and typed != (filled.value if filled else ""):
            out[column] = typed
    return out


def keep_only(files: list) -> None:
    """Drop the checks (and staged files) of files no longer on the page: the user removed them."""
    present = {_file_id(f) for f in files}
    held: dict = st.session_state.get(_STAGED, {})
    for key in [k for k in held if k[0] not in present]:
        staged = held.pop(key)
        if isinstance(staged, Staged):
            uploads.discard(staged)


def forget(published: list | None = None, version: str = "") -> None:
    """Drop the session's checks and their staged files (after a publish: the warehouse they compared with
    changed); the ``published`` files are remembered with the version, not checked again while on the page."""
    for staged in st.session_state.pop(_STAGED, {}).values():
        if isinstance(staged, Staged):
            uploads.discard(staged)
    done: dict = st.session_state.setdefault(_PUBLISHED, {})
    done.update(dict.fromkeys((_file_id(f) for f in published or []), version))


def published_version(file: object) -> str | None:
    """The version a file on the page was published as in this session, or None."""
    return st.session_state.get(_PUBLISHED, {}).get(_file_id(file))
