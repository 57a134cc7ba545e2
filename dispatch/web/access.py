"""Who may open a page: signed in, and holding the permission the page needs (core.policy)."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from ..core.policy import Forbidden, Permission
from ..services import policy


def permission_required(permission: Permission):
    """Signed out: to the login page; signed in without the permission: 403."""
    def decorate(view):
        @wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            if not policy.permits(current_user, permission):
                abort(403)
            return view(*args, **kwargs)
        return wrapper
    return decorate


def or_403(decision, *args):
    """Run a policy decision for a page; a refusal becomes the 403 page."""
    try:
        return decision(current_user, *args)
    except Forbidden:
        abort(403)
