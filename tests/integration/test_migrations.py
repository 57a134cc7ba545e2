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
