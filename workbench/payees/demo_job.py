"""Payees' part of `workbench demo`: an accounts-payable file of a few hundred payee names for
entity IN01, classified and matched against a synthetic supplier master (both runs recorded),
an AP analyst who sees entity IN01, and the payee report.

The names are made by the domain's own generator (:mod:`workbench.payees.synth`) and the
templates below; nothing is copied from the labelled data the classifier learns from.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.core.access import Principal
from workbench.demo import DemoContext, add_demo_user, run_demo_report
from workbench.payees.labelled import LabelledDataMissing
from workbench.store.db import Store

SEED = 2026
MASTER_ROWS = 5_000
PAYEES = {"suppliers": 220, "others": 30, "individuals": 60, "government": 30}
ENTITY = "IN01"
ANALYST = "analyst"
AP_FILE = "payees-ap.csv"
MASTER_FILE = "payees-master.csv"

# government payees as an AP team sees them; {place} is filled from the synthetic cities
GOVERNMENT = ("Municipal Corporation of {place}", "City of {place}", "County of {place}",
              "{place} Police Department", "Department of Revenue, State of {place}",
              "{place} Water Supply and Sewerage Board", "Office of the Collector, {place}",
              "Commissioner of Income Tax, {place}", "{place} Public Schools",
              "Regional Transport Office {place}")
NATIONAL = ("Internal Revenue Service", "HM Revenue & Customs", "Ministry of Finance",
            "Central Board of Indirect Taxes and Customs", "US Department of Labor",
            "Employees Provident Fund Organisation", "Companies House",
            "Goods and Services Tax Network")
TITLES = ("", "", "", "Dr. ", "Mr. ", "Ms. ", "Mrs. ")


def payee_names(master: pd.DataFrame, seed: int = SEED) -> pd.DataFrame:
    """The demo's AP file: master suppliers written differently, other businesses, people
    (some as households) and public bodies, shuffled; ``kind`` says which each one is."""
    from workbench.payees.synth import cities, distractor_queries, people, perturbed_queries

    rng = np.random.default_rng(seed)
    suppliers = perturbed_queries(master, PAYEES["suppliers"], seed=seed)["name"]
    others = distractor_queries(master, PAYEES["others"], seed=seed + 1)["name"]
    first, last = people("IN")
    first_us, last_us = people("US")
    persons = []
    for i in range(PAYEES["individuals"]):
        pool_first, pool_last = (first, last) if i % 2 else (first_us, last_us)
        given, family = rng.choice(pool_first), rng.choice(pool_last)
        if rng.random() < 0.15:  # a household, filed as individual
            persons.append(f"{given} and {rng.choice(pool_first)} {family}")
        else:
            persons.append(f"{rng.choice(TITLES)}{given} {family}")
    places = cities("IN") + cities("US")
    public = list(NATIONAL) + [
        str(rng.choice(GOVERNMENT)).format(place=rng.choice(places))
        for _ in range(PAYEES["government"] - len(NATIONAL))]
    frame = pd.concat([pd.DataFrame({"name": suppliers, "kind": "master supplier"}),
                       pd.DataFrame({"name": others, "kind": "other business"}),
                       pd.DataFrame({"name": persons, "kind": "individual"}),
                       pd.DataFrame({"name": public, "kind": "government"})], ignore_index=True)
    frame = frame.drop_duplicates("name")
    frame = frame.iloc[rng.permutation(len(frame))].reset_index(drop=True)
    frame.insert(0, "invoice_ref", [f"AP-{ENTITY}-{i:05d}" for i in range(1, len(frame) + 1)])
    return frame


def run(ctx: DemoContext) -> None:
    from workbench.payees.labelled import find_data_dir

    try:
        find_data_dir()
    except LabelledDataMissing as exc:
        ctx.say(f"  skipped: the classifier has no labelled names to learn from ({exc})")
        return
    from workbench.payees.synth import synth_master
    from workbench.payees.tables import write_table
    from workbench.store.users import log_in

    master = synth_master(MASTER_ROWS, seed=SEED)
    master_path = ctx.folder / MASTER_FILE
    write_table(master, master_path)
    names = payee_names(master)
    ap_path = ctx.folder / AP_FILE
    write_table(names, ap_path)
    ctx.say(f"  wrote {len(names)} payee names ({ap_path}) and a synthetic master of "
            f"{len(master):,} suppliers ({master_path})")
    from workbench.store.db import open_store

    store = open_store(ctx.store_url)
    try:
        planner = log_in(store, "planner", ctx.password)
        classify_id, mix = record_classification(store, planner, ap_path, names)
        match_id, matched = record_match(store, planner, ap_path, names, master_path, master)
        ctx.say(f"  classified as run {classify_id} ({mix}); matched as run {match_id}: "
                f"{matched} of {len(names)} names found in the master")
        ctx.headlines.append(f"Payees demo ({AP_FILE}, entity {ENTITY}): {len(names)} names, "
                             f"{matched / len(names):.0%} matched to the supplier master")
        add_demo_user(ctx, ANALYST, [f"entity:{ENTITY}"],
                      f"accounts-payable analyst for entity {ENTITY}")
        run_demo_report(ctx, store, planner, "payees_report", {"user": "planner"},
                        "payee report")
    finally:
        store.dispose()


def record_classification(store: Store, user: Principal, path: Path,
                          names: pd.DataFrame) -> tuple[int, str]:
    """Classify the file as ``workbench payees classify --record --entity IN01`` does."""
    from workbench.core.access import scope
    from workbench.payees.classify import MODEL_VERSION, load_classifier
    from workbench.payees.store.records import (
        RunInfo,
        save_classification_run,
        training_corrections,
    )
    from workbench.payees.tables import file_hash
    from workbench.store.actions import audited

    with store.session() as session:
        corrections = training_corrections(session)  # analysts' labels join the training
    classifier = load_classifier(corrections=corrections)
    values = list(names["name"])
    started = time.perf_counter()
    result = classifier.classify(values)
    seconds = time.perf_counter() - started
    counts = result["label"].replace("", "(blank)").value_counts().to_dict()
    info = RunInfo(kind="classify", source=str(path), source_hash=file_hash(path),
                   model_version=MODEL_VERSION, model_fingerprint=classifier.fingerprint(),
                   parameters={"column": "name", "seed": classifier.seed,
                               "training_names": classifier.n_training},
                   names_per_second=len(values) / seconds if seconds > 0 else 0.0,
                   summary={"labels": counts}, scopes=[scope("entity", ENTITY)])
    with audited(store, user, "payees classify", str(path)) as session:
        run_id = save_classification_run(session, user, info, values, result).id
    return run_id, ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))


def record_match(store: Store, user: Principal, path: Path, names: pd.DataFrame,
                 master_path: Path, master: pd.DataFrame) -> tuple[int, int]:
    """Match the file as ``workbench payees match --record --entity IN01`` does."""
    from workbench.core.access import scope
    from workbench.payees.match import DEFAULT_THRESHOLD, DEFAULT_TOP_K, SupplierIndex
    from workbench.payees.store.records import RunInfo, save_match_run
    from workbench.payees.tables import file_hash
    from workbench.store.actions import audited

    index = SupplierIndex(master)
    values = list(names["name"])
    started = time.perf_counter()
    found = index.match(names[["name"]], top_k=DEFAULT_TOP_K, threshold=DEFAULT_THRESHOLD)
    seconds = time.perf_counter() - started
    matched = sum(1 for c in found if c and c[0].match)
    info = RunInfo(kind="match", source=str(path), source_hash=file_hash(path),
                   model_version="payees-match-1", master=str(master_path),
                   master_hash=file_hash(master_path),
                   parameters={"column": "name", "top_k": DEFAULT_TOP_K,
                               "threshold": DEFAULT_THRESHOLD},
                   names_per_second=len(values) / seconds if seconds > 0 else 0.0,
                   summary={"matched": matched, "names": len(values)},
                   scopes=[scope("entity", ENTITY)])
    with audited(store, user, "payees match", str(path)) as session:
        run_id = save_match_run(session, user, info, values, found).id
    return run_id, matched
