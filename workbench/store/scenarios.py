"""Versioned scenarios: a dataset plus ordered changes; editing makes a new version.

The changes are the domain's own records (the store keeps them as JSON); the domain tells the
store which scopes they touch, for access control and the audit log.

Results of older versions stay with the version they were solved from. Approval marks one run
of a scenario as the baseline plan and keeps every earlier approval in ``plan_approvals``.
"""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from workbench.core.access import AccessDenied, Permission, Principal
from workbench.core.errors import Conflict
from workbench.store import audit
from workbench.store.datasets import NotFound, visible_dataset_ids, visible_to
from workbench.store.models import Approval, Dataset, OptimizationRun, Scenario

Change = dict[str, object]


def _require_change_rights(actor: Principal, touched: list[str], network_wide: bool,
                           what: str) -> None:
    if actor.can(Permission.CREATE_SCENARIO):
        return
    actor.require(Permission.EDIT_OWN, what)
    if network_wide:
        raise AccessDenied(f"user '{actor.username}' may only change what they are granted: "
                           "limit each change to it (for example --node)")
    actor.require_scopes(touched, what)


def create_scenario(session: Session, actor: Principal, name: str, dataset: Dataset,
                    changes: list[Change], touched: list[str], *, network_wide: bool,
                    parent: Scenario | None = None, description: str = "") -> Scenario:
    """Version 1 of a new scenario; a parent's changes come first, then these."""
    _require_change_rights(actor, touched, network_wide, "create scenarios")
    if session.scalar(select(Scenario).where(Scenario.name == name)) is not None:
        raise Conflict(f"scenario '{name}' already exists; `workbench scenario edit {name}` "
                         "makes a new version of it")
    inherited = list(parent.changes) if parent else []
    scenario = Scenario(name=name, version=1, dataset_id=dataset.id,
                        parent_id=parent.id if parent else None,
                        changes=inherited + changes,
                        scopes=sorted(set(touched) | set(parent.scopes if parent else [])),
                        description=description, created_by=actor.username)
    session.add(scenario)
    session.flush()
    audit.record(session, actor.username, "scenario.create", object_type="scenario",
                 object_id=f"{name} v1", scopes=touched,
                 detail=f"dataset {dataset.name}; {len(scenario.changes)} changes")
    return scenario


def edit_scenario(session: Session, actor: Principal, name: str, changes: list[Change],
                  touched: list[str], *, network_wide: bool) -> Scenario:
    """A new version = the current version's changes followed by these."""
    _require_change_rights(actor, touched, network_wide, "edit scenarios")
    current = get_scenario(session, actor, name)
    version = Scenario(name=name, version=current.version + 1, dataset_id=current.dataset_id,
                       parent_id=current.id, changes=list(current.changes) + changes,
                       scopes=sorted(set(current.scopes) | set(touched)),
                       description=current.description, created_by=actor.username)
    session.add(version)
    session.flush()
    audit.record(session, actor.username, "scenario.edit", object_type="scenario",
                 object_id=f"{name} v{version.version}", scopes=touched)
    return version


def derive_scenario(session: Session, actor: Principal, name: str, parent: Scenario,
                    changes: list[Change], touched: list[str], *, network_wide: bool,
                    description: str = "") -> Scenario:
    """``parent`` plus these changes, stored as ``name``: version 1 when the name is new, else
    the next version, made afresh from ``parent`` (its changes, then these; not the previous
    version's, which ``edit_scenario`` would compound). So a sweep can run again and each of
    its variants gets a new version. Refused when the existing scenario does not derive from
    a version of ``parent``: a name that is someone's own what-if is not taken over."""
    if session.scalar(select(Scenario.id).where(Scenario.name == name).limit(1)) is None:
        dataset = session.get(Dataset, parent.dataset_id)
        assert dataset is not None
        try:
            return create_scenario(session, actor, name, dataset, changes, touched,
                                   network_wide=network_wide, parent=parent,
                                   description=description)
        except Conflict:
            pass  # another sweep made version 1 a moment ago: this one makes the next
    _require_change_rights(actor, touched, network_wide, "edit scenarios")
    current = get_scenario(session, actor, name)
    origin = session.get(Scenario, current.parent_id) if current.parent_id else None
    if origin is None or origin.name != parent.name:
        raise Conflict(f"scenario '{name}' already exists and does not derive from "
                       f"'{parent.name}', so it is left as it is")
    version = Scenario(name=name, version=current.version + 1, dataset_id=parent.dataset_id,
                       parent_id=parent.id, changes=list(parent.changes) + changes,
                       scopes=sorted(set(touched) | set(parent.scopes or [])),
                       description=description or current.description,
                       created_by=actor.username)
    session.add(version)
    session.flush()
    audit.record(session, actor.username, "scenario.edit", object_type="scenario",
                 object_id=f"{name} v{version.version}", scopes=touched,
                 detail=f"made again from {parent.name} v{parent.version}; "
                        f"{len(version.changes)} changes")
    return version


def get_scenario(session: Session, actor: Principal, name: str,
                 version: int | None = None) -> Scenario:
    """The named version, or the newest one."""
    query = select(Scenario).where(Scenario.name == name)
    query = query.where(Scenario.version == version) if version else \
        query.order_by(Scenario.version.desc())
    scenario = session.scalars(query.limit(1)).first()
    if scenario is None:
        raise NotFound(f"no scenario named '{name}'" + (f" with version {version}"
                                                         if version else ""))
    if actor.sees_all:  # skips a lookup on the dashboards' hot path
        return scenario
    if not visible_to(actor, session.get(Dataset, scenario.dataset_id)):
        raise AccessDenied(f"user '{actor.username}' may not see scenario '{name}'")
    return scenario


def versions(session: Session, actor: Principal, name: str) -> list[Scenario]:
    """Every version, oldest first (refused like ``get_scenario`` if not visible)."""
    get_scenario(session, actor, name)
    return list(session.scalars(select(Scenario).where(Scenario.name == name)
                                .order_by(Scenario.version)))


def list_scenarios(session: Session, actor: Principal) -> list[Scenario]:
    """The newest version of every scenario the actor may see."""
    newest = select(Scenario.name, func.max(Scenario.version).label("v")).group_by(
        Scenario.name).subquery()
    query = select(Scenario).join(newest, (Scenario.name == newest.c.name) &
                                  (Scenario.version == newest.c.v)).order_by(Scenario.name)
    visible_datasets = visible_dataset_ids(session, actor)
    return [s for s in session.scalars(query) if s.dataset_id in visible_datasets]


def latest_run(session: Session, scenario: Scenario,
               with_plan: bool = False) -> OptimizationRun | None:
    query = select(OptimizationRun).where(OptimizationRun.scenario_id == scenario.id)
    if with_plan:
        query = query.where(OptimizationRun.has_result.is_(True))
    return session.scalars(query.order_by(OptimizationRun.id.desc()).limit(1)).first()


def latest_plan(session: Session, actor: Principal, name: str) -> OptimizationRun:
    """The newest run with a result of the scenario's newest version, or a ValueError."""
    run = latest_run(session, get_scenario(session, actor, name), with_plan=True)
    if run is None:
        raise Conflict(f"scenario '{name}' has no solved plan; run `workbench solve "
                         f"--scenario {name}` first")
    return run


def approve(session: Session, actor: Principal, name: str, note: str = "") -> Approval:
    """Make the newest version's latest plan the approved baseline."""
    actor.require(Permission.APPROVE, "approve plans")
    scenario = get_scenario(session, actor, name)
    run = latest_run(session, scenario, with_plan=True)
    if run is None:
        raise Conflict(f"scenario '{name}' v{scenario.version} has no solved plan to approve;"
                         f" run `workbench solve --scenario {name}` first")
    session.execute(update(OptimizationRun).where(OptimizationRun.approved.is_(True))
                    .values(approved=False))
    run.approved = True
    approval = Approval(run_id=run.id, scenario_id=scenario.id, approved_by=actor.username,
                        note=note)
    session.add(approval)
    audit.record(session, actor.username, "scenario.approve", object_type="run",
                 object_id=run.id, detail=f"{name} v{scenario.version}")
    return approval


def baseline_run(session: Session, actor: Principal) -> OptimizationRun | None:
    """The run of the newest approval, if any plan was ever approved and the actor may see it."""
    query = select(OptimizationRun).where(OptimizationRun.approved.is_(True)).limit(1)
    run = session.scalars(query).first()
    if run is None:
        return None
    return run if visible_to(actor, session.get(Dataset, run.dataset_id)) else None


def approvals(session: Session, actor: Principal) -> list[Approval]:
    """The approval history (who approved which run, when), for those who see all."""
    if not actor.sees_all:
        raise AccessDenied(f"user '{actor.username}' may not see the approval history")
    return list(session.scalars(select(Approval).order_by(Approval.id)))
