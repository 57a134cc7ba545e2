"""Keeping the dashboards' rollups: incremented in each use case's transaction, and rebuilt from
the events on demand (`dispatch rollups rebuild`); `check` proves the two agree."""

from collections import Counter
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import delete, select

from ..core.rollup import Place, StateKey, daily_metrics, lead_after
from ..extensions import db
from ..models import DailyCount, StateCount, Ticket, TicketEvent

_daily = DailyCount.__table__
_states = StateCount.__table__


def _tz() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def state_key(ticket: Ticket) -> StateKey | None:
    if not ticket.state:
        return None
    return StateKey(Place.of(ticket.street_id, ticket.board_code, ticket.lead_department_id,
                             ticket.grid_id), ticket.state)


def _insert(table):
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)


def _bump(table, key: dict, increments: dict) -> None:
    stmt = _insert(table).values(**key, **increments)
    stmt = stmt.on_conflict_do_update(
        index_elements=list(key), set_={k: table.c[k] + stmt.excluded[k] for k in increments})
    db.session.execute(stmt)


def record(ticket: Ticket, event: TicketEvent, before: StateKey | None) -> None:
    """The event's share of the rollups, in the open transaction (keys in a fixed order, so two
    transactions never wait for each other's rows in opposite orders)."""
    tz = _tz()
    place = Place.of(event.street_id, event.board_code, event.department_id, event.grid_id)
    bumps = []
    for metric, hours in daily_metrics(event.action, event.data or {}):
        moment = ticket.created_at if metric == "new" else event.created_at
        bumps.append((_daily, _daily_key(moment.astimezone(tz).date(), place, metric),
                      {"count": 1, "hours": hours}))
    after = state_key(ticket)
    if after != before:
        if before is not None:
            bumps.append((_states, _state_key(before), {"count": -1}))
        if after is not None:
            bumps.append((_states, _state_key(after), {"count": 1}))
    for table, key, increments in sorted(bumps, key=lambda b: (b[0].name, sorted(b[1].items()))):
        _bump(table, key, increments)


def _daily_key(day, place: Place, metric: str) -> dict:
    return {"day": day, "street_id": place.street_id, "board_code": place.board,
            "department_id": place.department_id, "grid_id": place.grid_id, "metric": metric}


def _state_key(key: StateKey) -> dict:
    p = key.place
    return {"street_id": p.street_id, "board_code": p.board, "department_id": p.department_id,
            "grid_id": p.grid_id, "state": key.state}


def replay(batch: int = 50_000) -> tuple[Counter, Counter, Counter]:
    """Recompute every rollup from the events alone: (daily counts, daily hours, states)."""
    tz = _tz()
    counts: Counter = Counter()
    hours: Counter = Counter()
    current: dict[int, StateKey] = {}
    rows = db.session.execute(
        select(TicketEvent.ticket_id, TicketEvent.action, TicketEvent.to_state,
               TicketEvent.board_code, TicketEvent.department_id, TicketEvent.street_id,
               TicketEvent.grid_id, TicketEvent.created_at, TicketEvent.data, Ticket.created_at)
        .join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .order_by(TicketEvent.ticket_id, TicketEvent.id).execution_options(yield_per=batch))
    for ticket_id, action, to_state, board, dept, street, grid, at, data, created in rows:
        place = Place.of(street, board, dept, grid)
        for metric, spent in daily_metrics(action, data or {}):
            moment = created if metric == "new" else at
            key = tuple(_daily_key(moment.astimezone(tz).date(), place, metric).values())
            counts[key] += 1
            hours[key] += spent
        current[ticket_id] = StateKey(Place.of(street, board, lead_after(action, dept), grid),
                                      to_state)
    states: Counter = Counter(tuple(_state_key(k).values()) for k in current.values())
    return counts, hours, states


def stored() -> tuple[Counter, Counter, Counter]:
    counts, hours, states = Counter(), Counter(), Counter()
    for row in db.session.execute(select(_daily)):
        key = tuple(row[:6])
        if row.count:
            counts[key] = row.count
        if row.hours:
            hours[key] = row.hours
    for row in db.session.execute(select(_states)):
        if row.count:
            states[tuple(row[:5])] = row.count
    return counts, hours, states


def check() -> list[str]:
    """Differences between the stored rollups and a replay of the events (empty: identical)."""
    differences = []
    for name, replayed, kept in zip(("daily counts", "daily hours", "state counts"), replay(),
                                    stored(), strict=True):
        for key in sorted(set(replayed) | set(kept), key=str):
            a, b = replayed.get(key, 0), kept.get(key, 0)
            if abs(a - b) > 1e-6:
                differences.append(f"{name} {key}: events say {a}, rollup has {b}")
    return differences


def rebuild() -> tuple[int, int]:
    counts, hours, states = replay()
    try:
        db.session.execute(delete(_daily))
        db.session.execute(delete(_states))
        columns = [c.name for c in _daily.columns][:6]
        daily_rows = [dict(zip(columns, key, strict=True), count=n, hours=hours[key])
                      for key, n in counts.items()]
        state_columns = [c.name for c in _states.columns][:5]
        state_rows = [dict(zip(state_columns, key, strict=True), count=n)
                      for key, n in states.items()]
        for chunk in range(0, len(daily_rows), 10_000):
            db.session.execute(_daily.insert(), daily_rows[chunk:chunk + 10_000])
        for chunk in range(0, len(state_rows), 10_000):
            db.session.execute(_states.insert(), state_rows[chunk:chunk + 10_000])
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return len(daily_rows), len(state_rows)


