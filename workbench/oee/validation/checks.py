"""Validation of OEE data against spec section 4: every check yields findings.

Single-table rules run as pandera schemas (:mod:`workbench.oee.contract.schema`); the checks
here span rows and tables (overlaps, references, quantities) or need the time model (planned
time, effectiveness). All of them work on whole columns, so a year of events checks in seconds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

import numpy as np
import pandas as pd

from workbench.core.findings import Finding, Severity, ValidationReport
from workbench.oee.contract.data import OeeData
from workbench.oee.contract.schema import (
    EVERY_MACHINE,
    ROW,
    TABLES,
    mask_findings,
    schema_findings,
)
from workbench.oee.model.timeline import build_timeline, lookup, micros, pri_minutes
from workbench.oee.model.windows import Window

UNCOVERED_SHARE = 0.05
MAX_EFFECTIVENESS = 1.05
WARN = Severity.WARNING

Check = Callable[[OeeData], Iterable[Finding]]


def _fmt(frame: pd.DataFrame, column: str) -> Callable[[int], str]:
    values = frame[column]
    return lambda i: str(values.iloc[i])


def _stamp(series: pd.Series, i: int, timezone: str) -> str:
    value = series.iloc[i]
    return "?" if pd.isna(value) else value.tz_convert(timezone).isoformat()


def check_schemas(data: OeeData) -> Iterator[Finding]:
    bad_cells = {(f.column, f.row) for f in data.read_findings
                 if f.check in ("bad_number", "bad_timestamp", "nonexistent_local_time")}
    for name, spec in TABLES.items():
        if name in data.files:
            yield from schema_findings(spec, data.tables[name], data.file_of(name), bad_cells)


def check_intervals(data: OeeData) -> Iterator[Finding]:
    """end <= start in calendar, state_events and counts."""
    tz = data.settings.timezone
    for table in ("calendar", "state_events", "counts"):
        frame = data.tables[table]
        if frame.empty:
            continue
        bad = (frame["end"] <= frame["start"]).fillna(False).to_numpy(dtype=bool)
        yield from mask_findings(
            bad, frame[ROW], lambda i, f=frame: (
                f"end {_stamp(f['end'], i, tz)} is not after start {_stamp(f['start'], i, tz)}; "
                "an interval needs end > start (intervals are [start, end))"),
            check="end_not_after_start", table=table, column="end", file=data.file_of(table))


def check_overlaps(data: OeeData) -> Iterator[Finding]:
    """Two state events of one machine that overlap."""
    ev = data.events
    ok = ev["machine_id"].notna() & ev["start"].notna() & ev["end"].notna() & \
        (ev["end"] > ev["start"])
    ev = ev[ok].sort_values(["machine_id", "start", "end"], kind="stable")
    if ev.empty:
        return
    machine = pd.factorize(ev["machine_id"])[0]
    start_us, end_us = micros(ev["start"]), micros(ev["end"])
    # the furthest end that the machine's earlier events reach, and the row that reaches it
    run = pd.Series(end_us).groupby(machine).cummax()
    reach = run.groupby(machine).shift(1).to_numpy(dtype=float)
    leader = pd.Series(np.where(end_us == run.to_numpy(), np.arange(len(ev)), -1))
    who = leader.groupby(machine).cummax().groupby(machine).shift(1).fillna(0).to_numpy(int)
    bad = start_us < reach  # NaN (a machine's first event) compares False
    rows = ev[ROW].to_numpy()
    other = rows[np.where(bad, who, 0)]
    tz = data.settings.timezone
    yield from mask_findings(
        bad, rows, lambda i: (
            f"machine {ev['machine_id'].iloc[i]}: this event starting "
            f"{_stamp(ev['start'], i, tz)} overlaps the event in row {other[i]}; a machine is "
            "in one state at a time, so shorten one of them"),
        check="overlapping_events", table="state_events", column="start",
        file=data.file_of("state_events"))


def check_machine_references(data: OeeData) -> Iterator[Finding]:
    known = set(data.machines["machine_id"].dropna())
    for table in ("ideal_rates", "calendar", "state_events", "counts"):
        frame = data.tables[table]
        col = frame["machine_id"]
        bad = col.notna() & ~col.isin(known)
        if table == "calendar":
            bad &= col != EVERY_MACHINE
        yield from mask_findings(
            bad.to_numpy(), frame[ROW], lambda i, col=col: (
                f"machine_id '{col.iloc[i]}' is not in machines; add the machine there or "
                "correct the id"),
            check="unknown_machine", table=table, column="machine_id",
            file=data.file_of(table))


def check_product_rates(data: OeeData) -> Iterator[Finding]:
    c = data.counts
    known = set(data.machines["machine_id"].dropna())
    codes = {m: i for i, m in enumerate(sorted(known))}
    code = lookup(list(codes), c["machine_id"])
    pri = pri_minutes(data, codes, code, c["product_id"])
    bad = np.isnan(pri) & (code >= 0) & c["product_id"].notna().to_numpy()
    yield from mask_findings(
        bad, c[ROW], lambda i: (
            f"product '{c['product_id'].iloc[i]}' has no ideal_rates row for machine "
            f"'{c['machine_id'].iloc[i]}'; add its ideal_cycle_time_s there"),
        check="unknown_product", table="counts", column="product_id",
        file=data.file_of("counts"))


def check_quantities(data: OeeData) -> Iterator[Finding]:
    c = data.counts
    file = data.file_of("counts")
    pq, gq, rq = c["produced_qty"], c["good_qty"], c["rework_qty"]
    over = (gq > pq).to_numpy()
    yield from mask_findings(
        over, c[ROW], lambda i: (f"good_qty {gq.iloc[i]:g} is more than produced_qty "
                                 f"{pq.iloc[i]:g}; good pieces are part of those produced"),
        check="good_exceeds_produced", table="counts", column="good_qty", file=file)
    plus = ((gq + rq) > pq).to_numpy() & ~over
    yield from mask_findings(
        plus, c[ROW], lambda i: (f"good_qty {gq.iloc[i]:g} + rework_qty {rq.iloc[i]:g} is more "
                                 f"than produced_qty {pq.iloc[i]:g}; correct the counts"),
        check="good_rework_exceed_produced", table="counts", column="rework_qty", file=file)
    su = c["startup_reject_qty"]
    scrap = pq - gq - rq
    extra = ((su > scrap) & (scrap >= 0)).to_numpy()
    yield from mask_findings(
        extra, c[ROW], lambda i: (
            f"startup_reject_qty {su.iloc[i]:g} is more than the scrap ({scrap.iloc[i]:g} = "
            "produced − good − rework); start-up rejects are part of scrap, so check the counts"),
        check="startup_rejects_exceed_scrap", table="counts", column="startup_reject_qty",
        file=file, severity=WARN)


STRUCTURAL: tuple[Check, ...] = (check_schemas, check_intervals, check_overlaps,
                                 check_machine_references, check_product_rates,
                                 check_quantities)


def planned_time_findings(data: OeeData) -> Iterator[Finding]:
    """Warnings that need the time model, per machine and shift (only on error-free data)."""
    if data.calendar.empty:
        return
    timeline = build_timeline(data, Window.shift)
    el = timeline.elements
    tz = data.settings.timezone

    def where(i: int) -> str:
        return f"machine {el['machine_id'].iloc[i]}, shift {el['window_label'].iloc[i]}"

    share = el["uncovered_min"] / el["pbt_min"].where(el["pbt_min"] > 0)
    high = (share > UNCOVERED_SHARE).to_numpy()
    yield from mask_findings(
        high, None, lambda i: (
            f"{where(i)}: {el['uncovered_min'].iloc[i]:.1f} of {el['pbt_min'].iloc[i]:.1f} "
            f"planned minutes ({share.iloc[i]:.0%}) have no state event and count as waiting "
            "(ADOT); check that the machine's log is complete"),
        check="uncovered_planned_time", table="state_events", column=None,
        file=data.file_of("state_events"), severity=WARN)
    ev = data.events
    outside = timeline.event_minutes - timeline.event_planned_min
    yield from mask_findings(
        outside > 1e-9, ev[ROW], lambda i: (
            f"machine {ev['machine_id'].iloc[i]}: {outside[i]:.1f} of this event's "
            f"{timeline.event_minutes[i]:.1f} minutes (from {_stamp(ev['start'], i, tz)}) fall "
            "outside planned busy time; they are reported as outside_planned_min and enter no "
            "KPI. Check the calendar if the machine was meant to work then"),
        check="event_outside_planned", table="state_events", column="start",
        file=data.file_of("state_events"), severity=WARN)
    c = data.counts
    yield from mask_findings(
        ~timeline.count_in_pbt, c[ROW], lambda i: (
            f"machine {c['machine_id'].iloc[i]}: this count ends at {_stamp(c['end'], i, tz)}, "
            "outside planned busy time, and is skipped; check its end or the calendar"),
        check="count_outside_planned", table="counts", column="end",
        file=data.file_of("counts"), severity=WARN)
    yield from mask_findings(
        timeline.count_spans_windows, c[ROW], lambda i: (
            f"machine {c['machine_id'].iloc[i]}: this count starts at "
            f"{_stamp(c['start'], i, tz)}, before the shift its end falls in; all its pieces "
            "go to that shift. Split counts at shift ends for exact shift figures"),
        check="count_spans_windows", table="counts", column="start",
        file=data.file_of("counts"), severity=WARN)
    apt = el["running_min"]
    effectiveness = el["ideal_min"] / apt.where(apt > 0)
    fast = (effectiveness > MAX_EFFECTIVENESS).to_numpy()
    yield from mask_findings(
        fast, None, lambda i: (
            f"{where(i)}: effectiveness is {effectiveness.iloc[i]:.2f} (pieces at ideal speed "
            f"{el['ideal_min'].iloc[i]:.1f} min in {apt.iloc[i]:.1f} min of run time); the "
            "ideal cycle time is probably too long or pieces are miscounted"),
        check="effectiveness_above_limit", table="ideal_rates", column="ideal_cycle_time_s",
        file=data.file_of("ideal_rates"), severity=WARN)
    cal = data.calendar
    overlapping = np.zeros(len(cal), dtype=bool)
    overlapping[timeline.overlapping_shift_rows] = True
    yield from mask_findings(
        overlapping, cal[ROW], lambda i: (
            f"machine {cal['machine_id'].iloc[i]}: this shift overlaps an earlier shift; the "
            "overlap counts in the earlier shift only. Make shifts follow each other"),
        check="overlapping_shifts", table="calendar", column="start",
        file=data.file_of("calendar"), severity=WARN)


def validate(data: OeeData) -> ValidationReport:
    """All findings for one input: read problems, single-table rules, cross-table checks and,
    when nothing is in error, the planned-time warnings."""
    report = ValidationReport()
    report.extend(data.read_findings)
    for check in STRUCTURAL:
        report.extend(check(data))
    if report.ok:
        report.extend(planned_time_findings(data))
    return report
