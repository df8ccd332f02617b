"""`workbench dashboard`: the managers' Voila server, behind a login."""

from __future__ import annotations

import socket
from typing import Annotated

import typer

from workbench.cli.app import app
from workbench.cli.output import err
from workbench.cli.session import fail, store_for


@app.command("dashboard")
def dashboard_command(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(
        help="Address to listen on. The default serves this machine only; put a TLS proxy "
             "in front before listening on other addresses.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8866,
    worker: Annotated[bool, typer.Option(
        "--worker/--no-worker",
        help="Start a background job worker when none is alive, so what-ifs run.")] = True,
) -> None:
    """Serve the manager dashboards (standalone Voila) until stopped with Ctrl-C or SIGTERM.

    Users log in with their workbench account (`workbench user add`); each sees only the
    plants, lines or fields they are granted. Exit 1 when the port is taken or the store
    has no users."""
    from workbench.dashboards.server import installed_pages, pages_folder, serve
    from workbench.store.users import has_users

    store = store_for(ctx)
    with store.session() as session:
        if not has_users(session):
            raise fail("the store has no users, so nobody could log in: add one with "
                       "`workbench user add NAME --role manager ...` first")
    _require_free(host, port)
    folder = pages_folder()
    pages = installed_pages(folder)
    if not pages:
        raise fail(f"no dashboard pages found in {folder}")
    if worker:
        from workbench.jobs import local

        url = store.engine.url.render_as_string(hide_password=False)
        if local.ensure_worker(store, url):
            err.print("started a background job worker for what-if runs")
    err.print(f"dashboards on http://{host}:{port}/ ({', '.join(p.file for p in pages)}); "
              "Ctrl-C stops")
    serve(store, host, port, folder)


def _require_free(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise fail(f"cannot listen on {host}:{port}: {exc.strerror}; pick another "
                       "--port") from None
