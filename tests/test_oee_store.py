"""The OEE event store on SQLite and PostgreSQL: import validates first, re-import doubles
nothing, late events rewrite only the windows they touch, reads follow the user's scopes."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from sqlalchemy import func, select, text

from tests.conftest import run_cli
from workbench.core.access import BOOTSTRAP, Principal, Role
from workbench.oee.contract.readers import read_data
from workbench.oee.contract.writers import write_folder
from workbench.oee.examples import PlantSpec, demo_plant
from workbench.oee.kpis import compute_kpis
from workbench.oee.model.timeline import ELEMENT_COLUMNS
from workbench.oee.store.models import OeeCount, OeeKpi, OeeLineKpi, OeeStateEvent
from workbench.oee.store.persist import import_data
from workbench.oee.store.queries import stored_elements, stored_kpis
from workbench.store.db import open_store

SPEC = PlantSpec(lines_per_site=2, machines_per_line=2, days=4, patterns=("3x8", "2x8"))


@pytest.fixture
def store(store_url):
    s = open_store(store_url)
    yield s
    s.dispose()


@pytest.fixture(scope="module")
def plant():
    return demo_plant(SPEC, seed=7)


def _import(store, folder, name="plant", actor=BOOTSTRAP):
    data = read_data(folder)
    with store.session() as session:
        return import_data(session, actor, data, name, str(folder))


def _kpi_table(store) -> pd.DataFrame:
    with store.session() as session:
        rows = session.execute(select(OeeKpi)).scalars().all()
        return pd.DataFrame([{c.name: getattr(r, c.name) for c in OeeKpi.__table__.columns}
                             for r in rows]).sort_values(["window_kind", "machine_id",
                                                          "window_start"], ignore_index=True)


def _assert_line_sums_follow_machine_rows(store) -> None:
    """The stored line-window sums equal the machine rows summed now (none missing, none
    stale), for both window kinds."""
    keys = ["window_kind", "line_id", "window_start"]
    machines = _kpi_table(store).groupby(keys)[list(ELEMENT_COLUMNS)].sum().sort_index()
    with store.session() as session:
        rows = session.execute(select(OeeLineKpi)).scalars().all()
        lines = pd.DataFrame([{c.name: getattr(r, c.name) for c in
                               OeeLineKpi.__table__.columns} for r in rows])
    lines = lines.set_index(keys)[list(ELEMENT_COLUMNS)].sort_index()
    assert not lines.index.duplicated().any()
    assert list(lines.index) == list(machines.index)
    assert lines.to_numpy() == pytest.approx(machines.to_numpy(), abs=1e-6)


def _count(store, model) -> int:
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_import_stores_kpis_equal_to_the_file_computation(store, plant, tmp_path):
    folder = write_folder(plant, tmp_path / "plant", parquet=True)
    outcome = _import(store, folder)
    assert outcome["events_added"] == len(plant["state_events"])
    data = read_data(folder)
    for window in ("shift", "day"):
        expected = compute_kpis(data, ["machine_id"], window)["rows"]
        with store.session() as session:
            got = stored_kpis(session, BOOTSTRAP, "plant", ["machine_id"], window)["rows"]
        assert len(got) == len(expected)
        for a, b in zip(got, expected, strict=True):
            assert a["window_start"] == b["window_start"]
            assert a["oee"] == pytest.approx(b["oee"], abs=1e-9)
            assert a["losses_min"] == pytest.approx(b["losses_min"], abs=1e-9)


def test_reimport_doubles_nothing_and_leaves_kpis_alone(store, plant, tmp_path):
    folder = write_folder(plant, tmp_path / "plant")
    _import(store, folder)
    before = (_count(store, OeeStateEvent), _count(store, OeeCount), _kpi_table(store))
    again = _import(store, folder)
    assert (again["events_added"], again["counts_added"], again["kpi_rows_written"]) == (0, 0, 0)
    after = (_count(store, OeeStateEvent), _count(store, OeeCount), _kpi_table(store))
    assert before[:2] == after[:2]
    pd.testing.assert_frame_equal(before[2], after[2])


def test_late_events_rewrite_only_the_windows_they_touch(store, plant, tmp_path):
    machine = plant["machines"]["machine_id"].iloc[0]
    cut = plant["calendar"]["start"].max() - pd.Timedelta(hours=20)
    late_ev = (plant["state_events"]["machine_id"] == machine) & \
        (plant["state_events"]["start"] >= cut)
    late_ct = (plant["counts"]["machine_id"] == machine) & (plant["counts"]["end"] > cut)
    first = {**plant, "state_events": plant["state_events"][~late_ev],
             "counts": plant["counts"][~late_ct]}
    late = {**plant, "state_events": plant["state_events"][late_ev],
            "counts": plant["counts"][late_ct]}
    _import(store, write_folder(first, tmp_path / "first"))
    _assert_line_sums_follow_machine_rows(store)
    before = _kpi_table(store)
    outcome = _import(store, write_folder(late, tmp_path / "late"))
    after = _kpi_table(store)
    _assert_line_sums_follow_machine_rows(store)
    assert outcome["events_added"] == int(late_ev.sum())

    key = ["window_kind", "machine_id", "window_start"]
    merged = before.merge(after, on=key, how="outer", suffixes=("_b", "_a"), indicator=True)
    changed = merged[(merged["_merge"] != "both") | (merged["id_b"] != merged["id_a"])]
    # every rewritten row is the late machine's, in a window that overlaps the late rows
    assert set(changed["machine_id"]) == {machine}
    assert (changed["window_end_a"].dt.tz_localize(None) if changed["window_end_a"].dt.tz
            is not None else changed["window_end_a"]).min() > \
        cut.tz_convert("UTC").tz_localize(None)
    assert (changed["import_id_a"] == outcome["import_id"]).all()
    untouched = merged[(merged["_merge"] == "both") & (merged["id_b"] == merged["id_a"])]
    assert len(untouched) > 3 * len(changed)
    for col in ("computed_at", "import_id", *ELEMENT_COLUMNS):
        assert (untouched[f"{col}_b"] == untouched[f"{col}_a"]).all(), col

    # and the result is what one import of everything gives
    whole = open_store(f"sqlite:///{tmp_path / 'whole.db'}")
    _import(whole, write_folder(plant, tmp_path / "whole"))
    reference = _kpi_table(whole)
    whole.dispose()
    assert len(reference) == len(after)
    for col in ELEMENT_COLUMNS:
        assert after[col].to_numpy() == pytest.approx(reference[col].to_numpy(), abs=1e-6), col


def test_conflicting_events_store_nothing(store, plant, tmp_path):
    _import(store, write_folder(plant, tmp_path / "plant"))
    changed = {**plant, "state_events": plant["state_events"].copy()}
    changed["state_events"].loc[changed["state_events"].index[5], "state"] = "breakdown"
    before = _kpi_table(store)
    with pytest.raises(ValueError, match=r"row 7, column state: machine .* is stored as"):
        _import(store, write_folder(changed, tmp_path / "changed"))
    pd.testing.assert_frame_equal(before, _kpi_table(store))


def test_scoped_users_see_only_their_lines(store, plant, tmp_path):
    _import(store, write_folder(plant, tmp_path / "plant"))
    line = plant["machines"]["line_id"].iloc[0]
    manager = Principal("ann", Role.MANAGER, frozenset({f"line:{line}"}))
    site_viewer = Principal("bo", Role.VIEWER, frozenset({"site:S1"}))
    with store.session() as session:
        mine = stored_elements(session, manager, "plant", "day")
        every = stored_elements(session, site_viewer, "plant", "day")
        lines = stored_kpis(session, manager, "plant", ["line_id"], "day")["rows"]
    assert set(mine["line_id"]) == {line}
    assert set(every["line_id"]) == set(plant["machines"]["line_id"])
    assert {r["line_id"] for r in lines} == {line}


def test_postgres_events_are_partitioned_by_month(store, plant, tmp_path):
    if store.dialect != "postgresql":
        pytest.skip("partitions are a PostgreSQL feature; SQLite keeps one table")
    _import(store, write_folder(plant, tmp_path / "plant", parquet=True))
    with store.engine.connect() as conn:
        kind = conn.execute(text("SELECT relkind FROM pg_class WHERE relname = "
                                 "'oee_state_events'")).scalar()
        parts = conn.execute(text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'oee_state_events'"
        )).scalars().all()
        total = conn.execute(text("SELECT count(*) FROM oee_state_events")).scalar()
    assert kind == "p"
    assert parts == ["oee_state_events_2024_03"]
    assert total == len(plant["state_events"])


def test_cli_import_and_stored_kpis(store_url, plant, tmp_path):
    folder = write_folder(plant, tmp_path / "plant")
    first = run_cli("--db", store_url, "oee", "import", str(folder), "--dataset", "p", "--json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["events_added"] == len(plant["state_events"])
    again = json.loads(run_cli("--db", store_url, "oee", "import", str(folder), "--dataset",
                               "p", "--json").stdout)
    assert again["events_added"] == 0
    read = run_cli("--db", store_url, "oee", "stored-kpis", "--dataset", "p", "--by", "line",
                   "--window", "shift", "--json")
    assert read.returncode == 0, read.stderr
    assert {r["line_id"] for r in json.loads(read.stdout)["rows"]} == \
        set(plant["machines"]["line_id"])
    bad = folder / "state_events.csv"
    bad.write_text(bad.read_text().replace("running", "sprinting", 1))
    refused = run_cli("--db", store_url, "oee", "import", str(folder), "--dataset", "p2")
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "nothing was stored" in refused.stderr
    missing = run_cli("--db", store_url, "oee", "stored-kpis", "--dataset", "nope", "--by",
                      "line")
    assert missing.returncode == 1 and "Traceback" not in missing.stderr


def test_upgrading_a_store_fills_the_line_sums_from_its_machine_rows(store, plant, tmp_path):
    from alembic import command

    from workbench.store.db import alembic_config, upgrade

    _import(store, write_folder(plant, tmp_path / "plant"))
    config = alembic_config(store.engine)
    with store.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "oee_0002")
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM oee_kpis")).scalar() > 0
    upgrade(store.engine)
    _assert_line_sums_follow_machine_rows(store)


def test_stored_oee_is_the_oee_of_the_stored_sums(store, plant, tmp_path):
    from workbench.oee.kpis import Convention, with_kpis
    from workbench.oee.store.queries import stored_oee, stored_sums

    _import(store, write_folder(plant, tmp_path / "plant"))
    supervisor = Principal("sup", Role.MANAGER,
                           frozenset({f"line:{plant['machines']['line_id'].iloc[0]}"}))
    for actor in (BOOTSTRAP, supervisor):
        for by, window in ((["line_id"], "day"), (["site_id"], "shift"), (["machine_id"], "day")):
            with store.session() as session:
                got = stored_oee(session, actor, "plant", by, window)
                want = with_kpis(stored_sums(session, actor, "plant", by, window),
                                 Convention.iso)
            assert len(got) == len(want) > 0
            assert list(got[by[0]]) == list(want[by[0]])
            assert got["oee"].to_numpy() == pytest.approx(want["oee"].to_numpy(), nan_ok=True)
    with store.session() as session:
        seen = stored_oee(session, supervisor, "plant", ["line_id"], "day")
    assert set(seen["line_id"]) == {plant["machines"]["line_id"].iloc[0]}


def test_machine_and_line_rows_carry_exactly_the_models_elements():
    from workbench.oee.model.timeline import ELEMENT_COLUMNS
    from workbench.oee.store.models import OeeKpi, OeeLineKpi

    for table in (OeeKpi.__table__, OeeLineKpi.__table__):
        floats = {c.name for c in table.columns if c.name.endswith(("_min", "_qty"))
                  or c.name in ("pq", "gq", "rq", "sq")}
        assert floats == set(ELEMENT_COLUMNS), table.name
        assert not any(table.c[name].nullable for name in ELEMENT_COLUMNS)
