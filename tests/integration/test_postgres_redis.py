"""What only the real services can show: row-level races on PostgreSQL, and intake surviving a
Redis outage with its jobs pushed, once, when Redis returns."""

import threading

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from dispatch.models import OutboxJob, Photo, Ticket, TicketEvent
from dispatch.services import outbox
from tests.conftest import make_app
from tests.helpers import IN_GRID, jpeg

pytestmark = pytest.mark.parametrize("backend", ["postgres"])


def test_two_concurrent_updates_give_one_success_and_one_409(api, backend):
    number = api.report().json["number"]
    version = api.ticket(number)["version"]
    headers = api.headers("handler.municipal")
    both_checked = threading.Barrier(2, timeout=10)
    waited: set[int] = set()

    def hold_until_both_have_passed_the_version_check(session, flush_context, instances):
        # both requests have read version N and decided; now let them race to the database
        me = threading.get_ident()
        if me in racers and me not in waited:
            waited.add(me)
            both_checked.wait()

    results: list[tuple[int, dict]] = []

    def accept():
        r = api.client.post(f"/api/v1/tickets/{number}/actions", headers=headers,
                            json={"action": "accept", "version": version})
        results.append((r.status_code, r.json))

    threads = [threading.Thread(target=accept) for _ in range(2)]
    racers = set()
    event.listen(Session, "before_flush", hold_until_both_have_passed_the_version_check)
    try:
        for t in threads:
            t.start()
            racers.add(t.ident)
        for t in threads:
            t.join(20)
    finally:
        event.remove(Session, "before_flush", hold_until_both_have_passed_the_version_check)

    assert len(waited) == 2, "both requests reached the database"
    assert sorted(status for status, _ in results) == [200, 409]
    conflict = next(body for status, body in results if status == 409)
    assert conflict["code"] == "stale_version"
    assert conflict["ticket"]["state"] == "accepted"
    assert conflict["ticket"]["version"] == version + 1
    with api.app.app_context():
        assert TicketEvent.query.filter_by(action="accept").count() == 1


def test_five_simultaneous_retries_with_one_key_make_one_ticket(api, backend):
    start = threading.Barrier(5, timeout=10)
    headers = api.headers("worker1", **{"Idempotency-Key": "same-key-5x"})
    statuses: list[int] = []
    numbers: set[str] = set()

    def submit():
        start.wait()
        r = api.client.post("/api/v1/incidents", headers=headers,
                            content_type="multipart/form-data",
                            data={"category": "0102", "description": "井盖缺失",
                                  "lat": str(IN_GRID["lat"]), "lng": str(IN_GRID["lng"])})
        statuses.append(r.status_code)
        numbers.add(r.json["number"])

    threads = [threading.Thread(target=submit) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert sorted(statuses) == [200, 200, 200, 200, 201]
    assert len(numbers) == 1
    assert api.count(Ticket) == 1
    assert api.count(OutboxJob) == 1


@pytest.fixture
def app(pg_database, tmp_path, private_redis):
    from tests.conftest import _wipe

    app = make_app(pg_database, tmp_path / "uploads", private_redis.url)
    yield app
    _wipe(app)


def test_redis_down_during_intake_the_report_is_kept_and_its_jobs_run_once_later(
        api, backend, private_redis):
    headers = api.headers("worker1", **{"Idempotency-Key": "outage-1"})
    private_redis.stop()

    r = api.client.post("/api/v1/incidents", headers=headers, content_type="multipart/form-data",
                        data={"category": "0102", "description": "井盖缺失",
                              "lat": str(IN_GRID["lat"]), "lng": str(IN_GRID["lng"]),
                              "photos": [(__import__("io").BytesIO(jpeg()), "a.jpg")]})
    assert r.status_code == 201, r.json
    assert r.json["state"] == "reported"
    number = r.json["number"]
    with api.app.app_context():
        assert [j.state for j in OutboxJob.query.order_by(OutboxJob.id)] == ["pending", "pending"]
        assert outbox.sweep() == 0  # still down: nothing lost, nothing pushed

    private_redis.start()
    with api.app.app_context():
        assert outbox.sweep() == 2
        assert {j.state for j in OutboxJob.query} == {"pushed"}
    api.drain()

    ticket = api.ticket(number)
    assert ticket["state"] == "dispatched"
    assert ticket["photos"][0]["status"] == "ready"
    with api.app.app_context():
        assert {j.state for j in OutboxJob.query} == {"done"}
        assert outbox.sweep() == 0
        route_job = outbox.db.session.scalar(
            select(OutboxJob.id).where(OutboxJob.job == "route"))
        # a double push (e.g. the sweeper and the web process both pushed) does no harm
        outbox._push([route_job])
    api.drain()
    with api.app.app_context():
        assert TicketEvent.query.filter_by(action="dispatch").count() == 1
        assert Photo.query.filter_by(status="ready").count() == 1
        assert outbox.run_job(route_job) == "already done"


def test_the_database_refuses_to_rewrite_history(api, backend):
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    api.report()
    with api.app.app_context():
        for statement in ("UPDATE ticket_events SET note = 'rewritten'",
                          "DELETE FROM ticket_events"):
            with pytest.raises(DBAPIError, match="append-only"):
                outbox.db.session.execute(text(statement))
            outbox.db.session.rollback()
        assert TicketEvent.query.count() == 2
