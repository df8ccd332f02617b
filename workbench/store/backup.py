"""Backup and restore: SQLite's online backup API, or pg_dump / pg_restore for PostgreSQL."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from workbench.store.db import Store, StoreError, upgrade


def _libpq_url(store: Store) -> str:
    """pg_dump wants a libpq URL: no SQLAlchemy driver suffix."""
    url = store.engine.url.set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise StoreError(f"{name} is not installed; install the PostgreSQL client tools "
                         "(Debian package postgresql-client) to back up PostgreSQL")
    return path


def backup(store: Store, path: Path) -> Path:
    """Write a consistent copy while other processes keep writing."""
    if path.exists():
        raise StoreError(f"{path} already exists; choose a new backup file")
    if store.dialect == "sqlite":
        raw = store.engine.raw_connection()
        try:
            target = sqlite3.connect(path)
            with target:
                raw.driver_connection.backup(target)  # pages copied under SQLite's own locks
            # the copy inherits WAL mode, which would leave -wal and -shm files beside it; a
            # backup is one self-contained file (the store turns WAL back on when restored)
            target.execute("PRAGMA journal_mode=DELETE")
            target.close()
        finally:
            raw.close()
        return path
    _run([_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={path}",
          _libpq_url(store)], "pg_dump")
    return path


def restore(store: Store, path: Path) -> None:
    """Replace the store's contents with a backup, then migrate it to the current schema."""
    if not path.is_file():
        raise StoreError(f"backup file {path} does not exist")
    if store.dialect == "sqlite":
        source = _open_sqlite_backup(path)
        raw = store.engine.raw_connection()
        try:
            source.backup(raw.driver_connection)
        finally:
            raw.close()
            source.close()
    else:
        _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
              f"--dbname={_libpq_url(store)}", str(path)], "pg_restore")
    store.engine.dispose()
    upgrade(store.engine)


def _open_sqlite_backup(path: Path) -> sqlite3.Connection:
    try:
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        names = {r[0] for r in source.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path} is not a SQLite backup: {exc}") from exc
    if "alembic_version" not in names:
        source.close()
        raise StoreError(f"{path} is not a workbench store backup (no alembic_version table)")
    return source


def _run(argv: list[str], tool: str) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        message = (done.stderr or done.stdout).strip().splitlines()
        raise StoreError(f"{tool} failed: {message[-1] if message else done.returncode}")
