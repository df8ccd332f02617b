"""The job table as a queue: submit, claim, heartbeat, progress, finish, cancel, reap.

Every change is one short transaction with a condition on the current state, so two workers
never claim the same job and a late heartbeat cannot revive a finished one.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, select, update

from workbench.core.access import Permission, Principal
from workbench.core.errors import Conflict, NotFound
from workbench.jobs.states import JobState
from workbench.store import audit
from workbench.store.db import Store
from workbench.store.models import JobStatus, JobWorker

MAX_ATTEMPTS = 2  # a job whose worker died is requeued once, then failed


def lease() -> timedelta:
    """How long a RUNNING job may go without a heartbeat before it counts as lost (30 s;
    WORKBENCH_JOB_LEASE_S changes it)."""
    return timedelta(seconds=float(os.environ.get("WORKBENCH_JOB_LEASE_S", "30")))
WORKER_ALIVE = timedelta(seconds=15)


def now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; the store writes UTC."""
    return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class JobView:
    """A job as callers see it (plain values, safe to use after the session closes)."""

    id: int
    kind: str
    state: JobState
    payload: dict
    submitted_by: str
    submitted_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    progress_percent: float
    progress_message: str
    run_id: int | None
    error: dict | None
    result: dict | None
    attempts: int
    worker: str | None
    cancel_requested: bool

    def to_dict(self) -> dict[str, Any]:
        return {k: (str(v) if isinstance(v, JobState) else v) for k, v in vars(self).items()}


def view(row: JobStatus) -> JobView:
    return JobView(row.id, row.kind, JobState(row.state), row.payload, row.submitted_by,
                   _aware(row.submitted_at), _aware(row.started_at),  # type: ignore[arg-type]
                   _aware(row.finished_at), row.progress_percent, row.progress_message,
                   row.run_id, row.error, row.result, row.attempts, row.worker,
                   row.cancel_requested)


def submit(store: Store, actor: Principal, kind: str, payload: dict) -> JobView:
    actor.require(Permission.RUN, "run plans")
    with store.session() as session:
        row = JobStatus(kind=kind, state=JobState.PENDING, payload=payload,
                        submitted_by=actor.username, submitted_at=now(), progress_percent=0.0,
                        progress_message="waiting for a worker", attempts=0,
                        cancel_requested=False)
        session.add(row)
        session.flush()
        audit.record(session, actor.username, "job.submit", object_type="job",
                     object_id=row.id, detail=f"{kind} {payload}")
        return view(row)


def get(store: Store, actor: Principal, job_id: int) -> JobView:
    reap(store)  # whoever looks sees a lost job as lost, even with no worker left to notice
    with store.session() as session:
        row = session.get(JobStatus, job_id)
        if row is None or not _may_see(actor, row):
            raise NotFound(f"no job with id {job_id}")
        return view(row)


def _may_see(actor: Principal, row: JobStatus) -> bool:
    return actor.sees_all or row.submitted_by == actor.username


def list_jobs(store: Store, actor: Principal, state: JobState | None = None,
              limit: int = 100) -> list[JobView]:
    query = select(JobStatus).order_by(JobStatus.id.desc()).limit(limit)
    if state is not None:
        query = query.where(JobStatus.state == state)
    if not actor.sees_all:
        query = query.where(JobStatus.submitted_by == actor.username)
    reap(store)
    with store.session() as session:
        return [view(r) for r in session.scalars(query)]


def claim(store: Store, worker: str) -> JobView | None:
    """Take the oldest pending job, or None. Safe against other workers doing the same."""
    with store.session() as session:
        candidates = session.scalars(select(JobStatus.id).where(
            JobStatus.state == JobState.PENDING).order_by(JobStatus.id).limit(5)).all()
    for job_id in candidates:
        with store.session() as session:
            taken = session.execute(
                update(JobStatus).where(and_(JobStatus.id == job_id,
                                             JobStatus.state == JobState.PENDING))
                .values(state=JobState.RUNNING, started_at=now(), heartbeat_at=now(),
                        worker=worker, attempts=JobStatus.attempts + 1,
                        progress_message="started")).rowcount
            if taken:
                row = session.get(JobStatus, job_id)
                assert row is not None
                audit.record(session, row.submitted_by, "job.start", object_type="job",
                             object_id=job_id, detail=f"on {worker}")
                return view(row)
    return None


def heartbeat(store: Store, job_id: int, percent: float | None = None,
              message: str | None = None, attempt: int | None = None) -> bool:
    """Renew the lease (and report progress); returns whether the job should stop: a cancel
    was asked for, or (given the ``attempt`` that runs it) the job is no longer this attempt's,
    its lease having run out and the job been requeued or failed meanwhile."""
    values: dict[str, Any] = {"heartbeat_at": now()}
    if percent is not None:
        values["progress_percent"] = round(max(0.0, min(100.0, percent)), 1)
    if message is not None:
        values["progress_message"] = message[:500]
    with store.session() as session:
        renewed = session.execute(update(JobStatus).where(_held(job_id, attempt))
                                  .values(**values)).rowcount
        if attempt is not None and not renewed:
            return True
        return bool(session.scalar(select(JobStatus.cancel_requested)
                                   .where(JobStatus.id == job_id)))


def _held(job_id: int, attempt: int | None) -> Any:
    """The job is running, and (given an attempt) running as that attempt: the fence that keeps
    a run whose lease ran out from writing over the attempt that replaced it."""
    held = and_(JobStatus.id == job_id, JobStatus.state == JobState.RUNNING)
    return held if attempt is None else and_(held, JobStatus.attempts == attempt)


def cancel_requested(store: Store, job_id: int) -> bool:
    """Whether a cancel was asked for: one read on a pooled connection, no write, so polling
    it often takes no write lock on SQLite (WAL readers never block the writer)."""
    with store.engine.connect() as connection:
        return bool(connection.scalar(select(JobStatus.cancel_requested)
                                      .where(JobStatus.id == job_id)))


def finish(store: Store, job_id: int, state: JobState, *, run_id: int | None = None,
           result: dict | None = None, error: dict | None = None,
           attempt: int | None = None) -> None:
    """End a running job (only the given attempt's, when one is given)."""
    assert state.finished
    with store.session() as session:
        done = session.execute(
            update(JobStatus).where(_held(job_id, attempt))
            .values(state=state, finished_at=now(), run_id=run_id, result=result, error=error,
                    progress_percent=100.0 if state is JobState.SUCCESS else
                    JobStatus.progress_percent,
                    progress_message={JobState.SUCCESS: "done",
                                      JobState.CANCELLED: "cancelled",
                                      JobState.FAILED: "failed"}[state])).rowcount
        if done:
            row = session.get(JobStatus, job_id)
            assert row is not None
            audit.record(session, row.submitted_by, "job.end", str(state).lower(),
                         object_type="job", object_id=job_id,
                         detail=(error or {}).get("message", f"run {run_id}"))


def cancel(store: Store, actor: Principal, job_id: int) -> JobView:
    """A pending job never starts; a running one is asked to stop (it keeps its best plan)."""
    with store.session() as session:
        row = session.get(JobStatus, job_id)
        if row is None or not _may_see(actor, row):
            raise NotFound(f"no job with id {job_id}")
        if JobState(row.state).finished:
            raise Conflict(f"job {job_id} has already ended ({row.state})")
        if row.submitted_by != actor.username and not actor.can(Permission.ADMINISTER):
            raise Conflict(f"job {job_id} is {row.submitted_by}'s; only they or an admin "
                           "may cancel it")
        was = row.state  # the UPDATE below refreshes ``row``: a pending job reads CANCELLED
        session.execute(update(JobStatus).where(and_(JobStatus.id == job_id,
                                                     JobStatus.state == JobState.PENDING))
                        .values(state=JobState.CANCELLED, finished_at=now(),
                                progress_message="cancelled before it started"))
        session.execute(update(JobStatus).where(JobStatus.id == job_id)
                        .values(cancel_requested=True))
        audit.record(session, actor.username, "job.cancel", object_type="job",
                     object_id=job_id, detail=f"was {was}")
    return get(store, actor, job_id)


def reap(store: Store) -> list[int]:
    """Jobs whose worker stopped heartbeating: requeued once, then failed. Returns their ids."""
    stale_before = now() - lease()
    reaped = []
    with store.session() as session:
        stale = session.scalars(select(JobStatus).where(and_(
            JobStatus.state == JobState.RUNNING, JobStatus.heartbeat_at < stale_before))).all()
        for row in stale:
            again = row.attempts < MAX_ATTEMPTS and not row.cancel_requested
            values: dict[str, Any] = (
                {"state": JobState.PENDING, "worker": None,
                 "progress_message": f"requeued: worker {row.worker} stopped responding"}
                if again else
                {"state": JobState.FAILED, "finished_at": now(),
                 "error": {"kind": "worker_lost",
                           "message": f"worker {row.worker} stopped responding "
                                      f"(attempt {row.attempts} of {MAX_ATTEMPTS})"},
                 "progress_message": "failed"})
            # no in-Python evaluation of the condition: SQLite hands back naive datetimes
            if session.execute(update(JobStatus).where(and_(
                    JobStatus.id == row.id, JobStatus.state == JobState.RUNNING,
                    JobStatus.heartbeat_at < stale_before)).values(**values)
                    .execution_options(synchronize_session=False)).rowcount:
                reaped.append(row.id)
                audit.record(session, "worker", "job.reap",
                             "requeued" if again else "failed", object_type="job",
                             object_id=row.id, detail=str(values["progress_message"]))
    return reaped


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def register_worker(store: Store, name: str, concurrency: int) -> None:
    with store.session() as session:
        session.merge(JobWorker(name=name, concurrency=concurrency, started_at=now(),
                                heartbeat_at=now()))


def worker_alive(store: Store, name: str) -> None:
    with store.session() as session:
        session.execute(update(JobWorker).where(JobWorker.name == name)
                        .values(heartbeat_at=now()))


def retire_worker(store: Store, name: str) -> None:
    with store.session() as session:
        row = session.get(JobWorker, name)
        if row is not None:
            session.delete(row)


def live_workers(store: Store) -> list[str]:
    with store.session() as session:
        rows = session.scalars(select(JobWorker)).all()
        return [r.name for r in rows if (_aware(r.heartbeat_at) or now()) > now() - WORKER_ALIVE]
