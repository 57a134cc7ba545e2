"""`GET /healthz` and `dispatch health`: what a probe sees of the background work."""

import json
from datetime import timedelta

import pytest
from rq.job import Job
from sqlalchemy import update

from dispatch import clock
from dispatch.extensions import db
from dispatch.models import OutboxJob
from dispatch.services import outbox, sla_sweep
from tests.conftest import _wipe, make_app
from tests.helpers import ApiDriver


@pytest.fixture
def app(pg_database, tmp_path, private_redis):
    app = make_app(pg_database, tmp_path / "uploads", private_redis.url)
    yield app
    _wipe(app)


def health(app) -> tuple[int, dict]:
    r = app.test_client().get("/healthz")
    return r.status_code, r.json


def command(app) -> tuple[int, dict]:
    result = app.test_cli_runner().invoke(args=["health"])
    return result.exit_code, json.loads(result.output)


def test_healthy_once_the_deadline_sweep_has_run_and_never_a_secret(app, pg_database,
                                                                    private_redis):
    status, body = health(app)
    assert status == 503
    assert body["problems"] == ["deadline_sweep_stale"]
    assert body["deadline_sweep"]["last_run_at"] is None
    assert command(app)[0] == 1

    with app.app_context():
        sla_sweep.sweep()
    status, body = health(app)
    assert status == 200 and body["status"] == "ok" and body["healthy"]
    assert body["database"]["ok"] and body["redis"]["ok"]
    assert body["deadline_sweep"]["age_seconds"] < app.config["HEALTH_MAX_AGE_SECONDS"]
    assert body["outbox"] == {"pending": 0, "pushed": 0, "failed": 0,
                              "oldest_not_done_age_seconds": None}
    assert body["queues"]["routing"]["length"] == 0
    assert body["queues"]["photos"]["oldest_age_seconds"] is None
    code, printed = command(app)
    assert code == 0 and printed["status"] == "ok"
    response = app.test_client().get("/healthz").get_data(as_text=True)
    for secret in (str(private_redis.port), pg_database.rsplit("/", 1)[1], "test-secret"):
        assert secret not in response


def test_unhealthy_while_redis_is_down(app, private_redis):
    with app.app_context():
        sla_sweep.sweep()
    private_redis.stop()
    status, body = health(app)
    assert status == 503 and body["problems"] == ["redis_unreachable"]
    assert body["database"]["ok"] and not body["redis"]["ok"]
    assert command(app)[0] == 1


def test_a_backlog_in_the_outbox_or_a_queue_is_reported_with_its_age(app):
    api = ApiDriver(app, app.test_client())
    api.drain = lambda: None  # no worker: the routing job waits in its queue
    api.report()
    an_hour_ago = clock.now() - timedelta(hours=1)
    with app.app_context():
        sla_sweep.sweep()
        db.session.execute(update(OutboxJob).values(created_at=an_hour_ago))
        db.session.commit()
        job = Job.fetch(outbox.queue().get_job_ids()[0], connection=outbox.redis_connection())
        job.enqueued_at = an_hour_ago
        job.save()

    status, body = health(app)
    assert status == 503
    assert body["problems"] == ["outbox_backlog", "queue_routing_backlog"]
    assert body["outbox"]["pushed"] == 1
    assert body["outbox"]["oldest_not_done_age_seconds"] >= 3600
    assert body["queues"]["routing"]["length"] == 1
    assert body["queues"]["routing"]["oldest_age_seconds"] >= 3600


def test_the_embedded_mode_has_no_redis_to_check(sqlite_database, tmp_path):
    app = make_app(sqlite_database, tmp_path / "uploads")
    try:
        with app.app_context():
            sla_sweep.sweep()
        status, body = health(app)
        assert status == 200 and body["redis"] == {"ok": True, "mode": "inline"}
        assert "queues" not in body
    finally:
        _wipe(app)
