"""Region columns of a source chunk: names and codes as people write them resolved top-down (the context columns
provinsi, kabupaten_kota, kecamatan first), each problem blamed on the column at fault, and codes outside the region
a file covers set aside. The bulk path (etl.bulk_activities) resolves with the same ``context_region`` and
``resolve_one``."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from etl import checks
from etl import codes as code_shape
from etl.checks import Finding
from etl.codes import LEVELS, level_of
from etl.problems import Problems, column, file_area
from etl.regions import LEVEL_LABEL, RegionResolver, Resolution, kind_word

LEVEL_BODY = {"provinsi": "bawaslu_provinsi", "kabkota": "bawaslu_kabkota", "kecamatan": "panwaslu_kecamatan",
              "desa": "pkd"}
CONTEXT_LEVEL = {"provinsi": "provinsi", "kabupaten_kota": "kabkota", "kecamatan": "kecamatan"}
_BODY_PREFIX = re.compile(r"^\s*(?:bawaslu|panwaslu|panwascam|panwas|pengawas)\b\.?\s*", re.IGNORECASE)


def _resolve_target(resolver: RegionResolver, text: str, level: str | None, within: str | None) -> Resolution:
    """Resolve at ``level``; with no level, a name that fits several levels means the largest region
    ("Koba" is Kecamatan Koba rather than Kelurahan Koba inside it)."""
    r = resolver.resolve(text, level=level, within=within)
    if r.code or level is not None:
        return r
    for lv in LEVELS:
        r2 = resolver.resolve(text, level=lv, within=within)
        if r2.code:
            return r2
    return r


def context_region(resolver: RegionResolver, values: tuple[str, ...], ctx_cols: list[str],
                   hint: str | None = None) -> tuple[str | None, dict[str, Finding]]:
    """The deepest region the context columns name (provinsi, kabupaten_kota, kecamatan; blanks skipped),
    or the error of the first one that does not resolve inside the previous. The first is looked for inside
    ``hint`` first (the organiser, the file's region): 'Wonosari' in a Kabupaten Boalemo recap is its kecamatan."""
    within: str | None = None
    for col, value in zip(ctx_cols, values, strict=False):
        if not value.strip():
            continue
        text = _BODY_PREFIX.sub("", value)
        if within is None and hint and (code := resolver.lookup(text, level=CONTEXT_LEVEL[col], within=hint)):
            within = code  # found inside the hint (a miss there costs a lookup, not a search for suggestions)
            continue
        r = resolver.resolve(text, level=CONTEXT_LEVEL[col], within=within)
        if r.code is None:
            return None, {col: r.finding}
        within = r.code
    return within, {}


def resolve_one(resolver: RegionResolver, values: tuple[str, ...], ctx_cols: list[str], target: str,
                 level: str | None, hint: str | None = None) -> tuple[str | None, dict[str, Finding]]:
    """Resolve one combination (context values..., target value) top-down: (code, {column: error}).

    ``hint`` is a region the target is probably inside (an activity's organizer) when no context is given.
    """
    within, errors = context_region(resolver, values, ctx_cols, hint)
    if errors:
        return None, errors
    text = _BODY_PREFIX.sub("", values[len(ctx_cols)]) or values[len(ctx_cols)]
    tries = [within] if within else ([hint, None] if hint else [None])
    if within is None and hint and _names_itself(resolver, text, level, hint):
        return hint, {}  # 'Kabupaten Konawe' in Konawe's recap is the kabupaten, not its Kecamatan Konawe
    first: Resolution | None = None
    for w in tries:
        r = _resolve_target(resolver, text, level, w)
        if r.code:
            return r.code, {}
        first = first or r
    around = within or hint
    if around is not None:  # the target may be the region around it ("Kab. X" inside kabupaten X, "Sragi" in Sragi)
        parent = around.rsplit(".", 1)[0] if "." in around else None
        self_r = resolver.resolve(text, level=level or level_of(around), within=parent)
        if self_r.code == around:
            return around, {}
    if level is not None:  # a region that exists, at another level than the body's
        other = _resolve_target(resolver, text, None, within)
        if other.code:
            return None, {target: _wrong_level(resolver, other.code, level)}
    return None, {target: first.finding if first else Resolution(None).finding}


_KIND_LEVEL = {"kabupaten": "kabkota", "kota": "kabkota", "provinsi": "provinsi", "kecamatan": "kecamatan",
               "desa": "desa"}


def _names_itself(resolver: RegionResolver, text: str, level: str | None, hint: str) -> bool:
    """True when ``text`` names the hint region itself at its own level, said by its kind word ('Kota Kendari') or by
    the body's level: then a same-named region inside it is not meant."""
    hint_level = level_of(hint)
    if level != hint_level and _KIND_LEVEL.get(kind_word(text) or "") != hint_level:
        return False
    parent = hint.rsplit(".", 1)[0] if "." in hint else None
    return resolver.lookup(text, level=hint_level, within=parent) == hint


def _wrong_level(resolver: RegionResolver, code: str, level: str, body: str | None = None) -> Finding:
    return checks.finding(checks.REGION_LEVEL_BODY, name=resolver.name(code), code=code,
                          level=LEVEL_LABEL[level_of(code)], body=body or LEVEL_BODY.get(level, level),
                          body_level=LEVEL_LABEL[level])


def resolve_column(raw: pd.DataFrame, p: Problems, resolver: RegionResolver, target: str, ctx_cols: list[str],
             level: pd.Series | None = None, hint: pd.Series | None = None) -> pd.Series:
    """Region codes of ``target`` (NA where unresolved; problems recorded on the column at fault).

    Works on the unique combinations of (context columns, target, level, hint), then maps back.
    """
    ctx_cols = [c for c in ctx_cols if c in raw.columns]
    cols = [*ctx_cols, target]
    columns = [column(raw, c).fillna("").astype("str") for c in cols]
    columns.append(level.fillna("").astype("str") if level is not None else pd.Series("", index=raw.index))
    columns.append(hint.fillna("").astype("str") if hint is not None else pd.Series("", index=raw.index))
    group = np.zeros(len(raw), dtype="int64")
    for col in columns:  # one dense id per combination of (context columns, target, level, hint)
        codes, uniques = pd.factorize(col)
        group, _ = pd.factorize(group * max(len(uniques), 1) + codes)
    _, first = np.unique(group, return_index=True)  # first row of each combination, in id order
    combos = [c.take(first).to_numpy(dtype=object) for c in columns]
    codes_out: list[str | None] = []
    none = Finding("", "")
    errors: dict[str, list[Finding]] = {c: [] for c in cols}
    known = resolver.code_set()
    contexts: dict[tuple[tuple[str, ...], str], tuple[str | None, bool]] = {}
    for k in range(len(first)):
        values = tuple(combo[k] for combo in combos[:len(cols)])
        lvl, hnt = combos[len(cols)][k], combos[len(cols) + 1][k]
        text = values[-1].strip()
        # a code is resolve_one's own answer when its context resolves, it lies inside and is at its level
        # (the rule bulk_activities._quick_region applies to whole columns)
        if text in known:
            ctx = values[:-1]
            if (ctx, hnt) not in contexts:
                within, ctx_errors = context_region(resolver, ctx, ctx_cols, hnt or None)
                contexts[(ctx, hnt)] = (within, not ctx_errors)
            within, ctx_ok = contexts[(ctx, hnt)]
            if ctx_ok and (not lvl or code_shape.LEVEL_OF_LENGTH.get(len(text)) == lvl) \
                    and (within is None or text.startswith(within + ".")):
                codes_out.append(text)
                for c in cols:
                    errors[c].append(none)
                continue
        if not text:
            code, errs = None, {}
        else:
            code, errs = resolve_one(resolver, values, ctx_cols, target, lvl or None, hnt or None)
        codes_out.append(code)
        for c in cols:
            errors[c].append(errs.get(c, none))
    for c in cols:
        ids = np.asarray([f.check for f in errors[c]], dtype=object)[group]
        reasons = np.asarray([f.reason for f in errors[c]], dtype=object)[group]
        p.add(pd.Series(ids != "", index=raw.index), c, pd.Series(ids, index=raw.index, dtype="str"),
              pd.Series(reasons, index=raw.index, dtype="str"))
    return pd.Series(np.asarray(codes_out, dtype=object)[group], index=raw.index, dtype="str")


def inside_area(raw: pd.DataFrame, p: Problems, resolver: RegionResolver, target: str, codes: pd.Series
                 ) -> pd.Series:
    """Codes outside the region the file covers (its title or name: etl.layout.Layout.area) set their row aside;
    a personnel, pleno, TPS or seats table of an office lists the office's own regions (an activity may take
    place anywhere, so activities are not held to it)."""
    area = file_area(raw)
    if area is None:
        return codes
    pairs = pd.DataFrame({"c": codes, "a": area.fillna("")}).dropna()
    outside = pd.Series(False, index=raw.index)
    reasons = pd.Series("", index=raw.index, dtype="str")
    for (c, a), idx in pairs.groupby(["c", "a"], sort=False).groups.items():
        if a and c != a and not c.startswith(a + "."):
            outside.loc[idx] = True
            reasons.loc[idx] = checks.OUTSIDE_FILE_AREA.reason(name=resolver.name(c), code=c,
                                                               area_name=resolver.name(a), area=a)
    if outside.sum() * 2 > len(pairs) >= 3:  # most rows elsewhere: the title or name was misread, not the rows
        return codes
    set_aside = outside.copy()
    # blamed on the widest column that is already outside (a kecamatan of another kab/kota), else the region's own
    for col in [c for c in CONTEXT_LEVEL if c in raw.columns]:
        here = outside & column(raw, col).str.strip().ne("")
        if not here.any():
            continue
        within = pd.Series([context_region(resolver, (v,), [col])[0] or "" for v in raw.loc[here, col]],
                           index=raw.index[here])
        wrong = pd.Series(False, index=raw.index)
        wrong.loc[within.index] = [bool(w) and not (w == a or w.startswith(a + ".") or a.startswith(w + "."))
                                   for w, a in zip(within, area.loc[within.index], strict=True)]
        p.add(wrong, col, checks.OUTSIDE_FILE_AREA, reasons)
        outside &= ~wrong
    p.add(outside, target, checks.OUTSIDE_FILE_AREA, reasons)
    return codes.mask(set_aside)

