"""`workbench oee ...` as an operator meets it: demo data, validate, kpis; JSON shapes, exit
codes, and no traceback on broken input."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli
from tests.oee_data import day, events, folder_from, one_machine

ROW_KEYS = {"window_start", "window_label", "pbt_min", "apt_min", "aust_min", "adet_min",
            "adot_min", "outside_planned_min", "pq", "gq", "sq", "rq", "ideal_min",
            "fully_productive_min", "availability", "effectiveness", "quality", "oee", "nee",
            "technical_efficiency", "utilisation_efficiency", "allocation_efficiency",
            "setup_ratio", "scrap_ratio", "losses_min"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("oee") / "plant"
    result = run_cli("oee", "demo-data", str(out), "--days", "7")
    assert result.returncode == 0, result.stderr
    return out


def _clean_failure(result, code=1):
    assert result.returncode == code, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_demo_validates_with_warnings_only(demo):
    result = run_cli("oee", "validate", str(demo), "--json")
    assert result.returncode == 0, result.stdout
    payload = json.loads(result.stdout)
    assert payload["errors"] == []
    assert {"severity", "check", "table", "row", "column", "message"} <= set(
        payload["warnings"][0])


def test_kpis_json_shape(demo):
    result = run_cli("oee", "kpis", str(demo), "--by", "line,machine", "--window", "day",
                     "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert (payload["convention"], payload["window"]) == ("iso", "day")
    row = payload["rows"][0]
    assert set(row) == ROW_KEYS | {"line_id", "machine_id"}
    assert set(row["losses_min"]) == {"breakdowns", "setup", "minor_stops", "reduced_speed",
                                      "process_defects", "reduced_yield"}
    assert len(row["window_label"]) == 10 and row["window_start"].endswith(("+01:00",
                                                                           "+02:00"))
    machines = {r["machine_id"] for r in payload["rows"]}
    assert len(machines) == 12


def test_line_rollup_equals_the_summed_machines(demo):
    def rows(by):
        out = run_cli("oee", "kpis", str(demo), "--by", by, "--window", "week", "--json",
                      "--convention", "vorne")
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout)["rows"]

    machines, lines = rows("machine,line"), rows("line")
    for line in lines:
        mine = [m for m in machines if m["line_id"] == line["line_id"]
                and m["window_start"] == line["window_start"]]
        fp = sum(m["fully_productive_min"] for m in mine)
        pbt = sum(m["pbt_min"] for m in mine)
        assert line["oee"] == pytest.approx(fp / pbt, rel=1e-12)


def test_human_output(demo):
    result = run_cli("oee", "kpis", str(demo), "--by", "site", "--window", "week")
    assert result.returncode == 0
    assert "OEE" in result.stdout and "S1" in result.stdout


def test_csv_parquet_and_xlsx_give_the_same_kpis(tmp_path):
    outputs = []
    for fmt, path in (("csv", tmp_path / "c"), ("parquet", tmp_path / "p"),
                      ("xlsx", tmp_path / "w.xlsx")):
        made = run_cli("oee", "demo-data", str(path), "--format", fmt, "--days", "3",
                       "--lines", "1", "--machines", "2")
        assert made.returncode == 0, made.stderr
        result = run_cli("oee", "kpis", str(path), "--by", "machine", "--window", "shift",
                         "--json")
        assert result.returncode == 0, result.stderr
        outputs.append(json.loads(result.stdout)["rows"])
    assert outputs[0] == outputs[1] == outputs[2]


def test_broken_inputs_exit_one_without_traceback(tmp_path):
    rec = one_machine()
    rec["state_events"] = events("m1", ("06:00", "14:00", "running"))
    rec["state_events"][0]["start"] = "yesterday"
    folder = folder_from(rec, tmp_path / "bad")
    for command in (["validate"], ["kpis", "--by", "machine"]):
        result = run_cli("oee", *command, str(folder), "--json")
        _clean_failure(result)
        [finding] = json.loads(result.stdout)["errors"]
        assert (finding["check"], finding["row"], finding["column"], finding["file"]) == \
            ("bad_timestamp", 2, "start", "state_events.csv")
    (folder / "counts.csv").write_bytes(b"\xff\xfe\x00garbage")
    _clean_failure(run_cli("oee", "validate", str(folder)))
    _clean_failure(run_cli("oee", "kpis", str(tmp_path / "missing"), "--by", "machine"))
    (tmp_path / "not.xlsx").write_text("not a workbook")
    _clean_failure(run_cli("oee", "validate", str(tmp_path / "not.xlsx"), "--json"))
    (folder / "state_events.parquet").write_bytes(b"PAR1 broken")
    _clean_failure(run_cli("oee", "validate", str(folder)))


def test_usage_errors_exit_two(tmp_path):
    rec = one_machine()
    folder = folder_from(rec, tmp_path / "ok")
    _clean_failure(run_cli("oee", "kpis", str(folder), "--by", "plant"), code=2)
    _clean_failure(run_cli("oee", "kpis", str(folder), "--by", "machine", "--window",
                           "year"), code=2)
    _clean_failure(run_cli("oee", "kpis", str(folder), "--by", "machine", "--convention",
                           "mine"), code=2)


def test_count_ending_at_shift_end_belongs_to_that_shift(tmp_path):
    rec = one_machine()
    rec["calendar"].append({"machine_id": "m1", "start": day("14:00"), "end": day("22:00"),
                            "kind": "shift", "shift_id": "B"})
    rec["state_events"] = events("m1", ("06:00", "22:00", "running"))
    rec["counts"] = [{"machine_id": "m1", "start": day("13:00"), "end": day("14:00"),
                      "product_id": "p1", "produced_qty": 100, "good_qty": 100}]
    result = run_cli("oee", "kpis", str(folder_from(rec, tmp_path / "d")), "--by", "machine",
                     "--window", "shift", "--json")
    rows = json.loads(result.stdout)["rows"]
    assert [(r["window_label"], r["pq"]) for r in rows] == [("A", 100), ("B", 0)]
