"""A planner's handle on the plan store: import, scenarios, solve, compare, approve.

The command line and the notebooks use this same class, so a run started from JupyterLab is
recorded, audited and access-checked exactly like one started by ``workbench solve``::

    from workbench.clinker import Workspace, scenarios
    ws = Workspace.connect()                       # WORKBENCH_DB_URL or ./workbench.db
    ws.import_data("data/", dataset="nov")
    ws.create_scenario("base", dataset="nov")
    ws.create_scenario("monsoon", dataset="nov", parent="base",
                       changes=[scenarios.demand_multiplier(0.8, region="East")])
    ws.solve("base"); ws.solve("monsoon")
    ws.compare("base", "monsoon")["costs_inr"]["total_cost_inr"]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workbench.clinker import scenarios as scenario
from workbench.clinker.contract.network import ClinkerNetwork
from workbench.clinker.contract.readers import read_network
from workbench.clinker.optimization.options import ProgressCallback, SolveOptions
from workbench.clinker.results.plan import PlanResult
from workbench.clinker.store import compare, export, persist, queries, results
from workbench.clinker.validation import validate
from workbench.core.access import Permission, Principal
from workbench.core.errors import Conflict, InvalidRequest
from workbench.core.findings import ValidationReport
from workbench.jobs.handle import JobHandle
from workbench.store import audit, datasets, runs, scenarios
from workbench.store.actions import audited
from workbench.store.db import Store, open_store
from workbench.store.models import Approval, Dataset, Scenario
from workbench.store.users import LoginFailed, log_in


@dataclass(frozen=True)
class ImportOutcome:
    """The validation report, and the stored dataset (None when the data had errors)."""

    report: ValidationReport
    dataset: Dataset | None

    @property
    def stored(self) -> bool:
        return self.dataset is not None


@dataclass(frozen=True)
class StoredRun:
    run_id: int
    scenario: str
    version: int
    result: PlanResult


@dataclass
class Workspace:
    store: Store
    user: Principal

    @classmethod
    def connect(cls, url: str | None = None, username: str | None = None,
                password: str | None = None) -> Workspace:
        """Open the store (migrating it if needed) and log in; the login is audited."""
        store = open_store(url)
        try:
            return cls(store, log_in(store, username, password))
        except LoginFailed:
            store.dispose()
            raise

    def close(self) -> None:
        self.store.dispose()

    # --- datasets -------------------------------------------------------------------------
    def import_data(self, path: str | Path, dataset: str) -> ImportOutcome:
        """Validate, then store; data with errors is not stored (the failure is audited)."""
        network = read_network(path)
        report = validate(network)
        if not report.ok:
            with self.store.session() as session:
                audit.record(session, self.user.username, "import", "failed",
                             object_type="dataset", object_id=dataset, detail=report.summary())
            return ImportOutcome(report, None)
        return ImportOutcome(report, self.store_network(network, dataset, report))

    def store_network(self, network: ClinkerNetwork, dataset: str,
                      report: ValidationReport | None = None) -> Dataset:
        """Store an in-memory network (for example a generated one) as a dataset."""
        report = report or validate(network)
        if not report.ok:
            raise InvalidRequest(f"dataset '{dataset}' has {report.summary()}; nothing was stored")
        with audited(self.store, self.user, "import", dataset) as session:
            return datasets.save_dataset(
                session, self.user, name=dataset, domain=persist.DOMAIN,
                source=network.source or "in-memory network",
                tables=persist.network_tables(network),
                scopes=persist.node_scopes(network.node_ids()),
                summary=network.summary(),
                report={"ok": report.ok, "errors": len(report.errors),
                        "warnings": len(report.warnings),
                        "findings": [f.to_dict() for f in report]})

    def datasets(self) -> list[Dataset]:
        with audited(self.store, self.user, "dataset.list", audit_ok=True) as session:
            return datasets.list_datasets(session, self.user)

    # --- scenarios ------------------------------------------------------------------------
    def create_scenario(self, name: str, dataset: str, parent: str | None = None,
                        changes: Sequence[scenario.Change] = (),
                        description: str = "") -> Scenario:
        with audited(self.store, self.user, "scenario.create", name) as session:
            data = datasets.get_dataset(session, self.user, dataset)
            base = scenarios.get_scenario(session, self.user, parent) if parent else None
            network = _network(session, data)
            scenario.apply(network, [*(base.changes if base else []), *changes])  # checks
            touched, wide = _reach(list(changes), network)
            return scenarios.create_scenario(session, self.user, name, data, list(changes),
                                             touched, network_wide=wide, parent=base,
                                             description=description)

    def derive_scenario(self, name: str, parent: str, changes: Sequence[scenario.Change] = (),
                        description: str = "") -> Scenario:
        """``parent``'s newest version plus these changes, stored as ``name``: version 1 the
        first time, a new version made afresh from the parent after that (sweeps re-run)."""
        def derive() -> Scenario:
            with audited(self.store, self.user, "scenario.create", name) as session:
                base = scenarios.get_scenario(session, self.user, parent)
                network = _network(session, datasets.get_dataset_by_id(session,
                                                                        base.dataset_id))
                scenario.apply(network, [*base.changes, *changes])  # checks
                touched, wide = _reach(list(changes), network)
                return scenarios.derive_scenario(session, self.user, name, base,
                                                 list(changes), touched, network_wide=wide,
                                                 description=description)
        return _new_version(name, derive)

    def edit_scenario(self, name: str, changes: Sequence[scenario.Change]) -> Scenario:
        """A new version with these changes added; older versions keep their runs."""
        def edit() -> Scenario:
            with audited(self.store, self.user, "scenario.edit", name) as session:
                if not changes:
                    raise InvalidRequest("no change given: add a demand multiplier, a "
                                         "capacity factor, a closed route or a penalty")
                current = scenarios.get_scenario(session, self.user, name)
                network = _network(session, datasets.get_dataset_by_id(session,
                                                                       current.dataset_id))
                scenario.apply(network, [*current.changes, *changes])
                touched, wide = _reach(list(changes), network)
                return scenarios.edit_scenario(session, self.user, name, list(changes),
                                               touched, network_wide=wide)
        return _new_version(name, edit)

    def scenario_network(self, name: str, version: int | None = None) -> ClinkerNetwork:
        """The scenario's data with its changes applied, ready to inspect or solve."""
        with audited(self.store, self.user, "scenario.read", name, audit_ok=True) as session:
            s = scenarios.get_scenario(session, self.user, name, version)
            data = datasets.get_dataset_by_id(session, s.dataset_id)
            return scenario.apply(_network(session, data), s.changes)

    def scenarios(self) -> pd.DataFrame:
        """Newest version of each scenario with its latest run and headline KPIs."""
        with audited(self.store, self.user, "scenario.list", audit_ok=True) as session:
            baseline = scenarios.baseline_run(session, self.user)
            rows = []
            for s in scenarios.list_scenarios(session, self.user):
                run = scenarios.latest_run(session, s)
                kpis = results.run_kpis(session, self.user, run) if run else None
                rows.append({
                    "scenario": s.name, "version": s.version, "changes": len(s.changes),
                    "latest_run": run.id if run else None,
                    "status": run.status if run else None,
                    "total_cost_inr": kpis.total_cost_inr if kpis else None,
                    "service_level": kpis.service_level if kpis else None,
                    "approved": bool(baseline and run and baseline.id == run.id)})
        return pd.DataFrame(rows, columns=["scenario", "version", "changes", "latest_run",
                                           "status", "total_cost_inr", "service_level",
                                           "approved"])

    # --- runs -----------------------------------------------------------------------------
    def solve(self, name: str, options: SolveOptions | None = None,
              progress: ProgressCallback | None = None,
              version: int | None = None) -> StoredRun:
        """Solve the scenario's newest version (or ``version``) and record the run, results
        and KPIs."""
        from workbench.clinker.optimization.solve import (
            solve_network,  # Pyomo loads only when solving
        )

        options = options or SolveOptions()
        with audited(self.store, self.user, "run", name) as session:
            self.user.require(Permission.RUN, "run plans")
            s = scenarios.get_scenario(session, self.user, name, version)
            data = datasets.get_dataset_by_id(session, s.dataset_id)
            network = scenario.apply(_network(session, data), s.changes)
            version = s.version
        started = datetime.now(UTC)
        result = solve_network(network, options, progress=progress)
        with audited(self.store, self.user, "run", name) as session:
            s = scenarios.get_scenario(session, self.user, name, version)
            record, rows = persist.run_record(result, network, options, started)
            run = results.save_plan(session, self.user, s, record, rows)
            return StoredRun(run.id, name, version, result)

    def submit(self, name: str, options: SolveOptions | None = None,
               start_worker: bool = True) -> JobHandle:
        """Queue a solve of the scenario and return at once with a handle to follow it.

        With no live worker, one is started in the background (it stops after a while
        without work), so a notebook never has to run `workbench worker` by hand."""
        from workbench.jobs import local, queue

        options = options or SolveOptions()
        payload = {"scenario": name, "options": {
            k: v for k, v in (("mip_gap", options.mip_gap), ("time_limit_s", options.time_limit_s),
                              ("shadow_prices", options.shadow_prices)) if v is not None}}
        with self.store.session() as session:
            scenarios.get_scenario(session, self.user, name)  # refuse unknown names now
        job = queue.submit(self.store, self.user, "clinker.solve", payload)
        if start_worker:
            local.ensure_worker(self.store,
                                self.store.engine.url.render_as_string(hide_password=False))
        return JobHandle(self.store, self.user, job.id)

    def kpis_by_period(self, name: str) -> pd.DataFrame:
        with audited(self.store, self.user, "kpi.read", name, audit_ok=True) as session:
            return queries.scenario_kpis_by_period(session, self.user, name)

    def results(self, run_id: int, table: str) -> pd.DataFrame:
        """production, shipments, stock, unmet or shadow_prices of a run (own nodes only)."""
        with audited(self.store, self.user, "run.read", run_id, audit_ok=True) as session:
            return results.results(session, self.user,
                                   runs.get_run(session, self.user, run_id), table)

    def plan_tables(self, scenario: str | None = None, version: int | None = None,
                    run_id: int | None = None) -> tuple[dict[str, pd.DataFrame], dict]:
        """A stored plan's export tables and summary: a run by id, or the latest plan of a
        scenario (version). Restricted users get their own nodes' rows only."""
        what = f"run {run_id}" if run_id is not None else f"{scenario} v{version or 'latest'}"
        with audited(self.store, self.user, "plan.export", what) as session:
            if run_id is not None:
                run = runs.get_run(session, self.user, run_id)
                if not run.has_result:
                    raise Conflict(f"run {run_id} has no plan (status {run.status})")
            else:
                chosen = scenarios.get_scenario(session, self.user, str(scenario), version)
                found = scenarios.latest_run(session, chosen, with_plan=True)
                if found is None:
                    raise Conflict(f"scenario '{scenario}' v{chosen.version} has no solved plan;"
                                   f" run `workbench solve --scenario {scenario}` first")
                run = found
            tables = export.stored_plan_tables(session, self.user, run)
            summary = export.stored_summary(session, self.user, run)
            export.record_export(session, self.user, run, what)
            return tables, summary

    def import_findings(self, name: str) -> list[dict]:
        """The validation findings recorded when the scenario's dataset was imported."""
        with audited(self.store, self.user, "scenario.read", name, audit_ok=True) as session:
            s = scenarios.get_scenario(session, self.user, name)
            return datasets.validation_findings(session, s.dataset_id)

    def run_diagnostics(self, run_id: int) -> list[dict]:
        """The post-solve diagnostics stored with a run (code, node, route, period, message)."""
        with audited(self.store, self.user, "run.read", run_id, audit_ok=True) as session:
            warnings = runs.get_run(session, self.user, run_id).warnings
        return [w if isinstance(w, dict) else {"code": None, "message": str(w)}
                for w in warnings]

    def compare(self, a: str, b: str | None = None) -> dict:
        """Latest plans of A and B: costs (₹, %), service level, nodes that move most.

        Without B, A is compared against the approved baseline plan.
        """
        with audited(self.store, self.user, "scenario.compare", f"{a} vs {b or 'baseline'}"
                     ) as session:
            latest = {n: scenarios.latest_plan(session, self.user, n) for n in (a, b) if n}
            if b:
                return compare.compare_runs(session, self.user, latest[a], latest[b], (a, b))
            baseline = scenarios.baseline_run(session, self.user)
            if baseline is None:
                raise Conflict("no plan has been approved yet: name two scenarios, or "
                                 "approve a baseline first")
            return compare.compare_runs(session, self.user, baseline, latest[a],
                                        ("baseline", a))

    def approve(self, name: str, note: str = "") -> Approval:
        with audited(self.store, self.user, "scenario.approve", name) as session:
            return scenarios.approve(session, self.user, name, note)


def _network(session: Session, data: Dataset) -> ClinkerNetwork:
    return persist.network_from_tables(datasets.dataset_tables(session, data), data.name)


def _reach(changes: list[scenario.Change], network: ClinkerNetwork) -> tuple[list[str], bool]:
    touched: set[str] = set()
    wide = False
    for change in changes:
        r = scenario.reach(change, network)
        touched |= set(persist.node_scopes(r.nodes))
        wide |= r.network_wide
    return sorted(touched), wide


_VERSION_TRIES = 10  # each clash means another version was made: progress


def _new_version(name: str, make: Callable[[], Scenario]) -> Scenario:
    """Store a new scenario version, again with the next number when another sweep or user
    took this one at the same moment (the store's unique name and version refuses the
    second); each try is its own transaction, so nothing is left half-made."""
    for _ in range(_VERSION_TRIES - 1):
        try:
            return make()
        except IntegrityError:
            continue
    try:
        return make()
    except IntegrityError:
        raise Conflict(f"scenario '{name}': {_VERSION_TRIES} new versions were taken by "
                       "others while this one was being made; try again") from None
