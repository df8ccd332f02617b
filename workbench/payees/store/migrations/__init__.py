"""The payees domain's Alembic branch (revisions payees_*)."""
