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


def _plain(df: pd.DataFrame) -> pd.DataFrame:
    """Dates as real dates, no index, no timezone: what a spreadsheet wants."""
    out = df.copy()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.DatetimeTZDtype):
            out[col] = out[col].dt.tz_localize(None)
    return out.reset_index(drop=True)


def to_csv(df: pd.DataFrame) -> bytes:
    """UTF-8 with BOM (Excel opens it with the right characters), comma-separated, ISO dates."""
    return _plain(df).to_csv(index=False).encode("utf-8-sig")


def to_xlsx(df: pd.DataFrame, meta: Mapping[str, str] | None = None, sheet: str = "data") -> bytes:
    """An XLSX with the table on the first sheet and the filters it was made with on 'filter'."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="xlsxwriter") as xl:
        data = _plain(df)
        data.to_excel(xl, sheet_name=sheet[:31], index=False)
        ws = xl.sheets[sheet[:31]]
        for i, col in enumerate(data.columns):
            width = max([len(str(col))] + [len(str(v)) for v in data[col].head(200)]) + 2
            ws.set_column(i, i, min(60, max(8, width)))
        ws.freeze_panes(1, 0)
        if meta:
            pd.DataFrame({"filter": list(meta.keys()), "nilai": list(meta.values())}).to_excel(
                xl, sheet_name="filter", index=False)
            xl.sheets["filter"].set_column(0, 1, 40)
    return buf.getvalue()
