"""Rollups the dashboards read instead of aggregating the ticket table (dispatch/core/rollup.py)."""

from datetime import date

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class DailyCount(db.Model):
    __tablename__ = "daily_counts"
    day: Mapped[date] = mapped_column(primary_key=True)
    street_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    board_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    department_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    grid_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    metric: Mapped[str] = mapped_column(String(16), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
    hours: Mapped[float] = mapped_column(default=0.0)


class DailyBoardCount(db.Model):
    """The same counts without the grid: what a board page reads (30 days × a few departments,
    whatever the number of tickets). Key order serves "this street, this board, this metric,
    these days"."""

    __tablename__ = "daily_board_counts"
    street_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    board_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    metric: Mapped[str] = mapped_column(String(16), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    count: Mapped[int] = mapped_column(default=0)
    hours: Mapped[float] = mapped_column(default=0.0)


class StateCount(db.Model):
    """Tickets by place and state now; the pseudo-state "overdue" counts escalated tickets
    still being handled (kept by escalation events, so no page scans for overdue tickets)."""

    __tablename__ = "state_counts"
    street_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    board_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    department_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    grid_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    state: Mapped[str] = mapped_column(String(16), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
