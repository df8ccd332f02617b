"""Vectorised arithmetic on sets of half-open intervals [start, end), one set per machine.

Every machine's intervals live on one shared integer axis: ``key = machine_code * stride +
(t - origin)``, with times in microseconds. A machine's intervals can then never meet another
machine's, so a single sorted array and ``numpy.searchsorted`` do per-machine unions,
intersections and differences for all machines at once, without a Python loop over intervals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

I64 = np.int64
_MAX_KEY = np.iinfo(np.int64).max // 2


@dataclass(frozen=True)
class Axis:
    """The shared axis: where time starts and how far apart two machines sit."""

    origin_us: int
    stride_us: int

    @classmethod
    def covering(cls, lo_us: int, hi_us: int, n_machines: int) -> Axis:
        stride = int(hi_us - lo_us) + 2
        if n_machines * stride >= _MAX_KEY:
            raise ValueError(
                f"{n_machines} machines over {stride / 8.64e10:,.0f} days do not fit one "
                "64-bit time axis; split the data into shorter periods")
        return cls(int(lo_us) - 1, stride)

    def key(self, code: np.ndarray, t_us: np.ndarray) -> np.ndarray:
        return code.astype(I64) * self.stride_us + (t_us.astype(I64) - self.origin_us)

    def time(self, key: np.ndarray) -> np.ndarray:
        return key % self.stride_us + self.origin_us

    def machine(self, key: np.ndarray) -> np.ndarray:
        return key // self.stride_us

    def span(self, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The whole axis of each machine: [code * stride, (code + 1) * stride)."""
        codes = codes.astype(I64)
        return codes * self.stride_us, (codes + 1) * self.stride_us


def union(start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Merge overlapping or touching intervals into a sorted, disjoint set."""
    if len(start) == 0:
        return start.astype(I64), end.astype(I64)
    order = np.argsort(start, kind="stable")
    s, e = start[order], end[order]
    reach = np.maximum.accumulate(e)
    new = np.ones(len(s), dtype=bool)
    new[1:] = s[1:] > reach[:-1]
    last = np.append(new[1:], True)  # each merged interval ends at its last member's reach
    return s[new], reach[last]


def intersect(a_start: np.ndarray, a_end: np.ndarray, b_start: np.ndarray,
              b_end: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every non-empty overlap of an A interval with a B interval.

    B must be sorted and disjoint; A may be anything. Returns (index into A, index into B,
    overlap start, overlap end), ordered by A then B.
    """
    lo = np.searchsorted(b_end, a_start, side="right")  # first B ending after A starts
    hi = np.searchsorted(b_start, a_end, side="left")  # B intervals starting before A ends
    counts = np.maximum(hi - lo, 0)
    # Most A intervals (events) meet exactly one B (an atom of planned time), so pairs are
    # placed by their output offset and only A intervals with several matches are expanded.
    offset = np.cumsum(counts) - counts
    ia = np.empty(int(offset[-1] + counts[-1]) if len(counts) else 0, dtype=I64)
    ib = np.empty_like(ia)
    one = np.flatnonzero(counts == 1)
    ia[offset[one]], ib[offset[one]] = one, lo[one]
    many = np.flatnonzero(counts > 1)
    if len(many):
        n = counts[many]
        at = np.repeat(offset[many], n)
        within = np.arange(len(at)) - np.repeat(np.cumsum(n) - n, n)
        ia[at + within] = np.repeat(many, n)
        ib[at + within] = np.repeat(lo[many], n) + within
    s = np.maximum(a_start[ia], b_start[ib])
    e = np.minimum(a_end[ia], b_end[ib])
    keep = e > s
    if keep.all():
        return ia, ib, s, e
    return ia[keep], ib[keep], s[keep], e[keep]


def complement(start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The gaps of a sorted, disjoint set on the whole axis (including both unbounded ends)."""
    lo, hi = np.iinfo(np.int64).min // 4, np.iinfo(np.int64).max // 4
    s = np.concatenate([[lo], end]).astype(I64)
    e = np.concatenate([start, [hi]]).astype(I64)
    keep = e > s
    return s[keep], e[keep]


def subtract(a_start: np.ndarray, a_end: np.ndarray, b_start: np.ndarray,
             b_end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A minus B, both sorted and disjoint; the result is sorted and disjoint."""
    gs, ge = complement(b_start, b_end)
    _, _, s, e = intersect(a_start, a_end, gs, ge)
    return s, e


def locate_closed_end(points: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Index of the interval whose span (start, end] holds each point, or -1.

    Open at its start and closed at its end: a count ending exactly at 14:00 belongs to the
    interval that ends at 14:00. ``start``/``end`` must be sorted and disjoint.
    """
    if len(end) == 0:
        return np.full(len(points), -1, dtype=I64)
    idx = np.searchsorted(end, points, side="left")  # first interval with end >= point
    inside = idx < len(end)
    safe = np.where(inside, idx, 0)
    inside &= start[safe] < points
    return np.where(inside, idx, -1)
