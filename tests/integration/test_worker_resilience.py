"""A real `python -m workers` on a bad day: Redis stopped for 15 s and for 60 s while reports are
filed, and a worker killed with -9 in the middle of a job.

The worker talks to a private redis-server (tests/redis_server.py) that is stopped and started
again empty, as a Redis without persistence comes back. Short sweep and check intervals come
from the environment, as an operator would set them.
"""

import os
import signal
import subprocess
import sys
import time

import psycopg
import pytest
from redis import Redis
from rq import Queue
from rq.cron import CronScheduler
from rq.job import Job, JobStatus
from rq.scheduler import RQScheduler
from sqlalchemy import func, update

from dispatch.extensions import db
from dispatch.models import OutboxJob, Ticket, TicketEvent
from dispatch.services import job_queues

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# points of the demo district more than 50 m apart, so that no report waits as a duplicate
SPOTS = [{"lat": 29.5750 + 0.0007 * (i % 5), "lng": 106.5262 + 0.0009 * (i // 5)}
         for i in range(10)]


@pytest.fixture
def app(redis_app):
    return redis_app


@pytest.fixture
def api(redis_api):
    return redis_api


class WorkerProcess:
    def __init__(self, app, pg_database, tmp_path, name):
        env = dict(os.environ, DATABASE_URL=pg_database, REDIS_URL=app.config["REDIS_URL"],
                   RQ_QUEUE=app.config["RQ_QUEUE"], UPLOAD_FOLDER=app.config["UPLOAD_FOLDER"],
                   SECRET_KEY="test-secret", OUTBOX_SWEEP_SECONDS="1",
                   DEADLINE_SWEEP_SECONDS="5", WORKER_CHECK_SECONDS="1",
                   WORKER_BACKOFF_MAX_SECONDS="2")
        self.log_path = tmp_path / f"{name}.log"
        self.log = open(self.log_path, "w")  # noqa: SIM115  (closed in stop)
        self.process = subprocess.Popen([sys.executable, "-m", "workers"], cwd=ROOT, env=env,
                                        stdout=self.log, stderr=subprocess.STDOUT)
        self.pid = self.process.pid

    def tail(self) -> str:
        self.log.flush()
        return self.log_path.read_text()[-4000:]

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.log.close()


@pytest.fixture
def start_worker(app, pg_database, tmp_path):
    started = []

    def start(name="worker"):
        started.append(WorkerProcess(app, pg_database, tmp_path, name))
        return started[-1]

    yield start
    for worker in started:
        worker.stop()
    for pid in processes_of(app):  # never leave anything behind, even when the test failed
        os.kill(pid, signal.SIGKILL)


def processes_of(app) -> list[int]:
    """Every live process of this test's workers, whatever became of their parents: they all
    carry the test's queue prefix in their environment."""
    mark = f"RQ_QUEUE={app.config['RQ_QUEUE']}".encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as fh:
                if mark in fh.read().split(b"\0") and running(int(entry)):
                    found.append(int(entry))
        except OSError:
            continue
    return found


def spawned_children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/stat") as fh:
                parent = int(fh.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                spawned = b"spawn_main" in fh.read()
        except (OSError, ValueError, IndexError):
            continue
        if parent == pid and spawned and running(int(entry)):
            found.append(int(entry))
    return found


def running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_for(check, seconds: float, what: str, worker: WorkerProcess) -> None:
    end = time.monotonic() + seconds
    while not check():
        if time.monotonic() > end:
            pytest.fail(f"not within {seconds} s: {what}\n--- worker log ---\n{worker.tail()}")
        time.sleep(0.25)


def states(api, numbers) -> set[str]:
    return {api.ticket(number)["state"] for number in numbers}


def warned(api, number) -> bool:
    with api.app.app_context():
        ticket = db.session.query(Ticket).filter_by(number=number).one()
        found = db.session.query(TicketEvent).filter_by(
            ticket_id=ticket.id, action="sla_warning").count() == 1
        db.session.rollback()
        return found


def due_for_a_warning(api, number) -> None:
    """As if the ticket had just used 80 % of its time."""
    with api.app.app_context():
        db.session.execute(update(Ticket).where(Ticket.number == number).values(
            warn_at=func.now() - func.make_interval(0, 0, 0, 0, 0, 1)))
        db.session.commit()


def scheduler_lock_held(app) -> bool:
    name = job_queues.queue_name(job_queues.ROUTING, app.config)
    try:
        return Redis.from_url(app.config["REDIS_URL"]).exists(
            RQScheduler.get_locking_key(name)) == 1
    except Exception:
        return False


def test_the_worker_rides_out_redis_outages_of_15_and_60_seconds(api, start_worker,
                                                                 private_redis):
    to_warn = [api.report(location=SPOTS[i]).json["number"] for i in range(2)]
    worker = start_worker()
    wait_for(lambda: states(api, to_warn) == {"dispatched"}, 60, "routing before", worker)
    wait_for(lambda: scheduler_lock_held(api.app), 30, "RQ's scheduler running", worker)

    spot = 2
    for outage, ticket in zip((15, 60), to_warn, strict=True):
        busy = Queue(job_queues.queue_name(job_queues.ROUTING, api.app.config),
                     connection=Redis.from_url(private_redis.url)).enqueue("time.sleep", 3)
        wait_for(lambda: busy.get_status() == JobStatus.STARTED, 30,  # noqa: B023
                 "a job running as Redis goes", worker)
        private_redis.stop()  # RQ's worker gives up when it cannot report the job's end
        stopped = time.monotonic()
        filed = []
        for _ in range(4):  # filed while Redis is down: kept, and pushed when it returns
            filed.append(api.report(location=SPOTS[spot]).json["number"])
            spot += 1
            time.sleep(outage / 5)
        time.sleep(max(0.0, outage - (time.monotonic() - stopped)))
        private_redis.start()  # empty: whatever was queued is gone
        due_for_a_warning(api, ticket)

        wait_for(lambda: states(api, filed) == {"dispatched"}, 60,  # noqa: B023
                 f"reports filed during the {outage} s outage routed", worker)
        wait_for(lambda: warned(api, ticket), 60,  # noqa: B023
                 f"a deadline sweep after the {outage} s outage", worker)
        wait_for(lambda: scheduler_lock_held(api.app), 30,
                 f"RQ's scheduler back after the {outage} s outage", worker)
        assert worker.process.poll() is None, worker.tail()  # the same process rode it out
    with api.app.app_context():
        assert {row.state for row in db.session.query(OutboxJob)} == {"done"}


def test_a_worker_killed_mid_job_leaves_no_process_behind_and_the_report_is_routed_in_a_minute(
        api, start_worker, pg_database):
    number = api.report().json["number"]  # its routing job waits in Redis
    connection = Redis.from_url(api.app.config["REDIS_URL"])
    with api.app.app_context():
        job_id = job_queues.job_id(db.session.query(OutboxJob.id).scalar())
    # hold the ticket's row: the routing job starts and waits on it, mid-job
    with psycopg.connect(pg_database.replace("postgresql+psycopg", "postgresql")) as holder:
        holder.execute("SELECT id FROM tickets WHERE number = %s FOR UPDATE", (number,))
        first = start_worker("first")
        wait_for(lambda: Job.fetch(job_id, connection=connection).get_status()
                 == JobStatus.STARTED, 60, "the routing job started", first)
        wait_for(lambda: len(processes_of(api.app)) >= 4, 30,  # worker, horse and helpers
                 "the worker, its work horse, cron and RQ's scheduler running", first)
        os.kill(first.pid, signal.SIGKILL)
        first.process.wait(10)
        killed = time.monotonic()
        holder.rollback()

    wait_for(lambda: processes_of(api.app) == [], 15,
             "every child of the killed worker gone", first)
    second = start_worker("second")
    wait_for(lambda: api.ticket(number)["state"] == "dispatched",
             60 - (time.monotonic() - killed), "the report routed within a minute", second)
    wait_for(lambda: scheduler_lock_held(api.app), 30, "the new worker's RQ scheduler", second)
    assert len(CronScheduler.all(connection)) == 1  # one cron, not the dead worker's as well

    helpers = spawned_children(second.pid)  # the cron and the outbox sweeper
    assert len(helpers) == 2
    for pid in helpers:
        os.kill(pid, signal.SIGKILL)
    wait_for(lambda: len(set(spawned_children(second.pid)) - set(helpers)) == 2, 30,
             "the worker started its cron and sweeper again", second)

    second.process.terminate()  # a stop as docker or systemd sends it
    assert second.process.wait(30) == 0, second.tail()
    wait_for(lambda: processes_of(api.app) == [], 15, "the children stopped with the worker",
             second)
    with api.app.app_context():
        assert db.session.query(TicketEvent).filter_by(action="dispatch").count() == 1
