"""Words people see for the system's codes: states, actions, roles, boards, departments."""


from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from .. import clock

STATES = {
    "reported": _l("Awaiting dispatch"), "dispatched": _l("Dispatched"),
    "accepted": _l("In hand"), "resolved": _l("Resolved, to verify"),
    "closed": _l("Closed"), "voided": _l("Voided"), "merged": _l("Merged"),
    "parked": _l("Parked"),
}
ACTIONS = {
    "report": _l("Reported"), "dispatch": _l("Dispatch"), "queue": _l("Sent to dispatch queue"),
    "accept": _l("Accept"), "resolve": _l("Resolve"), "verify": _l("Pass verification"),
    "rework": _l("Send back for rework"), "send_back": _l("Send back (not ours)"),
    "void": _l("Void"), "merge": _l("Merge as duplicate"), "merged_in": _l("Duplicate merged in"),
    "request_extension": _l("Request extension"), "approve_extension": _l("Approve extension"),
    "reject_extension": _l("Reject extension"), "request_park": _l("Request parking"),
    "park": _l("Park"), "reject_park": _l("Reject parking"), "unpark": _l("Resume"),
}
ROLES = {
    "grid_worker": _l("Grid worker"), "dispatcher": _l("Dispatcher"), "handler": _l("Handler"),
    "leader": _l("Leader"), "admin": _l("Administrator"), "system": _l("System"),
}


def name_of(obj) -> str:
    """A board, department, category, community or grid in the reader's language."""
    if obj is None:
        return ""
    english = str(get_locale()) == "en" and getattr(obj, "name_en", "")
    return english or obj.name_zh


def local_time(value) -> str:
    """A stored (aware UTC) timestamp as the street reads it: the configured time zone."""
    if value is None:
        return ""
    return value.astimezone(clock.zone()).strftime("%Y-%m-%d %H:%M")


def register_filters(app) -> None:
    app.jinja_env.filters["state_label"] = lambda s: STATES.get(s, s)
    app.jinja_env.filters["action_label"] = lambda a: ACTIONS.get(a, a)
    app.jinja_env.filters["role_label"] = lambda r: ROLES.get(r, r)
    app.jinja_env.filters["name"] = name_of
