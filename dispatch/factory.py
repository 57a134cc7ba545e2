"""The application without its command line: configuration, extensions, blueprints and error
handlers. A web server and an RQ worker need no more; `dispatch.create_app` adds the commands.

Kept apart from the package's `__init__` so that the command line (which builds apps for its
console script) and the workers (which build their own in every forked work horse) can import
the factory without importing the command line back.
"""

import os

from flask import Flask, jsonify
from flask_smorest.spec.plugins import integerconverter2paramschema

from .config import Config, _normalise_db_url
from .extensions import api, babel, csrf, db, login_manager, migrate
from .http.resilience import ResilientFlask
from .i18n import compile_catalogs, select_locale, vary_by_language

MIGRATIONS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                          "migrations")


def build_app(config: dict | None = None) -> Flask:
    """An app from the environment's Config, updated with `config`."""
    from .http import guard

    app = ResilientFlask("dispatch", instance_relative_config=True)
    app.url_map.converters["int"] = guard.DatabaseInt  # ids beyond int4 are a 404, not a 500
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
    api.register_converter(guard.DatabaseInt, integerconverter2paramschema)
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
    guard.install(app)  # after the bearer check: anonymous uploads stay unread
    from .http import ratelimit, security
    ratelimit.install(app)  # wraps the sign-in views, so after the blueprints
    security.install(app)

    @app.get("/healthz")
    def health():
        """Unauthenticated, for probes: 200 when healthy, 503 otherwise; figures, no secrets."""
        from .services import health as checks

        found = checks.report(app.config)
        response = jsonify(status="ok" if found["healthy"] else "unhealthy", **found)
        response.status_code = 200 if found["healthy"] else 503
        response.headers["Cache-Control"] = "no-store"
        return response

    return app
