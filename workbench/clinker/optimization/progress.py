"""Read HiGHS's MIP log as it streams and report incumbent, bound and gap."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass

_NUMBER = r"(-?(?:inf|\d[\d.]*(?:e[+-]?\d+)?))"
# HiGHS B&B lines end: BestBound BestSol Gap | Cuts InLp Confl. | LpIters Time
_ROW = re.compile(_NUMBER + r"\s+" + _NUMBER + r"\s+(\S+%|inf|Large)\s+.*?(\d+(?:\.\d+)?)s\s*$",
                  re.IGNORECASE)


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
            match = _ROW.search(line)
            if match:
                bound, sol, gap, secs = match.groups()
                self._on_progress(SolveProgress(_num(bound), _num(sol), gap, float(secs)))
        return len(text)
