"""The reject checks of spec section 2, vectorised over a whole batch (numpy, no row loops).

Each row gets at most one reason, the first that holds: unparseable, unknown_well, duplicate,
out_of_range, frozen. Choices where the spec is open (documented in docs/esp.md):

- ``duplicate`` compares with rows that are stored (raw or archived) or earlier in the batch
  (file order) and are accepted. An earlier copy that is itself rejected does not make a later
  one a duplicate; the checks iterate until that is settled (rarely more than once).
- ``frozen``: the "previous 30 accepted rows" are the well's accepted rows before this one in
  time order, stored ones included. A blank value never equals anything.
- ``late``: an accepted row whose ts is earlier than the newest accepted ts of its well seen
  before it (stored, or earlier in the batch).

Duplicates and frozen runs look within one well, and back in time only, so a batch can be
checked a part (a run of days) at a time: :meth:`Context.then` carries each well's last
``FROZEN_RUN`` rows from one part to the next. Lateness looks back in file order, across
days: :func:`late` settles it within a part, and the ingest pipeline adds the rows made late
by a later part's rows that came earlier in the files.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.esp.contract.schema import FROZEN_COLUMNS, FROZEN_RUN, RANGES, REASONS

ACCEPTED = -1
CODE = {name: i for i, name in enumerate(REASONS)}


@dataclass
class Context:
    """Stored rows of the wells and days a batch touches (plus the days before, for frozen):
    well codes (indexes into the registry), ts, and the frozen columns."""

    code: np.ndarray
    ts_ns: np.ndarray
    frozen_values: np.ndarray  # (n, 3) float64
    last_ts_ns: np.ndarray  # per registry code: newest stored ts, int64 min when none

    def of_wells(self, wells: np.ndarray) -> Context:
        """The stored rows of some wells only."""
        keep = np.isin(self.code, wells)
        return Context(self.code[keep], self.ts_ns[keep], self.frozen_values[keep],
                       self.last_ts_ns)

    @classmethod
    def empty(cls, n_wells: int) -> Context:
        return cls(np.empty(0, np.int64), np.empty(0, np.int64), np.empty((0, 3)),
                   np.full(n_wells, np.iinfo(np.int64).min))

    def plus(self, code: np.ndarray, ts: np.ndarray, values: np.ndarray) -> Context:
        return Context(np.concatenate([self.code, code]), np.concatenate([self.ts_ns, ts]),
                       np.concatenate([self.frozen_values, values]), self.last_ts_ns)

    def then(self, code: np.ndarray, ts: np.ndarray, values: np.ndarray) -> Context:
        """What the frozen check of later rows needs of these rows followed by ``code``,
        ``ts``, ``values`` (a part's rows that passed the other checks): each well's last
        ``FROZEN_RUN`` rows in time order. A row is frozen when its ``FROZEN_RUN`` rows
        before are equal to it, so older rows can never decide it."""
        if len(code) and sort_order(code, ts) is None:
            # in (well, ts) order, as a part's rows mostly are: only each well's last
            # FROZEN_RUN rows can be kept, so the sort below is of those only
            last = np.flatnonzero(np.append(code[1:] != code[:-1], True))
            first = np.append(0, last[:-1] + 1)
            back = np.arange(FROZEN_RUN)
            tail = (last[:, None] - back[None, :]).ravel()
            tail = np.sort(tail[tail >= np.repeat(first, FROZEN_RUN)])
            code, ts, values = code[tail], ts[tail], values[tail]
        both = self.plus(code, ts, values)
        order = sort_order(both.code, both.ts_ns)
        s_code, s_ts, s_vals = (_take(a, order) for a in (both.code, both.ts_ns,
                                                           both.frozen_values))
        n = len(s_code)
        if n == 0:
            return both
        end = np.ones(n, bool)
        end[:-1] = s_code[1:] != s_code[:-1]
        ends = np.flatnonzero(end)
        # rows after each row within its well: its well's last index minus its own
        after = ends[np.searchsorted(ends, np.arange(n))] - np.arange(n)
        keep = after < FROZEN_RUN
        return Context(s_code[keep], s_ts[keep], s_vals[keep], self.last_ts_ns)


@dataclass
class Verdict:
    reason: np.ndarray  # int8: ACCEPTED or an index into REASONS
    out_of_range_column: np.ndarray  # int8 index into RANGES of the first bad metric, -1

    @property
    def accepted(self) -> np.ndarray:
        return self.reason == ACCEPTED

    def counts(self) -> dict[str, int]:
        found = np.bincount(self.reason[self.reason >= 0], minlength=len(REASONS))
        return {name: int(found[i]) for i, name in enumerate(REASONS)}


def sort_order(code: np.ndarray, ts: np.ndarray) -> np.ndarray | None:
    """A stable order by (code, ts), or None when the arrays are in that order already."""
    if len(code) < 2:
        return None
    dc, dt = np.diff(code), np.diff(ts)
    if np.all((dc > 0) | ((dc == 0) & (dt >= 0))):
        return None
    lo, span = int(ts.min()), int(ts.max()) - int(ts.min()) + 1
    if code.min() >= 0 and (int(code.max()) + 1) * span < 2**62:
        # one int64 key, stably sorted: the same order as lexsort, 3-4x faster on a part
        # (its stored rows and its own rows are two sorted runs, which timsort merges)
        return np.argsort(code * span + (ts - lo), kind="stable")
    return np.lexsort((ts, code))


def _take(values: np.ndarray, order: np.ndarray | None) -> np.ndarray:
    return values if order is None else values[order]


def out_of_range(metrics: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Rows with any metric outside its range, and the first such metric's index."""
    n = len(next(iter(metrics.values())))
    bad = np.zeros(n, bool)
    column = np.full(n, -1, np.int8)
    for i, (name, (lo, hi)) in enumerate(RANGES.items()):
        values = metrics[name]
        with np.errstate(invalid="ignore"):
            outside = (values < lo) | (values > hi)
        column[outside & ~bad] = i
        bad |= outside
    return bad, column


def _duplicates(code, ts, eligible_batch, ctx: Context) -> np.ndarray:
    """For batch rows (in file order): is there an earlier eligible row with the same key?

    Stored rows always count; batch rows count where ``eligible_batch``."""
    n_stored = len(ctx.code)
    all_code = np.concatenate([ctx.code, code])
    all_ts = np.concatenate([ctx.ts_ns, ts])
    eligible = np.concatenate([np.ones(n_stored, bool), eligible_batch])
    order = sort_order(all_code, all_ts)
    s_code, s_ts, s_elig = (_take(a, order) for a in (all_code, all_ts, eligible))
    n = len(s_code)
    if n == 0:
        return np.zeros(0, bool)
    start = np.ones(n, bool)
    start[1:] = (s_code[1:] != s_code[:-1]) | (s_ts[1:] != s_ts[:-1])
    before = np.cumsum(s_elig) - s_elig  # eligible rows strictly before, overall
    base = before[np.maximum.accumulate(np.where(start, np.arange(n), 0))]
    dup_sorted = (before - base) > 0
    dup = np.empty(n, bool)
    if order is None:
        dup = dup_sorted
    else:
        dup[order] = dup_sorted
    return dup[n_stored:]


def _frozen(code, ts, columns: list[np.ndarray], vsd, candidate, ctx: Context) -> np.ndarray:
    """Batch candidates whose frozen columns equal those of the well's previous 30 accepted
    rows (stored or candidates) while the VSD runs."""
    idx = np.flatnonzero(candidate)
    n_stored = len(ctx.code)
    all_code = np.concatenate([ctx.code, code[idx]])
    all_ts = np.concatenate([ctx.ts_ns, ts[idx]])
    # only the candidates' rows of the frozen columns (a full (n, 3) copy was 100 MB a month)
    all_vals = np.concatenate([ctx.frozen_values, np.column_stack([c[idx] for c in columns])])
    order = sort_order(all_code, all_ts)
    s_code, s_vals = (_take(a, order) for a in (all_code, all_vals))
    n = len(s_code)
    frozen = np.zeros(len(code), bool)
    if n == 0:
        return frozen
    same = np.zeros(n, bool)
    same[1:] = s_code[1:] == s_code[:-1]
    for j in range(s_vals.shape[1]):  # column by column: np.all(axis=1) was 3x slower
        same[1:] &= s_vals[1:, j] == s_vals[:-1, j]
    run_start = np.maximum.accumulate(np.where(~same, np.arange(n), 0))
    pos_sorted = np.arange(n) - run_start
    pos = pos_sorted if order is None else np.empty(n, np.int64)
    if order is not None:
        pos[order] = pos_sorted
    mine = pos[n_stored:] >= FROZEN_RUN
    with np.errstate(invalid="ignore"):
        frozen[idx] = mine & (vsd[idx] > 0)
    return frozen


def late(code: np.ndarray, ts: np.ndarray, accepted: np.ndarray,
         last_ts_ns: np.ndarray) -> np.ndarray:
    """Accepted rows (in file order) older than the newest accepted ts of their well seen
    before them: stored (``last_ts_ns`` per code) or earlier among these rows."""
    idx = np.flatnonzero(accepted)
    found = np.zeros(len(code), bool)
    if len(idx) == 0:
        return found
    c, t = code[idx], ts[idx]
    # inclusive running max per well in file order: a row is late when it is below it
    running = pd.Series(t).groupby(c).cummax().to_numpy()
    found[idx] = (t < running) | (t < last_ts_ns[c])
    return found


def check(code: np.ndarray, ts: np.ndarray, metrics: dict[str, np.ndarray],
          unparseable: np.ndarray, ctx: Context) -> Verdict:
    """The verdict on every row but lateness (:func:`late`). ``code`` is the well's index in
    the registry, -1 when the well is unknown (ignored where ``unparseable``)."""
    n = len(code)
    reason = np.full(n, ACCEPTED, np.int8)
    reason[unparseable] = CODE["unparseable"]
    unknown = ~unparseable & (code < 0)
    reason[unknown] = CODE["unknown_well"]
    cand = ~unparseable & ~unknown
    oor, oor_col = out_of_range(metrics)
    values = [metrics[c] for c in FROZEN_COLUMNS]
    vsd = metrics["vsd_frequency_hz"]
    safe_code = np.where(cand, code, 0)
    rejected_keepers = np.zeros(n, bool)
    dup_full = np.zeros(n, bool)
    frozen = np.zeros(n, bool)
    rows, sub_ctx = cand, ctx  # the first pass covers every well
    for _ in range(10):
        eligible = cand & ~oor & ~rejected_keepers
        dup_full[rows] = _duplicates(safe_code[rows], ts[rows], eligible[rows], sub_ctx)
        fresh = rows & ~dup_full & ~oor
        found = _frozen(safe_code, ts, values, vsd, fresh, sub_ctx)
        frozen[rows] = found[rows]
        # a frozen row is not accepted: a later copy of it is then not a duplicate
        again = frozen & ~rejected_keepers
        if not again.any() or not _has_later_copy(safe_code, ts, cand, again):
            break
        rejected_keepers |= again
        # both checks look within a well only, so the next pass redoes the wells concerned
        wells = np.unique(safe_code[again])
        rows = cand & np.isin(safe_code, wells)
        sub_ctx = ctx.of_wells(wells)
    reason[dup_full] = CODE["duplicate"]
    reason[cand & ~dup_full & oor] = CODE["out_of_range"]
    reason[frozen] = CODE["frozen"]
    return Verdict(reason=reason,
                   out_of_range_column=np.where(reason == CODE["out_of_range"], oor_col, -1))


def _has_later_copy(code, ts, cand, frozen) -> bool:
    others = cand & ~frozen
    # the few frozen rows' ts first (an int isin), then (well, ts) pairs among those only
    near = others & pd.Series(ts, copy=False).isin(ts[frozen]).to_numpy()  # hashed: np.isin sorted
    if not near.any():
        return False
    keys = pd.MultiIndex.from_arrays([code[frozen], ts[frozen]])
    return bool(pd.MultiIndex.from_arrays([code[near], ts[near]]).isin(keys).any())
