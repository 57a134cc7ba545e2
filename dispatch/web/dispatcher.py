"""Placeholder: filled in by its screen."""

from flask_login import login_required

from . import bp


@bp.get("/dispatch")
@login_required
def dispatch_queue():
    return "dispatch queue"
