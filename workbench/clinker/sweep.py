"""Scenario sweeps: variants of a stored scenario, each stored as a scenario version (derived
from the base, so its lineage shows) and solved on Dask distributed. A variant's name says
all its changes, so running the same sweep again adds a version (and a run) to each."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from workbench.clinker import scenarios
from workbench.clinker.optimization.options import SolveOptions
from workbench.clinker.workspace import Workspace
from workbench.core.errors import InvalidRequest

NAME_LIMIT = 200  # the store's scenario name column


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
    """One variant per demand factor, each with every change in ``extra`` (in a fixed order,
    so the same sweep gives the same names and changes whatever the options' order)."""
    extra = sorted(extra, key=_sort_key)
    suffix = variant_suffix(extra)
    return [Variant(_fit(f"{base}~demand{factor:.10g}{suffix}"),
                    [scenarios.demand_multiplier(factor), *extra]) for factor in factors]


def variant_suffix(extra: list[dict]) -> str:
    """``~capacity=IU_01x1.2,IU_04x0.5~closed=R7,R9``: the changes besides the demand factor,
    readable and free of characters a shell would expand."""
    capacity = [f"{c['node']}x{c['factor']:.10g}" for c in extra if c["kind"] == "capacity"]
    closed = [str(c["route_id"]) for c in extra if c["kind"] == "close_route"]
    other = [c["kind"] for c in extra if c["kind"] not in ("capacity", "close_route")]
    if other:
        raise InvalidRequest(f"a sweep varies demand, capacity and closed routes, not {other}")
    return (f"~capacity={','.join(capacity)}" if capacity else "") + \
        (f"~closed={','.join(closed)}" if closed else "")


def _sort_key(change: dict) -> tuple:
    return (change["kind"], str(change.get("node") or change.get("route_id")),
            float(change.get("factor") or 0))


def _fit(name: str) -> str:
    """A name longer than the store keeps: its start and a hash of the whole (still stable)."""
    if len(name) <= NAME_LIMIT:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:12]
    return f"{name[:NAME_LIMIT - 16]}~sha{digest}"


def solve_variant(url: str, username: str, name: str, options: dict,
                  version: int | None = None) -> dict:
    """On a Dask worker: solve one stored variant (the version the sweep made; the newest when
    None) as the user who started the sweep."""
    from workbench.jobs.worker import _principal
    from workbench.store.db import open_store

    store = open_store(url)
    try:
        ws = Workspace(store, _principal(store, username))
        stored = ws.solve(name, SolveOptions(**options), version=version)
        kpis = stored.result.kpis
        return {"scenario": name, "version": stored.version, "run_id": stored.run_id,
                "status": str(stored.result.status),
                "total_cost_inr": stored.result.objective_inr,
                "service_level": kpis.service_level if kpis else None,
                "unmet_t": kpis.unmet_t if kpis else None,
                "solve_seconds": round(stored.result.solve_seconds, 3)}
    finally:
        store.dispose()
