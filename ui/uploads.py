"""Streamlit glue of the Unggah data page: each dropped file checked once per kind and values (kept in the session),
the templates made once per process. The rules are etl/uploads.py's."""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from etl import uploads
from etl.file_values import Filled
from etl.uploads import NeedsValues, Staged, UploadRefused

_STAGED = "pantau_uploads"
WORKDIR = Path(tempfile.gettempdir()) / "pantau-uploads"


@st.cache_resource(show_spinner=False)
def template(table: str) -> bytes:
    return uploads.template_bytes(table)


def stage(file: object, table: str | None, values: dict[str, str]) -> Staged | UploadRefused:
    """The check of an uploaded file (an st.file_uploader UploadedFile) for this kind and these values, or why it
    was refused; made once per (file, kind, values) in a session."""
    key = (getattr(file, "file_id", None) or file.name, table, tuple(sorted(values.items())))  # type: ignore[attr-defined]
    held: dict = st.session_state.setdefault(_STAGED, {})
    if key not in held:
        try:
            held[key] = uploads.stage(file.name, file.getvalue(), WORKDIR, table=table, values=values)  # type: ignore[attr-defined]
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
    return f"up_val_{getattr(file, 'file_id', None) or file.name}_{column}"  # type: ignore[attr-defined]


def given_values(file: object, asked: dict[str, Filled | None]) -> dict[str, str]:
    """The file-wide values the user typed in the form (one equal to what the file said is not 'given')."""
    out = {}
    for column, filled in asked.items():
        typed = str(st.session_state.get(value_key(file, column), "") or "").strip()
        if typed and typed != (filled.value if filled else ""):
            out[column] = typed
    return out


def forget() -> None:
    """Drop the session's checks (after a publish: the warehouse they compared with changed)."""
    st.session_state.pop(_STAGED, None)
