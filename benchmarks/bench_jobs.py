"""Background jobs, measured: submit latency, cancel latency, how long a killed worker's job
stays RUNNING, and a sweep's speed-up on a Dask LocalCluster against the same variants solved
one after another. One run on this machine; ratios in benchmarks/README.md (JOBS markers).

Run: ``python benchmarks/bench_jobs.py`` (about three minutes).
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from readme_table import write_table

from workbench.clinker import Workspace, scenarios, synthetic_network
from workbench.clinker.sweep import solve_variant
from workbench.core.access import BOOTSTRAP
from workbench.jobs import queue
from workbench.jobs.states import JobState
from workbench.jobs.sweep import run_tasks

EXE = str(Path(sys.executable).with_name("workbench"))


def _worker(url: str) -> subprocess.Popen:
    return subprocess.Popen([EXE, "worker"], env={**os.environ, "WORKBENCH_DB_URL": url},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _until(check, timeout_s: float = 300.0, poll_s: float = 0.1):
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        value = check()
        if value:
            return value
        time.sleep(poll_s)
    raise TimeoutError


def submit_latency(url: str) -> tuple[float, float]:
    """Median seconds of a submit in Python, and of `workbench jobs submit` as a command."""
    ws = Workspace.connect(url)
    python = []
    for _ in range(20):
        started = time.perf_counter()
        queue.submit(ws.store, BOOTSTRAP, "clinker.solve", {"scenario": "national"})
        python.append(time.perf_counter() - started)
    ws.close()
    command = []
    for _ in range(5):
        started = time.perf_counter()
        subprocess.run([EXE, "jobs", "submit", "--scenario", "national", "--json"], check=True,
                       env={**os.environ, "WORKBENCH_DB_URL": url}, capture_output=True)
        command.append(time.perf_counter() - started)
    # cancel them unrun: the worker started next would solve all 25 beside the measured jobs
    ws = Workspace.connect(url)
    for job in queue.list_jobs(ws.store, BOOTSTRAP, JobState.PENDING):
        queue.cancel(ws.store, BOOTSTRAP, job.id)
    ws.close()
    return statistics.median(python), statistics.median(command)


def _long_job(url: str) -> int:
    ws = Workspace.connect(url)
    job = queue.submit(ws.store, BOOTSTRAP, "clinker.solve", {
        "scenario": "national", "options": {"mip_gap": 0.0, "time_limit_s": 600,
                                            "warm_start": False, "shadow_prices": False}})
    ws.close()
    return job.id


def cancel_latency(url: str, delays: tuple[float, ...] = (1, 2, 3, 4, 5)) -> list[float]:
    """Seconds from a cancel to the job's CANCELLED row with its best plan stored, for one
    cancel at each delay after the first plan. Several delays, because HiGHS checks for an
    interrupt only outside its sub-MIP heuristics: a cancel that lands in one waits for it."""
    worker = _worker(url)
    ws = Workspace.connect(url)
    latencies = []
    try:
        for delay in delays:
            job_id = _long_job(url)
            _until(lambda j=job_id: "best plan" in queue.get(ws.store, BOOTSTRAP, j)
                   .progress_message)
            time.sleep(delay)
            asked = time.perf_counter()
            queue.cancel(ws.store, BOOTSTRAP, job_id)
            _until(lambda j=job_id: queue.get(ws.store, BOOTSTRAP, j).state
                   is JobState.CANCELLED)
            latencies.append(time.perf_counter() - asked)
            job = queue.get(ws.store, BOOTSTRAP, job_id)
            assert job.run_id is not None and job.result["status"] == "feasible", job
        return latencies
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait()
        ws.close()


def dead_worker(url: str) -> float:
    """Seconds from SIGKILL of a worker mid-solve until its job is no longer RUNNING (the
    default 30 s lease)."""
    job_id = _long_job(url)
    worker = _worker(url)
    ws = Workspace.connect(url)
    try:
        _until(lambda: queue.get(ws.store, BOOTSTRAP, job_id).state is JobState.RUNNING)
        time.sleep(3)
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        killed = time.perf_counter()
        _until(lambda: queue.get(ws.store, BOOTSTRAP, job_id).state is not JobState.RUNNING,
               poll_s=0.5)
        return time.perf_counter() - killed
    finally:
        ws.close()


def _timed_variant(*args) -> tuple[float, float]:
    """On a Dask worker: one variant, with its wall-clock start and end."""
    began = time.time()
    solve_variant(*args)
    return began, time.time()


def sweep(url: str, variants: int = 8) -> dict[str, float]:
    """A sweep as researchers run one: variants of a national network (20/80/12), on a
    2-process LocalCluster (its start-up and each worker's first-solve imports included) and
    the same variants one after another in this already-warm process."""
    ws = Workspace.connect(url)
    ws.store_network(synthetic_network(20, 80, 12), "national")
    ws.create_scenario("base", "national")
    names = []
    for i in range(variants):
        for round_ in ("par", "seq"):
            name = f"v{i}-{round_}"
            ws.create_scenario(name, "national", parent="base",
                               changes=[scenarios.demand_multiplier(0.8 + 0.4 * i / variants)])
            names.append(name)
    ws.close()
    options = {"mip_gap": 0.01, "threads": 1}  # as `workbench sweep` runs them
    started = time.time()
    results = list(run_tasks(_timed_variant, [(n, (url, "local", n, options))
                                              for n in names if n.endswith("par")], workers=2))
    parallel = time.time() - started
    assert all(r.error is None for r in results), results
    spans = sorted(r.value for r in results)
    one_by_one = []
    for name in (n for n in names if n.endswith("seq")):
        began = time.perf_counter()
        solve_variant(url, "local", name, options)
        one_by_one.append(time.perf_counter() - began)
    return {"variants": variants, "parallel_s": parallel, "sequential_s": sum(one_by_one),
            "first_task_s": spans[0][0] - started,
            "variant_parallel_s": statistics.median(b - a for a, b in spans[2:]),
            "variant_sequential_s": statistics.median(one_by_one[1:])}


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    url = f"sqlite:///{folder / 'jobs.db'}"
    ws = Workspace.connect(url)
    ws.store_network(synthetic_network(20, 80, 12), "national")
    ws.create_scenario("national", "national")
    ws.close()
    python_s, command_s = submit_latency(url)
    print(f"submit: {python_s * 1000:.1f} ms in Python, {command_s:.2f} s as a command")
    cancels = cancel_latency(url)
    print("cancel: " + ", ".join(f"{c:.2f}" for c in cancels) + " s")
    lost_s = dead_worker(url)
    print(f"killed worker's job seen as lost after {lost_s:.1f} s")
    sw = sweep(f"sqlite:///{folder / 'sweep.db'}")
    print(f"sweep of {sw['variants']}: {sw['parallel_s']:.1f} s on 2 workers, "
          f"{sw['sequential_s']:.1f} s one by one; {sw}")
    write_table("JOBS", ["measure", "value", "target"], [
        f"| submit, Python API (median of 20) | {python_s * 1000:.1f} ms | < 1 s |",
        f"| submit, `workbench jobs submit` (median of 5, with interpreter start) | "
        f"{command_s:.2f} s | < 1 s |",
        f"| cancel of a running national solve → CANCELLED with its plan stored (one cancel "
        f"1, 2, 3, 4 and 5 s after the first plan) | median {statistics.median(cancels):.2f} s, "
        f"slowest {max(cancels):.2f} s | about 2 s |",
        f"| SIGKILLed worker → its job requeued (default 30 s lease) | {lost_s:.1f} s | < 60 s |",
        f"| sweep of {sw['variants']} variants of a national network (20/80/12): 2-process "
        f"LocalCluster / one by one | {sw['parallel_s']:.1f} s / {sw['sequential_s']:.1f} s = "
        f"{sw['sequential_s'] / sw['parallel_s']:.2f}x speed-up | (2 cores) |",
        f"| — the sweep's parts: cluster start to first variant started; one variant's time "
        f"(median) on 2 busy cores / alone | {sw['first_task_s']:.1f} s; "
        f"{sw['variant_parallel_s']:.2f} s / {sw['variant_sequential_s']:.2f} s | |",
    ], "Background jobs")


if __name__ == "__main__":
    main()
