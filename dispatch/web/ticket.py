"""The ticket page: everything about one ticket, and a form for each action its reader may take
now. Actions go through `services.tickets.perform_action`, exactly as the API's do."""

import re

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import RequestEntityTooLarge

from ..core import lifecycle
from ..core.errors import DomainError
from ..http.uploads import read_photos
from ..services import queues, reference, transactions
from ..services import tickets as ticket_service
from ..services.actors import actor_for
from ..services.errors import BadInput, NotFound
from ..services.history import routing_explanation
from .blueprint import HOME_BY_ROLE, bp
from .labels import ACTIONS, STATES, local_time, name_of

# fields each action's form posts (besides action and version)
FORM_FIELDS = {
    "dispatch": ("board", "department", "helpers", "note"), "resolve": ("note",),
    "rework": ("note",), "send_back": ("reason",), "void": ("reason",), "merge": ("into",),
    "request_extension": ("hours", "reason"), "request_park": ("reason",),
    "reject_extension": ("reason",), "park": ("reason",), "reject_park": ("reason",),
}
FIELD_LABELS = {
    "note": _l("Note"), "reason": _l("Reason"), "hours": _l("Extra hours"),
    "board": _l("Board"), "department": _l("Lead department"),
    "helpers": _l("Helping departments"), "into": _l("Merge into ticket number"),
    "photos": _l("Photos"), "version": _l("Version"), "action": _l("Action"),
}
_KNOWN_ERRORS = {
    "This field is required.": _l("This field is required."),
    "Must not include the lead department.": _l("Must not include the lead department."),
    "Unknown ticket.": _l("There is no ticket with this number."),
    "Must be another ticket.": _l("A ticket cannot be merged into itself."),
    "Must be an open ticket.": _l("Can only merge into an open ticket."),
    "Must be in this street.": _l("Can only merge into a ticket of the same street."),
    "Only with action 'resolve'.": _l("Photos can only be attached when resolving."),
}
_PATTERN_ERRORS = (
    (re.compile(r"Does not serve board (\S+)\.$"),
     lambda m: _("This department does not serve board %(board)s.",
                 board=_board_name(m.group(1)))),
    (re.compile(r"Unknown department (.+)\.$"),
     lambda m: _("Unknown department %(code)s.", code=m.group(1))),
    (re.compile(r"Unknown board (.+)\.$"), lambda m: _("Unknown board %(code)s.", code=m.group(1))),
    (re.compile(r"A whole number from 1 to (\d+)\.$"),
     lambda m: _("A whole number from 1 to %(max)s.", max=m.group(1))),
    (re.compile(r"Photo (\d+) is larger than (\d+) MB\.$"),
     lambda m: _("Photo %(n)s is larger than %(mb)s MB.", n=m.group(1), mb=m.group(2))),
    (re.compile(r"The upload is larger than (\d+) MB\.$"),
     lambda m: _("The upload is larger than %(mb)s MB.", mb=m.group(1))),
    (re.compile(r"At most (\d+) photos\.$"),
     lambda m: _("At most %(n)s photos.", n=m.group(1))),
    (re.compile(r"Photo (\d+): (.+)$"),
     lambda m: _("Photo %(n)s is not a usable image (%(why)s).", n=m.group(1),
                 why=m.group(2))),
)


# --- small presentation helpers, shared with the console and the dispatch queue -------------

def _board_name(code: str | None) -> str:
    board = reference.board(code) if code else None
    return name_of(board) or (code or "")


class Names:
    """Codes in stored explanations and event data → names in the reader's language. The names
    of every board, department, category and grid (a few hundred short rows) are read once,
    the first time a page asks for one: fifty explanations cost what one does."""

    def __init__(self):
        self._known: dict[str, dict[str, reference.Named]] | None = None

    def _named(self, kind: str, code: str) -> reference.Named | None:
        if self._known is None:
            self._known = {k: reference.names(k) for k in reference.NAMED}
        return self._known[kind].get(code)

    def board(self, code: str | None) -> str:
        if not code:
            return ""
        return name_of(self._named("board", code)) or code

    def department(self, code: str | None) -> str:
        if not code:
            return ""
        return name_of(self._named("department", code)) or code

    def grid(self, code: str | None) -> str:
        if not code:
            return ""
        grid = self._named("grid", code)
        return f"{name_of(grid)}（{code}）" if grid else code

    def category(self, code: str | None) -> str:
        if not code:
            return ""
        cat = self._named("category", code)
        return f"{code} {name_of(cat)}" if cat else code


def routing_lines(explanation: dict | None, names: Names | None = None) -> list[dict]:
    """The routing explanation step by step, in words a dispatcher reads: [{ok, text}]."""
    if not explanation:
        return []
    names = names or Names()
    if explanation.get("by") == "dispatcher":
        lines = [{"ok": True, "text": _("Dispatched by hand by a dispatcher.")}]
        if explanation.get("summary"):
            lines.append({"ok": True, "text": _("Dispatcher's note: %(note)s",
                                                note=explanation["summary"])})
        return lines
    lines = [{"ok": bool(step.get("ok", True)), "text": _step_text(step, names)}
             for step in explanation.get("steps") or []]
    suggestions = explanation.get("suggestions") or []
    if suggestions:  # learned from past tickets; shown, never acted on automatically
        listed = "、".join(f"{names.department(s['department'])} {round(s['confidence'] * 100)}%"
                          for s in suggestions)
        lines.append({"ok": True, "text": _("Suggested from tickets closed before (a dispatcher "
                                            "decides): %(list)s", list=listed)})
    if not lines and explanation.get("summary"):
        lines.append({"ok": explanation.get("outcome") == "dispatched",
                      "text": explanation["summary"]})
    return lines


JURISDICTION_KINDS = {
    "park": _l("park"), "river_bank": _l("river bank"), "road_section": _l("road section"),
    "school_zone": _l("school zone"), "industrial_estate": _l("industrial estate"),
    "market": _l("market"), "construction_site": _l("construction site"),
}
_EXCLUDED = re.compile(r"default department (\S+) already sent it back")


def _step_text(step: dict, names: Names) -> str:
    """One step in words; a step this page does not know keeps the engine's own text."""
    kind, ok = step.get("step"), step.get("ok")
    if kind == "grid":
        if ok and step.get("snapped_metres") is not None:
            return _("The reported point lies %(metres)s m outside the grids; it is taken to the "
                     "nearest grid, %(grid)s.", metres=round(step["snapped_metres"]),
                     grid=names.grid(step.get("grid")))
        if ok:
            return _("The reported point lies in grid %(grid)s.", grid=names.grid(step.get("grid")))
        return _("The reported point lies outside every grid.")
    if kind == "category":
        category = names.category(step.get("category"))
        if ok:
            return _("Category %(category)s belongs to board %(board)s; its default department "
                     "is %(department)s.", category=category, board=names.board(step.get("board")),
                     department=names.department(step.get("department")))
        excluded = _EXCLUDED.search(step.get("text", ""))
        if excluded:
            return _("The default department of category %(category)s, %(department)s, already "
                     "sent this ticket back.", category=category,
                     department=names.department(excluded.group(1)))
        return _("Category %(category)s has no usable default department: a dispatcher has "
                 "to choose.", category=category)
    if kind == "rule" and ok:
        matched = "、".join(str(m.get("value", "")) for m in step.get("matched") or [])
        if step.get("decides"):
            return _("Rule %(rule)s matched (%(matched)s): board %(board)s, lead department "
                     "%(department)s.", rule=step.get("rule", ""), matched=matched,
                     board=names.board(step.get("board")),
                     department=names.department(step.get("department")))
        return _("Rule %(rule)s matched (%(matched)s) and adds helping departments.",
                 rule=step.get("rule", ""), matched=matched)
    if kind == "jurisdiction":
        return _("The point lies in %(name)s (%(kind)s), which %(department)s looks after.",
                 name=step.get("text", "").removeprefix("the point lies in ").split(" (")[0],
                 kind=JURISDICTION_KINDS.get(step.get("kind"), step.get("kind", "")),
                 department=names.department(step.get("owner")))
    if kind == "rules" and not ok:
        return _("No routing rule matched.")
    if kind == "send_backs":
        return _("Sent back %(n)s times: the dispatcher decides.", n=step.get("count", ""))
    if kind == "duplicate":
        return _("Probably a duplicate of %(number)s: the dispatcher decides.",
                 number=step.get("number", ""))
    if kind == "outcome":
        return _("So the ticket waits in the street's dispatch queue.")
    return step.get("text", "")


def routing_summary(explanation: dict | None, names: Names | None = None) -> str:
    """The steps as one paragraph (Chinese sentences need no space between them)."""
    gap = "" if str(get_locale()).startswith("zh") else " "
    return gap.join(line["text"] for line in routing_lines(explanation, names))


# --- the page -------------------------------------------------------------------------------

def _visible(number: str):
    try:
        ticket = ticket_service.get_ticket(number)
    except NotFound:
        abort(404)
    if not ticket_service.can_see(current_user, ticket):
        abort(403)
    return ticket


def _timeline(ticket, names: Names) -> list[dict]:
    rows = []
    for event in ticket.events:
        data = event.data or {}
        details = []
        if event.action == "dispatch":
            if data.get("board"):
                details.append(_("Board: %(board)s", board=names.board(data["board"])))
            if data.get("department"):
                details.append(_("Lead: %(department)s",
                                 department=names.department(data["department"])))
            if data.get("helpers"):
                details.append(_("Helping: %(departments)s", departments="、".join(
                    names.department(code) for code in data["helpers"])))
        elif event.action in ("request_extension", "approve_extension") and data.get("hours"):
            details.append(_("%(hours)s hours", hours=data["hours"]))
        elif event.action == "merge" and ticket.merged_into is not None:
            details.append(_("Into %(number)s", number=ticket.merged_into.number))
        elif event.action == "merged_in" and data.get("from"):
            details.append(_("From %(number)s", number=data["from"]))
        note = event.note
        steps = (data.get("explanation") or {}).get("steps") or []
        if event.action == "queue" and event.actor_role == "system" and steps:
            note = _step_text(steps[-1], names)  # the engine's reason, in the reader's words
        actor = event.actor
        rows.append({
            "action": event.action, "to_state": event.to_state,
            "changed": event.from_state != event.to_state,
            "actor": (actor.display_name or actor.username) if actor else "",
            "role": event.actor_role, "time": local_time(event.created_at),
            "iso": event.created_at.isoformat(), "note": note,
            "department": name_of(event.department), "details": details,
            "photos": [p for p in ticket.photos if p.event_id == event.id],
        })
    return rows


def _render(ticket, *, form: MultiDict | None = None,
            errors: dict[str, list[str]] | None = None, open_action: str | None = None,
            status: int = 200):
    names = Names()
    allowed = lifecycle.allowed_actions(ticket_service.facts(ticket), actor_for(current_user))
    explanation = routing_explanation(ticket)
    last_request = queues.latest_event(ticket, ("request_extension", "request_park"))
    last_resolve = queues.latest_event(ticket, ("resolve",))
    context = {
        "ticket": ticket, "allowed": allowed, "names": names,
        "explanation": explanation, "routing": routing_lines(explanation, names),
        "timeline": _timeline(ticket, names),
        "report_photos": [p for p in ticket.photos if p.kind == "report"],
        "after_photos": [p for p in ticket.photos if p.kind == "resolution"],
        "pending_event": last_request if ticket.pending_request else None,
        "resolve_event": last_resolve, "local_time": local_time,
        "form": form or MultiDict(), "errors": errors or {}, "open_action": open_action,
        "map_data": {"lat": ticket.lat, "lng": ticket.lon,
                     "grid": ticket.grid.geometry if ticket.grid else None,
                     "grid_name": name_of(ticket.grid),
                     "tiles": current_app.config["MAP_TILE_URL"],
                     "grids_url": None if ticket.grid else url_for("web.grids_geojson")},
    }
    if "dispatch" in allowed:
        context["boards"] = reference.boards()
        context["departments"] = reference.active_departments()
    if "merge" in allowed:
        context["merge_candidates"] = queues.merge_candidates(ticket)
    return render_template("web/ticket.html", **context), status


@bp.get("/tickets/<number>")
@login_required
def ticket_page(number):
    return _render(_visible(number))


# --- acting ---------------------------------------------------------------------------------

def _payload() -> tuple[dict, list[bytes]]:
    """The posted form as perform_action expects it: ints, a list of helpers, photo bytes."""
    try:
        form = request.form
        action = form.get("action", "").strip()
        photos = [p for p in read_photos() if p] if action == "resolve" else []
    except RequestEntityTooLarge as exc:
        limit = current_app.config["MAX_CONTENT_LENGTH"] // 2**20
        raise BadInput("Upload too large.", {"photos": [
            f"The upload is larger than {limit} MB."]}) from exc
    errors: dict[str, list[str]] = {}
    payload: dict = {"action": action}
    try:
        payload["version"] = int(form.get("version", ""))
    except ValueError:
        errors["version"] = ["This field is required."]
    for name in FORM_FIELDS.get(action, ()):
        if name == "helpers":
            payload["helpers"] = [h for h in form.getlist("helpers") if h]
        elif name == "hours":
            raw = form.get("hours", "").strip()
            if raw:
                try:
                    payload["hours"] = int(raw)
                except ValueError:
                    errors["hours"] = [f"A whole number from 1 to {lifecycle.MAX_EXTENSION_HOURS}."]
        else:
            payload[name] = form.get(name, "").strip()
    if errors:
        raise BadInput("The form has errors.", errors)
    return payload, photos


def _translate(message: str) -> str:
    if message in _KNOWN_ERRORS:
        return str(_KNOWN_ERRORS[message])
    for pattern, words in _PATTERN_ERRORS:
        match = pattern.match(message)
        if match:
            return words(match)
    return message


def _field_errors(exc: DomainError) -> dict[str, list[str]]:
    errors = {}
    for name, messages in (exc.errors or {}).items():
        if isinstance(messages, str):
            messages = [messages]
        errors[name] = [_translate(str(m)) for m in messages]
    return errors


def _error_message(exc: DomainError, action: str, ticket,
                   errors: dict[str, list[str]]) -> str:
    label = ACTIONS.get(action, action)
    if isinstance(exc, lifecycle.Forbidden):
        return _("You may not take this action (%(action)s) on this ticket.", action=label)
    if isinstance(exc, lifecycle.NotAllowed):
        if "pending" in exc.message:
            return _("%(action)s is not possible: another request is pending or there is no "
                     "request to answer.", action=label)
        return _("%(action)s is not possible while the ticket is %(state)s.", action=label,
                 state=_state_label(ticket.state))
    if errors:
        fields = _("; ").join(_("%(field)s: %(errors)s", field=FIELD_LABELS.get(name, name),
                                   errors=" ".join(messages))
                                 for name, messages in errors.items())
        return _("%(action)s was not done. Please correct: %(fields)s", action=label,
                 fields=fields)
    return _translate(exc.message)


def _state_label(state: str) -> str:
    return str(STATES.get(state, state))


def _posted() -> MultiDict:
    """The posted fields, or none when the body was too large to read."""
    try:
        return request.form
    except RequestEntityTooLarge:
        return MultiDict()


@bp.post("/tickets/<number>/act")
@login_required
def ticket_act(number):
    ticket = _visible(number)
    action = ""
    try:
        payload, photos = _payload()
        action = payload["action"]
        ticket = ticket_service.perform_action(current_user, number, payload, photos)
    except lifecycle.Stale:
        transactions.discard()
        flash(_("Someone else changed this ticket; this is its current state."), "warning")
        return redirect(url_for("web.ticket_page", number=number))
    except DomainError as exc:
        transactions.discard()
        form = _posted()
        action = action or form.get("action", "")
        ticket = _visible(number)
        errors = _field_errors(exc)
        flash(_error_message(exc, action, ticket, errors), "error")
        return _render(ticket, form=form, errors=errors, open_action=action,
                       status=exc.status)
    flash(_("Ticket %(number)s: %(action)s done. It is now %(state)s.", number=number,
            action=ACTIONS.get(action, action), state=_state_label(ticket.state)), "success")
    if ticket_service.can_see(current_user, ticket):
        return redirect(url_for("web.ticket_page", number=number))
    # e.g. a handler who sent a ticket back no longer holds it
    return redirect(url_for(HOME_BY_ROLE.get(current_user.role, "web.index")))

