"""Table downloads: numbers kept as their column shows them, formatted for a spreadsheet in the reader's language."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd

from ui import export


def _frame() -> pd.DataFrame:
    # a count that went through a float column, a share, a ratio, a mixed column and a missing count
    return pd.DataFrame({"Kode": ["18", "19"], "Staf": [28.0, float("nan")], "Kepatuhan": [0.9811320754716981, 1.0],
                         "Pemilih per pengawas": [217.04, 99.45984875765215], "Nilai": [5.0, 99.456]})


KINDS = {"Kode": "text", "Staf": "int", "Kepatuhan": "pct", "Pemilih per pengawas": "float1", "Nilai": "num"}


def test_csv_keeps_counts_whole_and_rounds_by_kind() -> None:
    lines = export.to_csv(_frame(), KINDS).decode("utf-8-sig").splitlines()
    assert lines == ["Kode,Staf,Kepatuhan,Pemilih per pengawas,Nilai", "18,28,0.9811,217.0,5.0", "19,,1.0,99.5,99.46"]


def test_xlsx_formats_each_number_column_by_kind_and_translates_the_filter_sheet() -> None:
    data = export.to_xlsx(_frame(), {"scope": "Lampung"}, kinds=KINDS, meta_headers=("filters", "value"))
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book["data"]
    row = {sheet.cell(1, c).value: sheet.cell(2, c) for c in range(1, 6)}
    assert row["Staf"].value == 28 and row["Staf"].number_format == "#,##0"
    assert row["Kepatuhan"].value == 0.9811 and row["Kepatuhan"].number_format == "0.0%"
    assert row["Pemilih per pengawas"].number_format == "#,##0.0"
    assert row["Kode"].value == "18" and row["Kode"].number_format == "General"
    assert row["Nilai"].value == 5 and row["Nilai"].number_format == "General"  # a count among ratios: '5', not '5.'

    assert [c.value for c in book["filters"][1]] == ["filters", "value"]


HOSTILE = ["=HYPERLINK(\"http://x\",\"klik\")", "+1+2", "-3+4", "@SUM(A1)", "\tgeser", "\rbaris", "Natar", None]


def _hostile() -> pd.DataFrame:
    return pd.DataFrame({"Judul": HOSTILE, "Peserta": [-5, 3, 0, 1, 2, 7, 9, 4], "Rasio": [-0.5] * 8})


def test_csv_defuses_cells_a_spreadsheet_would_run_and_keeps_numbers() -> None:
    import csv

    rows = list(csv.reader(io.StringIO(export.to_csv(_hostile()).decode("utf-8-sig"), newline="")))
    titles = [r[0] for r in rows[1:]]
    assert titles == ["'=HYPERLINK(\"http://x\",\"klik\")", "'+1+2", "'-3+4", "'@SUM(A1)", "'\tgeser", "'\rbaris",
                      "Natar", ""]
    assert [r[1] for r in rows[1:]][:2] == ["-5", "3"] and rows[1][2] == "-0.5"  # negative numbers stay numbers


def test_xlsx_writes_formula_text_as_text_and_numbers_as_numbers() -> None:
    data = export.to_xlsx(_hostile(), {"=cmd|' /C calc'!A0": "-2+3"})
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book["data"]
    cells = [sheet.cell(row=i, column=1) for i in range(2, 9)]
    assert all(c.data_type == "s" and str(c.value).startswith("'") for c in cells[:6]), [c.value for c in cells]
    assert cells[6].value == "Natar"
    assert sheet.cell(row=2, column=2).value == -5 and sheet.cell(row=2, column=2).data_type == "n"
    assert sheet.cell(row=2, column=3).value == -0.5
    meta = book["filter"]
    assert meta.cell(row=2, column=1).value.startswith("'=") and meta.cell(row=2, column=2).value == "'-2+3"
    assert not any(str(c.value).startswith("=") for row in sheet.iter_rows() for c in row if c.value is not None)
