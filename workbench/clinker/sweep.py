"""Scenario sweeps: variants of a stored scenario, each stored as its own scenario (child of
the base, so its lineage shows) and solved on Dask distributed."""

from __future__ import annotations

from dataclasses import dataclass

from workbench.clinker import scenarios
from workbench.clinker.optimization.options import SolveOptions
from workbench.clinker.workspace import Workspace
from workbench.core.errors import InvalidRequest


@dataclass(frozen=True)
class Variant:
    name: str
    changes: list[dict]


def multipliers(spec: str) -> list[float]:
    """``0.8:1.2:0.05`` -> 0.8, 0.85 ... 1.2 (both ends included); ``1.1`` -> [1.1]."""
    parts = spec.split(":")
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        raise InvalidRequest(f"--demand-multiplier {spec}: write START:STOP:STEP, e.g. "
                             "0.8:1.2:0.05, or one factor") from None
    if len(numbers) == 1:
        return numbers
    if len(numbers) != 3 or numbers[2] <= 0 or numbers[1] < numbers[0]:
        raise InvalidRequest(f"--demand-multiplier {spec}: write START:STOP:STEP with "
                             "START <= STOP and STEP > 0")
    start, stop, step = numbers
    count = round((stop - start) / step) + 1
    return [round(start + i * step, 10) for i in range(count)]


def variants(base: str, factors: list[float], extra: list[dict]) -> list[Variant]:
    return [Variant(f"{base}~demand{factor:g}",
                    [scenarios.demand_multiplier(factor), *extra]) for factor in factors]


def solve_variant(url: str, username: str, name: str, options: dict) -> dict:
    """On a Dask worker: solve one stored variant as the user who started the sweep."""
    from workbench.jobs.worker import _principal
    from workbench.store.db import open_store

    store = open_store(url)
    try:
        ws = Workspace(store, _principal(store, username))
        stored = ws.solve(name, SolveOptions(**options))
        kpis = stored.result.kpis
        return {"scenario": name, "run_id": stored.run_id, "status": str(stored.result.status),
                "total_cost_inr": stored.result.objective_inr,
                "service_level": kpis.service_level if kpis else None,
                "unmet_t": kpis.unmet_t if kpis else None,
                "solve_seconds": round(stored.result.solve_seconds, 3)}
    finally:
        store.dispose()
