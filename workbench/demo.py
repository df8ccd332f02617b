"""`workbench demo`, the main job: a fresh store under build/, demo users, and each installed
domain's part (its data, runs and report), with progress along the way.

It never touches the store named by ``WORKBENCH_DB_URL``, which may be a team's real one.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from workbench.core.access import BOOTSTRAP, Principal, Role
from workbench.core.domain import domains
from workbench.core.errors import UserError
from workbench.store import users
from workbench.store.db import Store, open_store

DEMO_USERS = (("admin", Role.ADMIN), ("planner", Role.CENTRAL_PLANNER))


@dataclass
class DemoContext:
    """What a domain's demo step gets: the fresh store, the demo password and a way to talk."""

    folder: Path
    store_url: str
    password: str
    reports_dir: Path
    say: Callable[[str], None]
    headlines: list[str] = field(default_factory=list)
    reports: list[str] = field(default_factory=list)
    # every demo user with what they are (the domains add their scoped users)
    users: dict[str, str] = field(default_factory=dict)


class DemoFailed(UserError):
    """A step of the demo did not work out; the message says which and why."""


def add_demo_user(ctx: DemoContext, name: str, grants: list[str], who: str) -> None:
    """A scoped manager-role user with the demo password, added by the demo's admin."""
    store = open_store(ctx.store_url)
    try:
        admin = users.log_in(store, "admin", ctx.password)
        with store.session() as session:
            users.add_user(session, admin, name, Role.MANAGER, ctx.password, grants)
    finally:
        store.dispose()
    ctx.users[name] = who
    ctx.say(f"  user {name}: {who}")


def run_demo_report(ctx: DemoContext, store: Store, user: Principal, notebook: str,
                    parameters: dict[str, object], what: str) -> None:
    """Run a report notebook as ``user`` (named in ``parameters``), record it, keep its HTML."""
    from workbench.reports import history, notebooks
    from workbench.reports.run import run_report

    ctx.say(f"  running the {what} (papermill) ...")
    # the kernel reads the password from its environment, never from a parameter that would be
    # written into the executed notebook
    os.environ["WORKBENCH_PASSWORD"] = ctx.password
    try:
        run = run_report(notebooks.resolve(notebook),
                         {**parameters, "db_url": ctx.store_url}, ctx.reports_dir)
    finally:
        del os.environ["WORKBENCH_PASSWORD"]
    with store.session() as session:
        history.record(session, user, run)
    if not run.succeeded:
        raise DemoFailed(f"the demo's {what} failed: {run.error}; see "
                         f"{Path(run.folder) / str(run.log)}")
    ctx.reports.append(str(Path(run.folder) / str(run.html)))


def fresh_store(folder: Path) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    db = folder.resolve() / "demo.db"  # absolute: notebooks run by the demo open it too
    for path in (db, db.with_name("demo.db-wal"), db.with_name("demo.db-shm")):
        path.unlink(missing_ok=True)
    return f"sqlite:///{db}"


def demo_password() -> tuple[str, bool]:
    """WORKBENCH_DEMO_PASSWORD, or a generated one (True when generated, to print once)."""
    given = os.environ.get("WORKBENCH_DEMO_PASSWORD")
    return (given, False) if given else (secrets.token_urlsafe(12), True)


def run_demo(folder: Path, reports_dir: Path, password: str,
             say: Callable[[str], None]) -> DemoContext:
    started = time.perf_counter()
    ctx = DemoContext(folder, fresh_store(folder), password, reports_dir, say)
    store = open_store(ctx.store_url)
    try:
        with store.session() as session:
            for name, role in DEMO_USERS:
                users.add_user(session, BOOTSTRAP, name, role, password)
                ctx.users[name] = str(role)
    finally:
        store.dispose()
    say(f"store {ctx.store_url} with users {', '.join(n for n, _ in DEMO_USERS)}")
    for domain in domains().values():
        step = domain.load_demo()
        if step is not None:
            say(f"{domain.title}:")
            step(ctx)
    say(f"done in {time.perf_counter() - started:.0f}s")
    return ctx
