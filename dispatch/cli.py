"""Commands: `dispatch seed-demo`, `dispatch demo`, `dispatch worker`, `dispatch sweep-outbox`,
plus Flask's own (`dispatch db upgrade`, `dispatch run`). Thin: each calls a service."""

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from werkzeug.serving import run_simple


@click.command("seed-demo")
@click.option("--folder", default=None, help="Reference-data folder (default: boards/demo).")
@with_appcontext
def seed_demo(folder):
    """Load the demo district (idempotent: a second run changes nothing)."""
    from boards import DEMO_FOLDER

    from .services import reference_data

    data = reference_data.read_folder(folder or DEMO_FOLDER)
    try:
        report = reference_data.load(data, current_app.config["DEMO_PASSWORD"])
    except reference_data.ReferenceDataError as exc:
        raise click.ClickException(str(exc)) from exc
    created = ", ".join(f"{n} {k}" for k, n in report.created.items()) or "nothing new"
    click.echo(f"Demo district loaded: {created}.")


@click.command("sweep-outbox")
@with_appcontext
def sweep_outbox():
    """Push outbox rows left behind (e.g. while Redis was down)."""
    from .services import outbox

    click.echo(f"Handed on {outbox.sweep()} outbox rows.")


@click.command("worker")
@click.option("--burst", is_flag=True, help="Exit when the queue is empty.")
def worker(burst):
    """Run an RQ worker with the scheduler and the outbox sweeper (needs REDIS_URL)."""
    from workers.__main__ import run

    run(burst=burst)


@click.command("demo")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@with_appcontext
def demo(host, port):
    """Migrate the database, load the demo district, and serve on http://127.0.0.1:5000."""
    from flask_migrate import upgrade

    upgrade()
    click.get_current_context().invoke(seed_demo)
    mode = "RQ on " + current_app.config["REDIS_URL"] if current_app.config["REDIS_URL"] \
        else "inline (no REDIS_URL)"
    click.echo(f"Jobs: {mode}. Demo password: {current_app.config['DEMO_PASSWORD']}")
    # Flask refuses app.run() inside a CLI command; werkzeug's server is what it would run
    run_simple(host, port, current_app._get_current_object(), threaded=True)


COMMANDS = (seed_demo, sweep_outbox, worker, demo)


def register_commands(app) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)


def main() -> None:
    """The `dispatch` console script: Flask's CLI bound to our app factory."""
    from . import create_app

    FlaskGroup(create_app=create_app, add_version_option=False)()


if __name__ == "__main__":
    main()
