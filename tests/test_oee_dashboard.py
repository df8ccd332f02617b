"""The OEE dashboard page on a real `workbench dashboard` over the demo store: no code, no
traceback, and a line supervisor sees their line only (over HTTP, in Debian's Chromium, and
when widget values are forged)."""

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
from workbench.oee.demo_job import DATASET, SUPERVISOR, SUPERVISOR_LINE
from workbench.store.db import open_store
from workbench.store.models import AuditEntry

LINE_ID = re.compile(r"\bS1-L\d\b")


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory, demo_store: str
              ) -> Iterator[Dashboard]:
    yield from start_dashboard(tmp_path_factory.mktemp("oee-dashboard"), demo_store)


def test_the_page_is_listed_and_shows_no_code_and_no_traceback(dashboard):
    for user in (SUPERVISOR, "planner"):
        text = rendered_without_leaks(dashboard, user, "oee.ipynb")
        if user == SUPERVISOR:
            assert set(LINE_ID.findall(text)) <= {SUPERVISOR_LINE}


def test_the_view_follows_the_users_lines_and_forged_values_show_nothing(dashboard):
    from workbench.dashboards.page import open_page
    from workbench.oee import dashboard as oee
    from workbench.oee.store import queries

    planner = open_page("planner", "OEE", dashboard.store_url)
    supervisor = open_page(SUPERVISOR, "OEE", dashboard.store_url)
    try:
        everything = oee.view(planner, DATASET, "last 28 days")
        theirs = oee.view(supervisor, DATASET, "last 28 days")
        assert set(everything.line_day["line_id"]) == {"S1-L1", "S1-L2", "S1-L3"}
        assert set(theirs.line_day["line_id"]) == {SUPERVISOR_LINE}
        assert {r["line"] for r in theirs.worst} == {SUPERVISOR_LINE}
        assert set(theirs.losses["line_id"]) == {SUPERVISOR_LINE}
        # the supervisor's OEE tile is their line's OEE as the planner reads it: Σ fully
        # productive time / Σ PBT over the line's machine-days
        with planner.store.session() as session:
            last = queries.latest_day(session, supervisor.user, DATASET)
            by_line = queries.stored_totals(session, planner.user, DATASET, ["line_id"],
                                            last - pd.Timedelta(days=27))
        line = by_line.set_index("line_id").loc[SUPERVISOR_LINE]
        oee_line = line["fully_productive_min"] / line["pbt_min"]
        assert theirs.tiles[0][:2] == ("OEE", f"{oee_line * 100:.1f} %")
        assert oee.view(supervisor, "no-such-dataset") is None
        assert oee.view(supervisor, ["oee-demo"]) is None
        assert oee.view(supervisor, DATASET, "since the dawn of time") is None
    finally:
        planner.close()
        supervisor.close()
    store = open_store(dashboard.store_url, migrate=False)
    try:
        with store.session() as session:
            denied = list(session.scalars(select(AuditEntry).where(
                AuditEntry.action == "dashboard.denied")))
            assert (SUPERVISOR, "no-such-dataset") in {(e.username, e.object_id)
                                                       for e in denied}
    finally:
        store.dispose()


@pytest.mark.parametrize("user", [SUPERVISOR, "planner"])
def test_in_a_browser_each_user_sees_their_lines(browser, dashboard, user):
    context, page = log_in(browser, dashboard, user)
    try:
        page.goto(f"{dashboard.url}/voila/render/oee.ipynb")
        page.wait_for_selector(".wb-tile")
        page.wait_for_selector(".wb-chart")
        page.wait_for_timeout(500)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"oee-{user}.png"), full_page=True)
        text = page.inner_text("body")
        assert "OEE" in text and "Worst machines" in text
        lines = set(LINE_ID.findall(text))
        if user == SUPERVISOR:
            assert lines == {SUPERVISOR_LINE}
        else:
            assert lines == {"S1-L1", "S1-L2", "S1-L3"}
    finally:
        context.close()
