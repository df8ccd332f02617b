"""The one dependency rule: domains import the spine; the spine imports no domain; no domain
imports another. Checked on the source (every import statement, also inside functions) and on
what a real import loads."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "workbench"


def _domains() -> set[str]:
    """Every folder of workbench/ that registers a domain (has a domain.py; core's domain.py
    defines what a domain is)."""
    return {p.parent.name for p in PACKAGE.glob("*/domain.py")} - {"core"}


# the spine: every other part of the package (store, core, cli, jobs, reports, dashboards...)
SPINE = tuple(sorted({p.stem if p.is_file() else p.name for p in PACKAGE.iterdir()
                      if (p.suffix == ".py" or (p / "__init__.py").exists())
                      and p.name != "__init__.py"} - _domains()))


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def _top(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "workbench" else None


def _modules(folder: str) -> list[Path]:
    root = PACKAGE / folder
    return sorted(root.rglob("*.py")) if root.is_dir() else [PACKAGE / f"{folder}.py"]


def test_there_is_at_least_one_domain_to_check() -> None:
    assert "clinker" in _domains()


@pytest.mark.parametrize("part", SPINE)
def test_the_spine_imports_no_domain(part: str) -> None:
    domains = _domains()
    for path in _modules(part):
        named = {_top(m) for m in _imports(path)} & domains
        assert not named, f"{path.relative_to(PACKAGE.parent)} imports domain {named}"


@pytest.mark.parametrize("part", SPINE)
def test_the_spine_names_no_domain_job_or_module_in_its_strings(part: str) -> None:
    """Not by import, and not by name either: a string such as "clinker.solve" in the spine
    would tie it to one domain as surely as an import."""
    domains = _domains()
    for path in _modules(part):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                named = node.value.startswith(tuple(f"{d}." for d in domains)) or \
                    node.value.startswith(tuple(f"workbench.{d}" for d in domains))
                assert not named, f"{path.relative_to(PACKAGE.parent)} names {node.value!r}"


def test_no_domain_imports_another() -> None:
    domains = _domains()
    for domain in domains:
        for path in _modules(domain):
            others = ({_top(m) for m in _imports(path)} & domains) - {domain}
            assert not others, f"{path.relative_to(PACKAGE.parent)} imports {others}"


def test_importing_the_store_and_cli_helpers_loads_no_domain_module() -> None:
    code = ("import sys, workbench.store.db, workbench.store.runs, workbench.store.scenarios, "
            "workbench.store.users, workbench.store.backup, workbench.cli.session, "
            "workbench.cli.output\n"
            f"domains = {sorted(_domains())!r}\n"
            "loaded = [m for m in sys.modules if m.split('.')[:2] in "
            "[['workbench', d] for d in domains]]\n"
            "print(','.join(loaded))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == ""


def test_a_domains_options_module_loads_neither_the_store_nor_pyomo() -> None:
    code = ("import sys, workbench.clinker.optimization.options\n"
            "print(','.join(m for m in ('sqlalchemy', 'argon2', 'pyomo', 'workbench.store') "
            "if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == ""
