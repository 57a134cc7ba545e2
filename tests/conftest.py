"""Fixtures: a real database per backend for the whole run, the demo district loaded into it once,
and a fresh app per test whose tickets, events, photos and outbox rows are wiped afterwards.

Backends:
- "sqlite": the embedded default, jobs run inline after commit;
- "postgres": the real PostgreSQL on 127.0.0.1:5432 and the real Redis, jobs go through RQ.
Each run creates its own PostgreSQL database and drops it at the end.

The clock: `DISPATCH_TEST_NOW=2026-10-01T00:30+08:00 make test` runs the whole suite with the
time pinned there (it keeps ticking), to show it passes at awkward moments; unset, it runs at
the real time. Single tests pin moments of their own with time-machine (`at`, below).
"""

import os
import uuid
from datetime import datetime
from pathlib import Path

import psycopg
import pytest
import time_machine
from flask_migrate import upgrade
from redis import Redis

from boards import DEMO_FOLDER
from dispatch import create_app
from dispatch.extensions import db
from dispatch.services import reference_data
from tests.openapi_conformance import CHECKED, FUZZED, ConformingClient

PG_ADMIN = os.environ.get("TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PASSWORD = "test-password"
TRANSACTIONAL = ("ticket_helpers", "photos", "outbox", "heartbeats", "notifications",
                 "kpi_timings", "ticket_events", "tickets", "ticket_counters", "daily_board_counts",
                 "state_counts", "kpi_closures", "kpi_episodes", "kpi_timing_counts",
                 "routing_rule_sets")


def pytest_collection_modifyitems(config, items):
    """The markers of pyproject.toml, from what each test needs, so that `-m browser` or
    `-m "not postgres"` select what they say (a `pytestmark` in a conftest marks nothing)."""
    browser = Path(__file__).parent / "browser"
    for item in items:
        params = item.callspec.params if hasattr(item, "callspec") else {}
        fixtures = set(item.fixturenames)
        if item.path.is_relative_to(browser):
            item.add_marker(pytest.mark.browser)
        if "postgres" in params.values() or fixtures & {"pg_database", "empty_pg"}:
            item.add_marker(pytest.mark.postgres)
        # an app on PostgreSQL sends its jobs through Redis
        if params.get("backend") == "postgres" or "pg_database" in fixtures:
            item.add_marker(pytest.mark.redis)


def pytest_terminal_summary(terminalreporter):
    if CHECKED:
        terminalreporter.write_line(
            f"OpenAPI conformance: {sum(CHECKED.values())} API answers checked against the "
            f"document ({len(CHECKED)} operation × status pairs)")
    for database in sorted({name for name, _ in FUZZED}):
        counts = {person: n for (name, person), n in FUZZED.items() if name == database}
        terminalreporter.write_line(
            f"schemathesis on {database}: {sum(counts.values())} requests ("
            + ", ".join(f"{person} {n}" for person, n in counts.items()) + ")")


@pytest.fixture(scope="session", autouse=True)
def pinned_clock():
    """The whole run at DISPATCH_TEST_NOW (ticking from there), if it is set."""
    moment = os.environ.get("DISPATCH_TEST_NOW")
    if not moment:
        yield None
        return
    start = datetime.fromisoformat(moment)
    if start.tzinfo is None:
        raise ValueError("DISPATCH_TEST_NOW needs a UTC offset, e.g. 2026-10-01T00:30+08:00")
    with time_machine.travel(start, tick=True):
        yield start


def pg_url(name: str) -> str:
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + name


def create_pg_database() -> str:
    name = f"dispatch_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name


def drop_pg_database(name: str) -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def pg_database():
    name = create_pg_database()
    yield pg_url(name)
    drop_pg_database(name)


@pytest.fixture(scope="session")
def sqlite_database(tmp_path_factory):
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "dispatch.db")


_seeded: set[str] = set()


def _prepare(app) -> None:
    """Migrate the schema (as production does) and load the demo district, once per database."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url in _seeded:
        return
    with app.app_context():
        upgrade()
        reference_data.load(reference_data.read_folder(DEMO_FOLDER), PASSWORD)
    _seeded.add(url)


def _wipe(app) -> None:
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            db.session.execute(db.text(
                f"TRUNCATE {', '.join(TRANSACTIONAL)} RESTART IDENTITY CASCADE"))
        else:
            for table in TRANSACTIONAL:
                db.session.execute(db.text(f"DELETE FROM {table}"))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def make_app(database_url: str, upload_folder, redis_url: str | None = None, **extra):
    config = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url,
              "UPLOAD_FOLDER": str(upload_folder), "REDIS_URL": redis_url,
              "RQ_QUEUE": f"dispatch-test-{uuid.uuid4().hex[:10]}",
              "SECRET_KEY": "test-secret", "DEMO_PASSWORD": PASSWORD,
              # sign-in limits: generous unless a test sets low ones; counts start at zero per
              # app (memory, or a key prefix of its own on Redis)
              "LOGIN_LIMIT_ACCOUNT": "1000 per minute", "LOGIN_LIMIT_ADDRESS": "1000 per minute",
              "RATELIMIT_KEY_PREFIX": f"dispatch-test-{uuid.uuid4().hex[:10]}"}
    config.update(extra)
    app = create_app(config)
    app.test_client_class = ConformingClient  # every API answer checked against the document
    _prepare(app)
    return app


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request):
    return request.param


@pytest.fixture
def app_config():
    """Override per test (e.g. smaller upload limits) by redefining this fixture."""
    return {}


@pytest.fixture
def app(request, backend, tmp_path, app_config):
    if backend == "postgres":
        url, redis_url = request.getfixturevalue("pg_database"), REDIS_URL
    else:
        url, redis_url = request.getfixturevalue("sqlite_database"), None
    app = make_app(url, tmp_path / "uploads", redis_url, **app_config)
    yield app
    if redis_url:
        from dispatch.services.job_queues import queue_names
        Redis.from_url(redis_url).delete(*(f"rq:queue:{name}" for name in queue_names(app.config)))
    _wipe(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def api(app, client):
    from tests.helpers import ApiDriver

    return ApiDriver(app, client)


@pytest.fixture
def demo_rules(app):
    """The demo district's jurisdictions and rules, loaded as `dispatch seed-demo` does."""
    import json

    import yaml

    from dispatch.models import Jurisdiction, RoutingRule
    from dispatch.services import geo_import
    from dispatch.services.rules_admin import replace_rules

    with app.app_context():
        with open(f"{DEMO_FOLDER}/jurisdictions.geojson", encoding="utf-8") as fh:
            geo_import.import_jurisdictions(json.load(fh))
        with open(f"{DEMO_FOLDER}/rules.yaml", encoding="utf-8") as fh:
            replace_rules(yaml.safe_load(fh)["rules"])
    yield
    with app.app_context():
        db.session.query(RoutingRule).delete()
        db.session.query(Jurisdiction).delete()
        db.session.commit()
