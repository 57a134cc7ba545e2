"""`flask db upgrade` on an empty database gives exactly the schema the models declare."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from dispatch import create_app
from dispatch.extensions import db
from tests.conftest import create_pg_database, drop_pg_database, pg_url


@pytest.fixture
def empty_pg():
    name = create_pg_database()
    yield pg_url(name)
    drop_pg_database(name)


def drift(app) -> list:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_upgrade_on_empty_postgresql_matches_the_models(empty_pg, tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_pg, "UPLOAD_FOLDER": str(tmp_path)})
    with app.app_context():
        upgrade()
        assert drift(app) == []
        triggers = db.session.scalars(text(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'ticket_events'::regclass "
            "AND NOT tgisinternal")).all()
        assert triggers == ["ticket_events_append_only"]
        db.session.rollback()
        downgrade(revision="base")
        assert inspect(db.engine).get_table_names() == ["alembic_version"]
        db.engine.dispose()


def test_upgrade_on_empty_sqlite_matches_the_models(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.db'}",
                      "UPLOAD_FOLDER": str(tmp_path)})
    with app.app_context():
        upgrade()
        assert drift(app) == []
        db.engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def empty_database(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'm.db'}"
    return request.getfixturevalue("empty_pg")


def index_columns(table: str) -> dict[str, list[str]]:
    return {ix["name"]: ix["column_names"] for ix in inspect(db.engine).get_indexes(table)}


# what the KPI duration indexes were when 0006 was first applied (commit 842d4f6)
OLD_0006 = {"kpi_timing_counts": {"ix_kpi_timing_counts_street": ["street_id", "kind", "day"]},
            "kpi_timings": {"ix_kpi_timings_department": ["department_id", "kind", "bucket", "day"],
                            "ix_kpi_timings_street": ["street_id", "kind", "bucket", "day"],
                            "ix_kpi_timings_ticket_id": ["ticket_id"]}}


def test_a_database_at_0006_as_first_applied_upgrades_to_the_models(empty_database, tmp_path):
    """0004 and 0006 are the files that were applied; the index changes once made inside them
    come from later revisions, so a database that stopped at the old 0006 reaches the models,
    rows and all, and can go back."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database, "UPLOAD_FOLDER": str(tmp_path)})
    with app.app_context():
        upgrade(revision="0006")
        assert {t: index_columns(t) for t in OLD_0006} == OLD_0006
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO kpi_timings (ticket_id, kind, day, street_id, board_code, "
                "department_id, bucket, hours) VALUES (1, 'close', '2026-12-01', 1, 'livelihood', "
                "2, 7, 3.5)"))
            conn.execute(text(
                "INSERT INTO kpi_timing_counts (department_id, kind, day, street_id, board_code, "
                "bucket, count) VALUES (2, 'close', '2026-12-01', 1, 'livelihood', 7, 1)"))
            conn.execute(text(
                "INSERT INTO daily_board_counts (street_id, board_code, metric, day, "
                "department_id, count, hours) VALUES (1, 'livelihood', 'closed', '2026-12-01', "
                "2, 4, 12.5)"))
        upgrade()
        assert drift(app) == []
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT hours FROM kpi_timings")).scalars().all() == [3.5]
            assert conn.execute(text("SELECT count FROM kpi_timing_counts")).scalar() == 1
            rows = conn.execute(text("SELECT * FROM daily_board_counts")).mappings().all()
            assert [{**r, "day": str(r["day"])} for r in rows] == [
                {"street_id": 1, "board_code": "livelihood", "metric": "closed",
                 "day": "2026-12-01", "department_id": 2, "count": 4}]
        assert "daily_counts" not in inspect(db.engine).get_table_names()
        downgrade(revision="0006")
        assert {t: index_columns(t) for t in OLD_0006} == OLD_0006
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count, hours FROM daily_board_counts")).all() == [
                (4, 0.0)]
            assert conn.execute(text("SELECT count(*) FROM daily_counts")).scalar() == 0
        upgrade()
        assert drift(app) == []
        db.engine.dispose()
