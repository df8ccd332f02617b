"""Alembic scripts of the oee branch (found through the domain registry)."""
