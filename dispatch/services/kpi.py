"""KPIs from the database. Nothing is counted here: core.kpi holds every rule (docs/kpi.md).

Street, board and department figures (and the whole district's) come from the KPI rollups,
which hold every ticket's contributions pre-summed by day: a handful of index range reads,
whatever the number of tickets. An exact percentile reads the per-bucket counts, then the
values of the one bucket it falls in. Grid and community figures, small by nature, are
computed from their tickets and events with `core.kpi.compute`; both paths end in
`core.kpi.summarize`.
"""

from collections import defaultdict
from dataclasses import replace
from datetime import datetime, time, timedelta

from sqlalchemy import and_, case, func, literal, or_, select, union_all

from .. import clock
from ..core import kpi
from ..extensions import db
from ..models import (
    Community,
    DailyBoardCount,
    Department,
    Grid,
    KpiClosure,
    KpiEpisode,
    KpiTiming,
    KpiTimingCount,
    Street,
    Ticket,
    TicketEvent,
)
from .kpi_rollups import events_of, ticket_fact

_TALLIES = {"dispatched": "dispatch_events", "sent_back": "send_backs",
            "resolved": "resolve_events", "reworked": "reworks"}  # daily metric → KPI count
_ALL = object()  # the group key when figures are not split by department


def period_of(first, end) -> kpi.Period:
    """Local days `[first, end)` in the configured time zone."""
    return kpi.Period.days(first, end, clock.zone())


def report(scope: kpi.Scope, period: kpi.Period, street_id: int | None = None) -> dict:
    now = clock.now()
    if scope.kind in ("grid", "community"):
        facts = ticket_facts(scope, period, street_id)
        return kpi.as_dict(kpi.compute(facts, scope, period, now))
    return kpi.as_dict(_from_rollups(scope, period, street_id, now)[_ALL])


def department_scores(period: kpi.Period, board: str | None = None,
                      street_id: int | None = None, with_durations: bool = True) -> list[dict]:
    """The KPIs and composite score of every department dispatched to in the period, best
    first; given a board, the departments' figures on that board. Without durations (the
    dashboards' ranking), their counts are 0 and their percentiles null."""
    within = kpi.Scope("board", board) if board else kpi.Scope("all")  # their work there
    episodes = KpiEpisode.__table__
    ids = db.session.scalars(select(episodes.c.department_id).where(
        *_conditions(episodes, _filter(within, street_id, None)),
        _days(episodes.c.dispatch_day, period), episodes.c.department_id != 0).distinct()).all()
    if not ids:
        return []
    codes = dict(db.session.execute(select(Department.id, Department.code)
                                    .where(Department.id.in_(ids))).all())
    reports = _from_rollups(within, period, street_id, clock.now(), departments=codes,
                            with_durations=with_durations)
    by_code = [reports[i] for i in sorted(codes, key=codes.get)]
    scores = kpi.composite_scores(by_code)
    rows = [dict(kpi.as_dict(r), composite=round(scores.get(r.scope.code, 0.0), 1))
            for r in by_code]
    return sorted(rows, key=lambda r: (-r["composite"], r["scope"]["code"]))


# The rollup path.

def _filter(scope: kpi.Scope, street_id: int | None, departments) -> dict:
    """Column → values on the rollups' street_id, board_code and department_id; ids resolved
    first, so the planner sees which index narrows most."""
    found: dict = {}
    streets = {street_id} if street_id is not None else set()
    if scope.kind == "street":
        streets.add(_id_of(Street, scope.code))
    if streets:
        found["street_id"] = [-1] if len(streets) > 1 else list(streets)  # two: nothing
    if scope.kind == "board":
        found["board_code"] = [scope.code]
    elif scope.kind == "department":
        found["department_id"] = [_id_of(Department, scope.code)]
    if departments is not None:
        found["department_id"] = list(departments)
    return found


def _id_of(model, code: str) -> int:
    return db.session.scalar(select(model.id).where(model.code == code)) or -1  # -1: nothing


def _conditions(table, where: dict) -> list:
    """`where` on a rollup table, or on any mapping of its column names to columns."""
    columns = table.c if hasattr(table, "c") else table
    return [columns[name] == values[0] if len(values) == 1 else columns[name].in_(values)
            for name, values in where.items()]


def _by_department(table, split: bool) -> tuple:
    """The extra leading column when figures are split by department."""
    return (table.c.department_id,) if split else ()


def _days(column, period: kpi.Period):
    return and_(column >= period.first_day, column < period.end_day)


def _from_rollups(scope: kpi.Scope, period: kpi.Period, street_id: int | None,
                  now: datetime, departments: dict[int, str] | None = None,
                  with_durations: bool = True) -> dict:
    """One report, keyed _ALL; or, given `departments` (id → code), one per department."""
    split = departments is not None
    where = _filter(scope, street_id, departments)

    def group(table):
        return _by_department(table, split)

    def key(row):
        return row[0] if split else _ALL

    groups = departments or {_ALL: None}
    closures = {g: [] for g in groups}
    episodes = {g: [] for g in groups}
    tallies = {g: {} for g in groups}

    # Rows are grouped by how their days compare with the period and with today, each group
    # carrying its earliest days (which compare alike), so a month of a city comes back as a
    # few rows; summarize applies the rules to them.
    c = KpiClosure.__table__
    today = kpi.local_day(now, period.zone)
    due_in, final_in = _days(c.c.due_day, period), _days(c.c.final_day, period)
    due_vs_today = case((c.c.due_day < today, -1), (c.c.due_day == today, 0), else_=1)
    for row in db.session.execute(
            select(*group(c), func.min(c.c.due_day), func.min(c.c.final_day), c.c.outcome,
                   func.sum(c.c.count))
            .where(*_conditions(c, where), or_(due_in, final_in))
            .group_by(*group(c), due_in, final_in, due_vs_today, c.c.outcome)):
        closures[key(row)].append((*row[-4:-1], int(row[-1])))
    later = _due_later_today(where, now, today, period, split, groups)

    e = KpiEpisode.__table__
    resolved_by_end = e.c.resolve_day < period.end_day
    for row in db.session.execute(
            select(*group(e), func.min(e.c.dispatch_day), func.min(e.c.resolve_day),
                   e.c.on_time, func.sum(e.c.count))
            .where(*_conditions(e, where), _days(e.c.dispatch_day, period))
            .group_by(*group(e), resolved_by_end, e.c.on_time)):
        episodes[key(row)].append((*row[-4:-1], int(row[-1])))

    d = DailyBoardCount.__table__
    for row in db.session.execute(
            select(*group(d), d.c.metric, func.sum(d.c.count))
            .where(*_conditions(d, where), d.c.metric.in_(_TALLIES),
                   _days(d.c.day, period))
            .group_by(*group(d), d.c.metric)):
        tallies[key(row)][_TALLIES[row[-2]]] = int(row[-1])

    timings = _timings(where, period, split) if with_durations else {}
    return {g: kpi.summarize(kpi.Scope("department", departments[g]) if split else scope,
                             period, closures[g], episodes[g], tallies[g], timings.get(g, {}),
                             now, later[g])
            for g in groups}


_ROLLUP_COLUMNS = {"street_id": Ticket.street_id, "board_code": Ticket.board_code,
                   "department_id": Ticket.lead_department_id}


def _due_later_today(where: dict, now: datetime, today, period: kpi.Period, split: bool,
                     groups) -> dict:
    """group → the closures (as summarize takes them) of tickets whose deadline is later on
    now's local day: the rollups date deadlines by day, these few are read from the tickets,
    placed as the closure rollups place them (the ticket as it is now)."""
    found: dict = {g: [] for g in groups}
    if today not in period:
        return found
    tomorrow = datetime.combine(today + timedelta(days=1), time(), period.zone)
    rows = db.session.execute(
        select(Ticket.id, Ticket.created_at, Ticket.state, Ticket.lead_department_id,
               Ticket.due_at, Ticket.closed_at)
        .where(*_conditions(_ROLLUP_COLUMNS, where), Ticket.due_at > now,
               Ticket.due_at < tomorrow)).all()
    counted: dict = defaultdict(lambda: defaultdict(int))
    for row in rows:
        fact = kpi.TicketFact(row.id, row.created_at, row.state, kpi.Where(), row.due_at,
                              row.closed_at)
        c = kpi.contributions(fact, period.zone).closure
        group = row.lead_department_id if split else _ALL
        if c is not None and group in found:
            counted[group][c.due_day, c.final_day, c.outcome] += 1
    for group, closures in counted.items():
        found[group] = [(*k, n) for k, n in closures.items()]
    return found


def _timings(where: dict, period: kpi.Period, split: bool) -> dict:
    """group → kind → Durations, exact: count per bucket, then read only the buckets that hold
    the median and the 90th percentile."""
    t = KpiTimingCount.__table__
    grouped = (*_by_department(t, split), t.c.kind, t.c.bucket)
    histograms: dict = defaultdict(lambda: defaultdict(list))
    for row in db.session.execute(
            select(*grouped, func.sum(t.c.count))
            .where(*_conditions(t, where), t.c.kind.in_(kpi.TIMINGS), _days(t.c.day, period))
            .group_by(*grouped).order_by(*grouped)):
        histograms[row[0] if split else _ALL][row[-3]].append((row[-2], int(row[-1])))

    targets = []  # (group, kind, p, bucket, rank inside the bucket)
    for g, kinds in histograms.items():
        for kind, counts in kinds.items():
            for p in (50, 90):
                targets.append((g, kind, p, *kpi.locate(counts, p)))
    found = _nth_values(where, period, split, targets)

    result: dict = defaultdict(dict)
    for g, kinds in histograms.items():
        for kind, counts in kinds.items():
            result[g][kind] = kpi.Durations(sum(n for _, n in counts), found[g, kind, 50],
                                            found[g, kind, 90])
    return result


def _nth_values(where: dict, period: kpi.Period, split: bool, targets: list) -> dict:
    """(group, kind, p) → the value at a rank inside one bucket: the database sorts each
    bucket and sends back one value, a few statements for any number of departments."""
    v = KpiTiming.__table__
    parts = []
    for i, (g, kind, _, bucket, rank) in enumerate(targets):
        narrowed = {**where, "department_id": [g]} if split else where
        nth = (select(v.c.hours).where(*_conditions(v, narrowed), v.c.kind == kind,
                                       v.c.bucket == bucket, _days(v.c.day, period))
               .order_by(v.c.hours).offset(rank - 1).limit(1).scalar_subquery())
        parts.append(select(literal(i).label("i"), nth.label("hours")))
    found = {}
    for start in range(0, len(parts), 60):
        chunk = parts[start:start + 60]
        statement = chunk[0] if len(chunk) == 1 else union_all(*chunk)
        for i, hours in db.session.execute(statement):
            g, kind, p, _, _ = targets[i]
            found[g, kind, p] = hours
    return found


# The exact path, for grids and communities.

def ticket_facts(scope: kpi.Scope, period: kpi.Period,
                 street_id: int | None = None) -> list[kpi.TicketFact]:
    """The grid's (or community's) tickets that could count: an event in the period, a
    deadline or a final state in it, or parked now. Found through the tickets' grid, so an
    event is missed only if its ticket has moved to another grid since."""
    if scope.kind == "grid":
        grids = db.session.scalars(select(Grid.id).where(Grid.code == scope.code)).all()
        in_place = Ticket.grid_id.in_(grids)
    else:
        grids = db.session.scalars(select(Grid.id).join(
            Community, Grid.community_id == Community.id).where(Community.code == scope.code)
        ).all()
        in_place = or_(Ticket.grid_id.in_(grids), Ticket.community_id == select(
            Community.id).where(Community.code == scope.code).scalar_subquery())
    start, end = period.start, period.end
    has_event = select(TicketEvent.id).where(
        TicketEvent.ticket_id == Ticket.id, TicketEvent.created_at >= start,
        TicketEvent.created_at < end).exists()
    stmt = select(Ticket.id, Ticket.created_at, Ticket.state, Ticket.street_id, Ticket.grid_id,
                  Ticket.community_id, Ticket.board_code, Ticket.lead_department_id,
                  Ticket.due_at, Ticket.closed_at).where(in_place, or_(
                      and_(Ticket.due_at >= start, Ticket.due_at < end),
                      and_(Ticket.closed_at >= start, Ticket.closed_at < end),
                      Ticket.state == "parked", has_event))
    if street_id is not None:
        stmt = stmt.where(Ticket.street_id == street_id)
    return _facts(db.session.execute(stmt).all())


def _facts(tickets) -> list[kpi.TicketFact]:
    """Facts with codes (the scope's kind of names) for places."""
    if not tickets:
        return []
    departments = dict(db.session.execute(select(Department.id, Department.code)).all())
    grids = {g: (code, community) for g, code, community in db.session.execute(
        select(Grid.id, Grid.code, Community.code).join(Community,
                                                        Grid.community_id == Community.id))}
    communities = dict(db.session.execute(select(Community.id, Community.code)).all())
    streets = dict(db.session.execute(select(Street.id, Street.code)).all())

    def named(where: kpi.Where, community=None) -> kpi.Where:
        grid, grid_community = grids.get(where.grid, (None, None))
        return kpi.Where(street=streets.get(where.street),
                         community=grid_community or community, grid=grid, board=where.board,
                         department=departments.get(where.department))

    events = events_of(tickets)
    facts = []
    for t in tickets:
        community = communities.get(t.community_id)
        fact = ticket_fact(t, [replace(e, where=named(e.where, community))
                               for e in events[t.id]])
        facts.append(replace(fact, where=named(fact.where, community)))
    return facts

