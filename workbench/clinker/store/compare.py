"""Compare two stored runs: cost components, service level and the nodes that change most.

Reads only precomputed KPI tables, so a comparison costs a handful of indexed queries.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workbench.clinker.store.models import NETWORK, KpiAggregated, KpiPrecomputed
from workbench.clinker.store.results import NODE
from workbench.core.access import Principal, scope
from workbench.core.errors import Conflict
from workbench.store import audit
from workbench.store.models import OptimizationRun, ScenarioComparison

COST_FIELDS = ("total_cost_inr", "production_inr", "transport_inr", "trips_inr", "holding_inr",
               "unmet_penalty_inr", "safety_penalty_inr")
NODE_FIELDS = ("production_t", "received_t", "dispatched_t", "unmet_t", "closing_stock_t")
TOP_NODES = 10


def _delta(a: float | None, b: float | None) -> dict[str, float | None]:
    if a is None or b is None:
        return {"a": a, "b": b, "change": None, "change_pct": None}
    return {"a": a, "b": b, "change": b - a,
            "change_pct": (b - a) / abs(a) * 100 if a else None}


def _node_totals(session: Session, run_a: int,
                 run_b: int) -> dict[int, dict[str, dict[str, float]]]:
    """Per run and node, each field summed over periods (aggregated in SQL)."""
    sums = [func.sum(getattr(KpiPrecomputed, f)) for f in NODE_FIELDS]
    query = (select(KpiPrecomputed.run_id, KpiPrecomputed.node_id, *sums)
             .where(KpiPrecomputed.run_id.in_((run_a, run_b)), KpiPrecomputed.node_id != NETWORK)
             .group_by(KpiPrecomputed.run_id, KpiPrecomputed.node_id))
    totals: dict[int, dict[str, dict[str, float]]] = {run_a: {}, run_b: {}}
    for run_id, node_id, *values in session.execute(query):
        totals[run_id][node_id] = {f: float(v or 0) for f, v in zip(NODE_FIELDS, values,
                                                                     strict=True)}
    return totals


def node_changes(session: Session, run_a: int, run_b: int) -> list[dict[str, object]]:
    """Nodes ranked by how many tonnes their plan moves (sum of absolute changes)."""
    totals = _node_totals(session, run_a, run_b)
    a, b = totals[run_a], totals[run_b]
    zero = dict.fromkeys(NODE_FIELDS, 0.0)
    rows = []
    for node in sorted(a.keys() | b.keys()):
        x, y = a.get(node, zero), b.get(node, zero)
        changes = {f"{f}_change": y[f] - x[f] for f in NODE_FIELDS}
        rows.append({"node_id": node, "moved_t": sum(abs(v) for v in changes.values()),
                     **changes})
    return sorted(rows, key=lambda r: -float(r["moved_t"]))


def _full_comparison(session: Session, run_a: OptimizationRun, run_b: OptimizationRun,
                     labels: tuple[str, str]) -> dict:
    both = {k.run_id: k for k in session.scalars(
        select(KpiAggregated).where(KpiAggregated.run_id.in_((run_a.id, run_b.id))))}
    ka, kb = both.get(run_a.id), both.get(run_b.id)
    if ka is None or kb is None:
        missing = run_a.id if ka is None else run_b.id
        raise Conflict(f"run {missing} has no plan (status not optimal or feasible) to "
                         "compare")
    return {
        "a": {"label": labels[0], "run_id": run_a.id, "status": run_a.status},
        "b": {"label": labels[1], "run_id": run_b.id, "status": run_b.status},
        "costs_inr": {f: _delta(getattr(ka, f), getattr(kb, f)) for f in COST_FIELDS},
        "service_level": _delta(ka.service_level, kb.service_level),
        "unmet_t": _delta(ka.unmet_t, kb.unmet_t),
        "nodes": node_changes(session, run_a.id, run_b.id)[:TOP_NODES],
    }


def build_comparison(session: Session, actor: Principal, run_a: OptimizationRun,
                     run_b: OptimizationRun, labels: tuple[str, str] = ("A", "B")) -> dict:
    """The comparison as the actor may see it, without storing it."""
    return visible_comparison(_full_comparison(session, run_a, run_b, labels), actor, session,
                              run_a.id, run_b.id)


def compare_runs(session: Session, actor: Principal, run_a: OptimizationRun,
                 run_b: OptimizationRun, labels: tuple[str, str] = ("A", "B")) -> dict:
    """Compute, store (in scenario_comparison, in full) and return the visible comparison."""
    full = _full_comparison(session, run_a, run_b, labels)
    session.add(ScenarioComparison(run_a_id=run_a.id, run_b_id=run_b.id, result=full,
                                   created_by=actor.username))
    audit.record(session, actor.username, "scenario.compare", object_type="run",
                 object_id=f"{run_a.id}:{run_b.id}", detail=f"{labels[0]} vs {labels[1]}")
    return visible_comparison(full, actor, session, run_a.id, run_b.id)


def visible_comparison(full: dict, actor: Principal, session: Session, run_a: int,
                       run_b: int) -> dict:
    """Network totals only for those who see all; otherwise their own nodes' changes."""
    if actor.sees_all:
        return full
    own = [r for r in node_changes(session, run_a, run_b)
           if actor.may_see(scope(NODE, r["node_id"]))]
    return {"a": full["a"], "b": full["b"], "nodes": own[:TOP_NODES]}
