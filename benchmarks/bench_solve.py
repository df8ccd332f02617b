"""Solve benchmark over instance families (issue 13): the product against a plain reference.

Run: ``make bench`` (or ``python benchmarks/bench_solve.py [--count N] [--sizes ...]``).
For each size, ``--count`` networks from :mod:`families` are solved in one run, HiGHS with one
thread throughout (the machine is shared):

- the product (`solve_network`) to 1 % and to 0.1 %: model time = build + solve, as in the JSON;
- the reference formulation (:mod:`reference`, plain highspy, no tightening, no heuristic) to 1 %;
- the LP relaxation alone (build, hand to HiGHS, solve the LP): the floor any solve pays.

Best known objective = the cheapest plan any of these runs found; best bound = the highest
proven bound. Writes a summary and a per-instance table into benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import dataclass

from families import SIZES, Size, family_network
from readme_table import write_table
from reference import solve_reference

from workbench.clinker.contract.network import ClinkerNetwork
from workbench.clinker.optimization.highs_model import HighsModel
from workbench.clinker.optimization.model import build_model
from workbench.clinker.optimization.model_data import prepare
from workbench.clinker.optimization.solve import SolveOptions, solve_network


@dataclass
class Instance:
    size: Size
    seed: int
    routes: int
    lp_s: float
    t1_s: float
    obj1: float
    from_repair: bool  # the 1 % answer was the repaired plan, proven without branching
    t01_s: float
    obj01: float
    ref_s: float
    ref_status: str
    ref_obj: float | None
    best_obj: float
    best_bound: float

    @property
    def speedup(self) -> float:
        return self.ref_s / self.t1_s

    def gap_to_best(self, objective: float) -> float:
        return (objective - self.best_obj) / abs(self.best_obj)

    @property
    def gap_to_bound(self) -> float:
        return (self.obj1 - self.best_bound) / abs(self.obj1)

    @property
    def vs_reference(self) -> float | None:
        return None if self.ref_obj is None else (self.obj1 - self.ref_obj) / abs(self.ref_obj)


def lp_seconds(network: ClinkerNetwork) -> float:
    """Build the model, hand it to HiGHS and solve its LP relaxation."""
    started = time.perf_counter()
    data = prepare(network)
    hm = HighsModel(build_model(data, network.settings), threads=1)
    hm.solve_lp()
    return time.perf_counter() - started


def run_instance(size: Size, seed: int, limit_s: float) -> Instance:
    network = family_network(size, seed)
    options = dict(threads=1, shadow_prices=False, time_limit_s=limit_s)
    one = solve_network(network, SolveOptions(mip_gap=0.01, **options))
    tenth = solve_network(network, SolveOptions(mip_gap=0.001, **options))
    ref = solve_reference(network, 0.01, limit_s, threads=1)
    lp = lp_seconds(network)
    objectives = [o for o in (one.objective_inr, tenth.objective_inr, ref.objective_inr) if o]
    bounds = [b for b in (one.best_bound_inr, tenth.best_bound_inr, ref.bound_inr) if b]
    return Instance(size, seed, int(network.routes["route_id"].nunique()), lp,
                    one.build_seconds + one.solve_seconds, one.objective_inr,
                    one.start_objective_inr == one.objective_inr,
                    tenth.build_seconds + tenth.solve_seconds, tenth.objective_inr,
                    ref.model_seconds, ref.status, ref.objective_inr, min(objectives),
                    max(bounds))


def detail_row(i: Instance) -> str:
    vs = "—" if i.vs_reference is None else f"{100 * i.vs_reference:+.2f} %"
    return (f"| {i.size.label} | {i.seed} | {i.routes} | {i.lp_s:.2f} | {i.t1_s:.2f} | "
            f"{'repair' if i.from_repair else 'B&B'} | {i.obj1:,.0f} | "
            f"{100 * i.gap_to_best(i.obj1):.2f} % | {100 * i.gap_to_bound:.2f} % | "
            f"{i.t01_s:.2f} | {i.ref_s:.2f} ({i.ref_status}) | {i.speedup:.1f}x | {vs} |")


def summary_row(size: Size, rows: list[Instance]) -> str:
    def med_worst(values: list[float], worst=max, fmt: str = "{:.2f}") -> str:
        return f"{fmt.format(statistics.median(values))} / {fmt.format(worst(values))}"

    worse = sum(1 for i in rows if (i.vs_reference or 0) > 1e-9)
    return (f"| {size.label} {size.ius}/{size.gus}/{size.periods} | {len(rows)} | "
            f"{med_worst([i.lp_s for i in rows])} | {med_worst([i.t1_s for i in rows])} "
            f"(< {size.target_s:.0f}) | {med_worst([i.t01_s for i in rows])} | "
            f"{med_worst([i.ref_s for i in rows])} | "
            f"{med_worst([i.speedup for i in rows], min, '{:.1f}x')} | "
            f"{med_worst([i.t1_s / i.lp_s for i in rows], max, '{:.1f}x')} | "
            f"{sum(i.from_repair for i in rows)} / {len(rows)} | "
            f"{med_worst([100 * i.gap_to_best(i.obj1) for i in rows], max, '{:.2f} %')} | "
            f"{worse} / {len(rows)} |")


def write_readme(summary: list[str], detail: list[str]) -> None:
    """The summary and per-instance tables into benchmarks/README.md."""
    write_table("SOLVE", ["size IU/GU/periods", "networks", "LP relaxation s (median / worst)",
                          "time to 1 % s (median / worst)", "time to 0.1 % s",
                          "reference to 1 % s", "speed-up vs reference (median / worst)",
                          "time to 1 % ÷ LP time", "proven by the repair alone",
                          "1 % plan above best known", "1 % plan dearer than reference's"],
                summary, "Solve time over instance families (`make bench`)")
    write_table("SOLVE_DETAIL", ["size", "seed", "routes", "LP s", "to 1 % s", "1 % by",
                                 "objective at 1 % ₹", "above best known", "above best bound",
                                 "to 0.1 % s", "reference to 1 % s", "speed-up",
                                 "vs reference's 1 % plan"],
                detail, "Every instance")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10, help="networks per size")
    parser.add_argument("--sizes", nargs="*", default=[s.label for s in SIZES],
                        help="size labels, e.g. 'seed small' national")
    parser.add_argument("--time-limit", type=float, default=120.0, help="per solve, s")
    parser.add_argument("--no-readme", action="store_true", help="print only")
    args = parser.parse_args()
    solve_network(family_network(SIZES[0], 0), SolveOptions(shadow_prices=False))  # warm-up
    summary, detail = [], []
    for size in (s for s in SIZES if s.label in args.sizes):
        rows = []
        for seed in range(1, args.count + 1):
            rows.append(run_instance(size, seed, args.time_limit))
            detail.append(detail_row(rows[-1]))
            print(detail[-1], flush=True)
        summary.append(summary_row(size, rows))
        print(summary[-1], flush=True)
    if args.no_readme:
        return
    write_readme(summary, detail)


if __name__ == "__main__":
    main()
