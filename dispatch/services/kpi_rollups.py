"""Keeping the KPI rollups: what dispatch/core/kpi.py says each ticket contributes, summed by
street × board × department and by day.

Every use case takes the ticket's contributions before it changes anything (`snapshot`) and,
in the same transaction, swaps them for the contributions after (`record`): the difference is
a few counter bumps. `replay` recomputes every contribution from the tickets and their events,
so `dispatch rollups check` proves the two paths agree and `rebuild` repairs them.
"""

from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, select

from .. import clock
from ..core import kpi
from ..core.rollup import NONE
from ..extensions import db
from ..models import NO_DAY, KpiClosure, KpiEpisode, KpiTiming, KpiTimingCount, Ticket, TicketEvent
from .counters import bump, compare, insert_all

CLOSURES = KpiClosure.__table__
EPISODES = KpiEpisode.__table__
TIMINGS = KpiTiming.__table__
TIMING_COUNTS = KpiTimingCount.__table__


def event_fact(action: str, at: datetime, street_id, grid_id, board, department_id,
               data: dict | None) -> kpi.EventFact:
    due = (data or {}).get("due_at") if action == "resolve" else None
    return kpi.EventFact(action, at, kpi.Where(street=street_id, grid=grid_id, board=board,
                                               department=department_id),
                         datetime.fromisoformat(due) if due else None)


def ticket_fact(ticket, events: Iterable[kpi.EventFact]) -> kpi.TicketFact:
    """`ticket`: a Ticket or a row with the same names."""
    return kpi.TicketFact(
        id=ticket.id or 0, created_at=ticket.created_at, state=ticket.state,
        where=kpi.Where(street=ticket.street_id, grid=ticket.grid_id, board=ticket.board_code,
                        department=ticket.lead_department_id),
        due_at=ticket.due_at, closed_at=ticket.closed_at, events=tuple(events))


def events_of(tickets) -> dict[int, list[kpi.EventFact]]:
    """Ticket id → its events as facts (in their order), for `tickets`: rows with an id."""
    events: dict[int, list[kpi.EventFact]] = {t.id: [] for t in tickets}
    if not events:
        return events
    low, high = min(events), max(events)
    chosen = TicketEvent.ticket_id.between(low, high) if high - low < 2 * len(events) \
        else TicketEvent.ticket_id.in_(list(events))  # a run of ids, or scattered ones
    for ticket_id, *columns in db.session.execute(
            select(TicketEvent.ticket_id, TicketEvent.action, TicketEvent.created_at,
                   TicketEvent.street_id, TicketEvent.grid_id, TicketEvent.board_code,
                   TicketEvent.department_id, TicketEvent.data)
            .where(chosen).order_by(TicketEvent.ticket_id, TicketEvent.id)):
        if ticket_id in events:
            events[ticket_id].append(event_fact(*columns))
    return events


def snapshot(ticket: Ticket) -> kpi.Contributions | None:
    """The ticket's contributions as it stands (None for a ticket not yet reported)."""
    if not ticket.state or ticket.created_at is None:
        return None
    with db.session.no_autoflush:
        events = [event_fact(e.action, e.created_at, e.street_id, e.grid_id, e.board_code,
                             e.department_id, e.data) for e in ticket.events]
    return kpi.contributions(ticket_fact(ticket, events), clock.zone())


# Rollup keys: ids with NONE for "none", NO_DAY for "no day" (keys cannot be NULL).

def _place(where: kpi.Where) -> tuple[int, str, int]:
    return where.street or NONE, where.board or "", where.department or NONE


def closure_key(c: kpi.Closure) -> tuple:
    street, board, department = _place(c.where)
    return street, board, department, c.due_day or NO_DAY, c.final_day or NO_DAY, c.outcome


def episode_key(e: kpi.Episode) -> tuple:
    street, board, department = _place(e.where)
    return department, e.dispatch_day, street, board, e.resolve_day or NO_DAY, e.on_time


def timing_row(t: kpi.Timing) -> tuple:
    street, board, department = _place(t.where)
    return t.kind, t.day, street, board, department, kpi.bucket(t.hours), t.hours


def timing_count_key(row: tuple) -> tuple:
    kind, day, street, board, department, bucket, _ = row
    return department, kind, day, street, board, bucket


def keys(share: kpi.Contributions | None) -> tuple[Counter, Counter, Counter]:
    closures, episodes, timings = Counter(), Counter(), Counter()
    if share is not None:
        if share.closure is not None:
            closures[closure_key(share.closure)] += 1
        episodes.update(episode_key(e) for e in share.episodes)
        timings.update(timing_row(t) for t in share.timings)
    return closures, episodes, timings


def _difference(after: Counter, before: Counter) -> Counter:
    change = Counter(after)
    change.subtract(before)
    return Counter({k: v for k, v in change.items() if v})


def record(ticket: Ticket, before: kpi.Contributions | None) -> None:
    """Swap the ticket's old contributions for its new ones, in the open transaction (keys in
    a fixed order, so two transactions never wait for each other in opposite orders)."""
    after = snapshot(ticket)
    if after == before:
        return
    old, new = keys(before), keys(after)
    closures, episodes, timings = (_difference(n, o) for n, o in zip(new, old, strict=True))
    counts = Counter()
    for row, n in timings.items():
        counts[timing_count_key(row)] += n
    bumps = [(CLOSURES, k, n) for k, n in closures.items()]
    bumps += [(EPISODES, k, n) for k, n in episodes.items()]
    bumps += [(TIMING_COUNTS, k, n) for k, n in counts.items() if n]
    for table, key, n in sorted(bumps, key=lambda b: (b[0].name, str(b[1]))):
        bump(table, dict(zip(_key_columns(table), key, strict=True)), {"count": n})
    if timings:  # rare (first dispatch, first resolve of a dispatch, close): rewrite them
        if ticket.id is None:
            db.session.flush()
        db.session.execute(delete(TIMINGS).where(TIMINGS.c.ticket_id == ticket.id))
        rows = sorted(new[2].elements())
        if rows:
            db.session.execute(TIMINGS.insert(), [_timing_values(ticket.id, r) for r in rows])


def _key_columns(table) -> list[str]:
    return [c.name for c in table.primary_key.columns]


def _timing_values(ticket_id: int, row: tuple) -> dict:
    kind, day, street, board, department, bucket, hours = row
    return {"ticket_id": ticket_id, "kind": kind, "day": day, "street_id": street,
            "board_code": board, "department_id": department, "bucket": bucket,
            "hours": hours}


# Replay, check and rebuild.

def missing() -> bool:
    """Tickets that count, and no KPI rollups: a database filled before they existed."""
    counted = select(Ticket.id).where(Ticket.due_at.isnot(None) | Ticket.closed_at.isnot(None)
                                      | (Ticket.state == "parked")).limit(1)
    return db.session.scalar(counted) is not None and db.session.scalar(
        select(CLOSURES.c.count).limit(1)) is None


def replay(batch: int = 20_000) -> tuple[Counter, Counter, Counter, list[tuple]]:
    """Every ticket's contributions from the tickets and their events alone:
    (closure counts, episode counts, timing counts, timing rows with their ticket id)."""
    closures, episodes, counts = Counter(), Counter(), Counter()
    rows: list[tuple] = []
    last_id, zone = 0, clock.zone()
    while True:
        tickets = db.session.execute(
            select(Ticket.id, Ticket.created_at, Ticket.state, Ticket.street_id,
                   Ticket.grid_id, Ticket.board_code, Ticket.lead_department_id,
                   Ticket.due_at, Ticket.closed_at)
            .where(Ticket.id > last_id).order_by(Ticket.id).limit(batch)).all()
        if not tickets:
            break
        last_id = tickets[-1].id
        events = events_of(tickets)
        for t in tickets:
            if not t.state:
                continue
            c, e, timings = keys(kpi.contributions(ticket_fact(t, events[t.id]), zone))
            closures.update(c)
            episodes.update(e)
            for row in timings.elements():
                counts[timing_count_key(row)] += 1
                rows.append((t.id, *row))
    return closures, episodes, counts, sorted(rows)


def stored() -> tuple[Counter, Counter, Counter, list[tuple]]:
    tables = []
    for table in (CLOSURES, EPISODES, TIMING_COUNTS):
        columns = [table.c[name] for name in _key_columns(table)]
        tables.append(Counter({tuple(r[:-1]): r[-1] for r in db.session.execute(
            select(*columns, table.c.count)) if r[-1]}))
    rows = sorted(tuple(r) for r in db.session.execute(
        select(TIMINGS.c.ticket_id, TIMINGS.c.kind, TIMINGS.c.day, TIMINGS.c.street_id,
               TIMINGS.c.board_code, TIMINGS.c.department_id, TIMINGS.c.bucket,
               TIMINGS.c.hours)))
    return (*tables, rows)


def check() -> list[str]:
    """Differences between the stored KPI rollups and a replay (empty: identical)."""
    replayed, kept = replay(), stored()
    differences = compare(("KPI closures", "KPI episodes", "KPI timing counts"),
                          replayed[:3], kept[:3])
    if replayed[3] != kept[3]:
        missing = sorted(set(replayed[3]) ^ set(kept[3]))[:5]
        differences.append(f"KPI timings differ, for instance {missing}")
    return differences


def rebuild() -> int:
    """Replace the KPI rollups by a replay, in the caller's transaction; rows written."""
    closures, episodes, counts, rows = replay()
    written = 0
    for table, counter in ((CLOSURES, closures), (EPISODES, episodes),
                           (TIMING_COUNTS, counts)):
        db.session.execute(delete(table))
        names = _key_columns(table)
        values = [dict(zip(names, k, strict=True), count=n) for k, n in counter.items()]
        written += insert_all(table, values)
    db.session.execute(delete(TIMINGS))
    return written + insert_all(TIMINGS, [_timing_values(r[0], r[1:]) for r in rows])
