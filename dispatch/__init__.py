"""dispatch: the event-ticket dispatch system for grid governance in the 141 model."""

from flask import Flask

from .factory import build_app


def create_app(config: dict | None = None) -> Flask:
    """The app with its commands: what `flask --app dispatch`, gunicorn and the tests load."""
    from .cli import register_commands  # here, so `python -m dispatch.cli` runs it only once

    app = build_app(config)
    register_commands(app)
    return app
