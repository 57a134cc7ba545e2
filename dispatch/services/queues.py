"""Work lists for the screens: a handler's console and the street's dispatch queue.

Everything starts from `tickets.visible_to(user)`, so a list never shows a ticket its reader
could not open; these functions only filter, count and order.
"""

from dataclasses import dataclass, field

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import joinedload, selectinload

from ..core.lifecycle import OPEN_STATES, WORKING, State
from ..extensions import db
from ..models import Category, Grid, Ticket, TicketEvent, User
from .tickets import visible_to, visible_where

SORTS = ("urgency", "newest")
RUNNING = [State.DISPATCHED.value, State.ACCEPTED.value]
STATE_ORDER = [s.value for s in State]


@dataclass(frozen=True)
class ConsoleFilters:
    state: str = "open"  # "open", "all" or one state
    board: str = ""
    category: str = ""  # category code
    grid: str = ""  # grid code
    sort: str = "urgency"


def _with_rows(stmt: Select) -> Select:
    return stmt.options(joinedload(Ticket.category), joinedload(Ticket.grid),
                        joinedload(Ticket.lead_department), selectinload(Ticket.helpers))


def state_counts(stmt: Select) -> dict[str, int]:
    """How many of the tickets `stmt` selects are in each state (every state, zeros too)."""
    sub = stmt.subquery()
    rows = db.session.execute(select(sub.c.state, func.count()).group_by(sub.c.state)).all()
    found = dict(rows)
    return {state: found.get(state, 0) for state in STATE_ORDER}


def console_query(user: User, filters: ConsoleFilters) -> tuple[Select, dict[str, int]]:
    """The handler's tickets as filtered, and the per-state counts under the other filters."""
    stmt = visible_where(user, board=filters.board, category=filters.category,
                         grid=filters.grid)
    counts = state_counts(stmt)
    if filters.state == "open":
        stmt = stmt.where(Ticket.state.in_([s.value for s in OPEN_STATES]))
    elif filters.state in STATE_ORDER:
        stmt = stmt.where(Ticket.state == filters.state)
    if filters.sort == "newest":
        stmt = stmt.order_by(Ticket.created_at.desc(), Ticket.id.desc())
    else:
        stmt = by_urgency(stmt)
    return stmt, counts


def by_urgency(stmt: Select) -> Select:
    """Most urgent first, in SQL so a page reads only its rows: tickets whose clock runs, by
    their deadline (the overdue ones have the earliest, so they come first, then the least time
    left), then the rest (parked: clock stopped; reported; resolved and done), oldest first.
    `due_at` is kept current with parks and extensions (services.deadlines.refresh)."""
    running = case((Ticket.state.in_(RUNNING) & Ticket.due_at.is_not(None), 0), else_=1)
    return stmt.order_by(running, Ticket.due_at.asc().nulls_last(), Ticket.created_at.asc(),
                         Ticket.id.asc())


def console_choices(user: User) -> tuple[list[Category], list[Grid]]:
    """The categories and grids the console's filters offer: those of the user's tickets."""
    mine = visible_to(user).subquery()
    categories = db.session.scalars(select(Category).where(
        Category.id.in_(select(mine.c.category_id))).order_by(Category.code)).all()
    grids = db.session.scalars(select(Grid).where(
        Grid.id.in_(select(mine.c.grid_id))).order_by(Grid.code)).all()
    return list(categories), list(grids)


def page_of(stmt: Select, page: int, per_page: int) -> tuple[list[Ticket], int]:
    """One page of the tickets `stmt` selects (with what a list row shows, the events for its
    deadline's light included), and the total."""
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = db.session.scalars(_with_rows(stmt).options(selectinload(Ticket.events))
                              .limit(per_page).offset((page - 1) * per_page)).unique().all()
    return list(rows), total or 0


def last_events(ticket_ids: list[int], actions: tuple[str, ...]) -> dict[int, TicketEvent]:
    """The latest event of one of `actions` for each ticket (e.g. its last send-back)."""
    if not ticket_ids:
        return {}
    latest = (select(func.max(TicketEvent.id)).where(TicketEvent.ticket_id.in_(ticket_ids),
                                                     TicketEvent.action.in_(actions))
              .group_by(TicketEvent.ticket_id))
    events = db.session.scalars(select(TicketEvent).where(TicketEvent.id.in_(latest))
                                .options(joinedload(TicketEvent.department),
                                         joinedload(TicketEvent.actor))).all()
    return {e.ticket_id: e for e in events}


@dataclass
class DispatchQueue:
    waiting: list[Ticket] = field(default_factory=list)  # state reported
    requests: list[Ticket] = field(default_factory=list)  # pending extension / park
    parked: list[Ticket] = field(default_factory=list)
    send_backs: dict[int, TicketEvent] = field(default_factory=dict)
    request_events: dict[int, TicketEvent] = field(default_factory=dict)
    park_events: dict[int, TicketEvent] = field(default_factory=dict)


def dispatch_queue(user: User, limit: int = 500) -> DispatchQueue:
    """What waits for a dispatcher in their street: reports routing could not place and
    tickets sent back (no clock runs yet: urgent ones first, then oldest), pending requests
    (most urgent first), parked tickets (clock stopped: oldest park first)."""
    base = visible_to(user)
    queue = DispatchQueue()
    queue.waiting = list(db.session.scalars(_with_rows(base.where(
        Ticket.state == State.REPORTED).join(Category, Category.id == Ticket.category_id)
        .order_by((Ticket.priority == "urgent").desc(), Category.urgent.desc(),
                  Ticket.created_at.asc(), Ticket.id.asc()))
        .options(selectinload(Ticket.events)).limit(limit)).unique())
    queue.requests = list(db.session.scalars(_with_rows(by_urgency(base.where(
        Ticket.state.in_([s.value for s in WORKING]), Ticket.pending_request.is_not(None))))
        .options(selectinload(Ticket.events)).limit(limit)).unique())
    queue.parked = list(db.session.scalars(_with_rows(base.where(
        Ticket.state == State.PARKED).order_by(Ticket.id.asc())).limit(limit)).unique())
    waiting_ids = [t.id for t in queue.waiting]
    queue.send_backs = last_events(waiting_ids, ("send_back",))
    queue.request_events = last_events([t.id for t in queue.requests],
                                       ("request_extension", "request_park"))
    queue.park_events = last_events([t.id for t in queue.parked], ("park",))
    return queue


def merge_candidates(ticket: Ticket, limit: int = 10) -> list[Ticket]:
    """Open tickets of the same street a dispatcher might merge this one into: same grid or
    same category first."""
    if ticket.street_id is None:
        return []
    stmt = (select(Ticket).where(Ticket.street_id == ticket.street_id, Ticket.id != ticket.id,
                                 Ticket.state.in_([s.value for s in OPEN_STATES]))
            .options(joinedload(Ticket.category)))
    same_place = stmt.where((Ticket.grid_id == ticket.grid_id)
                            | (Ticket.category_id == ticket.category_id))
    return list(db.session.scalars(same_place.order_by(Ticket.created_at.desc()).limit(limit)))
