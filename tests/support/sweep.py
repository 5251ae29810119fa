"""The suite-wide secrets sweep: every secret the tests use is remembered, every log line and
database the app wrote is kept, and at the end no secret may appear in any of them."""

from __future__ import annotations

import sys
from pathlib import Path

# Names of test constants that hold secrets; the first group must not reach a database either.
_STORED_NAMES = ("AUTHCODE", "PASSWORD", "_CODE", "PWD", "OAUTH_")
_SECRET_NAMES = (*_STORED_NAMES, "SECRET", "TOKEN", "KEY")
_MIN_LENGTH = 8  # shorter values would match ordinary text by chance

log_secrets: set[str] = set()
stored_secrets: set[str] = set()  # authcodes and passwords: also never in a database
texts: list[tuple[str, str]] = []  # (where, text): logs and dumped database rows


def remember(*values: str | None, stored: bool = False) -> None:
    for value in values:
        if value and len(value) >= _MIN_LENGTH:
            log_secrets.add(value)
            if stored:
                stored_secrets.add(value)


def keep(where: str, text: str) -> None:
    texts.append((where, text))


def _module_constants() -> None:
    for name, module in list(sys.modules.items()):
        if not name.startswith("tests."):
            continue
        for constant, value in vars(module).items():
            if (
                constant.isupper()
                and isinstance(value, str)
                and any(part in constant for part in _SECRET_NAMES)
            ):
                remember(value, stored=any(part in constant for part in _STORED_NAMES))


def _label(secret: str) -> str:
    return f"{secret[:3]}…({len(secret)} chars)"  # enough to find it, not the secret itself


def findings(base: Path) -> list[str]:
    _module_constants()
    return scan(base, texts, log_secrets, stored_secrets)


def scan(
    base: Path, texts: list[tuple[str, str]], log_secrets: set[str], stored_secrets: set[str]
) -> list[str]:
    """Where any secret shows: in the kept texts, log files, or (stored ones) SQLite files."""
    found = []
    for where, text in texts:
        for secret in log_secrets:
            if secret in text:
                found.append(f"{_label(secret)} in {where}")
    for path in sorted(base.rglob("*")):
        if not path.is_file():
            continue
        if path.suffix == ".log":
            data, secrets = path.read_bytes(), log_secrets
        elif ".sqlite3" in path.name and not path.name.endswith(".key"):
            data, secrets = path.read_bytes(), stored_secrets
        else:
            continue
        for secret in secrets:
            if secret.encode() in data:
                found.append(f"{_label(secret)} in {path.relative_to(base)}")
    return found
