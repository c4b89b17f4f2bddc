"""Errors the ETL reports to a person (no traceback)."""

from __future__ import annotations


class SourceError(Exception):
    """A source that cannot be read at all: not a spreadsheet, empty, a required column missing,
    an SQL connection that fails. The message names the file (or the SQL URL without password)
    and what is wrong, in Indonesian with English words in parentheses."""
