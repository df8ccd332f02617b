"""The ESP domain's entry in the spine's registry (see ``workbench.core.domain``)."""

from workbench.core.domain import Domain

DOMAIN = Domain(
    name="esp",
    title="ESP well telemetry: ingestion with quality, rollups, archive, diagnostics",
    scope_kinds=("field", "well"),
    cli="workbench.esp.cli:app",
    models="workbench.esp.store.models",
    migrations="workbench.esp.store.migrations",
    schema_head="esp_0001",
    schema_depends_on="0003",
    scope_shorthands={"fields": "field", "wells": "well"},
    notebooks=("esp_report.ipynb",),
    dashboards=("esp.ipynb",),
    demo="workbench.esp.demo_job:run",
)
