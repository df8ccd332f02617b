"""A real `workbench dashboard` on loopback over the demo store, for the dashboard tests."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.conftest import run_cli

PASSWORD = "demo-pass-123"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@dataclass
class Dashboard:
    url: str
    store_url: str
    folder: Path
    log: Path

    def session(self, username: str, password: str = PASSWORD) -> requests.Session:
        """A logged-in HTTP session (the login form's XSRF token included)."""
        http = requests.Session()
        form = http.get(f"{self.url}/login", timeout=30)
        xsrf = re.search(r'name="_xsrf" value="([^"]+)"', form.text)
        assert xsrf, form.text[:500]
        done = http.post(f"{self.url}/login", timeout=30, allow_redirects=False, data={
            "_xsrf": xsrf.group(1), "username": username, "password": password, "next": "/"})
        assert done.status_code == 302, (done.status_code, done.text[:300])
        return http


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def build_demo(folder: Path) -> str:
    done = run_cli("demo", "--dir", str(folder / "build"), "--reports",
                   str(folder / "reports"), cwd=folder,
                   env={"WORKBENCH_DEMO_PASSWORD": PASSWORD})
    assert done.returncode == 0, done.stderr[-3000:]
    return f"sqlite:///{folder / 'build' / 'demo.db'}"


def start_dashboard(folder: Path, store_url: str, pages: Path | None = None,
                    worker: bool = True) -> Iterator[Dashboard]:
    """``pages``: serve this folder instead of the checkout's ``notebooks/dashboards``."""
    port = free_port()
    log = folder / "dashboard.log"
    env = {**os.environ, "WORKBENCH_DB_URL": store_url,
           "WORKBENCH_COOKIE_SECRET_FILE": str(folder / "secret" / "cookie_secret"),
           "WORKBENCH_WORKER_IDLE_EXIT_S": "120"}
    if pages is not None:
        env["WORKBENCH_DASHBOARDS"] = str(pages)
    env.pop("WORKBENCH_USER", None)
    env.pop("WORKBENCH_PASSWORD", None)
    with log.open("w") as out:
        server = subprocess.Popen(
            [str(Path(sys.executable).with_name("workbench")), "dashboard", "--port",
             str(port), *(() if worker else ("--no-worker",))], cwd=folder, env=env,
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{url}/login", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"dashboard did not start: {log.read_text()[-3000:]}")
            time.sleep(0.3)
        yield Dashboard(url, store_url, folder, log)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


LEAKS = ("Traceback", "open_page(", "import ", "def ", "There was an error",
         "Something went wrong")


def rendered_without_leaks(dashboard: Dashboard, user: str, notebook: str) -> str:
    """The page as ``user`` gets it, checked listed, served and free of code and tracebacks."""
    http = dashboard.session(user)
    assert f'href="/voila/render/{notebook}"' in http.get(dashboard.url + "/", timeout=30).text
    got = http.get(f"{dashboard.url}/voila/render/{notebook}", timeout=120)
    assert got.status_code == 200
    for leak in LEAKS:
        assert leak not in got.text, (user, leak)
    return got.text


def launched_browser() -> Iterator[object]:
    """Debian's Chromium under Playwright (skips when it is not installed)."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (make test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def log_in(browser, dashboard: Dashboard, user: str):
    """A browser context and page logged in through the login form."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(90_000)
    page.goto(dashboard.url + "/")
    assert "/login" in page.url
    page.fill("#username", user)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("#pages")
    return context, page
