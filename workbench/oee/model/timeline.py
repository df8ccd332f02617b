"""The time model of spec section 2, per machine and window, for all machines at once.

POT is the union of a machine's shifts, PDOT its planned-down time within POT, PBT the rest.
State events are clipped to PBT and split at window boundaries by interval intersection on one
shared integer axis (see :mod:`workbench.oee.model.intervals`); durations and counts are then
summed per machine-window with ``numpy.bincount``. No Python loop runs over events or counts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.oee.contract.data import OeeData
from workbench.oee.contract.schema import EVERY_MACHINE, STATES
from workbench.oee.model import intervals as iv
from workbench.oee.model.windows import Window, calendar_boundaries, iso_local, local_date

US_PER_MIN = 60_000_000
STATE_CODE = {s: i for i, s in enumerate(STATES)}
# the summed elements of one machine-window; every KPI is formed from sums of these
TIME_COLUMNS = ("pbt_min", "running_min", "setup_min", "breakdown_min", "minor_stop_min",
                "waiting_min", "uncovered_min", "outside_planned_min")
COUNT_COLUMNS = ("pq", "gq", "rq", "sq", "startup_reject_qty", "ideal_min",
                 "fully_productive_min", "process_defects_min", "reduced_yield_min")
ELEMENT_COLUMNS = TIME_COLUMNS + COUNT_COLUMNS


def micros(series: pd.Series) -> np.ndarray:
    """UTC instants as int64 microseconds since the epoch."""
    return series.dt.as_unit("us").array.asi8  # type: ignore[union-attr]


@dataclass
class Timeline:
    """Elements per machine-window, plus per-row facts the validation warns about."""

    elements: pd.DataFrame  # one row per machine-window with any planned or event time
    event_planned_min: np.ndarray  # per state_events row: its minutes inside PBT
    event_minutes: np.ndarray  # per state_events row: its length
    count_in_pbt: np.ndarray  # per counts row: its end falls in PBT (else it is skipped)
    count_spans_windows: np.ndarray  # per counts row: it starts before its window
    overlapping_shift_rows: np.ndarray  # calendar positions of shifts that overlap an earlier one


@dataclass
class _Axis:
    axis: iv.Axis
    codes: dict[str, int]
    lo_us: int
    hi_us: int


def _machine_codes(data: OeeData) -> dict[str, int]:
    ids = sorted(set(data.machines["machine_id"].dropna()))
    return {m: i for i, m in enumerate(ids)}


def _codes(machine_ids: pd.Series, codes: dict[str, int]) -> np.ndarray:
    return lookup(list(codes), machine_ids)


def lookup(categories: list[str], values: pd.Series) -> np.ndarray:
    """Position of each value among ``categories`` (-1 when absent), vectorised."""
    return pd.Index(categories).get_indexer(pd.Index(values)).astype(np.int64)


def _axis(data: OeeData, codes: dict[str, int]) -> _Axis:
    starts = [micros(t["start"]) for t in (data.calendar, data.events, data.counts) if len(t)]
    ends = [micros(t["end"]) for t in (data.calendar, data.events, data.counts) if len(t)]
    lo = int(min(a.min() for a in starts)) if starts else 0
    hi = int(max(a.max() for a in ends)) if ends else 1
    return _Axis(iv.Axis.covering(lo, hi, max(len(codes), 1)), codes, lo, hi)


def _calendar_rows(data: OeeData, ax: _Axis, kind: str) -> pd.DataFrame:
    """Calendar rows of one kind with ``*`` expanded to every machine, keyed on the axis."""
    cal = data.calendar
    cal = cal.assign(_pos=np.arange(len(cal)))[cal["kind"] == kind]
    every = cal[cal["machine_id"] == EVERY_MACHINE]
    own = cal[cal["machine_id"] != EVERY_MACHINE].assign(code=lambda f: _codes(
        f["machine_id"], ax.codes))
    spread = every.merge(pd.DataFrame({"code": np.arange(len(ax.codes), dtype=np.int64)}),
                         how="cross")
    rows = pd.concat([own, spread], ignore_index=True)
    rows = rows[rows["code"] >= 0]
    s, e = micros(rows["start"]), micros(rows["end"])
    return rows.assign(s_us=s, e_us=e, ks=ax.axis.key(rows["code"].to_numpy(), s),
                       ke=ax.axis.key(rows["code"].to_numpy(), e))


def planned_busy_time(data: OeeData, ax: _Axis) -> tuple[np.ndarray, np.ndarray]:
    """PBT = union of shifts minus union of planned-down intervals, per machine."""
    shifts = _calendar_rows(data, ax, "shift")
    down = _calendar_rows(data, ax, "planned_down")
    pot = iv.union(shifts["ks"].to_numpy(), shifts["ke"].to_numpy())
    pdot = iv.union(down["ks"].to_numpy(), down["ke"].to_numpy())
    return iv.subtract(*pot, *pdot)


def _windows(data: OeeData, ax: _Axis, window: Window) -> tuple[pd.DataFrame, np.ndarray]:
    """Disjoint windows per machine, sorted on the axis: code, ks, ke, start_us, label.

    Also returns the calendar positions of shifts that overlap an earlier shift of the same
    machine (their overlap goes to the earlier shift).
    """
    n = len(ax.codes)
    none = np.array([], dtype=np.int64)
    if window is Window.shift:
        rows = _calendar_rows(data, ax, "shift").sort_values(["ks", "ke"], kind="stable")
        rows = rows.drop_duplicates(["ks", "ke"])
        ks, ke = rows["ks"].to_numpy(), rows["ke"].to_numpy()
        reach = np.maximum.accumulate(ke) if len(ke) else ke
        prior = np.concatenate([[np.iinfo(np.int64).min], reach[:-1]])
        overlapped = ks < prior
        ks = np.maximum(ks, prior)
        keep = ke > ks
        labels = rows["shift_id"].to_numpy(dtype=object, copy=True)
        starts = rows["s_us"].to_numpy()
        unnamed = pd.isna(labels)
        if unnamed.any():
            labels[unnamed] = iso_local(starts[unnamed], data.settings.timezone)
        frame = pd.DataFrame({"code": rows["code"].to_numpy(), "ks": ks, "ke": ke,
                              "start_us": starts, "end_us": rows["e_us"].to_numpy(),
                              "label": labels})[keep]
        bad = rows["_pos"].to_numpy()[overlapped & (rows["machine_id"] != EVERY_MACHINE)
                                      .to_numpy()]
        return frame.reset_index(drop=True), np.unique(bad)
    if window is Window.all:
        codes = np.arange(n, dtype=np.int64)
        ks, ke = ax.axis.span(codes)
        return pd.DataFrame({"code": codes, "ks": ks, "ke": ke - 1,
                             "start_us": np.full(n, ax.lo_us), "end_us": np.full(n, ax.hi_us),
                             "label": "all"}), none
    bounds = calendar_boundaries(ax.lo_us, ax.hi_us, window, data.settings.timezone)
    starts, ends = bounds[:-1], bounds[1:]
    clip_lo, clip_hi = ax.axis.origin_us, ax.axis.origin_us + ax.axis.stride_us - 1
    cs, ce = np.clip(starts, clip_lo, clip_hi), np.clip(ends, clip_lo, clip_hi)
    useful = ce > cs
    starts, ends, cs, ce = starts[useful], ends[useful], cs[useful], ce[useful]
    codes = np.repeat(np.arange(n, dtype=np.int64), len(starts))
    tile = np.tile
    labels = local_date(starts, data.settings.timezone)
    return pd.DataFrame({"code": codes, "ks": ax.axis.key(codes, tile(cs, n)),
                         "ke": ax.axis.key(codes, tile(ce, n)), "start_us": tile(starts, n),
                         "end_us": tile(ends, n), "label": tile(labels, n)}), none


def build_timeline(data: OeeData, window: Window) -> Timeline:
    """Every time element and count of every machine-window (spec section 2)."""
    codes = _machine_codes(data)
    ax = _axis(data, codes)
    pbt_s, pbt_e = planned_busy_time(data, ax)
    win, overlapping = _windows(data, ax, window)
    nw = len(win)
    w_s, w_e = win["ks"].to_numpy(), win["ke"].to_numpy()
    _, a_w, a_s, a_e = iv.intersect(pbt_s, pbt_e, w_s, w_e)  # atoms: PBT cut at windows
    out: dict[str, np.ndarray] = {"pbt_min": np.bincount(a_w, a_e - a_s, minlength=nw)}

    ev = data.events
    ev_code = _codes(ev["machine_id"], codes)
    ev_s = ax.axis.key(ev_code, micros(ev["start"]))
    ev_e = ax.axis.key(ev_code, micros(ev["end"]))
    state = lookup(list(STATES), ev["state"])
    ia, ib, s, e = iv.intersect(ev_s, ev_e, a_s, a_e)
    by_state = np.bincount(a_w[ib] * len(STATES) + state[ia], e - s,
                           minlength=nw * len(STATES)).reshape(nw, len(STATES))
    for name, code in STATE_CODE.items():
        out[f"{name}_min"] = by_state[:, code]
    out["uncovered_min"] = out["pbt_min"] - by_state.sum(axis=1)
    _, jb, s2, e2 = iv.intersect(ev_s, ev_e, w_s, w_e)
    out["outside_planned_min"] = np.bincount(jb, e2 - s2, minlength=nw) - by_state.sum(axis=1)
    if (a_e - a_s).sum() == (pbt_e - pbt_s).sum():
        # the windows cover all of PBT (they always do when made from the calendar), so an
        # event's planned time is its time in the atoms: one pass over 10 M events saved
        event_planned = np.bincount(ia, e - s, minlength=len(ev))
    else:
        ia3, _, s3, e3 = iv.intersect(ev_s, ev_e, pbt_s, pbt_e)
        event_planned = np.bincount(ia3, e3 - s3, minlength=len(ev))

    counts = _count_elements(data, ax, codes, pbt_s, pbt_e, w_s, w_e, nw)
    out.update(counts.sums)
    frame = pd.DataFrame({k: (v / US_PER_MIN if k.endswith("_min") and k in TIME_COLUMNS
                              else v) for k, v in out.items()})
    frame = _label(frame, win, data, codes)
    active = (frame["pbt_min"] > 0) | (frame["outside_planned_min"] > 0) | (frame["pq"] > 0)
    return Timeline(
        elements=frame[active].reset_index(drop=True),
        event_planned_min=event_planned / US_PER_MIN,
        event_minutes=(ev_e - ev_s) / US_PER_MIN,
        count_in_pbt=counts.in_pbt, count_spans_windows=counts.spans,
        overlapping_shift_rows=overlapping)


@dataclass
class _Counts:
    sums: dict[str, np.ndarray]
    in_pbt: np.ndarray
    spans: np.ndarray


def pri_minutes(data: OeeData, codes: dict[str, int], machine_code: np.ndarray,
                product: pd.Series) -> np.ndarray:
    """Each count row's ideal cycle time in minutes per piece (NaN without an ideal rate)."""
    rates = data.ideal_rates
    products = sorted(set(rates["product_id"].dropna()) | set(product.dropna()))
    table = np.full((max(len(codes), 1), max(len(products), 1)), np.nan)
    r_m = _codes(rates["machine_id"], codes)
    r_p = lookup(products, rates["product_id"])
    ok = (r_m >= 0) & (r_p >= 0)
    table[r_m[ok], r_p[ok]] = rates["ideal_cycle_time_s"].to_numpy()[ok] / 60.0
    p = lookup(products, product)
    valid = (machine_code >= 0) & (p >= 0)
    out = np.full(len(product), np.nan)
    out[valid] = table[machine_code[valid], p[valid]]
    return out


def _count_elements(data: OeeData, ax: _Axis, codes: dict[str, int], pbt_s: np.ndarray,
                    pbt_e: np.ndarray, w_s: np.ndarray, w_e: np.ndarray, nw: int) -> _Counts:
    c = data.counts
    code = _codes(c["machine_id"], codes)
    start = ax.axis.key(code, micros(c["start"]))
    end = ax.axis.key(code, micros(c["end"]))
    in_pbt = iv.locate_closed_end(end, pbt_s, pbt_e) >= 0
    w = iv.locate_closed_end(end, w_s, w_e)
    use = in_pbt & (w >= 0)
    spans = use & (start < w_s[np.where(w >= 0, w, 0)])
    pri = pri_minutes(data, codes, code, c["product_id"])
    pq, gq = c["produced_qty"].to_numpy(float), c["good_qty"].to_numpy(float)
    rq, su = c["rework_qty"].to_numpy(float), c["startup_reject_qty"].to_numpy(float)
    sq = pq - gq - rq
    wu = w[use]

    def total(values: np.ndarray) -> np.ndarray:
        return np.bincount(wu, values[use], minlength=nw)

    sums = {"pq": total(pq), "gq": total(gq), "rq": total(rq), "sq": total(sq),
            "startup_reject_qty": total(su),
            "ideal_min": total(pri * pq), "fully_productive_min": total(pri * gq),
            "process_defects_min": total(pri * (sq - su + rq)),
            "reduced_yield_min": total(pri * su)}
    return _Counts(sums, in_pbt, spans)


def _label(frame: pd.DataFrame, win: pd.DataFrame, data: OeeData,
           codes: dict[str, int]) -> pd.DataFrame:
    machines = data.machines.drop_duplicates("machine_id").set_index("machine_id")
    ids = np.array(list(codes), dtype=object)
    machine_id = ids[win["code"].to_numpy()] if len(ids) else np.array([], dtype=object)
    keys = pd.DataFrame({
        "machine_id": machine_id,
        "line_id": machines["line_id"].reindex(machine_id).to_numpy(),
        "site_id": machines["site_id"].reindex(machine_id).to_numpy(),
        "window_start_us": win["start_us"].to_numpy(),
        "window_end_us": win["end_us"].to_numpy(),
        "window_label": win["label"].to_numpy(),
    })
    return pd.concat([keys, frame], axis=1)
