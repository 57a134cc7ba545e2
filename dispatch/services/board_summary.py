"""A board's summary for its leader: counts by state, overdue, today's new and closed.

It reads the rollups kept from the ticket events (dispatch/services/rollups.py), never an
aggregate over the whole ticket table.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from ..core.lifecycle import OPEN_STATES, State
from ..extensions import db
from ..models import DailyBoardCount, StateCount
from .rollups import OVERDUE


def scoped(table, board, street_id):
    conditions = []
    if board is not None:
        conditions.append(table.c.board_code == board)
    if street_id is not None:
        conditions.append(table.c.street_id == street_id)
    return conditions


def daily_total(metric: str, first: date, end: date, board: str | None,
                street_id: int | None) -> int:
    """A metric summed over local days [first, end) from the daily rollup."""
    daily = DailyBoardCount.__table__
    return db.session.scalar(select(func.coalesce(func.sum(daily.c.count), 0)).where(
        *scoped(daily, board, street_id), daily.c.metric == metric, daily.c.day >= first,
        daily.c.day < end)) or 0


def board_summary(board: str | None, street_id: int | None, now: datetime, tz: str) -> dict:
    """`board` None means the whole street; `street_id` None means every street (admin).
    Everything comes from the rollups."""
    states = StateCount.__table__
    today = now.astimezone(ZoneInfo(tz)).date()
    tomorrow = today + timedelta(days=1)
    by_state = dict(db.session.execute(
        select(states.c.state, func.sum(states.c.count))
        .where(*scoped(states, board, street_id)).group_by(states.c.state)).all())
    # overdue: escalated past the deadline and still being handled (kept by the sweep's
    # escalation events; a parked ticket's clock is stopped)
    overdue = int(by_state.get(OVERDUE) or 0)
    return {
        "board": board,
        "by_state": {s.value: int(by_state.get(s.value) or 0) for s in State},
        "open": sum(int(by_state.get(s.value) or 0) for s in OPEN_STATES),
        "overdue": overdue,
        "today": {"date": today.isoformat(),
                  "new": daily_total("new", today, tomorrow, board, street_id),
                  "closed": daily_total("closed", today, tomorrow, board, street_id)},
    }
