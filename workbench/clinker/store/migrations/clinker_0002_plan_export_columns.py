"""Columns the plan export needs that release 0.1 did not keep.

Revision ID: clinker_0002
Revises: clinker_0001

Shipments keep their vehicle size and their cost split into freight and trips; stock keeps its
opening level, holding cost and safety shortfall; unmet demand keeps its penalty. Runs stored
before this revision export these columns blank.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "clinker_0002"
down_revision = "clinker_0001"
branch_labels = None
depends_on = None

NEW_COLUMNS = {
    "result_shipments": ("vehicle_capacity_t", "freight_inr", "trip_cost_inr"),
    "result_stock": ("opening_stock_t", "holding_cost_inr", "shortfall_t",
                     "shortfall_penalty_inr"),
    "result_unmet": ("unmet_penalty_inr",),
}


def upgrade() -> None:
    for table, columns in NEW_COLUMNS.items():
        for column in columns:
            op.add_column(table, sa.Column(column, sa.Double(), nullable=True))


def downgrade() -> None:
    for table, columns in NEW_COLUMNS.items():
        for column in columns:
            op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
