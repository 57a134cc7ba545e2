"""A bad day, for real: reports keep coming while the worker is killed, Redis goes away and the
app's PostgreSQL connections are cut, and afterwards nothing is lost and nothing is stuck.

    python -m bench.faults [--duration 60] [--rate 3] [--settle 180]

Not part of the suite (it takes a few minutes). It starts everything itself and removes it at
the end: a temporary PostgreSQL database on the shared server (migrated, demo district loaded),
a PRIVATE `redis-server` on a free port (the shared Redis and PostgreSQL are never stopped),
`gunicorn` serving the app, and `python -m workers` under a small supervisor that restarts it
whenever it exits, as systemd or docker-compose would.

For `--duration` seconds grid workers file reports at `--rate` per second over HTTP, each with
its own Idempotency-Key, and resend with the same key after a network error or a 5xx (backing
off, as the phone does). Meanwhile, at fixed fractions of the run: the worker is killed with
SIGKILL (twice), Redis is stopped for 15 s and started again empty (as a restart without
persistence leaves it), and the app's PostgreSQL backends are terminated every 0.25 s for 10 s.

Then it waits up to `--settle` seconds for quiet and checks: every 2xx became exactly one ticket
(the one the answer named), no ticket twice, every ticket routed (dispatched or in a street's
dispatch queue), no outbox row left pending or pushed, a deadline sweep ran after Redis came
back, and `dispatch rollups check` passes. It prints the counts and exits 1 if any check fails.
"""

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import psycopg
from redis import Redis
from redis.exceptions import RedisError
from werkzeug.test import encode_multipart

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PG_ADMIN = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PASSWORD = "Dispatch-2026"
QUEUE = "dispatch-faults"
# the demo district's grid workers and a point in each one's grid (tests/helpers.py)
REPORTERS = {"worker1": ("29.5768", "106.5262"), "worker2": ("29.576717", "106.529078")}
TERMINATE = ("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
             "WHERE datname = %s AND pid <> pg_backend_pid()")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stamp() -> str:
    return datetime.now(UTC).strftime("%H:%M:%S")


class Processes:
    """Every process this script starts, each in a session of its own, so that the end can
    take down each one with whatever it left behind (a killed worker's orphaned children)."""

    def __init__(self, folder: str, env: dict):
        self.folder, self.env = folder, env
        self.groups: list[int] = []

    def start(self, name: str, argv: list[str], **env) -> subprocess.Popen:
        log = open(os.path.join(self.folder, f"{name}.log"), "ab")  # noqa: SIM115
        proc = subprocess.Popen(argv, cwd=ROOT, env={**self.env, **env}, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        self.groups.append(proc.pid)
        return proc

    def stop_all(self) -> None:
        for group in reversed(self.groups):
            try:
                os.killpg(group, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass


class PrivateRedis:
    def __init__(self, processes: Processes):
        self.processes, self.port = processes, free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = self.processes.start("redis", [
            "redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no"])
        wait_for(lambda: Redis.from_url(self.url, socket_timeout=1).ping(), "private Redis")

    def stop(self) -> None:
        self.proc.terminate()  # our own redis-server, by its pid
        self.proc.wait(10)


class Supervisor:
    """Restarts `python -m workers` whenever it exits, once a second, as a deployment would."""

    def __init__(self, processes: Processes):
        self.processes, self.proc = processes, None
        self.kills = self.restarts = 0
        self.stopping = threading.Event()

    def start(self) -> None:
        self.proc = self.processes.start("worker", [sys.executable, "-m", "workers"])
        threading.Thread(target=self._watch, daemon=True).start()

    def _watch(self) -> None:
        while not self.stopping.wait(1):
            if self.proc.poll() is not None:
                self.restarts += 1
                self.proc = self.processes.start("worker", [sys.executable, "-m", "workers"])

    def kill(self) -> None:
        self.kills += 1
        os.kill(self.proc.pid, signal.SIGKILL)  # the worker alone, as the OOM killer would


def wait_for(check, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            if check():
                return
        except Exception:
            if time.monotonic() > deadline:
                raise
        if time.monotonic() > deadline:
            raise SystemExit(f"{what} did not come up")
        time.sleep(0.2)


class Phones:
    """Grid workers' phones: each report keeps its key and is resent until it gets an answer
    that is not a failure (2xx, or a refusal other than 429)."""

    def __init__(self, base: str, give_up_at: float):
        self.base, self.give_up_at = base, give_up_at
        self.tokens: dict[str, str] = {}
        self.lock = threading.Lock()
        self.answers: Counter = Counter()  # every attempt's outcome: 201, 200, 503, "network"
        self.results: dict[str, dict] = {}  # key -> {"status", "number", "after_failures"}

    def _post(self, path: str, body: bytes, headers: dict) -> tuple[int | str, dict]:
        request = urllib.request.Request(self.base + path, data=body, headers=headers,
                                         method="POST")
        try:
            with urllib.request.urlopen(request, timeout=30) as r:
                return r.status, json.load(r)
        except urllib.error.HTTPError as exc:
            try:
                return exc.code, json.load(exc)
            except ValueError:
                return exc.code, {}
        except (urllib.error.URLError, OSError):
            return "network", {}

    def _token(self, user: str, fresh: bool = False) -> str | None:
        with self.lock:
            if user in self.tokens and not fresh:
                return self.tokens[user]
        body = json.dumps({"username": user, "password": PASSWORD}).encode()
        status, answer = self._post("/api/v1/auth/token", body,
                                    {"Content-Type": "application/json"})
        if status != 200:
            return None
        with self.lock:
            self.tokens[user] = answer["token"]
        return answer["token"]

    def report(self, n: int, key: str) -> None:
        user = list(REPORTERS)[n % len(REPORTERS)]
        lat, lng = REPORTERS[user]
        boundary, body = encode_multipart({"category": "0102", "lat": lat, "lng": lng,
                                           "description": f"污水井盖缺失（故障演练 {n}）"})
        failures, pause = 0, 0.5
        while time.monotonic() < self.give_up_at:
            token = self._token(user, fresh=failures > 0 and failures % 5 == 0)
            status, answer = ("network", {}) if token is None else self._post(
                "/api/v1/incidents", body,
                {"Authorization": f"Bearer {token}", "Idempotency-Key": key,
                 "Content-Type": f"multipart/form-data; boundary={boundary}"})
            with self.lock:
                self.answers[status] += 1
            if isinstance(status, int) and 200 <= status < 300:
                self.results[key] = {"status": status, "number": answer.get("number"),
                                     "after_failures": failures}
                return
            if isinstance(status, int) and 400 <= status < 500 and status not in (401, 429):
                self.results[key] = {"status": status, "number": None, "answer": answer}
                return
            failures += 1
            time.sleep(pause)
            pause = min(pause * 2, 4.0)
        self.results[key] = {"status": "gave up", "number": None}


def terminate_backends(database: str) -> int:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        return len(conn.execute(TERMINATE, [database]).fetchall())


def faults(duration: float, redis: PrivateRedis, supervisor: Supervisor, database: str,
           timeline: list[str], marks: dict) -> None:
    """The bad day, at fixed fractions of the intake's duration."""
    start = time.monotonic()

    def at(fraction: float) -> None:
        time.sleep(max(0.0, start + duration * fraction - time.monotonic()))

    at(0.12)
    supervisor.kill()
    timeline.append(f"{stamp()} kill -9 worker")
    at(0.25)
    redis.stop()
    timeline.append(f"{stamp()} private Redis stopped")
    time.sleep(15)
    redis.start()
    marks["redis_back"] = datetime.now(UTC)
    timeline.append(f"{stamp()} private Redis started again (empty)")
    at(0.6)
    cut, until = 0, time.monotonic() + 10
    while time.monotonic() < until:
        cut += terminate_backends(database)
        time.sleep(0.25)
    timeline.append(f"{stamp()} PostgreSQL backends terminated every 0.25 s for 10 s "
                    f"({cut} terminated)")
    at(0.85)
    supervisor.kill()
    timeline.append(f"{stamp()} kill -9 worker")


def sweeps_since(redis_url: str, since: datetime) -> int:
    """Deadline sweeps that finished after `since`, from RQ's registry in the private Redis
    (emptied by its restart, so whatever is there ran after it)."""
    from rq import Queue
    from rq.job import Job

    from dispatch.services.job_queues import ROUTING, queue_name

    try:
        connection = Redis.from_url(redis_url, socket_timeout=5)
        queue = queue_name(ROUTING, {"RQ_QUEUE": QUEUE})  # the sweep goes with routing
        registry = Queue(queue, connection=connection).finished_job_registry
        jobs = Job.fetch_many(registry.get_job_ids(), connection=connection)
    except RedisError:
        return 0
    return sum(1 for job in jobs if job is not None
               and job.func_name == "workers.jobs.sweep_deadlines"
               and job.ended_at is not None
               and job.ended_at.replace(tzinfo=UTC) > since)


def database_state(url: str, keys: list[str]) -> dict:
    with psycopg.connect(url) as conn:
        tickets = conn.execute(
            "SELECT idempotency_key, number, routed_at IS NOT NULL, state FROM tickets "
            "WHERE idempotency_key = ANY(%s)", [keys]).fetchall()
        outbox = dict(conn.execute("SELECT state, count(*) FROM outbox GROUP BY state")
                      .fetchall())
        stuck_pushed = conn.execute(
            "SELECT job, min(pushed_at), max(pushed_at), count(*) FROM outbox "
            "WHERE state IN ('pending', 'pushed') GROUP BY job ORDER BY job").fetchall()
    return {"tickets": tickets, "outbox": outbox, "stuck": stuck_pushed}


def run(args) -> int:
    folder = tempfile.mkdtemp(prefix="dispatch-faults-")
    database = f"dispatch_faults_{uuid.uuid4().hex[:8]}"
    db_url = PG_ADMIN.rsplit("/", 1)[0] + "/" + database
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{database}"')
    env = {k: v for k, v in os.environ.items() if k not in ("FLASK_APP",)}
    processes = Processes(folder, env)
    redis = PrivateRedis(processes)
    env.update(DATABASE_URL=db_url, REDIS_URL=redis.url, RQ_QUEUE=QUEUE,
               UPLOAD_FOLDER=os.path.join(folder, "uploads"), SECRET_KEY=uuid.uuid4().hex,
               DEMO_PASSWORD=PASSWORD, PYTHONPATH=ROOT)
    try:
        print(f"database {database}, private Redis on port {redis.port}, logs in {folder}")
        for command in (["db", "upgrade"], ["seed-demo"]):
            subprocess.run([sys.executable, "-m", "dispatch.cli", *command], cwd=ROOT, env=env,
                           check=True, capture_output=True)
        redis.start()
        port = free_port()
        processes.start("gunicorn", [sys.executable, "-m", "gunicorn", "--workers", "3",
                                     "--timeout", "60", "--bind", f"127.0.0.1:{port}",
                                     "dispatch:create_app()"])
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: urllib.request.urlopen(f"{base}/login", timeout=2).status == 200,
                 "gunicorn")
        supervisor = Supervisor(processes)
        supervisor.start()
        return drive(args, base, db_url, database, redis, supervisor)
    finally:
        processes.stop_all()
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        if args.keep_logs:
            print(f"logs kept in {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


def drive(args, base, db_url, database, redis, supervisor) -> int:
    run_id = uuid.uuid4().hex[:6]
    start = time.monotonic()
    phones = Phones(base, give_up_at=start + args.duration + 90)
    timeline: list[str] = [f"{stamp()} intake starts: {args.rate}/s for {args.duration} s"]
    marks: dict = {}
    chaos = threading.Thread(target=faults, args=(args.duration, redis, supervisor, database,
                                                  timeline, marks))
    chaos.start()
    keys = []
    with ThreadPoolExecutor(max_workers=32) as pool:
        n = 0
        while time.monotonic() < start + args.duration:
            key = f"faults-{run_id}-{n}"
            keys.append(key)
            pool.submit(phones.report, n, key)
            n += 1
            time.sleep(max(0.0, start + n / args.rate - time.monotonic()))
        chaos.join()
        timeline.append(f"{stamp()} intake stops; waiting for the phones' last retries")
    timeline.append(f"{stamp()} every phone has its answer; waiting for quiet")

    settle_until = time.monotonic() + args.settle
    while True:
        state = database_state(db_url, keys)
        stuck = sum(state["outbox"].get(s, 0) for s in ("pending", "pushed"))
        unrouted = sum(1 for _, _, routed, _ in state["tickets"] if not routed)
        sweeps = sweeps_since(redis.url, marks["redis_back"])
        if (not stuck and not unrouted and sweeps) or time.monotonic() > settle_until:
            break
        time.sleep(2)
    timeline.append(f"{stamp()} quiet (or --settle ran out)")
    try:  # what an operator's probe sees once the dust has settled
        health = urllib.request.urlopen(f"{base}/healthz", timeout=5).status
    except urllib.error.HTTPError as exc:
        health = exc.code
    except OSError as exc:
        health = f"no answer ({exc})"
    timeline.append(f"{stamp()} GET /healthz: {health}")
    supervisor.stopping.set()

    rollups = subprocess.run([sys.executable, "-m", "dispatch.cli", "rollups", "check"],
                             cwd=ROOT, env={**os.environ, "DATABASE_URL": db_url,
                                            "PYTHONPATH": ROOT, "SECRET_KEY": "x"},
                             capture_output=True, text=True)
    rollups_line = (rollups.stdout.strip() or rollups.stderr.strip()).splitlines()[-1:]
    return report(phones, keys, state, stuck, unrouted, sweeps, rollups.returncode,
                  " ".join(rollups_line), supervisor, timeline)


def report(phones, keys, state, stuck, unrouted, sweeps, rollups_rc, rollups_line,
           supervisor, timeline) -> int:
    tickets_by_key = Counter(key for key, *_ in state["tickets"])
    number_of = {key: number for key, number, *_ in state["tickets"]}
    ok = {k: r for k, r in phones.results.items() if isinstance(r["status"], int)
          and 200 <= r["status"] < 300}
    lost = [k for k in ok if tickets_by_key[k] == 0]
    twice = [k for k, n in tickets_by_key.items() if n > 1]
    wrong = [k for k, r in ok.items() if tickets_by_key[k] and number_of[k] != r["number"]]
    refused = {k: r for k, r in phones.results.items() if isinstance(r["status"], int)
               and 400 <= r["status"] < 500}
    gave_up = [k for k, r in phones.results.items() if r["status"] == "gave up"]
    answers = phones.answers
    fivexx = sum(v for s, v in answers.items() if isinstance(s, int) and s >= 500)
    errors = answers[500]  # a 500 is a bug; a 503 says "try again", and the phone does
    replays = sum(1 for r in ok.values() if r["status"] == 200)
    print("\n".join(timeline))
    print()
    print(f"reports sent            {len(keys)}")
    print(f"attempts                {sum(answers.values())}  "
          + ", ".join(f"{s}: {n}" for s, n in sorted(answers.items(), key=str)))
    print(f"2xx reports             {len(ok)} ({replays} answered 200: a resend, the phone's "
          "or the app's own retry, found the ticket already filed)")
    print(f"5xx answers             {fivexx} (500: {errors})")
    print(f"refused (4xx)           {len(refused)}"
          + (f"  e.g. {next(iter(refused.values()))['answer']}" if refused else ""))
    print(f"gave up                 {len(gave_up)}")
    print(f"tickets                 {len(state['tickets'])}")
    print(f"lost (2xx, no ticket)   {len(lost)}")
    print(f"duplicates              {len(twice)} (and {len(wrong)} answered with another "
          "ticket's number)")
    print(f"unrouted tickets        {unrouted}")
    print(f"outbox rows             {dict(sorted(state['outbox'].items()))}")
    print(f"stuck outbox rows       {stuck} (pending or pushed)")
    for job, first, last, count in state["stuck"]:
        when = (f"pushed {first:%H:%M:%S}-{last:%H:%M:%S}" if first else "never pushed")
        print(f"  {count} {job} rows, {when}")
    print(f"worker                  {supervisor.kills} kill -9, {supervisor.restarts} restarts")
    print(f"sweeps after outage     {sweeps}")
    print(f"rollups check           {'passes' if rollups_rc == 0 else 'FAILS'}: {rollups_line}")
    failed = bool(lost or twice or wrong or gave_up or unrouted or stuck or not sweeps
                  or rollups_rc or errors)
    print("RESULT                  " + ("FAIL" if failed else "zero lost, zero stuck, no 500"))
    return 1 if failed else 0


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=60, help="seconds of intake")
    parser.add_argument("--rate", type=float, default=3, help="reports per second")
    parser.add_argument("--settle", type=float, default=180,
                        help="seconds to wait for quiet afterwards")
    parser.add_argument("--keep-logs", action="store_true")
    sys.exit(run(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
