"""Clinker plan results and KPIs: the first revision of the clinker branch.

Revision ID: clinker_0001
Revises:
Depends on: 0001 (the spine's runs table, which these rows reference)

Stores made by release 0.1 already hold these tables (the spine's 0001 created them then); they
are adopted as they are, so an old store keeps its results. The schema is the one release 0.1
created, written with two small helpers instead of Alembic's long-hand output.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "clinker_0001"
down_revision = None
branch_labels = ("clinker",)
depends_on = "0001"

RESULT_TABLES = ("result_production", "result_shadow_prices", "result_shipments",
                 "result_stock", "result_unmet")


def _t(name: str) -> sa.Column:
    return sa.Column(name, sa.Double(), nullable=False)


def _text(name: str, length: int | None = 60) -> sa.Column:
    kind = sa.String(length=length) if length else sa.Text()
    return sa.Column(name, kind, nullable=False)


def _period() -> sa.Column:
    return sa.Column("period", sa.Integer(), nullable=False)


def _optional(name: str) -> sa.Column:
    return sa.Column(name, sa.Double(), nullable=True)


def _run_rows(name: str, *columns: sa.Column) -> None:
    """A table of per-run rows: id, run_id (deleted with its run, indexed) and the columns."""
    op.create_table(
        name, sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False), *columns,
        sa.ForeignKeyConstraint(["run_id"], ["optimization_run.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"))
    op.create_index(f"ix_{name}_run_id", name, ["run_id"])


def upgrade() -> None:
    if sa.inspect(op.get_bind()).has_table("result_production"):
        return  # a release-0.1 store: the tables are there already
    _run_rows("result_production", _text("node_id"), _period(), _t("production_t"),
              _t("capacity_t"), _t("cost_inr_per_t"))
    _run_rows("result_shipments", _text("route_id", 120), _text("origin_id"),
              _text("destination_id"), _text("mode", 30), _period(), _t("shipment_t"),
              sa.Column("trips", sa.Integer(), nullable=False), _t("cost_inr"))
    _run_rows("result_stock", _text("node_id"), _period(), _t("closing_stock_t"),
              _t("safety_stock_t"), _optional("max_storage_t"))
    _run_rows("result_unmet", _text("node_id"), _period(), _t("demand_t"), _t("unmet_t"),
              _text("reason"))
    _run_rows("result_shadow_prices", _text("constraint", 40), _text("node_id"),
              _period(), _text("description", None), _t("shadow_price_inr_per_t"))
    op.create_table(
        "kpi_precomputed", sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False), _period(), _text("node_id"),
        _t("demand_t"), _t("delivered_t"), _t("unmet_t"), _optional("service_level"),
        _t("production_t"), _t("capacity_t"), _t("received_t"), _t("dispatched_t"),
        _t("closing_stock_t"), sa.Column("trips", sa.Integer(), nullable=False),
        _optional("cost_inr"),
        sa.ForeignKeyConstraint(["run_id"], ["optimization_run.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"), sa.UniqueConstraint("run_id", "period", "node_id"))
    op.create_index("ix_kpi_pre_run_node", "kpi_precomputed", ["run_id", "node_id"])
    op.create_table(
        "kpi_aggregated", sa.Column("run_id", sa.Integer(), nullable=False),
        *(_t(c) for c in ("total_cost_inr", "production_inr", "transport_inr", "trips_inr",
                          "holding_inr", "unmet_penalty_inr", "safety_penalty_inr",
                          "demand_t", "delivered_t", "unmet_t")),
        *(_optional(c) for c in ("service_level", "cost_per_t_delivered_inr",
                                 "capacity_utilisation", "storage_utilisation")),
        sa.Column("trips_by_mode", sa.JSON(), nullable=False),
        sa.Column("tonnes_by_mode", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["optimization_run.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("run_id"))


def downgrade() -> None:
    for name in (*RESULT_TABLES, "kpi_precomputed", "kpi_aggregated"):
        op.drop_table(name)  # their indexes go with them
