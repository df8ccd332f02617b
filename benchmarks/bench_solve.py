"""Solve-time benchmark at the seed system's sizes and a national size.

Run: ``make bench`` (or ``python benchmarks/bench_solve.py [--quick]``). Writes a table into
benchmarks/README.md between the BENCH markers. Times are taken in one run on this machine;
the seed system's times (CBC) are quoted from its documentation.
"""

from __future__ import annotations

import argparse
import shutil
import time

import pyomo.environ as pyo
from pyomo.contrib.solver.solvers.highs import Highs
from readme_table import write_table

from workbench.clinker.contract.network import ClinkerNetwork
from workbench.clinker.examples import synthetic_network
from workbench.clinker.optimization.model import build_model
from workbench.clinker.optimization.model_data import prepare
from workbench.clinker.optimization.solve import SolveOptions, solve_network

SIZES = [(3, 5, 3, "seed small", 1.0), (5, 10, 6, "seed medium", 2.0),
         (10, 20, 12, "seed large", 3.0), (20, 80, 12, "national", 30.0)]


def lp_relaxation_seconds(network: ClinkerNetwork) -> float:
    data = prepare(network)
    model = build_model(data, network.settings)
    pyo.TransformationFactory("core.relax_integer_vars").apply_to(model)
    started = time.perf_counter()
    Highs().solve(model, load_solutions=False, raise_exception_on_nonoptimal_result=False)
    return time.perf_counter() - started


def run(quick: bool, cbc_limit: float) -> list[str]:
    rows = []
    for ius, gus, periods, label, target in SIZES[:3] if quick else SIZES:
        network = synthetic_network(ius, gus, periods)
        r = solve_network(network, SolveOptions(mip_gap=0.01, time_limit_s=600,
                                                shadow_prices=False))
        total = r.build_seconds + r.solve_seconds
        lp = lp_relaxation_seconds(network)
        cold = solve_network(network, SolveOptions(mip_gap=0.01, time_limit_s=600,
                                                   shadow_prices=False, warm_start=False))
        start = f"{r.start_objective_inr:,.0f}" if r.start_objective_inr else "none"
        cbc = "not installed"
        if shutil.which("cbc"):
            c = solve_network(network, SolveOptions(solver="cbc", mip_gap=0.01,
                                                    time_limit_s=cbc_limit, shadow_prices=False))
            cbc = (f"{c.status}, {c.solve_seconds:.2f} s, obj {c.objective_inr:,.0f}"
                   if c.objective_inr else f"{c.status} after {c.solve_seconds:.0f} s")
        routes = network.routes["route_id"].nunique()
        rows.append(
            f"| {label} {ius}/{gus}/{periods} | {routes} | {r.status} | {r.build_seconds:.2f} | "
            f"{r.solve_seconds:.2f} | {total:.2f} (target < {target:.0f}) | "
            f"{100 * r.build_seconds / total:.0f} % | {100 * (r.mip_gap or 0):.2f} % | "
            f"{r.objective_inr:,.0f} | {start} | {lp:.2f} | "
            f"{cold.build_seconds + cold.solve_seconds:.2f} | {cbc} |")
        print(rows[-1], flush=True)
    return rows


def write_readme(rows: list[str]) -> None:
    write_table("BENCH", ["size IU/GU/periods", "routes", "status", "build s", "solve s",
                          "total s", "build share", "final gap", "objective ₹", "warm start ₹",
                          "LP relaxation s", "HiGHS cold start s", "CBC (1 % gap)"],
                rows, "Solve time (`make bench`, `benchmarks/bench_solve.py`)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="only the seed sizes")
    parser.add_argument("--cbc-limit", type=float, default=120.0, help="CBC time limit, s")
    args = parser.parse_args()
    write_readme(run(args.quick, args.cbc_limit))


if __name__ == "__main__":
    main()
