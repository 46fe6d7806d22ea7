"""Rules about the shape of the scraper package, checked on its source with `ast`.

- no import cycle among scraper's modules (module-level imports only: imports inside
  functions and under `if TYPE_CHECKING:` are how a cycle is legitimately broken);
- every module has a docstring;
- no module is over MAX_LINES lines unless its docstring has a line `Long because: ...`;
- nothing outside scraper/sites/ and scraper/replica/ names a site's CSS class, label or
  URL parameter.
"""

from __future__ import annotations

import ast
import re
import warnings
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "scraper"
MAX_LINES = 500
SITE_ONLY = ("sites", "replica")  # the folders allowed to know a site's markup
# TT markup, labels and URL parameters (SITE.md): these belong in scraper/sites/ only.
SITE_WORDS = re.compile(r"TT_|TMCD2|Ngày cập nhật|[?&]gd=|[?&]tc=|\bgd=|\btc=|__doPostBack|Page\$")

# Known offenders (none today). A new offender fails; when one is fixed, delete its entry
# (a stale entry is reported as a warning).
KNOWN_CYCLE_EDGES: set[tuple[str, str]] = set()
KNOWN_LONG: set[str] = set()
KNOWN_SITE_WORDS: set[tuple[str, str]] = set()


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _top_level_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """Imports run when the module is imported: module body, and the bodies of top-level
    `if`/`try`/`with` blocks, but not `if TYPE_CHECKING:` nor function or class bodies."""
    found: list[ast.Import | ast.ImportFrom] = []

    def walk(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                found.append(node)
            elif isinstance(node, ast.If):
                if not _is_type_checking(node.test):
                    walk(node.body)
                walk(node.orelse)
            elif isinstance(node, ast.Try):
                for block in (node.body, node.orelse, node.finalbody):
                    walk(block)
                for handler in node.handlers:
                    walk(handler.body)
            elif isinstance(node, (ast.With, ast.AsyncWith)):
                walk(node.body)

    walk(tree.body)
    return found


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    if node.level > 1:
        base = base[: -(node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _owner(name: str) -> str | None:
    """The scraper module a dotted name lives in (the longest known prefix)."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def import_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        edges: set[str] = set()
        for node in _top_level_imports(tree):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = _resolve(module, path.name == "__init__.py", node)
                # `from scraper import fetch` imports a module; `from scraper.x import f` not
                targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
            for target in targets:
                owner = _owner(target)
                if owner is not None and owner != module:
                    edges.add(owner)
                    # importing a.b.c runs a/__init__ and a/b/__init__ first, unless they
                    # are packages this module is in (those are already being imported)
                    parent = owner.rpartition(".")[0]
                    while parent:
                        if parent in MODULES and not (module + ".").startswith(parent + "."):
                            edges.add(parent)
                        parent = parent.rpartition(".")[0]
        graph[module] = edges
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as [a, b, ..., a], or None (depth-first search, sorted for stable output)."""
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state:
                cycle = visit(nxt)
                if cycle:
                    return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def test_cycle_finder_finds_a_planted_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_type_checking_and_function_imports_are_not_edges():
    tree = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "import os\n"
        "if TYPE_CHECKING:\n    import scraper.store\n"
        "def f():\n    import scraper.crawl\n"
        "try:\n    import brotli\nexcept ImportError:\n    brotli = None\n"
    )
    names = [a.name for n in _top_level_imports(tree) if isinstance(n, ast.Import) for a in n.names]
    assert names == ["os", "brotli"]


def test_import_graph_sees_real_imports():
    graph = import_graph()
    assert {"scraper.decode", "scraper.urls", "scraper.robots"} <= graph["scraper.fetch"]
    assert "scraper.replica" not in graph["scraper.replica.server"]  # its own package


def test_no_import_cycle():
    graph = import_graph()
    for a, b in KNOWN_CYCLE_EDGES:
        if b not in graph.get(a, set()):
            warnings.warn(f"stale KNOWN_CYCLE_EDGES entry {a} -> {b}", stacklevel=1)
        graph.get(a, set()).discard(b)
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


@pytest.mark.parametrize("module", sorted(MODULES))
def test_module_has_docstring(module):
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    doc = ast.get_docstring(tree)
    assert doc and doc.strip(), f"{module} has no docstring saying what it owns"


def long_modules() -> list[str]:
    """Modules over MAX_LINES lines whose docstring gives no `Long because:` line."""
    bad = []
    for module, path in MODULES.items():
        text = path.read_text(encoding="utf-8")
        lines = len(text.splitlines())
        if lines <= MAX_LINES:
            continue
        doc = ast.get_docstring(ast.parse(text)) or ""
        if not any(line.strip().startswith("Long because:") for line in doc.splitlines()):
            bad.append((module, lines))
    return bad


def test_no_long_module_without_a_reason():
    found = long_modules()
    for stale in KNOWN_LONG - {module for module, _ in found}:
        warnings.warn(f"stale KNOWN_LONG entry {stale}", stacklevel=1)
    bad = [f"{module} ({lines} lines)" for module, lines in found if module not in KNOWN_LONG]
    assert not bad, f"over {MAX_LINES} lines without 'Long because:': " + ", ".join(bad)


def site_words_outside_sites() -> list[str]:
    """(file, line, word) for every site-specific name outside scraper/sites and replica."""
    hits = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] in SITE_ONLY:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for m in SITE_WORDS.finditer(line):
                hits.append((f"scraper/{rel.as_posix()}", n, m.group(0)))
    return hits


def test_site_words_pattern():
    for text in ("TT_TITLE", "TMCD2", "Ngày cập nhật", "?gd=1", "&tc=2", "__doPostBack", "Page$2"):
        assert SITE_WORDS.search(text), text
    for text in ("get_data=1", "etc=2", "Ngày", "page 2"):
        assert not SITE_WORDS.search(text), text


def test_no_site_markup_outside_sites():
    hits = site_words_outside_sites()
    for stale in KNOWN_SITE_WORDS - {(file, word) for file, _, word in hits}:
        warnings.warn(f"stale KNOWN_SITE_WORDS entry {stale}", stacklevel=1)
    bad = [f"{f}:{n}: {w}" for f, n, w in hits if (f, w) not in KNOWN_SITE_WORDS]
    assert not bad, "site-specific names outside scraper/sites/:\n" + "\n".join(bad)
