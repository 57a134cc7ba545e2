"""The pages' blueprint, and the view behind each page of core.policy.

Its own module: `web.register` imports the page modules to add their routes, and they import
the blueprint from here, not from the package, so no page imports the package back."""

from flask import Blueprint

from ..services import policy
from ..services.policy import Page

bp = Blueprint("web", __name__)

# who may open which page and lands where is the policy's; the view behind each page is ours
PAGE_ENDPOINTS = {Page.REPORT: "web.report_form", Page.MY_REPORTS: "web.my_reports",
                  Page.CONSOLE: "web.console", Page.DISPATCH_QUEUE: "web.dispatch_queue",
                  Page.DASHBOARD: "web.dashboard"}


def home_endpoint(user, default: str) -> str:
    """The view a signed-in person starts from (their role's home page)."""
    return PAGE_ENDPOINTS.get(policy.home_page(user), default)
