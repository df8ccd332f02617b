"""How a domain plugs into the spine without the spine naming it.

A domain (clinker planning, OEE, ESP wells, payees...) describes itself with one
:class:`Domain` record and publishes it as a ``workbench.domains`` entry point in
``pyproject.toml``. The spine finds every domain through :func:`domains` and asks it for its
command line, its store tables and migrations, its scope kinds and its report notebooks. Nothing
is imported until it is needed, so ``workbench --help`` stays fast and importing the store loads
no domain code.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

ENTRY_POINT_GROUP = "workbench.domains"


@dataclass(frozen=True)
class Domain:
    """What one domain contributes to the spine. Module references are ``"module:attr"``."""

    name: str
    title: str
    # kinds of thing a user can be granted, e.g. ("node",) or ("site", "line")
    scope_kinds: tuple[str, ...] = ()
    # a typer.Typer; mounted as `workbench <name> ...`
    cli: str | None = None
    # the default domain's commands are also mounted at the top level (`workbench solve`)
    top_level: bool = False
    # module whose import declares the domain's tables on the store's metadata
    models: str | None = None
    # package holding the domain's Alembic scripts, one branch labelled with the domain's name
    migrations: str | None = None
    # the newest revision of that branch (a test keeps it in step with the scripts)
    schema_head: str | None = None
    # the spine revision the branch names in ``depends_on``: Alembic then keeps that revision
    # out of the store's version table, so an up-to-date store does not list it as a head
    schema_depends_on: str | None = None
    # command-line shorthands for scope grants: option name -> scope kind ("ius" -> "node")
    scope_shorthands: Mapping[str, str] = field(default_factory=dict)
    # role presets that map a domain's own role names onto the spine's roles
    role_presets: Mapping[str, str] = field(default_factory=dict)
    # its notebooks, by file name in the repository's notebooks/ folder
    notebooks: tuple[str, ...] = ()
    # its manager dashboard pages, by file name in notebooks/dashboards/ (served by
    # `workbench dashboard`; each page has a `parameters` cell the server fills in)
    dashboards: tuple[str, ...] = ()
    # its part of `workbench demo`: a function taking a DemoContext (workbench.demo)
    demo: str | None = None
    # its background job kinds: name -> function taking a JobContext (workbench.jobs.worker);
    # a job's kind is "<domain>.<name>"
    jobs: Mapping[str, str] = field(default_factory=dict)

    def load_cli(self) -> Any:
        return _load(self.cli) if self.cli else None

    def load_demo(self) -> Any:
        return _load(self.demo) if self.demo else None

    def load_models(self) -> None:
        if self.models:
            importlib.import_module(self.models)

    def migrations_dir(self) -> Path | None:
        if not self.migrations:
            return None
        module = importlib.import_module(self.migrations)
        return Path(module.__file__).parent if module.__file__ else None


def _load(reference: str) -> Any:
    module, _, attr = reference.partition(":")
    loaded = importlib.import_module(module)
    return getattr(loaded, attr) if attr else loaded


@cache
def domains() -> dict[str, Domain]:
    """Every installed domain, by name, in a stable order (top-level domain first)."""
    found: dict[str, Domain] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        domain = ep.load()
        if not isinstance(domain, Domain):
            raise TypeError(f"entry point {ep.name} = {ep.value} is not a workbench Domain")
        found[domain.name] = domain
    return dict(sorted(found.items(), key=lambda kv: (not kv[1].top_level, kv[0])))


def get_domain(name: str) -> Domain:
    try:
        return domains()[name]
    except KeyError:
        raise KeyError(f"no domain named {name!r}; installed: {', '.join(domains())}") from None


def scope_kinds() -> set[str]:
    return {kind for d in domains().values() for kind in d.scope_kinds}


def role_presets() -> dict[str, str]:
    return {preset: role for d in domains().values() for preset, role in d.role_presets.items()}


def scope_shorthands() -> dict[str, str]:
    return {opt: kind for d in domains().values() for opt, kind in d.scope_shorthands.items()}
