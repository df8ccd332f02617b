"""Engines and sessions: SQLite by default, PostgreSQL through a URL, migrated on first use.

The schema is the spine's Alembic chain plus one branch per installed domain (its own
``migrations`` package, labelled with its name). Upgrades go to every head at once.
"""

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

from workbench.core.domain import domains
from workbench.core.errors import UserError

if TYPE_CHECKING:
    from alembic.config import Config

DEFAULT_URL = "sqlite:///workbench.db"
# The spine's newest migration. Checked against the scripts by a test; kept as a constant (with
# each domain's ``schema_head``) so that opening an up-to-date store does not load Alembic.
SCHEMA_HEAD = "0005"
BUSY_TIMEOUT_MS = 10_000


class StoreError(UserError):
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


def expected_heads() -> frozenset[str]:
    """The revisions an up-to-date store is at: the spine's head and each domain's."""
    installed = domains().values()
    # a spine revision that a domain's branch depends on is absorbed by that branch's head
    absorbed = {d.schema_depends_on for d in installed if d.schema_depends_on}
    return frozenset({SCHEMA_HEAD, *(d.schema_head for d in installed if d.schema_head)}
                     - absorbed)


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    migrations = files("workbench.store") / "migrations"
    locations = [str(migrations / "versions")]
    locations += [str(p) for d in domains().values() if (p := d.migrations_dir())]
    config.set_main_option("script_location", str(migrations))
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", os.pathsep.join(locations))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


def head_revisions(engine: Engine) -> frozenset[str]:
    """The newest revision of every branch among the migration scripts, as the version table
    of an up-to-date store lists them: a head that another branch ``depends_on`` is left out,
    as Alembic leaves it out of the table."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config(engine))
    heads = set(script.get_heads())
    absorbed: set[str] = set()
    for head in heads:
        todo = [head]
        while todo:
            rev = script.get_revision(todo.pop())
            for name in (*_names(rev.down_revision), *_names(rev.dependencies)):
                below = script.get_revision(name)
                if below is not None and below.revision not in absorbed:
                    absorbed.add(below.revision)
                    todo.append(below.revision)
    return frozenset(heads - absorbed)


def _names(value: str | tuple[str, ...] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def current_revisions(engine: Engine) -> frozenset[str]:
    """The store's schema revisions (one per branch); empty for an empty database."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return frozenset()
        return frozenset(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())


def describe(revisions: frozenset[str]) -> str | None:
    return ", ".join(sorted(revisions)) or None


def upgrade(engine: Engine) -> tuple[str | None, str | None]:
    """Run pending migrations on every branch; returns (revisions before, after) as text."""
    from alembic import command

    before = current_revisions(engine)
    config = alembic_config(engine)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "heads")
    return describe(before), describe(current_revisions(engine))


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
        if migrate and current_revisions(engine) != expected_heads():
            upgrade(engine)
    except Exception as exc:
        engine.dispose()
        raise StoreError(f"cannot open the store at {engine.url.render_as_string()}: "
                         f"{_first_line(exc)}") from exc
    return Store(engine)


def _first_line(exc: Exception) -> str:
    return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
