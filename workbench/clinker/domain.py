"""The clinker domain's entry in the spine's registry (see ``workbench.core.domain``)."""

from workbench.core.domain import Domain

DOMAIN = Domain(
    name="clinker",
    title="Clinker supply-chain planning",
    scope_kinds=("node",),
    cli="workbench.clinker.cli:app",
    top_level=True,
    models="workbench.clinker.store.models",
    migrations="workbench.clinker.store.migrations",
    schema_head="clinker_0002",
    scope_shorthands={"ius": "node", "gus": "node"},
    role_presets={"iu_manager": "manager", "gu_manager": "manager"},
    notebooks=("scenario_report.ipynb", "explore_network.ipynb", "clinker_plan.ipynb",
               "clinker_scenarios.ipynb"),
    dashboards=("overview.ipynb", "scenarios.ipynb", "plant.ipynb"),
    demo="workbench.clinker.demo_job:run",
    jobs={"solve": "workbench.clinker.jobs:solve"},
)
