"""The layers import one way: verifier_core <- dafny_env, lean_env <- prover, conjecturer.

Read with `ast`, every import counts wherever it stands (inside functions too); only imports under
`if TYPE_CHECKING:` are left out, since they never run. No module may take part in an import cycle.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("verifier_core", "dafny_env", "lean_env", "prover", "conjecturer")
ENVS = ("dafny_env", "lean_env")
JOBS = ("prover", "conjecturer")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules(packages=PACKAGES) -> dict[str, Path]:
    return {_module_name(p): p for pkg in packages for p in sorted((ROOT / pkg).rglob("*.py"))}


def _runtime_nodes(tree: ast.AST):
    """Every node except those under `if TYPE_CHECKING:`."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            stack.extend(node.orelse)
            continue
        yield node
        stack.extend(ast.iter_child_nodes(node))


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The modules `name` imports: project modules resolved to the submodule named, others as written."""
    is_pkg = path.name == "__init__.py"
    out: set[str] = set()
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_pkg else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for a in node.names:
                sub = f"{target}.{a.name}"
                out.add(sub if sub in known else target)
    return out


def _graph() -> nx.DiGraph:
    mods = _modules()
    known = set(mods)
    g = nx.DiGraph()
    for name, path in mods.items():
        g.add_node(name)
        for target in imports_of(name, path, known):
            g.add_edge(name, target)
    return g


def _top(module: str) -> str:
    return module.split(".")[0]


def _violations(g: nx.DiGraph, importers: tuple[str, ...], forbidden: tuple[str, ...]) -> list[str]:
    return sorted(f"{a} imports {b}" for a, b in g.edges if _top(a) in importers and _top(b) in forbidden)


def test_the_base_imports_nothing_of_the_project_and_only_the_standard_library():
    g = _graph()
    outside = sorted(f"{a} imports {b}" for a, b in g.edges if _top(a) == "verifier_core"
                     and _top(b) != "verifier_core" and _top(b) not in sys.stdlib_module_names
                     and _top(b) != "__future__")
    assert outside == []


def test_the_envs_import_only_the_base_and_themselves():
    g = _graph()
    assert _violations(g, ENVS, JOBS) == []
    assert _violations(g, ("dafny_env",), ("lean_env",)) == []
    assert _violations(g, ("lean_env",), ("dafny_env",)) == []


def test_the_jobs_reach_the_envs_only_through_the_language_registry():
    assert _violations(_graph(), JOBS, ENVS) == []


def test_no_module_is_in_an_import_cycle():
    g = _graph()
    cycles = [c for c in nx.simple_cycles(g) if len(c) > 1 or c[0] in g.successors(c[0])]
    assert cycles == []


def test_no_job_branches_on_a_language_name():
    pattern = re.compile(r"\blang\s*[!=]=\s*[\"'](dafny|lean)[\"']")
    hits = [f"{p.relative_to(ROOT)}:{i}" for pkg in JOBS for p in sorted((ROOT / pkg).rglob("*.py"))
            for i, line in enumerate(p.read_text(encoding="utf-8").split("\n"), 1) if pattern.search(line)]
    assert hits == []


def test_benchmarks_import_no_test_module():
    known = set(_modules())
    bad = sorted(f"{p.name} imports {m}" for p in sorted((ROOT / "bench").glob("*.py"))
                 for m in imports_of(f"bench.{p.stem}", p, known) if _top(m) == "tests")
    assert bad == []


@pytest.mark.parametrize("source, expected", [
    ("from .b import c", {"pkg.b"}),
    ("from . import b", {"pkg.b"}),
    ("def f():\n    import pkg.b", {"pkg.b"}),
    ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .b import c", {"typing"}),
])
def test_the_import_reader_resolves_relative_lazy_and_type_checking_imports(tmp_path, source, expected):
    path = tmp_path / "a.py"
    path.write_text(source)
    assert imports_of("pkg.a", path, {"pkg.a", "pkg.b"}) == expected
