"""Placeholder: filled in by its screen."""

from flask_login import login_required

from . import bp


@bp.get("/m/")
@login_required
def report_form():
    return "report form"


@bp.get("/m/reports")
@login_required
def my_reports():
    return "my reports"
