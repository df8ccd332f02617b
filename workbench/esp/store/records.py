"""Writing and reading the ESP records of the SQL store, and who may see which wells.

A well's grants are ``field:<field>`` and ``well:<well_id>``: a user granted a field sees its
wells, a user granted a well sees that well. Roles are the spine's (default deny).
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
from sqlalchemy import delete, insert, select, tuple_
from sqlalchemy.orm import Session

from workbench._version import __version__
from workbench.core.access import AccessDenied, Permission, Principal, scope
from workbench.esp.contract.schema import REASONS
from workbench.esp.store.models import EspEvaluation, EspIngestRun, EspQualityDay, EspWell
from workbench.store import audit


def well_scopes(wells: pd.DataFrame) -> list[str]:
    """The grants that cover these wells (their fields and themselves)."""
    fields = {scope("field", f) for f in wells["field"].dropna()} if "field" in wells else set()
    return sorted(fields | {scope("well", w) for w in wells["well_id"]})


def visible(actor: Principal, wells: pd.DataFrame) -> pd.DataFrame:
    """The wells this user may see."""
    if actor.sees_all:
        return wells
    if not actor.can(Permission.VIEW_OWN):
        return wells.iloc[0:0]
    fields, own = actor.ids("field"), actor.ids("well")
    field_col = wells["field"] if "field" in wells else pd.Series(None, index=wells.index)
    return wells[field_col.isin(fields) | wells["well_id"].isin(own)]


def require_wells(actor: Principal, wells: pd.DataFrame, asked: Iterable[str]) -> list[str]:
    """The asked wells, refused (by name) when unknown or not visible to this user."""
    asked = list(asked)
    known = set(wells["well_id"])
    unknown = [w for w in asked if w not in known]
    if unknown:
        from workbench.core.errors import NotFound

        raise NotFound(f"no well {', '.join(unknown)} in this store; known: "
                       f"{', '.join(sorted(known)[:20]) or 'none'}")
    seen = set(visible(actor, wells)["well_id"])
    hidden = [w for w in asked if w not in seen]
    if hidden:
        raise AccessDenied(f"user '{actor.username}' may not see well {', '.join(hidden)}: "
                           "not among their fields or wells")
    return asked


def record_ingest(session: Session, actor: Principal, store_id: str, store_path: str,
                  result, wells: pd.DataFrame) -> int:
    """The run, the wells catalogue and the quality of the days it touched (one transaction)."""
    actor.require(Permission.IMPORT, "ingest telemetry")
    session.execute(delete(EspWell).where(EspWell.store_id == store_id))
    if len(wells):
        rows = wells.astype(object).where(wells.notna(), None)
        session.execute(insert(EspWell), [
            {"store_id": store_id, "well_id": r["well_id"], "field_id": r.get("field"),
             "feeder": r.get("feeder"), "nameplate_current_a": r.get("nameplate_current_a"),
             "rated_flow_bpd": r.get("rated_flow_bpd"),
             "bubble_point_psi": r.get("bubble_point_psi"), "cadence_s": r["cadence_s"],
             "updated_by": actor.username} for r in rows.to_dict("records")])
    touched = wells[wells["well_id"].isin(result.wells)]
    scopes = well_scopes(touched)
    run = EspIngestRun(store_id=store_id, store_path=store_path, batch=result.batch,
                       sources=result.files, rows_in=result.rows_in,
                       rows_accepted=result.rows_accepted, rows_rejected=result.rows_rejected,
                       late=result.late, rejected_by_reason=result.rejected_by_reason,
                       seconds=result.seconds, rows_per_second=result.rows_per_second,
                       wells=result.wells, scopes=scopes, package_version=__version__,
                       created_by=actor.username)
    session.add(run)
    session.flush()
    quality = result.quality
    if quality is not None and len(quality):
        field = wells.set_index("well_id")["field"]
        keys = list(zip(quality["well_id"], pd.to_datetime(quality["day"]).dt.date,
                        strict=True))
        for i in range(0, len(keys), 500):
            session.execute(delete(EspQualityDay).where(
                EspQualityDay.store_id == store_id,
                tuple_(EspQualityDay.well_id, EspQualityDay.day).in_(keys[i:i + 500])))
        records = []
        for r in quality.to_dict("records"):
            records.append({
                "store_id": store_id, "well_id": r["well_id"],
                "day": pd.Timestamp(r["day"]).date(), "field_id": _none(field.get(r["well_id"])),
                "score": float(r["score"]), "rows_accepted": int(r["rows_accepted"]),
                "rows_expected": float(r["rows_expected"]), "late": int(r["late"]),
                "longest_gap_min": float(r["longest_gap_min"]), "ingest_run_id": run.id,
                **{f"rejected_{x}": int(r[f"rejected_{x}"]) for x in REASONS}})
        session.execute(insert(EspQualityDay), records)
    audit.record(session, actor.username, "esp.ingest", object_type="esp_store",
                 object_id=store_path, scopes=scopes,
                 detail=f"batch {result.batch}: {result.rows_in} rows in, "
                        f"{result.rows_accepted} accepted, {result.rows_rejected} rejected")
    return run.id


def _none(value: object) -> object:
    return None if value is None or value != value else value


def record_evaluation(session: Session, actor: Principal, store_id: str, payload: dict,
                      labels_source: str, labels_sha256: str, last_batch: int,
                      wells: pd.DataFrame, parameters: dict) -> int:
    actor.require(Permission.VIEW_OWN, "evaluate diagnostics")
    scopes = well_scopes(wells)
    entry = EspEvaluation(store_id=store_id, method=payload["method"],
                          window=payload["window"], labels_source=labels_source,
                          labels_sha256=labels_sha256, last_batch=last_batch,
                          n_windows=int(payload.get("windows", 0)),
                          false_positive_rate=payload.get("false_positive_rate"),
                          result=payload, parameters=parameters, scopes=scopes,
                          package_version=__version__, created_by=actor.username)
    session.add(entry)
    session.flush()
    audit.record(session, actor.username, "esp.evaluate", object_type="esp_store",
                 object_id=store_id, scopes=scopes,
                 detail=f"{payload['method']} on {payload['window']} windows: "
                        f"FPR {payload.get('false_positive_rate')}")
    return entry.id


def _visible_rows(actor: Principal, rows: list) -> list:
    return [r for r in rows if actor.sees_all or any(actor.may_see(g) for g in r.scopes)]


def ingest_runs(session: Session, actor: Principal, store_id: str) -> list[dict]:
    rows = session.scalars(select(EspIngestRun).where(EspIngestRun.store_id == store_id)
                           .order_by(EspIngestRun.id)).all()
    return [{"id": r.id, "batch": r.batch, "sources": r.sources, "rows_in": r.rows_in,
             "rows_accepted": r.rows_accepted, "rows_rejected": r.rows_rejected,
             "late": r.late, "rows_per_second": r.rows_per_second, "wells": r.wells,
             "created_by": r.created_by, "created_at": r.created_at}
            for r in _visible_rows(actor, rows)]


def evaluations(session: Session, actor: Principal, store_id: str) -> list[dict]:
    rows = session.scalars(select(EspEvaluation).where(EspEvaluation.store_id == store_id)
                           .order_by(EspEvaluation.id)).all()
    return [{"id": r.id, "method": r.method, "window": r.window,
             "false_positive_rate": r.false_positive_rate, "result": r.result,
             "labels_sha256": r.labels_sha256, "last_batch": r.last_batch,
             "created_by": r.created_by, "created_at": r.created_at}
            for r in _visible_rows(actor, rows)]


def telemetry_stores(session: Session, actor: Principal) -> list[dict]:
    """Telemetry stores with an ingest run this user may see, each with its newest run."""
    rows = session.scalars(select(EspIngestRun).order_by(EspIngestRun.id)).all()
    newest = {}
    for run in _visible_rows(actor, rows):
        newest[run.store_id] = {"store_id": run.store_id, "path": run.store_path,
                                "last_batch": run.batch, "last_ingest": run.created_at}
    return list(newest.values())
