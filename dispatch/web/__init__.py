"""Server-rendered pages for the four kinds of people: the grid worker's phone form, the
handler's console, the dispatcher's queue and the leaders' dashboards.

Pages call the same services as the JSON API; no rule is written twice.
"""

import json

from flask import current_app
from flask_babel import get_locale
from flask_login import current_user

from .. import clock
from ..services import deadlines, policy
from ..services.auth import active_user
from .blueprint import bp


def load_user(session_id: str):
    """The signed-in user of a session or remember cookie (Flask-Login's user loader): None
    when the id is forged, expired or of an earlier session generation."""
    return active_user(session_id)


def register(app) -> None:
    from . import auth, console, dashboard, dispatcher, geo, report, ticket  # noqa: F401
    from .labels import register_filters

    register_filters(app)
    login_manager = app.login_manager  # set by login_manager.init_app in the factory
    login_manager.user_loader(load_user)
    login_manager.login_view = "web.login"
    login_manager.login_message = None
    app.register_blueprint(bp)

    @app.context_processor
    def page_globals():
        return {"current_user": current_user, "locale": str(get_locale()),
                "sla_status": lambda item: deadlines.status(item, clock.now()),
                "tile_url": current_app.config["MAP_TILE_URL"],
                "to_json": lambda value: json.dumps(value, ensure_ascii=False),
                "menu": lambda: policy.menu_for(current_user)
                if current_user.is_authenticated else ()}
