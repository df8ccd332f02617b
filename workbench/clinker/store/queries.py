"""The dashboard's read queries: each a few indexed lookups on precomputed KPI tables."""

from __future__ import annotations

import pandas as pd
from sqlalchemy.orm import Session

from workbench.clinker.store import results
from workbench.clinker.store.compare import build_comparison
from workbench.clinker.store.models import KpiAggregated
from workbench.core.access import Principal
from workbench.store import scenarios
from workbench.store.models import OptimizationRun


def approved_plan_kpis(session: Session, actor: Principal) -> tuple[OptimizationRun,
                                                                    KpiAggregated | None] | None:
    """The approved baseline run and its whole-network KPIs (None for restricted users)."""
    run = scenarios.baseline_run(session, actor)
    if run is None:
        return None
    return run, results.run_kpis(session, actor, run)


def scenario_kpis_by_period(session: Session, actor: Principal, name: str) -> pd.DataFrame:
    """KPIs by period of the scenario's latest plan (own nodes only for restricted users)."""
    scenario = scenarios.get_scenario(session, actor, name)
    run = scenarios.latest_run(session, scenario, with_plan=True)
    if run is None:
        return pd.DataFrame()
    return results.kpis_by_period(session, actor, run)


def compare_scenarios(session: Session, actor: Principal, a: str, b: str) -> dict:
    """Side-by-side of two scenarios' latest plans, read-only (nothing is stored)."""
    return build_comparison(session, actor, scenarios.latest_plan(session, actor, a),
                            scenarios.latest_plan(session, actor, b), (a, b))
