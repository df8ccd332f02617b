"""The `workbench payees` commands as an operator runs them: JSON shapes, files, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import run_cli

NAMES = ["Acme Corp.", "John and Mary Smith", "", "Dr. Jane Doe", "Nagar Nigam Lucknow",
         "City of Austin", "Smith & Sons Plumbing LLC"]


@pytest.fixture
def names_csv(tmp_path: Path) -> Path:
    path = tmp_path / "payees.csv"
    pd.DataFrame({"payee": NAMES, "amount_inr": range(len(NAMES))}).to_csv(path, index=False)
    return path


def _no_traceback(result) -> None:
    assert "Traceback" not in result.stderr + result.stdout


def test_classify_json_keeps_every_row_and_column(labelled, names_csv: Path) -> None:
    result = run_cli("payees", "classify", str(names_csv), "--column", "payee", "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    rows = payload["rows"]
    assert len(rows) == len(NAMES) and payload["names_per_second"] > 0
    assert {"name", "label", "confidence", "reason", "normalized", "amount_inr"} <= set(rows[0])
    by_name = {r["name"]: r for r in rows}
    assert by_name["Acme Corp."]["label"] == "business"
    assert by_name["Nagar Nigam Lucknow"]["label"] == "government"
    assert by_name["Dr. Jane Doe"]["label"] == "individual"
    assert rows[2]["label"] == "" and rows[2]["reason"].startswith("blank")


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_classify_out_writes_the_file(labelled, names_csv: Path, tmp_path: Path,
                                      suffix: str) -> None:
    out = tmp_path / f"labels{suffix}"
    result = run_cli("payees", "classify", str(names_csv), "--column", "payee", "--out",
                     str(out))
    assert result.returncode == 0, result.stderr
    frame = pd.read_csv(out, keep_default_na=False) if suffix == ".csv" else \
        pd.read_parquet(out)
    assert list(frame.columns) == ["payee", "amount_inr", "label", "confidence", "reason",
                                   "normalized"]
    assert len(frame) == len(NAMES)


def test_classify_bad_input(tmp_path: Path, names_csv: Path) -> None:
    cases = {
        "missing": (tmp_path / "nope.csv", "no such file"),
        "column": (names_csv, "no column 'name'"),
        "extension": (tmp_path / "names.txt", "cannot read '.txt'"),
        "empty": (tmp_path / "empty.csv", "empty"),
        "latin1": (tmp_path / "latin1.csv", "not UTF-8"),
        "parquet": (tmp_path / "broken.parquet", "not a readable .parquet"),
    }
    (tmp_path / "names.txt").write_text("name\nAcme\n")
    (tmp_path / "empty.csv").write_text("")
    (tmp_path / "latin1.csv").write_bytes("name\nMüller GmbH\n".encode("latin-1"))
    (tmp_path / "broken.parquet").write_bytes(b"not parquet at all")
    for what, (path, message) in cases.items():
        result = run_cli("payees", "classify", str(path))
        assert result.returncode == 1, (what, result.stderr)
        assert message in result.stderr and str(path.name) in result.stderr, what
        _no_traceback(result)
    bad_out = run_cli("payees", "classify", str(names_csv), "--column", "payee", "--out",
                      str(tmp_path / "x.json"))
    assert bad_out.returncode == 1 and "--out must end in .csv or .parquet" in bad_out.stderr


def test_usage_errors_exit_2(names_csv: Path) -> None:
    assert run_cli("payees", "classify").returncode == 2
    assert run_cli("payees", "match", str(names_csv)).returncode == 2  # no --master
    result = run_cli("payees", "match", str(names_csv), "--master", "m.csv", "--top-k", "0")
    assert result.returncode == 2


def test_synth_master_then_match(tmp_path: Path) -> None:
    master = tmp_path / "master.parquet"
    made = run_cli("payees", "synth-master", str(master), "--rows", "3000", "--seed", "5")
    assert made.returncode == 0, made.stderr
    suppliers = pd.read_parquet(master)
    assert len(suppliers) == 3000
    assert {"supplier_id", "name", "address", "city", "postal_code", "country",
            "tax_id"} <= set(suppliers.columns)
    picked = suppliers["name"].iloc[:3].tolist()
    queries = tmp_path / "queries.csv"
    pd.DataFrame({"name": [n.upper() for n in picked] + ["Zzyzx Unmatched Holdings"]}).to_csv(
        queries, index=False)
    result = run_cli("payees", "match", str(queries), "--master", str(master), "--top-k", "2",
                     "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["names_per_second"] > 0
    rows = payload["rows"]
    for row, name in zip(rows[:3], picked, strict=True):
        best = row["candidates"][0]
        assert set(best) == {"supplier_id", "name", "score", "match"}
        assert best["name"] == name and best["match"] is True
    assert not any(c["match"] for c in rows[3]["candidates"])
    out = tmp_path / "matches.csv"
    written = run_cli("payees", "match", str(queries), "--master", str(master), "--out",
                      str(out))
    assert written.returncode == 0, written.stderr
    long = pd.read_csv(out)
    assert {"name", "rank", "supplier_id", "supplier_name", "score", "match"} <= \
        set(long.columns)


def test_match_master_without_required_columns(tmp_path: Path, names_csv: Path) -> None:
    master = tmp_path / "master.csv"
    master.write_text("id,title\n1,Acme\n")
    result = run_cli("payees", "match", str(names_csv), "--column", "payee", "--master",
                     str(master))
    assert result.returncode == 1 and "supplier_id and name" in result.stderr
    _no_traceback(result)
