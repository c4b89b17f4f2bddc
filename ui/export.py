"""Table downloads: CSV and XLSX bytes, and file names that carry the filters. No Streamlit here."""

from __future__ import annotations

import io
from collections.abc import Mapping

import pandas as pd

from pantau import fmt


def file_name(stem: str, scope_code: str | None, scope_name: str, start: object, end: object, ext: str) -> str:
    """'cakupan', '18', 'Lampung', 2024-01-01, 2024-12-31, 'xlsx' -> 'cakupan_18-lampung_2024-01-01_2024-12-31.xlsx'."""
    where = "nasional" if not scope_code else f"{scope_code}-{fmt.slug(scope_name)}"
    a, b = fmt.to_date(start), fmt.to_date(end)
    dates = f"{a.isoformat() if a else 'x'}_{b.isoformat() if b else 'x'}"
    return f"{fmt.slug(stem).replace('-', '_')}_{where}_{dates}.{ext}"


#: How a column kind of ui.widgets is kept in a download: decimals the CSV keeps, and the XLSX number format (Excel
#: shows it in the reader's own separators: 98,1% in an Indonesian Excel). Counts stay whole numbers ('28', not
#: '28.0'); shares stay fractions (0.9812, shown 98,1% in the XLSX).
KIND_FORMATS: dict[str, tuple[int, str | None]] = {  # "num" mixes counts and ratios: Excel's General shows both
    "int": (0, "#,##0"), "pct": (4, "0.0%"), "float1": (1, "#,##0.0"), "num": (2, None),
}


#: A cell starting with one of these is read as a formula by a spreadsheet (OWASP, "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def defuse(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula, prefixed with a quote ("=1+1" -> "'=1+1"); numbers,
    dates and other text unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _defused(series: pd.Series) -> pd.Series:
    """`defuse` over a column of text (other columns, numbers above all, are returned as they are)."""
    if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_datetime64_any_dtype(series):
        return series
    return series.map(defuse, na_action="ignore")


def _plain(df: pd.DataFrame, kinds: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Dates as real dates, no index, no timezone, numbers rounded as their kind shows them, text that would run
    as a formula defused: what a spreadsheet wants."""
    out = df.copy()
    out.columns = [defuse(str(c)) for c in out.columns]
    for col in out.columns:
        out[col] = _defused(out[col])
        if isinstance(out[col].dtype, pd.DatetimeTZDtype):
            out[col] = out[col].dt.tz_localize(None)
    for col, kind in (kinds or {}).items():
        if col in out.columns and kind in KIND_FORMATS:
            values = pd.to_numeric(out[col], errors="coerce").round(KIND_FORMATS[kind][0])
            out[col] = values.astype("Int64") if kind == "int" else values
    return out.reset_index(drop=True)


def to_csv(df: pd.DataFrame, kinds: Mapping[str, str] | None = None) -> bytes:
    """UTF-8 with BOM (Excel opens it with the right characters), comma-separated, ISO dates, numbers rounded
    by kind (``KIND_FORMATS``; column name -> kind)."""
    # CRLF rows (RFC 4180): a cell holding a lone CR is then quoted, not read as the end of a row
    return _plain(df, kinds).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def to_xlsx(df: pd.DataFrame, meta: Mapping[str, str] | None = None, sheet: str = "data",
            kinds: Mapping[str, str] | None = None, meta_headers: tuple[str, str] = ("filter", "nilai")) -> bytes:
    """An XLSX with the table on the first sheet, each number column formatted by its kind (``KIND_FORMATS``),
    and the filters it was made with on a second sheet headed ``meta_headers``."""
    buf = io.BytesIO()
    # strings stay strings: never a formula or a link made from a cell's text
    options = {"strings_to_formulas": False, "strings_to_urls": False}
    with pd.ExcelWriter(buf, engine="xlsxwriter", engine_kwargs={"options": options}) as xl:
        data = _plain(df, kinds)
        data.to_excel(xl, sheet_name=sheet[:31], index=False)
        ws = xl.sheets[sheet[:31]]
        formats = {k: xl.book.add_format({"num_format": f}) for k, (_, f) in KIND_FORMATS.items() if f}
        for i, col in enumerate(data.columns):
            width = max([len(str(col))] + [len(str(v)) for v in data[col].head(200)]) + 2
            ws.set_column(i, i, min(60, max(8, width)), formats.get((kinds or {}).get(col, "")))
        ws.freeze_panes(1, 0)
        if meta:
            pd.DataFrame({meta_headers[0]: [defuse(k) for k in meta],
                          meta_headers[1]: [defuse(v) for v in meta.values()]}).to_excel(
                xl, sheet_name=meta_headers[0][:31], index=False)
            xl.sheets[meta_headers[0][:31]].set_column(0, 1, 40)
    return buf.getvalue()
