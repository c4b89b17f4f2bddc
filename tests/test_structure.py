"""The imports between the project's own modules (etl/, pantau/, ui/), read with `ast` (nothing is imported):
no import in a circle, and no private name (`_x`, dunders aside) taken from another project module.

Every import counts wherever it is written: at module level, inside a function, under `if TYPE_CHECKING:`.
`import a.b`, `from a.b import c`, `from . import c` and `from .b import c` are resolved to project modules;
`from pkg import c` where pkg/c.py exists imports that module, as Python resolves it. Importing pkg.c runs
pkg/__init__.py first, whatever the form; that alone is not counted as importing pkg/__init__.py (`import pkg`
and `from pkg import name` are). A private name counts as imported when it is named in a `from` import or read
as an attribute of a project module the file imported (`from etl import parse` ... `parse._BAD`).
"""

from __future__ import annotations

import ast
from collections import deque
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("etl", "pantau", "ui")

#: What is known to be left, per package, while it is being fixed elsewhere. The package's case is an expected
#: failure (xfail, strict) only while exactly these remain: a new violation fails it, and so does one fixed
#: (drop it here; with none left, the xfail goes and the case must pass).
KNOWN: dict[str, set[str]] = {}


class KnownViolations(AssertionError):
    """Only the package's KNOWN violations are left (the xfail expects exactly this)."""


def modules(root: Path, packages: tuple[str, ...]) -> dict[str, Path]:
    """Every module of the packages under root by dotted name (a package by its __init__.py)."""
    out = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join(parts)] = path
    return out


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _scan(module: str, mods: dict[str, Path]) -> tuple[set[str], set[str]]:
    """(modules of `mods` that `module` imports, private names it takes from the others, as "mod._x")."""
    tree = ast.parse(mods[module].read_text(encoding="utf-8"), filename=str(mods[module]))
    imported: set[str] = set()
    private: set[str] = set()
    bound: dict[str, str] = {}  # a name in this file -> the project module it was bound to by an import
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in mods:
                    imported.add(alias.name)
                if alias.asname:
                    bound[alias.asname] = alias.name
                else:  # `import a.b` binds a
                    bound[alias.name.split(".")[0]] = alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module if mods[module].name == "__init__.py" else module.rpartition(".")[0]
                for _ in range(node.level - 1):
                    base = base.rpartition(".")[0]
                source = ".".join(p for p in (base, node.module or "") if p)
            else:
                source = node.module or ""
            for alias in node.names:
                sub = f"{source}.{alias.name}"
                if sub in mods:  # `from pkg import module`
                    imported.add(sub)
                    bound[alias.asname or alias.name] = sub
                elif source in mods:
                    imported.add(source)
                    if _is_private(alias.name) and source != module:
                        private.add(f"{source}.{alias.name}")
    for node in ast.walk(tree):  # `parse._BAD` after `from etl import parse`, `etl.parse._BAD` after `import etl.parse`
        if isinstance(node, ast.Attribute) and _is_private(node.attr):
            chain, value = [], node.value
            while isinstance(value, ast.Attribute):
                chain.append(value.attr)
                value = value.value
            if isinstance(value, ast.Name) and value.id in bound:
                target = ".".join([bound[value.id], *reversed(chain)])
                if target in mods and target != module:
                    private.add(f"{target}.{node.attr}")
    imported.discard(module)
    return imported, private


def graph(mods: dict[str, Path]) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """The imports between these modules, and the private names each takes from the others."""
    edges, private = {}, {}
    for module in mods:
        edges[module], private[module] = _scan(module, mods)
    return edges, private


def _cycles(edges: dict[str, set[str]]) -> list[tuple[list[str], set[str]]]:
    """Per strongly connected component of more than one module: its shortest cycle through its first module (by
    name), as the path back to that module, and the component."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []

    def visit(v: str) -> None:  # Tarjan
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.add(w)
                if w == v:
                    break
            components.append(comp)

    for v in sorted(edges):
        if v not in index:
            visit(v)
    cycles = []
    for comp in components:
        if len(comp) < 2:
            continue
        start = min(comp)
        came: dict[str, str] = {}
        todo = deque([start])
        while todo:  # breadth first inside the component: the shortest way back to start
            v = todo.popleft()
            if start in edges[v]:
                path = [v]
                while path[-1] != start:
                    path.append(came[path[-1]])
                cycles.append(([*reversed(path), start], comp))
                break
            for w in sorted(edges[v] & comp):
                if w not in came and w != start:
                    came[w] = v
                    todo.append(w)
    return sorted(cycles)


def violations(package: str, root: Path = ROOT, packages: tuple[str, ...] = PACKAGES) -> set[str]:
    """Cycles through a module of `package`, and private names its modules import from other project modules."""
    mods = modules(root, packages)
    edges, private = graph(mods)
    mine = {m for m in mods if m == package or m.startswith(f"{package}.")}
    found = {f"cycle: {' -> '.join(cycle)}" + (f" (in a circle with {', '.join(sorted(comp - set(cycle)))})"
                                               if comp - set(cycle) else "")
             for cycle, comp in _cycles(edges) if mine & comp}
    found |= {f"private: {m} imports {name}" for m in mine for name in private[m]}
    return found


def _case(package: str):  # noqa: ANN202 - a pytest.param
    if package not in KNOWN:
        return package
    reason = "known, being fixed elsewhere: " + "; ".join(sorted(KNOWN[package]))
    return pytest.param(package, marks=pytest.mark.xfail(strict=True, raises=KnownViolations, reason=reason))


@pytest.mark.parametrize("package", [_case(p) for p in PACKAGES])
def test_imports_without_cycles_or_private_names(package: str) -> None:
    found = violations(package)
    known = KNOWN.get(package, set())
    new, fixed = sorted(found - known), sorted(known - found)
    assert not new and not fixed, (f"{package}: " + "".join(f"\n  new: {v}" for v in new)
                                   + "".join(f"\n  fixed (drop it from KNOWN): {v}" for v in fixed))
    if found:
        raise KnownViolations(f"{package}: " + "".join(f"\n  {v}" for v in sorted(found)))


def test_the_scan_on_this_project() -> None:
    """`from pkg import module`, a function-level import, a TYPE_CHECKING import, as this project writes them."""
    edges, _ = graph(modules(ROOT, PACKAGES))
    assert "ui.data" in edges["ui.app"]  # from ui import data
    assert "ui" not in edges["ui.app"]
    assert "ui.app" in edges["ui"]  # inside context()
    assert "etl.staging" in edges["etl.parallel"]  # inside functions and under TYPE_CHECKING
    assert "etl.parallel" in edges["etl.build"]
    assert "etl.build" not in edges["etl.parallel"]


def test_the_scan_finds_what_it_should(tmp_path: Path) -> None:
    """Each form of import, on a made-up package: cycles through relative, lazy and plain imports, private
    names taken by `from` and as attributes; dunders and a module's own names are not private imports."""
    files = {
        "pkg/__init__.py": "from pkg.a import A\n__version__ = '1'\n",
        "pkg/a.py": "A = 1\n_x = 2\n\ndef f():\n    from . import b\n    return b\n",
        "pkg/b.py": "from .sub import c\nfrom pkg.a import _x, __doc__\n",
        "pkg/sub/__init__.py": "",
        "pkg/sub/c.py": "import pkg.b\nfrom .. import a as alias\nfrom pkg.sub import _own\n"
                        "_own = alias._x, pkg.b._y\n",
        "other/__init__.py": "from pkg import __version__\n",
        "other/d.py": "import pkg.sub.c as c\nimport pkg\n\ndef g():\n    return c._own, pkg.a._x, pkg._z\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    edges, _ = graph(modules(tmp_path, ("pkg", "other")))
    assert edges["pkg.b"] == {"pkg.sub.c", "pkg.a"}
    assert edges["pkg.sub.c"] == {"pkg.b", "pkg.a", "pkg.sub"}
    assert violations("pkg", tmp_path, ("pkg", "other")) == {
        "cycle: pkg.a -> pkg.b -> pkg.a (in a circle with pkg.sub.c)",
        "private: pkg.b imports pkg.a._x",
        "private: pkg.sub.c imports pkg.a._x",
        "private: pkg.sub.c imports pkg.b._y",
        "private: pkg.sub.c imports pkg.sub._own",
    }
    assert violations("other", tmp_path, ("pkg", "other")) == {
        "private: other.d imports pkg.sub.c._own",
        "private: other.d imports pkg.a._x",
        "private: other.d imports pkg._z",
    }


def test_build_and_loaders_stay_under_450_lines() -> None:
    # issue 19 point 4: the two modules that had grown past reading each stay under 450 lines
    for name in ("etl/build.py", "etl/loaders.py"):
        assert len((ROOT / name).read_text(encoding="utf-8").splitlines()) < 450, name
