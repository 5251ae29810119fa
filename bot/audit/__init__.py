"""The audit trail: rows, export and retention.

What other features use: the one audit insert, inside their own transaction (a PIN
request's, an uninstall's), and the row to keep when the database refuses one."""

from bot.audit.insert import (
    INSERT_AUDIT,
    audit_step,
    audit_values,
    insert_audit,
    without_refused,
)

__all__ = ["INSERT_AUDIT", "audit_step", "audit_values", "insert_audit", "without_refused"]
