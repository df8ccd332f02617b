"""OEE event store and precomputed KPIs: the first revision of the oee branch.

Revision ID: oee_0001
Revises:
Depends on: 0003 (the spine's generic datasets with scopes)

On PostgreSQL ``oee_state_events`` is declared ``PARTITION BY RANGE (start_at)``; the monthly
partitions are created by the import as months arrive (``CREATE TABLE IF NOT EXISTS ...
PARTITION OF``), so that no month lands in a catch-all partition.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "oee_0001"
down_revision = None
branch_labels = ("oee",)
depends_on = "0003"


def _dataset_fk() -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(['dataset_id'], ['datasets.id'], ondelete='CASCADE')


def upgrade() -> None:
    op.create_table('oee_machines',
    sa.Column('dataset_id', sa.Integer(), nullable=False),
    sa.Column('machine_id', sa.String(length=100), nullable=False),
    sa.Column('line_id', sa.String(length=100), nullable=False),
    sa.Column('site_id', sa.String(length=100), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=True),
    _dataset_fk(),
    sa.PrimaryKeyConstraint('dataset_id', 'machine_id')
    )
    op.create_table('oee_ideal_rates',
    sa.Column('dataset_id', sa.Integer(), nullable=False),
    sa.Column('machine_id', sa.String(length=100), nullable=False),
    sa.Column('product_id', sa.String(length=100), nullable=False),
    sa.Column('ideal_cycle_time_s', sa.Double(), nullable=False),
    _dataset_fk(),
    sa.PrimaryKeyConstraint('dataset_id', 'machine_id', 'product_id')
    )
    op.create_table('oee_calendar',
    sa.Column('dataset_id', sa.Integer(), nullable=False),
    sa.Column('machine_id', sa.String(length=100), nullable=False),
    sa.Column('start_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('end_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('shift_id', sa.String(length=100), nullable=True),
    _dataset_fk(),
    sa.PrimaryKeyConstraint('dataset_id', 'machine_id', 'start_at', 'end_at', 'kind')
    )
    _create_events()
    op.create_table('oee_counts',
    sa.Column('dataset_id', sa.Integer(), nullable=False),
    sa.Column('machine_id', sa.String(length=100), nullable=False),
    sa.Column('start_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('end_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('product_id', sa.String(length=100), nullable=False),
    sa.Column('produced_qty', sa.Double(), nullable=False),
    sa.Column('good_qty', sa.Double(), nullable=False),
    sa.Column('rework_qty', sa.Double(), nullable=False),
    sa.Column('startup_reject_qty', sa.Double(), nullable=False),
    sa.Column('scrap_reason', sa.String(length=200), nullable=True),
    _dataset_fk(),
    sa.PrimaryKeyConstraint('dataset_id', 'machine_id', 'start_at', 'end_at', 'product_id')
    )
    op.create_table('oee_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dataset_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('events_added', sa.Integer(), nullable=False),
    sa.Column('counts_added', sa.Integer(), nullable=False),
    sa.Column('calendar_added', sa.Integer(), nullable=False),
    sa.Column('kpi_rows_written', sa.Integer(), nullable=False),
    sa.Column('package_version', sa.String(length=60), nullable=False),
    sa.Column('imported_by', sa.String(length=100), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    _dataset_fk(),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_oee_imports_dataset_id', 'oee_imports', ['dataset_id'], unique=False)
    op.create_table('oee_kpis',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dataset_id', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('window_kind', sa.String(length=10), nullable=False),
    sa.Column('machine_id', sa.String(length=100), nullable=False),
    sa.Column('line_id', sa.String(length=100), nullable=False),
    sa.Column('site_id', sa.String(length=100), nullable=True),
    sa.Column('window_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('window_end', sa.DateTime(timezone=True), nullable=False),
    sa.Column('window_label', sa.String(length=100), nullable=False),
    sa.Column('convention', sa.String(length=10), nullable=False),
    sa.Column('package_version', sa.String(length=60), nullable=False),
    *[sa.Column(c, sa.Double(), nullable=False) for c in (
        'pbt_min', 'running_min', 'setup_min', 'breakdown_min', 'minor_stop_min',
        'waiting_min', 'uncovered_min', 'outside_planned_min', 'pq', 'gq', 'rq', 'sq',
        'startup_reject_qty', 'ideal_min', 'fully_productive_min', 'process_defects_min',
        'reduced_yield_min')],
    *[sa.Column(c, sa.Double(), nullable=True) for c in (
        'availability', 'effectiveness', 'quality', 'oee')],
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    _dataset_fk(),
    sa.ForeignKeyConstraint(['import_id'], ['oee_imports.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('dataset_id', 'window_kind', 'machine_id', 'window_start')
    )
    op.create_index('ix_oee_kpis_line', 'oee_kpis',
                    ['dataset_id', 'window_kind', 'line_id', 'window_start'], unique=False)
    op.create_index('ix_oee_kpis_site', 'oee_kpis',
                    ['dataset_id', 'window_kind', 'site_id', 'window_start'], unique=False)


def _create_events() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # declarative partitioning by month; the primary key must hold the partition key
        op.execute("""
            CREATE TABLE oee_state_events (
                dataset_id INTEGER NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
                machine_id VARCHAR(100) NOT NULL,
                start_at TIMESTAMP WITH TIME ZONE NOT NULL,
                end_at TIMESTAMP WITH TIME ZONE NOT NULL,
                state VARCHAR(20) NOT NULL,
                reason VARCHAR(200),
                order_id VARCHAR(100),
                PRIMARY KEY (dataset_id, machine_id, start_at)
            ) PARTITION BY RANGE (start_at)
        """)
        return
    op.create_table('oee_state_events',
    sa.Column('dataset_id', sa.Integer(), nullable=False),
    sa.Column('machine_id', sa.String(length=100), nullable=False),
    sa.Column('start_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('end_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=True),
    sa.Column('order_id', sa.String(length=100), nullable=True),
    _dataset_fk(),
    sa.PrimaryKeyConstraint('dataset_id', 'machine_id', 'start_at')
    )


def downgrade() -> None:
    op.drop_index('ix_oee_kpis_site', table_name='oee_kpis')
    op.drop_index('ix_oee_kpis_line', table_name='oee_kpis')
    op.drop_table('oee_kpis')
    op.drop_index('ix_oee_imports_dataset_id', table_name='oee_imports')
    op.drop_table('oee_imports')
    op.drop_table('oee_counts')
    op.drop_table('oee_state_events')  # on PostgreSQL its partitions go with it
    op.drop_table('oee_calendar')
    op.drop_table('oee_ideal_rates')
    op.drop_table('oee_machines')
