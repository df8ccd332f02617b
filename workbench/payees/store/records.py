"""Store and read payee runs, supplier masters and corrections, under the store's roles.

- Recording a run needs the ``run plans`` permission (admin, central planner); it is visible to
  those who see everything and to users granted one of its ``entity:`` scopes.
- A supplier master is kept as a spine dataset (domain ``payees``, one table ``suppliers``), so
  that it has a content hash, scopes and an import audit like every other dataset.
- A correction needs ``edit scenarios within own scopes`` (managers within their entities,
  central planners, admins); it is appended, audited, and read back as training names.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench._version import __version__
from workbench.core.access import AccessDenied, Permission, Principal
from workbench.payees.labels import LABELS
from workbench.payees.normalize import normalize
from workbench.payees.store.models import (
    PayeeClassification,
    PayeeCorrection,
    PayeeMatch,
    PayeeRun,
)
from workbench.store import audit
from workbench.store.datasets import NotFound, get_dataset, save_dataset
from workbench.store.models import DatasetTable

MASTER_TABLE = "suppliers"
FIRST_DATA_ROW = 2  # spreadsheet rows: the header is row 1


@dataclass
class RunInfo:
    """A run's lineage and parameters (plain values)."""

    kind: str
    source: str
    source_hash: str
    model_version: str
    parameters: dict
    names_per_second: float
    summary: dict
    model_fingerprint: str | None = None
    master: str | None = None
    master_hash: str | None = None
    scopes: list[str] = field(default_factory=list)


def _new_run(session: Session, actor: Principal, info: RunInfo, n_rows: int) -> PayeeRun:
    actor.require(Permission.RUN, f"record a payee {info.kind} run")
    actor.require_scopes(info.scopes, f"record a payee {info.kind} run")
    run = PayeeRun(kind=info.kind, source=info.source, source_hash=info.source_hash,
                   master=info.master, master_hash=info.master_hash,
                   model_version=info.model_version, model_fingerprint=info.model_fingerprint,
                   package_version=__version__, parameters=info.parameters, n_rows=n_rows,
                   summary=info.summary, names_per_second=info.names_per_second,
                   scopes=sorted(info.scopes), created_by=actor.username)
    session.add(run)
    session.flush()
    audit.record(session, actor.username, f"payees {info.kind}", object_type="payee_run",
                 object_id=run.id, scopes=info.scopes,
                 detail=f"{info.source} sha256 {info.source_hash[:12]}, {n_rows} names")
    return run


def save_classification_run(session: Session, actor: Principal, info: RunInfo,
                            names: list[object], result: pd.DataFrame) -> PayeeRun:
    """One run row and one row per name, in one transaction (the caller commits)."""
    run = _new_run(session, actor, info, len(result))
    session.bulk_insert_mappings(PayeeClassification, [
        {"run_id": run.id, "row_number": i + FIRST_DATA_ROW, "name": _text(name),
         "label": label, "confidence": float(conf), "reason": reason, "normalized": norm}
        for i, (name, label, conf, reason, norm) in enumerate(zip(
            names, result["label"], result["confidence"], result["reason"],
            result["normalized"], strict=True))])
    return run


def save_match_run(session: Session, actor: Principal, info: RunInfo, names: list[object],
                   candidates: list[list]) -> PayeeRun:
    """One run row and one row per candidate (a query with none keeps one empty row)."""
    run = _new_run(session, actor, info, len(names))
    rows = []
    for i, (name, found) in enumerate(zip(names, candidates, strict=True)):
        base = {"run_id": run.id, "row_number": i + FIRST_DATA_ROW, "name": _text(name)}
        if not found:
            rows.append({**base, "rank": None, "supplier_id": None, "supplier_name": None,
                         "score": None, "match": False})
        rows += [{**base, "rank": k, "supplier_id": c.supplier_id, "supplier_name": c.name,
                  "score": c.score, "match": c.match} for k, c in enumerate(found, start=1)]
    session.bulk_insert_mappings(PayeeMatch, rows)
    return run


def _text(name: object) -> str:
    return "" if name is None or (isinstance(name, float) and name != name) else str(name)


def _visible(actor: Principal, scopes: list[str]) -> bool:
    return actor.sees_all or bool(actor.visible(scopes))


def list_runs(session: Session, actor: Principal, limit: int = 50) -> list[PayeeRun]:
    runs = session.scalars(select(PayeeRun).order_by(PayeeRun.id.desc()).limit(limit * 10))
    return [r for r in runs if _visible(actor, r.scopes)][:limit]


def get_run(session: Session, actor: Principal, run_id: int) -> PayeeRun:
    run = session.get(PayeeRun, run_id)
    if run is None:
        raise NotFound(f"no payee run with id {run_id}")
    if not _visible(actor, run.scopes):
        raise AccessDenied(f"user '{actor.username}' may not see payee run {run_id}")
    return run


def classification_rows(session: Session, actor: Principal, run_id: int) -> pd.DataFrame:
    get_run(session, actor, run_id)
    rows = session.scalars(select(PayeeClassification).where(
        PayeeClassification.run_id == run_id).order_by(PayeeClassification.row_number))
    return pd.DataFrame([{"row": r.row_number, "name": r.name, "label": r.label,
                          "confidence": r.confidence, "reason": r.reason,
                          "normalized": r.normalized} for r in rows])


def match_rows(session: Session, actor: Principal, run_id: int) -> pd.DataFrame:
    get_run(session, actor, run_id)
    rows = session.scalars(select(PayeeMatch).where(PayeeMatch.run_id == run_id)
                           .order_by(PayeeMatch.row_number, PayeeMatch.rank))
    return pd.DataFrame([{"row": r.row_number, "name": r.name, "rank": r.rank,
                          "supplier_id": r.supplier_id, "supplier_name": r.supplier_name,
                          "score": r.score, "match": r.match} for r in rows])


# --- corrections -------------------------------------------------------------------------
def add_correction(session: Session, actor: Principal, name: str, label: str, *,
                   run_id: int | None = None, note: str = "",
                   scopes: list[str] | None = None) -> PayeeCorrection:
    """An analyst confirms or corrects the label of ``name`` (appended and audited)."""
    if label not in LABELS:
        raise ValueError(f"label '{label}' is not one of {', '.join(LABELS)}")
    if not name or not name.strip():
        raise ValueError("a correction needs a non-blank name")
    actor.require(Permission.EDIT_OWN, "correct payee labels")
    previous = None
    if run_id is not None:
        run = get_run(session, actor, run_id)
        scopes = scopes if scopes is not None else list(run.scopes)
        row = session.scalar(select(PayeeClassification).where(
            PayeeClassification.run_id == run_id, PayeeClassification.name == name))
        if row is None:
            raise NotFound(f"payee run {run_id} has no name '{name}'")
        previous = row.label
    scopes = scopes or []
    actor.require_scopes(scopes, "correct payee labels")
    correction = PayeeCorrection(name=name, normalized=normalize(name), label=label,
                                 previous_label=previous, confirmed=previous == label,
                                 run_id=run_id, note=note, scopes=sorted(scopes),
                                 created_by=actor.username)
    session.add(correction)
    session.flush()
    verb = "confirmed" if previous == label else "corrected"
    audit.record(session, actor.username, "payees correct", object_type="payee_correction",
                 object_id=correction.id, scopes=scopes,
                 detail=f"{verb} '{name}': {previous or '-'} -> {label}")
    return correction


def corrections(session: Session, actor: Principal) -> pd.DataFrame:
    """Corrections the actor may see, oldest first (name, label, who, when, ...)."""
    rows = session.scalars(select(PayeeCorrection).order_by(PayeeCorrection.id))
    return pd.DataFrame([{"id": c.id, "name": c.name, "label": c.label,
                          "previous_label": c.previous_label, "confirmed": c.confirmed,
                          "run_id": c.run_id, "note": c.note, "created_by": c.created_by,
                          "created_at": c.created_at} for c in rows
                         if _visible(actor, c.scopes) or c.created_by == actor.username],
                        columns=["id", "name", "label", "previous_label", "confirmed",
                                 "run_id", "note", "created_by", "created_at"])


def training_corrections(session: Session) -> pd.DataFrame:
    """Every correction as training names (the latest label of a name wins)."""
    rows = session.execute(select(PayeeCorrection.name, PayeeCorrection.label)
                           .order_by(PayeeCorrection.id)).all()
    frame = pd.DataFrame(rows, columns=["name", "label"])
    return frame.drop_duplicates("name", keep="last").reset_index(drop=True)


# --- supplier masters as spine datasets ----------------------------------------------------
def save_master(session: Session, actor: Principal, name: str, source: str,
                master: pd.DataFrame, scopes: list[str]) -> None:
    records = [{k: (None if pd.isna(v) else v) for k, v in row.items()}
               for row in master.to_dict("records")]  # JSON has no NaN: blanks are null
    save_dataset(session, actor, name=name, domain="payees", source=source,
                 tables={MASTER_TABLE: records}, scopes=scopes,
                 summary={"suppliers": len(master), "columns": list(master.columns)},
                 report={"ok": True, "errors": 0, "warnings": 0, "findings": []})


def load_master(session: Session, actor: Principal, name: str) -> tuple[pd.DataFrame, str]:
    """A stored master (and its content hash) that the actor may see."""
    dataset = get_dataset(session, actor, name)
    if dataset.domain != "payees":
        raise ValueError(f"dataset '{name}' belongs to the {dataset.domain} domain, not payees")
    table = session.get(DatasetTable, (dataset.id, MASTER_TABLE))
    if table is None:
        raise NotFound(f"dataset '{name}' has no {MASTER_TABLE} table")
    return pd.DataFrame(table.records), dataset.content_hash
