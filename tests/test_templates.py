"""Input templates: blank XLSX per source table, filled with the example row, load with no rejects."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from etl import parse, spec
from etl.templates import DATA_SHEET, HELP_SHEET, example_row, templates_markdown, write_templates

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("templates")
    return {p.stem: p for p in write_templates(out)}


def test_one_template_per_source_table(written):
    assert sorted(written) == sorted(spec.SOURCES)


@pytest.mark.parametrize("table", list(spec.SOURCES))
def test_blank_template_filled_with_its_example_loads_without_rejects(written, tmp_path, load, table):
    wb = openpyxl.load_workbook(written[table])
    assert wb.sheetnames == [DATA_SHEET, HELP_SHEET]
    data = wb[DATA_SHEET]
    header = [c.value for c in data[1]]
    assert header == [c.name for c in spec.SOURCES[table].columns]
    assert data.max_row == 1  # blank: header only
    example = example_row(table)
    for i, name in enumerate(header, start=1):
        data.cell(row=2, column=i, value=example[name])
    filled = tmp_path / f"{table}.xlsx"
    wb.save(filled)
    good, rejects, read = load(filled, table)
    assert len(rejects) == 0, rejects[["row", "column", "value", "reason"]].to_string()
    assert (read, len(good)) == (1, 1)


def _dropdowns(path: Path) -> dict[str, list[str]]:
    """Column name -> the values its dropdown offers."""
    ws = openpyxl.load_workbook(path)[DATA_SHEET]
    header = [c.value for c in ws[1]]
    out = {}
    for dv in ws.data_validations.dataValidation:
        col = header[next(iter(dv.sqref.ranges)).min_col - 1]
        out[col] = dv.formula1.strip('"').split(",")
    return out


@pytest.mark.parametrize("table", list(spec.SOURCES))
def test_dropdowns_offer_words_people_write_and_read_back_as_their_value(written, table):
    lists = _dropdowns(written[table])
    choices = {c.name: c for c in spec.SOURCES[table].columns if c.type == "choice"}
    assert set(lists) == set(choices)
    for name, values in lists.items():
        col = choices[name]
        lookup = parse.vocabulary_lookup(parse.vocabulary(col.choices))
        keys = [lookup.get(parse.choice_key(v)) for v in values]
        expected = [k for k in parse.vocabulary(col.choices) if k and (not col.allowed or k in col.allowed)]
        assert keys == expected, (name, values)
        assert not any("_" in v for v in values), values  # 'Bawaslu Kabupaten/Kota', not 'bawaslu_kabkota'
    if table == "seats_reference":  # seats are set for these two bodies only
        assert lists["lembaga"] == ["Bawaslu Provinsi", "Bawaslu Kabupaten/Kota"]
    if table == "activities":
        assert "Pengawas TPS" in lists["lembaga_penyelenggara"] and "Sambang Pengawasan" in lists["jenis"]


def test_blank_template_reads_as_zero_rows(written, load):
    good, rejects, read = load(written["activities"], "activities")
    assert (read, len(good), len(rejects)) == (0, 0, 0)


def test_help_sheet_documents_every_column(written):
    ws = openpyxl.load_workbook(written["pleno"])[HELP_SHEET]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=3, max_row=3 + len(spec.SOURCES["pleno"].columns))]
    assert rows[0][:4] == ["Kolom", "Arti", "Tipe", "Wajib"]
    documented = {r[0]: r for r in rows[1:]}
    assert set(documented) == {c.name for c in spec.SOURCES["pleno"].columns}
    assert documented["hasil"][4].startswith("baik (good, sesuai); cukup (fair, sedang)")
    assert documented["nilai"][5] == "85,5"


def test_committed_templates_match_the_spec():
    for table, tpl in spec.SOURCES.items():
        ws = openpyxl.load_workbook(ROOT / "data" / "templates" / f"{table}.xlsx")[DATA_SHEET]
        assert [c.value for c in ws[1]] == [c.name for c in tpl.columns]


def test_docs_page_is_generated_from_the_spec():
    assert (ROOT / "docs" / "TEMPLATES.md").read_text(encoding="utf-8") == templates_markdown(), (
        "docs/TEMPLATES.md is stale: regenerate it with "
        "python -c \"from etl.templates import templates_markdown; print(templates_markdown(), end='')\" "
        "> docs/TEMPLATES.md")
