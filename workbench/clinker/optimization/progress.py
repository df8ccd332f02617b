"""Read HiGHS's MIP log as it streams and report incumbent, bound and gap."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass

# A HiGHS branch-and-bound row, after an optional one-letter source column:
#   Proc. InQueue | Leaves Expl. | BestBound BestSol Gap | Cuts InLp Confl. | LpIters Time
# It is read from the right, because "Expl." is itself a percentage that a left-anchored
# pattern mistakes for the gap.
_TIME = re.compile(r"^(\d+(?:\.\d+)?)s$")
_FIELDS = 12

@dataclass(frozen=True)
class SolveProgress:
    best_bound: float | None
    incumbent: float | None
    gap: str
    seconds: float


def _num(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return None if value in (float("inf"), float("-inf")) else value


class HighsLogStream(io.TextIOBase):
    """A file-like sink for ``tee`` that calls ``on_progress`` for each B&B log row."""

    def __init__(self, on_progress: Callable[[SolveProgress], None]) -> None:
        super().__init__()
        self._on_progress = on_progress
        self._buffer = ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._buffer += text
        *lines, self._buffer = self._buffer.split("\n")
        for line in lines:
            progress = parse_row(line)
            if progress is not None:
                self._on_progress(progress)
        return len(text)


def parse_row(line: str) -> SolveProgress | None:
    """One B&B log row as progress; None for any other line of the log."""
    tokens = line.split()
    if len(tokens) < _FIELDS or not _TIME.match(tokens[-1]) or not tokens[-9].endswith("%"):
        return None
    bound, incumbent, gap = tokens[-8], tokens[-7], tokens[-6]
    if gap not in ("inf", "Large") and not gap.endswith("%"):
        return None
    return SolveProgress(_num(bound), _num(incumbent), gap,
                         float(_TIME.match(tokens[-1]).group(1)))  # type: ignore[union-attr]
