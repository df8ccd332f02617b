"""What a solve is asked to do; kept apart from the solver code so that importing it is cheap
(the command line and the store need it without loading Pyomo)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from workbench.clinker.optimization.progress import SolveProgress
from workbench.core.cancel import CancelToken

ProgressCallback = Callable[[SolveProgress], None]


@dataclass(frozen=True)
class SolveOptions:
    solver: str = "highs"
    mip_gap: float | None = None  # None: the network's settings
    time_limit_s: float | None = None
    shadow_prices: bool = True
    explain_infeasibility: bool = True
    threads: int | None = None
    warm_start: bool = True  # round-the-rail-rakes heuristic before HiGHS (highs only)
    # stops HiGHS at its next interrupt check; the best plan so far is kept (highs only)
    cancel: CancelToken | None = field(default=None, compare=False)
