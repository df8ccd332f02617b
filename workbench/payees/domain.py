"""The payees domain's entry in the spine's registry (see ``workbench.core.domain``)."""

from workbench.core.domain import Domain

DOMAIN = Domain(
    name="payees",
    title="Payee classification and supplier matching",
    # an AP team works per legal entity / company code: grants look like entity:IN01
    scope_kinds=("entity",),
    cli="workbench.payees.cli:app",
    models="workbench.payees.store.models",
    migrations="workbench.payees.store.migrations",
    schema_head="payees_0001",
    scope_shorthands={"entities": "entity"},
    notebooks=("payees_report.ipynb",),
    dashboards=("payees.ipynb",),
    demo="workbench.payees.demo_job:run",
)
