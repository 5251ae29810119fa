"""Installations: OAuth, Enterprise Grid tenancy, uninstalls."""
