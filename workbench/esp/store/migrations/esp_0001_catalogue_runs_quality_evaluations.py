"""ESP wells catalogue, ingest runs, quality by well and day, evaluations.

Revision ID: esp_0001
Revises:
Depends on: 0003 (the spine's generic scopes and audit log)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "esp_0001"
down_revision = None
branch_labels = ("esp",)
depends_on = "0003"


def upgrade() -> None:
    op.create_table('esp_wells',
    sa.Column('store_id', sa.String(length=36), nullable=False),
    sa.Column('well_id', sa.String(length=100), nullable=False),
    sa.Column('field_id', sa.String(length=100), nullable=True),
    sa.Column('feeder', sa.String(length=100), nullable=True),
    sa.Column('nameplate_current_a', sa.Double(), nullable=True),
    sa.Column('rated_flow_bpd', sa.Double(), nullable=True),
    sa.Column('bubble_point_psi', sa.Double(), nullable=True),
    sa.Column('cadence_s', sa.Double(), nullable=False),
    sa.Column('updated_by', sa.String(length=100), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('store_id', 'well_id')
    )
    op.create_index('ix_esp_wells_field_id', 'esp_wells', ['field_id'], unique=False)
    op.create_table('esp_ingest_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.String(length=36), nullable=False),
    sa.Column('store_path', sa.Text(), nullable=False),
    sa.Column('batch', sa.Integer(), nullable=False),
    sa.Column('sources', sa.JSON(), nullable=False),
    sa.Column('rows_in', sa.Integer(), nullable=False),
    sa.Column('rows_accepted', sa.Integer(), nullable=False),
    sa.Column('rows_rejected', sa.Integer(), nullable=False),
    sa.Column('late', sa.Integer(), nullable=False),
    sa.Column('rejected_by_reason', sa.JSON(), nullable=False),
    sa.Column('seconds', sa.Double(), nullable=False),
    sa.Column('rows_per_second', sa.Double(), nullable=False),
    sa.Column('wells', sa.JSON(), nullable=False),
    sa.Column('scopes', sa.JSON(), nullable=False),
    sa.Column('package_version', sa.String(length=60), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_esp_ingest_runs_store_id', 'esp_ingest_runs', ['store_id'], unique=False)
    op.create_table('esp_quality_days',
    sa.Column('store_id', sa.String(length=36), nullable=False),
    sa.Column('well_id', sa.String(length=100), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('field_id', sa.String(length=100), nullable=True),
    sa.Column('score', sa.Double(), nullable=False),
    sa.Column('rows_accepted', sa.Integer(), nullable=False),
    sa.Column('rows_expected', sa.Double(), nullable=False),
    sa.Column('rejected_unparseable', sa.Integer(), nullable=False),
    sa.Column('rejected_unknown_well', sa.Integer(), nullable=False),
    sa.Column('rejected_duplicate', sa.Integer(), nullable=False),
    sa.Column('rejected_out_of_range', sa.Integer(), nullable=False),
    sa.Column('rejected_frozen', sa.Integer(), nullable=False),
    sa.Column('late', sa.Integer(), nullable=False),
    sa.Column('longest_gap_min', sa.Double(), nullable=False),
    sa.Column('ingest_run_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['ingest_run_id'], ['esp_ingest_runs.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('store_id', 'well_id', 'day')
    )
    op.create_index('ix_esp_quality_field_day', 'esp_quality_days', ['store_id', 'field_id', 'day'], unique=False)
    op.create_table('esp_evaluations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.String(length=36), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('window', sa.String(length=10), nullable=False),
    sa.Column('labels_source', sa.Text(), nullable=False),
    sa.Column('labels_sha256', sa.String(length=64), nullable=False),
    sa.Column('last_batch', sa.Integer(), nullable=False),
    sa.Column('n_windows', sa.Integer(), nullable=False),
    sa.Column('false_positive_rate', sa.Double(), nullable=True),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('parameters', sa.JSON(), nullable=False),
    sa.Column('scopes', sa.JSON(), nullable=False),
    sa.Column('package_version', sa.String(length=60), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_esp_evaluations_store_id', 'esp_evaluations', ['store_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_esp_evaluations_store_id', table_name='esp_evaluations')
    op.drop_table('esp_evaluations')
    op.drop_index('ix_esp_quality_field_day', table_name='esp_quality_days')
    op.drop_table('esp_quality_days')
    op.drop_index('ix_esp_ingest_runs_store_id', table_name='esp_ingest_runs')
    op.drop_table('esp_ingest_runs')
    op.drop_index('ix_esp_wells_field_id', table_name='esp_wells')
    op.drop_table('esp_wells')
