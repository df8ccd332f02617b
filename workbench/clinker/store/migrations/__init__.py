"""Alembic scripts of the clinker branch (found through the domain registry)."""
