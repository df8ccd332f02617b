"""`workbench worker` and `workbench jobs submit|status|list|cancel|results|wait`."""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from workbench.cli.app import app
from workbench.cli.output import EXIT_FAILED, err, print_json, print_table
from workbench.cli.session import global_options, signed_in, user_errors
from workbench.core.errors import UserError

jobs_app = typer.Typer(help="Background jobs: submit a solve, follow it, cancel it, read its "
                            "result.", no_args_is_help=True)
app.add_typer(jobs_app, name="jobs")

JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
JobArg = Annotated[int, typer.Argument(help="The job's id.", metavar="ID")]


@app.command("worker")
def worker_command(
    ctx: typer.Context,
    concurrency: Annotated[int, typer.Option(
        "--concurrency", min=1, help="Jobs run at once, each in its own process.",
        metavar="N")] = 3,
    idle_exit: Annotated[float | None, typer.Option(
        "--idle-exit", min=1, help="Stop after this many seconds without work (default: "
                                   "never).", metavar="S")] = None,
) -> None:
    """Run background jobs from the store's queue until stopped (Ctrl-C or SIGTERM)."""
    import signal
    import threading

    from workbench.jobs.worker import Worker
    from workbench.store.db import database_url

    url = database_url(global_options(ctx).db_url)
    with user_errors():
        worker = Worker(url, concurrency)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    err.print(f"worker {worker.name}: {concurrency} at once on {worker.store.url}")
    try:
        worker.run(stop, idle_exit, say=lambda line: err.print(line))
    except KeyboardInterrupt:
        stop.set()


def _scenario_solve_kind() -> str:
    """The job kind that solves a stored scenario: the ``solve`` job of the domain whose
    commands sit at the top level (the spine does not name it)."""
    from workbench.core.domain import domains

    for domain in domains().values():
        if domain.top_level and "solve" in domain.jobs:
            return f"{domain.name}.solve"
    raise UserError("no installed domain solves stored scenarios as jobs")


@jobs_app.command("submit")
def jobs_submit(
    ctx: typer.Context,
    scenario: Annotated[str, typer.Option("--scenario", help="The stored scenario to solve.",
                                          metavar="NAME")],
    gap: Annotated[float | None, typer.Option("--gap", min=0, max=1, help="Relative MIP gap.",
                                              metavar="G")] = None,
    time_limit: Annotated[float | None, typer.Option(
        "--time-limit", min=0, help="Seconds before stopping.", metavar="S")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Queue a solve of a stored scenario and print its job id at once."""
    from workbench.jobs import queue

    store, user = signed_in(ctx)
    options = {k: v for k, v in (("mip_gap", gap), ("time_limit_s", time_limit))
               if v is not None}
    with user_errors():
        job = queue.submit(store, user, _scenario_solve_kind(), {"scenario": scenario,
                                                                 "options": options})
        alive = queue.live_workers(store)
    if as_json:
        print_json({"job_id": job.id, "state": str(job.state), "workers": len(alive)})
    else:
        err.print(f"submitted job {job.id} (solve {scenario})")
    if not alive:
        err.print("no worker is running: start one with `workbench worker` (it runs "
                  "PENDING jobs in the order they came)")


@jobs_app.command("status")
def jobs_status(ctx: typer.Context, job_id: JobArg, as_json: JsonOpt = False) -> None:
    """A job's state, progress, times and error."""
    from workbench.jobs import queue

    store, user = signed_in(ctx)
    with user_errors():
        job = queue.get(store, user, job_id)
    if as_json:
        print_json({k: v for k, v in job.to_dict().items() if k != "result"})
        return
    print_table(("job", "state", "progress", "message", "submitted", "run", "error"),
                [(job.id, job.state, f"{job.progress_percent:.0f} %", job.progress_message,
                  f"{job.submitted_by} {str(job.submitted_at)[:19]}", job.run_id,
                  (job.error or {}).get("message"))])


@jobs_app.command("list")
def jobs_list(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option(
        "--status", help="PENDING, RUNNING, SUCCESS, FAILED or CANCELLED.",
        metavar="STATE")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Jobs, newest first (restricted users see their own)."""
    from workbench.core.errors import InvalidRequest
    from workbench.jobs import queue
    from workbench.jobs.states import JobState

    store, user = signed_in(ctx)
    with user_errors():
        try:
            state = JobState(status.upper()) if status else None
        except ValueError:
            raise InvalidRequest(f"--status {status}: use one of "
                                 f"{', '.join(s.value for s in JobState)}") from None
        jobs = queue.list_jobs(store, user, state)
    if as_json:
        print_json([{k: v for k, v in j.to_dict().items() if k != "result"} for j in jobs])
        return
    print_table(("job", "kind", "state", "progress", "by", "submitted", "run"),
                [(j.id, j.kind, j.state, f"{j.progress_percent:.0f} %", j.submitted_by,
                  str(j.submitted_at)[:19], j.run_id) for j in jobs])


@jobs_app.command("cancel")
def jobs_cancel(ctx: typer.Context, job_id: JobArg, as_json: JsonOpt = False) -> None:
    """Cancel a job: a pending one never starts; a running solve stops within seconds and
    keeps its best plan, stored as not proven optimal."""
    from workbench.jobs import queue

    store, user = signed_in(ctx)
    with user_errors():
        job = queue.cancel(store, user, job_id)
    if as_json:
        print_json({"job_id": job.id, "state": str(job.state),
                    "cancel_requested": job.cancel_requested})
    else:
        err.print(f"job {job.id}: " + ("cancelled" if job.state.finished else
                                       "asked to stop; it keeps its best plan so far"))


@jobs_app.command("results")
def jobs_results(ctx: typer.Context, job_id: JobArg, as_json: JsonOpt = False) -> None:
    """A finished job's result: for a solve, the same JSON as `workbench solve --scenario`."""
    from workbench.jobs.handle import JobHandle

    store, user = signed_in(ctx)
    with user_errors():
        handle = JobHandle(store, user, job_id)
        job = handle.status()
        if not job.state.finished:
            raise typer.Exit(_not_yet(job))
        result = handle.result(timeout_s=0)
    if as_json:
        print_json(result)
    else:
        err.print(f"job {job_id} ({job.state}): run {result.get('run_id')}, status "
                  f"{result.get('status')}, objective {result.get('objective_inr')}")


def _not_yet(job: object) -> int:
    err.print(f"job {getattr(job, 'id', '?')} is still {getattr(job, 'state', '?')}; "
              "`workbench jobs wait` follows it")
    return EXIT_FAILED


@jobs_app.command("wait")
def jobs_wait(ctx: typer.Context, job_id: JobArg, as_json: JsonOpt = False) -> None:
    """Follow a job with a progress bar until it ends; exit 1 unless it succeeded."""
    from workbench.jobs import queue
    from workbench.jobs.states import JobState

    store, user = signed_in(ctx)
    with user_errors():
        job = queue.get(store, user, job_id)
        with Progress(TextColumn("job {task.fields[job]}"), BarColumn(),
                      TextColumn("{task.percentage:>3.0f}%"), TimeElapsedColumn(),
                      TextColumn("{task.fields[message]}"), console=err,
                      disable=as_json) as bar:
            task = bar.add_task("job", total=100, job=job_id, message=job.progress_message)
            while not job.state.finished:
                bar.update(task, completed=job.progress_percent, message=job.progress_message)
                time.sleep(0.5)
                job = queue.get(store, user, job_id)
            bar.update(task, completed=job.progress_percent, message=str(job.state))
    if as_json:
        print_json({k: v for k, v in job.to_dict().items() if k != "result"})
    else:
        err.print(f"job {job_id}: {job.state}" + (f" ({job.error['message']})"
                                                  if job.error else ""))
    if job.state is not JobState.SUCCESS:
        raise typer.Exit(EXIT_FAILED)
