"""The sweep itself must be able to fail: it finds a secret wherever one was left."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.support.sweep import scan

CODE = "sweep-selftest-authcode"


def test_the_sweep_finds_secrets_in_logs_log_files_and_sqlite_files(tmp_path: Path) -> None:
    assert scan(tmp_path, [("clean", "nothing here")], {CODE}, {CODE}) == []
    (tmp_path / "web.log").write_text(f'{{"event": "x", "authcode": "{CODE}"}}\n')
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        db.execute("CREATE TABLE t (v TEXT)")
        db.execute("INSERT INTO t VALUES (?)", (CODE,))
    (tmp_path / "db.sqlite3.key").write_text(CODE)  # the key file holds keys by design
    found = scan(tmp_path, [("test x (stdout)", f"leaked {CODE}")], {CODE}, {CODE})
    assert found == [
        "swe…(23 chars) in test x (stdout)",
        "swe…(23 chars) in db.sqlite3",
        "swe…(23 chars) in web.log",
    ]
    assert CODE not in "".join(found)
