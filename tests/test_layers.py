"""The pipeline runs one way: a module imports only from its own stage and earlier ones (docs/architecture.md).

The stage order is data here; every module of the package must be in exactly one stage. Imports inside
functions count as much as those at the top of a module: a lazy import is still a dependency.
"""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "perfreport"

# Earlier stages first. A name is a module (or a subpackage, covering everything in it), relative to perfreport.
STAGES = [
    ("foundation", {"__init__", "errors", "i18n", "cache", "write", "read.package",
                    "read", "checks", "word"}),  # these three packages themselves: a docstring, no imports
    ("schema", {"schema"}),
    ("read", {"read.source", "read.excel", "word.style"}),
    ("tools", {"tools", "datadoc", "exceldoc"}),
    ("check the data", {"checks.schema", "checks.limits"}),
    ("compute", {"scoring"}),
    ("check the figures", {"checks.consistency"}),
    ("templating", {"templating"}),
    ("check the templates", {"checks.templates"}),
    ("word", {"word.wml", "word.markup", "word.build", "word.pdf"}),
    ("api", {"api"}),
    ("batch", {"batch"}),
    ("command", {"cli", "clicktext", "__main__", "serve"}),
]

# Back-edges that are known and being removed (issue 17). Each must still be there: a fixed one is taken off.
KNOWN_BACK_EDGES: set = set()

# compute is pure: the rules are passed in, nothing is read from files. These are all it may import.
COMPUTE_MAY_IMPORT = {"__future__", "dataclasses", "decimal", "fractions", "functools", "itertools", "math",
                      "typing", "collections", "perfreport.i18n", "perfreport.scoring.rules.Rules"}


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if parts[-1] == "__init__" and len(parts) > 1:
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def stage_of(module: str) -> int | None:
    """The index of the stage a module belongs to: its own name, else its nearest enclosing subpackage."""
    parts = module.split(".")
    for n in range(len(parts), 0, -1):
        name = ".".join(parts[:n])
        for index, (_, members) in enumerate(STAGES):
            if name in members:
                return index
    return None


def imported(module: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The perfreport modules that ``module`` imports (relative names), wherever the import statement is."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    if module == "__init__":
        package = []
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("perfreport."):
                    found.add(_nearest(alias.name.split(".", 1)[1], known))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1] if node.level > 1 else package
                target = ".".join(base + ([node.module] if node.module else []))
            elif node.module and (node.module == "perfreport" or node.module.startswith("perfreport.")):
                target = node.module.split(".", 1)[1] if "." in node.module else ""
            else:
                continue
            for alias in node.names:
                whole = f"{target}.{alias.name}" if target else alias.name
                found.add(whole if whole in known else _nearest(target or "__init__", known))
    found.discard(module)
    return found


def _nearest(name: str, known: dict[str, Path]) -> str:
    parts = name.split(".")
    for n in range(len(parts), 0, -1):
        if ".".join(parts[:n]) in known:
            return ".".join(parts[:n])
    return name


def back_edges() -> set[tuple[str, str]]:
    known = modules()
    edges = set()
    for module, path in known.items():
        own = stage_of(module)
        for target in imported(module, path, known):
            theirs = stage_of(target)
            if theirs is not None and own is not None and theirs > own:
                edges.add((module, target))
    return edges


def test_every_module_is_in_one_stage():
    known = modules()
    assert [m for m in known if stage_of(m) is None] == []
    named = [name for _, members in STAGES for name in members]
    assert len(named) == len(set(named))
    assert [name for name in named if name not in known and not any(m.startswith(name + ".") for m in known)] == []


def test_no_module_imports_a_later_stage():
    assert back_edges() - KNOWN_BACK_EDGES == set()


def test_the_known_back_edges_are_still_there():
    """A back-edge that was removed comes off KNOWN_BACK_EDGES, so the list only shrinks."""
    assert KNOWN_BACK_EDGES - back_edges() == set()


def test_the_check_sees_a_back_edge(tmp_path, monkeypatch):
    """The test itself can fail: an import of a later stage, even inside a function, is found."""
    fake = {"errors": tmp_path / "errors.py", "api": tmp_path / "api.py"}
    fake["errors"].write_text("def f():\n    from .api import load\n", encoding="utf-8")
    fake["api"].write_text("from . import errors\n", encoding="utf-8")
    assert imported("errors", fake["errors"], fake) == {"api"}
    assert stage_of("api") > stage_of("errors")
    assert imported("api", fake["api"], fake) == {"errors"}


def _compute_imports() -> set[str]:
    tree = ast.parse((PACKAGE / "scoring" / "compute.py").read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            package = ["perfreport", "scoring"][:3 - node.level] if node.level else []
            module = ".".join(package + [node.module]) if node.level else node.module
            if module == "perfreport.i18n":
                names.add(module)
            elif module.startswith("perfreport."):
                names.update(f"{module}.{alias.name}" for alias in node.names)
            else:
                names.add(module)
    return names


def test_compute_is_pure():
    """compute gets its rules passed in: it imports nothing that reads files (no rule loading, no paths)."""
    assert _compute_imports() - COMPUTE_MAY_IMPORT == set()
