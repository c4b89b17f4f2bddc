"""The docs against the code, as sqlite-utils tests its own: docs/ARCHITECTURE.md names every module of etl/,
pantau/ and ui/; every function docs/QUERY_API.md names exists, and each of its table, run on the sample
warehouse, returns the columns the table lists."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from etl.build import build
from etl.sample import generate
from pantau.filters import Period, Scope
from pantau.warehouse import Warehouse, open_warehouse
from tests.query_api import calls, run

ROOT = Path(__file__).resolve().parents[1]
ARCHITECTURE = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
QUERY_API = (ROOT / "docs" / "QUERY_API.md").read_text(encoding="utf-8")
MODULES = sorted(p.relative_to(ROOT).as_posix() for pkg in ("etl", "pantau", "ui") for p in (ROOT / pkg).glob("*.py"))
QUERY_MODULES = ("activity", "compare", "coverage", "pleno", "quality", "ratios", "summary", "filters", "warehouse",
                 "charts", "fmt", "i18n")


def test_architecture_names_every_module() -> None:
    named = set(re.findall(r"`([a-z_]+/[a-z0-9_]+\.py)`", ARCHITECTURE))
    missing = [m for m in MODULES if m not in named]
    assert not missing, f"docs/ARCHITECTURE.md names no paragraph for {missing}"
    gone = sorted(m for m in named if m.split("/")[0] in ("etl", "pantau", "ui") and m not in MODULES)
    assert not gone, f"docs/ARCHITECTURE.md names modules that do not exist: {gone}"


def _named(text: str) -> set[tuple[str, str]]:
    """(object, attribute) for every `module.name`, `pantau.module.name`, `wh.name`, `Scope.name` / `scope.name`,
    `Period.name` / `period.name` and `Warehouse.name` the text names."""
    found = {(m, n) for m, n in re.findall(rf"\b(?<![./])({'|'.join(QUERY_MODULES)})\.([A-Za-z_]+)\b(?!\.py)", text)}
    found |= {(m, n) for m, n in re.findall(r"\bpantau\.([a-z_]+)\.([A-Za-z_]+)", text)}
    found |= {("etl." + m, n) for m, n in re.findall(r"\betl\.([a-z_]+)\.([A-Za-z_]+)", text)}
    for obj, pattern in (("wh", r"\bwh\.([a-z_]+)"), ("Scope", r"\b[Ss]cope\.([a-z_]+)"),
                         ("Period", r"\b[Pp]eriod\.([a-z_]+)"), ("wh", r"\bWarehouse\.([a-z_]+)")):
        found |= {(obj, n) for n in re.findall(pattern, text)}
    return found


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    root = tmp_path_factory.mktemp("docs")
    generate(root / "sources", scale="sample")
    assert build(root / "sources", root / "warehouse").status == "ok"
    return open_warehouse(root / "warehouse")


def test_every_name_in_the_query_api_exists(sample: Warehouse) -> None:
    names = _named(QUERY_API)
    assert ("coverage", "fill_rate_by_body") in names and ("wh", "names") in names and ("Scope", "parse") in names
    owners = {"wh": sample, "Scope": Scope, "Period": Period}
    missing = []
    for owner, name in sorted(names):
        obj = owners.get(owner) or importlib.import_module(owner if owner.startswith("etl.") else f"pantau.{owner}")
        if not hasattr(obj, name):
            missing.append(f"{owner}.{name}")
    assert not missing, f"docs/QUERY_API.md names what does not exist: {missing}"


@pytest.mark.parametrize("call", calls(), ids=lambda c: c.name)
def test_every_query_returns_the_columns_its_row_lists(call, sample: Warehouse) -> None:
    assert call.columns, f"no columns read from the row of {call.name}"
    for scope in ("nasional", "18") if call.scoped else ("nasional",):
        df = run(call, sample, scope)
        missing = [c for c in call.columns if c not in df.columns]
        assert not missing, f"{call.name} at {scope} lacks {missing} (docs/QUERY_API.md lists them)"
