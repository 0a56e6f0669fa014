"""The package's import graph, read from the source: every import, also those inside functions,
but not those under ``if TYPE_CHECKING:``. Prints the cycles (``--cycles``), private names taken across rooms (``--private``) or the edges."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _resolve(mod: str, is_pkg: bool, level: int, name: str | None) -> str:
    base = mod.split(".") if is_pkg else mod.split(".")[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join([*base, name] if name else base)


def edges() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    modules = {module_name(p): p for p in SRC.rglob("*.py")}
    for mod, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        is_pkg = path.name == "__init__.py"
        skip: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                skip |= {id(n) for b in node.body for n in ast.walk(b)}
        out = graph.setdefault(mod, set())
        for node in ast.walk(tree):
            if id(node) in skip:
                continue
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = _resolve(mod, is_pkg, node.level, node.module)
                else:
                    base = node.module or ""
                subs = [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in modules]
                # "from .. import _build" takes a module, not the package's own names
                targets = subs if subs and len(subs) == len(node.names) else [base, *subs]
            for t in targets:
                if t.split(".")[0] == "eventlog" and t in modules and t != mod:
                    out.add(t)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10_000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def room(module: str) -> str:
    """The top-level room a module lives in: ``eventlog._store.history`` -> ``_store``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def private_imports() -> list[str]:
    """Every ``from X import _name`` that takes a private name from another room
    (a private module or room itself, ``from .. import _build``, is not a name)."""
    modules = {module_name(p): p for p in SRC.rglob("*.py")}
    found = []
    for mod, path in modules.items():
        is_pkg = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom):
                continue
            base = _resolve(mod, is_pkg, node.level, node.module) if node.level else node.module or ""
            if not base.startswith("eventlog") or room(base) == room(mod):
                continue
            for a in node.names:
                private = a.name.startswith("_") and not a.name.startswith("__")
                if private and f"{base}.{a.name}" not in modules:
                    found.append(f"{mod} takes {a.name} from {base}")
    return sorted(found)


if __name__ == "__main__":
    g = edges()
    if "--private" in sys.argv:
        print("\n".join(private_imports()))
    elif "--cycles" in sys.argv:
        for c in cycles(g):
            print(" <-> ".join(c))
    else:
        for a in sorted(g):
            for b in sorted(g[a]):
                print(a, "->", b)
