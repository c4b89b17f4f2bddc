"""Keys of source rows: the keys seen so far in a source (duplicates across its chunks), the key of an activity
written without an id, and the reason a duplicate is set aside with."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from etl import checks


class KeyTracker:
    """Keys seen so far in one source, with the row number of each key's first good occurrence.

    No key text is kept (a Python string per key cost too much memory: docs/PERFORMANCE.md): each key is a 64-bit hash
    in sorted blocks, with its first row. A hit on that hash is confirmed by a second, independent
    hash of the key, kept to 32 bits (together a 96-bit fingerprint: a false duplicate among 10^7 keys
    has a chance of about 10^-15), so an accidental collision of the first hash never rejects a row.
    Memory: 16 bytes a key; blocks are merged while they stay small.
    """

    #: Blocks grow by merging neighbours of similar size up to this many keys (bounds the temporary copy).
    MAX_BLOCK = 1_000_000
    _KEY2 = "pantau-keys-2nd!"  # hash_key of the confirming hash (16 bytes, differs from pandas' default)

    def __init__(self) -> None:
        self._blocks: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # (hash, 2nd hash, first row)
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def _lookup(self, h1: np.ndarray, h2: np.ndarray) -> np.ndarray:
        """First row of each key among the stored ones (-1 when new)."""
        found = np.full(len(h1), -1, dtype="int64")
        order = np.argsort(h1)
        needles = h1[order]  # sorted needles: searchsorted walks memory in order
        for sorted_h, second, rows in self._blocks:
            left = np.searchsorted(sorted_h, needles)
            hit = np.flatnonzero(sorted_h[np.minimum(left, len(sorted_h) - 1)] == needles)
            for o in hit:
                i, j = order[o], left[o]
                while found[i] < 0 and j < len(sorted_h) and sorted_h[j] == needles[o]:
                    if second[j] == h2[i]:  # confirmed: the same key
                        found[i] = rows[j]
                    j += 1
        return found

    def _add(self, h1: np.ndarray, h2: np.ndarray, rows: np.ndarray) -> None:
        order = np.argsort(h1)
        self._blocks.append((h1[order], h2[order], rows[order].astype(np.int32 if rows.max() < 2**31 else np.int64)))
        self._count += len(h1)
        while len(self._blocks) > 1 and len(self._blocks[-2][0]) <= len(self._blocks[-1][0]) * 2 \
                and len(self._blocks[-2][0]) + len(self._blocks[-1][0]) <= self.MAX_BLOCK:
            b, a = self._blocks.pop(), self._blocks.pop()
            h = np.concatenate([a[0], b[0]])
            order = np.argsort(h, kind="stable")
            rows_ab = np.concatenate([a[2], b[2]])
            self._blocks.append((h[order], np.concatenate([a[1], b[1]])[order], rows_ab[order]))

    def seen(self, h1: np.ndarray, h2: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """For keys distinct among themselves, given by two independent hashes (uint64, uint32) and their
        rows: the row of an earlier occurrence, or -1 (the key is then recorded at its row)."""
        found = self._lookup(h1, h2) if self._count else np.full(len(h1), -1, dtype="int64")
        new = found < 0
        if new.any():
            self._add(h1[new], h2[new], rows[new])
        return found

    def first_rows(self, keys: pd.Series) -> pd.Series:
        """For each row (index = row number): the row of an earlier occurrence, or NA; records new keys."""
        rows = keys.index.to_numpy(dtype="int64")
        result = np.full(len(keys), -1, dtype="int64")
        dup = keys.duplicated(keep="first").to_numpy()
        firsts = np.flatnonzero(~dup)
        unique = keys.iloc[firsts]
        h1 = pd.util.hash_pandas_object(unique, index=False, categorize=False).to_numpy()
        h2 = pd.util.hash_pandas_object(unique, index=False, categorize=False,
                                        hash_key=self._KEY2).to_numpy().astype(np.uint32)  # low 32 bits
        result[firsts] = self.seen(h1, h2, rows[firsts])
        if dup.any():
            first_here = pd.Index(unique.to_numpy())
            pos = first_here.get_indexer(keys.to_numpy()[dup])
            earlier = result[firsts][pos]
            result[dup] = np.where(earlier >= 0, earlier, rows[firsts][pos])
        out = pd.Series(result, index=keys.index, dtype="Int64")
        return out.mask(result < 0)



def derived_ids(organizer: pd.Series, date: pd.Series, region: pd.Series, kind: pd.Series,
                title: pd.Series) -> pd.Series:
    """A stable key of activities written without an id: a hash of what the row says (organiser, date, place,
    type, title) and its position among identical rows, so a corrected re-send of the same rows gets the same keys
    and replaces them ('~3f9a0c1d2e4b', then '~3f9a0c1d2e4b-2' for its twin)."""
    content = (organizer.fillna("").astype("str") + "|" + date.dt.strftime("%Y-%m-%d").fillna("") + "|"
               + region.fillna("").astype("str") + "|" + kind.fillna("").astype("str") + "|"
               + title.fillna("").astype("str").str.strip().str.lower())
    digest = content.map(lambda c: "~" + hashlib.blake2b(c.encode(), digest_size=6).hexdigest())
    nth = content.groupby(content, sort=False).cumcount()
    return digest.where(nth == 0, digest + "-" + (nth + 1).astype("str"))



def duplicate_reason(label: str, value: str, first_row: int) -> str:
    """'Duplikat: id_kegiatan 'A-1' sudah ada di baris 2 (duplicate key)'."""
    return checks.DUPLICATE_KEY.reason(label=label, value=value, first_row=first_row)
