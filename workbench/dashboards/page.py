"""What a dashboard page uses: its user, guarded widgets, KPI tiles and offline charts.

A page's ``parameters`` cell names ``username`` (with ``role`` and ``scopes`` for display).
The server fills them in; :func:`open_page` then reads the user's role and grants from the
store again, so a page never trusts more than the store says. Every value that comes back
from a widget (a plant picked in a dropdown, a scenario name) goes through
:meth:`PageSession.allowed` before anything is read with it: comm messages reach the kernel,
and a forged one must show nothing::

    page = open_page(username, "Plant")
    if page.allowed("node", plant): ...
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from workbench.core.access import Permission, Principal
from workbench.core.errors import UserError
from workbench.store import audit
from workbench.store.db import Store, open_store

log = logging.getLogger("workbench.dashboards")


def _server_log() -> None:
    """Errors go to the kernel process's own stderr (the server's log), never to
    ``sys.stderr``, which ipykernel forwards into the page."""
    import sys

    if not log.handlers:
        log.addHandler(logging.StreamHandler(sys.__stderr__))
        log.propagate = False

STYLE = """<style>
.wb-header { display:flex; justify-content:space-between; align-items:baseline;
  border-bottom:2px solid #1f4e79; margin-bottom:1rem; font-family:system-ui,sans-serif; }
.wb-header h1 { font-size:1.5rem; margin:.3rem 0; color:#1f4e79; }
.wb-tiles { display:flex; flex-wrap:wrap; gap:.8rem; margin:.5rem 0 1rem; }
.wb-tile { background:#f4f7fb; border-left:4px solid #1f4e79; padding:.6rem 1rem;
  min-width:10rem; font-family:system-ui,sans-serif; }
.wb-tile .label { font-size:.8rem; color:#555; text-transform:uppercase; }
.wb-tile .value { font-size:1.5rem; font-weight:600; }
.wb-tile .hint { font-size:.8rem; color:#555; }
.wb-notice { padding:.6rem 1rem; background:#fff4e5; border-left:4px solid #e08a00;
  font-family:system-ui,sans-serif; }
.wb-table { border-collapse:collapse; font-family:system-ui,sans-serif; font-size:.9rem; }
.wb-table th, .wb-table td { padding:.3rem .7rem; border-bottom:1px solid #ddd;
  text-align:right; }
.wb-table th:first-child, .wb-table td:first-child { text-align:left; }
</style>"""


class PageError(UserError):
    """Something a page cannot show; the message is for the manager, not a developer."""


@dataclass
class PageSession:
    """One page load: the store and the user as the store knows them."""

    store: Store
    user: Principal
    title: str

    def allowed(self, kind: str, ident: object) -> bool:
        """May this user see ``kind:ident``? A refusal is audited: it means a forged value."""
        grant = f"{kind}:{ident}"
        if self.user.may_see(grant):
            return True
        with self.store.session() as session:
            audit.record(session, self.user.username, "dashboard.denied", "refused",
                         object_type=kind, object_id=ident, scopes=[grant],
                         detail=f"page {self.title}")
        return False

    def can(self, permission: Permission) -> bool:
        return self.user.can(permission)

    def header(self) -> Fragment:
        who = f"{self.user.username} · {self.user.role}"
        return Fragment(
            f'{STYLE}<div class="wb-header"><h1>{html.escape(self.title)}</h1>'
            f'<span><span id="wb-user">{html.escape(who)}</span> · '
            '<a href="/" target="_top">all dashboards</a> · '
            '<a href="/logout" target="_top">log out</a></span></div>')

    def close(self) -> None:
        self.store.dispose()


def _skip_iri_format_check() -> None:
    """Keep jsonschema from loading its IRI format checker in a page's kernel.

    Importing Altair imports jsonschema, which imports ``rfc3987_syntax`` when it is installed
    (Jupyter's own packages pull it in); that module builds a Lark parser at import, 0.9 s of
    the 1.3 s Altair costs a fresh kernel. Pages never validate IRIs, and every page pays it
    before its first chart, so the kernel is told the module is absent (jsonschema then skips
    the "iri" formats, as it does when the package is not installed).
    """
    import sys

    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


def open_page(username: str, title: str, db_url: str | None = None) -> PageSession:
    """The page's session for the user the server named (``WORKBENCH_DB_URL`` store)."""
    from workbench.dashboards.identity import active_principal

    if not username:
        raise PageError("this page must be opened through `workbench dashboard`, which "
                        "names the logged-in user")
    _server_log()
    _skip_iri_format_check()
    store = open_store(db_url, migrate=False)
    principal = active_principal(store, username)
    if principal is None:
        store.dispose()
        raise PageError(f"user '{username}' is unknown or disabled")
    with store.session() as session:
        audit.record(session, principal.username, "dashboard.view", object_type="page",
                     object_id=title)
    return PageSession(store, principal, title)


class Fragment(str):
    """A piece of page HTML. Displayed directly it is rendered into the page as the cell runs
    (the first KPI shows before the widgets' scripts load); :func:`widget` puts it in a box."""

    def _repr_html_(self) -> str:
        return str(self)


def widget(fragment: str) -> Any:
    import ipywidgets as widgets

    return widgets.HTML(str(fragment))


def notice(text: str) -> Fragment:
    return Fragment(f'{STYLE}<div class="wb-notice">{html.escape(text)}</div>')


def tiles(items: Sequence[tuple[str, str, str]]) -> Fragment:
    """KPI tiles: (label, value, hint) each."""
    cells = "".join(
        f'<div class="wb-tile" data-kpi="{html.escape(label)}"><div class="label">'
        f'{html.escape(label)}</div><div class="value">{html.escape(value)}</div>'
        f'<div class="hint">{html.escape(hint)}</div></div>' for label, value, hint in items)
    return Fragment(f'{STYLE}<div class="wb-tiles">{cells}</div>')


def table(rows: Sequence[dict[str, object]], columns: Sequence[str] | None = None) -> Fragment:
    """A small HTML table (the values already formatted for people)."""
    if not rows:
        return notice("Nothing to show yet.")
    cols = list(columns or rows[0].keys())
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in cols)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(r.get(c, '')))}</td>"
                                    for c in cols) + "</tr>" for r in rows)
    return Fragment(f'{STYLE}<table class="wb-table"><thead><tr>{head}</tr></thead>'
                    f"<tbody>{body}</tbody></table>")


def chart(spec: Any) -> Fragment:
    """An Altair chart drawn to SVG on the server: the browser needs no vega and no network."""
    import vl_convert as vlc

    svg = vlc.vegalite_to_svg(spec.to_json())
    return Fragment(f'<div class="wb-chart">{svg}</div>')


@contextmanager
def shown_errors(box: Any) -> Iterator[None]:
    """Inside a widget callback: a user error becomes a notice in ``box`` (a VBox), anything
    else a plain apology (logged on the server), never a traceback in the page.

    Pages show results by setting a box's children, never through an Output widget: output
    captured into an Output widget while Voila is still executing the page can leave the
    page waiting for the kernel forever (seen here with nbclient 0.11)."""
    try:
        yield
    except UserError as exc:
        box.children = (widget(notice(str(exc))),)
    except Exception:
        log.exception("dashboard callback failed")
        box.children = (widget(notice("Something went wrong on the server; it has been logged. "
                               "Please try again or tell the planning team.")),)


def guarded(box: Any, callback: Callable[..., None]) -> Callable[..., None]:
    """Wrap a widget callback with :func:`shown_errors`."""

    def run(*args: Any, **kwargs: Any) -> None:
        with shown_errors(box):
            callback(*args, **kwargs)

    return run
