"""Shared fixtures: a tiny hand-made network as editable records, and the public data paths."""

from __future__ import annotations

import copy
import csv
import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _shared() -> Path:
    """``WORKBENCH_SHARED``, else ``../shared`` beside the checkout, else the workplace's
    ``/work/shared`` (a clean clone made elsewhere still finds the public data)."""
    given = os.environ.get("WORKBENCH_SHARED")
    for candidate in ([Path(given)] if given else []) + [ROOT.parent / "shared",
                                                         Path("/work/shared")]:
        if candidate.is_dir():
            return candidate
    return ROOT.parent / "shared"


SHARED = _shared()
if (SHARED / "data" / "names-labeled").is_dir():  # the payees tests find it wherever we run
    os.environ.setdefault("WORKBENCH_PAYEES_DATA", str(SHARED / "data" / "names-labeled"))
PUBLIC = SHARED / "data" / "clinker-public"
PUBLIC_XLSX = PUBLIC / "Dataset_Dummy_Clinker_3MPlan.xlsx"

Records = dict[str, list[dict[str, object]]]

TINY: Records = {
    "plant_master": [
        {"node_id": "IU_A", "node_type": "IU", "region": "North", "opening_stock_t": 100},
        {"node_id": "IU_B", "node_type": "IU", "region": "South", "opening_stock_t": 500},
        {"node_id": "GU_X", "node_type": "GU", "region": "North", "opening_stock_t": 50},
        {"node_id": "GU_Y", "node_type": "GU", "region": "South", "opening_stock_t": 0},
    ],
    "production_capacity_cost": [
        {"node_id": n, "period": p, "capacity_t": c, "cost_inr_per_t": k}
        for n, c, k in (("IU_A", 1000, 1500), ("IU_B", 800, 1600)) for p in (1, 2)
    ],
    "demand_forecast": [
        {"node_id": n, "period": p, "demand_t": d}
        for n, d in (("GU_X", 500), ("GU_Y", 400), ("IU_A", 50)) for p in (1, 2)
    ],
    "safety_stock_policy": [
        {"node_id": "GU_X", "period": p, "safety_stock_t": 40, "max_storage_t": 1000,
         "holding_cost_inr_per_t": 10} for p in (1, 2)
    ],
    "transport_routes_modes": [
        {"route_id": "R1", "origin_id": "IU_A", "destination_id": "GU_X", "mode": "road",
         "vehicle_capacity_t": 30, "sbq_t": 0, "cost_inr_per_t": 900},
        {"route_id": "R2", "origin_id": "IU_B", "destination_id": "GU_Y", "mode": "rail",
         "vehicle_capacity_t": 3000, "sbq_t": 3000, "cost_inr_per_t_km": 1.2,
         "distance_km": 500, "full_loads_only": "true"},
        {"route_id": "R3", "origin_id": "IU_A", "destination_id": "GU_Y", "mode": "road",
         "vehicle_capacity_t": 30, "cost_inr_per_t": 1100, "period": 1},
        {"route_id": "R3", "origin_id": "IU_A", "destination_id": "GU_Y", "mode": "road",
         "vehicle_capacity_t": 30, "cost_inr_per_t": 1250, "period": 2},
    ],
    "flow_bounds": [
        {"origin_id": "IU_A", "mode": "road", "period": 1, "bound": "le", "quantity_t": 900},
    ],
    "settings": [{"key": "unmet_penalty_inr_per_t", "value": 10000}],
}


def write_tables(records: Records, folder: Path) -> Path:
    """Write records as a contract CSV folder (one file per table, union of keys as header)."""
    folder.mkdir(parents=True, exist_ok=True)
    for table, rows in records.items():
        header: list[str] = []
        for row in rows:
            header += [k for k in row if k not in header]
        with open(folder / f"{table}.csv", "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=header or ["node_id"])
            writer.writeheader()
            writer.writerows(rows)
    return folder


@pytest.fixture
def tiny() -> Records:
    return copy.deepcopy(TINY)


@pytest.fixture
def tiny_folder(tmp_path: Path) -> Callable[[Records], Path]:
    counter = iter(range(10_000))

    def make(records: Records) -> Path:
        return write_tables(records, tmp_path / f"net{next(counter)}")

    return make


@pytest.fixture(scope="session")
def public_data() -> Path:
    """The public clinker data beside the repo; every test that reads it skips without it."""
    if not PUBLIC.is_dir():
        pytest.skip("shared/data/clinker-public is not beside the repo")
    return PUBLIC


@pytest.fixture(scope="session")
def public_xlsx(public_data: Path) -> Path:
    return public_data / PUBLIC_XLSX.name


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """`workbench demo` built once for the dashboard tests (each starts its own server)."""
    from tests.dashboard_server import build_demo

    return build_demo(tmp_path_factory.mktemp("demo"))


def run_cli(*args: str, stdin: str | None = None, env: dict[str, str] | None = None,
            cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed ``workbench`` command as an operator would."""
    exe = Path(sys.executable).with_name("workbench")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, input=stdin,
                          env={**os.environ, **(env or {})}, cwd=cwd, timeout=600)


# --- the plan store, on SQLite and on PostgreSQL -------------------------------------------
PG_URL = os.environ.get("WORKBENCH_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _pg_admin():
    import psycopg

    try:
        return psycopg.connect(PG_URL, connect_timeout=3, autocommit=True)
    except psycopg.OperationalError:
        return None


@contextmanager
def fresh_store_url(engine: str, folder: Path) -> Iterator[str]:
    """A fresh, empty store URL: a SQLite file, or a new PostgreSQL database (dropped after).
    Skips the test when PostgreSQL is asked for and none is reachable."""
    if engine == "sqlite":
        yield f"sqlite:///{folder / 'workbench.db'}"
        return
    admin = _pg_admin()
    if admin is None:
        pytest.skip(f"no PostgreSQL reachable at {PG_URL}")
    name = f"wb_test_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield PG_URL.rsplit("/", 1)[0] + f"/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path):
    with fresh_store_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium under Playwright, one per test module (skips when not installed)."""
    from tests.dashboard_server import launched_browser

    yield from launched_browser()
