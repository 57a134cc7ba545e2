"""The deadline sweep against a million open tickets on PostgreSQL: it costs what the work costs.

    python -m bench.sweep [--open 1000000] [--crossing 1000] [--runs 5]

Creates a fresh PostgreSQL database (dropped at the end, also on error or Ctrl-C), migrates it,
loads the demo district, then bulk-loads `--open` dispatched/accepted tickets with COPY (each
with its "report" and "dispatch" events). Every warning and escalation still to come lies hours
ahead, except `--crossing` tickets whose warn_at (half) or escalate_at (the other half, already
warned) has just passed. Prints: the first sweep (the crossing tickets, time per ticket), the
median and max of `--runs` sweeps with nothing to do, a sweep after another `--crossing` tickets
cross, EXPLAIN ANALYZE of the sweep's pending-work queries, the database size and row counts.

Deadlines use a clock-hour stand-in for the working calendar (a working day ≈ 33.6 h, a working
hour ≈ 4.2 h of the week): the sweep only reads the stamps, not how they were computed.
"""

import argparse
import json
import os
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg
from flask_migrate import upgrade
from shapely.geometry import Point, shape
from sqlalchemy import event, func, select, text

from boards import DEMO_FOLDER
from boards.demo.history import SAYINGS
from dispatch import create_app
from dispatch.extensions import db
from dispatch.models import Category, Community, Department, Grid, Ticket, User
from dispatch.services import reference_data, sla_sweep
from dispatch.services.deadlines import WARN_AT

PG_ADMIN = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/test")
HORIZON = timedelta(hours=3)  # no pending stamp falls within this of the load: nothing crosses
HOURS_PER_UNIT = {"clock_hours": 1.0, "working_hours": 168 / 40, "working_days": 168 / 5}
PROGRESS = 100_000
TICKET_COLUMNS = (
    "id", "number", "state", "category_id", "description", "lon", "lat", "location_source",
    "grid_id", "community_id", "street_id", "reporter_id", "board_code", "lead_department_id",
    "priority", "extension_hours", "rework_count", "send_back_count", "created_at", "routed_at",
    "dispatched_at", "accepted_at", "due_at", "warn_at", "escalate_at", "warned_at",
    "escalated_at", "version")
EVENT_COLUMNS = ("id", "ticket_id", "action", "actor_id", "actor_role", "from_state",
                 "to_state", "board_code", "department_id", "data", "created_at")
EVENT_PLACE = ("street_id", "grid_id")  # where the ticket stood, on schemas that record it


def pg_url(name: str) -> str:
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + name


def admin(sql: str) -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(sql)


# --- the demo district, as the generator needs it --------------------------------------------

def reference() -> dict:
    """Categories that route to a department, grids with points inside them, grid workers."""
    categories = []
    for c in db.session.scalars(select(Category).where(Category.department_id.is_not(None),
                                                       Category.active.is_(True))):
        department = db.session.get(Department, c.department_id)
        categories.append({
            "id": c.id, "code": c.code, "board": c.board_code, "department_id": department.id,
            "department": department.code, "priority": "urgent" if c.urgent else "normal",
            "hours": c.time_limit_value * HOURS_PER_UNIT[c.time_limit_unit],
            "sayings": SAYINGS.get(c.code) or [c.name_zh]})
    rng = random.Random(0)
    workers = db.session.scalars(select(User).where(User.role == "grid_worker")).all()
    grids = []
    for grid in db.session.scalars(select(Grid).order_by(Grid.code)):
        polygon = shape(grid.geometry)
        west, south, east, north = polygon.bounds
        points = []
        while len(points) < 32:
            lon, lat = rng.uniform(west, east), rng.uniform(south, north)
            if polygon.contains(Point(lon, lat)):
                points.append((round(lon, 6), round(lat, 6)))
        street_id = db.session.scalar(select(Community.street_id).where(
            Community.id == grid.community_id))
        local = [w.id for w in workers if w.grid_id is not None and db.session.get(
            Grid, w.grid_id).community_id == grid.community_id]
        grids.append({"id": grid.id, "community_id": grid.community_id, "street_id": street_id,
                      "points": points, "reporters": local or [w.id for w in workers]})
    # crossing tickets come from categories whose remaining 20 % outlasts the benchmark
    long = [c for c in categories if c["hours"] * (1 - WARN_AT) > HORIZON.total_seconds() / 3600]
    return {"categories": categories, "long": long, "grids": grids}


# --- the synthetic open tickets ----------------------------------------------------------------

def generate(n: int, crossing: int, ref: dict, now: datetime, seed: int, place: bool):
    """Yield (ticket row, report event row, dispatch event row) for tickets 1..n, the same for
    the same seed (the loader walks it twice: tickets first, then their events). With `place`
    the event rows end with the ticket's street and grid (EVENT_PLACE)."""
    rng = random.Random(seed)
    year = now.astimezone(ZoneInfo("Asia/Shanghai")).year
    crossers = sorted(rng.sample(range(1, n + 1), crossing))
    kind_of = {t: ("warn" if k % 2 == 0 else "escalate") for k, t in enumerate(crossers)}
    categories, long, grids = ref["categories"], ref["long"], ref["grids"]
    horizon_h = HORIZON.total_seconds() / 3600
    for i in range(1, n + 1):
        kind = kind_of.get(i)
        c = rng.choice(long if kind else categories)
        hours = c["hours"]
        warned_at = escalated_at = warn_at = escalate_at = None
        if kind == "warn":  # 80 % used a few seconds ago
            age = hours * WARN_AT + rng.uniform(1, 60) / 3600
        elif kind == "escalate":  # 100 % used a few seconds ago, warned when it was 80 %
            age = hours + rng.uniform(1, 60) / 3600
        else:  # anywhere up to 125 % of the limit, but no step due within the horizon
            for _ in range(20):
                age = rng.uniform(0, 1.25 * hours)
                if not (age < hours * WARN_AT < age + horizon_h or age < hours < age + horizon_h):
                    break
            else:
                age = 1.25 * hours  # a short limit long gone: warned and escalated already
        dispatched_at = now - timedelta(hours=age)
        warn_time = dispatched_at + timedelta(hours=hours * WARN_AT)
        due_at = dispatched_at + timedelta(hours=hours)
        if kind == "warn" or (kind is None and warn_time > now):  # both steps to come
            warn_at, escalate_at = warn_time, due_at
        elif kind == "escalate" or due_at > now:  # warned, escalation to come
            warned_at, escalate_at = warn_time, due_at
        else:  # overdue: warned and escalated already
            warned_at, escalated_at = warn_time, due_at
        created_at = dispatched_at - timedelta(seconds=rng.uniform(2, 30))
        accepted = rng.random() < 0.6
        accepted_at = (dispatched_at + timedelta(hours=age * rng.uniform(0, 0.3))
                       if accepted else None)
        grid = rng.choice(grids)
        lon, lat = rng.choice(grid["points"])
        reporter = rng.choice(grid["reporters"])
        state = "accepted" if accepted else "dispatched"
        ticket = (i, f"{year}-{i:06d}", state, c["id"], rng.choice(c["sayings"]), lon, lat,
                  "pin", grid["id"], grid["community_id"], grid["street_id"], reporter,
                  c["board"], c["department_id"], c["priority"], 0, 0, 0, created_at,
                  dispatched_at, dispatched_at, accepted_at, due_at, warn_at, escalate_at,
                  warned_at, escalated_at, 1)
        report = (2 * i - 1, i, "report", reporter, "grid_worker", None, "reported", None, None,
                  "{}", created_at)
        dispatch = (2 * i, i, "dispatch", None, "system", "reported", "dispatched", c["board"],
                    c["department_id"], json.dumps({"board": c["board"],
                                                    "department": c["department"],
                                                    "helpers": []}), dispatched_at)
        if place:
            report += (grid["street_id"], grid["id"])
            dispatch += (grid["street_id"], grid["id"])
        yield ticket, report, dispatch


def bulk_load(url: str, n: int, crossing: int, ref: dict, now: datetime, seed: int) -> float:
    started = time.perf_counter()
    with psycopg.connect(url) as conn:
        conn.execute("SET synchronous_commit = off")
        existing = {r[0] for r in conn.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = 'ticket_events'")}
        place = set(EVENT_PLACE) <= existing
        event_columns = EVENT_COLUMNS + (EVENT_PLACE if place else ())
        with conn.cursor() as cur:
            with cur.copy(f"COPY tickets ({', '.join(TICKET_COLUMNS)}) FROM STDIN") as copy:
                for ticket, _, _ in generate(n, crossing, ref, now, seed, place):
                    copy.write_row(ticket)
                    if ticket[0] % PROGRESS == 0:
                        print(f"  tickets {ticket[0]:>9,}  {time.perf_counter() - started:6.1f} s",
                              flush=True)
            conn.commit()
            with cur.copy(f"COPY ticket_events ({', '.join(event_columns)}) FROM STDIN") as copy:
                for _, report, dispatch in generate(n, crossing, ref, now, seed, place):
                    copy.write_row(report)
                    copy.write_row(dispatch)
                    if report[1] % PROGRESS == 0:
                        print(f"  events  {dispatch[0]:>9,}  "
                              f"{time.perf_counter() - started:6.1f} s", flush=True)
            conn.commit()
            year = now.astimezone(ZoneInfo("Asia/Shanghai")).year
            cur.execute("INSERT INTO ticket_counters (year, last) VALUES (%s, %s)", (year, n))
            for table in ("tickets", "ticket_events"):
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"(SELECT max(id) FROM {table}))")
            conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ANALYZE")
    return time.perf_counter() - started


# --- measuring ---------------------------------------------------------------------------------

def timed_sweep() -> tuple[float, dict[str, int], int]:
    """One sweep: its time, what it did, and how many SQL statements it sent."""
    statements = 0

    def count(*_):
        nonlocal statements
        statements += 1
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        started = time.perf_counter()
        result = sla_sweep.sweep()
        elapsed = time.perf_counter() - started
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    db.session.remove()
    return elapsed, result, statements


def explain(step: str) -> list[str]:
    """EXPLAIN ANALYZE of the sweep's read of pending work for one step, as the sweep builds it."""
    pending = sla_sweep.STEPS[step][0]
    stmt = (select(Ticket.id).where(pending <= datetime.now(UTC),
                                    Ticket.state.in_(sla_sweep.RUNNING))
            .order_by(pending).limit(500))
    sql = str(stmt.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True}))
    rows = db.session.execute(text("EXPLAIN (ANALYZE, BUFFERS) " + sql)).scalars().all()
    db.session.rollback()
    return [sql.replace("\n", " ")] + rows


def counts() -> dict[str, int]:
    def count(*where):
        return db.session.scalar(select(func.count()).select_from(Ticket).where(*where))
    figures = {
        "tickets": count(),
        "dispatched": count(Ticket.state == "dispatched"),
        "accepted": count(Ticket.state == "accepted"),
        "warn_at pending": count(Ticket.warn_at.is_not(None)),
        "escalate_at pending": count(Ticket.escalate_at.is_not(None)),
        "warned": count(Ticket.warned_at.is_not(None)),
        "escalated": count(Ticket.escalated_at.is_not(None)),
    }
    for table in ("ticket_events", "notifications"):
        figures[table] = db.session.scalar(text(f"SELECT count(*) FROM {table}"))
    db.session.rollback()
    return figures


def sizes() -> dict[str, int]:
    row = db.session.execute(text(
        "SELECT pg_database_size(current_database()), pg_total_relation_size('tickets'), "
        "pg_relation_size('ix_tickets_warn_at'), pg_relation_size('ix_tickets_escalate_at')"
    )).one()
    db.session.rollback()
    return dict(zip(("database", "tickets (with indexes)", "ix_tickets_warn_at",
                     "ix_tickets_escalate_at"), row, strict=True))


def make_cross(n: int) -> int:
    """Another n tickets reach 80 %: their warn_at moves to a second ago."""
    moved = db.session.execute(text(
        "UPDATE tickets SET warn_at = now() - interval '1 second' WHERE id IN "
        "(SELECT id FROM tickets WHERE warn_at IS NOT NULL ORDER BY id LIMIT :n)"),
        {"n": n}).rowcount
    db.session.commit()
    db.session.remove()
    return moved


def mib(value: int) -> str:
    return f"{value / 2**20:,.1f} MiB"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--open", type=int, default=1_000_000, help="open tickets to load")
    parser.add_argument("--crossing", type=int, default=1_000,
                        help="tickets whose warning or escalation has just come due")
    parser.add_argument("--runs", type=int, default=5, help="sweeps with nothing to do")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if not 0 <= args.crossing <= args.open:
        parser.error("--crossing must be between 0 and --open")
    command = "python -m bench.sweep " + " ".join(
        f"--{k} {getattr(args, k)}" for k in ("open", "crossing", "runs"))

    name = f"dispatch_bench_sweep_{os.getpid()}"
    url = pg_url(name)
    admin(f'CREATE DATABASE "{name}"')
    app = None
    try:
        with tempfile.TemporaryDirectory() as uploads:
            app = create_app({"SQLALCHEMY_DATABASE_URI": url, "UPLOAD_FOLDER": uploads})
            with app.app_context():
                run(args, url, command)
                db.session.remove()
                db.engine.dispose()
    finally:
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        print(f"dropped database {name}")


def run(args, url: str, command: str) -> None:
    started = time.perf_counter()
    upgrade()
    reference_data.load(reference_data.read_folder(DEMO_FOLDER), "pw")
    ref = reference()
    db.session.remove()
    print(f"database migrated, demo district loaded in {time.perf_counter() - started:.1f} s "
          f"({len(ref['categories'])} categories, {len(ref['grids'])} grids)")

    now = datetime.now(UTC)
    print(f"loading {args.open:,} open tickets ({args.crossing:,} crossing) with COPY …")
    load_s = bulk_load(url, args.open, args.crossing, ref, now, args.seed)
    print(f"loaded and analysed in {load_s:.1f} s")
    before = counts()
    print("rows: " + ", ".join(f"{k} {v:,}" for k, v in before.items()))

    first_s, first, first_sql = timed_sweep()
    handled = sum(first.values())
    per_ticket = first_s * 1000 / handled if handled else 0.0
    print(f"sweep 1 (crossing):  {first_s * 1000:8.1f} ms  warned {first['warn']:,}, "
          f"escalated {first['escalate']:,}  ({per_ticket:.2f} ms per ticket, "
          f"{first_sql:,} SQL statements)")

    idle, idle_sql = [], 0
    for _ in range(args.runs):
        elapsed, result, idle_sql = timed_sweep()
        if any(result.values()):
            print(f"  unexpected work on an idle sweep: {result}")
        idle.append(elapsed)
    idle_median = statistics.median(idle) if idle else 0.0
    idle_max = max(idle) if idle else 0.0
    print(f"sweeps 2–{args.runs + 1} (nothing to do): median {idle_median * 1000:.2f} ms, "
          f"max {idle_max * 1000:.2f} ms  over {args.open:,} open tickets "
          f"({idle_sql} SQL statements each)")

    moved = make_cross(args.crossing)
    again_s, again, again_sql = timed_sweep()
    handled_again = sum(again.values())
    per_again = again_s * 1000 / handled_again if handled_again else 0.0
    print(f"sweep after {moved:,} more cross: {again_s * 1000:8.1f} ms  warned "
          f"{again['warn']:,}, escalated {again['escalate']:,}  ({per_again:.2f} ms per ticket, "
          f"{again_sql:,} SQL statements)")

    for step in sla_sweep.STEPS:
        print(f"EXPLAIN ({step}):")
        for line in explain(step):
            print("  " + line)
    after = counts()
    size = sizes()
    print("rows: " + ", ".join(f"{k} {v:,}" for k, v in after.items()))
    print("sizes: " + ", ".join(f"{k} {mib(v)}" for k, v in size.items()))

    print()
    print("=== summary ===")
    print(f"command:            {command}")
    print(f"open tickets:       {after['tickets']:,}  (events {after['ticket_events']:,}; "
          f"database {mib(size['database'])})")
    print(f"bulk load (COPY):   {load_s:.1f} s")
    print(f"sweep, crossing:    {first_s * 1000:.1f} ms for {handled:,} "
          f"({first['warn']:,} warned, {first['escalate']:,} escalated; {per_ticket:.2f} ms and "
          f"{first_sql / max(handled, 1):.1f} statements each)")
    print(f"sweep, idle ×{args.runs}:     median {idle_median * 1000:.2f} ms, "
          f"max {idle_max * 1000:.2f} ms ({idle_sql} statements)")
    print(f"sweep, {moved:,} more:  {again_s * 1000:.1f} ms  ({per_again:.2f} ms each)")
    print(f"notifications:      {after['notifications']:,}")


if __name__ == "__main__":
    main()
