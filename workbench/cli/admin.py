"""Store administration commands: db, user, audit, backup and restore."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from workbench.cli.app import app
from workbench.cli.output import err, out_console, print_json, print_table
from workbench.cli.session import (
    acting_user,
    action,
    fail,
    signed_in,
    store_for,
    usage_error,
)
from workbench.core.access import Permission, Role, scope, split_scope
from workbench.core.domain import role_presets, scope_kinds, scope_shorthands
from workbench.core.errors import InvalidRequest
from workbench.store import audit, backup, users
from workbench.store.db import current_revisions, describe, head_revisions, upgrade

JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]

db_app = typer.Typer(help="The plan store's schema (Alembic migrations).", no_args_is_help=True)
user_app = typer.Typer(help="User accounts, roles and the plants each user may see.",
                       no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Run pending migrations (they also run by themselves on first use)."""
    store = store_for(ctx, migrate=False)
    user = acting_user(ctx, store) if current_revisions(store.engine) else None
    if user is not None:
        with action(store, user, "db.upgrade"):
            user.require(Permission.ADMINISTER, "upgrade the store")
    before, after = upgrade(store.engine)
    with store.session() as session:
        audit.record(session, user.username if user else "local", "db.upgrade",
                     detail=f"{before} -> {after}")
    if as_json:
        print_json({"url": store.url, "before": before, "after": after})
    else:
        err.print(f"{store.url}: schema at revision {after} (was {before or 'empty'})")


@db_app.command("status")
def db_status(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Show the store's URL and schema revision."""
    store = store_for(ctx, migrate=False)
    status = {"url": store.url, "dialect": store.dialect,
              "revision": describe(current_revisions(store.engine)),
              "head": describe(head_revisions(store.engine))}
    if as_json:
        print_json(status)
    else:
        behind = "" if status["revision"] == status["head"] else \
            " (behind: run `workbench db upgrade`)"
        out_console().print(f"{status['url']} ({status['dialect']}): schema revision "
                            f"{status['revision'] or 'none'}, newest {status['head']}{behind}")


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    if os.isatty(0):
        return typer.prompt("new user's password", hide_input=True, confirmation_prompt=True,
                            err=True)
    raise fail("no password given: pipe it in with --password-stdin, or run on a terminal "
               "to be prompted")


def _split(text: str | None) -> list[str]:
    return [p.strip() for p in (text or "").split(",") if p.strip()]


def _grants(scopes: list[str] | None, extra: list[str]) -> list[str]:
    """--scope KIND:ID[,ID...] plus the domains' shorthands (clinker: --ius and --gus)."""
    grants: list[str] = []
    for item in scopes or []:
        kind, ids = split_scope(item)
        if kind not in scope_kinds():
            raise InvalidRequest(f"--scope {item}: unknown scope kind '{kind}'; this installation "
                             f"has {', '.join(sorted(scope_kinds())) or 'none'}")
        grants += [scope(kind, i) for i in _split(ids)]
    shorthands = scope_shorthands()
    args = iter(extra)
    for arg in args:
        name, eq, value = arg.removeprefix("--").partition("=")
        if not arg.startswith("--") or name not in shorthands:
            raise InvalidRequest(f"unknown option {arg}; see `workbench user add --help`")
        value = value if eq else next(args, "")
        grants += [scope(shorthands[name], i) for i in _split(value)]
    return grants


def _role(name: str) -> Role:
    presets = role_presets()
    if name in presets:
        return Role(presets[name])
    try:
        return Role(name)
    except ValueError:
        names = [*(r.value for r in Role), *presets]
        raise InvalidRequest(f"--role {name}: choose one of {', '.join(names)}") from None


@user_app.command(
    "add", context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    epilog="Domain shorthands: --ius and --gus take comma-separated clinker node ids (the "
           "same as --scope node:ID,...); the roles iu_manager and gu_manager are managers.")
def user_add(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[str, typer.Option(
        "--role", help="admin, central_planner, manager or viewer (or a domain's preset such "
                       "as iu_manager, gu_manager)")],
    scopes: Annotated[list[str] | None, typer.Option(
        "--scope", help="What a manager or viewer may see: KIND:ID[,ID...], e.g. "
                        "node:IU_001,GU_004 (repeatable).")] = None,
    password_stdin: Annotated[bool, typer.Option(
        "--password-stdin", help="Read the password from standard input.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Add a user (the first one may be added by the local bootstrap administrator)."""
    store, actor = signed_in(ctx)
    try:
        grants, chosen = _grants(scopes, list(ctx.args)), _role(role)
    except InvalidRequest as exc:
        raise usage_error(str(exc)) from None
    password = _read_password(password_stdin)
    with action(store, actor, "user.add", username) as session:
        user = users.add_user(session, actor, username, chosen, password, grants)
        out = {"username": user.username, "role": user.role, "scopes": user.scopes}
    if as_json:
        print_json(out)
    else:
        err.print(f"added user {username} ({chosen})")


@user_app.command("list")
def user_list(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """List users, their roles and plants."""
    store, actor = signed_in(ctx)
    with action(store, actor, "user.list", audit_ok=True) as session:
        rows = [{"username": u.username, "role": u.role, "scopes": u.scopes,
                 "disabled": u.disabled} for u in users.list_users(session, actor)]
    if as_json:
        print_json(rows)
        return
    print_table(("user", "role", "scopes", "disabled"),
                [(r["username"], r["role"], ",".join(r["scopes"] or []),
                  "yes" if r["disabled"] else "") for r in rows])


@user_app.command("disable")
def user_disable(ctx: typer.Context,
                 username: Annotated[str, typer.Argument(help="Login name.")],
                 as_json: JsonOpt = False) -> None:
    """Disable a user: they can no longer log in; their history stays."""
    store, actor = signed_in(ctx)
    with action(store, actor, "user.disable", username) as session:
        users.disable_user(session, actor, username)
    if as_json:
        print_json({"username": username, "disabled": True})
    else:
        err.print(f"disabled user {username}")


@app.command("audit")
def audit_command(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(help="How many entries, newest first.")] = 50,
    action_name: Annotated[str | None, typer.Option("--action", help="Only this action.")]
    = None,
    as_json: JsonOpt = False,
) -> None:
    """Show the audit log (restricted users see their own entries)."""
    store, actor = signed_in(ctx)
    with action(store, actor, "audit.read", audit_ok=True) as session:
        rows = [{"at": e.at, "user": e.username, "action": e.action, "status": e.status,
                 "object": f"{e.object_type} {e.object_id}".strip(), "scopes": e.scopes,
                 "detail": e.detail}
                for e in audit.entries(session, actor, limit, action_name)]
    if as_json:
        print_json(rows)
        return
    print_table(("at", "user", "action", "status", "object", "detail"),
                [(str(r["at"])[:19], r["user"], r["action"], r["status"], r["object"],
                  r["detail"][:60]) for r in rows])


@app.command("backup")
def backup_command(ctx: typer.Context,
                   path: Annotated[Path, typer.Argument(help="Backup file to create.")],
                   as_json: JsonOpt = False) -> None:
    """Copy the store to PATH while it stays in use (SQLite backup API, or pg_dump)."""
    store, actor = signed_in(ctx)
    with action(store, actor, "backup", path):
        actor.require(Permission.ADMINISTER, "back up the store")
        err.print(f"backing up {store.url} to {path} ...")
        backup.backup(store, path)
    with store.session() as session:
        audit.record(session, actor.username, "backup", object_type="file", object_id=path)
    out = {"url": store.url, "path": str(path), "bytes": path.stat().st_size}
    if as_json:
        print_json(out)
    else:
        err.print(f"backed up {store.url} to {path} ({out['bytes']:,} bytes)")


@app.command("restore")
def restore_command(ctx: typer.Context,
                    path: Annotated[Path, typer.Argument(help="Backup file to restore.")],
                    as_json: JsonOpt = False) -> None:
    """Replace the store's contents with the backup at PATH, then migrate it if needed."""
    store, actor = signed_in(ctx)
    with action(store, actor, "restore", path):
        actor.require(Permission.ADMINISTER, "restore the store")
        err.print(f"restoring {store.url} from {path} ...")
    # the restore replaces every table, so it runs outside any session of ours; its audit row
    # goes into the restored store (or, on failure, into the untouched one)
    with action(store, actor, "restore", path):
        backup.restore(store, path)
    with store.session() as session:
        audit.record(session, actor.username, "restore", object_type="file", object_id=path)
    if as_json:
        print_json({"url": store.url, "path": str(path), "restored": True})
    else:
        err.print(f"restored {store.url} from {path}")
