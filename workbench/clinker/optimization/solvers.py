"""Which MIP solvers this machine has, and a clear refusal for one it does not."""

from __future__ import annotations

from functools import cache

from workbench.core.errors import InvalidRequest

# Pyomo knows more names; these are the MIP solvers a planner is likely to ask for.
CANDIDATES = ("highs", "cbc", "glpk", "scip", "gurobi", "cplex", "xpress")


class UnknownSolver(InvalidRequest):
    """The named solver is not installed or not licensed here."""


@cache
def is_available(name: str) -> bool:
    if name == "highs":
        try:
            import highspy  # noqa: F401
        except ImportError:
            return False
        return True
    import pyomo.environ as pyo

    try:
        return bool(pyo.SolverFactory(name).available(exception_flag=False))
    except Exception:  # a broken plugin is as good as absent here
        return False


def available() -> list[str]:
    return [name for name in CANDIDATES if is_available(name)]


def require(name: str) -> None:
    """Refuse a solver that cannot run here, naming the ones that can."""
    if not is_available(name):
        raise UnknownSolver(f"solver '{name}' is not available here; use one of: "
                            f"{', '.join(available()) or 'none found'}")
