"""``workbench dashboard``: standalone Voila, locked down for managers.

Standalone Voila, never the Jupyter server extension: the extension runs inside a full Jupyter
server, whose kernels accept ``execute_request``, while standalone Voila forwards only comm and
kernel-info messages to its kernels, so a browser cannot run code of its own.
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass
from pathlib import Path

from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.utils import url_path_join
from tornado import web
from traitlets.config import Config
from voila.app import Voila
from voila.shutdown_kernel_handler import VoilaShutdownKernelHandler

from workbench.core.domain import domains
from workbench.dashboards.identity import (
    STORE_SETTING,
    THROTTLE_SETTING,
    LoginThrottle,
    WorkbenchIdentityProvider,
    active_principal,
    role_label,
)
from workbench.dashboards.kernels import (
    KernelOwnerAuthorizer,
    OwnedKernelManager,
    OwnedShutdownHandler,
)
from workbench.dashboards.launch import prelaunch_hook
from workbench.dashboards.secret import cookie_secret
from workbench.store.db import Store

# Credentials a kernel must never inherit: pages act as the logged-in user only.
SCRUBBED_ENV = ("WORKBENCH_USER", "WORKBENCH_PASSWORD", "WORKBENCH_COOKIE_SECRET",
                "WORKBENCH_DEMO_PASSWORD")


# Our Voila template lives in the package; Voila finds templates under the Jupyter data path.
DATA_DIR = Path(__file__).resolve().parent / "jupyter"
TEMPLATE = "workbench"


@dataclass(frozen=True)
class Page:
    file: str
    domain: str
    title: str


def pages_folder() -> Path:
    """``WORKBENCH_DASHBOARDS`` or the checkout's ``notebooks/dashboards``."""
    given = os.environ.get("WORKBENCH_DASHBOARDS")
    if given:
        return Path(given)
    return Path(__file__).resolve().parents[2] / "notebooks" / "dashboards"


def installed_pages(folder: Path) -> list[Page]:
    """The pages the installed domains name, in domain order, that exist in the folder."""
    found = []
    for domain in domains().values():
        for file in domain.dashboards:
            if (folder / file).is_file():
                found.append(Page(file, domain.name, _title(folder / file)))
    return found


def _title(path: Path) -> str:
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    return str(notebook.metadata.get("title") or path.stem.replace("_", " ").capitalize())


def lockdown_config(folder: Path, host: str, port: int) -> Config:
    """Voila's settings, each one chosen for the manager-facing server."""
    c = Config()
    c.Voila.root_dir = str(folder)
    c.Voila.ip = host
    c.Voila.port = port
    c.Voila.port_retries = 0  # a scheduler must learn that the port is taken, not get another
    c.Voila.open_browser = False  # a server process; nobody sits at its screen
    c.Voila.identity_provider_class = WorkbenchIdentityProvider
    c.Voila.authorizer_class = KernelOwnerAuthorizer
    c.Voila.cookie_secret = cookie_secret()
    # the page is its output only: no source cells in the HTML
    c.VoilaConfiguration.strip_sources = True
    # an error shows "there was an error", never the traceback with paths and data in it
    c.VoilaConfiguration.show_tracebacks = False
    # ?template= and ?theme= would let a URL load another template that shows sources
    c.VoilaConfiguration.allow_template_override = "NO"
    # Voila's lab template, less what it fetches from CDNs (see the template's header)
    c.VoilaConfiguration.template = TEMPLATE
    c.VoilaConfiguration.allow_theme_override = "NO"
    # /voila/files/ is served without a login check: images only, and never anything that
    # holds code, data or keys, even if a future allowlist pattern were too wide
    c.VoilaConfiguration.file_allowlist = [r"[^/]+\.(png|jpg|jpeg|gif|svg)"]
    c.VoilaConfiguration.file_denylist = [
        r".*\.(ipynb|py|pyc|db|sqlite|sqlite3|csv|xlsx|parquet|json|env|key|pem|cfg|ini|toml)",
        r"(.*/)?\..*",  # dotfiles and dot-folders: .env, .workbench/cookie_secret, .git
    ]
    # the user is looked up per page load; preheated kernels would skip that hook
    c.VoilaConfiguration.preheat_kernel = False
    c.VoilaConfiguration.prelaunch_hook = prelaunch_hook
    c.VoilaConfiguration.multi_kernel_manager_class = OwnedKernelManager
    # a tab closed without its unload beacon (a crash, a sleeping laptop) would keep its kernel
    # and memory forever; a kernel nobody is connected to goes after 10 idle minutes
    c.MappingKernelManager.cull_idle_timeout = 600
    c.MappingKernelManager.cull_interval = 60
    c.MappingKernelManager.cull_connected = False
    # the kernel's own messages are all the page needs; nothing is rendered from the browser
    c.VoilaConfiguration.http_header_envs = []
    return c


class LandingHandler(JupyterHandler):
    """The page list, with who is logged in and a way out."""

    def initialize(self, pages: tuple[Page, ...]) -> None:
        self.pages = pages

    @web.authenticated
    def get(self) -> None:
        principal = active_principal(self.settings[STORE_SETTING], self.current_user.username)
        if principal is None:
            raise web.HTTPError(403)
        base = self.base_url.rstrip("/")
        links = "".join(
            f'<li><a href="{base}/voila/render/{html.escape(p.file)}">'
            f"{html.escape(p.title)}</a></li>" for p in self.pages)
        self.write(LANDING.format(
            user=html.escape(principal.username), role=role_label(principal.role),
            links=links or "<li>No dashboard pages are installed.</li>",
            logout=f"{base}/logout"))


LANDING = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Workbench dashboards</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 40rem; }}
header {{ display: flex; justify-content: space-between; align-items: baseline; }}
li {{ margin: .6rem 0; font-size: 1.1rem; }}
</style></head><body>
<header><h1>Workbench dashboards</h1>
<span id="who">{user} ({role}) · <a href="{logout}" id="logout">Log out</a></span></header>
<ul id="pages">{links}</ul>
</body></html>
"""


class DashboardServer(Voila):
    """Voila with the workbench login, kernel ownership and a landing page."""

    store: Store | None = None
    pages: tuple[Page, ...] = ()

    def init_settings(self) -> dict:
        settings = super().init_settings()
        settings[STORE_SETTING] = self.store
        settings[THROTTLE_SETTING] = LoginThrottle()
        # forms (login) and API posts (kernel shutdown) carry jupyter_server's XSRF token
        settings["xsrf_cookies"] = True
        return settings

    def init_handlers(self) -> list:
        kept = []
        for handler in super().init_handlers():
            pattern, cls = handler[0], handler[1]
            if cls is VoilaShutdownKernelHandler:
                handler = (pattern, OwnedShutdownHandler, *handler[2:])
            elif "voila/tree" in pattern or "voila/api/contents" in pattern or \
                    pattern.rstrip("/") == self.server_url.rstrip("/"):
                continue  # the folder listing and contents API: the landing page replaces them
            kept.append(handler)
        landing = (url_path_join(self.server_url, r"/?"), LandingHandler,
                   {"pages": self.pages})
        return [landing, *kept]


def serve(store: Store, host: str = "127.0.0.1", port: int = 8866,
          folder: Path | None = None) -> None:
    """Run the dashboard server until it is stopped (SIGTERM or Ctrl-C)."""
    folder = (folder or pages_folder()).resolve()
    for name in SCRUBBED_ENV:
        os.environ.pop(name, None)
    os.environ["WORKBENCH_DB_URL"] = store.engine.url.render_as_string(hide_password=False)
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        p for p in (str(DATA_DIR), os.environ.get("JUPYTER_PATH", "")) if p)
    app = DashboardServer(config=lockdown_config(folder, host, port))
    app.store = store
    app.pages = tuple(installed_pages(folder))
    app.initialize([])
    app.start()
