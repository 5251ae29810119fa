"""The core (bot/) never imports the listeners (handlers/); it finds them by entry point."""

from __future__ import annotations

import ast
from importlib.metadata import entry_points
from pathlib import Path

import handlers

BOT = Path(__file__).resolve().parents[2] / "bot"


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_module_of_the_core_imports_the_listeners() -> None:
    offenders = {
        str(path.relative_to(BOT.parent)): sorted(
            name for name in imported_modules(path) if name.split(".")[0] == "handlers"
        )
        for path in BOT.rglob("*.py")
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_the_entry_point_names_the_listeners_wiring() -> None:
    (point,) = entry_points(group="rescue_pin.listeners")
    assert point.load() is handlers.register
