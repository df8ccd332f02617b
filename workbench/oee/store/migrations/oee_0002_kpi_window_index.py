"""An index on the KPI rows by dataset, window kind and window start.

Revision ID: oee_0002
Revises: oee_0001

A dashboard reads the last days of a whole plant (every line); the line and site indexes lead
with the line or site, so those reads scanned every day row of the dataset.
"""

from __future__ import annotations

from alembic import op

revision = "oee_0002"
down_revision = "oee_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_oee_kpis_window", "oee_kpis",
                    ["dataset_id", "window_kind", "window_start"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_oee_kpis_window", table_name="oee_kpis")
