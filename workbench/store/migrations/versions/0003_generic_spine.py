"""The spine knows no domain: scope grants instead of IU/GU lists, runs carry their domain.

Revision ID: 0003
Revises: 0002

- ``users.ius`` and ``users.gus`` become ``users.scopes``; ``datasets.node_ids`` and
  ``scenarios.node_ids`` become ``scopes``. Release 0.1 knew only clinker nodes, so every id
  becomes a ``node:<id>`` grant, and the ``iu_manager``/``gu_manager`` roles become ``manager``.
- ``audit_log.nodes`` is renamed ``scopes``. Its old rows keep their bare node ids: the log is
  append-only, and history is not rewritten.
- ``optimization_run`` gains ``domain`` (taken from its dataset), ``termination_condition`` and
  ``has_result`` (whether the run left a usable result; release 0.1 runs did when their status
  was optimal or feasible).

Plain ``ALTER TABLE`` statements (SQLite 3.35+ and PostgreSQL both have them) instead of
Alembic's batch mode: a batch copy of ``datasets`` would trip the foreign keys pointing at it.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

def _table(name: str, *columns: str) -> sa.TableClause:
    return sa.table(name, sa.column("id", sa.Integer),
                    *(sa.column(c, sa.JSON) for c in columns))


def _move(name: str, old: str, new: str, convert: Callable[[list], list]) -> None:
    """Add ``new``, fill it from ``old`` row by row, drop ``old``."""
    bind = op.get_bind()
    op.add_column(name, sa.Column(new, sa.JSON(), nullable=True))
    table = _table(name, old, new)
    for row in bind.execute(sa.select(table)).all():
        value = convert(getattr(row, old) or [])
        bind.execute(table.update().where(table.c.id == row.id).values({new: value}))
    op.execute(f"ALTER TABLE {name} DROP COLUMN {old}")


def upgrade() -> None:
    bind = op.get_bind()
    op.add_column("users", sa.Column("scopes", sa.JSON(), nullable=True))
    users = _table("users", "ius", "gus", "scopes")
    for row in bind.execute(sa.select(users)).all():
        grants = sorted({f"node:{n}" for n in [*(row.ius or []), *(row.gus or [])]})
        bind.execute(users.update().where(users.c.id == row.id).values(scopes=grants))
    op.execute(sa.text("UPDATE users SET role = 'manager' WHERE role IN ('iu_manager', "
                       "'gu_manager')"))
    op.execute("ALTER TABLE users DROP COLUMN ius")
    op.execute("ALTER TABLE users DROP COLUMN gus")

    for name in ("datasets", "scenarios"):
        _move(name, "node_ids", "scopes", lambda ids: sorted(f"node:{n}" for n in ids))

    op.execute("ALTER TABLE audit_log RENAME COLUMN nodes TO scopes")

    op.add_column("optimization_run", sa.Column("domain", sa.String(40), nullable=True))
    op.add_column("optimization_run", sa.Column("termination_condition", sa.String(60),
                                                nullable=True))
    op.add_column("optimization_run", sa.Column("has_result", sa.Boolean(), nullable=False,
                                                server_default=sa.false()))
    op.execute("UPDATE optimization_run SET domain = (SELECT datasets.domain FROM datasets "
               "WHERE datasets.id = optimization_run.dataset_id)")
    op.execute(sa.text("UPDATE optimization_run SET has_result = :yes WHERE status IN "
                       "('optimal', 'feasible')").bindparams(yes=True))


def downgrade() -> None:
    bind = op.get_bind()
    op.execute("ALTER TABLE optimization_run DROP COLUMN has_result")
    op.execute("ALTER TABLE optimization_run DROP COLUMN termination_condition")
    op.execute("ALTER TABLE optimization_run DROP COLUMN domain")
    op.execute("ALTER TABLE audit_log RENAME COLUMN scopes TO nodes")
    for name in ("scenarios", "datasets"):
        _move(name, "scopes", "node_ids", lambda grants: [g.split(":", 1)[1] for g in grants])
    op.add_column("users", sa.Column("ius", sa.JSON(), nullable=True))
    op.add_column("users", sa.Column("gus", sa.JSON(), nullable=True))
    users = _table("users", "ius", "gus", "scopes")
    for row in bind.execute(sa.select(users)).all():
        ids = [g.split(":", 1)[1] for g in row.scopes or []]
        # release 0.1 told IUs from GUs by their lists; the grant does not say, so ids that
        # look like IUs go back to ius
        bind.execute(users.update().where(users.c.id == row.id).values(
            ius=[i for i in ids if i.upper().startswith("IU")],
            gus=[i for i in ids if not i.upper().startswith("IU")]))
    op.execute("UPDATE users SET role = 'gu_manager' WHERE role = 'manager'")
    op.execute("ALTER TABLE users DROP COLUMN scopes")
