"""The problems found in one source chunk, collected as rejects, and the raw columns the checks read."""

from __future__ import annotations

import pandas as pd

from etl import schemas
from etl.checks import Check
from etl.headers import AREA_HINT, LEVEL_HINT, LEVEL_OF_COLUMN, TARGETS
from etl.readers import RawChunk

COLUMN_OF_LEVEL = {level: column for column, level in LEVEL_OF_COLUMN.items()}


class Problems:
    """Collects the rejects of one chunk: (row, column, value, reason, check), and which rows are bad."""

    def __init__(self, chunk: RawChunk, table: str = "") -> None:
        self.raw = chunk.frame
        self.headers = chunk.headers
        self.parts: list[pd.DataFrame] = []
        self.bad = pd.Series(False, index=self.raw.index)
        # a region taken from level columns (etl.headers.promote) is blamed on the level column it was written in
        self.promoted = TARGETS.get(table) if LEVEL_HINT in self.raw.columns else None

    def label(self, column: str) -> str:
        return self.headers.get(column, column)

    def add(self, mask: pd.Series, column: str, check: Check | pd.Series, reason: str | pd.Series | None = None,
            value: pd.Series | None = None) -> None:
        """Reject rows where ``mask`` for breaking ``check`` (a rule, or a rule id per row with ``reason`` per row);
        the reason is the rule's own unless given, and may use ``{v}`` for the raw value."""
        mask = mask.fillna(False).astype(bool) if mask.dtype != bool else mask
        if not mask.any():
            return
        if reason is None:
            reason = check.reason()  # type: ignore[union-attr]
        if column == self.promoted and value is None:
            written = self.raw[LEVEL_HINT]
            for level, level_col in COLUMN_OF_LEVEL.items():
                here = mask & written.eq(level)
                if here.any():
                    self.add(here, level_col, check, reason, self.raw[column])
            mask = mask & ~written.isin(list(COLUMN_OF_LEVEL))
            if not mask.any():
                return
        rows = mask[mask].index
        if value is None:
            value = self.raw[column] if column in self.raw.columns else pd.Series("", index=self.raw.index)
        vals = value.loc[rows].astype("str").fillna("")
        if isinstance(reason, str):
            reasons = vals.map(lambda v: reason.replace("{v}", v)) if "{v}" in reason else \
                pd.Series(reason, index=rows)
        else:
            reasons = reason.loc[rows].astype("str")
        ids = check.id if isinstance(check, Check) else check.loc[rows].astype("str").to_numpy()
        self.parts.append(pd.DataFrame({"row": rows.to_numpy(), "column": self.label(column),
                                        "value": vals.to_numpy(), "reason": reasons.to_numpy(), "check": ids}))
        self.bad |= mask

    def frame(self, *, run_id: str, table: str, source: str) -> pd.DataFrame:
        if not self.parts:
            return schemas.empty_frame("rejects")
        out = pd.concat(self.parts, ignore_index=True)
        out = out.drop_duplicates(["row", "column"], keep="first").sort_values("row", kind="stable")
        out = out.assign(run_id=run_id, table=table, source=source)
        return schemas.conform(out.reset_index(drop=True), "rejects")



def column(raw: pd.DataFrame, name: str) -> pd.Series:
    """The raw column ``name``, or blanks when the source has none."""
    return raw[name] if name in raw.columns else pd.Series("", index=raw.index, dtype="str")


def file_area(raw: pd.DataFrame) -> pd.Series | None:
    """The region the file covers, where a name is looked for first (etl.layout), or None."""
    return raw[AREA_HINT] if AREA_HINT in raw.columns else None
