"""The encryption key: a key file of its own for SQLite, made once, readable by its owner only."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.crypto import CryptoError, load_cipher


def test_key_file_is_created_once_with_mode_0600(tmp_path: Path) -> None:
    database = tmp_path / "x.sqlite3"
    cipher, created = load_cipher(None, database)
    assert created is not None and (created.stat().st_mode & 0o777) == 0o600
    again, created_again = load_cipher(None, database)
    assert created_again is None
    assert again.decrypt(cipher.encrypt("abc")) == "abc"


def test_no_key_and_no_file_refuses() -> None:
    with pytest.raises(CryptoError):
        load_cipher(None, None)
