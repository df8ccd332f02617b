"""A stored run's plan as export tables, with the reader's scope applied."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
from sqlalchemy.orm import Session

from workbench._version import __version__
from workbench.clinker.results import export
from workbench.clinker.store import results
from workbench.core.access import Principal
from workbench.core.money import format_inr
from workbench.store import audit
from workbench.store.models import Dataset, OptimizationRun, Scenario

COST_FIELDS = {"production": "production_inr", "transport": "transport_inr",
               "trips": "trips_inr", "holding": "holding_inr",
               "unmet_penalty": "unmet_penalty_inr", "safety_penalty": "safety_penalty_inr"}


def stored_plan_tables(session: Session, actor: Principal,
                       run: OptimizationRun) -> dict[str, pd.DataFrame]:
    """Result tables (only the actor's nodes' rows), and network costs and KPIs for those
    who see everything; a restricted user gets their nodes' KPI rows instead."""
    tables = {name: export.shape(name, results.results(session, actor, run, name))
              for name in export.COLUMNS}
    totals = results.run_kpis(session, actor, run)
    if totals is not None:
        tables["costs"] = export.costs_table({c: getattr(totals, f)
                                              for c, f in COST_FIELDS.items()})
        tables["kpis"] = _kpi_rows(totals)
    else:
        tables["kpis"] = results.kpis_by_period(session, actor, run).drop(columns=["run_id"])
    return tables


def _kpi_rows(totals: object) -> pd.DataFrame:
    rows: list[tuple[str, object]] = []
    for name in ("total_cost_inr", "demand_t", "delivered_t", "unmet_t", "service_level",
                 "cost_per_t_delivered_inr", "capacity_utilisation", "storage_utilisation"):
        rows.append((name, getattr(totals, name)))
    rows += [(f"trips_{m}", v) for m, v in sorted(totals.trips_by_mode.items())]  # type: ignore[attr-defined]
    rows += [(f"{m}_t", v) for m, v in sorted(totals.tonnes_by_mode.items())]  # type: ignore[attr-defined]
    return pd.DataFrame(rows, columns=["kpi", "value"])


def stored_summary(session: Session, actor: Principal, run: OptimizationRun) -> dict[str, object]:
    scenario = session.get(Scenario, run.scenario_id)
    dataset = session.get(Dataset, run.dataset_id)
    assert scenario is not None and dataset is not None
    nodes = "all" if actor.sees_all else ", ".join(results.own_nodes(actor)) or "none"
    return {
        "scenario": scenario.name, "version": scenario.version, "run": run.id,
        "dataset": dataset.name, "data_hash": run.data_hash, "status": run.status,
        "termination": run.termination_condition,
        "total_cost_inr": run.objective_inr if actor.sees_all else None,
        "total_cost": format_inr(run.objective_inr) if actor.sees_all and run.objective_inr
        else None,
        "mip_gap": export.pct(run.mip_gap), "requested_gap": export.pct(run.parameters.get(
            "mip_gap")),
        "solver": f"{run.solver} {run.solver_version}".strip(),
        "build_seconds": round(run.build_seconds, 3), "solve_seconds": round(run.solve_seconds, 3),
        "solved_by": run.created_by, "solved_at": run.finished_at,
        "approved": run.approved, "nodes": nodes, "exported_by": actor.username,
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "package_version": __version__,
    }


def record_export(session: Session, actor: Principal, run: OptimizationRun, path: str) -> None:
    audit.record(session, actor.username, "plan.export", object_type="run", object_id=run.id,
                 scopes=[f"node:{n}" for n in results.own_nodes(actor)] if not actor.sees_all
                 else [], detail=path)
