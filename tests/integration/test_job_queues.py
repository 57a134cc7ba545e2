"""Routing and photos on queues of their own, and jobs RQ lost pushed again at once.

A private redis-server (tests/redis_server.py), so flushing it disturbs nothing else; the jobs
wait in Redis until the test runs a worker itself.
"""

import os
import subprocess
from datetime import timedelta

import pytest
from redis import Redis
from rq import SimpleWorker, Worker
from rq.job import Job, JobStatus
from sqlalchemy import update

from dispatch import clock
from dispatch.extensions import db
from dispatch.models import OutboxJob
from dispatch.services import outbox
from tests.helpers import IN_GRID_2, jpeg

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture
def app(redis_app):
    return redis_app


@pytest.fixture
def api(redis_api):
    return redis_api


def rows(api) -> dict[str, OutboxJob]:
    with api.app.app_context():
        found = {row.job: row for row in db.session.query(OutboxJob)}
        db.session.expunge_all()
        return found


def set_pushed_ago(api, job: str, seconds: int) -> None:
    with api.app.app_context():
        db.session.execute(update(OutboxJob).where(OutboxJob.job == job).values(
            pushed_at=clock.now() - timedelta(seconds=seconds)))
        db.session.commit()


def rq_job(api, job: str) -> Job:
    with api.app.app_context():
        return Job.fetch(f"outbox-{rows(api)[job].id}", connection=outbox.redis_connection())


def test_a_new_report_is_routed_before_the_photos_queued_ahead_of_it(api):
    first = api.report(photos=[jpeg()] * 5).json["number"]
    second = api.report(username="worker2", location=IN_GRID_2).json["number"]
    with api.app.app_context():
        routing, photos = outbox.queues()
        assert routing.name.endswith("-routing") and photos.name.endswith("-photos")
        assert (routing.count, photos.count) == (2, 5)
        # the worker listens to routing first: two jobs route both reports
        SimpleWorker(outbox.queues(), connection=outbox.redis_connection()).work(
            burst=True, max_jobs=2)
    assert api.ticket(first)["state"] == "dispatched"
    assert api.ticket(second)["state"] == "dispatched"
    assert {p["status"] for p in api.ticket(first)["photos"]} == {"pending"}  # still queued


def test_a_job_redis_lost_is_pushed_again_at_the_next_sweep(api, private_redis):
    number = api.report().json["number"]
    with api.app.app_context():
        assert outbox.sweep() == 0  # queued in RQ: nothing to do
    Redis.from_url(private_redis.url).flushall()  # restarted without persistence

    with api.app.app_context():
        assert outbox.sweep() == 1
        SimpleWorker(outbox.queues(), connection=outbox.redis_connection()).work(burst=True)
    assert api.ticket(number)["state"] == "dispatched"


def _register_worker(api, pid: int) -> Worker:
    with api.app.app_context():
        worker = Worker(outbox.queues(), connection=outbox.redis_connection())
        worker.pid = pid
        worker.register_birth()
        return worker


def _started_on(api, worker: Worker) -> None:
    job = rq_job(api, "route")
    job.worker_name = worker.name
    job.save()
    job.set_status(JobStatus.STARTED)


def test_a_job_whose_worker_died_mid_job_is_pushed_again_at_once(api):
    api.report()
    finished = subprocess.Popen(["true"])
    finished.wait()
    _started_on(api, _register_worker(api, finished.pid))  # a worker killed with -9

    with api.app.app_context():
        assert outbox.sweep() == 1
    assert rq_job(api, "route").get_status() == JobStatus.QUEUED


def test_a_dead_worker_whose_pid_a_newer_worker_took_is_known_dead(api):
    """A restarted container: the new worker is pid 1 again, on the same host name."""
    api.report()
    killed = _register_worker(api, os.getpid())
    _started_on(api, killed)
    with api.app.app_context():
        assert outbox.sweep() == 0  # nothing tells the two apart yet
    _register_worker(api, os.getpid())  # born later, same host and pid

    with api.app.app_context():
        assert outbox.sweep() == 1


def test_a_job_running_on_a_live_worker_or_waiting_in_its_queue_is_left_alone(api):
    api.report()
    set_pushed_ago(api, "route", 3600)
    with api.app.app_context():
        assert outbox.sweep() == 0  # an hour in the queue: RQ still holds it
    _started_on(api, _register_worker(api, os.getpid()))
    with api.app.app_context():
        assert outbox.sweep() == 0


def test_a_job_rq_ended_without_its_row_done_waits_short_for_routing_long_for_photos(api):
    api.report(photos=[jpeg()])
    for job in ("route", "photo"):
        rq_job(api, job).set_status(JobStatus.FAILED)  # retries used up
        set_pushed_ago(api, job, 120)

    with api.app.app_context():
        assert outbox.sweep() == 1
    assert rq_job(api, "route").get_status() == JobStatus.QUEUED
    assert rq_job(api, "photo").get_status() == JobStatus.FAILED

    set_pushed_ago(api, "photo", api.app.config["OUTBOX_PHOTO_STALE_SECONDS"] + 1)
    with api.app.app_context():
        assert outbox.sweep() == 1
    assert rq_job(api, "photo").get_status() == JobStatus.QUEUED
