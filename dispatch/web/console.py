"""Placeholder: filled in by its screen."""

from flask_login import login_required

from . import bp


@bp.get("/console")
@login_required
def console():
    return "console"
