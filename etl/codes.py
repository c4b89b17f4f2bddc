"""The shape of a Kemendagri region code: its level, its parents, its length. One place for every layer.

``18`` is a province, ``18.01`` a kab/kota, ``18.01.04`` a kecamatan, ``18.01.04.2001`` a kelurahan/desa
(the fourth part starts with 1 for a kelurahan, 2 for a desa). Codes are strings, always.
"""

from __future__ import annotations

import re

import pandas as pd

LEVELS = ("provinsi", "kabkota", "kecamatan", "desa")
#: Characters of a code at each level.
LENGTH = {"provinsi": 2, "kabkota": 5, "kecamatan": 8, "desa": 13}
LEVEL_OF_LENGTH = {n: level for level, n in LENGTH.items()}
#: Parts (dot-separated) of a code at each level.
LEVEL_OF_PARTS = {1: "provinsi", 2: "kabkota", 3: "kecamatan", 4: "desa"}
#: A code written whole at each level (the dotted form).
PATTERN = {"provinsi": r"\d{2}", "kabkota": r"\d{2}\.\d{2}", "kecamatan": r"\d{2}\.\d{2}\.\d{2}",
           "desa": r"\d{2}\.\d{2}\.\d{2}\.\d{4}"}
#: A dotted code at any level.
ANY_PATTERN = r"\d{2}(?:\.\d{2}(?:\.\d{2}(?:\.\d{4})?)?)?"
_WHOLE = {level: re.compile(p) for level, p in PATTERN.items()}


def level_of(code: str) -> str:
    """The level of a dotted code ("18.01" -> "kabkota")."""
    return LEVEL_OF_PARTS[code.count(".") + 1]


def is_code(text: str, level: str) -> bool:
    """True when ``text`` is a dotted code of ``level`` (its shape only, not whether it exists)."""
    return _WHOLE[level].fullmatch(text) is not None


def levels(codes: pd.Series) -> pd.Series:
    """The level of each dotted code, from its length (NA for a missing code)."""
    return codes.str.len().map(LEVEL_OF_LENGTH)


def parents(codes: pd.Series) -> tuple[pd.Series, pd.Series]:
    """provinsi_code and kabkota_code of each code (kabkota_code NA for a province)."""
    kab = codes.str[:LENGTH["kabkota"]].where(codes.str.len() >= LENGTH["kabkota"])
    return codes.str[:LENGTH["provinsi"]], kab


def sql_level(column: str = "region_code") -> str:
    """A SQL expression of the level of a code column, from its length (DuckDB)."""
    whens = " ".join(f"WHEN {n} THEN '{level}'" for level, n in LENGTH.items())
    return f"CASE length({column}) {whens} END"
