"""Payee runs, masters and corrections in the store (SQLite and PostgreSQL), under the roles."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select

from tests.conftest import run_cli
from workbench.core.access import AccessDenied, Principal, Role
from workbench.payees.classify import training_examples
from workbench.payees.store import records
from workbench.payees.store.models import PayeeClassification, PayeeRun
from workbench.store.db import open_store
from workbench.store.models import AuditEntry

ADMIN = Principal("ana", Role.ADMIN)
AP_LEAD = Principal("lee", Role.CENTRAL_PLANNER)
ANALYST_IN = Principal("ira", Role.MANAGER, frozenset({"entity:IN01"}))
VIEWER_GB = Principal("gus", Role.VIEWER, frozenset({"entity:GB01"}))


def _info(**kw) -> records.RunInfo:
    base = {"kind": "classify", "source": "payees.csv", "source_hash": "ab" * 32,
            "model_version": "payees-clf-1", "parameters": {"column": "name"},
            "names_per_second": 12345.0, "summary": {"labels": {"business": 2}},
            "model_fingerprint": "cd" * 32, "scopes": ["entity:IN01"]}
    return records.RunInfo(**{**base, **kw})


def test_runs_rows_corrections_and_access(store_url: str, small_classifier) -> None:
    store = open_store(store_url)
    names = ["Acme Corp", "Jane Doe", None]
    result = small_classifier.classify(names)
    with store.session() as session:
        run = records.save_classification_run(session, AP_LEAD, _info(), names, result)
        run_id = run.id
    with store.session() as session:
        stored = session.get(PayeeRun, run_id)
        assert (stored.source_hash, stored.model_fingerprint, stored.created_by) == \
            ("ab" * 32, "cd" * 32, "lee")
        rows = records.classification_rows(session, ANALYST_IN, run_id)
        assert rows["row"].tolist() == [2, 3, 4]  # spreadsheet rows
        assert rows["label"].tolist() == result["label"].tolist()
        assert records.list_runs(session, VIEWER_GB) == []
        with pytest.raises(AccessDenied):
            records.get_run(session, VIEWER_GB, run_id)
        with pytest.raises(AccessDenied):  # an analyst may not record runs
            records.save_classification_run(session, ANALYST_IN, _info(), names, result)
    with store.session() as session:
        fix = records.add_correction(session, ANALYST_IN, "Jane Doe", "individual",
                                     run_id=run_id)
        assert fix.confirmed == (result["label"][1] == "individual")
        records.add_correction(session, ANALYST_IN, "Acme Corp", "government", run_id=run_id,
                               note="a council's trading arm")
        records.add_correction(session, ANALYST_IN, "Acme Corp", "business", run_id=run_id)
    with store.session() as session:
        with pytest.raises(AccessDenied):
            records.add_correction(session, VIEWER_GB, "Jane Doe", "business")
        with pytest.raises(AccessDenied):  # outside the analyst's entity
            records.add_correction(session, ANALYST_IN, "Jane Doe", "business",
                                   scopes=["entity:GB01"])
        with pytest.raises(ValueError, match="not one of"):
            records.add_correction(session, ANALYST_IN, "Jane Doe", "household")
    with store.session() as session:
        train = records.training_corrections(session)
        assert dict(zip(train["name"], train["label"], strict=True)) == \
            {"Jane Doe": "individual", "Acme Corp": "business"}
        assert len(records.corrections(session, ANALYST_IN)) == 3
        assert records.corrections(session, VIEWER_GB).empty
        audit = session.scalars(select(AuditEntry.action).where(
            AuditEntry.action.like("payees%"))).all()
        assert audit.count("payees correct") == 3 and "payees classify" in audit
    store.dispose()


def test_master_kept_as_a_dataset(store_url: str) -> None:
    store = open_store(store_url)
    master = pd.DataFrame({"supplier_id": ["S1", "S2"], "name": ["Acme Steel", "Acme Foods"],
                           "tax_id": ["27AAPFU0939F1ZV", None]})
    with store.session() as session:
        records.save_master(session, ADMIN, "suppliers-2026", "master.csv", master,
                            ["entity:IN01"])
    with store.session() as session:
        loaded, content_hash = records.load_master(session, ANALYST_IN, "suppliers-2026")
        assert loaded[["supplier_id", "name"]].equals(master[["supplier_id", "name"]])
        assert loaded["tax_id"][0] == "27AAPFU0939F1ZV" and pd.isna(loaded["tax_id"][1])
        assert len(content_hash) == 64
        with pytest.raises(AccessDenied):
            records.load_master(session, VIEWER_GB, "suppliers-2026")
    store.dispose()


def test_corrections_feed_the_next_training(labelled) -> None:
    name = labelled[labelled["label"] == "business"]["name"].iloc[0]
    fixed = pd.DataFrame({"name": [name, "Zeta Panchayat Office"],
                          "label": ["government", "government"]})
    examples = training_examples(fixed)
    assert examples.loc[examples["name"] == name, "label"].tolist() == ["government"]
    assert "Zeta Panchayat Office" in set(examples["name"])
    assert len(examples) == len(labelled) + 1


def test_cli_records_runs_and_corrections(labelled, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'payees.db'}"
    names = tmp_path / "names.csv"
    pd.DataFrame({"name": ["Acme Corp.", "Jane Doe"]}).to_csv(names, index=False)
    env = {"WORKBENCH_DB_URL": db}
    done = run_cli("payees", "classify", str(names), "--record", "--entity", "IN01", "--json",
                   env=env)
    assert done.returncode == 0, done.stderr
    run_id = json.loads(done.stdout)["run_id"]
    listed = json.loads(run_cli("payees", "runs", "--json", env=env).stdout)
    assert [r["id"] for r in listed] == [run_id] and listed[0]["scopes"] == ["entity:IN01"]
    fix = run_cli("payees", "correct", "Jane Doe", "--label", "individual", "--run",
                  str(run_id), "--json", env=env)
    assert fix.returncode == 0, fix.stderr
    assert json.loads(fix.stdout)["previous_label"] is not None
    missing = run_cli("payees", "correct", "Nobody", "--label", "business", "--run",
                      str(run_id), env=env)
    assert missing.returncode == 1 and "has no name 'Nobody'" in missing.stderr
    store = open_store(db)
    with store.session() as session:
        assert len(session.scalars(select(PayeeClassification)).all()) == 2
    store.dispose()
