"""Dashboards at Chongqing scale: N tickets with realistic event histories on PostgreSQL.

    python -m bench.dashboard [--tickets 10000000] [--days 1000] [--repeat 40] [--keep]
    python -m bench.dashboard --reuse NAME    # time again on a database kept with --keep

Creates its own database, bulk-loads tickets and events with COPY (progress printed), fills the
rollups with the same pure function the application uses (dispatch/core/rollup.py), then times,
in the same run: the board dashboard (rollups), the board summary and KPI endpoints over HTTP
(test client), and the raw aggregate over the ticket table that the rollups replace. Prints p50
and p95, the ratio, process memory and the database size. Drops the database unless --keep.
"""

import argparse
import json
import os
import random
import statistics
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg
from sqlalchemy import text

from boards import DEMO_FOLDER
from boards.demo.history import SAYINGS
from dispatch import clock, create_app
from dispatch.core import kpi
from dispatch.core.rollup import Place, daily_metrics, lead_after
from dispatch.extensions import db
from dispatch.services import kpi_rollups, reference_data

ADMIN = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/test")
TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)  # 12:00 in Chongqing
STATES = [("closed", 85), ("resolved", 5), ("accepted", 5), ("dispatched", 3), ("parked", 1),
          ("voided", 1)]


def rss_mib() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def timed(fn, repeat: int) -> tuple[float, float]:
    fn()  # warm up
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(0, int(0.95 * len(samples)) - 1)]


def load(app, n: int, days: int, seed: int) -> None:
    with app.app_context():
        reference_data.load(reference_data.read_folder(DEMO_FOLDER), "bench")
        rows = db.session.execute(text(
            "SELECT c.id, c.code, c.board_code, c.department_id, c.time_limit_value "
            "FROM categories c WHERE c.department_id IS NOT NULL")).all()
        grids = db.session.execute(text(
            "SELECT g.id, g.community_id, c.street_id FROM grids g "
            "JOIN communities c ON c.id = g.community_id")).all()
        reporters = [r[0] for r in db.session.execute(text(
            "SELECT id FROM users WHERE role = 'grid_worker'"))]
        url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    categories = [r for r in rows if r[1] in SAYINGS]
    states = [s for s, weight in STATES for _ in range(weight)]
    daily: Counter = Counter()
    state_counts: Counter = Counter()
    kpi_closures: Counter = Counter()
    kpi_episodes: Counter = Counter()
    kpi_timing_counts: Counter = Counter()
    ticket_cols = ("id, number, state, category_id, description, lon, lat, location_source, "
                   "grid_id, community_id, street_id, reporter_id, board_code, "
                   "lead_department_id, priority, extension_hours, rework_count, "
                   "send_back_count, created_at, routed_at, dispatched_at, accepted_at, "
                   "resolved_at, closed_at, due_at, version")
    event_cols = ("ticket_id, action, actor_role, from_state, to_state, board_code, "
                  "department_id, street_id, grid_id, data, created_at")
    def story(i: int):
        """Ticket i's row and events, the same on every call (its own seeded generator)."""
        r = random.Random(seed * 1_000_003 + i)
        cat_id, code, board, dept, limit = r.choice(categories)
        grid, community, street = r.choice(grids)
        created = NOW - timedelta(days=r.random() * days)
        state = r.choice(states)
        routed = created + timedelta(minutes=r.randint(1, 30))
        accepted = routed + timedelta(hours=r.random() * 4)
        resolved = accepted + timedelta(hours=r.random() * limit * 2)
        closed = resolved + timedelta(hours=r.random() * 24)
        due = routed + timedelta(hours=limit * 3)
        history = [("report", None, "reported", None, {}, created),
                   ("dispatch", "reported", "dispatched", dept, {"first_routing": True},
                    routed)]
        if state in ("accepted", "resolved", "closed", "parked"):
            history.append(("accept", "dispatched", "accepted", dept, {}, accepted))
        if state in ("resolved", "closed"):
            spent = round((resolved - routed).total_seconds() / 3600, 4)
            history.append(("resolve", "accepted", "resolved", dept,
                            {"hours": spent, "due_at": due.isoformat()}, resolved))
        if state == "closed":
            spent = round((closed - created).total_seconds() / 3600, 4)
            history.append(("verify", "resolved", "closed", dept, {"hours": spent}, closed))
        if state == "parked":
            history.append(("park", "accepted", "parked", dept, {}, accepted))
        if state == "voided":
            history = history[:1] + [("void", "reported", "voided", None, {}, routed)]
        if state in ("dispatched", "accepted") and due < NOW:  # the sweep escalated it
            history.append(("escalate", state, state, dept, {"due_at": due.isoformat()}, due))
        voided = state == "voided"
        row = (i, f"B-{i:09d}", state, cat_id, r.choice(SAYINGS[code]),
               106.5 + r.random() / 20, 29.55 + r.random() / 20, "pin", grid, community, street,
               r.choice(reporters), None if voided else board, None if voided else dept,
               "normal", 0, 0, 0, created, routed, None if voided else routed,
               accepted if state in ("accepted", "resolved", "closed", "parked") else None,
               resolved if state in ("resolved", "closed") else None,
               closed if state == "closed" else routed if voided else None,
               None if state in ("voided", "parked") else due, 1)
        return row, board, grid, street, created, history

    started = time.perf_counter()
    timing_indexes = list(kpi_rollups.TIMINGS.indexes)  # built after the bulk load: faster
    with psycopg.connect(url) as conn, conn.cursor() as cur, \
            psycopg.connect(url) as side, side.cursor() as side_cur:
        for index in timing_indexes:
            cur.execute(f"DROP INDEX {index.name}")
        conn.commit()
        with cur.copy(f"COPY tickets ({ticket_cols}) FROM STDIN") as copy:
            for i in range(1, n + 1):
                copy.write_row(story(i)[0])
                if i % 1_000_000 == 0:
                    print(f"  {i:,} tickets ({i / (time.perf_counter() - started):,.0f}/s)",
                          flush=True)
        conn.commit()
        print(f"tickets loaded in {time.perf_counter() - started:.0f} s", flush=True)
        with cur.copy(f"COPY ticket_events ({event_cols}) FROM STDIN") as copy, \
                side_cur.copy("COPY kpi_timings (ticket_id, kind, day, street_id, board_code, "
                              "department_id, bucket, hours) FROM STDIN") as timing_copy:
            for i in range(1, n + 1):
                row, board, grid, street, created, history = story(i)
                last = None
                facts = []
                for action, before, after, event_dept, data, at in history:
                    event_board = None if action in ("report", "void") else board
                    event_grid = None if action == "report" else grid
                    copy.write_row((i, action, "system", before, after, event_board,
                                    event_dept, street, event_grid, json.dumps(data), at))
                    facts.append(kpi_rollups.event_fact(action, at, street, event_grid,
                                                        event_board, event_dept, data))
                    place = Place.of(street, event_board, event_dept, event_grid)
                    for metric in daily_metrics(action, data):
                        day = (created if metric == "new" else at).astimezone(TZ).date()
                        daily[(place.street_id, place.board, metric, day,
                               place.department_id)] += 1
                    last = (Place.of(street, event_board, lead_after(action, event_dept),
                                     event_grid), after)
                # the KPI rollups, from the same pure function the application uses
                share = kpi.contributions(kpi.TicketFact(
                    i, created, row[2], kpi.Where(street=street, grid=grid, board=row[12],
                                                  department=row[13]),
                    row[24], row[23], tuple(facts)), TZ)
                closures, episodes, timings = kpi_rollups.keys(share)
                kpi_closures.update(closures)
                kpi_episodes.update(episodes)
                for timing in timings.elements():
                    kpi_timing_counts[kpi_rollups.timing_count_key(timing)] += 1
                    timing_copy.write_row((i, *timing))
                key = (last[0].street_id, last[0].board, last[0].department_id,
                       last[0].grid_id)
                state_counts[(*key, last[1])] += 1
                if history[-1][0] == "escalate":
                    state_counts[(*key, "overdue")] += 1
                if i % 1_000_000 == 0:
                    print(f"  events of {i:,} tickets "
                          f"({i / (time.perf_counter() - started):,.0f}/s overall)", flush=True)
        with cur.copy("COPY daily_board_counts (street_id, board_code, metric, day, "
                      "department_id, count) FROM STDIN") as copy:
            for key, count in daily.items():
                copy.write_row((*key, count))
        for table, counter in ((kpi_rollups.CLOSURES, kpi_closures),
                               (kpi_rollups.EPISODES, kpi_episodes),
                               (kpi_rollups.TIMING_COUNTS, kpi_timing_counts)):
            columns = ", ".join(c.name for c in table.primary_key.columns)
            with cur.copy(f"COPY {table.name} ({columns}, count) FROM STDIN") as copy:
                # in key order, as rows pile up day by day in a live system
                for key, count in sorted(counter.items()):
                    copy.write_row((*key, count))
        with cur.copy("COPY state_counts (street_id, board_code, department_id, grid_id, state, "
                      "count) FROM STDIN") as copy:
            for key, count in state_counts.items():
                copy.write_row((*key, count))
        cur.execute("SELECT setval('tickets_id_seq', %s)", (n,))
        side.commit()
        conn.commit()
        print(f"rollups written at {time.perf_counter() - started:.0f} s; indexing durations",
              flush=True)
        for index in timing_indexes:
            columns = ", ".join(c.name for c in index.columns)
            cur.execute(f"CREATE INDEX {index.name} ON kpi_timings ({columns})")
        conn.commit()
        print(f"loaded {n:,} tickets in {time.perf_counter() - started:.0f} s; analysing",
              flush=True)
        conn.autocommit = True
        cur.execute("ANALYZE")
        # what autovacuum does on a live system: the visibility map lets a percentile's bucket
        # be read from the index alone
        cur.execute("VACUUM kpi_timings, kpi_timing_counts, kpi_closures, kpi_episodes")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=10_000_000)
    parser.add_argument("--days", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", metavar="NAME", help="a database kept by an earlier --keep")
    args = parser.parse_args(argv)
    if args.reuse:
        run(ADMIN.rsplit("/", 1)[0] + "/" + args.reuse, args, load_first=False)
        return
    name = f"dispatch_bench_dash_{os.getpid()}"
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = ADMIN.rsplit("/", 1)[0] + "/" + name
    try:
        run(url, args)
    finally:
        if not args.keep:
            with psycopg.connect(ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def exact_department_month(code: str, month: dict, street_id: int) -> dict:
    """The slow, direct way: every ticket the department's month could touch, with all its
    events, through core.kpi.compute. The rollups must give exactly this."""
    from datetime import date

    from sqlalchemy import and_, or_, select

    from dispatch.models import Department, Ticket, TicketEvent
    from dispatch.services import kpi as kpi_service

    period = kpi_service.period_of(date.fromisoformat(month["from"]),
                                   date.fromisoformat(month["to"]))
    dept = db.session.scalar(select(Department.id).where(Department.code == code))
    start, end = period.start, period.end
    by_events = select(TicketEvent.ticket_id).where(
        TicketEvent.department_id == dept, TicketEvent.created_at >= start,
        TicketEvent.created_at < end)
    rows = db.session.execute(select(
        Ticket.id, Ticket.created_at, Ticket.state, Ticket.street_id, Ticket.grid_id,
        Ticket.community_id, Ticket.board_code, Ticket.lead_department_id, Ticket.due_at,
        Ticket.closed_at).where(Ticket.street_id == street_id, or_(
            Ticket.id.in_(by_events),
            and_(Ticket.lead_department_id == dept, or_(
                and_(Ticket.due_at >= start, Ticket.due_at < end),
                and_(Ticket.closed_at >= start, Ticket.closed_at < end),
                Ticket.state == "parked"))))).all()
    facts = kpi_service._facts(rows)
    db.session.rollback()
    figures = kpi.as_dict(kpi.compute(facts, kpi.Scope("department", code), period,
                                      clock.now()))
    return {**figures, "tickets": len(facts)}


def run(url: str, args, load_first: bool = True) -> None:
    from flask_migrate import upgrade

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "UPLOAD_FOLDER": tempfile.mkdtemp(),
                      "DEMO_PASSWORD": "bench", "SECRET_KEY": "bench"})
    if load_first:
        with app.app_context():
            upgrade()
        print(f"loading {args.tickets:,} tickets over {args.days} days into {url}", flush=True)
        load(app, args.tickets, args.days, args.seed)
        print(f"kept as {url.rsplit('/', 1)[1]}" if args.keep else "", flush=True)

    from dispatch.services.dashboards import dashboard
    client = app.test_client()
    token = client.post("/api/v1/auth/token",
                        json={"username": "leader", "password": "bench"}).json["token"]
    auth = {"Authorization": f"Bearer {token}"}
    month = {"from": "2026-10-24", "to": "2026-11-24"}
    with app.app_context():
        street = db.session.execute(text("SELECT id FROM streets LIMIT 1")).scalar()

        def board_page():
            dashboard(street, "livelihood", NOW, "Asia/Shanghai")
            db.session.rollback()

        def raw_aggregate():
            db.session.execute(text(
                "SELECT state, count(*) FROM tickets WHERE street_id = :s AND board_code = :b "
                "GROUP BY state"), {"s": street, "b": "livelihood"}).all()
            db.session.execute(text(
                "SELECT (created_at AT TIME ZONE 'Asia/Shanghai')::date AS d, count(*) "
                "FROM tickets WHERE street_id = :s AND board_code = :b AND created_at >= :f "
                "GROUP BY d"), {"s": street, "b": "livelihood",
                                "f": NOW - timedelta(days=30)}).all()
            db.session.execute(text(
                "SELECT lead_department_id, count(*) FILTER (WHERE state = 'closed'), count(*) "
                "FROM tickets WHERE street_id = :s AND board_code = :b AND dispatched_at >= :f "
                "GROUP BY lead_department_id"), {"s": street, "b": "livelihood",
                                                 "f": NOW - timedelta(days=30)}).all()
            db.session.rollback()

        results = {
            "board dashboard (rollups)": timed(board_page, args.repeat),
            "GET /boards/livelihood/summary": timed(
                lambda: client.get("/api/v1/boards/livelihood/summary", headers=auth),
                args.repeat),
            "GET /kpi department, 1 month": timed(
                lambda: client.get("/api/v1/kpi", headers=auth, query_string={
                    "scope": "department:urban_mgmt.municipal", **month}), args.repeat),
            "GET /kpi board, 1 month": timed(
                lambda: client.get("/api/v1/kpi", headers=auth, query_string={
                    "scope": "board:livelihood", **month}), args.repeat),
            "GET /kpi/departments, 1 month": timed(
                lambda: client.get("/api/v1/kpi/departments", headers=auth,
                                   query_string=month), max(5, args.repeat // 4)),
            "raw aggregate over tickets": timed(raw_aggregate, max(5, args.repeat // 4)),
        }
        size = db.session.execute(text(
            "SELECT pg_size_pretty(pg_database_size(current_database()))")).scalar()
        counts = db.session.execute(text(
            "SELECT (SELECT count(*) FROM tickets), (SELECT count(*) FROM ticket_events), "
            "(SELECT count(*) FROM state_counts), "
            "(SELECT count(*) FROM daily_board_counts), (SELECT count(*) FROM kpi_closures), "
            "(SELECT count(*) FROM kpi_episodes), (SELECT count(*) FROM kpi_timings), "
            "(SELECT count(*) FROM kpi_timing_counts)")).one()
        sample = client.get("/api/v1/kpi", headers=auth, query_string={
            "scope": "department:urban_mgmt.municipal", **month}).json
        started = time.perf_counter()
        exact = exact_department_month("urban_mgmt.municipal", month, street)
        exact_seconds = time.perf_counter() - started
    print(f"\ntickets {counts[0]:,}  events {counts[1]:,}  daily rollup rows {counts[3]:,}  "
          f"state rollup rows {counts[2]:,}")
    print(f"KPI rollup rows: closures {counts[4]:,}  dispatches {counts[5]:,}  "
          f"durations {counts[6]:,}  duration buckets {counts[7]:,}")
    print("one department, one month: " + ", ".join(
        f"{name} {sample[name]}" for name in ("due_to_close", "closed", "dispatched",
                                              "resolved", "closure_rate",
                                              "on_time_handling_rate"))
          + f"; time to close median {sample['time_to_close']['median_hours']} h "
            f"(of {sample['time_to_close']['count']:,})")
    tickets = exact.pop("tickets")
    same = exact == sample
    print(f"the same month computed from the department's {tickets:,} tickets and "
          f"their events by core.kpi.compute ({exact_seconds:.1f} s): "
          + ("identical figures" if same else f"DIFFERENT: {exact} vs {sample}"))
    print(f"database size {size}; process memory {rss_mib():.0f} MiB")
    for label, (p50, p95) in results.items():
        print(f"  {label:<34} p50 {p50:8.1f} ms   p95 {p95:8.1f} ms")
    raw = results["raw aggregate over tickets"][1]
    board = results["board dashboard (rollups)"][1]
    print(f"raw aggregate p95 / board dashboard p95 = {raw / board:.1f}×  (target ≥ 10×; "
          "dashboard p95 target < 50 ms)")
    kpi_p95 = results["GET /kpi department, 1 month"][1]
    print(f"raw aggregate p95 / KPI endpoint p95 = {raw / kpi_p95:.1f}×  (target ≥ 10×; "
          "p95 target < 50 ms)")


if __name__ == "__main__":
    main()
