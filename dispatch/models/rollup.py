"""Rollups the dashboards read instead of aggregating the ticket table (dispatch/core/rollup.py)."""

from datetime import date

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class DailyBoardCount(db.Model):
    """Events counted by local day, place (no grid) and metric (new, dispatched, closed, ...):
    what a board page reads (30 days × a few departments, whatever the number of tickets). Key
    order serves "this street, this board, this metric, these days"."""

    __tablename__ = "daily_board_counts"
    __table_args__ = (Index("ix_daily_board_counts_department", "department_id", "metric",
                            "day"),)
    street_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    board_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    metric: Mapped[str] = mapped_column(String(16), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    count: Mapped[int] = mapped_column(default=0)


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


# KPI rollups: the contributions of dispatch/core/kpi.py, summed (no grid: grid and community
# KPIs are computed from their few tickets). Missing days are stored as NO_DAY, a day after
# every period, because key columns cannot be NULL.
NO_DAY = date(9999, 12, 31)


class KpiClosure(db.Model):
    """Tickets by current place, deadline day, final day and outcome (one row-count each)."""

    __tablename__ = "kpi_closures"
    __table_args__ = (
        Index("ix_kpi_closures_department_due", "department_id", "due_day"),
        Index("ix_kpi_closures_department_final", "department_id", "final_day"),
        Index("ix_kpi_closures_street_due", "street_id", "due_day"),
        Index("ix_kpi_closures_street_final", "street_id", "final_day"),
    )
    street_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    board_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    department_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    due_day: Mapped[date] = mapped_column(primary_key=True)
    final_day: Mapped[date] = mapped_column(primary_key=True)
    outcome: Mapped[str] = mapped_column(String(16), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)


class KpiEpisode(db.Model):
    """Dispatches by place, dispatch day, the day of their first resolve and whether it was on
    time."""

    __tablename__ = "kpi_episodes"
    __table_args__ = (Index("ix_kpi_episodes_street_day", "street_id", "dispatch_day"),)
    department_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    dispatch_day: Mapped[date] = mapped_column(primary_key=True)
    street_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    board_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    resolve_day: Mapped[date] = mapped_column(primary_key=True)
    on_time: Mapped[bool] = mapped_column(primary_key=True)
    count: Mapped[int] = mapped_column(default=0)


class KpiTiming(db.Model):
    """One duration (time to dispatch, resolve or close) of one ticket; read a bucket at a
    time, to find an exact percentile."""

    __tablename__ = "kpi_timings"
    __table_args__ = (
        # every column a query reads: a percentile's bucket comes from the index alone
        Index("ix_kpi_timings_department", "department_id", "kind", "bucket", "day",
              "street_id", "board_code", "hours"),
        Index("ix_kpi_timings_street", "street_id", "board_code", "kind", "bucket", "day",
              "department_id", "hours"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(index=True)  # derived data: no foreign key
    kind: Mapped[str] = mapped_column(String(16))
    day: Mapped[date]
    street_id: Mapped[int]
    board_code: Mapped[str] = mapped_column(String(16))
    department_id: Mapped[int]
    bucket: Mapped[int]
    hours: Mapped[float]


class KpiTimingCount(db.Model):
    """Durations counted by place, kind, day and bucket: where a percentile lies."""

    __tablename__ = "kpi_timing_counts"
    __table_args__ = (Index("ix_kpi_timing_counts_street", "street_id", "board_code", "kind",
                            "day"),)
    department_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    street_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    board_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    bucket: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    count: Mapped[int] = mapped_column(default=0)
