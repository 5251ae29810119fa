"""What makes text storable: NUL replaced by U+FFFD in place, nothing else changed; and every
text column of the schema goes through it (no mocks: the real types and tables)."""

from __future__ import annotations

import importlib
import pkgutil

from sqlalchemy import String, Text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.sqltypes import NullType

import bot
from bot.storage.prepared import Prepared, PreparedPerDialect
from bot.storage.schema import audit, metadata
from bot.storage.storable import StorableString, StorableText, storable, too_long


def test_nul_is_replaced_in_place_and_nothing_else_changes() -> None:
    assert storable("Ann\x00Nul") == "Ann\ufffdNul"
    assert storable("\x00\x00") == "\ufffd\ufffd"
    odd = "esc\x1b[31m del\x7f rlo\u202egpj.exe tab\t nl\n é 🙂 \ufffd"
    assert storable(odd) == odd
    value = "a\x00b\x1bc\x7fd\u202e"
    assert len(storable(value)) == len(value)
    assert [i for i, c in enumerate(storable(value)) if c != value[i]] == [1]
    assert storable("") == ""


def test_every_text_column_is_storable() -> None:
    plain = [
        f"{table.name}.{column.name}"
        for table in metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, String | Text)
        and not isinstance(column.type, StorableString | StorableText)
    ]
    storables = [
        c for t in metadata.sorted_tables for c in t.columns if isinstance(c.type, StorableString)
    ]
    assert plain == [] and storables


def test_the_types_bind_storable_text_on_both_dialects() -> None:
    for dialect in (sqlite.dialect(), postgresql.dialect()):
        for column in (audit.c.cfield0, audit.c.tracking0):
            bind = column.type.dialect_impl(dialect).bind_processor(dialect)
            assert bind is not None
            assert bind("Ann\x00Nul\x1b") == "Ann\ufffdNul\x1b"
            assert bind(None) is None


def test_too_long_names_the_columns_postgresql_would_refuse() -> None:
    row = {"cfield0": "x" * 65, "tracking0": "y" * 64, "channel_id": "C" * 33, "pin": None}
    assert too_long(audit, row) == ["cfield0", "channel_id"]
    assert too_long(audit, {"cfield0": "é" * 64, "no_such": "z" * 999}) == []


def test_every_prepared_statement_binds_text_through_a_storable_type() -> None:
    """The hot path runs on the driver's cursor (bot/storage/prepared.py) with each bind's
    own processor: every text parameter of every prepared statement must be Storable."""
    statements = []
    for module in pkgutil.walk_packages(bot.__path__, "bot."):
        if ".migrations" in module.name or module.name.endswith("__main__"):
            continue
        for value in vars(importlib.import_module(module.name)).values():
            if isinstance(value, Prepared):
                statements += [(value.statement, d) for d in (sqlite, postgresql)]
            elif isinstance(value, PreparedPerDialect):
                statements += [
                    (value._build(d.__name__.rpartition(".")[2]), d)  # noqa: SLF001
                    for d in (sqlite, postgresql)
                ]
    plain = []
    for statement, module_of_dialect in statements:
        dialect = module_of_dialect.dialect()
        for name, bind in statement.compile(dialect=dialect).binds.items():
            if isinstance(bind.type, String | NullType):
                plain.append(f"{dialect.name}: {name}")
    assert len(statements) >= 14 and plain == []
