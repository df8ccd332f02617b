"""Alembic environment: the store hands us an open connection (see workbench.store.db)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from workbench.core.domain import domains
from workbench.store.models import Base

for _domain in domains().values():
    _domain.load_models()  # its tables join Base.metadata, for autogenerate

config = context.config
connection = config.attributes.get("connection")


def _run(conn) -> None:
    context.configure(connection=conn, target_metadata=Base.metadata,
                      render_as_batch=conn.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    _run(connection)
else:  # `alembic` command line with sqlalchemy.url set, used when writing new migrations
    with create_engine(config.get_main_option("sqlalchemy.url")).connect() as conn:
        _run(conn)
