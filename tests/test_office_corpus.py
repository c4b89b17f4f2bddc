"""The corpus of office-shaped files, written by hand as clerks keep them (tests/fixtures/office/).

Each file is checked as ``python -m etl check`` checks it, against what a person expects in
expected.toml: how many data rows load and are set aside, which row and column each bad row is
blamed on, and which values the file says once for the whole table. Then the whole folder is built
into one warehouse, as ``python -m etl build`` would, and gives the same counts: check and build agree.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from etl.checks import CHECKS
from etl.intake import check_file

CORPUS = Path(__file__).parent / "fixtures" / "office"
CASES = tomllib.loads((CORPUS / "expected.toml").read_text(encoding="utf-8"))["file"]
#: The corpus was written on this day: later dates in it are "in the future" on purpose.
TODAY = dt.date(2026, 12, 4)
#: Expected values that name the region a file covers, which is where its names are looked for (Layout.area).
AREA_KEYS = ("kabupaten_kota", "provinsi")


def _header(text: str) -> str:
    """A header as compared: line breaks as spaces, the column letter that tells repeats apart dropped."""
    text = re.sub(r"\s*\[kolom [A-Z]+\]", "", str(text))
    return " ".join(text.split()).lower()


@pytest.fixture(scope="module")
def reports():
    return {case["name"]: check_file(CORPUS / case["name"], today=TODAY) for case in CASES}


def test_the_corpus_covers_every_shape_table_and_format():
    assert len(CASES) >= 20
    assert {c["table"] for c in CASES} == {"personnel", "activities", "pleno", "tps", "seats_reference"}
    assert {Path(c["name"]).suffix for c in CASES} == {".csv", ".xlsx"}
    assert set().union(*(c["shapes"] for c in CASES)) >= set(range(1, 8))
    assert {p.name for p in CORPUS.iterdir() if p.suffix in (".csv", ".xlsx")} == {c["name"] for c in CASES}


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_each_office_file_loads_as_a_person_expects(case, reports):
    report = reports[case["name"]]
    assert report.table == case["table"]
    assert (report.rows_ok, report.rows_rejected) == (case["loaded"], case["set_aside"]), \
        report.rejects[["row", "column", "value", "reason"]].to_string()
    blamed = {(int(r.row), _header(r.column)) for r in report.rejects.itertuples()}
    for row, header in case["bad_rows"]:
        columns = {col for r, col in blamed if r == row}
        assert any(col == _header(header) or col.endswith(" " + _header(header)) for col in columns), \
            (row, header, columns)
    filled = {f.column: f.value for f in report.log.filled}
    for column, value in case["filled"].items():
        if column in AREA_KEYS and column not in filled:
            assert report.log.area == value, (column, value, report.log.area)
        else:
            assert filled.get(column) == value, (column, value, filled)


def test_every_reject_names_a_known_rule(reports):
    rejects = [r.rejects for r in reports.values() if len(r.rejects)]
    assert len(rejects) >= 10
    for frame in rejects:
        assert frame["check"].isin(list(CHECKS)).all(), frame[["source", "row", "reason", "check"]].to_string()


def test_the_whole_corpus_built_as_one_folder_gives_the_same_counts(tmp_path, reports):
    """`python -m etl build --source tests/fixtures/office` finds each file's table as check does and loads the same
    rows: per file, the rows read, loaded and set aside agree with check's (personnel's L/P recaps load a row per
    gender, so their warehouse rows are counted by source row here)."""
    import shutil

    from etl.build import build

    src = tmp_path / "src"
    shutil.copytree(CORPUS, src, ignore=shutil.ignore_patterns("*.toml", "*.md"))
    summary = build(src, tmp_path / "wh", today=TODAY)
    built = {s.name: s for s in summary.sources}
    assert set(built) == {c["name"] for c in CASES}
    for case in CASES:
        stats, report = built[case["name"]], reports[case["name"]]
        assert stats.table == report.table == case["table"], case["name"]
        assert (stats.rows_read, stats.rows_rejected) == (report.rows_read, report.rows_rejected), case["name"]
        if case.get("one_row_per_tps"):  # loads one row a desa, counting its TPS: the rows that loaded
            tps = pd.read_parquet(tmp_path / "wh" / "current" / "tps.parquet", filters=[("source", "==", stats.name)])
            assert (int(tps["tps"].sum()), len(tps)) == (report.rows_ok, stats.rows_loaded), case["name"]
            assert stats.rows_loaded < report.rows_ok, case["name"]
        elif case.get("one_row_per_person"):  # loads a count per date, region, body, role, gender: the people
            people = pd.read_parquet(tmp_path / "wh" / "current" / "personnel.parquet",
                                     filters=[("source", "==", stats.name)])
            assert (int(people["count"].sum()), len(people)) == (report.rows_ok, stats.rows_loaded), case["name"]
        elif case["table"] != "personnel":
            assert stats.rows_loaded == report.rows_ok, case["name"]
