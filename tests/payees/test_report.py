"""The payee report: `workbench report payees_report` through papermill on runs recorded with
`workbench payees classify/match --record`; HTML with every section, no code and nothing from
outside; its figures are the stored rows'; a user granted one entity sees that entity's runs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import run_cli
from workbench.core.access import AccessDenied, Principal, Role
from workbench.payees import report
from workbench.payees.store import records
from workbench.reports.render import external_references
from workbench.store.db import open_store

SECTIONS = ("Label mix", "Names to review", "Match rates", "Unmatched names")
ADMIN = Principal("admin", Role.ADMIN)


def _record(url: str, *args: str) -> int:
    done = run_cli("--db", url, "payees", *args, "--record", "--json")
    assert done.returncode == 0, done.stderr
    return int(json.loads(done.stdout)["run_id"])


@pytest.fixture(scope="module")
def recorded(labelled, tmp_path_factory) -> dict[str, object]:
    """An AP file of IN01 classified and matched, then a smaller file of US02 classified."""
    from workbench.payees.demo_job import payee_names
    from workbench.payees.synth import synth_master

    folder = tmp_path_factory.mktemp("payees-report")
    url = f"sqlite:///{folder / 'workbench.db'}"
    master = synth_master(2_000, seed=5)
    master.to_csv(folder / "master.csv", index=False)
    names = payee_names(master, seed=5)
    names.to_csv(folder / "in01.csv", index=False)
    names.head(40).to_csv(folder / "us02.csv", index=False)
    ids = {
        "classify": _record(url, "classify", str(folder / "in01.csv"), "--entity", "IN01"),
        "match": _record(url, "match", str(folder / "in01.csv"), "--master",
                         str(folder / "master.csv"), "--entity", "IN01"),
        "us02": _record(url, "classify", str(folder / "us02.csv"), "--entity", "US02"),
    }
    return {"folder": folder, "url": url, "names": names, **ids}


@pytest.fixture(scope="module")
def made(recorded) -> dict:
    folder = recorded["folder"]
    done = run_cli("report", "payees_report", "-p", "classify_run", str(recorded["classify"]),
                   "--output-dir", str(folder / "reports"), "--json",
                   env={"WORKBENCH_DB_URL": recorded["url"]}, cwd=folder)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture
def store(recorded):
    sql = open_store(recorded["url"])
    yield sql
    sql.dispose()


def test_the_report_runs_through_papermill_and_names_its_runs(made, recorded):
    assert made["status"] == "succeeded"
    assert made["meta"]["classify_run"] == recorded["classify"]
    assert made["meta"]["match_run"] == recorded["match"]  # 0: the latest match run
    assert made["meta"]["low_confidence"] == 0.8


def test_the_html_has_every_section_no_code_and_nothing_from_outside(made, store, recorded):
    html = (Path(made["folder"]) / made["html"]).read_text(encoding="utf-8")
    for section in SECTIONS:
        assert f">{section}<" in html, section
    assert html.count("data:image/svg+xml") >= 3  # label mix, confidence, match scores
    for code in ("report.connect", "import os", "report.gather", "def ", "display("):
        assert code not in html, code
    assert external_references(html) == []
    assert not re.search(r"<script[^>]*src=", html)
    # the lowest-confidence name to review is in the page, as is the worst unmatched one
    r = report.gather(store, ADMIN, recorded["classify"], recorded["match"])
    assert report.to_review(r)["name"].iloc[0] in html.replace("&amp;", "&")
    assert report.unmatched(r)["name"].iloc[0] in html.replace("&amp;", "&")


def test_the_figures_are_the_stored_rows(store, recorded):
    r = report.gather(store, ADMIN, recorded["classify"], recorded["match"])
    with store.session() as session:
        rows = records.classification_rows(session, ADMIN, recorded["classify"])
        matches = records.match_rows(session, ADMIN, recorded["match"])
        run = records.get_run(session, ADMIN, recorded["match"])
        summary = dict(run.summary)
    assert len(rows) == len(recorded["names"])
    mix = report.label_mix(r).set_index("label")
    assert mix["names"].to_dict() == rows["label"].value_counts().to_dict()
    assert mix["share"].sum() == pytest.approx(1.0)
    assert set(mix.index) == {"business", "individual", "government"}
    # names to review: every labelled name below 0.8, lowest first, none above
    low = report.to_review(r)
    expected = rows[(rows["label"] != "") & (rows["confidence"] < 0.8)]
    assert set(low["name"]) == set(expected["name"]) and len(low) == len(expected)
    assert low["confidence"].is_monotonic_increasing
    stricter = report.to_review(report.gather(store, ADMIN, recorded["classify"],
                                              low_confidence=0.5))
    assert (stricter["confidence"] < 0.5).all() and len(stricter) <= len(low)
    # match rate: the share of names whose rank-1 candidate is a match, as the run counted
    best = report.top_candidates(r)
    assert len(best) == matches["row"].nunique() == summary["names"]
    assert int(best["match"].sum()) == summary["matched"]
    assert report.match_rate(r) == pytest.approx(summary["matched"] / summary["names"])
    assert 0.5 < report.match_rate(r) < 1.0  # master suppliers match, the others do not
    dist = report.score_distribution(r)
    assert dist["names"].sum() == best["score"].notna().sum()
    assert dist.loc[dist["matched"] == "matched", "names"].sum() == summary["matched"]
    missed = report.unmatched(r)
    assert len(missed) == summary["names"] - summary["matched"]
    scores = missed["best score"].dropna()
    assert (scores < 0.8).all() and scores.is_monotonic_decreasing
    rates = report.match_rates(r)["value"]
    assert rates["match rate"] == f"{summary['matched'] / summary['names']:.1%}"
    assert rates["threshold (score)"] == "0.80"


def test_an_entity_user_sees_only_their_entitys_runs(store, recorded):
    # with no run given, the latest visible runs are read
    assert report.gather(store, ADMIN).classify_run.id == recorded["us02"]
    ana = Principal("ana", Role.MANAGER, frozenset({"entity:IN01"}))
    mine = report.gather(store, ana)
    assert mine.classify_run.id == recorded["classify"]
    assert mine.match_run.id == recorded["match"]
    assert mine.classify_run.scopes == ["entity:IN01"]
    with pytest.raises(AccessDenied):
        report.gather(store, ana, classify_run=recorded["us02"])
    with pytest.raises(ValueError, match="match run"):
        report.gather(store, ana, classify_run=recorded["match"])
    us = Principal("sam", Role.MANAGER, frozenset({"entity:US02"}))
    theirs = report.gather(store, us)
    assert theirs.classify_run.id == recorded["us02"] and theirs.match_run is None
    assert report.top_candidates(theirs).empty and report.unmatched(theirs).empty
    assert len(theirs.classifications) == 40
    stranger = report.gather(store, Principal("zed", Role.MANAGER,
                                              frozenset({"entity:GB09"})))
    assert stranger.classify_run is None and stranger.classifications.empty
    assert report.label_mix(stranger).empty and report.to_review(stranger).empty
    assert isinstance(report.runs_table(stranger), pd.DataFrame)
