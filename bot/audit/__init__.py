"""The audit trail: rows, export and retention."""
