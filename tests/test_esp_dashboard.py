"""The ESP dashboard page on a real `workbench dashboard` over the demo store: no code, no
traceback, and a production engineer sees the wells of their field only (over HTTP, in
Debian's Chromium, and when widget values are forged)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pandas as pd
import pytest
from sqlalchemy import select

from tests.dashboard_server import (
    Dashboard,
    log_in,
    rendered_without_leaks,
    start_dashboard,
)
from tests.test_dashboard import SHOTS
from workbench.esp.demo_job import ENGINEER, ENGINEER_FIELD
from workbench.store.db import open_store
from workbench.store.models import AuditEntry

WELL_ID = re.compile(r"\bW\d{3}\b")
FIELD_WELLS = {f"W{i:03d}" for i in range(11, 21)}  # F2: the demo's second ten wells


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory, demo_store: str
              ) -> Iterator[Dashboard]:
    yield from start_dashboard(tmp_path_factory.mktemp("esp-dashboard"), demo_store)


def test_the_page_is_listed_and_shows_no_code_and_no_traceback(dashboard):
    for user in (ENGINEER, "planner"):
        text = rendered_without_leaks(dashboard, user, "esp.ipynb")
        if user == ENGINEER:
            assert set(WELL_ID.findall(text)) <= FIELD_WELLS


def test_the_view_follows_the_users_wells_and_forged_values_show_nothing(dashboard):
    from workbench.dashboards.page import open_page
    from workbench.esp import dashboard as esp

    planner = open_page("planner", "ESP wells", dashboard.store_url)
    engineer = open_page(ENGINEER, "ESP wells", dashboard.store_url)
    try:
        [store] = esp.store_choices(engineer)
        assert esp.store_choices(planner) == [store]
        assert set(esp.well_choices(engineer, store)) == FIELD_WELLS
        assert len(esp.well_choices(planner, store)) == 20
        theirs = esp.view(engineer, store, "W012")
        assert {row["well"] for row in theirs.field} == FIELD_WELLS
        assert theirs.tiles[0][:2] == ("Wells", "10")
        assert set(theirs.amp_rows["well_id"]) == {"W012"}
        assert len(theirs.amp_rows) > 1000  # a day at 1 min, less the rejected rows
        # the last 7 days at 1 h (an hour whose every row was rejected has no bucket)
        hourly = theirs.hourly
        assert hourly["well_id"].eq("W012").all() and 7 * 24 - 12 <= len(hourly) <= 7 * 24
        last = pd.Timestamp(theirs.day, tz="UTC")
        assert hourly["bucket"].min() >= last - pd.Timedelta(days=6)
        assert hourly["bucket"].max() == last + pd.Timedelta(hours=23)
        everyone = esp.view(planner, store, "W012")
        assert len(everyone.field) == 20
        # the same well reads the same for both users
        assert everyone.tiles[3] == theirs.tiles[3]
        assert everyone.episodes == theirs.episodes
        # forged values: another field's well, an unknown store, a list
        assert esp.view(engineer, store, "W001") is None
        assert esp.view(engineer, "/etc", "W012") is None
        assert esp.view(engineer, [store], "W012") is None
        assert esp.well_choices(engineer, "/etc") == []
    finally:
        planner.close()
        engineer.close()
    sql = open_store(dashboard.store_url, migrate=False)
    try:
        with sql.session() as session:
            denied = {(e.username, e.object_type, e.object_id) for e in session.scalars(
                select(AuditEntry).where(AuditEntry.action == "dashboard.denied"))}
        assert (ENGINEER, "well", "W001") in denied
        assert (ENGINEER, "telemetry_store", "/etc") in denied
    finally:
        sql.dispose()


def test_in_a_browser_the_engineer_sees_their_field_and_picks_a_well(browser, dashboard):
    context, page = log_in(browser, dashboard, ENGINEER)
    try:
        page.goto(f"{dashboard.url}/voila/render/esp.ipynb")
        page.wait_for_selector(".wb-tile")
        page.wait_for_selector(".wb-chart")
        text = page.inner_text("body")
        assert "Your wells on their last day" in text and "W011: diagnoses" in text
        assert set(WELL_ID.findall(text)) <= FIELD_WELLS
        # choosing another well redraws the page for it
        page.select_option("select >> nth=1", "W015")
        page.wait_for_selector("text=W015: diagnoses")
        page.wait_for_timeout(500)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"esp-{ENGINEER}.png"), full_page=True)
        assert set(WELL_ID.findall(page.inner_text("body"))) <= FIELD_WELLS
        assert ENGINEER_FIELD == "F2"
    finally:
        context.close()
