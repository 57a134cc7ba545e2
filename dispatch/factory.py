"""The application without its command line: configuration, extensions, blueprints and error
handlers. A web server and an RQ worker need no more; `dispatch.create_app` adds the commands.

Kept apart from the package's `__init__` so that the command line (which builds apps for its
console script) and the workers (which build their own in every forked work horse) can import
the factory without importing the command line back.
"""

import os

from flask import Flask, jsonify

from .config import Config, _normalise_db_url
from .extensions import api, babel, csrf, db, login_manager, migrate
from .i18n import compile_catalogs, select_locale, vary_by_language

MIGRATIONS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                          "migrations")


def build_app(config: dict | None = None) -> Flask:
    """An app from the environment's Config, updated with `config`."""
    app = Flask("dispatch", instance_relative_config=True)
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
    app.after_request(vary_by_language)
    api.init_app(app)
    from .http import errors
    errors.install(app)
    csrf.init_app(app)
    login_manager.init_app(app)

    from . import models  # noqa: F401  (one metadata for Alembic)
    from .api import register as register_api
    from .services import photo_jobs, routing  # noqa: F401  (register outbox handlers)
    from .web import register as register_web

    register_api(api)  # bearer tokens: exempt from CSRF (dispatch/api/__init__.py)
    register_web(app)  # the pages use the session cookie, so every form carries a CSRF token
    from .http import ratelimit, security
    ratelimit.install(app)  # wraps the sign-in views, so after the blueprints
    security.install(app)

    @app.get("/healthz")
    def health():
        db.session.execute(db.text("SELECT 1"))
        return jsonify(status="ok")

    return app
