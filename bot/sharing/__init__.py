"""Sharing a PIN into its conversation: one explicit click by its requester."""
