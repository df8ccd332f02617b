"""Reading HiGHS's branch-and-bound log: the real columns, never the tree's own percentage."""

from __future__ import annotations

from workbench.clinker.cli.output import progress_line
from workbench.clinker.optimization.progress import SolveProgress, parse_row

# rows as HiGHS 1.x prints them (copied from a solve of a 10/20/6 synthetic network)
HEADER = ("Src  Proc. InQueue |  Leaves   Expl. | BestBound       BestSol              Gap |"
          "   Cuts   InLp Confl. | LpIters     Time")
NO_PLAN = ("         0       0         0   0.00%   14400000        inf                  inf"
           "        0      0      0         0     0.0s")
FIRST = (" R       0       0         0   0.00%   43963269764     44375584605        0.93%"
         "        0      0      0       414     1.0s")
DONE = ("         1       0         1 100.00%   43963269764     44375584605        0.93%"
        "        0      0      0       414     1.1s")


def test_rows_are_read_from_the_right_columns():
    assert parse_row(NO_PLAN) == SolveProgress(14_400_000.0, None, "inf", 0.0)
    assert parse_row(FIRST) == SolveProgress(43_963_269_764.0, 44_375_584_605.0, "0.93%", 1.0)
    # "100.00%" is the share of the tree explored, not the gap
    assert parse_row(DONE) == SolveProgress(43_963_269_764.0, 44_375_584_605.0, "0.93%", 1.1)


def test_other_log_lines_are_not_progress():
    for line in (HEADER, "", "Presolving model", "  Gap               0.929% (tolerance: 1%)",
                 "Solving MIP model with:"):
        assert parse_row(line) is None


def test_the_progress_line_shows_no_plan_until_there_is_one():
    assert "no plan yet" in progress_line(parse_row(NO_PLAN))
    assert "best plan" not in progress_line(parse_row(NO_PLAN))
    line = progress_line(parse_row(FIRST))
    assert "best plan ₹4,437.56 Cr" in line and "bound ₹4,396.33 Cr" in line
    assert "gap 0.93%" in line
