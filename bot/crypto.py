"""Authcodes at rest: Fernet, with several keys for rotation (the first encrypts, all decrypt)."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from pydantic import SecretStr


class CryptoError(Exception):
    """A key problem, said in one line with no key material in it."""


def _keys(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(",") if part.strip()]


def key_problem(raw: SecretStr) -> str | None:
    keys = _keys(raw.get_secret_value())
    if not keys:
        return "it is empty"
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            return f"key {position} is not a Fernet key (32 url-safe base64-encoded bytes)"
    return None


class Cipher:
    def __init__(self, keys: list[str]) -> None:
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    def encrypt(self, plain: str) -> str:
        return self._fernet.encrypt(plain.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise CryptoError("a stored authcode cannot be decrypted with ENCRYPTION_KEY") from None

    def rotate(self, token: str) -> str:
        """The same secret, encrypted with the first key."""
        try:
            return self._fernet.rotate(token.encode()).decode()
        except InvalidToken:
            raise CryptoError("a stored authcode cannot be decrypted with ENCRYPTION_KEY") from None


def key_file_for(database: Path) -> Path:
    return database.with_name(database.name + ".key")


def load_cipher(raw: SecretStr | None, database: Path | None) -> tuple[Cipher, Path | None]:
    """The cipher, and the key file it created on this call (None when none was created).

    With no key configured and a SQLite file, a key file beside the database is used,
    created with mode 0600 on first start.
    """
    if raw is not None:
        problem = key_problem(raw)
        if problem:
            raise CryptoError(f"ENCRYPTION_KEY is malformed: {problem}")
        return Cipher(_keys(raw.get_secret_value())), None
    if database is None:
        raise CryptoError("ENCRYPTION_KEY is missing: set a Fernet key (python -m bot genkey)")
    path = key_file_for(database)
    created = None
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(Fernet.generate_key().decode())
        created = path
    keys = _keys(path.read_text())
    if not keys or key_problem(SecretStr(",".join(keys))):
        raise CryptoError(f"the key file {path} is not a Fernet key")
    return Cipher(keys), created
