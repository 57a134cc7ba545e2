"""Server-rendered pages for the four kinds of people: the grid worker's phone form, the
handler's console, the dispatcher's queue and the leaders' dashboards.

Pages call the same services as the JSON API; no rule is written twice.
"""

import json

from flask import Blueprint, current_app
from flask_babel import get_locale
from flask_login import current_user

from .. import clock
from ..extensions import db, login_manager
from ..models import User
from ..services import deadlines

bp = Blueprint("web", __name__)

HOME_BY_ROLE = {"grid_worker": "web.report_form", "handler": "web.console",
                "dispatcher": "web.dispatch_queue", "leader": "web.dashboard",
                "admin": "web.dispatch_queue"}


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.active else None


def register(app) -> None:
    from . import auth, console, dashboard, dispatcher, geo, report, ticket  # noqa: F401
    from .labels import register_filters

    register_filters(app)
    login_manager.login_view = "web.login"
    login_manager.login_message = None
    app.register_blueprint(bp)

    @app.context_processor
    def page_globals():
        return {"current_user": current_user, "locale": str(get_locale()),
                "sla_status": lambda item: deadlines.status(item, clock.now()),
                "tile_url": current_app.config["MAP_TILE_URL"],
                "to_json": lambda value: json.dumps(value, ensure_ascii=False)}
