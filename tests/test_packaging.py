"""The project installs from its own files: environment.yml and pyproject.toml agree."""

from __future__ import annotations

import re
import tomllib

from tests.conftest import ROOT


def _name(requirement: str) -> str:
    return re.split(r"[<>=!\[ ]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _conda_deps() -> set[str]:
    deps: set[str] = set()
    in_deps = False
    for line in (ROOT / "environment.yml").read_text().splitlines():
        if line.startswith("dependencies:"):
            in_deps = True
            continue
        match = re.match(r"^  - ([A-Za-z0-9_.\-]+.*)$", line)
        # packages conda-forge lacks (or names differently) come from PyPI under "pip:"
        pip_match = re.match(r"^      - ([A-Za-z0-9_.\-]+.*)$", line)
        if in_deps and (match or pip_match):
            deps.add(_name((match or pip_match).group(1)))
    return deps - {"python", "pip", "pip:", "-e"}


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_name(d) for d in project["dependencies"]}
    wanted |= {_name(d) for d in project["optional-dependencies"]["test"]}
    assert _conda_deps() == wanted


def test_required_top_level_exists():
    for name in ("notebooks", "workbench", "reports", "tests", "environment.yml",
                 "pyproject.toml", "README.md", "Makefile", ".ci/run"):
        assert (ROOT / name).exists(), name


def test_core_dependencies_declared():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {_name(d) for d in project["dependencies"]}
    assert {"jupyterlab", "voila", "ipywidgets", "pyomo", "highspy", "pandas", "papermill",
            "altair", "sqlalchemy"} <= names
