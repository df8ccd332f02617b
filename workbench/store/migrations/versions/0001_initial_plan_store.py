"""Initial plan store: datasets, scenarios, runs, users, audit, jobs (the spine's tables).

Release 0.1 also created the clinker result and KPI tables here; they now belong to the
clinker branch, whose first revision adopts them where they already exist.

Revision ID: 0001
Revises:
Create Date: 2026-11-21 23:39:05.798554
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('username', sa.String(length=100), nullable=False),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('object_type', sa.String(length=40), nullable=False),
    sa.Column('object_id', sa.String(length=200), nullable=False),
    sa.Column('nodes', sa.JSON(), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_username'), ['username'], unique=False)

    op.create_table('datasets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('domain', sa.String(length=40), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('node_ids', sa.JSON(), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    with op.batch_alter_table('datasets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_datasets_content_hash'), ['content_hash'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=100), nullable=False),
    sa.Column('password_hash', sa.Text(), nullable=False),
    sa.Column('role', sa.String(length=40), nullable=False),
    sa.Column('ius', sa.JSON(), nullable=False),
    sa.Column('gus', sa.JSON(), nullable=False),
    sa.Column('disabled', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('username')
    )
    op.create_table('dataset_tables',
    sa.Column('dataset_id', sa.Integer(), nullable=False),
    sa.Column('table_name', sa.String(length=60), nullable=False),
    sa.Column('records', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['dataset_id'], ['datasets.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('dataset_id', 'table_name')
    )
    op.create_table('scenarios',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('dataset_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('node_ids', sa.JSON(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['dataset_id'], ['datasets.id'], ),
    sa.ForeignKeyConstraint(['parent_id'], ['scenarios.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name', 'version')
    )
    with op.batch_alter_table('scenarios', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scenarios_dataset_id'), ['dataset_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_scenarios_name'), ['name'], unique=False)

    op.create_table('validation_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dataset_id', sa.Integer(), nullable=False),
    sa.Column('ok', sa.Boolean(), nullable=False),
    sa.Column('errors', sa.Integer(), nullable=False),
    sa.Column('warnings', sa.Integer(), nullable=False),
    sa.Column('findings', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['dataset_id'], ['datasets.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('validation_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_validation_reports_dataset_id'), ['dataset_id'], unique=False)

    op.create_table('optimization_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scenario_id', sa.Integer(), nullable=False),
    sa.Column('dataset_id', sa.Integer(), nullable=False),
    sa.Column('parameters', sa.JSON(), nullable=False),
    sa.Column('solver', sa.String(length=100), nullable=False),
    sa.Column('solver_version', sa.String(length=60), nullable=False),
    sa.Column('package_version', sa.String(length=60), nullable=False),
    sa.Column('data_hash', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=40), nullable=False),
    sa.Column('objective_inr', sa.Double(), nullable=True),
    sa.Column('best_bound_inr', sa.Double(), nullable=True),
    sa.Column('mip_gap', sa.Double(), nullable=True),
    sa.Column('build_seconds', sa.Double(), nullable=False),
    sa.Column('solve_seconds', sa.Double(), nullable=False),
    sa.Column('warnings', sa.JSON(), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('approved', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['dataset_id'], ['datasets.id'], ),
    sa.ForeignKeyConstraint(['scenario_id'], ['scenarios.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('optimization_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_optimization_run_approved'), ['approved'], unique=False)
        batch_op.create_index(batch_op.f('ix_optimization_run_status'), ['status'], unique=False)
        batch_op.create_index('ix_run_scenario_finished', ['scenario_id', 'finished_at'], unique=False)

    op.create_table('job_status',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=60), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('progress', sa.Double(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['optimization_run.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('job_status', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_status_state'), ['state'], unique=False)

    op.create_table('plan_approvals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('scenario_id', sa.Integer(), nullable=False),
    sa.Column('approved_by', sa.String(length=100), nullable=False),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['optimization_run.id'], ),
    sa.ForeignKeyConstraint(['scenario_id'], ['scenarios.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('plan_approvals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_approvals_approved_at'), ['approved_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_approvals_run_id'), ['run_id'], unique=False)

    op.create_table('scenario_comparison',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_a_id', sa.Integer(), nullable=False),
    sa.Column('run_b_id', sa.Integer(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['run_a_id'], ['optimization_run.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['run_b_id'], ['optimization_run.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('scenario_comparison', schema=None) as batch_op:
        batch_op.create_index('ix_comparison_runs', ['run_a_id', 'run_b_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('scenario_comparison', schema=None) as batch_op:
        batch_op.drop_index('ix_comparison_runs')

    op.drop_table('scenario_comparison')
    with op.batch_alter_table('plan_approvals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_approvals_run_id'))
        batch_op.drop_index(batch_op.f('ix_plan_approvals_approved_at'))

    op.drop_table('plan_approvals')
    with op.batch_alter_table('job_status', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_status_state'))

    op.drop_table('job_status')
    with op.batch_alter_table('optimization_run', schema=None) as batch_op:
        batch_op.drop_index('ix_run_scenario_finished')
        batch_op.drop_index(batch_op.f('ix_optimization_run_status'))
        batch_op.drop_index(batch_op.f('ix_optimization_run_approved'))

    op.drop_table('optimization_run')
    with op.batch_alter_table('validation_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_validation_reports_dataset_id'))

    op.drop_table('validation_reports')
    with op.batch_alter_table('scenarios', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scenarios_name'))
        batch_op.drop_index(batch_op.f('ix_scenarios_dataset_id'))

    op.drop_table('scenarios')
    op.drop_table('dataset_tables')
    op.drop_table('users')
    with op.batch_alter_table('datasets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_datasets_content_hash'))

    op.drop_table('datasets')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_username'))
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))
        batch_op.drop_index(batch_op.f('ix_audit_log_action'))

    op.drop_table('audit_log')
