"""`workbench dashboard`: a real Voila server on loopback over the demo store, driven over HTTP,
a raw kernel websocket, and Debian's headless Chromium (Playwright)."""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
import websocket
from sqlalchemy import select

from tests.conftest import ROOT
from tests.dashboard_server import (
    LEAKS,
    PASSWORD,
    Dashboard,
    log_in,
    start_dashboard,
)
from workbench.dashboards.identity import LoginThrottle
from workbench.store.db import open_store
from workbench.store.models import AuditEntry

PAGES = ("overview.ipynb", "scenarios.ipynb", "plant.ipynb")
MANAGER_PLANTS = {"GU_001", "GU_002"}
PLANT_ID = re.compile(r"\b(?:IU|GU)_\d{3}\b")
SHOTS = ROOT / "build" / "dashboard-screenshots"


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory, demo_store: str
              ) -> Iterator[Dashboard]:
    yield from start_dashboard(tmp_path_factory.mktemp("dashboard"), demo_store)


def _audit(store_url: str, action: str) -> list[AuditEntry]:
    store = open_store(store_url, migrate=False)
    try:
        with store.session() as session:
            rows = list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))
            session.expunge_all()
            return rows
    finally:
        store.dispose()


def _kernel_id(page_html: str) -> str:
    found = re.search(r'kernelId"\s*:\s*"([0-9a-f-]{36})"', page_html)
    assert found, "no kernel id in the page"
    return found.group(1)


# --- no login, no dashboard --------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/", "/voila/render/overview.ipynb",
                                  "/voila/render/plant.ipynb", "/logout"])
def test_without_a_login_every_page_redirects_to_the_login_form(dashboard, path):
    got = requests.get(dashboard.url + path, allow_redirects=False, timeout=30)
    assert got.status_code == 302
    assert got.headers["Location"].startswith("/login")


def test_without_a_login_no_kernel_api_answers(dashboard):
    fake = str(uuid.uuid4())
    for path in (f"/api/kernels/{fake}", f"/api/kernels/{fake}/channels"):
        got = requests.get(dashboard.url + path, allow_redirects=False, timeout=30)
        assert got.status_code in (302, 403), (path, got.status_code)


@pytest.mark.parametrize("path", [
    "overview.ipynb", "plant.ipynb", "../../workbench/__init__.py", "../../pyproject.toml",
    "../../build/demo.db", "../build/demo.db", ".workbench/cookie_secret",
    "../secret/cookie_secret", "%2e%2e/%2e%2e/workbench/__init__.py"])
def test_files_endpoint_refuses_notebooks_code_data_and_keys(dashboard, path):
    for http in (requests.Session(), dashboard.session("planner")):
        got = http.get(f"{dashboard.url}/voila/files/{path}", allow_redirects=False, timeout=30)
        assert got.status_code in (403, 404), (path, got.status_code)


def test_files_planted_beside_the_pages_are_refused_and_only_images_served(
        tmp_path_factory, demo_store):
    import shutil

    pages = tmp_path_factory.mktemp("pages")
    for notebook in (ROOT / "notebooks" / "dashboards").glob("*.ipynb"):
        shutil.copy(notebook, pages)
    planted = {"plants.csv": "plant_id,capacity_t\nGU_001,100\n",
               ".env": "WORKBENCH_PASSWORD=hunter22\n", "server.pem": "-----BEGIN KEY-----\n",
               "signing.key": "secret\n", "settings.toml": "[db]\n", "page.py": "x = 1\n",
               "data.json": "{}\n", "private/.env": "A=1\n"}
    for name, text in planted.items():
        (pages / name).parent.mkdir(exist_ok=True)
        (pages / name).write_text(text)
    (pages / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(16))
    serving = contextmanager(start_dashboard)
    with serving(tmp_path_factory.mktemp("planted"), demo_store, pages, worker=False) as server:
        for http in (requests.Session(), server.session("planner")):
            for name in planted:
                got = http.get(f"{server.url}/voila/files/{name}", timeout=30,
                               allow_redirects=False)
                assert got.status_code in (403, 404), (name, got.status_code)
                assert "hunter22" not in got.text and "BEGIN KEY" not in got.text
            logo = http.get(f"{server.url}/voila/files/logo.png", timeout=30)
            assert logo.status_code == 200 and logo.content.startswith(b"\x89PNG")


def test_a_wrong_password_is_refused_audited_and_slowed_down(dashboard):
    http = requests.Session()
    form = http.get(f"{dashboard.url}/login", timeout=30).text
    xsrf = re.search(r'name="_xsrf" value="([^"]+)"', form).group(1)
    got = http.post(f"{dashboard.url}/login", timeout=30, allow_redirects=False,
                    data={"_xsrf": xsrf, "username": "manager", "password": "wrong-one"})
    assert got.status_code == 401 and "Login refused" in got.text
    refused = [e for e in _audit(dashboard.store_url, "login") if e.status == "refused"]
    assert any(e.username == "manager" for e in refused)
    # the form posts jupyter_server's XSRF token; a post without it is rejected outright
    bare = requests.post(f"{dashboard.url}/login", timeout=30, allow_redirects=False,
                         data={"username": "manager", "password": PASSWORD})
    assert bare.status_code == 403


def test_the_login_throttle_doubles_the_wait_after_three_failures():
    throttle = LoginThrottle(window_s=900, free=3, max_delay_s=30)
    assert throttle.delay_s("10.0.0.1", now=0) == 0
    for i in range(3):
        throttle.failed("10.0.0.1", now=i)
    assert throttle.delay_s("10.0.0.1", now=5) == 0.5
    throttle.failed("10.0.0.1", now=6)
    assert throttle.delay_s("10.0.0.1", now=7) == 1.0
    assert throttle.delay_s("10.0.0.2", now=7) == 0  # other addresses are not slowed
    for i in range(20):
        throttle.failed("10.0.0.1", now=10 + i)
    assert throttle.delay_s("10.0.0.1", now=31) == 30  # capped
    assert throttle.delay_s("10.0.0.1", now=2000) == 0  # the window has passed
    throttle.failed("10.0.0.3", now=0)
    throttle.succeeded("10.0.0.3")
    assert throttle.delay_s("10.0.0.3", now=1) == 0


# --- pages: no code, no traceback, own plants only --------------------------------------------
@pytest.mark.parametrize("user", ["manager", "planner"])
def test_pages_show_no_code_and_no_traceback(dashboard, user):
    http = dashboard.session(user)
    for page in PAGES:
        got = http.get(f"{dashboard.url}/voila/render/{page}", timeout=120)
        assert got.status_code == 200, (page, got.status_code)
        for leak in LEAKS:
            assert leak not in got.text, (user, page, leak)


def test_a_gu_managers_pages_never_name_another_plant(dashboard):
    http = dashboard.session("manager")
    for page in PAGES:
        named = set(PLANT_ID.findall(http.get(f"{dashboard.url}/voila/render/{page}",
                                              timeout=120).text))
        # (widget values reach the browser over the kernel's websocket; the browser tests
        # check what is on screen)
        assert named <= MANAGER_PLANTS, (page, named - MANAGER_PLANTS)


# --- kernels: nothing executes, and only the owner connects -----------------------------------
def _channels(dashboard: Dashboard, http: requests.Session, kernel: str) -> websocket.WebSocket:
    cookies = "; ".join(f"{c.name}={c.value}" for c in http.cookies)
    url = dashboard.url.replace("http", "ws") + \
        f"/api/kernels/{kernel}/channels?session_id={uuid.uuid4()}"
    return websocket.create_connection(url, header=[f"Cookie: {cookies}"], timeout=10)


def test_a_raw_execute_request_to_a_dashboard_kernel_runs_nothing(dashboard, tmp_path):
    http = dashboard.session("manager")
    kernel = _kernel_id(http.get(f"{dashboard.url}/voila/render/overview.ipynb",
                                 timeout=120).text)
    marker = tmp_path / "executed"
    ws = _channels(dashboard, http, kernel)
    msg_id = uuid.uuid4().hex
    ws.send(json.dumps({
        "channel": "shell", "buffers": [], "metadata": {}, "parent_header": {},
        "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": "manager",
                   "session": uuid.uuid4().hex, "version": "5.3", "date": ""},
        "content": {"code": f"open({str(marker)!r}, 'w').write('x')", "silent": False,
                    "store_history": False, "user_expressions": {}, "allow_stdin": False}}))
    replies = []
    deadline = time.monotonic() + 5
    ws.settimeout(1)
    while time.monotonic() < deadline:
        try:
            replies.append(json.loads(ws.recv()))
        except websocket.WebSocketTimeoutException:
            continue
    ws.close()
    assert not marker.exists()
    answered = [m for m in replies if m.get("parent_header", {}).get("msg_id") == msg_id]
    assert answered == []


def test_a_user_cannot_attach_to_another_users_kernel(dashboard):
    owner = dashboard.session("manager")
    kernel = _kernel_id(owner.get(f"{dashboard.url}/voila/render/plant.ipynb",
                                  timeout=120).text)
    intruder = dashboard.session("planner")
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        _channels(dashboard, intruder, kernel)
    assert refused.value.status_code == 403
    got = intruder.get(f"{dashboard.url}/api/kernels/{kernel}", timeout=30)
    assert got.status_code == 403
    assert any(e.username == "planner" and e.status == "refused"
               for e in _audit(dashboard.store_url, "dashboard.kernel"))
    _channels(dashboard, owner, kernel).close()  # the owner still can


# --- in a real browser --------------------------------------------------------------------------
def _open(page, dashboard: Dashboard, name: str, ready: str) -> str:
    page.goto(f"{dashboard.url}/voila/render/{name}")
    page.wait_for_selector(ready)
    return page.inner_text("body")


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_a_gu_manager_sees_their_plants_and_no_approve_button(browser, dashboard):
    context, page = log_in(browser, dashboard, "manager")
    fetched: list[str] = []
    context.on("request", lambda request: fetched.append(request.url))
    try:
        assert "manager (plant manager)" in page.inner_text("#who")
        assert page.locator("#pages a").count() >= 3
        text = _open(page, dashboard, "overview.ipynb", ".wb-tile")
        assert "Service level" in text and "your plants" in text
        assert "Total cost" not in text  # network money is for central planners
        _shot(page, "manager-overview")
        text = _open(page, dashboard, "plant.ipynb", ".wb-chart")
        page.wait_for_timeout(500)
        _shot(page, "manager-plant")
        assert "GU_001" in text
        assert set(PLANT_ID.findall(page.inner_text("body"))) <= MANAGER_PLANTS
        text = _open(page, dashboard, "scenarios.ipynb", "text=Compare two scenarios")
        page.wait_for_selector("text=central planning team")
        text = page.inner_text("body")
        assert "Approve plan" not in text and "Run what-if" not in text
        _shot(page, "manager-scenarios")
        assert set(PLANT_ID.findall(page.inner_text("body"))) <= MANAGER_PLANTS
        page.click("text=Log out")
        page.wait_for_selector("#login-form")
    finally:
        context.close()
    # every script, style, font and widget module came from the dashboard server itself
    outside = [u for u in fetched if not u.startswith((dashboard.url, "data:", "blob:"))]
    assert fetched and outside == []
    logins = [e for e in _audit(dashboard.store_url, "dashboard.login") if e.username == "manager"]
    assert logins and "from 127.0.0.1" in (logins[-1].detail or "")
    assert any(e.username == "manager" for e in _audit(dashboard.store_url, "dashboard.logout"))


def test_a_planner_runs_a_what_if_and_watches_it_finish(browser, dashboard):
    context, page = log_in(browser, dashboard, "planner")
    try:
        text = _open(page, dashboard, "overview.ipynb", ".wb-tile")
        assert "Total cost" in text and "Cr" in text
        _shot(page, "planner-overview")
        _open(page, dashboard, "scenarios.ipynb", "text=Run what-if")
        assert page.locator("text=Approve plan").count() == 1
        page.click("text=Run what-if")
        page.wait_for_selector("text=/whatif-planner-.*: success/", timeout=180_000)
        # the what-if's comparison against its base appears under the progress bar
        page.wait_for_selector(".wb-outcome .wb-table")
        _shot(page, "planner-what-if-done")
        assert "Total cost" in page.inner_text(".wb-outcome")
    finally:
        context.close()
    jobs = _audit(dashboard.store_url, "scenario.create")
    assert any(e.username == "planner" and e.object_id.startswith("whatif-planner-")
               for e in jobs)


def test_a_planner_cancels_a_what_if_from_its_page(browser, dashboard):
    context, page = log_in(browser, dashboard, "planner")
    try:
        _open(page, dashboard, "scenarios.ipynb", "text=Run what-if")
        page.click("text=Run what-if")
        cancel = page.locator("button:has-text('Cancel')")
        cancel.wait_for()
        page.wait_for_function("b => !b.disabled", arg=cancel.element_handle())
        cancel.click()
        page.wait_for_selector("text=/whatif-planner-.*: (cancelled|success|failed)/",
                               timeout=120_000)
        state = page.inner_text("text=/whatif-planner-.*: /")
        assert ": cancelled" in state, state
        # the page is ready for another run, and nothing was compared for the stopped one
        page.wait_for_function("b => b.disabled", arg=cancel.element_handle())
        assert not page.locator("button:has-text('Run what-if')").is_disabled()
        _shot(page, "planner-what-if-cancelled")
    finally:
        context.close()
    cancels = _audit(dashboard.store_url, "job.cancel")
    assert any(e.username == "planner" for e in cancels)


def test_rendered_pages_link_nothing_outside_the_server(dashboard):
    from workbench.reports.render import external_references

    http = dashboard.session("planner")
    for page in PAGES:
        text = http.get(f"{dashboard.url}/voila/render/{page}", timeout=120).text
        # XML namespaces in inline SVG name a URI; a browser never fetches it
        found = [r for r in external_references(text) if r != "http://www.w3.org"]
        assert found == [], (page, found)


def test_kpi_tiles_are_page_html_written_before_voilas_scripts(dashboard):
    """The first KPI shows as soon as its cell has run: the tiles are HTML in the page
    stream, ahead of the scripts that draw widgets, not an output waiting for them."""
    text = dashboard.session("planner").get(f"{dashboard.url}/voila/render/overview.ipynb",
                                            timeout=120).text
    tile, scripts = text.find('<div class="wb-tile" data-kpi='), text.find("voila.js")
    assert 0 < tile < scripts, (tile, scripts)
    assert 'id="rendered_cells" style="display: none"' not in text


def test_screenshots_are_kept_under_build():
    shots = sorted(p.name for p in Path(SHOTS).glob("*.png"))
    if not shots:
        pytest.skip("the browser tests did not run")
    assert {"manager-overview.png", "manager-plant.png", "planner-overview.png"} <= set(shots)


# --- forged widget values: every callback re-checks what comes back from the browser --------
def test_forged_widget_values_show_nothing_and_are_audited(dashboard):
    from workbench.clinker import dashboard as clinker
    from workbench.core.access import AccessDenied
    from workbench.dashboards.page import open_page

    page = open_page("manager", "Plant", dashboard.store_url)
    try:
        assert clinker.plant_choices(page) == sorted(MANAGER_PLANTS)
        assert clinker.plant_view(page, "GU_001") is not None
        assert clinker.plant_view(page, "GU_003") is None  # another manager's plant
        assert clinker.plant_view(page, ["GU_001"]) is None  # not even a plant id
        assert clinker.checked_scenario(page, "no-such-scenario") is None
        with pytest.raises(AccessDenied):  # managers do not run plans; a forged click fails
            clinker.start_what_if(page, "base", 1.2, ["GU_001"])
        with pytest.raises(AccessDenied):
            clinker.approve(page, "base")  # the button is not shown; a forged click fails
    finally:
        page.close()
    denied = _audit(dashboard.store_url, "dashboard.denied")
    assert {("manager", "GU_003"), ("manager", "no-such-scenario")} <= {
        (e.username, e.object_id) for e in denied}


def test_a_page_without_a_server_named_user_opens_nothing(dashboard):
    from workbench.dashboards.page import PageError, open_page

    with pytest.raises(PageError):
        open_page("", "Overview", dashboard.store_url)
    with pytest.raises(PageError):
        open_page("nobody", "Overview", dashboard.store_url)
