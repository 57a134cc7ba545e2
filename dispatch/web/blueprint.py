"""The pages' blueprint, and the page each role lands on.

Its own module: `web.register` imports the page modules to add their routes, and they import
the blueprint from here, not from the package, so no page imports the package back."""

from flask import Blueprint

bp = Blueprint("web", __name__)

HOME_BY_ROLE = {"grid_worker": "web.report_form", "handler": "web.console",
                "dispatcher": "web.dispatch_queue", "leader": "web.dashboard",
                "admin": "web.dispatch_queue"}
