"""Placeholder: filled in by its screen."""

from flask_login import login_required

from . import bp


@bp.get("/dashboard")
@login_required
def dashboard():
    return "dashboard"
