"""The layering rules of ARCHITECTURE.md, checked on every import in the product code.

An import that runs the wrong way compiles and works today, and turns the layout back into a
tangle one convenient shortcut at a time; this test names the offending line the day it is written.
The checks read sources as text (ast), so a planted violation proves they bite without touching the tree.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("bot", "dialogs", "knowledge", "integrations")
SQL = ("sqlalchemy", "alembic")
BOT_FRAMEWORK = ("botbuilder", "botframework")
# The host's own modules: only the host and feature wiring use them; conversations never do.
HOST = ("bot.app", "bot.core", "bot.assistant", "bot.features", "bot.registry", "bot.cli", "bot.console", "bot.commands", "bot.handler", "bot.storage",
        "bot.security", "bot.staff", "bot.access_log")
WIRING = ("install", "commands", "assembly")   # bot/<feature>/install.py, commands.py, assembly.py: the feature's own top
# Feature services allowed to hold a concrete repository class instead of a protocol declared beside them
# (bot/<feature>/ports.py). Empty since every service moved to its protocols; never add one.
ON_CONCRETE_REPOSITORIES: tuple[str, ...] = ()


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def product_sources() -> dict[str, str]:
    return {module_name(path): path.read_text()
            for folder in PRODUCT for path in sorted((ROOT / folder).rglob("*.py"))}


def imports_of(module: str, source: str) -> list[tuple[int, str]]:
    """(line, imported module) for every import, including those inside functions."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")[: -node.level]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            found.append((node.lineno, name))
            # "from integrations.db import bookings" imports the module integrations.db.bookings
            found += [(node.lineno, f"{name}.{alias.name}") for alias in node.names]
    return found


def _within(name: str, prefixes) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _layer_of(module: str) -> str:
    parts = module.split(".")
    if parts[0] == "bot" and len(parts) >= 3 and parts[2] in WIRING:
        return "wiring"
    if parts[0] == "bot" and _within(module, HOST):
        return "host"
    return parts[0]


def repositories(sources: dict[str, str]) -> set[str]:
    """The storage classes of integrations/db/: every class there built on the database (``__init__(self, database)``)."""
    found = set()
    for module, source in sources.items():
        if not module.startswith("integrations.db"):
            continue
        for node in ast.parse(source).body:
            if isinstance(node, ast.ClassDef):
                for item in node.body:
                    if (isinstance(item, ast.FunctionDef) and item.name == "__init__" and len(item.args.args) > 1
                            and item.args.args[1].arg in ("database", "db")):
                        found.add(f"{module}.{node.name}")
    return found


def violations(sources: dict[str, str]) -> list[str]:
    """Every import that breaks a rule, as "module:line imports name: rule"."""
    ours = set(sources)
    repos = repositories(sources)
    problems = []
    for module, source in sources.items():
        layer = _layer_of(module)
        for line, name in imports_of(module, source):
            where = f"{module}:{line} imports {name}"
            top = name.split(".")[0]
            if top in SQL and not module.startswith("integrations.db"):
                problems.append(f"{where}: only integrations/db/ talks SQL")
            if top in BOT_FRAMEWORK and layer not in ("bot", "host", "wiring", "dialogs"):
                problems.append(f"{where}: only bot/ and dialogs/ use the Bot Framework SDK")
            if name in repos and layer == "bot" and module not in ON_CONCRETE_REPOSITORIES:
                problems.append(f"{where}: services use a storage protocol declared beside them, not a repository")
            if name not in ours and not any(m.startswith(name + ".") for m in ours):
                continue
            target = _layer_of(name)
            if layer == "knowledge" and target != "knowledge":
                problems.append(f"{where}: knowledge/ imports nothing of ours")
            elif layer == "integrations" and target not in ("integrations", "knowledge"):
                problems.append(f"{where}: integrations/ are edges; they import only knowledge/")
            elif layer == "dialogs" and target in ("host", "wiring"):
                problems.append(f"{where}: dialogs/ sit below the host and the feature wiring")
            elif layer == "bot" and target in ("dialogs", "wiring", "host") and not module.startswith(name):
                problems.append(f"{where}: services import no dialog, no wiring and no host module")
    # "from x import y" is read as both x and x.y: keep the first report of each line's rule.
    first: dict[tuple[str, str], str] = {}
    for problem in problems:
        first.setdefault(_line_and_rule(problem), problem)
    return list(first.values()) + [f"import circle: {' -> '.join(c)}" for c in circles(sources)]


def _line_and_rule(problem: str) -> tuple[str, str]:
    where, _, rule = problem.partition(": ")
    return where.split(" imports ")[0], rule


def circles(sources: dict[str, str]) -> list[list[str]]:
    """Strongly connected groups of two or more modules (Tarjan), over every import."""
    ours = set(sources)
    graph = {m: sorted({n for _, n in imports_of(m, s) if n in ours and n != m}) for m, s in sources.items()}
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_product_keeps_its_layers():
    assert violations(product_sources()) == []


CLEAN = {
    "bot.bookings.service": "from bot.bookings.ports import BookingStore\n",
    "bot.bookings.ports": "from integrations.db.bookings import Booking\n",
    "bot.bookings.install": "from dialogs.bookings import BookingFeature\nfrom bot.bookings.service import X\n",
    "dialogs.bookings": "from bot.bookings.service import BookingService\nfrom botbuilder.core import TurnContext\n",
    "integrations.db.bookings": "from sqlalchemy import select\nfrom knowledge.events import Event\n"
                                "class BookingRepository:\n    def __init__(self, database): ...\n",
    "knowledge.events": "import yaml\n",
    "bot.core": "from bot.bookings.install import install\n",
}


@pytest.mark.parametrize("module, planted, rule", [
    ("bot.bookings.service", "from sqlalchemy.exc import IntegrityError", "only integrations/db/ talks SQL"),
    ("bot.bookings.service", "from integrations.db.bookings import BookingRepository", "a storage protocol"),
    ("knowledge.events", "from botbuilder.core import TurnContext", "only bot/ and dialogs/ use the Bot Framework"),
    ("knowledge.events", "from bot.bookings.service import X", "knowledge/ imports nothing of ours"),
    ("integrations.db.bookings", "from bot.bookings.service import X", "integrations/ are edges"),
    ("dialogs.bookings", "from bot.core import Core", "dialogs/ sit below the host"),
    ("bot.bookings.service", "from dialogs.bookings import BookingFeature", "services import no dialog"),
    ("bot.bookings.service", "def later():\n    from bot.bookings.install import install", "services import no dialog"),
    ("knowledge.events", "from knowledge import events", "import circle"),
])
def test_a_planted_violation_is_caught(module, planted, rule):
    assert violations(CLEAN) == []
    broken = dict(CLEAN, **{module: CLEAN[module] + planted + "\n"})
    if rule == "import circle":
        broken["knowledge.forums"] = "from knowledge.events import x\n"
        broken[module] += "from knowledge.forums import y\n"
    found = violations(broken)
    assert any(rule in problem for problem in found), found
