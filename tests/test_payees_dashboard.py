"""The *Payee review* dashboard page on a real `workbench dashboard` over the demo store: no
code, no traceback; the queue follows the user's entities; forged widget values show nothing
and are audited; a correction made on the page is stored and audited (over HTTP, through the
page's functions, and in Debian's Chromium)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from tests.dashboard_server import (
    Dashboard,
    log_in,
    rendered_without_leaks,
    start_dashboard,
)
from tests.test_dashboard import SHOTS
from workbench.core.access import Principal, Role
from workbench.payees.demo_job import ANALYST, ENTITY
from workbench.payees.labelled import LabelledDataMissing, find_data_dir
from workbench.store.db import open_store
from workbench.store.models import AuditEntry

TITLE = "Payee review"


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory, demo_store: str
              ) -> Iterator[Dashboard]:
    try:
        find_data_dir()
    except LabelledDataMissing as exc:  # the demo then records no payee run
        pytest.skip(str(exc))
    yield from start_dashboard(tmp_path_factory.mktemp("payees-dashboard"), demo_store)


def _audit(url: str, action: str) -> list[AuditEntry]:
    sql = open_store(url, migrate=False)
    try:
        with sql.session() as session:
            found = list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))
            session.expunge_all()
            return found
    finally:
        sql.dispose()


def test_the_page_is_listed_and_shows_no_code_and_no_traceback(dashboard):
    for user in (ANALYST, "planner"):
        assert TITLE in rendered_without_leaks(dashboard, user, "payees.ipynb")


def test_the_queue_follows_the_users_entities_and_forged_values_show_nothing(dashboard):
    from workbench.dashboards.page import PageSession, open_page
    from workbench.payees import dashboard as payees

    planner = open_page("planner", TITLE, dashboard.store_url)
    analyst = open_page(ANALYST, TITLE, dashboard.store_url)
    stranger = PageSession(analyst.store, Principal("sam", Role.MANAGER,
                                                    frozenset({"entity:US02"})), TITLE)
    try:
        [(caption, run_id)] = payees.run_choices(analyst)
        assert payees.run_choices(planner) == [(caption, run_id)]
        assert payees.run_choices(stranger) == []
        found = payees.queue(analyst, run_id)
        assert found.editable and found.rows
        assert found.tiles[0][0] == "Names" and found.tiles[1][0] == "To review"
        confidences = [float(row["confidence"]) for row in found.rows]
        assert all(c < 0.8 for c in confidences) and confidences == sorted(confidences)
        assert payees.queue(planner, run_id).rows == found.rows  # one run, read alike
        first = found.rows[0]
        assert payees.current_label(analyst, run_id, first["name"]) == first["label"]
        # forged values: another entity's user, unknown or malformed run ids, a name not in
        # the run, a label that is not one of ours
        assert payees.queue(stranger, run_id) is None
        assert payees.queue(analyst, 99_999) is None
        assert payees.queue(analyst, str(run_id)) is None
        assert payees.queue(analyst, [run_id]) is None
        assert payees.current_label(analyst, run_id, "Nobody We Paid") is None
        assert payees.correct(analyst, run_id, "Nobody We Paid", "business") is None
        assert payees.correct(analyst, run_id, first["name"], "vendor") is None
        assert payees.correct(stranger, run_id, first["name"], "business") is None
    finally:
        planner.close()
        analyst.close()
    denied = {(e.username, e.object_type, e.object_id)
              for e in _audit(dashboard.store_url, "dashboard.denied")}
    assert ("sam", "payee_run", str(run_id)) in denied
    assert (ANALYST, "payee_run", "99999") in denied
    assert (ANALYST, "payee_run", str(run_id)) in denied  # the id sent as text
    assert (ANALYST, "payee_name", "Nobody We Paid") in denied
    assert (ANALYST, "payee_label", "vendor") in denied


def test_a_correction_made_on_the_page_is_stored_audited_and_trains_the_next_run(dashboard):
    from workbench.dashboards.page import PageSession, open_page
    from workbench.payees import dashboard as payees
    from workbench.payees.store import records

    analyst = open_page(ANALYST, TITLE, dashboard.store_url)
    viewer = PageSession(analyst.store, Principal("vic", Role.VIEWER,
                                                  frozenset({f"entity:{ENTITY}"})), TITLE)
    try:
        [(_, run_id)] = payees.run_choices(analyst)
        before = payees.queue(analyst, run_id)
        target = before.rows[-1]
        other = next(label for label in payees.LABELS if label != target["label"])
        # a viewer reads the same queue but may not change it
        seen = payees.queue(viewer, run_id)
        assert not seen.editable and seen.rows == before.rows
        assert payees.correct(viewer, run_id, target["name"], other) is None
        said = payees.correct(analyst, run_id, target["name"], other)
        assert said.startswith("Corrected:") and target["name"] in said
        after = payees.queue(analyst, run_id)
        assert target["name"] not in {row["name"] for row in after.rows}
        assert int(after.tiles[2][1]) == int(before.tiles[2][1]) + 1
        with analyst.store.session() as session:
            kept = records.corrections(session, analyst.user)
            training = records.training_corrections(session)
    finally:
        analyst.close()
    mine = kept[(kept["name"] == target["name"]) & (kept["created_by"] == ANALYST)]
    assert len(mine) == 1
    fix = mine.iloc[0]
    assert (fix["label"], fix["previous_label"], fix["run_id"]) == (
        other, target["label"], run_id)
    assert not fix["confirmed"] and fix["note"] == payees.NOTE
    assert "vic" not in set(kept["created_by"])
    assert training.set_index("name").loc[target["name"], "label"] == other
    corrected = [e for e in _audit(dashboard.store_url, "payees correct")
                 if e.username == ANALYST and e.object_type == "payee_correction"]
    assert any(target["name"] in e.detail and e.scopes == [f"entity:{ENTITY}"]
               for e in corrected)
    denied = {(e.username, e.object_type, e.object_id)
              for e in _audit(dashboard.store_url, "dashboard.denied")}
    assert ("vic", "payee_correction", target["name"]) in denied


def test_in_a_browser_the_analyst_corrects_a_label(browser, dashboard):
    from workbench.payees.store import records

    context, page = log_in(browser, dashboard, ANALYST)
    try:
        page.goto(f"{dashboard.url}/voila/render/payees.ipynb")
        page.wait_for_selector(".wb-tile")
        page.wait_for_selector("text=lowest confidence first")
        # the name picker (the second select) starts on the lowest-confidence name
        chosen = page.eval_on_selector("select >> nth=1",
                                       "s => s.options[s.selectedIndex].text")
        chosen = chosen.replace("\xa0", " ")  # the widget writes its spaces non-breaking
        name, _, rest = chosen.rpartition(" (")
        given = rest.split(",")[0]
        other = "government" if given != "government" else "business"
        page.select_option("select >> nth=2", other)
        page.click("button:has-text('Save label')")
        page.wait_for_selector("text=Corrected:")
        assert f"'{name}' is {other}, not {given}" in page.inner_text("body")
        page.wait_for_timeout(500)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"payees-{ANALYST}.png"), full_page=True)
    finally:
        context.close()
    sql = open_store(dashboard.store_url, migrate=False)
    try:
        with sql.session() as session:
            kept = records.corrections(session, Principal("admin", Role.ADMIN))
    finally:
        sql.dispose()
    fix = kept[(kept["name"] == name) & (kept["created_by"] == ANALYST)]
    assert fix[["label", "previous_label"]].values.tolist() == [[other, given]]
