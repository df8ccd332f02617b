"""LP-and-repair: real, feasible whole-vehicle plans, proven when within the gap of the LP."""

from __future__ import annotations

import copy

import pytest

from benchmarks.families import SIZES, family_network
from tests.conftest import TINY, write_tables
from tests.plan_checks import plan_violations
from workbench.clinker import read_network
from workbench.clinker.examples import demo_network, synthetic_network
from workbench.clinker.optimization.highs_model import HighsModel
from workbench.clinker.optimization.model import build_model
from workbench.clinker.optimization.model_data import prepare
from workbench.clinker.optimization.solve import SolveOptions, solve_network
from workbench.clinker.optimization.status import Termination
from workbench.clinker.optimization.warmstart import full_load_keys, lp_and_repair
from workbench.clinker.results.extract import cost_breakdown, plan_frames
from workbench.clinker.results.plan import PlanResult, PlanStatus

# networks unlike the demo: road SBQs, per-trip costs everywhere, rail caps, soft and hard
# safety stock, short and ample supply (benchmarks/families.py)
NETWORKS = {
    "synthetic 5/10/6": lambda: synthetic_network(5, 10, 6),
    "demo": demo_network,
    **{f"family small {s}": (lambda s=s: family_network(SIZES[0], s)) for s in (1, 2, 3, 4)},
    **{f"family medium {s}": (lambda s=s: family_network(SIZES[1], s)) for s in (1, 2)},
}


def repaired_plan(network):
    """Run only the heuristic and return its plan as a PlanResult, with the LP bound."""
    data = prepare(network)
    model = build_model(data, network.settings)
    hm = HighsModel(model, threads=1)
    lp = hm.solve_lp()
    start = lp_and_repair(hm, model, data, lp, time_limit_s=60)
    assert start is not None
    hm.load(start.x)
    frames = plan_frames(model, data, network.settings)
    plan = PlanResult(status=PlanStatus.FEASIBLE, objective_inr=start.objective_inr,
                      production=frames["production"], shipments=frames["shipments"],
                      stock=frames["stock"], unmet=frames["unmet"],
                      safety_shortfall=frames["safety_shortfall"],
                      components=cost_breakdown(model))
    return plan, start, model, hm


@pytest.mark.parametrize("name", list(NETWORKS))
def test_repaired_plan_meets_every_constraint_family(name) -> None:
    network = NETWORKS[name]()
    plan, start, model, hm = repaired_plan(network)
    assert plan_violations(network, plan) == []
    # the objective it reports is the cost of the plan it returns
    assert plan.components.total == pytest.approx(start.objective_inr, rel=1e-9)
    assert start.lp_bound_inr <= start.objective_inr + 1e-6
    # whole vehicles everywhere, and the adapter's model is left with its own bounds
    data = prepare(network)
    for key in full_load_keys(data):
        trips = model.trips[key].value
        assert trips == round(trips)
    assert list(hm.highs.getLp().col_lower_) == list(hm.lower)
    assert list(hm.highs.getLp().col_upper_) == list(hm.upper)


def test_plan_checks_catch_a_broken_plan() -> None:
    network = family_network(SIZES[0], 1)
    plan, *_ = repaired_plan(network)
    used = plan.shipments.index[plan.shipments["trips"] > 1][0]
    plan.shipments.loc[used, "trips"] -= 1  # one truck too few for the tonnes it carries
    assert any("trips carry too little" in v or "part load" in v
               for v in plan_violations(network, plan))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_proven_repair_needs_no_branching(seed) -> None:
    network = family_network(SIZES[0], seed)
    result = solve_network(network, SolveOptions(mip_gap=0.01, shadow_prices=False, threads=1))
    assert result.status is PlanStatus.OPTIMAL
    assert result.mip_gap <= 0.01
    assert plan_violations(network, result) == []
    # answered by the repair alone: its plan is the answer and the LP bound the proof
    assert result.objective_inr == result.start_objective_inr
    assert result.best_bound_inr <= result.objective_inr
    assert (result.objective_inr - result.best_bound_inr) / result.objective_inr <= 0.01


def test_full_solve_never_ends_worse_than_its_start() -> None:
    network = synthetic_network(5, 10, 6)
    warm = solve_network(network, SolveOptions(mip_gap=0.001, shadow_prices=False))
    assert warm.status == "optimal"
    assert warm.start_objective_inr is not None
    assert warm.objective_inr <= warm.start_objective_inr + 1e-6
    assert plan_violations(network, warm) == []


def test_warm_and_cold_agree_at_zero_gap() -> None:
    network = synthetic_network(3, 5, 3)
    options = {"mip_gap": 0.0, "shadow_prices": False}
    warm = solve_network(network, SolveOptions(**options))
    cold = solve_network(network, SolveOptions(warm_start=False, **options))
    assert cold.start_objective_inr is None
    assert warm.objective_inr == pytest.approx(cold.objective_inr, rel=1e-9)


def test_road_only_network_is_repaired_too(tmp_path) -> None:
    records = copy.deepcopy(TINY)
    for route in records["transport_routes_modes"]:
        route["full_loads_only"] = "false"
    network = read_network(write_tables(records, tmp_path / "road_only"))
    assert not full_load_keys(prepare(network))
    plan, *_ = repaired_plan(network)
    assert plan_violations(network, plan) == []


def test_progress_and_interrupt_come_through_highs_callbacks() -> None:
    network = family_network(SIZES[1], 1)
    data = prepare(network)
    hm = HighsModel(build_model(data, network.settings), threads=1)
    seen = []
    stopped = hm.solve_mip(0.0, 60, progress=seen.append, interrupt=lambda: bool(seen))
    assert seen and seen[0].seconds >= 0
    assert stopped.termination is Termination.INTERRUPTED


def test_a_plan_stopped_above_its_gap_says_so_with_the_gap_asked_for() -> None:
    import dataclasses

    result = solve_network(synthetic_network(3, 5, 3),
                           SolveOptions(mip_gap=0.005, shadow_prices=False))
    assert result.status.has_plan and not result.not_proven
    stopped = dataclasses.replace(result, status=PlanStatus.FEASIBLE, mip_gap=0.019,
                                  requested_gap=0.005)
    assert stopped.not_proven
    assert "(not proven within 0.5%: gap 1.9%)" in stopped.headline()
    assert "not proven" not in dataclasses.replace(stopped, mip_gap=0.004).headline()


def test_a_cancel_while_highs_makes_no_check_answers_with_the_best_plan_so_far() -> None:
    """HiGHS 1.15 runs its sub-MIPs without an interrupt check; a cancel must not wait for
    them. The interrupt here answers True only to the caller's thread, so HiGHS never stops on
    its own, as inside a sub-MIP: the solve answers after the grace with its best plan."""
    import threading
    import time

    from workbench.clinker.optimization import highs_model

    network = family_network(SIZES[2], 7)
    _, start, model, hm = repaired_plan(network)
    asked = time.perf_counter() + 0.5
    stopped = hm.solve_mip(0.0, 30, start=start.x, interrupt=lambda: (
        threading.current_thread() is threading.main_thread() and time.perf_counter() > asked))
    assert stopped.termination is Termination.INTERRUPTED
    assert hm._running is not None  # answered while HiGHS was still running
    assert stopped.x is not None and stopped.objective <= start.objective_inr + 1e-6
    assert stopped.objective == pytest.approx(hm.objective_of(stopped.x), rel=1e-12)
    hm.load(stopped.x)
    frames = plan_frames(model, prepare(network), network.settings)
    cancelled = PlanResult(status=PlanStatus.FEASIBLE, objective_inr=stopped.objective,
                           production=frames["production"], shipments=frames["shipments"],
                           stock=frames["stock"], unmet=frames["unmet"],
                           safety_shortfall=frames["safety_shortfall"],
                           components=cost_breakdown(model))
    assert plan_violations(network, cancelled) == []
    # HiGHS stops at its next check once the answer is given, and the model can be used again
    assert hm.solve_lp().termination is Termination.CONVERGED
    assert hm._running is None
    assert highs_model.CANCEL_GRACE_S <= 1.0


def test_rake_search_gives_a_cheaper_plan_than_the_dive_alone(monkeypatch) -> None:
    from workbench.clinker.optimization import warmstart

    network = family_network(SIZES[2], 2)
    plan, searched, *_ = repaired_plan(network)
    monkeypatch.setattr(warmstart, "_SEARCH_LPS_PER_DIVE_LP", 0.0)
    _, dive_only, *_ = repaired_plan(network)
    assert searched.objective_inr < dive_only.objective_inr * (1 - 0.0005)
    assert plan_violations(network, plan) == []


def test_a_rake_move_never_gains_more_than_its_reduced_cost_says() -> None:
    """The search skips moves whose first-order change is not a saving; that is safe only if
    the first-order change never overstates what a move costs (the LP is convex in it)."""
    import numpy as np

    from workbench.clinker.optimization import warmstart

    network = family_network(SIZES[1], 4)
    data = prepare(network)
    model = build_model(data, network.settings)
    hm = HighsModel(model, threads=1)
    lp = hm.solve_lp()
    lanes = warmstart._lanes(hm, model, data)
    repair = warmstart._Repair(hm, 60)
    x = warmstart._round_rakes(repair, lanes.rake_trips, lp.x)
    base = repair.fix_and_solve(lanes.rake_trips[:0], np.zeros(0))
    cost, reduced = hm.objective_of(base.x), hm.reduced_costs()[lanes.rake_trips]
    value = np.round(x[lanes.rake_trips])
    checked = 0
    for j in range(len(lanes.rake_trips)):
        for step in (1.0, -1.0):
            if value[j] + step < 0:
                continue
            col = lanes.rake_trips[j:j + 1]
            tried = repair.fix_and_solve(col, value[j:j + 1] + step)
            hm.fix(col, value[j:j + 1])
            if tried.ok:
                checked += 1
                assert hm.objective_of(tried.x) - cost >= step * reduced[j] - 1e-6 * abs(cost)
    repair.undo()
    assert checked > 20
