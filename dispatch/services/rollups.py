"""Keeping the dashboards' rollups (the KPI rollups are kept by kpi_rollups, and checked and
rebuilt with these): incremented in each use case's transaction, and rebuilt from
the events on demand (`dispatch rollups rebuild`); `check` proves the two agree."""

from collections import Counter

from sqlalchemy import delete, select

from .. import clock
from ..core.rollup import Place, StateKey, daily_metrics, lead_after
from ..extensions import db
from ..models import DailyBoardCount, StateCount, Ticket, TicketEvent
from . import kpi_rollups
from .counters import bump, compare, insert_all

_board = DailyBoardCount.__table__
_states = StateCount.__table__
RUNNING = ("dispatched", "accepted")
OVERDUE = "overdue"  # pseudo-state in state_counts: escalated and still being handled


def is_overdue(ticket: Ticket) -> bool:
    return ticket.escalated_at is not None and ticket.state in RUNNING


def overdue_before(ticket: Ticket, action: str) -> bool:
    """Whether the ticket counted as overdue before `action`. An escalation is where overdue
    begins (once per clock), though the sweep has already marked the ticket when it records
    one."""
    return False if action == "escalate" else is_overdue(ticket)


def state_key(ticket: Ticket) -> StateKey | None:
    if not ticket.state:
        return None
    return StateKey(Place.of(ticket.street_id, ticket.board_code, ticket.lead_department_id,
                             ticket.grid_id), ticket.state)


def record(ticket: Ticket, event: TicketEvent, before: StateKey | None,
           was_overdue: bool = False) -> None:
    """The event's share of the rollups, in the open transaction (keys in a fixed order, so two
    transactions never wait for each other's rows in opposite orders)."""
    tz = clock.zone()
    place = Place.of(event.street_id, event.board_code, event.department_id, event.grid_id)
    bumps = []
    for metric in daily_metrics(event.action, event.data or {}):
        moment = ticket.created_at if metric == "new" else event.created_at
        bumps.append((_board, _board_key(moment.astimezone(tz).date(), place, metric),
                      {"count": 1}))
    after = state_key(ticket)
    if after != before:
        if before is not None:
            bumps.append((_states, _state_key(before), {"count": -1}))
        if after is not None:
            bumps.append((_states, _state_key(after), {"count": 1}))
    now_overdue = is_overdue(ticket)
    if now_overdue != was_overdue:
        key = after if now_overdue else before
        bumps.append((_states, _state_key(StateKey(key.place, OVERDUE)),
                      {"count": 1 if now_overdue else -1}))
    for table, key, increments in sorted(bumps, key=lambda b: (b[0].name, sorted(b[1].items()))):
        bump(table, key, increments)


def _board_key(day, place: Place, metric: str) -> dict:
    return {"street_id": place.street_id, "board_code": place.board, "metric": metric,
            "day": day, "department_id": place.department_id}


def _state_key(key: StateKey) -> dict:
    p = key.place
    return {"street_id": p.street_id, "board_code": p.board, "department_id": p.department_id,
            "grid_id": p.grid_id, "state": key.state}


def replay(batch: int = 50_000) -> tuple[Counter, Counter]:
    """Recompute every rollup from the events alone: (daily counts, states)."""
    tz = clock.zone()
    counts: Counter = Counter()
    current: dict[int, StateKey] = {}
    escalated: set[int] = set()
    rows = db.session.execute(
        select(TicketEvent.ticket_id, TicketEvent.action, TicketEvent.to_state,
               TicketEvent.board_code, TicketEvent.department_id, TicketEvent.street_id,
               TicketEvent.grid_id, TicketEvent.created_at, TicketEvent.data, Ticket.created_at)
        .join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .order_by(TicketEvent.ticket_id, TicketEvent.id).execution_options(yield_per=batch))
    for ticket_id, action, to_state, board, dept, street, grid, at, data, created in rows:
        place = Place.of(street, board, dept, grid)
        for metric in daily_metrics(action, data or {}):
            moment = created if metric == "new" else at
            counts[tuple(_board_key(moment.astimezone(tz).date(), place, metric).values())] += 1
        current[ticket_id] = StateKey(Place.of(street, board, lead_after(action, dept), grid),
                                      to_state)
        if action == "escalate":
            escalated.add(ticket_id)
        elif action == "dispatch":  # a new clock: no longer escalated
            escalated.discard(ticket_id)
    states: Counter = Counter(tuple(_state_key(k).values()) for k in current.values())
    for ticket_id in escalated:
        if current[ticket_id].state in RUNNING:
            states[tuple(_state_key(StateKey(current[ticket_id].place, OVERDUE)).values())] += 1
    return counts, states


def stored() -> tuple[Counter, Counter]:
    """(daily counts, states) as kept in the tables, keyed as `replay` keys them."""
    kept = []
    for table in (_board, _states):
        rows = db.session.execute(select(*table.primary_key.columns, table.c.count))
        kept.append(Counter({tuple(row[:-1]): row[-1] for row in rows if row[-1]}))
    return tuple(kept)


def check() -> list[str]:
    """Differences between the stored rollups and a replay of the events (empty: identical)."""
    return compare(("daily counts", "state counts"), replay(), stored()) + kpi_rollups.check()


def rebuild() -> tuple[int, int]:
    """Replace every rollup by a replay of the events: (daily rows, state rows) written."""
    try:
        written = []
        for table, counts in zip((_board, _states), replay(), strict=True):
            db.session.execute(delete(table))
            columns = [c.name for c in table.primary_key.columns]
            written.append(insert_all(table, [dict(zip(columns, key, strict=True), count=n)
                                              for key, n in counts.items()]))
        kpi_rollups.rebuild()
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return written[0], written[1]


