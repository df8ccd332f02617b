"""The data behind the *Payee review* dashboard page, read as the page's user may see it.

An analyst picks one of their entities' classification runs (the newest by default), sees its
names below the confidence threshold, lowest first, and confirms or corrects each label; a
correction is stored and audited by :func:`workbench.payees.store.records.add_correction` and
the next ``workbench payees classify --record`` trains with it. The page reads the run's
low-confidence rows only (a bounded query), never the whole run.

Every value that comes back from a widget (a run id, a name, a label) is checked again here:
a run the user may not see, a name not in the run or a label that is not one of ours shows
nothing, and :meth:`PageSession.allowed` audits the refusal. Users without the right to edit
(viewers) see the queue read-only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import func, select

from workbench.core.access import Permission
from workbench.core.errors import UserError
from workbench.dashboards.page import PageSession
from workbench.payees.labels import LABELS
from workbench.payees.report import LOW_CONFIDENCE
from workbench.payees.store import records
from workbench.payees.store.models import PayeeClassification, PayeeCorrection, PayeeRun
from workbench.store.actions import audited

QUEUE_LIMIT = 50  # names shown at once; the next ones appear as these are reviewed
RUN_CHOICES = 20
NOTE = "dashboard: Payee review"

__all__ = ["LABELS", "ReviewQueue", "correct", "current_label", "queue", "run_choices"]


@dataclass(frozen=True)
class ReviewQueue:
    run_id: int
    heading: str
    tiles: list[tuple[str, str, str]]
    rows: list[dict[str, object]]  # name, label, confidence (formatted), why
    editable: bool  # the user may confirm or correct labels


def run_choices(page: PageSession) -> list[tuple[str, int]]:
    """Classification runs this user may see, newest first, as (caption, run id)."""
    with page.store.session() as session:
        runs = [r for r in records.list_runs(session, page.user) if r.kind == "classify"]
    return [(f"run {r.id} · {r.source.rsplit('/', 1)[-1]} · {r.n_rows:,} names · "
             f"{r.created_at:%Y-%m-%d}", r.id) for r in runs[:RUN_CHOICES]]


def _run(page: PageSession, run_id: object) -> PayeeRun | None:
    """The classification run ``run_id`` when this user may see it; else None, audited."""
    if isinstance(run_id, int) and not isinstance(run_id, bool):
        with page.store.session() as session:
            try:
                run = records.get_run(session, page.user, run_id)
            except UserError:  # not there, or not one of the user's entities
                run = None
            if run is not None and run.kind == "classify":
                session.expunge(run)
                return run
    page.allowed("payee_run", run_id)  # records the refusal
    return None


def _row(page: PageSession, run: PayeeRun, name: object) -> PayeeClassification | None:
    """The run's row for ``name``; None (audited) for a name that is not in the run."""
    if isinstance(name, str) and name:
        with page.store.session() as session:
            row = session.scalar(select(PayeeClassification).where(
                PayeeClassification.run_id == run.id, PayeeClassification.name == name)
                .limit(1))
            if row is not None:
                session.expunge(row)
                return row
    page.allowed("payee_name", name)
    return None


def queue(page: PageSession, run_id: object,
          threshold: float = LOW_CONFIDENCE) -> ReviewQueue | None:
    """The run's names below ``threshold`` not yet reviewed, lowest confidence first; None
    for a forged run id."""
    run = _run(page, run_id)
    if run is None:
        return None
    with page.store.session() as session:
        reviewed = set(session.scalars(select(PayeeCorrection.name).where(
            PayeeCorrection.run_id == run.id)))
        # a name once confirmed or corrected in this run leaves the queue
        low = (PayeeClassification.run_id == run.id, PayeeClassification.label != "",
               PayeeClassification.confidence < threshold,
               PayeeClassification.name.not_in(reviewed))
        pending = session.scalar(select(func.count(func.distinct(PayeeClassification.name)))
                                 .where(*low)) or 0
        rows = session.scalars(select(PayeeClassification).where(*low).order_by(
            PayeeClassification.confidence, PayeeClassification.row_number)
            .limit(QUEUE_LIMIT * 4))
        shown, seen = [], set()
        for r in rows:  # a payee paid twice is one decision: shown once, at its lowest
            if r.name not in seen and len(shown) < QUEUE_LIMIT:
                seen.add(r.name)
                shown.append({"row": r.row_number, "name": r.name, "label": r.label,
                              "confidence": _shown(r.confidence), "why": r.reason})
    tiles = [("Names", f"{run.n_rows:,}", f"in run {run.id}"),
             ("To review", f"{pending:,}", f"confidence below {threshold:.2f}"),
             ("Reviewed", f"{len(reviewed):,}", "confirmed or corrected")]
    heading = (f"Lowest confidence first (the first {QUEUE_LIMIT})" if pending > QUEUE_LIMIT
               else "Names to review, lowest confidence first")
    return ReviewQueue(run.id, heading, tiles, shown, page.can(Permission.EDIT_OWN))


def _shown(confidence: float) -> str:
    """Two decimals, rounded down: a name in a queue "below 0.80" never shows 0.80."""
    return f"{math.floor(confidence * 100) / 100:.2f}"


def current_label(page: PageSession, run_id: object, name: object) -> str | None:
    """The label the run gave ``name`` (to preselect it), None for a forged value."""
    run = _run(page, run_id)
    row = None if run is None else _row(page, run, name)
    return None if row is None else row.label


def correct(page: PageSession, run_id: object, name: object, label: object) -> str | None:
    """Confirm or correct the label of ``name`` in run ``run_id``; what was done, or None for
    a forged value (audited). The correction itself is audited by the store."""
    run = _run(page, run_id)
    row = None if run is None else _row(page, run, name)
    if run is None or row is None:
        return None
    if not isinstance(label, str) or label not in LABELS:
        page.allowed("payee_label", label)
        return None
    if not page.can(Permission.EDIT_OWN):  # the page shows viewers no form: a forged click
        page.allowed("payee_correction", row.name)
        return None
    with audited(page.store, page.user, "payees correct", row.name) as session:
        fix = records.add_correction(session, page.user, row.name, label, run_id=run.id,
                                     note=NOTE)
        confirmed = fix.confirmed
    if confirmed:
        return f"Confirmed: '{row.name}' is {label} (stored; the next recorded run learns it)."
    return (f"Corrected: '{row.name}' is {label}, not {row.label} (stored; the next recorded "
            "run learns it).")
