"""The leaders' dashboard queries: one street (or every street) and one board (or all four).

Every function takes the scope (`street_id` None = every street, `board` None = every board),
`now` (aware) and the time zone in which days and months are counted, and returns plain dicts and
lists for the page and the CSV exports. Like `board_summary`, they read the rollups kept from
the ticket events (per local day × street × board × department × grid, and current counts by
state), so a page costs the same with ten tickets or ten million.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from ..core import kpi
from ..core.lifecycle import OPEN_STATES
from ..extensions import db
from ..models import Community, DailyBoardCount, Department, Grid, StateCount
from . import kpi as kpi_service
from .board_summary import board_summary, daily_total, scoped

TREND_DAYS = 30


def day_start(day: date, tz: str) -> datetime:
    """Midnight of `day` in `tz`, as an aware datetime (exact across DST changes)."""
    return datetime.combine(day, time(), ZoneInfo(tz))


def local_today(now: datetime, tz: str) -> date:
    return now.astimezone(ZoneInfo(tz)).date()


def trend_window(now: datetime, tz: str, days: int = TREND_DAYS) -> tuple[datetime, datetime]:
    """The last `days` local days, today included: [first midnight, tomorrow's midnight)."""
    today = local_today(now, tz)
    return (day_start(today - timedelta(days=days - 1), tz),
            day_start(today + timedelta(days=1), tz))


def headline(street_id: int | None, board: str | None, now: datetime, tz: str) -> dict:
    """New and closed today and this month, open now, overdue, and the counts by state."""
    summary = board_summary(board, street_id, now, tz)
    today = local_today(now, tz)
    first = today.replace(day=1)
    tomorrow = today + timedelta(days=1)
    return {
        **summary,
        "month": {
            "start": first.isoformat(),
            "new": daily_total("new", first, tomorrow, board, street_id),
            "closed": daily_total("closed", first, tomorrow, board, street_id),
        },
    }


def state_rows(summary: dict) -> list[dict]:
    """The counts by state of `headline`, as table rows in the lifecycle's order."""
    return [{"state": state, "count": count} for state, count in summary["by_state"].items()]


def department_ranking(street_id: int | None, board: str | None, start: datetime,
                       end: datetime) -> list[dict]:
    """Each department's KPIs over the local days of [start, end), as docs/kpi.md counts them
    (dispatch/services/kpi.py, from the KPI rollups): dispatches, resolved, send-backs,
    closure rate, on-time handling rate and the composite score it is ranked by."""
    period = kpi.Period.days(start.date(), end.date(), start.tzinfo)
    rows = kpi_service.department_scores(period, board, street_id, with_durations=False)
    departments = {d.code: d for d in db.session.scalars(
        select(Department).where(Department.code.in_([r["scope"]["code"] for r in rows])))}
    ranking = []
    for rank, row in enumerate(rows, 1):
        department = departments[row["scope"]["code"]]
        ranking.append({
            "rank": rank, "code": department.code, "name_zh": department.name_zh,
            "name_en": department.name_en, "dispatched": row["dispatched"],
            "resolved": row["resolved"], "sent_back": row["send_backs"],
            "closure_rate": row["closure_rate"],
            "on_time_handling_rate": row["on_time_handling_rate"],
            "composite": row["composite"]})
    return ranking


def daily_trend(street_id: int | None, board: str | None, now: datetime, tz: str,
                days: int = TREND_DAYS) -> list[dict]:
    """New and closed tickets per local day for the last `days` days, oldest first."""
    daily = DailyBoardCount.__table__
    first = local_today(now, tz) - timedelta(days=days - 1)
    dates = [first + timedelta(days=i) for i in range(days)]
    rows = db.session.execute(
        select(daily.c.day, daily.c.metric, func.sum(daily.c.count))
        .where(*scoped(daily, board, street_id), daily.c.metric.in_(["new", "closed"]),
               daily.c.day >= first, daily.c.day <= dates[-1])
        .group_by(daily.c.day, daily.c.metric)).all()
    found = {(day, metric): int(n) for day, metric, n in rows}
    return [{"date": d.isoformat(), "new": found.get((d, "new"), 0),
             "closed": found.get((d, "closed"), 0)} for d in dates]


def open_by_grid(street_id: int | None, board: str | None) -> dict:
    """Open tickets per grid (only grids that have some), most first, and those with no grid."""
    states = StateCount.__table__
    open_states = [s.value for s in OPEN_STATES]
    per_grid = dict(db.session.execute(
        select(states.c.grid_id, func.sum(states.c.count))
        .where(*scoped(states, board, street_id), states.c.state.in_(open_states))
        .group_by(states.c.grid_id)).all())
    no_grid = int(per_grid.pop(0, 0) or 0)
    rows = db.session.execute(
        select(Grid.id, Grid.code, Grid.name_zh, Community.name_zh, Community.name_en)
        .join(Community, Community.id == Grid.community_id)
        .where(Grid.id.in_([g for g, n in per_grid.items() if n]))).all()
    grids = [{"code": code, "name_zh": name, "community_zh": community_zh,
              "community_en": community_en, "open": int(per_grid[grid_id])}
             for grid_id, code, name, community_zh, community_en in rows]
    grids.sort(key=lambda g: (-g["open"], g["code"]))
    return {"grids": grids, "no_grid": no_grid}


def dashboard(street_id: int | None, board: str | None, now: datetime, tz: str) -> dict:
    """Everything one dashboard page shows."""
    start, end = trend_window(now, tz)
    return {
        "headline": headline(street_id, board, now, tz),
        "ranking": department_ranking(street_id, board, start, end),
        "trend": daily_trend(street_id, board, now, tz),
        "grids": open_by_grid(street_id, board),
        "window": {"start": start.date().isoformat(),
                   "end": (end - timedelta(days=1)).date().isoformat()},
    }
