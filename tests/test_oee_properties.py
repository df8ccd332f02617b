"""Properties on random event logs (hypothesis), and the PyPI ``oee`` package as an outside
cross-check on random single-product shifts."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.oee_data import data_from
from workbench.oee.contract.schema import STATES
from workbench.oee.kpis import LOSSES, Convention, compute_kpis
from workbench.oee.model.windows import Window
from workbench.oee.validation import validate

T0 = datetime(2024, 3, 30, 18, 0)  # across the Europe/Berlin DST change of 31 March


def _ts(minutes: float) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat() + "+00:00"


@st.composite
def plants(draw):
    machines = [f"m{i}" for i in range(draw(st.integers(1, 3)))]
    rec = {"machines": [{"machine_id": m, "line_id": f"L{i % 2}", "site_id": "S"}
                        for i, m in enumerate(machines)],
           "ideal_rates": [{"machine_id": m, "product_id": p,
                            "ideal_cycle_time_s": draw(st.sampled_from([6, 12, 30, 45]))}
                           for m in machines for p in ("a", "b")],
           "calendar": [], "state_events": [], "counts": [],
           "settings": [{"key": "timezone", "value": "Europe/Berlin"}]}
    for m in machines:
        t = draw(st.integers(0, 120))
        for k in range(draw(st.integers(1, 4))):  # shifts, possibly with gaps between them
            length = draw(st.integers(60, 600))
            rec["calendar"].append({"machine_id": m, "start": _ts(t), "end": _ts(t + length),
                                    "kind": "shift", "shift_id": f"{m}-{k}"})
            for _ in range(draw(st.integers(0, 2))):
                a = t + draw(st.integers(-30, length))
                rec["calendar"].append({"machine_id": m, "start": _ts(a),
                                        "end": _ts(a + draw(st.integers(1, 60))),
                                        "kind": "planned_down"})
            t += length + draw(st.sampled_from([0, 0, 30, 600]))
        t = draw(st.integers(-60, 60))
        for _ in range(draw(st.integers(0, 40))):  # events, with gaps (uncovered time)
            t += draw(st.sampled_from([0, 0, 0, 5, 47]))
            length = draw(st.integers(1, 240))
            rec["state_events"].append({"machine_id": m, "start": _ts(t),
                                        "end": _ts(t + length),
                                        "state": draw(st.sampled_from(STATES))})
            t += length
        for _ in range(draw(st.integers(0, 8))):
            a = draw(st.integers(-60, 2000))
            produced = draw(st.integers(0, 500))
            good = draw(st.integers(0, produced))
            rework = draw(st.integers(0, produced - good))
            startup = draw(st.integers(0, produced - good - rework))
            rec["counts"].append({"machine_id": m, "start": _ts(a),
                                  "end": _ts(a + draw(st.integers(1, 300))),
                                  "product_id": draw(st.sampled_from(["a", "b"])),
                                  "produced_qty": produced, "good_qty": good,
                                  "rework_qty": rework, "startup_reject_qty": startup})
    return rec


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plants(), st.sampled_from(list(Window)), st.sampled_from(list(Convention)),
       st.sampled_from([["machine_id"], ["line_id"], []]))
def test_six_losses_fully_productive_and_adot_add_up_to_pbt(rec, window, convention, by):
    data = data_from(rec)
    assert validate(data).ok
    payload = compute_kpis(data, by, window, convention)
    for row in payload["rows"]:
        parts = sum(row["losses_min"][k] for k in LOSSES) + row["fully_productive_min"] + \
            row["adot_min"]
        assert parts == pytest.approx(row["pbt_min"], abs=1e-6)
        assert row["apt_min"] + row["aust_min"] + row["adet_min"] + row["adot_min"] == \
            pytest.approx(row["pbt_min"], abs=1e-6)
        assert row["outside_planned_min"] >= -1e-9


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plants())
def test_every_window_sums_to_the_same_totals(rec):
    """Splitting time into shifts, days or weeks moves no minute and no piece."""
    data = data_from(rec)
    totals = {}
    for window in (Window.shift, Window.day, Window.week, Window.all):
        rows = compute_kpis(data, [], window)["rows"]
        totals[window] = [sum(r[k] for r in rows) for k in ("pbt_min", "apt_min", "adot_min",
                                                             "fully_productive_min")]
    assert totals[Window.day] == pytest.approx(totals[Window.all], abs=1e-6)
    assert totals[Window.week] == pytest.approx(totals[Window.all], abs=1e-6)
    # shift rows hold all planned time; pieces can only go missing in no window at all
    assert totals[Window.shift][0] == pytest.approx(totals[Window.all][0], abs=1e-6)


@settings(max_examples=40, deadline=None)
@given(run=st.integers(60, 480), setup=st.integers(0, 60), breakdown=st.integers(0, 60),
       waiting=st.integers(0, 60), cycle_s=st.sampled_from([1, 2, 5, 30, 45]),
       speed=st.floats(0.3, 1.0), good_share=st.floats(0.0, 1.0))
def test_agrees_with_the_pypi_oee_package(run, setup, breakdown, waiting, cycle_s, speed,
                                          good_share):
    oee_pkg = pytest.importorskip("oee")
    t = 0
    spans = []
    for state, minutes in (("setup", setup), ("running", run), ("breakdown", breakdown),
                           ("waiting", waiting)):
        if minutes:
            spans.append((t, t + minutes, state))
            t += minutes
    produced = int(run * 60 / cycle_s * speed)
    good = int(produced * good_share)
    rec = {"machines": [{"machine_id": "m", "line_id": "L"}],
           "ideal_rates": [{"machine_id": "m", "product_id": "p",
                            "ideal_cycle_time_s": cycle_s}],
           "calendar": [{"machine_id": "m", "start": _ts(0), "end": _ts(t), "kind": "shift"}],
           "state_events": [{"machine_id": "m", "start": _ts(a), "end": _ts(b), "state": s}
                            for a, b, s in spans],
           "counts": [{"machine_id": "m", "start": _ts(0), "end": _ts(t), "product_id": "p",
                       "produced_qty": produced, "good_qty": good}]}
    [row] = compute_kpis(data_from(rec), ["machine_id"])["rows"]
    theirs = oee_pkg.oee(planned_production_time=t, run_time=run,
                         ideal_cycle_time=cycle_s / 60, total_count=produced,
                         good_count=good)
    assert row["availability"] == pytest.approx(theirs.availability, abs=1e-9)
    assert row["effectiveness"] == pytest.approx(theirs.performance, abs=1e-9)
    if produced:
        assert row["quality"] == pytest.approx(theirs.quality, abs=1e-9)
    assert row["oee"] == pytest.approx(theirs.oee, abs=1e-9)
