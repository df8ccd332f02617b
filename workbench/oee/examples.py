"""A reproducible demo plant: sites, lines of machines, shifts with breaks, products with their
own ideal rates, and an event log with breakdowns, setups, minor stops, starvation and scrap.

Everything is generated from a seed with numpy (one loop per machine, none per event), so the
same call gives the same plant everywhere, and a year of 100 machines takes seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.oee.model import intervals as iv

MIN = 60_000_000  # microseconds per minute
BREAKDOWN_REASONS = ("motor overload", "bearing failure", "hydraulic leak", "sensor fault",
                     "conveyor belt tear", "PLC fault")
MINOR_REASONS = ("jam", "misfeed", "sensor blocked", "label roll change", "operator check")
WAITING_REASONS = ("starved: no material from upstream", "blocked: downstream full",
                   "no order", "waiting for operator", "waiting for quality release")
SETUP_REASONS = ("changeover", "order start", "tool change")
SCRAP_REASONS = ("dimension out of tolerance", "surface defect", "material flaw",
                 "seal failure")
STARTUP_REASON = "start-up rejects after changeover"
# (state, share of stops, mean minutes)
STOPS = (("minor_stop", 0.55, 2.0), ("waiting", 0.18, 12.0), ("breakdown", 0.09, 35.0),
         ("setup", 0.18, 25.0))
PATTERNS = {  # shift name -> (start hour, length h, break offset h, break minutes)
    "3x8": (("early", 6, 8, 4, 30), ("late", 14, 8, 4, 30), ("night", 22, 8, 4, 30)),
    "2x8": (("early", 6, 8, 4, 30), ("late", 14, 8, 4, 30)),
    "2x12": (("day", 6, 12, 6, 45), ("night", 18, 12, 6, 45)),
}


@dataclass(frozen=True)
class PlantSpec:
    """The shape of a generated plant."""

    sites: int = 1
    lines_per_site: int = 3
    machines_per_line: int = 4
    days: int = 28
    start: str = "2024-03-04"
    timezone: str = "Europe/Berlin"
    patterns: tuple[str, ...] = ("3x8", "2x8", "3x8")  # per line, cycled
    weekends_off: bool = True  # for 2x8 lines
    mean_run_min: float = 25.0
    stop_scale: float = 1.0  # stop lengths x this (below 1: many short stops)
    products_per_line: int = 3
    lost_event_share: float = 0.003  # events missing from the log (uncovered time)
    early_starts: bool = True  # a few events before the first shift (outside planned time)
    first_site: int = 1  # number of the first site (plants generated apart get distinct ids)


def _machines(spec: PlantSpec) -> pd.DataFrame:
    rows = []
    for s in range(spec.first_site, spec.first_site + spec.sites):
        for li in range(spec.lines_per_site):
            line = f"S{s}-L{li + 1}"
            for m in range(spec.machines_per_line):
                rows.append({"machine_id": f"{line}-M{m + 1:02d}", "line_id": line,
                             "site_id": f"S{s}", "name": f"{line} station {m + 1}"})
    return pd.DataFrame(rows)


def _ideal_rates(machines: pd.DataFrame, spec: PlantSpec, rng: np.random.Generator
                 ) -> pd.DataFrame:
    rows = []
    for m in machines.itertuples():
        base = rng.uniform(1.5, 6.0)
        for p in range(spec.products_per_line):
            rows.append({"machine_id": m.machine_id, "product_id": f"{m.line_id}-P{p + 1}",
                         "ideal_cycle_time_s": round(base * (0.7 + 0.35 * p), 2)})
    return pd.DataFrame(rows)


def _calendar(machines: pd.DataFrame, spec: PlantSpec) -> pd.DataFrame:
    days = pd.date_range(spec.start, periods=spec.days, freq="D")
    lines = list(dict.fromkeys(machines["line_id"]))
    rows = []
    for li, line in enumerate(lines):
        pattern = spec.patterns[li % len(spec.patterns)]
        ids = machines.loc[machines["line_id"] == line, "machine_id"]
        for day in days:
            if pattern == "2x8" and spec.weekends_off and day.day_of_week >= 5:
                continue
            for name, hour, length, brk, brk_min in PATTERNS[pattern]:
                # local clock times; a night shift across a DST change is 7 or 9 hours long
                start = _local(day + pd.Timedelta(hours=hour), spec.timezone)
                end = _local(day + pd.Timedelta(hours=hour + length), spec.timezone)
                b0 = start + pd.Timedelta(hours=brk)
                shift_id = f"{day:%Y-%m-%d}-{name}"
                for mid in ids:
                    rows.append((mid, start, end, "shift", shift_id))
                    rows.append((mid, b0, b0 + pd.Timedelta(minutes=brk_min), "planned_down",
                                 None))
    frame = pd.DataFrame(rows, columns=["machine_id", "start", "end", "kind", "shift_id"])
    for col in ("start", "end"):
        frame[col] = pd.to_datetime(frame[col], utc=True)
    return frame


def _local(naive: pd.Timestamp, timezone: str) -> pd.Timestamp:
    return naive.tz_localize(timezone, ambiguous=True, nonexistent="shift_forward")


def _us(series: pd.Series) -> np.ndarray:
    return series.dt.as_unit("us").array.asi8  # type: ignore[union-attr]


def _pick(rng: np.random.Generator, options: tuple[str, ...], n: int) -> np.ndarray:
    return np.asarray(options, dtype=object)[rng.integers(0, len(options), n)]


def _machine_log(rng: np.random.Generator, spec: PlantSpec, lo: int, hi: int
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A continuous run/stop log for one machine from lo to hi (µs): starts, ends, states."""
    states_p = np.array([p for _, p, _ in STOPS])
    mean_cycle = spec.mean_run_min + spec.stop_scale * float(np.dot(states_p,
                                                                    [m for *_, m in STOPS]))
    n = int((hi - lo) / MIN / mean_cycle * 1.3) + 10
    stop = rng.choice(len(STOPS), size=n, p=states_p / states_p.sum())
    stop_mean = np.array([m for *_, m in STOPS])[stop] * spec.stop_scale
    stop_len = np.maximum(rng.gamma(2.0, stop_mean / 2.0), 0.3)
    run_len = np.maximum(rng.exponential(spec.mean_run_min, n), 1.0)
    lengths = np.empty(2 * n)
    lengths[0::2], lengths[1::2] = run_len, stop_len
    codes = np.empty(2 * n, dtype=np.int64)
    codes[0::2], codes[1::2] = -1, stop
    ends = lo + np.cumsum(np.round(lengths * 60) * 1_000_000).astype(np.int64)  # whole s
    starts = np.concatenate([[lo], ends[:-1]])
    keep = starts < hi
    return starts[keep], np.minimum(ends[keep], hi), codes[keep]


def demo_plant(spec: PlantSpec | None = None, seed: int = 2026) -> dict[str, pd.DataFrame]:
    """The contract's tables for a generated plant (timestamps as UTC instants)."""
    spec = spec or PlantSpec()
    rng = np.random.default_rng(seed)
    machines = _machines(spec)
    rates = _ideal_rates(machines, spec, rng)
    calendar = _calendar(machines, spec)
    code = {m: i for i, m in enumerate(machines["machine_id"])}
    lo, hi = int(_us(calendar["start"]).min()), int(_us(calendar["end"]).max())
    axis = iv.Axis.covering(lo - 60 * MIN, hi, len(machines))
    cal_code = calendar["machine_id"].map(code).to_numpy()
    ks = axis.key(cal_code, _us(calendar["start"]))
    ke = axis.key(cal_code, _us(calendar["end"]))
    shift = (calendar["kind"] == "shift").to_numpy()
    pbt = iv.subtract(*iv.union(ks[shift], ke[shift]), *iv.union(ks[~shift], ke[~shift]))
    # the log is cut where shifts meet, as an MES does at shift change
    order = np.argsort(ks[shift])
    _, _, cut_s, cut_e = iv.intersect(ks[shift][order], ke[shift][order], *pbt)
    pbt = (cut_s, cut_e)

    events, counts = [], []
    for m in machines.itertuples():
        c = code[m.machine_id]
        starts, ends, codes = _machine_log(rng, spec, lo, hi)
        _, ib, s, e = iv.intersect(pbt[0], pbt[1], axis.key(np.full(len(starts), c), starts),
                                   axis.key(np.full(len(starts), c), ends))
        s, e, st = axis.time(s), axis.time(e), codes[ib]
        products = rates.loc[rates["machine_id"] == m.machine_id]
        events.append(_events_frame(rng, spec, m.machine_id, s, e, st))
        counts.append(_counts_frame(rng, m.machine_id, s, e, st, products))
    ev = pd.concat(events, ignore_index=True)
    keep = rng.random(len(ev)) >= spec.lost_event_share
    # lost log lines are stops (a counter keeps counting pieces of lost running time, which
    # would look like a machine beating its ideal rate)
    ev = ev[keep | ev["state"].isin(["running", "setup"])]
    if spec.early_starts:
        ev = pd.concat([ev, _early_starts(calendar, ev)], ignore_index=True)
    ev = ev.sort_values(["machine_id", "start"], ignore_index=True)
    settings = pd.DataFrame({"key": ["timezone", "convention"],
                             "value": [spec.timezone, "iso"]})
    return {"machines": machines, "ideal_rates": rates, "calendar": calendar,
            "state_events": ev, "counts": pd.concat(counts, ignore_index=True),
            "settings": settings}


_STATE_NAMES = np.array([s for s, *_ in STOPS] + ["running"], dtype=object)  # -1 -> running


def _events_frame(rng: np.random.Generator, spec: PlantSpec, machine: str, s: np.ndarray,
                  e: np.ndarray, st: np.ndarray) -> pd.DataFrame:
    states = _STATE_NAMES[st]
    n = len(s)
    reason = np.full(n, None, dtype=object)
    for state, options in (("breakdown", BREAKDOWN_REASONS), ("minor_stop", MINOR_REASONS),
                           ("waiting", WAITING_REASONS), ("setup", SETUP_REASONS)):
        mask = states == state
        reason[mask] = _pick(rng, options, int(mask.sum()))
    order_no = np.cumsum(states == "setup")
    order = np.char.add(f"{machine}-ORD", order_no.astype(str)).astype(object)
    return pd.DataFrame({"machine_id": machine, "start": _ts(s), "end": _ts(e),
                         "state": states, "reason": reason, "order_id": order})


def _ts(us: np.ndarray) -> pd.Series:
    return pd.Series(pd.to_datetime(np.asarray(us), unit="us", utc=True))


def _counts_frame(rng: np.random.Generator, machine: str, s: np.ndarray, e: np.ndarray,
                  st: np.ndarray, products: pd.DataFrame) -> pd.DataFrame:
    """Hourly count rows cut at setups (a new order, a new product), within planned time."""
    is_setup = _STATE_NAMES[st] == "setup"
    order_no = np.cumsum(is_setup)
    product_idx = rng.integers(0, len(products), order_no.max() + 1)[order_no]
    # a count row per (hour, order): break at hour changes and at every setup
    hour = s // (60 * MIN)
    new = np.ones(len(s), dtype=bool)
    new[1:] = (hour[1:] != hour[:-1]) | (order_no[1:] != order_no[:-1]) | (s[1:] != e[:-1])
    group = np.cumsum(new) - 1
    running = np.where(_STATE_NAMES[st] == "running", (e - s) / MIN, 0.0)
    run_min = np.bincount(group, running)
    g_start, g_end = s[new], np.maximum.reduceat(e, np.flatnonzero(new))
    g_product = product_idx[new]
    ict_s = products["ideal_cycle_time_s"].to_numpy()[g_product]
    speed = rng.uniform(0.82, 0.99, len(run_min))
    produced = np.floor(run_min * 60.0 / ict_s * speed)
    first_of_order = np.ones(len(g_start), dtype=bool)
    first_of_order[1:] = order_no[new][1:] != order_no[new][:-1]
    startup = np.where(first_of_order, np.minimum(rng.integers(3, 20, len(produced)), produced),
                       0)
    scrap = startup + rng.binomial((produced - startup).astype(np.int64), 0.012)
    rework = rng.binomial((produced - scrap).astype(np.int64), 0.004)
    good = produced - scrap - rework
    reason = np.where(scrap > startup, _pick(rng, SCRAP_REASONS, len(scrap)), None)
    reason = np.where((startup > 0) & (scrap == startup), STARTUP_REASON, reason)
    frame = pd.DataFrame({
        "machine_id": machine, "start": _ts(g_start), "end": _ts(g_end),
        "product_id": products["product_id"].to_numpy()[g_product],
        "produced_qty": produced.astype(np.int64), "good_qty": good.astype(np.int64),
        "rework_qty": rework.astype(np.int64), "startup_reject_qty": startup.astype(np.int64),
        "scrap_reason": reason})
    return frame[frame["produced_qty"] > 0].reset_index(drop=True)


def _early_starts(calendar: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Ten minutes of running before each machine's first shift: outside planned time."""
    first = calendar[calendar["kind"] == "shift"].groupby("machine_id")["start"].min()
    return pd.DataFrame({"machine_id": first.index, "start": first - pd.Timedelta(minutes=10),
                         "end": first, "state": "running", "reason": "early start",
                         "order_id": None}).reset_index(drop=True)
