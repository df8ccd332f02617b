"""Background jobs with real worker processes, real solves and real databases: states,
cancel (pending and running), a worker killed with SIGKILL, four at once on SQLite, and a
sweep on a Dask LocalCluster."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from tests.conftest import run_cli
from workbench.clinker import SolveOptions, Workspace, scenarios, synthetic_network
from workbench.clinker.jobs import percent_done
from workbench.clinker.optimization.progress import SolveProgress
from workbench.clinker.sweep import NAME_LIMIT, variants
from workbench.core.access import BOOTSTRAP
from workbench.jobs import queue
from workbench.jobs.handle import JobHandle
from workbench.jobs.states import JobState
from workbench.jobs.sweep import run_tasks
from workbench.store.db import open_store
from workbench.store.models import AuditEntry, OptimizationRun

LEASE_S = 4  # shortened lease, so a lost worker shows within seconds


def _store_with(url: str, *networks: tuple[str, tuple[int, int, int]]) -> None:
    ws = Workspace.connect(url)
    for name, size in networks:
        ws.store_network(synthetic_network(*size), name)
        ws.create_scenario(name, name)
    ws.close()


def _worker(url: str, *args: str) -> subprocess.Popen:
    exe = Path(sys.executable).with_name("workbench")
    return subprocess.Popen([str(exe), "worker", *args],
                            env={**os.environ, "WORKBENCH_DB_URL": url,
                                 "WORKBENCH_JOB_LEASE_S": str(LEASE_S)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _until(check, timeout_s: float = 120, poll_s: float = 0.2):
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        value = check()
        if value:
            return value
        time.sleep(poll_s)
    raise AssertionError("timed out")


def _stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)


def test_every_state_transition(store_url):
    store = open_store(store_url)
    try:
        job = queue.submit(store, BOOTSTRAP, "clinker.solve", {"scenario": "x"})
        assert job.state is JobState.PENDING
        claimed = queue.claim(store, "w1")
        assert claimed and claimed.id == job.id and claimed.state is JobState.RUNNING
        assert queue.claim(store, "w2") is None  # one job, one worker
        queue.finish(store, job.id, JobState.SUCCESS, run_id=None, result={"ok": 1})
        done = queue.get(store, BOOTSTRAP, job.id)
        assert done.state is JobState.SUCCESS and done.progress_percent == 100
        queue.finish(store, job.id, JobState.FAILED)  # a finished job stays as it ended
        assert queue.get(store, BOOTSTRAP, job.id).state is JobState.SUCCESS

        pending = queue.submit(store, BOOTSTRAP, "clinker.solve", {"scenario": "x"})
        assert queue.cancel(store, BOOTSTRAP, pending.id).state is JobState.CANCELLED
        assert queue.claim(store, "w1") is None  # a cancelled pending job never starts

        lost = queue.submit(store, BOOTSTRAP, "clinker.solve", {"scenario": "x"})
        assert queue.claim(store, "w1").id == lost.id
        with store.session() as session:  # its worker went silent long ago
            session.execute(text("UPDATE job_status SET heartbeat_at = :t WHERE id = :i"),
                            {"t": queue.now() - 2 * queue.lease(), "i": lost.id})
        assert queue.reap(store) == [lost.id]
        assert queue.get(store, BOOTSTRAP, lost.id).state is JobState.PENDING  # requeued once
        queue.claim(store, "w2")
        with store.session() as session:
            session.execute(text("UPDATE job_status SET heartbeat_at = :t WHERE id = :i"),
                            {"t": queue.now() - 2 * queue.lease(), "i": lost.id})
        queue.reap(store)
        failed = queue.get(store, BOOTSTRAP, lost.id)
        assert failed.state is JobState.FAILED and failed.error["kind"] == "worker_lost"
    finally:
        store.dispose()


def test_a_job_runs_in_a_worker_and_gives_the_solve_json(tmp_path):
    url = f"sqlite:///{tmp_path / 'jobs.db'}"
    _store_with(url, ("small", (3, 5, 3)))
    env = {"WORKBENCH_DB_URL": url}
    started = time.perf_counter()
    submitted = run_cli("jobs", "submit", "--scenario", "small", "--gap", "0", "--json", env=env)
    assert submitted.returncode == 0, submitted.stderr
    assert "no worker is running" in submitted.stderr  # and it says how to start one
    job_id = json.loads(submitted.stdout)["job_id"]
    assert time.perf_counter() - started < 10  # returns at once, without solving
    worker = _worker(url)
    try:
        waited = run_cli("jobs", "wait", str(job_id), "--json", env=env)
        assert waited.returncode == 0, waited.stderr
        result = json.loads(run_cli("jobs", "results", str(job_id), "--json", env=env).stdout)
        direct = json.loads(run_cli("solve", "--scenario", "small", "--gap", "0", "--json",
                                    env=env).stdout)
        assert set(result) == set(direct)
        assert result["status"] == "optimal" and result["scenario"] == "small"
        assert result["objective_inr"] == pytest.approx(direct["objective_inr"], rel=1e-9)
        status = json.loads(run_cli("jobs", "status", str(job_id), "--json", env=env).stdout)
        assert status["state"] == "SUCCESS" and status["run_id"] == result["run_id"]
        log = json.loads(run_cli("audit", "--json", "--limit", "50", env=env).stdout)
        actions = {e["action"] for e in log}
        assert {"job.submit", "job.start", "job.end"} <= actions
    finally:
        _stop(worker)


@pytest.fixture
def long_job(store_url):
    """A national-size network at gap 0, started cold: a first plan within seconds, then
    minutes of branch and bound to interrupt."""
    _store_with(store_url, ("national", (20, 80, 12)))
    store = open_store(store_url)
    job = queue.submit(store, BOOTSTRAP, "clinker.solve",
                       {"scenario": "national", "options": {
                           "mip_gap": 0.0, "time_limit_s": 300, "warm_start": False,
                           "shadow_prices": False}})
    yield store, job
    store.dispose()


def test_cancelling_a_running_solve_keeps_its_best_plan(long_job, store_url):
    store, job = long_job
    worker = _worker(store_url)
    try:
        _until(lambda: "best plan" in queue.get(store, BOOTSTRAP, job.id).progress_message,
               timeout_s=180)
        asked = time.monotonic()
        queue.cancel(store, BOOTSTRAP, job.id)
        ended = _until(lambda: (j := queue.get(store, BOOTSTRAP, job.id)).state.finished and j,
                       timeout_s=60)
        latency = time.monotonic() - asked
        assert ended.state is JobState.CANCELLED, ended
        assert latency < 15, latency  # HiGHS stops at its next interrupt check
        assert ended.result["status"] == "feasible"
        assert ended.result["termination_condition"] == "interrupted"
        with store.session() as session:
            run = session.get(OptimizationRun, ended.run_id)
            assert run is not None and run.has_result and run.status == "feasible"
    finally:
        _stop(worker)


def test_a_worker_killed_mid_solve_leaves_its_job_requeued(long_job, store_url, monkeypatch):
    monkeypatch.setenv("WORKBENCH_JOB_LEASE_S", str(LEASE_S))
    store, job = long_job
    worker = _worker(store_url)
    try:
        _until(lambda: queue.get(store, BOOTSTRAP, job.id).state is JobState.RUNNING)
        time.sleep(1)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
        killed = time.monotonic()
        seen = _until(lambda: (j := queue.get(store, BOOTSTRAP, job.id)).state
                      is not JobState.RUNNING and j, timeout_s=60)
        assert seen.state is JobState.PENDING and seen.attempts == 1
        assert time.monotonic() - killed < 60
        with store.session() as session:
            assert session.scalar(select(func.count()).select_from(OptimizationRun)) == 0
            if store.dialect == "sqlite":
                assert session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    finally:
        _stop(worker)


def test_four_jobs_at_once_on_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'four.db'}"
    _store_with(url, *[(f"n{i}", (3, 5, 3)) for i in range(4)])
    store = open_store(url)
    jobs = [queue.submit(store, BOOTSTRAP, "clinker.solve", {"scenario": f"n{i}"})
            for i in range(4)]
    worker = _worker(url, "--concurrency", "4")
    try:
        _until(lambda: all(queue.get(store, BOOTSTRAP, j.id).state.finished for j in jobs),
               timeout_s=180)
        states = [queue.get(store, BOOTSTRAP, j.id) for j in jobs]
        assert [s.state for s in states] == [JobState.SUCCESS] * 4, states
    finally:
        _stop(worker)
        store.dispose()
    assert "database is locked" not in worker.stderr.read()


def test_the_python_api_starts_a_local_worker_and_follows_the_job(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_WORKER_IDLE_EXIT_S", "5")
    url = f"sqlite:///{tmp_path / 'api.db'}"
    _store_with(url, ("small", (3, 5, 3)))
    ws = Workspace.connect(url)
    try:
        handle = ws.submit("small", SolveOptions(mip_gap=0.0))
        assert isinstance(handle, JobHandle)
        assert handle.result(timeout_s=120)["status"] == "optimal"
        assert handle.status().state is JobState.SUCCESS
    finally:
        ws.close()


def test_a_sweep_runs_its_variants_on_a_dask_local_cluster(tmp_path):
    url = f"sqlite:///{tmp_path / 'sweep.db'}"
    _store_with(url, ("base", (3, 5, 3)))
    done = run_cli("sweep", "--scenario", "base", "--demand-multiplier", "0.9:1.15:0.05",
                   "--json", env={"WORKBENCH_DB_URL": url}, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout)
    assert [r["scenario"] for r in out["rows"]] == [
        f"base~demand{f:g}" for f in (0.9, 0.95, 1.0, 1.05, 1.1, 1.15)]
    assert all(r["status"] == "optimal" for r in out["rows"]) and out["failed"] == []
    costs = [r["total_cost_inr"] for r in out["rows"]]
    assert costs == sorted(costs)  # more demand costs more
    shown = json.loads(run_cli("scenario", "show", "base~demand1.1", "--json",
                               env={"WORKBENCH_DB_URL": url}).stdout)
    assert shown["lineage"] == ["base~demand1.1 v1", "base v1"]


def test_a_remote_scheduler_with_a_sqlite_store_is_refused(tmp_path):
    url = f"sqlite:///{tmp_path / 'sweep.db'}"
    _store_with(url, ("base", (3, 5, 3)))
    done = run_cli("sweep", "--scenario", "base", "--demand-multiplier", "1.0",
                   "--scheduler", "tcp://127.0.0.1:8786", env={"WORKBENCH_DB_URL": url})
    assert done.returncode == 2 and "PostgreSQL" in done.stderr


def _progress(incumbent: float | None, bound: float | None) -> SolveProgress:
    return SolveProgress(best_bound=bound, incumbent=incumbent, gap="", seconds=1.0)


def test_percent_done_follows_the_gap_on_a_log_scale():
    # no plan yet: a token 5 %, whether or not a bound is known
    assert percent_done(_progress(None, None), 0.01) == 5.0
    assert percent_done(_progress(None, 90.0), 0.01) == 5.0
    assert percent_done(_progress(100.0, None), 0.01) == 5.0
    # at or below the gap asked for: done
    assert percent_done(_progress(100.0, 99.0), 0.01) == 100.0
    assert percent_done(_progress(100.0, 100.0), 0.0) == 100.0
    # halfway on the log scale between a 100 % gap and the one asked for
    assert percent_done(_progress(100.0, 90.0), 0.01) == pytest.approx(55.0)
    assert percent_done(_progress(1000.0, 999.0), 0.0) == pytest.approx(55.0)  # gap 0: 1e-6
    assert percent_done(_progress(100.0, 50.0), 0.01) == pytest.approx(
        10 + 90 * (1 - math.log(50) / math.log(100)))
    # a gap of 100 % or more is the first plan: 10 %
    assert percent_done(_progress(100.0, 0.0), 0.01) == 10.0
    assert percent_done(_progress(100.0, -50.0), 0.01) == 10.0
    # a closing gap never moves the bar back, and it stays within 10-100 %
    gaps = [2.0, 0.9, 0.5, 0.2, 0.1, 0.05, 0.02, 0.011, 0.01, 0.001]
    shown = [percent_done(_progress(100.0, 100.0 * (1 - g)), 0.01) for g in gaps]
    assert shown == sorted(shown) and shown[0] == 10.0 and shown[-1] == 100.0


def test_jobs_list_by_status_and_cancel_from_the_command_line(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    _store_with(url, ("small", (3, 5, 3)))
    env = {"WORKBENCH_DB_URL": url}
    store = open_store(url)
    try:
        running = queue.submit(store, BOOTSTRAP, "clinker.solve", {"scenario": "small"})
        assert queue.claim(store, "w1").id == running.id  # a worker's claim, no worker:
        pending = queue.submit(store, BOOTSTRAP, "clinker.solve",  # RUNNING until ended
                               {"scenario": "small"})
        untouched = queue.submit(store, BOOTSTRAP, "clinker.solve", {"scenario": "small"})

        def listed(status: str) -> list[int]:
            done = run_cli("jobs", "list", "--status", status, "--json", env=env)
            assert done.returncode == 0, done.stderr
            return [j["id"] for j in json.loads(done.stdout)]

        assert listed("PENDING") == [untouched.id, pending.id]  # newest first
        assert listed("running") == [running.id]  # any case
        assert listed("CANCELLED") == []

        done = run_cli("jobs", "cancel", str(pending.id), env=env)
        assert done.returncode == 0, done.stderr
        assert f"job {pending.id}: cancelled" in done.stderr
        done = run_cli("jobs", "cancel", str(running.id), "--json", env=env)
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout) == {"job_id": running.id, "state": "RUNNING",
                                           "cancel_requested": True}  # its worker stops it

        assert listed("CANCELLED") == [pending.id]
        assert listed("PENDING") == [untouched.id]
        assert listed("RUNNING") == [running.id]
        assert queue.claim(store, "w2").id == untouched.id  # the cancelled one never starts

        again = run_cli("jobs", "cancel", str(pending.id), env=env)
        assert again.returncode == 1 and "already ended" in again.stderr
        bad = run_cli("jobs", "list", "--status", "DONE", env=env)
        assert bad.returncode == 1 and "PENDING, RUNNING, SUCCESS" in bad.stderr
        missing = run_cli("jobs", "cancel", "9999", env=env)
        assert missing.returncode == 1 and "no job with id 9999" in missing.stderr

        with store.session() as session:  # one audit row per cancel that was accepted
            cancels = session.scalars(select(AuditEntry).where(
                AuditEntry.action == "job.cancel").order_by(AuditEntry.id)).all()
            assert [(e.username, e.status, e.object_type, e.object_id, e.detail)
                    for e in cancels] == [
                ("local", "ok", "job", str(pending.id), "was PENDING"),
                ("local", "ok", "job", str(running.id), "was RUNNING")]
    finally:
        store.dispose()


def test_sweep_variant_names_carry_every_change_in_a_stable_order():
    cap_a, cap_b = scenarios.capacity("IU_001", 1.2), scenarios.capacity("IU_002", 0.5)
    closed = [scenarios.close_route("R9"), scenarios.close_route("R7")]
    plain = variants("base", [0.9, 1.0], [])
    assert [v.name for v in plain] == ["base~demand0.9", "base~demand1"]
    full = variants("base", [0.9], [cap_b, closed[0], cap_a, closed[1]])
    assert full[0].name == "base~demand0.9~capacity=IU_001x1.2,IU_002x0.5~closed=R7,R9"
    # the same changes in another order: the same variant, name and changes alike
    again = variants("base", [0.9], [closed[1], cap_a, closed[0], cap_b])
    assert again == full
    # any change that differs gives another name
    names = {variants("base", [0.9], extra)[0].name for extra in (
        [], [cap_a], [cap_b], [scenarios.capacity("IU_001", 1.3)], [closed[0]], [closed[1]],
        [cap_a, closed[0]])}
    assert len(names) == 7
    # a name longer than the store keeps ends in a hash of the whole: still stable, distinct
    many = [scenarios.close_route(f"ROUTE-{i:03d}") for i in range(40)]
    long_a = variants("base", [1.0], many)[0].name
    long_b = variants("base", [1.0], many[:-1])[0].name
    assert len(long_a) == NAME_LIMIT and long_a.startswith("base~demand1~closed=ROUTE-000,")
    assert long_a != long_b and long_a == variants("base", [1.0], many[::-1])[0].name


def test_the_same_sweep_runs_again_as_new_versions_of_its_variants(tmp_path):
    url = f"sqlite:///{tmp_path / 'again.db'}"
    _store_with(url, ("base", (3, 5, 3)))
    env = {"WORKBENCH_DB_URL": url}
    args = ("sweep", "--scenario", "base", "--demand-multiplier", "0.9:1:0.1",
            "--capacity", "IU_001=1.2", "--close-route", "IU_001-GU_003-ROAD", "--json")
    first = run_cli(*args, env=env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr[-2000:]
    second = run_cli(*args, env=env, cwd=tmp_path)
    assert second.returncode == 0, second.stderr[-2000:]  # no "already exists"
    names = [f"base~demand{f}~capacity=IU_001x1.2~closed=IU_001-GU_003-ROAD" for f in ("0.9", "1")]
    rows = [json.loads(first.stdout)["rows"], json.loads(second.stdout)["rows"]]
    assert [[(r["scenario"], r["version"]) for r in run] for run in rows] == [
        [(n, 1) for n in names], [(n, 2) for n in names]]
    assert [r["total_cost_inr"] for r in rows[0]] == pytest.approx(
        [r["total_cost_inr"] for r in rows[1]])  # made afresh from base, not compounded
    for factor, name, one, two in zip(("0.9", "1"), names, *rows, strict=True):
        shown = json.loads(run_cli("scenario", "show", name, "--json", env=env).stdout)
        assert [(v["version"], [r["run"] for r in v["runs"]]) for v in shown["versions"]] == [
            (1, [one["run_id"]]), (2, [two["run_id"]])]
        assert shown["lineage"] == [f"{name} v2", "base v1"]
        assert shown["versions"][1]["inherits_from"] == "base v1"
        assert shown["versions"][1]["adds"] == shown["versions"][0]["adds"] == [
            f"demand × {factor} (all nodes)", "capacity at IU_001 × 1.2",
            "route IU_001-GU_003-ROAD closed"]


def test_a_sweep_reports_a_failed_variant_and_solves_the_others(tmp_path):
    url = f"sqlite:///{tmp_path / 'failed.db'}"
    _store_with(url, ("base", (3, 5, 3)))
    ws = Workspace.connect(url)  # someone's own what-if, not a variant of base, has a
    ws.create_scenario("base~demand1", "base",  # variant's name
                       changes=[scenarios.capacity("IU_002", 0.5)])
    ws.close()
    done = run_cli("sweep", "--scenario", "base", "--demand-multiplier", "0.9:1.1:0.1",
                   "--json", env={"WORKBENCH_DB_URL": url}, cwd=tmp_path)
    assert done.returncode == 1, done.stderr[-2000:]  # not everything ran
    out = json.loads(done.stdout)
    assert [(r["scenario"], r["status"]) for r in out["rows"]] == [
        ("base~demand0.9", "optimal"), ("base~demand1.1", "optimal")]
    assert [(f["scenario"], f["version"]) for f in out["failed"]] == [("base~demand1", None)]
    assert "does not derive from 'base'" in out["failed"][0]["error"]
    store = open_store(url)
    try:
        with store.session() as session:
            runs = session.scalars(select(OptimizationRun.id)).all()
            assert sorted(runs) == sorted(r["run_id"] for r in out["rows"])
            kept = session.execute(text("SELECT version, changes FROM scenarios WHERE name = "
                                        "'base~demand1'")).all()
            assert len(kept) == 1 and kept[0][0] == 1 and "IU_002" in str(kept[0][1])
    finally:
        store.dispose()


def test_a_failing_task_on_the_dask_cluster_does_not_sink_the_others():
    results = {r.key: r for r in run_tasks(math.sqrt, [("four", (4.0,)), ("minus", (-1.0,)),
                                                       ("nine", (9.0,))], workers=1)}
    assert set(results) == {"four", "minus", "nine"}
    assert (results["four"].value, results["nine"].value) == (2.0, 3.0)
    assert results["four"].error is None and results["nine"].error is None
    assert results["minus"].error == "ValueError: math domain error"


def test_progress_label_names_the_state_once() -> None:
    from types import SimpleNamespace

    from workbench.jobs.handle import progress_label

    def job(state, message):
        return SimpleNamespace(state=state, progress_message=message)

    assert progress_label(job(JobState.CANCELLED, "cancelled before it started")) == \
        "cancelled before it started"
    assert progress_label(job(JobState.RUNNING, "gap 0.80%")) == "running: gap 0.80%"
    assert progress_label(job(JobState.PENDING, None)) == "pending"


def test_a_run_whose_lease_ran_out_cannot_write_over_the_attempt_that_replaced_it(store_url):
    store = open_store(store_url)
    try:
        job = queue.submit(store, BOOTSTRAP, "clinker.solve", {"scenario": "x"})
        first = queue.claim(store, "w1")
        assert queue.heartbeat(store, job.id, attempt=first.attempts) is False  # still its own
        with store.session() as session:  # w1 stalled past its lease...
            session.execute(text("UPDATE job_status SET heartbeat_at = :t WHERE id = :i"),
                            {"t": queue.now() - 2 * queue.lease(), "i": job.id})
        assert queue.reap(store) == [job.id]
        second = queue.claim(store, "w2")  # ...and the job went to w2
        assert second.attempts == first.attempts + 1
        # w1 comes back: its beat tells it to stop and renews nothing; its end is ignored
        assert queue.heartbeat(store, job.id, 50.0, "w1", attempt=first.attempts) is True
        queue.finish(store, job.id, JobState.FAILED, attempt=first.attempts,
                     error={"kind": "internal", "message": "w1's late end"})
        now_ = queue.get(store, BOOTSTRAP, job.id)
        assert now_.state is JobState.RUNNING and now_.worker == "w2"
        assert now_.progress_message != "w1"
        assert queue.heartbeat(store, job.id, attempt=second.attempts) is False
        queue.finish(store, job.id, JobState.SUCCESS, attempt=second.attempts, result={})
        assert queue.get(store, BOOTSTRAP, job.id).state is JobState.SUCCESS
    finally:
        store.dispose()


def test_sweeps_deriving_one_variant_at_once_each_get_their_own_version(store_url):
    import threading

    _store_with(store_url, ("base", (3, 5, 3)))
    at_once, made, errors = 6, [], []
    start = threading.Barrier(at_once)

    def derive() -> None:
        ws = Workspace.connect(store_url)
        try:
            start.wait()
            made.append(ws.derive_scenario("base~demand1.1", "base",
                                           [scenarios.demand_multiplier(1.1)]).version)
        except Exception as exc:  # reported by the assert below
            errors.append(repr(exc))
        finally:
            ws.close()

    threads = [threading.Thread(target=derive) for _ in range(at_once)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(made) == list(range(1, at_once + 1))
