"""Store administration commands: db, user, audit, backup and restore."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from workbench.access import Permission, Role
from workbench.cli.app import app, err, out_console, print_json
from workbench.cli.session import acting_user, action, fail, store_for
from workbench.store import audit, backup, users
from workbench.store.db import current_revision, head_revision, upgrade

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
    user = acting_user(ctx, store) if current_revision(store.engine) else None
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
              "revision": current_revision(store.engine), "head": head_revision(store.engine)}
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


@user_app.command("add")
def user_add(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[Role, typer.Option("--role", help="admin, central_planner, iu_manager, "
                                                      "gu_manager or viewer")],
    ius: Annotated[str | None, typer.Option("--ius", help="Own IUs, comma-separated.")] = None,
    gus: Annotated[str | None, typer.Option("--gus", help="Own GUs, comma-separated.")] = None,
    password_stdin: Annotated[bool, typer.Option(
        "--password-stdin", help="Read the password from standard input.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Add a user (the first one may be added by the local bootstrap administrator)."""
    store = store_for(ctx)
    actor = acting_user(ctx, store)
    password = _read_password(password_stdin)
    with action(store, actor, "user.add", username) as session:
        user = users.add_user(session, actor, username, role, password, _split(ius), _split(gus))
        out = {"username": user.username, "role": user.role, "ius": user.ius, "gus": user.gus}
    if as_json:
        print_json(out)
    else:
        err.print(f"added user {username} ({role})")


@user_app.command("list")
def user_list(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """List users, their roles and plants."""
    store = store_for(ctx)
    actor = acting_user(ctx, store)
    with action(store, actor, "user.list", audit_ok=True) as session:
        rows = [{"username": u.username, "role": u.role, "ius": u.ius, "gus": u.gus,
                 "disabled": u.disabled} for u in users.list_users(session, actor)]
    if as_json:
        print_json(rows)
        return
    table = Table("user", "role", "IUs", "GUs", "disabled")
    for r in rows:
        table.add_row(r["username"], r["role"], ",".join(r["ius"]), ",".join(r["gus"]),
                      "yes" if r["disabled"] else "")
    out_console().print(table)


@user_app.command("disable")
def user_disable(ctx: typer.Context,
                 username: Annotated[str, typer.Argument(help="Login name.")],
                 as_json: JsonOpt = False) -> None:
    """Disable a user: they can no longer log in; their history stays."""
    store = store_for(ctx)
    actor = acting_user(ctx, store)
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
    store = store_for(ctx)
    actor = acting_user(ctx, store)
    with action(store, actor, "audit.read", audit_ok=True) as session:
        rows = [{"at": e.at, "user": e.username, "action": e.action, "status": e.status,
                 "object": f"{e.object_type} {e.object_id}".strip(), "nodes": e.nodes,
                 "detail": e.detail}
                for e in audit.entries(session, actor, limit, action_name)]
    if as_json:
        print_json(rows)
        return
    table = Table("at", "user", "action", "status", "object", "detail")
    for r in rows:
        table.add_row(str(r["at"])[:19], r["user"], r["action"], r["status"], r["object"],
                      r["detail"][:60])
    out_console().print(table)


@app.command("backup")
def backup_command(ctx: typer.Context,
                   path: Annotated[Path, typer.Argument(help="Backup file to create.")],
                   as_json: JsonOpt = False) -> None:
    """Copy the store to PATH while it stays in use (SQLite backup API, or pg_dump)."""
    store = store_for(ctx)
    actor = acting_user(ctx, store)
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
    store = store_for(ctx)
    actor = acting_user(ctx, store)
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
