"""Rollups the dashboards read instead of aggregating the ticket table (dispatch/core/rollup.py)."""

from datetime import date

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class DailyCount(db.Model):
    __tablename__ = "daily_counts"
    # dashboards read one street and board, a few metrics, a range of days
    __table_args__ = (Index("ix_daily_counts_scope", "street_id", "board_code", "metric", "day"),)
    day: Mapped[date] = mapped_column(primary_key=True)
    street_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    board_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    department_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    grid_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    metric: Mapped[str] = mapped_column(String(16), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
    hours: Mapped[float] = mapped_column(default=0.0)


class StateCount(db.Model):
    __tablename__ = "state_counts"
    street_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    board_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    department_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    grid_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    state: Mapped[str] = mapped_column(String(16), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
