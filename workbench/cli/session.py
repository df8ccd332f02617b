"""The store and the acting user for one command: open, log in, audit refusals, exit 1."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import typer
from rich.markup import escape
from sqlalchemy.orm import Session

from workbench.cli.output import EXIT_FAILED, EXIT_USAGE, err
from workbench.core.access import Principal
from workbench.store.actions import USER_ERRORS, audited
from workbench.store.db import Store, StoreError, open_store
from workbench.store.users import LoginFailed, log_in


@dataclass
class GlobalOptions:
    user: str | None = None
    db_url: str | None = None


def fail(message: str) -> typer.Exit:
    err.print(f"[red]error:[/] {escape(message)}")
    return typer.Exit(EXIT_FAILED)


def usage_error(message: str) -> typer.Exit:
    """The command was called wrongly (exit 2, as click does for its own usage errors)."""
    err.print(f"[red]usage error:[/] {escape(message)}")
    return typer.Exit(EXIT_USAGE)


def global_options(ctx: typer.Context) -> GlobalOptions:
    root = ctx.find_root()
    return root.obj if isinstance(root.obj, GlobalOptions) else GlobalOptions()


def store_for(ctx: typer.Context, migrate: bool = True) -> Store:
    try:
        return open_store(global_options(ctx).db_url, migrate=migrate)
    except StoreError as exc:
        raise fail(str(exc)) from None


def _password(username: str) -> str | None:
    password = os.environ.get("WORKBENCH_PASSWORD")
    if password is not None:
        return password
    if not os.isatty(0):
        raise fail(f"no password given for user '{username}': set WORKBENCH_PASSWORD, or run "
                   "on a terminal to be prompted")
    return typer.prompt(f"password for {username}", hide_input=True, err=True)


def acting_user(ctx: typer.Context, store: Store) -> Principal:
    """Log in (bootstrap admin while the store has no users); exit 1 with a reason if refused."""
    username = global_options(ctx).user
    try:
        return log_in(store, username, lambda: _password(username or ""))
    except LoginFailed as exc:
        raise fail(str(exc)) from None


def signed_in_with_password(ctx: typer.Context) -> tuple[Store, Principal, str | None]:
    """As :func:`signed_in`, also returning the password given (for a child that logs in too)."""
    store = store_for(ctx)
    username = global_options(ctx).user
    given: list[str | None] = [None]

    def ask() -> str | None:
        given[0] = _password(username or "")
        return given[0]

    try:
        return store, log_in(store, username, ask), given[0]
    except LoginFailed as exc:
        raise fail(str(exc)) from None


def signed_in(ctx: typer.Context) -> tuple[Store, Principal]:
    """The command's store and its logged-in user: the preamble of every store command."""
    store = store_for(ctx)
    return store, acting_user(ctx, store)


@contextmanager
def action(store: Store, user: Principal, name: str, object_id: object = "",
           audit_ok: bool = False) -> Iterator[Session]:
    """An audited action (see :func:`workbench.store.actions.audited`); user errors exit 1."""
    try:
        with audited(store, user, name, object_id, audit_ok) as session:
            yield session
    except USER_ERRORS as exc:
        raise fail(str(exc)) from None


@contextmanager
def user_errors() -> Iterator[None]:
    """Show a user error (already audited by the action) as a message and exit 1."""
    try:
        yield
    except USER_ERRORS as exc:
        raise fail(str(exc)) from None
