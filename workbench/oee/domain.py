"""The OEE domain's entry in the spine's registry (see ``workbench.core.domain``)."""

from workbench.core.domain import Domain

DOMAIN = Domain(
    name="oee",
    title="OEE from machine events (ISO 22400-2): validate, KPIs, six losses, event store",
    scope_kinds=("site", "line"),
    cli="workbench.oee.cli:app",
    models="workbench.oee.store.models",
    migrations="workbench.oee.store.migrations",
    schema_head="oee_0003",
    schema_depends_on="0003",
    scope_shorthands={"sites": "site", "lines": "line"},
    notebooks=("oee_report.ipynb",),
    dashboards=("oee.ipynb",),
    demo="workbench.oee.demo_job:run",
)
