"""Payee runs, their classification and match rows, and analysts' corrections.

Revision ID: payees_0001
Revises:
Depends on: 0003 (the spine's generic scopes and audit log)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "payees_0001"
down_revision = None
branch_labels = ("payees",)
depends_on = "0003"


def upgrade() -> None:
    op.create_table('payee_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('source_hash', sa.String(length=64), nullable=False),
    sa.Column('master', sa.Text(), nullable=True),
    sa.Column('master_hash', sa.String(length=64), nullable=True),
    sa.Column('model_version', sa.String(length=60), nullable=False),
    sa.Column('model_fingerprint', sa.String(length=64), nullable=True),
    sa.Column('package_version', sa.String(length=60), nullable=False),
    sa.Column('parameters', sa.JSON(), nullable=False),
    sa.Column('n_rows', sa.Integer(), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.Column('names_per_second', sa.Double(), nullable=False),
    sa.Column('scopes', sa.JSON(), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_payee_runs_kind', 'payee_runs', ['kind'], unique=False)
    op.create_table('payee_classifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('row_number', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('label', sa.String(length=20), nullable=False),
    sa.Column('confidence', sa.Double(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('normalized', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['payee_runs.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_payee_class_run_row', 'payee_classifications', ['run_id', 'row_number'], unique=False)
    op.create_index('ix_payee_classifications_label', 'payee_classifications', ['label'], unique=False)
    op.create_table('payee_matches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('row_number', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=True),
    sa.Column('supplier_id', sa.String(length=200), nullable=True),
    sa.Column('supplier_name', sa.Text(), nullable=True),
    sa.Column('score', sa.Double(), nullable=True),
    sa.Column('match', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['payee_runs.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_payee_match_run_row', 'payee_matches', ['run_id', 'row_number'], unique=False)
    op.create_table('payee_corrections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('normalized', sa.Text(), nullable=False),
    sa.Column('label', sa.String(length=20), nullable=False),
    sa.Column('previous_label', sa.String(length=20), nullable=True),
    sa.Column('confirmed', sa.Boolean(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('scopes', sa.JSON(), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['payee_runs.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_payee_corrections_normalized', 'payee_corrections', ['normalized'], unique=False)


def downgrade() -> None:
    op.drop_table('payee_corrections')
    op.drop_table('payee_matches')
    op.drop_table('payee_classifications')
    op.drop_table('payee_runs')
