"""Engines and sessions: SQLite by default, PostgreSQL through a URL, migrated on first use."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.resources import files
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from alembic.config import Config

DEFAULT_URL = "sqlite:///workbench.db"
# The newest migration. Checked against the migration scripts by a test; kept as a constant so
# that opening an up-to-date store does not have to load Alembic at all.
SCHEMA_HEAD = "0002"
BUSY_TIMEOUT_MS = 10_000


class StoreError(Exception):
    """A problem with the store that the user can act on (bad URL, unreachable server...)."""


def database_url(url: str | None = None) -> str:
    """The URL to use: the argument, else ``WORKBENCH_DB_URL``, else ./workbench.db."""
    url = url or os.environ.get("WORKBENCH_DB_URL") or DEFAULT_URL
    parsed = make_url(url)
    # A plain postgresql:// URL would ask SQLAlchemy for psycopg2; we ship psycopg 3.
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


SUPPORTED = ("sqlite", "postgresql")


def make_engine(url: str | None = None) -> Engine:
    try:
        resolved = make_url(database_url(url))
    except ArgumentError:
        raise StoreError(f"'{url or os.environ.get('WORKBENCH_DB_URL')}' is not a database URL; "
                         "use sqlite:///path/to/workbench.db or "
                         "postgresql://user@host:5432/dbname") from None
    if resolved.get_backend_name() not in SUPPORTED:
        raise StoreError(f"the store runs on SQLite or PostgreSQL, not "
                         f"{resolved.get_backend_name()}; use sqlite:///path/to/workbench.db or "
                         "postgresql://user@host:5432/dbname")
    engine = create_engine(resolved, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(files("workbench.store") / "migrations"))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


def head_revision(engine: Engine) -> str | None:
    """The newest revision among the migration scripts."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The store's schema revision; None for an empty database."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: Engine) -> tuple[str | None, str | None]:
    """Run pending migrations; returns (revision before, revision after)."""
    from alembic import command

    before = current_revision(engine)
    config = alembic_config(engine)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    return before, current_revision(engine)


@dataclass
class Store:
    """An open, migrated store: the engine plus a session factory."""

    engine: Engine

    def __post_init__(self) -> None:
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: committed on success, rolled back on any error."""
        with self._sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def open_store(url: str | None = None, migrate: bool = True) -> Store:
    """Connect and, unless told not to, bring the schema up to date (first use creates it)."""
    engine = make_engine(url)
    try:
        if migrate and current_revision(engine) != SCHEMA_HEAD:
            upgrade(engine)
    except Exception as exc:
        engine.dispose()
        raise StoreError(f"cannot open the store at {engine.url.render_as_string()}: "
                         f"{_first_line(exc)}") from exc
    return Store(engine)


def _first_line(exc: Exception) -> str:
    return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
