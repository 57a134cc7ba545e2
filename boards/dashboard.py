"""The leaders' dashboard queries: one street (or every street) and one board (or all four).

Every function takes the scope (`street_id` None = every street, `board` None = every board),
`now` (aware) and the time zone in which days and months are counted, and returns plain dicts and
lists for the page and the CSV exports. Like `board_summary`, these read the ticket and event
tables directly; issue 5 replaces them with rollups maintained from events.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, distinct, func, select
from sqlalchemy.orm import aliased

from dispatch.core.lifecycle import OPEN_STATES, State
from dispatch.extensions import db
from dispatch.models import Community, Department, Grid, Ticket, TicketEvent

from .summary import board_summary

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


def _scope(street_id: int | None, board: str | None) -> list:
    conditions = []
    if street_id is not None:
        conditions.append(Ticket.street_id == street_id)
    if board is not None:
        conditions.append(Ticket.board_code == board)
    return conditions


def _count(*conditions) -> int:
    return db.session.scalar(select(func.count(Ticket.id)).where(*conditions)) or 0


def headline(street_id: int | None, board: str | None, now: datetime, tz: str) -> dict:
    """New and closed today and this month, open now, overdue, and the counts by state."""
    summary = board_summary(board, street_id, now, tz)
    today = local_today(now, tz)
    month_start = day_start(today.replace(day=1), tz)
    month_end = day_start(today + timedelta(days=1), tz)
    scope = _scope(street_id, board)
    return {
        **summary,
        "month": {
            "start": month_start.date().isoformat(),
            "new": _count(*scope, Ticket.created_at >= month_start,
                          Ticket.created_at < month_end),
            "closed": _count(*scope, Ticket.state == State.CLOSED,
                             Ticket.closed_at >= month_start, Ticket.closed_at < month_end),
        },
    }


def state_rows(summary: dict) -> list[dict]:
    """The counts by state of `headline`, as table rows in the lifecycle's order."""
    return [{"state": state, "count": count} for state, count in summary["by_state"].items()]


def department_ranking(street_id: int | None, board: str | None, start: datetime,
                       end: datetime) -> list[dict]:
    """Each lead department's funnel for the tickets dispatched to it in [start, end).

    The cohort is every (ticket, department) pair with a `dispatch` event to that department in
    the period (on `board`, in the street). Of that cohort, per department, in distinct tickets:
    accepted, resolved and closed by it (an accept / resolve / verify event carrying the
    department, whenever it happened), and sent back by it. closure_rate = closed / dispatched.
    Ranked by closure rate, then by volume (dispatched), then by department code.

    This is the one place the ranking is computed: issue 5 swaps in the exact KPI formulas.
    """
    cohort_filter = [TicketEvent.action == "dispatch", TicketEvent.department_id.is_not(None),
                     TicketEvent.created_at >= start, TicketEvent.created_at < end]
    if board is not None:
        cohort_filter.append(TicketEvent.board_code == board)
    cohort = select(TicketEvent.ticket_id, TicketEvent.department_id).where(*cohort_filter)
    if street_id is not None:
        cohort = cohort.join(Ticket, Ticket.id == TicketEvent.ticket_id).where(
            Ticket.street_id == street_id)
    cohort = cohort.distinct().subquery()

    outcome = aliased(TicketEvent)
    steps = {"accepted": "accept", "resolved": "resolve", "closed": "verify",
             "sent_back": "send_back"}
    columns = [func.count(distinct(case((outcome.action == action, outcome.ticket_id))))
               .label(name) for name, action in steps.items()]
    rows = db.session.execute(
        select(cohort.c.department_id, func.count(distinct(cohort.c.ticket_id)), *columns)
        .outerjoin(outcome, and_(outcome.ticket_id == cohort.c.ticket_id,
                                 outcome.department_id == cohort.c.department_id,
                                 outcome.action.in_(list(steps.values()))))
        .group_by(cohort.c.department_id)).all()
    departments = {d.id: d for d in db.session.scalars(
        select(Department).where(Department.id.in_([r[0] for r in rows])))}

    ranking = []
    for department_id, dispatched, accepted, resolved, closed, sent_back in rows:
        department = departments[department_id]
        ranking.append({
            "code": department.code, "name_zh": department.name_zh,
            "name_en": department.name_en, "dispatched": dispatched, "accepted": accepted,
            "resolved": resolved, "closed": closed, "sent_back": sent_back,
            "closure_rate": closed / dispatched if dispatched else 0.0,
        })
    ranking.sort(key=lambda r: (-r["closure_rate"], -r["dispatched"], r["code"]))
    for rank, row in enumerate(ranking, 1):
        row["rank"] = rank
    return ranking


def daily_trend(street_id: int | None, board: str | None, now: datetime, tz: str,
                days: int = TREND_DAYS) -> list[dict]:
    """New and closed tickets per local day for the last `days` days, oldest first.

    Days are bucketed against local midnights computed here (one CASE over the boundaries), so
    SQLite and PostgreSQL bucket identically and a DST change would still give true days."""
    first = local_today(now, tz) - timedelta(days=days - 1)
    dates = [first + timedelta(days=i) for i in range(days)]
    bounds = [day_start(d, tz) for d in dates] + [day_start(dates[-1] + timedelta(days=1), tz)]
    scope = _scope(street_id, board)

    def per_day(column, *conditions) -> dict[int, int]:
        bucket = case(*[(column < bounds[i + 1], i) for i in range(days)]).label("bucket")
        stmt = (select(bucket, func.count(Ticket.id))
                .where(*scope, *conditions, column >= bounds[0], column < bounds[-1])
                .group_by("bucket"))
        return dict(db.session.execute(stmt).all())

    new = per_day(Ticket.created_at)
    closed = per_day(Ticket.closed_at, Ticket.state == State.CLOSED)
    return [{"date": d.isoformat(), "new": new.get(i, 0), "closed": closed.get(i, 0)}
            for i, d in enumerate(dates)]


def open_by_grid(street_id: int | None, board: str | None) -> dict:
    """Open tickets per grid (only grids that have some), most first, and those with no grid."""
    scope = [*_scope(street_id, board), Ticket.state.in_([s.value for s in OPEN_STATES])]
    rows = db.session.execute(
        select(Grid.code, Grid.name_zh, Community.name_zh, Community.name_en,
               func.count(Ticket.id))
        .join(Ticket, Ticket.grid_id == Grid.id).join(Community, Community.id == Grid.community_id)
        .where(*scope)
        .group_by(Grid.code, Grid.name_zh, Community.name_zh, Community.name_en)).all()
    grids = [{"code": code, "name_zh": name, "community_zh": community_zh,
              "community_en": community_en, "open": count}
             for code, name, community_zh, community_en, count in rows]
    grids.sort(key=lambda g: (-g["open"], g["code"]))
    return {"grids": grids, "no_grid": _count(*scope, Ticket.grid_id.is_(None))}


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
