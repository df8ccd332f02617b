"""The live progress line: the plan found so far from HiGHS's callbacks, or nothing until
there is one."""

from __future__ import annotations

from workbench.clinker.cli.output import progress_line
from workbench.clinker.optimization.progress import SolveProgress

NO_PLAN = SolveProgress(best_bound=14_400_000.0, incumbent=None, gap="inf", seconds=0.0)
FIRST = SolveProgress(best_bound=43_963_269_764.0, incumbent=44_375_584_605.0, gap="0.93%",
                      seconds=1.0)


def test_the_progress_line_shows_no_plan_until_there_is_one():
    assert "no plan yet" in progress_line(NO_PLAN)
    assert "best plan" not in progress_line(NO_PLAN)
    line = progress_line(FIRST)
    assert "best plan ₹4,437.56 Cr" in line and "bound ₹4,396.33 Cr" in line
    assert "gap 0.93%" in line


def test_a_solve_reports_real_incumbents_and_bounds(tiny, tiny_folder):
    from workbench.clinker import SolveOptions, read_network, solve_network

    seen: list[SolveProgress] = []
    result = solve_network(read_network(tiny_folder(tiny)), SolveOptions(mip_gap=0.0),
                           progress=seen.append)
    assert result.status == "optimal"
    plans = [p for p in seen if p.incumbent is not None]
    assert plans, "no progress reported"
    for p in plans:  # never the tree's own counters: a bound below its incumbent, both real
        assert p.best_bound is None or p.best_bound <= p.incumbent + 1e-6
        assert p.incumbent >= result.objective_inr - 1e-6
