"""Commands: `dispatch seed-demo`, `dispatch demo`, `dispatch worker`, `dispatch sweep-outbox`,
plus Flask's own (`dispatch db upgrade`, `dispatch run`). Thin: each calls a service."""

import os

import click
import yaml
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from werkzeug.serving import run_simple

from .i18n import LOCALES

LANG = click.option("--lang", type=click.Choice(LOCALES), default=None,
                    help="Language of the problems reported (default: the app's, Chinese).")


@click.command("seed-demo")
@click.option("--folder", default=None, help="Reference-data folder (default: boards/demo).")
@LANG
@with_appcontext
def seed_demo(folder, lang):
    """Load the demo district (idempotent: a second run changes nothing)."""
    from boards import DEMO_FOLDER

    from .services import reference_data

    folder = folder or DEMO_FOLDER
    try:
        data = reference_data.read_folder(folder)
        report = reference_data.load(data, current_app.config["DEMO_PASSWORD"])
    except reference_data.ReferenceDataError as exc:
        raise _refused("reference_data_refused", exc.problems, lang) from exc
    created = ", ".join(f"{n} {k}" for k, n in report.created.items()) or "nothing new"
    click.echo(f"Demo district loaded: {created}.")
    jurisdictions = os.path.join(folder, "jurisdictions.geojson")
    if os.path.exists(jurisdictions):
        _import(jurisdictions, "import_jurisdictions", "jurisdictions", lang)
    rules = os.path.join(folder, "rules.yaml")
    if os.path.exists(rules):
        _load_rules(rules, lang)


def _refused(message: str | dict, problems: list[dict], lang: str | None) -> click.ClickException:
    """The command's refusal with each coded problem in words, through the same catalogue as
    the API (dispatch/http/messages.py), in `lang` or the app's default language."""
    from flask_babel import force_locale

    from .http import messages

    with force_locale(lang or current_app.config["BABEL_DEFAULT_LOCALE"]):
        names = messages.Names()
        lines = [messages.render(message, names=names)]
        lines += [f"  {messages.render(p, names=names)}" for p in problems]
    return click.ClickException("\n".join(lines))


def _import(path: str, function: str, what: str, lang: str | None) -> None:
    from .services import geo_import

    try:
        collection = geo_import.read_collection(path)
    except geo_import.ImportProblems as exc:
        raise _refused("import_refused", exc.problems, lang) from exc
    features = collection.get("features") if isinstance(collection, dict) else None
    with click.progressbar(length=len(features) if isinstance(features, list) else 0,
                           label=f"Importing {what}") as bar:
        last = [0]

        def progress(done, total):
            bar.update(done - last[0])
            last[0] = done
        try:
            count = getattr(geo_import, function)(collection, progress)
        except geo_import.ImportProblems as exc:
            raise _refused("import_refused", exc.problems, lang) from exc
    click.echo(f"Imported {count} {what}.")


def _load_rules(path: str, lang: str | None, confirm_empty: bool = False) -> None:
    from .core.rules import RuleError
    from .services.errors import BadInput
    from .services.rules_admin import replace_rules

    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    try:  # a file without a list under `rules:` is refused, not taken for "no rules"
        loaded = replace_rules(data.get("rules") if isinstance(data, dict) else None,
                               confirm_empty=confirm_empty, source="cli")
    except RuleError as exc:
        raise _refused("rules_not_changed", exc.problems, lang) from exc
    except BadInput as exc:  # an empty list, not confirmed
        raise _refused(exc.message, [p for ps in (exc.errors or {}).values() for p in ps],
                       lang) from exc
    click.echo(f"Loaded {loaded.rule_count} routing rules (version {loaded.version}).")


@click.command("import-grids")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@LANG
@with_appcontext
def import_grids(path, lang):
    """Import grid polygons (GeoJSON; properties code, name_zh, community): all or nothing."""
    _import(path, "import_grids", "grids", lang)


@click.command("import-jurisdictions")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@LANG
@with_appcontext
def import_jurisdictions(path, lang):
    """Import jurisdiction polygons (properties id, name_zh, kind, department): all or nothing."""
    _import(path, "import_jurisdictions", "jurisdictions", lang)


@click.command("load-rules")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@LANG
@click.option("--confirm-empty", is_flag=True,
              help="Really remove every rule when the file's list is empty.")
@with_appcontext
def load_rules(path, lang, confirm_empty):
    """Replace the routing rules with a rules.yaml (docs/routing-rules.md): all or nothing,
    kept as a new version (an empty list only with --confirm-empty)."""
    _load_rules(path, lang, confirm_empty)


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
    from .services import kpi_rollups, rollups

    if kpi_rollups.missing():  # a database from before migration 0006
        rollups.rebuild()
        click.echo("Rebuilt the rollups from the events (the KPI rollups were missing).")
    mode = "RQ on " + current_app.config["REDIS_URL"] if current_app.config["REDIS_URL"] \
        else "inline (no REDIS_URL)"
    if not current_app.config["REDIS_URL"]:
        _start_inline_deadline_sweeper(current_app._get_current_object())
    click.echo(f"Jobs: {mode}. Demo password: {current_app.config['DEMO_PASSWORD']}")
    # Flask refuses app.run() inside a CLI command; werkzeug's server is what it would run
    run_simple(host, port, current_app._get_current_object(), threaded=True)


def _start_inline_deadline_sweeper(app) -> None:
    """Without Redis there is no RQ scheduler: sweep deadlines in a thread of this process."""
    import threading
    import time

    from .services import sla_sweep

    def loop():
        while True:
            try:
                with app.app_context():
                    sla_sweep.sweep()
            except Exception:
                app.logger.exception("deadline sweep failed; retrying in a minute")
            time.sleep(60)

    threading.Thread(target=loop, name="deadline-sweeper", daemon=True).start()


@click.command("rollups")
@click.argument("what", type=click.Choice(["check", "rebuild"]))
@with_appcontext
def rollups_command(what):
    """check: compare the dashboards' rollups with a replay of every event; rebuild: replace
    them with that replay."""
    from .services import rollups

    if what == "rebuild":
        daily, states = rollups.rebuild()
        click.echo(f"Rebuilt {daily} daily rows and {states} state rows from the events.")
        return
    differences = rollups.check()
    for line in differences[:50]:
        click.echo(line)
    if differences:
        raise click.ClickException(f"{len(differences)} differences")
    click.echo("The rollups match the events.")


@click.command("sweep-deadlines")
@with_appcontext
def sweep_deadlines():
    """Warn and escalate due tickets once now (the scheduler runs this every minute)."""
    from .services import sla_sweep

    click.echo(f"Deadline sweep: {sla_sweep.sweep()}")


@click.command("health")
@with_appcontext
def health():
    """Report the database, Redis, the last deadline sweep, the outbox and the queues as JSON;
    exit 1 when something is wrong (for probes and monitoring)."""
    import json

    from .services import health as checks

    found = checks.report(current_app.config)
    click.echo(json.dumps({"status": "ok" if found["healthy"] else "unhealthy", **found},
                          ensure_ascii=False, indent=2))
    if not found["healthy"]:
        raise SystemExit(1)


@click.group("user")
def user_command():
    """End an account's sessions: a new password, deactivation, or signing out everywhere."""


def _account_change(change, lang: str | None, done: str, *args) -> None:
    from .services.errors import ServiceError

    try:
        user = change(*args)
    except ServiceError as exc:
        raise _refused({"code": exc.message, "params": exc.params}, [], lang) from exc
    click.echo(done.format(user=user.username))


@user_command.command("set-password")
@click.argument("username")
@click.password_option("--password", help="prompted for (twice, hidden) when not given")
@click.option("--lang", default=None, help="language of refusals (zh_CN, en)")
@with_appcontext
def set_password(username, password, lang):
    """Give USERNAME a new password; every session and token of the old one ends."""
    from .services import auth

    _account_change(auth.change_password, lang,
                    "New password set for {user}; their sessions and tokens have ended.",
                    username, password)


def _account_command(name: str, change: str, done: str, help_text: str) -> None:
    """A `dispatch user NAME USERNAME` command that calls `services.auth.<change>`."""
    @user_command.command(name, help=help_text)
    @click.argument("username")
    @click.option("--lang", default=None, help="language of refusals (zh_CN, en)")
    @with_appcontext
    def command(username, lang):
        from .services import auth

        _account_change(getattr(auth, change), lang, done, username)


_account_command("deactivate", "deactivate", "{user} is deactivated and signed out everywhere.",
                 "USERNAME can no longer sign in; their sessions and tokens end at once.")
_account_command("sign-out-everywhere", "sign_out_everywhere", "{user} is signed out everywhere.",
                 "End every session, remember cookie and API token of USERNAME (a lost phone).")


COMMANDS = (seed_demo, user_command, health, sweep_outbox, worker, demo, import_grids,
            import_jurisdictions, load_rules, sweep_deadlines, rollups_command)


def register_commands(app) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)


def create_app_with_commands():
    """What `dispatch.create_app()` makes, built here from the factory: the package imports
    this module, so this module does not import the package."""
    from .factory import build_app

    app = build_app()
    register_commands(app)
    return app


def main() -> None:
    """The `dispatch` console script: Flask's CLI bound to our app factory."""
    FlaskGroup(create_app=create_app_with_commands, add_version_option=False)()


if __name__ == "__main__":
    main()
