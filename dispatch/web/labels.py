"""Words people see for the system's codes: states, actions, roles, boards, departments.

The words themselves live in dispatch/http/messages.py, shared with the API; here they become Jinja
filters. The filters take the template context so Jinja cannot fold a label for a literal
(`"resolve"|action_label`) into the compiled template in whatever language the first page
happened to be in.
"""

from jinja2 import pass_context

from .. import clock
from ..http.messages import ACTIONS, ROLES, STATES, amount_text, name_of, time_left_text

__all__ = ["ACTIONS", "ROLES", "STATES", "local_time", "name_of", "register_filters"]


def local_time(value) -> str:
    """A stored (aware UTC) timestamp as the street reads it: the configured time zone."""
    if value is None:
        return ""
    return value.astimezone(clock.zone()).strftime("%Y-%m-%d %H:%M")


def _per_request(words):
    """A filter that looks its words up when the page is rendered, never when compiled."""
    @pass_context
    def label(context, value):
        return words(value)
    return label


def register_filters(app) -> None:
    app.jinja_env.filters["state_label"] = _per_request(lambda s: str(STATES.get(s, s)))
    app.jinja_env.filters["action_label"] = _per_request(lambda a: str(ACTIONS.get(a, a)))
    app.jinja_env.filters["role_label"] = _per_request(lambda r: str(ROLES.get(r, r)))
    app.jinja_env.filters["name"] = _per_request(name_of)
    app.jinja_env.filters["time_left"] = _per_request(time_left_text)
    app.jinja_env.filters["asked_time"] = _per_request(asked_time)


def asked_time(event) -> str:
    """The extra time an extension event asked for, in its own unit ("3 个工作日"); events
    from before requests carried a unit read as hours."""
    data = (event.data or {}) if event is not None else {}
    if data.get("amount") and data.get("unit"):
        return amount_text(data["amount"], data["unit"])
    return amount_text(data.get("hours") or 0, "working_hours")
