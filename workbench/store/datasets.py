"""Imported input snapshots: validated tables stored as records, keyed by a content hash."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.core import errors
from workbench.core.access import AccessDenied, Permission, Principal
from workbench.store import audit
from workbench.store.models import Dataset, DatasetTable, ValidationReportRow

Tables = dict[str, list[dict[str, object]]]


NotFound = errors.NotFound  # re-exported: the store's readers raise it


def content_hash(tables: Tables) -> str:
    """SHA-256 of the tables in a canonical JSON form (same data, same hash, any source)."""
    canonical = json.dumps(tables, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def save_dataset(session: Session, actor: Principal, *, name: str, domain: str, source: str,
                 tables: Tables, scopes: list[str], summary: dict,
                 report: dict) -> Dataset:
    """Store a dataset that has already passed validation, with its report."""
    actor.require(Permission.IMPORT, "import datasets")
    if session.scalar(select(Dataset).where(Dataset.name == name)) is not None:
        raise errors.Conflict(f"a dataset named '{name}' already exists; choose another --dataset "
                         "name (datasets are immutable snapshots)")
    dataset = Dataset(name=name, domain=domain, source=source, content_hash=content_hash(tables),
                      scopes=sorted(scopes), summary=summary, created_by=actor.username)
    session.add(dataset)
    session.flush()
    session.add_all(DatasetTable(dataset_id=dataset.id, table_name=t, records=r)
                    for t, r in tables.items())
    session.add(ValidationReportRow(dataset_id=dataset.id, ok=report["ok"],
                                    errors=report["errors"], warnings=report["warnings"],
                                    findings=report["findings"]))
    audit.record(session, actor.username, "import", object_type="dataset", object_id=name,
                 scopes=scopes, detail=f"{source} sha256 {dataset.content_hash[:12]}")
    return dataset


def visible_to(actor: Principal, dataset: Dataset | None) -> bool:
    """A dataset (and its scenarios and runs) is visible if it holds one of the actor's grants."""
    return dataset is not None and (actor.sees_all or bool(actor.visible(dataset.scopes)))


def visible_dataset_ids(session: Session, actor: Principal) -> set[int]:
    return {d.id for d in session.scalars(select(Dataset)) if visible_to(actor, d)}


def get_dataset(session: Session, actor: Principal, name: str) -> Dataset:
    dataset = session.scalar(select(Dataset).where(Dataset.name == name))
    if dataset is None:
        raise NotFound(f"no dataset named '{name}'; `workbench dataset list` shows them")
    if not visible_to(actor, dataset):
        raise AccessDenied(f"user '{actor.username}' may not see dataset '{name}'")
    return dataset


def get_dataset_by_id(session: Session, dataset_id: int) -> Dataset:
    """For a scenario or run the caller has already been allowed to see."""
    dataset = session.get(Dataset, dataset_id)
    if dataset is None:
        raise NotFound(f"no dataset with id {dataset_id}")
    return dataset


def list_datasets(session: Session, actor: Principal) -> list[Dataset]:
    every = session.scalars(select(Dataset).order_by(Dataset.id))
    return [d for d in every if visible_to(actor, d)]


def validation_findings(session: Session, dataset_id: int) -> list[dict]:
    """The findings of the validation that let the dataset in (warnings only, by then)."""
    report = session.scalar(select(ValidationReportRow)
                            .where(ValidationReportRow.dataset_id == dataset_id)
                            .order_by(ValidationReportRow.id.desc()).limit(1))
    return list(report.findings) if report else []


def dataset_tables(session: Session, dataset: Dataset) -> Tables:
    rows = session.scalars(select(DatasetTable).where(DatasetTable.dataset_id == dataset.id))
    return {r.table_name: r.records for r in rows}
