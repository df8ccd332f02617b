"""The clinker domain's store tables: plan results and precomputed KPIs, per run.

Money is raw rupees in double precision; tonnes carry ``_t``. Result and KPI rows carry the
``node_id`` they belong to so that access control can filter them in SQL. Created by the
``clinker`` Alembic branch in ``workbench/clinker/store/migrations``.
"""

from __future__ import annotations

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from workbench.clinker.results.kpis import NETWORK
from workbench.store.models import Base

__all__ = ["NETWORK"]  # node_id of KPI rows that cover the whole network


class _RunRows:
    """The columns every per-run result table starts with; rows go when their run goes."""

    id: Mapped[int] = mapped_column(primary_key=True)

    @declared_attr
    def run_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("optimization_run.id", ondelete="CASCADE"), index=True)


class ResultProduction(_RunRows, Base):
    __tablename__ = "result_production"
    node_id: Mapped[str] = mapped_column(String(60))
    period: Mapped[int]
    production_t: Mapped[float]
    capacity_t: Mapped[float]
    cost_inr_per_t: Mapped[float]


class ResultShipment(_RunRows, Base):
    __tablename__ = "result_shipments"
    route_id: Mapped[str] = mapped_column(String(120))
    origin_id: Mapped[str] = mapped_column(String(60))
    destination_id: Mapped[str] = mapped_column(String(60))
    mode: Mapped[str] = mapped_column(String(30))
    period: Mapped[int]
    shipment_t: Mapped[float]
    trips: Mapped[int]
    cost_inr: Mapped[float]
    # added by clinker_0002; blank for runs stored before it
    vehicle_capacity_t: Mapped[float | None]
    freight_inr: Mapped[float | None]
    trip_cost_inr: Mapped[float | None]


class ResultStock(_RunRows, Base):
    __tablename__ = "result_stock"
    node_id: Mapped[str] = mapped_column(String(60))
    period: Mapped[int]
    closing_stock_t: Mapped[float]
    safety_stock_t: Mapped[float]
    max_storage_t: Mapped[float | None]
    opening_stock_t: Mapped[float | None]  # this and below: clinker_0002
    holding_cost_inr: Mapped[float | None]
    shortfall_t: Mapped[float | None]
    shortfall_penalty_inr: Mapped[float | None]


class ResultUnmet(_RunRows, Base):
    __tablename__ = "result_unmet"
    node_id: Mapped[str] = mapped_column(String(60))
    period: Mapped[int]
    demand_t: Mapped[float]
    unmet_t: Mapped[float]
    reason: Mapped[str] = mapped_column(String(60))
    unmet_penalty_inr: Mapped[float | None]  # clinker_0002


class ResultShadowPrice(_RunRows, Base):
    __tablename__ = "result_shadow_prices"
    constraint: Mapped[str] = mapped_column(String(40))
    node_id: Mapped[str] = mapped_column(String(60))
    period: Mapped[int]
    description: Mapped[str] = mapped_column(Text)
    shadow_price_inr_per_t: Mapped[float]


class KpiPrecomputed(Base):
    """KPIs per run, period and node (``node_id == "*"``: the whole network), written once."""

    __tablename__ = "kpi_precomputed"
    __table_args__ = (UniqueConstraint("run_id", "period", "node_id"),
                      Index("ix_kpi_pre_run_node", "run_id", "node_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("optimization_run.id", ondelete="CASCADE"))
    period: Mapped[int]
    node_id: Mapped[str] = mapped_column(String(60))
    demand_t: Mapped[float]
    delivered_t: Mapped[float]
    unmet_t: Mapped[float]
    service_level: Mapped[float | None]
    production_t: Mapped[float]
    capacity_t: Mapped[float]
    received_t: Mapped[float]
    dispatched_t: Mapped[float]
    closing_stock_t: Mapped[float]
    trips: Mapped[int]
    cost_inr: Mapped[float | None]  # network rows only: cost is not split between nodes


class KpiAggregated(Base):
    """Whole-run KPIs and the six cost components, written once when the run is stored."""

    __tablename__ = "kpi_aggregated"
    run_id: Mapped[int] = mapped_column(ForeignKey("optimization_run.id", ondelete="CASCADE"),
                                        primary_key=True)
    total_cost_inr: Mapped[float]
    production_inr: Mapped[float]
    transport_inr: Mapped[float]
    trips_inr: Mapped[float]
    holding_inr: Mapped[float]
    unmet_penalty_inr: Mapped[float]
    safety_penalty_inr: Mapped[float]
    demand_t: Mapped[float]
    delivered_t: Mapped[float]
    unmet_t: Mapped[float]
    service_level: Mapped[float | None]
    cost_per_t_delivered_inr: Mapped[float | None]
    capacity_utilisation: Mapped[float | None]
    storage_utilisation: Mapped[float | None]
    trips_by_mode: Mapped[dict] = mapped_column(JSON)
    tonnes_by_mode: Mapped[dict] = mapped_column(JSON)
