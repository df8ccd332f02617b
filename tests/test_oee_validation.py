"""Every check of spec section 4 trips on a broken input, at the right table, row and column,
and stays quiet on good data."""

from __future__ import annotations

import pytest

from tests.oee_data import copy_of, data_from, day, events, one_machine
from workbench.oee.validation import validate


def _base():
    rec = one_machine([("10:00", "10:30")])
    rec["state_events"] = events("m1", ("06:00", "06:20", "setup"),
                                 ("06:20", "10:00", "running"),
                                 ("10:30", "12:00", "running"),
                                 ("12:00", "12:30", "breakdown"),
                                 ("12:30", "13:00", "minor_stop"),
                                 ("13:00", "14:00", "waiting"))
    rec["counts"] = [
        {"machine_id": "m1", "start": day("06:00"), "end": day("10:00"), "product_id": "p1",
         "produced_qty": 400, "good_qty": 380, "rework_qty": 5, "startup_reject_qty": 10},
        {"machine_id": "m1", "start": day("10:30"), "end": day("14:00"), "product_id": "p1",
         "produced_qty": 150, "good_qty": 150}]
    return rec


def test_the_base_case_is_clean():
    report = validate(data_from(_base()))
    assert report.findings == []


def _set(table, row, column, value):
    def change(rec):
        rec[table][row][column] = value
    return change


def _drop_table(name):
    def change(rec):
        del rec[name]
    return change


def _drop_column(table, column):
    def change(rec):
        for row in rec[table]:
            row.pop(column, None)
    return change


def _add(table, row):
    def change(rec):
        rec[table].append(row)
    return change


ERRORS = [
    # (change, check, table, spreadsheet row, column)
    (_drop_table("ideal_rates"), "missing_table", "ideal_rates", None, None),
    (_drop_column("state_events", "state"), "missing_column", "state_events", None, "state"),
    (_set("state_events", 2, "start", "2024-13-45T06:00"), "bad_timestamp", "state_events",
     4, "start"),
    (_set("counts", 1, "good_qty", "lots"), "bad_number", "counts", 3, "good_qty"),
    (_set("calendar", 0, "end", day("05:00")), "end_not_after_start", "calendar", 2, "end"),
    (_set("state_events", 1, "end", day("06:20")), "end_not_after_start", "state_events", 3,
     "end"),
    (_set("counts", 0, "end", day("06:00")), "end_not_after_start", "counts", 2, "end"),
    (_set("state_events", 2, "start", day("09:00")), "overlapping_events", "state_events", 4,
     "start"),
    (_set("state_events", 0, "machine_id", "m9"), "unknown_machine", "state_events", 2,
     "machine_id"),
    (_set("counts", 1, "machine_id", "m9"), "unknown_machine", "counts", 3, "machine_id"),
    (_set("calendar", 1, "machine_id", "m9"), "unknown_machine", "calendar", 3, "machine_id"),
    (_set("counts", 1, "product_id", "p9"), "unknown_product", "counts", 3, "product_id"),
    (_set("state_events", 5, "state", "idle"), "unknown_state", "state_events", 7, "state"),
    (_set("calendar", 1, "kind", "break"), "unknown_kind", "calendar", 3, "kind"),
    (_set("counts", 1, "good_qty", 151), "good_exceeds_produced", "counts", 3, "good_qty"),
    (_set("counts", 0, "rework_qty", 30), "good_rework_exceed_produced", "counts", 2,
     "rework_qty"),
    (_set("counts", 1, "rework_qty", -1), "negative_quantity", "counts", 3, "rework_qty"),
    (_set("ideal_rates", 0, "ideal_cycle_time_s", 0), "nonpositive_cycle_time",
     "ideal_rates", 2, "ideal_cycle_time_s"),
    (_set("state_events", 0, "machine_id", ""), "blank_required_cell", "state_events", 2,
     "machine_id"),
    (_add("machines", {"machine_id": "m1", "line_id": "L2"}), "duplicate_key", "machines", 3,
     "machine_id"),
    (_add("settings", {"key": "timezone", "value": "Mars/Olympus"}), "bad_setting",
     "settings", 2, "value"),
]


@pytest.mark.parametrize(("change", "check", "table", "row", "column"), ERRORS,
                         ids=[f"{e[1]}-{e[2]}" for e in ERRORS])
def test_each_error_is_found_where_it_is(change, check, table, row, column):
    rec = copy_of(_base())
    rec.setdefault("settings", [])
    change(rec)
    report = validate(data_from(rec))
    hits = report.by_check(check)
    assert hits, [str(f) for f in report]
    assert all(f.is_error for f in hits)
    assert (hits[0].table, hits[0].row, hits[0].column) == (table, row, column)
    assert len(hits[0].message) > 30  # it says what to fix, not just what is wrong
    assert not report.ok


def test_overlap_names_the_other_row():
    rec = _base()
    rec["state_events"][2]["start"] = day("09:00")  # row 4 now starts inside row 3
    [hit] = validate(data_from(rec)).by_check("overlapping_events")
    assert "row 3" in hit.message


WARNINGS = [
    ("uncovered_planned_time", lambda r: r["state_events"].pop(5), "state_events", None),
    ("event_outside_planned",
     lambda r: r["state_events"].append({"machine_id": "m1", "start": day("14:00"),
                                         "end": day("15:00"), "state": "running"}),
     "state_events", 8),
    ("count_outside_planned",
     lambda r: r["counts"][1].update(start=day("10:05"), end=day("10:20")), "counts", 3),
    ("effectiveness_above_limit", _set("ideal_rates", 0, "ideal_cycle_time_s", 120),
     "ideal_rates", None),
    ("count_spans_windows",
     lambda r: (r["calendar"].append({"machine_id": "m1", "start": day("14:00"),
                                      "end": day("22:00"), "kind": "shift",
                                      "shift_id": "B"}),
                r["counts"].append({"machine_id": "m1", "start": day("13:00"),
                                    "end": day("15:00"), "product_id": "p1",
                                    "produced_qty": 10, "good_qty": 10})),
     "counts", 4),
]


@pytest.mark.parametrize(("check", "change", "table", "row"), WARNINGS,
                         ids=[w[0] for w in WARNINGS])
def test_each_warning_is_found_and_does_not_block(check, change, table, row):
    rec = copy_of(_base())
    change(rec)
    report = validate(data_from(rec))
    hits = report.by_check(check)
    assert hits and all(not f.is_error for f in hits), [str(f) for f in report]
    assert (hits[0].table, hits[0].row) == (table, row)
    assert report.ok


def test_uncovered_time_below_five_percent_is_quiet():
    rec = _base()
    rec["state_events"][5]["start"] = day("13:20")  # 20 of 450 min uncovered: 4.4 %
    assert validate(data_from(rec)).by_check("uncovered_planned_time") == []


def test_many_bad_rows_are_listed_up_to_a_cap_with_a_count():
    rec = _base()
    rec["counts"] = [{"machine_id": "m1", "start": day("06:00"), "end": day("07:00"),
                      "product_id": "p1", "produced_qty": 1, "good_qty": 2}] * 120
    hits = validate(data_from(rec)).by_check("good_exceeds_produced")
    assert len(hits) == 51
    assert "70 more rows" in hits[-1].message


def test_naive_time_in_the_dst_gap_is_an_error():
    rec = _base()
    rec["settings"] = [{"key": "timezone", "value": "Europe/Berlin"}]
    rec["state_events"][0]["start"] = "2024-03-31T02:30:00"
    [hit] = validate(data_from(rec)).by_check("nonexistent_local_time")
    assert (hit.row, hit.column) == (2, "start") and "offset" in hit.message
