"""Asking for a PIN: the modal, the request, the PIN messages, retries, the store."""
