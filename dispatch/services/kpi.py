"""KPIs from the database: the tickets a period and scope touch, as plain facts for core.kpi,
which holds every counting rule (docs/kpi.md). Nothing is counted here."""

from datetime import datetime

from sqlalchemy import and_, select, union

from ..core import kpi
from ..extensions import db
from ..models import Community, Department, Grid, Street, Ticket, TicketEvent


def _scope_filter(scope: kpi.Scope):
    if scope.kind == "board":
        return Ticket.board_code == scope.code
    if scope.kind == "grid":
        return Ticket.grid_id == select(Grid.id).where(Grid.code == scope.code).scalar_subquery()
    if scope.kind == "community":
        return Ticket.community_id == select(Community.id).where(
            Community.code == scope.code).scalar_subquery()
    if scope.kind == "street":
        return Ticket.street_id == select(Street.id).where(
            Street.code == scope.code).scalar_subquery()
    return None


def ticket_facts(scope: kpi.Scope, period: kpi.Period,
                 street_id: int | None = None) -> list[kpi.TicketFact]:
    """Every ticket that could count: an event in the period, or a deadline in it."""
    in_period = and_(TicketEvent.created_at >= period.start, TicketEvent.created_at < period.end)
    by_events = select(TicketEvent.ticket_id).where(in_period)
    if scope.kind == "department":
        dept_id = select(Department.id).where(Department.code == scope.code).scalar_subquery()
        by_events = by_events.where(TicketEvent.department_id == dept_id)
    by_deadline = select(Ticket.id).where(Ticket.due_at >= period.start,
                                          Ticket.due_at < period.end)
    if scope.kind == "department":  # closure figures count the department's own tickets
        by_deadline = by_deadline.where(Ticket.lead_department_id == dept_id)
    ids = union(by_events, by_deadline).subquery()
    stmt = select(Ticket.id, Ticket.created_at, Ticket.state, Ticket.board_code,
                  Ticket.lead_department_id, Ticket.grid_id, Ticket.due_at, Ticket.closed_at
                  ).where(Ticket.id.in_(select(ids.c[0])))
    narrowing = _scope_filter(scope)
    if narrowing is not None:
        stmt = stmt.where(narrowing)
    if street_id is not None:
        stmt = stmt.where(Ticket.street_id == street_id)
    tickets = db.session.execute(stmt).all()
    return _facts(tickets)


def _facts(tickets) -> list[kpi.TicketFact]:
    if not tickets:
        return []
    codes = dict(db.session.execute(select(Department.id, Department.code)).all())
    places = {g.id: (g.code, c.code, s.code) for g, c, s in db.session.execute(
        select(Grid, Community, Street).join(Community, Grid.community_id == Community.id)
        .join(Street, Community.street_id == Street.id)).all()}
    events: dict[int, list[kpi.EventFact]] = {t.id: [] for t in tickets}
    for ticket_id, action, at, dept, data in db.session.execute(
            select(TicketEvent.ticket_id, TicketEvent.action, TicketEvent.created_at,
                   TicketEvent.department_id, TicketEvent.data)
            .where(TicketEvent.ticket_id.in_(list(events)))
            .order_by(TicketEvent.created_at, TicketEvent.id)):
        due = data.get("due_at") if action == "resolve" and data else None
        events[ticket_id].append(kpi.EventFact(action, at, codes.get(dept),
                                               datetime.fromisoformat(due) if due else None))
    facts = []
    for t in tickets:
        grid, community, street = places.get(t.grid_id, (None, None, None))
        facts.append(kpi.TicketFact(
            id=t.id, created_at=t.created_at, state=t.state, board=t.board_code,
            lead_department=codes.get(t.lead_department_id), grid=grid, community=community,
            street=street, due_at=t.due_at, closed_at=t.closed_at,
            events=tuple(events[t.id])))
    return facts


def report(scope: kpi.Scope, period: kpi.Period, street_id: int | None = None) -> dict:
    return kpi.as_dict(kpi.compute(ticket_facts(scope, period, street_id), scope, period))


def department_scores(period: kpi.Period, board: str | None = None,
                      street_id: int | None = None) -> list[dict]:
    """Every department's KPIs for the period and its composite score, best first."""
    scope = kpi.Scope("board", board) if board else kpi.Scope("all")
    facts = ticket_facts(scope, period, street_id)
    departments = sorted({e.department for f in facts for e in f.events
                          if e.action == "dispatch" and e.department})
    reports = [kpi.compute(facts, kpi.Scope("department", d), period) for d in departments]
    scores = kpi.composite_scores(reports) if reports else {}
    rows = [dict(kpi.as_dict(r), composite=round(scores.get(r.scope.code, 0.0), 1))
            for r in reports]
    return sorted(rows, key=lambda r: (-r["composite"], r["scope"]["code"]))
