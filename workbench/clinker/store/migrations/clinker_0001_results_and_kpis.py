"""Clinker plan results and KPIs: the first revision of the clinker branch.

Revision ID: clinker_0001
Revises:
Depends on: 0001 (the spine's runs table, which these rows reference)

Stores made by release 0.1 already hold these tables (the spine's 0001 created them then); they
are adopted as they are, so an old store keeps its results.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "clinker_0001"
down_revision = None
branch_labels = ("clinker",)
depends_on = "0001"


def upgrade() -> None:
    if sa.inspect(op.get_bind()).has_table("result_production"):
        return  # a release-0.1 store: the tables are there already
    _create_tables()


def _create_tables() -> None:
    op.create_table('kpi_aggregated',
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('total_cost_inr', sa.Double(), nullable=False),
    sa.Column('production_inr', sa.Double(), nullable=False),
    sa.Column('transport_inr', sa.Double(), nullable=False),
    sa.Column('trips_inr', sa.Double(), nullable=False),
    sa.Column('holding_inr', sa.Double(), nullable=False),
    sa.Column('unmet_penalty_inr', sa.Double(), nullable=False),
    sa.Column('safety_penalty_inr', sa.Double(), nullable=False),
    sa.Column('demand_t', sa.Double(), nullable=False),
    sa.Column('delivered_t', sa.Double(), nullable=False),
    sa.Column('unmet_t', sa.Double(), nullable=False),
    sa.Column('service_level', sa.Double(), nullable=True),
    sa.Column('cost_per_t_delivered_inr', sa.Double(), nullable=True),
    sa.Column('capacity_utilisation', sa.Double(), nullable=True),
    sa.Column('storage_utilisation', sa.Double(), nullable=True),
    sa.Column('trips_by_mode', sa.JSON(), nullable=False),
    sa.Column('tonnes_by_mode', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['optimization_run.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('run_id')
    )
    op.create_table('kpi_precomputed',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.Integer(), nullable=False),
    sa.Column('node_id', sa.String(length=60), nullable=False),
    sa.Column('demand_t', sa.Double(), nullable=False),
    sa.Column('delivered_t', sa.Double(), nullable=False),
    sa.Column('unmet_t', sa.Double(), nullable=False),
    sa.Column('service_level', sa.Double(), nullable=True),
    sa.Column('production_t', sa.Double(), nullable=False),
    sa.Column('capacity_t', sa.Double(), nullable=False),
    sa.Column('received_t', sa.Double(), nullable=False),
    sa.Column('dispatched_t', sa.Double(), nullable=False),
    sa.Column('closing_stock_t', sa.Double(), nullable=False),
    sa.Column('trips', sa.Integer(), nullable=False),
    sa.Column('cost_inr', sa.Double(), nullable=True),
    sa.ForeignKeyConstraint(['run_id'], ['optimization_run.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('run_id', 'period', 'node_id')
    )
    with op.batch_alter_table('kpi_precomputed', schema=None) as batch_op:
        batch_op.create_index('ix_kpi_pre_run_node', ['run_id', 'node_id'], unique=False)

    op.create_table('result_production',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('node_id', sa.String(length=60), nullable=False),
    sa.Column('period', sa.Integer(), nullable=False),
    sa.Column('production_t', sa.Double(), nullable=False),
    sa.Column('capacity_t', sa.Double(), nullable=False),
    sa.Column('cost_inr_per_t', sa.Double(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['optimization_run.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('result_production', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_result_production_run_id'), ['run_id'], unique=False)

    op.create_table('result_shadow_prices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('constraint', sa.String(length=40), nullable=False),
    sa.Column('node_id', sa.String(length=60), nullable=False),
    sa.Column('period', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('shadow_price_inr_per_t', sa.Double(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['optimization_run.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('result_shadow_prices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_result_shadow_prices_run_id'), ['run_id'], unique=False)

    op.create_table('result_shipments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('route_id', sa.String(length=120), nullable=False),
    sa.Column('origin_id', sa.String(length=60), nullable=False),
    sa.Column('destination_id', sa.String(length=60), nullable=False),
    sa.Column('mode', sa.String(length=30), nullable=False),
    sa.Column('period', sa.Integer(), nullable=False),
    sa.Column('shipment_t', sa.Double(), nullable=False),
    sa.Column('trips', sa.Integer(), nullable=False),
    sa.Column('cost_inr', sa.Double(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['optimization_run.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('result_shipments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_result_shipments_run_id'), ['run_id'], unique=False)

    op.create_table('result_stock',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('node_id', sa.String(length=60), nullable=False),
    sa.Column('period', sa.Integer(), nullable=False),
    sa.Column('closing_stock_t', sa.Double(), nullable=False),
    sa.Column('safety_stock_t', sa.Double(), nullable=False),
    sa.Column('max_storage_t', sa.Double(), nullable=True),
    sa.ForeignKeyConstraint(['run_id'], ['optimization_run.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('result_stock', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_result_stock_run_id'), ['run_id'], unique=False)

    op.create_table('result_unmet',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('node_id', sa.String(length=60), nullable=False),
    sa.Column('period', sa.Integer(), nullable=False),
    sa.Column('demand_t', sa.Double(), nullable=False),
    sa.Column('unmet_t', sa.Double(), nullable=False),
    sa.Column('reason', sa.String(length=60), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['optimization_run.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('result_unmet', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_result_unmet_run_id'), ['run_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('result_unmet', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_result_unmet_run_id'))

    op.drop_table('result_unmet')
    with op.batch_alter_table('result_stock', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_result_stock_run_id'))

    op.drop_table('result_stock')
    with op.batch_alter_table('result_shipments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_result_shipments_run_id'))

    op.drop_table('result_shipments')
    with op.batch_alter_table('result_shadow_prices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_result_shadow_prices_run_id'))

    op.drop_table('result_shadow_prices')
    with op.batch_alter_table('result_production', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_result_production_run_id'))

    op.drop_table('result_production')
    with op.batch_alter_table('kpi_precomputed', schema=None) as batch_op:
        batch_op.drop_index('ix_kpi_pre_run_node')

    op.drop_table('kpi_precomputed')
    op.drop_table('kpi_aggregated')
