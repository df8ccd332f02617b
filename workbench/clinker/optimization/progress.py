"""What a solve reports while it runs: incumbent, bound and gap (from HiGHS's callbacks)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SolveProgress:
    best_bound: float | None
    incumbent: float | None
    gap: str
    seconds: float
