"""Data shaping the pages need for their charts, kept out of the page files (no Streamlit here).

Each helper takes a query result and returns what a chart builder takes; vectorised, so a national
scope (tens of thousands of rows) costs milliseconds per rerun.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pantau import fmt


@dataclass(frozen=True)
class WeekGrid:
    """Bodies x weeks: score where a pleno was held, where none was held, hover text per cell."""

    score: pd.DataFrame        # NaN where no pleno was held or nothing was reported
    not_held: pd.DataFrame     # True where the week was reported without a pleno
    hover: list[list[str]]
    weeks: list[pd.Timestamp]


def week_grid(weekly: pd.DataFrame, codes: Sequence[str], *, outcome_name: Callable[[str], str],
              score_word: str, not_held_text: str, lang: str, not_reported_text: str | None = None,
              weeks: Sequence[Any] = ()) -> WeekGrid:
    """Rows `codes` (in that order) x every week they reported and every week of `weeks` (the period's, so a week
    nobody reported keeps its column): the weekly pleno rows as grids.

    Hover: the outcome and score of a reported week, `not_held_text` for a reported week without an outcome,
    `not_reported_text` (default `not_held_text`) for a week the body has no row for: not reported, not missed.
    Several rows of one body and week (should not happen) take the mean score, any held, the first outcome.
    """
    rows = list(codes)
    wk = weekly[weekly["region_code"].isin(rows)]
    code_keys = wk["region_code"].to_numpy(dtype=object)
    week_keys = pd.to_datetime(wk["week_start"]).to_numpy()
    held_01 = wk["held"].astype("boolean").astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    scores = pd.to_numeric(wk["score"], errors="coerce").to_numpy(dtype=float)
    outcomes = wk["outcome"].to_numpy(dtype=object)
    cols = pd.DatetimeIndex(np.unique(np.concatenate([week_keys, pd.to_datetime(list(weeks)).to_numpy()])))
    weeks = list(cols)
    r, c = pd.Index(rows).get_indexer(code_keys), cols.get_indexer(week_keys)
    shape = (len(rows), len(cols))
    reported = np.zeros(shape, dtype=bool)
    reported[r, c] = True
    if len(np.unique(r * max(1, len(cols)) + c)) == len(r):  # one row per body and week: place the values
        score_a, held, outcome_a = np.full(shape, np.nan), np.full(shape, np.nan), np.full(shape, None, dtype=object)
        score_a[r, c], held[r, c], outcome_a[r, c] = scores, held_01, outcomes
    else:
        grouped = pd.DataFrame({"score": scores, "held": held_01, "outcome": outcomes}) \
            .groupby([code_keys, week_keys]).agg(score=("score", "mean"), held=("held", "max"),
                                                 outcome=("outcome", "first"))
        score_a = grouped["score"].unstack().reindex(index=rows, columns=cols).to_numpy(dtype=float)
        held = grouped["held"].unstack().reindex(index=rows, columns=cols).to_numpy(dtype=float)
        outcome_a = grouped["outcome"].unstack().reindex(index=rows, columns=cols).to_numpy(dtype=object)
    labels: dict[Any, str] = {}
    numbers: dict[float, str] = {}
    hover: list[list[str]] = []
    missing_text = not_held_text if not_reported_text is None else not_reported_text
    for o_row, s_row, rep_row in zip(outcome_a, score_a, reported, strict=True):
        line = []
        for o, s, rep in zip(o_row, s_row, rep_row, strict=True):
            if isinstance(o, str):
                if o not in labels:
                    labels[o] = outcome_name(o)
                if s not in numbers:
                    numbers[s] = fmt.number(s, 0, lang)
                line.append(f"{labels[o]} · {score_word} {numbers[s]}")
            else:
                line.append(not_held_text if rep else missing_text)
        hover.append(line)
    return WeekGrid(pd.DataFrame(np.where(held == 1, score_a, np.nan), index=rows, columns=cols),
                    pd.DataFrame(held == 0, index=rows, columns=cols), hover, weeks)
