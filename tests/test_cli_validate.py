"""`workbench validate` as an operator meets it: exit codes, JSON shape, no tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import run_cli, write_tables


def _assert_clean_failure(result, *needles: str) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    for needle in needles:
        assert needle in result.stdout, result.stdout


def test_valid_demo_exits_zero(tmp_path):
    out = tmp_path / "demo"
    assert run_cli("demo-data", str(out)).returncode == 0
    result = run_cli("validate", str(out), "--json")
    assert result.returncode == 0
    assert json.loads(result.stdout) == {"errors": [], "warnings": []}


@pytest.mark.parametrize("use_xlsx", [False, True])
def test_public_data_json(public_data, use_xlsx, public_xlsx):
    result = run_cli("validate", str(public_xlsx if use_xlsx else public_data), "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["errors"] == []
    assert {"severity", "check", "table", "row", "column", "message"} <= set(
        payload["warnings"][0])
    checks = [w["check"] for w in payload["warnings"]]
    assert checks.count("opening_below_safety") == 28
    assert "demand_exceeds_supply" in checks


def test_errors_exit_one_with_json(tiny, tiny_folder):
    tiny["plant_master"][1]["node_type"] = "KILN"
    result = run_cli("validate", str(tiny_folder(tiny)), "--json")
    assert result.returncode == 1
    [finding] = json.loads(result.stdout)["errors"]
    assert finding == {"severity": "error", "check": "unknown_node_type", "table": "plant_master",
                       "row": 3, "column": "node_type", "message": finding["message"],
                       "file": "plant_master.csv"}
    assert "IU, GU, EXT" in finding["message"]


def _broken(tiny: dict, folder: Path, table: str, content: bytes) -> Path:
    write_tables(tiny, folder)
    (folder / f"{table}.csv").write_bytes(content)
    return folder


BROKEN_FILES = {
    "random bytes": ("demand_forecast", bytes(range(256)) * 4, "demand_forecast"),
    "truncated csv": ("production_capacity_cost",
                      b"node_id,period,capacity_t,cost_inr_per_t\nIU_A,1,1000,1500\nIU_A,2,10",
                      "cost_inr_per_t"),
    "latin-1 encoding": ("plant_master",
                         "node_id,node_type,name\nIU_A,IU,Kiln Şahin é\n".encode("cp1254"),
                         "UTF-8"),
    "empty file": ("demand_forecast", b"", "demand_forecast"),
    "huge number": ("demand_forecast", b"node_id,period,demand_t\nGU_X,1,1e400\n", "demand_t"),
    "NaN demand": ("demand_forecast", b"node_id,period,demand_t\nGU_X,1,NaN\n", "demand_t"),
    "nul bytes": ("plant_master", b"node_id,node_type\x00\x00\nIU_A,IU\n", "plant_master"),
    "ragged row": ("plant_master", b"node_id,node_type\nIU_A,IU,extra,cells\n", "plant_master"),
}


@pytest.mark.parametrize("case", list(BROKEN_FILES))
def test_broken_csv_never_tracebacks(tiny, tmp_path, case):
    table, content, needle = BROKEN_FILES[case]
    folder = _broken(tiny, tmp_path / "net", table, content)
    _assert_clean_failure(run_cli("validate", str(folder)), needle, f"{table}.csv")


def test_missing_table_named(tiny, tiny_folder):
    del tiny["transport_routes_modes"]
    _assert_clean_failure(run_cli("validate", str(tiny_folder(tiny))),
                          "transport_routes_modes", "missing")


def test_empty_sheet_in_workbook(tiny, tmp_path):
    path = tmp_path / "net.xlsx"
    with pd.ExcelWriter(path) as writer:
        for table, rows in tiny.items():
            frame = pd.DataFrame(rows) if table != "demand_forecast" else pd.DataFrame()
            frame.to_excel(writer, sheet_name=table, index=False)
    _assert_clean_failure(run_cli("validate", str(path)), "demand_forecast", "header")


def test_corrupt_workbook(tmp_path):
    path = tmp_path / "net.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not really a zip")
    _assert_clean_failure(run_cli("validate", str(path)), "net.xlsx", ".xlsx")
    payload = json.loads(run_cli("validate", str(path), "--json").stdout)
    assert [f["check"] for f in payload["errors"]] == ["unreadable_file"]  # one, not five


def test_blank_codes_read_as_any_not_nan(public_xlsx):
    payload = json.loads(run_cli("validate", str(public_xlsx), "--json").stdout)
    lanes = [w["message"] for w in payload["warnings"] if w["check"] == "bound_without_lane"]
    assert lanes and not [m for m in lanes if "nan" in m.lower()]
    assert any("by any mode" in m for m in lanes)


def test_missing_path(tmp_path):
    _assert_clean_failure(run_cli("validate", str(tmp_path / "nowhere")), "does not exist")


def test_help_lists_commands():
    result = run_cli("--help")
    assert result.returncode == 0
    assert "validate" in result.stdout and "demo-data" in result.stdout
    assert "--json" in run_cli("validate", "--help").stdout


def test_misspelt_header_reads_like_a_checklist(tiny, tmp_path):
    for row in tiny["demand_forecast"]:
        row["demnd_t"] = row.pop("demand_t")
    tiny["plant_master"][1]["opening_stock_t"] = -5
    result = run_cli("validate", str(write_tables(tiny, tmp_path / "net")))
    _assert_clean_failure(result, "did you mean 'demnd_t'?")
    lines = result.stdout.splitlines()
    # the headline first, naming the files with errors; then one line per error, in table order
    assert lines[0].endswith("2 errors (1 in plant_master.csv, 1 in demand_forecast.csv), "
                             "0 warnings; fix the errors, then run again"), lines[0]
    assert [line.split()[1] for line in lines[1:3]] == ["plant_master.csv,",
                                                        "demand_forecast.csv,"]
    assert len(lines) == 3
