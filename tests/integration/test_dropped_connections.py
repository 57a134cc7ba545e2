"""PostgreSQL connections that die under the app (an administrator terminating backends, a
restart, a failover) cost no report and no 500: a read or a keyed report is retried once on a
fresh connection, anything else is a 503 to try again, with nothing half-written (issue 10,
point 14). The backends are terminated for real, from a second connection."""

import os
import re
import time

import psycopg
import pytest
from sqlalchemy import event

from dispatch.extensions import db
from dispatch.models import OutboxJob, Photo, Ticket, TicketEvent
from tests.conftest import PASSWORD
from tests.helpers import jpeg

TERMINATE = ("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
             "WHERE datname = current_database() AND pid <> pg_backend_pid()")


@pytest.fixture(params=["postgres"])
def backend(request):
    return request.param


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": False}  # the page test signs in with a plain form post


def terminate_app_backends(app) -> None:
    """Terminate every other backend of the app's database and wait until they are gone."""
    url = app.config["SQLALCHEMY_DATABASE_URI"].replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as conn:
        pids = [pid for (pid,) in conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()")]
        conn.execute(TERMINATE)
        for _ in range(200):
            alive = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)",
                                 [pids]).fetchone()[0]
            if not alive:
                return
            time.sleep(0.01)
    raise AssertionError("the terminated backends did not go away")


class CutOnce:
    """Terminates the app's backends just before the first statement matching `pattern` (or
    just before the first COMMIT), so that it meets a dead connection in mid-request."""

    def __init__(self, app, pattern: str):
        self.app, self.pattern, self.fired = app, re.compile(pattern, re.I), 0
        self.hook = "commit" if pattern == "COMMIT" else "before_cursor_execute"

    def __call__(self, conn, cursor=None, statement="COMMIT", *args):
        if not self.fired and self.pattern.search(statement):
            self.fired += 1
            terminate_app_backends(self.app)

    def __enter__(self):
        with self.app.app_context():
            self.engine = db.engine
        event.listen(self.engine, self.hook, self)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, self.hook, self)


def count(app, model, **where) -> int:
    with app.app_context():
        return db.session.query(model).filter_by(**where).count()


def test_a_read_after_the_connections_were_terminated_between_requests(api):
    number = api.report(key="before").json["number"]
    terminate_app_backends(api.app)
    assert api.get("admin", f"/api/v1/tickets/{number}").status_code == 200


def test_a_read_whose_connection_is_cut_mid_request_is_retried(api):
    number = api.report(key="before").json["number"]
    headers = api.headers("admin")
    with CutOnce(api.app, r"FROM tickets") as cut:
        r = api.client.get(f"/api/v1/tickets/{number}", headers=headers)
    assert cut.fired == 1
    assert r.status_code == 200, r.json
    assert r.json["number"] == number


@pytest.mark.parametrize("where", ["INSERT INTO tickets", "INSERT INTO outbox", "COMMIT"])
def test_a_keyed_report_cut_mid_request_files_exactly_one_ticket(api, where):
    api.headers("worker1")
    photo = jpeg(64, 64)
    with CutOnce(api.app, where) as cut:
        r = api.report(photos=[photo], key="weak-signal")
    assert cut.fired == 1
    assert r.status_code in (200, 201), r.json
    assert count(api.app, Ticket, idempotency_key="weak-signal") == 1
    again = api.report(photos=[photo], key="weak-signal")  # the phone retries the same report
    assert again.json["number"] == r.json["number"]
    assert count(api.app, Ticket) == 1 and count(api.app, Photo) == 1


def test_a_report_without_a_key_cut_mid_request_is_a_503_and_leaves_nothing(api):
    api.headers("worker1")
    with CutOnce(api.app, r"INSERT INTO photos") as cut:
        r = api.report(photos=[jpeg(64, 64)])
    assert cut.fired == 1
    assert r.status_code == 503, r.json
    assert r.json["code"] == "database_unavailable" and r.json["status"] == 503
    assert int(r.headers["Retry-After"]) > 0
    for model in (Ticket, TicketEvent, Photo, OutboxJob):
        assert count(api.app, model) == 0, model.__name__
    uploads = api.app.config["UPLOAD_FOLDER"]
    assert [f for _, _, files in os.walk(uploads) for f in files] == []
    assert api.report().status_code == 201  # and the next one goes through


def test_a_connection_cut_after_the_answer_was_made_costs_nothing(api, app):
    """The backend dies with the request's read transaction still open: only the closing
    ROLLBACK fails, and that must not turn a finished request into a 500."""
    armed, fired = [], []

    @app.after_request
    def cut(response):
        if armed and not fired:
            fired.append(True)
            terminate_app_backends(app)
        return response

    number = api.report(key="done").json["number"]
    headers = api.headers("admin")
    armed.append(True)
    r = api.client.get(f"/api/v1/tickets/{number}", headers=headers)
    assert fired and r.status_code == 200 and r.json["number"] == number
    assert api.get("admin", f"/api/v1/tickets/{number}").status_code == 200


def test_a_page_whose_connection_is_cut_is_retried(api, app):
    client = app.test_client()
    assert client.post("/login", data={"username": "admin", "password": PASSWORD}
                       ).status_code == 302
    number = api.report(key="page").json["number"]
    with CutOnce(app, r"FROM tickets") as cut:
        r = client.get(f"/tickets/{number}")
    assert cut.fired == 1 and r.status_code == 200


def test_a_routing_job_whose_connection_is_cut_runs_again_at_once(api):
    """Jobs are idempotent, so one that meets a dead connection is run again on a fresh one
    rather than left to RQ's back-off (the fault bench saw a report wait minutes for it)."""
    api.headers("worker1")
    with CutOnce(api.app, r"^UPDATE tickets SET") as cut:
        r = api.report(key="routed-anyway")
    assert cut.fired == 1
    assert r.status_code == 201, r.json
    with api.app.app_context():
        ticket = db.session.query(Ticket).filter_by(idempotency_key="routed-anyway").one()
        assert ticket.routed_at is not None
        assert {row.state for row in db.session.query(OutboxJob)} == {"done"}
