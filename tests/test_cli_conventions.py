"""One rule for every command: 0 done, 1 bad input or no result, 2 usage error; help in the
command line's own words; stdout kept for the answer."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli, write_tables
from workbench.cli.main import SPINE_COMMANDS, cli_for, command_name


def _commands(command, path=()):
    yield path
    for name, sub in getattr(command, "commands", {}).items():
        yield from _commands(sub, (*path, name))


def test_help_never_shows_python_type_names(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    root = cli_for([])
    paths = list(_commands(root))
    assert ("solve",) in paths and ("clinker", "solve") in paths and ("plan", "export") in paths
    for path in paths:
        with pytest.raises(SystemExit) as stop:
            root.main([*path, "--help"], prog_name="workbench")
        output = capsys.readouterr().out
        assert stop.value.code == 0, (path, output)
        assert "Usage: workbench" in output
        for token in ("<str>", "<bool>", "<int>", "<float>", "<path>", "list[", "{"):
            assert token not in output, (path, token, output)


def test_version():
    done = run_cli("--version")
    assert done.returncode == 0 and done.stdout.startswith("workbench ")


@pytest.mark.parametrize("args, says", [
    (("solve",), "name the data to solve"),
    (("solve", "x", "--scenario", "y"), "not both"),
    (("solve", ".", "--solver", "gurobi"), "use one of: highs"),
    (("solve", ".", "--plan"), "add --json"),
    (("plan", "export", "--out", "x.xlsx"), "--scenario NAME"),
    (("solve", "--no-such-option"), "No such option"),
    (("user", "add", "x", "--role", "boss", "--password-stdin"), "choose one of"),
])
def test_usage_errors_exit_2(args, says, tmp_path):
    done = run_cli(*args, cwd=tmp_path, env={"WORKBENCH_DB_URL": f"sqlite:///{tmp_path}/s.db"})
    assert done.returncode == 2, done.stderr
    assert says in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""


def test_an_unknown_solver_leaves_stdout_clean_for_json_readers(tmp_path):
    done = run_cli("solve", ".", "--solver", "gurobi", "--json", cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""


def test_bad_input_exits_1_and_a_found_plan_exits_0(tiny, tmp_path):
    good = write_tables(tiny, tmp_path / "good")
    assert run_cli("solve", str(good), "--json").returncode == 0
    tiny["demand_forecast"][0]["demand_t"] = "lots"
    bad = write_tables(tiny, tmp_path / "bad")
    done = run_cli("solve", str(bad), "--json")
    assert done.returncode == 1 and json.loads(done.stdout)["status"] == "invalid_input"
    assert run_cli("solve", str(tmp_path / "missing")).returncode == 1


def test_a_missing_password_is_named_as_such(tmp_path):
    env = {"WORKBENCH_DB_URL": f"sqlite:///{tmp_path}/s.db"}
    assert run_cli("user", "add", "admin", "--role", "admin", "--password-stdin",
                   stdin="admin-pass-1\n", env=env).returncode == 0
    done = run_cli("dataset", "list", env={**env, "WORKBENCH_USER": "admin"}, stdin="")
    assert done.returncode == 1
    assert "no password given for user 'admin'" in done.stderr
    assert "WORKBENCH_PASSWORD" in done.stderr


def test_spine_commands_are_known_to_the_fast_path():
    from workbench.core.domain import domains

    root = cli_for([])
    installed = domains()
    spine = set(root.commands) - set(installed)
    for domain in installed.values():
        if domain.top_level:
            spine -= set(root.commands[domain.name].commands)
    assert spine == SPINE_COMMANDS  # a new spine command must be listed, or it loads slowly
    assert command_name(["--db", "sqlite:///x.db", "jobs", "list"]) == "jobs"
    assert command_name(["--user", "asha", "solve", "x"]) == "solve"


def test_native_writes_to_stdout_go_to_stderr_and_stdout_keeps_the_answer():
    """A solver library writing to descriptor 1 (HiGHS 1.16 prints a banner when made) must
    not spoil the one JSON document that `--json` readers parse."""
    import subprocess
    import sys

    code = ("import os, sys\n"
            "from workbench.cli.main import _native_output_to_stderr\n"
            "_native_output_to_stderr()\n"
            "os.write(1, b'Running a native banner\\n')\n"
            "print('{\"ok\": true}')\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"ok": True}
    assert "Running a native banner" in done.stderr
