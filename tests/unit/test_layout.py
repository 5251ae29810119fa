"""The shape of bot/: the process, infrastructure, features; imports that run one way.

The rules (README, "Where things are"): features use the infrastructure, never the reverse;
a feature uses another only through the names its `__init__.py` exports; the process (entry
points, runtime, web) may use everything; the core never imports the listeners (handlers/).
"""

from __future__ import annotations

import ast
from importlib.metadata import entry_points
from pathlib import Path

import handlers

ROOT = Path(__file__).resolve().parents[2]
BOT = ROOT / "bot"

# The process itself: what starts, wires and serves; it may import anything in bot/.
PROCESS = {"__main__", "__init__", "cli", "runtime", "web", "socket_mode", "bolt", "store"}
PROCESS_PACKAGES = {"admin"}
FEATURES = {"pins", "linking", "sharing", "sessions", "workflow", "installs", "home", "audit"}
INFRASTRUCTURE = {
    "slack",
    "rescue",
    "storage",
    "language",
    "config",
    "crypto",
    "logs",
    "metrics",
}
# Imported by features for type annotations only (the composition root and the whole store).
TYPING_ONLY = {"bot.runtime", "bot.store"}
MAX_LINES = 300
MAX_TOP_LEVEL_MODULES = 10


def part_of(module: str) -> str:
    """`bot.pins.request` → `pins`; `bot.cli` → `cli`."""
    return module.split(".")[1] if module.count(".") else module


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> list[tuple[str, bool]]:
    """Each `bot.…` module a file imports, and whether only under `if TYPE_CHECKING:`."""
    tree = ast.parse(path.read_text(), str(path))
    typing_only: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for inner in node.body:
                typing_only.update(id(n) for n in ast.walk(inner))
    found: list[tuple[str, bool]] = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
            # `from bot.pins import request` reaches into the package just the same.
            names += [f"{node.module}.{alias.name}" for alias in node.names]
        found += [(name, id(node) in typing_only) for name in names if name.startswith("bot.")]
    return found


def real_modules() -> set[str]:
    return {module_name(path) for path in BOT.rglob("*.py") if "migrations" not in path.parts}


def bot_files() -> list[Path]:
    return sorted(path for path in BOT.rglob("*.py") if "migrations" not in path.parts)


def test_every_part_of_bot_is_placed_in_one_layer() -> None:
    parts = {part_of(module_name(path)) for path in bot_files()} - {"bot"}
    known = PROCESS | PROCESS_PACKAGES | FEATURES | INFRASTRUCTURE
    assert parts - known == set(), "a new part of bot/: name its layer in this test"


def test_at_most_ten_modules_stand_directly_in_bot() -> None:
    top = sorted(p.name for p in BOT.glob("*.py") if p.name != "__init__.py")
    assert len(top) <= MAX_TOP_LEVEL_MODULES, top


def test_no_module_is_over_300_lines() -> None:
    long: dict[str, int] = {}
    for path in [*bot_files(), *(ROOT / "handlers").rglob("*.py")]:
        lines = len(path.read_text().splitlines())
        if lines > MAX_LINES:
            long[str(path.relative_to(ROOT))] = lines
    assert long == {}


def test_infrastructure_never_imports_a_feature_or_the_process() -> None:
    offenders = {
        module_name(path): sorted(
            name
            for name, _ in imports_of(path)
            if part_of(name) in FEATURES | PROCESS | PROCESS_PACKAGES
        )
        for path in bot_files()
        if part_of(module_name(path)) in INFRASTRUCTURE
    }
    assert {name: found for name, found in offenders.items() if found} == {}


def test_features_use_each_other_only_through_their_exports() -> None:
    modules = real_modules()
    offenders: dict[str, list[str]] = {}
    for path in bot_files():
        here = part_of(module_name(path))
        if here not in FEATURES:
            continue
        for name, typing_only in imports_of(path):
            there = part_of(name)
            if name in TYPING_ONLY or name.rpartition(".")[0] in TYPING_ONLY:
                if not typing_only:
                    offenders.setdefault(module_name(path), []).append(f"{name} (at run time)")
            elif there in PROCESS | PROCESS_PACKAGES:
                offenders.setdefault(module_name(path), []).append(name)
            elif there in FEATURES and there != here and name in modules and name.count(".") > 1:
                offenders.setdefault(module_name(path), []).append(f"{name} (inside {there})")
    assert offenders == {}


def test_a_package_that_exports_names_them() -> None:
    silent = [
        str(path.relative_to(ROOT))
        for path in BOT.rglob("__init__.py")
        if "migrations" not in path.parts
        and any(isinstance(n, ast.ImportFrom) for n in ast.parse(path.read_text()).body)
        and "__all__" not in path.read_text()
    ]
    assert silent == []


def test_no_module_of_the_core_imports_the_listeners() -> None:
    offenders = {
        module_name(path): sorted(
            name
            for name in (
                alias.name
                for node in ast.walk(ast.parse(path.read_text()))
                if isinstance(node, ast.Import | ast.ImportFrom)
                for alias in (
                    node.names
                    if isinstance(node, ast.Import)
                    else [ast.alias(name=node.module or "")]
                )
            )
            if name.split(".")[0] == "handlers"
        )
        for path in BOT.rglob("*.py")
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_the_entry_point_names_the_listeners_wiring() -> None:
    (point,) = entry_points(group="rescue_pin.listeners")
    assert point.load() is handlers.register
