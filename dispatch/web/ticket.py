"""The ticket page: everything about one ticket, and a form for each action its reader may take
now. Actions go through `services.tickets.perform_action`, exactly as the API's do."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import RequestEntityTooLarge

from .. import clock
from ..core import lifecycle, sla
from ..core.disclosure import redact
from ..core.errors import DomainError, problem
from ..http.messages import (
    TIME_UNITS,
    Names,
    new_deadline_text,
    render,
    render_errors,
    routing_lines,
    step_text,
    time_limit_text,
)
from ..http.uploads import read_photos
from ..http.validation import whole_number
from ..services import deadlines, extension_requests, queues, reference, transactions
from ..services import tickets as ticket_service
from ..services.errors import BadInput, NotFound
from ..services.history import routing_explanation
from .blueprint import bp, home_endpoint
from .labels import ACTIONS, STATES, local_time, name_of

# fields each action's form posts (besides action and version)
FORM_FIELDS = {
    "dispatch": ("board", "department", "helpers", "note"), "resolve": ("note",),
    "rework": ("note",), "send_back": ("reason",), "void": ("reason",), "merge": ("into",),
    "request_extension": ("amount", "reason"), "request_park": ("reason",),
    "reject_extension": ("reason",), "park": ("reason",), "reject_park": ("reason",),
}
# the label each action's form gives a field; an error summary names the field the same way
FORM_LABELS = {
    ("resolve", "note"): _l("What was done"), ("rework", "note"): _l("What is still wrong?"),
    ("request_extension", "reason"): _l("Why more time is needed"),
    ("dispatch", "note"): _l("Reason for this dispatch"),
    ("reject_extension", "reason"): _l("Why is the extension refused?"),
    ("park", "reason"): _l("Why is the ticket parked?"),
    ("reject_park", "reason"): _l("Why is parking refused?"),
    ("request_park", "reason"): _l("Why it cannot be handled now"),
    ("send_back", "reason"): _l("Why this is not your department's job"),
    ("void", "reason"): _l("Why is this report invalid?"),
}


def field_label(action: str, name: str) -> str:
    """The words a form shows for a field: its action's own, else the field's general label."""
    return str(FORM_LABELS.get((action, name)) or FIELD_LABELS.get(name, name))


@bp.record_once
def _share_field_label(state) -> None:
    state.app.jinja_env.globals["field_label"] = field_label  # forms and macros alike


FIELD_LABELS = {
    "note": _l("Note"), "reason": _l("Reason"), "hours": _l("Extra hours"),
    "amount": _l("Extra time"), "unit": _l("Unit"),
    "board": _l("Board"), "department": _l("Lead department"),
    "helpers": _l("Helping departments"), "into": _l("Merge into ticket number"),
    "photos": _l("Photos"), "version": _l("Version"), "action": _l("Action"),
}


# --- the page -------------------------------------------------------------------------------

def _visible(number: str):
    try:  # one the reader may not see is not found, as if it did not exist
        return ticket_service.visible_ticket(current_user, number)
    except NotFound:
        abort(404)


def _timeline(ticket, names: Names, hidden: frozenset[str]) -> list[dict]:
    rows = []
    merged_into = redact(ticket.merged_into.number if ticket.merged_into else None, hidden)
    for event in ticket.events:
        data = redact(event.data or {}, hidden)
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
        elif event.action in ("request_extension", "approve_extension") and data.get("amount"):
            details.append(time_limit_text(sla.TimeLimit(data["amount"], data["unit"])))
        elif event.action in ("request_extension", "approve_extension") and data.get("hours"):
            details.append(_("%(hours)s hours", hours=data["hours"]))
        elif event.action == "merge" and merged_into is not None:
            details.append(_("Into %(number)s", number=merged_into))
        elif event.action == "merged_in" and data.get("from"):
            details.append(_("From %(number)s", number=data["from"]))
        note = event.note
        steps = (data.get("explanation") or {}).get("steps") or []
        if event.action == "queue" and event.actor_role == lifecycle.Role.SYSTEM and steps:
            note = step_text(steps[-1], names)  # the engine's reason, in the reader's words
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


def _time_limit(ticket) -> str | None:
    """The limit in force, in words: a routing rule's override if one set it, else the
    category's (the same limit the deadline is computed from)."""
    limit = deadlines.time_limit(ticket)
    return time_limit_text(limit) if limit else None


def _render(ticket, *, form: MultiDict | None = None,
            errors: dict[str, list[str]] | None = None, open_action: str | None = None,
            status: int = 200):
    names = Names()
    allowed = ticket_service.allowed_actions(current_user, ticket)
    hidden = ticket_service.hidden_numbers(current_user, ticket)  # numbers not theirs to see
    explanation = redact(routing_explanation(ticket), hidden)
    last_request = ticket.latest_event("request_extension", "request_park")
    last_resolve = ticket.latest_event("resolve")
    context = {
        "ticket": ticket, "allowed": allowed, "names": names,
        "explanation": explanation, "routing": routing_lines(explanation, names),
        "time_limit": _time_limit(ticket),
        "timeline": _timeline(ticket, names, hidden),
        "merged_into": redact(ticket.merged_into and ticket.merged_into.number, hidden),
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
    if "request_extension" in allowed:
        limit = deadlines.time_limit(ticket)
        context["extension_unit"] = str(TIME_UNITS[limit.unit]) if limit else None
        context["extension_max"] = extension_requests.max_amount(limit.unit) if limit else None
    if ticket.extension_hours:  # kept in the clock's kind: working hours or clock hours
        kind = extension_requests.hours_kind(deadlines.time_limit(ticket))
        context["extension_total"] = time_limit_text(sla.TimeLimit(ticket.extension_hours, kind))
    asked = extension_requests.pending(ticket)
    context["pending_extension"] = asked and {
        "words": time_limit_text(sla.TimeLimit(asked.amount, asked.unit)),
        "new_deadline": _new_deadline(asked)}
    return render_template("web/ticket.html", **context), status


@bp.get("/tickets/<number>")
@login_required
def ticket_page(number):
    return _render(_visible(number))


def _new_deadline(asked) -> str:
    local = asked.due_at.astimezone(clock.zone()) if asked.due_at else None
    return new_deadline_text(local, asked.amount, asked.unit)


@bp.get("/tickets/<number>/extension-preview")
@login_required
def extension_preview(number):
    """The deadline an extension of `amount` (in the ticket's unit) would give: the request
    form asks as the number changes, so the handler sees it before sending."""
    ticket = _visible(number)
    try:
        amount = whole_number(request.args.get("amount", ""))
    except (ValueError, OverflowError):
        amount = None
    try:
        asked = extension_requests.preview(ticket, amount)
    except DomainError as exc:
        errors = render_errors(exc.errors, Names())
        return {"text": " ".join(m for ms in errors.values() for m in ms)}, exc.status
    return {"text": _new_deadline(asked), "unit": asked.unit, "amount": asked.amount,
            "due_at": asked.due_at.isoformat() if asked.due_at else None}


# --- acting ---------------------------------------------------------------------------------

def _payload() -> tuple[dict, list[bytes]]:
    """The posted form as perform_action expects it: ints, a list of helpers, photo bytes."""
    try:
        form = request.form
        action = form.get("action", "").strip()
        photos = [p for p in read_photos() if p] if action == "resolve" else []
    except RequestEntityTooLarge as exc:
        limit = current_app.config["MAX_CONTENT_LENGTH"] // 2**20
        raise BadInput("upload_too_large", {"photos": [problem("upload_too_large", mb=limit)]},
                       mb=limit) from exc
    errors: dict[str, list[dict]] = {}
    payload: dict = {"action": action}
    try:
        payload["version"] = whole_number(form.get("version", ""))
    except (ValueError, OverflowError):
        errors["version"] = [problem("required")]
    for name in FORM_FIELDS.get(action, ()):
        if name == "helpers":
            payload["helpers"] = [h for h in form.getlist("helpers") if h]
        elif name == "amount":
            raw = form.get("amount", "").strip()
            if not raw:
                errors["amount"] = [problem("required")]
            else:
                try:
                    payload["amount"] = whole_number(raw)
                except (ValueError, OverflowError):
                    payload["amount"] = raw  # refused by the service, with its unit's range
        else:
            payload[name] = form.get(name, "").strip()
    if errors:
        raise BadInput("form_has_errors", errors)
    return payload, photos


def _error_message(exc: DomainError, action: str, names: Names,
                   errors: dict[str, list[str]]) -> str:
    label = ACTIONS.get(action, action)
    if isinstance(exc, lifecycle.Forbidden):
        return _("You may not take this action (%(action)s) on this ticket.", action=label)
    if errors and not isinstance(exc, lifecycle.NotAllowed):
        fields = _("; ").join(_("%(field)s: %(errors)s", field=field_label(action, name),
                                   errors=" ".join(m.rstrip("。.") for m in messages))
                                 for name, messages in errors.items())
        return _("%(action)s was not done. Please correct: %(fields)s.", action=label,
                 fields=fields)
    return render(exc.message, exc.params, names)


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
        names = Names()
        errors = render_errors(exc.errors, names)
        flash(_error_message(exc, action, names, errors), "error")
        return _render(ticket, form=form, errors=errors, open_action=action,
                       status=exc.status)
    flash(_("Ticket %(number)s: %(action)s done. It is now %(state)s.", number=number,
            action=ACTIONS.get(action, action), state=_state_label(ticket.state)), "success")
    if ticket_service.can_see(current_user, ticket):
        return redirect(url_for("web.ticket_page", number=number))
    # e.g. a handler who sent a ticket back no longer holds it
    return redirect(url_for(home_endpoint(current_user, "web.index")))

