"""dispatch: the event-ticket dispatch system for grid governance in the 141 model."""

import os

from flask import Flask, jsonify

from .config import Config, _normalise_db_url
from .extensions import api, babel, csrf, db, login_manager, migrate
from .i18n import compile_catalogs, select_locale

MIGRATIONS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                          "migrations")


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_object(Config(app.instance_path))
    if config:
        app.config.update(config)
        app.config["SQLALCHEMY_DATABASE_URI"] = _normalise_db_url(
            app.config["SQLALCHEMY_DATABASE_URI"])
    app.json.ensure_ascii = False
    os.makedirs(app.config["UPLOAD_FOLDER"], exist_ok=True)

    db.init_app(app)
    from .migration_render import render_item
    migrate.init_app(app, db, directory=MIGRATIONS, render_item=render_item, compare_type=True,
                     render_as_batch=app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"))
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", compile_catalogs(
        os.path.join(app.instance_path, "translations")))
    babel.init_app(app, locale_selector=select_locale)
    api.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)

    from . import models  # noqa: F401  (one metadata for Alembic)
    from .api import register as register_api
    from .cli import register_commands
    from .services import photo_jobs, routing  # noqa: F401  (register outbox handlers)
    from .web import register as register_web

    register_api(api)  # bearer tokens: exempt from CSRF (dispatch/api/__init__.py)
    register_web(app)  # the pages use the session cookie, so every form carries a CSRF token
    register_commands(app)

    @app.get("/healthz")
    def health():
        db.session.execute(db.text("SELECT 1"))
        return jsonify(status="ok")

    return app
