"""Report runs: every `workbench report` run, with its parameters, outcome and lineage.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notebook", sa.String(length=200), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seconds", sa.Double(), nullable=False),
        sa.Column("folder", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("data_hash", sa.String(length=64), nullable=True),
        sa.Column("package_version", sa.String(length=60), nullable=False),
        sa.Column("solver_version", sa.String(length=60), nullable=True),
        sa.Column("meta", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id"))
    op.create_index("ix_report_runs_notebook", "report_runs", ["notebook"])
    op.create_index("ix_report_runs_started_at", "report_runs", ["started_at"])


def downgrade() -> None:
    op.drop_table("report_runs")
