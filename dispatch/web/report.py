"""The grid worker's phone: file a report, see my reports.

The form works without JavaScript (a plain <select>, the original photos, location from the
first photo's GPS). With JavaScript the phone picks the category by board or by search (name,
everyday word, code, full pinyin or initials), sets a pin, downsizes photos before upload and
keeps a report on the phone while there is no signal, resending it with the same idempotency
key. Either way the report goes through `services.intake.submit_report`, the one way a ticket is
created.
"""

import math
import uuid
from datetime import datetime

from flask import abort, current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from .. import clock
from ..core.errors import DomainError
from ..core.search import search_keys
from ..http.errors import wants_json
from ..http.messages import Names, render
from ..http.resilience import idempotent_with_key
from ..http.uploads import refuse_stray_files
from ..http.validation import decimal_number
from ..services import deadlines, reference, transactions
from ..services.errors import KeyReused, NotFound
from ..services.intake import submit_report
from ..services.my_reports import reported_by
from ..services.tickets import can_see, get_ticket, reread
from .access import Permission, permission_required
from .blueprint import bp
from .labels import local_time, name_of

MAX_DESCRIPTION = 2000
MAX_KEY = 100
MY_REPORTS_LIMIT = 200
OTHER = "other"  # the picker's group for a category without a board (9999 其他事项)


# ---------------------------------------------------------------------------------- pages

@bp.get("/m/")
@permission_required(Permission.FILE_REPORT)
def report_form():
    return _form_page({}, {}, str(uuid.uuid4()))


@bp.post("/m/report")
@idempotent_with_key  # the same idempotency_key again finds the first ticket
@permission_required(Permission.FILE_REPORT)
def submit_report_page():
    as_json = wants_json()
    try:
        form = request.form
        refuse_stray_files("photos")
        files = request.files.getlist("photos")
    except RequestEntityTooLarge:
        limit = current_app.config["MAX_CONTENT_LENGTH"] // 2**20
        message = _("The report is too large (at most %(mb)d MB in all).", mb=limit)
        return _refuse(as_json, 413, message, {"photos": [message]}, {}, str(uuid.uuid4()))
    values = {name: (form.get(name) or "").strip()
              for name in ("category", "description", "lat", "lng")}
    key = (form.get("idempotency_key") or "").strip()
    fields, errors = _read_fields(values, key)
    photos, photo_errors = _read_photos(files)
    errors.update(photo_errors)
    if errors:
        return _refuse(as_json, 422, _("Please correct the marked fields."), errors, values, key)
    try:
        ticket, created = submit_report(current_user, fields, photos, key)
    except DomainError as exc:
        transactions.discard()
        status = exc.status if 400 <= exc.status < 500 else 422
        if isinstance(exc, KeyReused):  # this form was sent before: the changed one is new
            key = str(uuid.uuid4())
        return _refuse(as_json, status, _("The report cannot be accepted."),
                       _service_errors(exc), values, key, photos_lost=bool(photos))
    if as_json:
        if created:
            return jsonify(_result(ticket)), 201
        return jsonify(_result(ticket)), 200, {"Idempotent-Replayed": "true"}
    return redirect(url_for("web.report_done", number=ticket.number))


@bp.get("/m/done/<number>")
@permission_required(Permission.FILE_REPORT)
def report_done(number):
    try:
        ticket = get_ticket(number)
    except NotFound:
        abort(404)
    if not can_see(current_user, ticket):
        abort(404)
    return render_template("web/report_done.html", result=_result(ticket))


@bp.get("/m/reports")
@permission_required(Permission.FILE_REPORT)
def my_reports():
    rows = reported_by(current_user, MY_REPORTS_LIMIT)
    now = clock.now()
    items = [{"number": t.number, "state": t.state, "category": name_of(t.category),
              "code": t.category.code, "description": t.description,
              "department": name_of(t.lead_department), "when": local_time(t.created_at),
              "light": traffic_light(t, now), "url": ticket_url(t.number)} for t in rows]
    return render_template(
        "web/my_reports.html", to_verify=[i for i in items if i["state"] == "resolved"],
        items=items, limit=MY_REPORTS_LIMIT,
        config={"userId": current_user.id, "strings": _js_strings(), "mode": "list",
                "categories": [{"code": c.code, "name": name_of(c)}
                               for c in reference.active_categories()],
                "submitUrl": url_for("web.submit_report_page"),
                "formUrl": url_for("web.report_form")})


# ------------------------------------------------------------------------------- helpers

def ticket_url(number: str) -> str:
    return url_for("web.ticket_page", number=number)


def traffic_light(ticket, now: datetime) -> str | None:
    """The ticket's light while its department is handling it (the rule: services.deadlines)."""
    if ticket.state not in ("dispatched", "accepted"):
        return None
    status = deadlines.status(ticket, now)
    return status["light"] if status else None


def _result(ticket) -> dict:
    ticket = reread(ticket)  # the inline routing job may have dispatched it meanwhile
    return {"number": ticket.number, "state": ticket.state, "board": ticket.board_code,
            "board_name": name_of(reference.board(ticket.board_code))
            if ticket.board_code else "",
            "department": ticket.lead_department.code if ticket.lead_department else None,
            "department_name": name_of(ticket.lead_department),
            "url": ticket_url(ticket.number)}


def _read_fields(values: dict[str, str], key: str) -> tuple[dict, dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    if not values["category"]:
        errors["category"] = [_("Choose a category.")]
    elif len(values["category"]) > 8:
        errors["category"] = [_("Unknown category.")]
    if not values["description"]:
        errors["description"] = [_("Describe what you found.")]
    elif len(values["description"]) > MAX_DESCRIPTION:
        errors["description"] = [_("At most %(n)d characters.", n=MAX_DESCRIPTION)]
    if not key or len(key) > MAX_KEY or not key.isprintable():
        errors["idempotency_key"] = [_("The form is damaged; reload the page.")]
    lat = lng = None
    if values["lat"] or values["lng"]:
        try:
            lat, lng = decimal_number(values["lat"]), decimal_number(values["lng"])
        except ValueError:
            errors["location"] = [_("The location is not valid; set the pin again.")]
        else:
            if not (math.isfinite(lat) and math.isfinite(lng)
                    and -90 <= lat <= 90 and -180 <= lng <= 180):
                errors["location"] = [_("The location is not valid; set the pin again.")]
    return {"category": values["category"], "description": values["description"],
            "lat": lat, "lng": lng}, errors


def _read_photos(files) -> tuple[list[bytes], dict[str, list[str]]]:
    """The photos with content; a form without a chosen file sends one empty part."""
    cfg = current_app.config
    limit = cfg["MAX_PHOTO_BYTES"]
    photos, problems = [], []
    for storage in files:
        data = storage.stream.read(limit + 1)
        if not data and not storage.filename:
            continue
        if len(data) > limit:
            problems.append(_("Photo %(n)d is larger than %(mb)d MB.",
                              n=len(photos) + 1, mb=limit // 2**20))
        photos.append(data)
    if len(photos) > cfg["MAX_PHOTOS"]:
        problems.insert(0, _("At most %(n)d photos.", n=cfg["MAX_PHOTOS"]))
    return photos, ({"photos": problems} if problems else {})


# what the worker holding the phone is told, by the service's problem code
_WORKER_WORDS = {
    "unknown_category": _l("Unknown category; choose one from the list."),
    "location_required": _l("Set the pin on the map, or attach a photo that carries GPS."),
    "lat_and_lng_together": _l("Set the pin on the map, or attach a photo that carries GPS."),
    "idempotency_key_reused": _l("This form was already sent with other content; check the "
                                 "report and submit it again."),
}


def _service_errors(exc: DomainError) -> dict[str, list[str]]:
    """The service's problems in the worker's words; a lat/lng problem is shown at the map,
    a refused photo with what to do and then which photo and why."""
    names = Names()
    errors: dict[str, list[str]] = {}
    for field, problems in (exc.errors or {}).items():
        target = "location" if field in ("lat", "lng") else field
        shown = errors.setdefault(target, [])
        if field == "photos" and not shown:
            shown.append(_("A photo was refused: use complete JPEG, PNG or WebP photos."))
        for item in problems:
            words = str(_WORKER_WORDS.get(item["code"]) or render(item, names=names))
            if words not in shown:
                shown.append(words)
    return errors or {"form": [render(exc.message, exc.params, names)]}


def _refuse(as_json: bool, status: int, message: str, errors: dict, values: dict, key: str,
            photos_lost: bool = False):
    if as_json:
        return jsonify(message=message, errors=errors), status
    if photos_lost:  # a page cannot give the chosen files back
        errors = {**errors, "photos": [*errors.get("photos", []), _("Attach the photos again.")]}
    return _form_page(values, errors, key or str(uuid.uuid4()), message), status


def _form_page(values: dict, errors: dict, key: str, message: str | None = None):
    categories, groups = _category_choices()
    config = {"userId": current_user.id, "categories": categories,
              "boards": [{"code": g["code"], "name": g["name"]} for g in groups
                         if g["code"] != OTHER],
              "maxPhotos": current_app.config["MAX_PHOTOS"],
              "maxPixels": 2048, "quality": 0.85, "strings": _js_strings(), "mode": "form",
              "gridsUrl": url_for("web.grids_geojson"),
              "submitUrl": url_for("web.submit_report_page"),
              "tileUrl": current_app.config["MAP_TILE_URL"]}
    return render_template("web/report_form.html", groups=groups, values=values, errors=errors,
                           message=message, idempotency_key=key, config=config)


def _category_choices() -> tuple[list[dict], list[dict]]:
    """Categories for the picker (flat, for the script) and per board for the <select>."""
    boards = reference.boards()
    rows = reference.active_categories()
    kinds = {"component": _("components"), "event": _("events")}
    flat: list[dict] = []
    by_board: dict[str, list[dict]] = {b.code: [] for b in boards}
    by_board[OTHER] = []
    for c in rows:
        major = c.major_class_zh or c.code[:2]
        if c.kind in kinds:
            major = f"{major} · {kinds[c.kind]}"
        keys = search_keys(c.name_zh, tuple(c.synonyms or ()))
        item = {"code": c.code, "name": name_of(c), "zh": c.name_zh, "en": c.name_en,
                "initials": keys.initials, "pinyin": list(keys.pinyin), "words": list(keys.words),
                "board": c.board_code or OTHER,
                "major": c.code[:2], "majorName": major}
        flat.append(item)
        by_board.setdefault(item["board"], []).append(item)
    groups = [{"code": b.code, "name": name_of(b), "items": by_board[b.code]} for b in boards]
    if by_board[OTHER]:
        groups.append({"code": OTHER, "name": _("Other matters"), "items": by_board[OTHER]})
    return flat, groups


def _js_strings() -> dict:
    return {
        "search": _("Search: name, everyday word, code or pinyin"),
        "recent": _("Recently used"),
        "noMatch": _("No category matches."),
        "chosen": _("Chosen:"),
        "change": _("Change category"),
        "other": _("Other matters"),
        "locating": _("Finding your location…"),
        "inGrid": _("Grid: %(name)s"),
        "outside": _("Outside every grid: the street's dispatcher will route it."),
        "noPin": _("No pin yet: tap the map to set one, or the location will be taken from "
                   "the first photo's GPS."),
        "fromPhoto": _("Location taken from the photo's GPS (drag the pin to correct it)."),
        "noGps": _("Could not find your location."),
        "pinHint": _("Drag the pin or tap the map to correct the place."),
        "mapFailed": _("The grid map could not be loaded; the pin still works."),
        "preparing": _("Preparing photos…"),
        "tooMany": _("At most %(n)d photos.", n=current_app.config["MAX_PHOTOS"]),
        "photoFailed": _("This file could not be read as a photo."),
        "remove": _("Remove photo"),
        "photo": _("Photo"),
        "sending": _("Sending…"),
        "savedOffline": _("Saved on this phone; it will be sent when there is signal"),
        "pending": _("Reports waiting on this phone: %(n)s"),
        "sentPending": _("A report saved on this phone has been sent."),
        "submitted": _("Report submitted"),
        "number": _("Ticket number"),
        "board": _("Board"),
        "department": _("Handling department"),
        "routing": _("Being routed; the dispatcher will assign it."),
        "open": _("Open the ticket"),
        "another": _("File another report"),
        "needCategory": _("Choose a category."),
        "needDescription": _("Describe what you found."),
        "needLocation": _("Set the pin on the map, or attach a photo that carries GPS."),
        "signIn": _("You are signed out: sign in again, the report stays on this phone."),
        "failed": _("The report cannot be accepted."),
        "serverBusy": _("The server did not answer; the report stays on this phone."),
        "retrying": _("The server had a problem; they will be sent again automatically."),
        "refusedTitle": _("Not accepted: %(n)s reports"),
        "refusedHelp": _("The server did not accept these reports; the phone will not send "
                         "them again by itself. Tap “Fix and resend” to correct one, or "
                         "delete it."),
        "fix": _("Fix and resend"),
        "fixing": _("The report is back in the form: correct it and tap “Submit report”."),
        "cleaned": _("The report is back in the form; invisible characters were taken out of "
                     "the description. Check it and tap “Submit report”."),
        "deleteReport": _("Delete"),
        "confirmDelete": _("Delete this report from the phone? It has not been filed."),
        "replaceForm": _("Replace what is in the form now with this report?"),
        "fields": {"category": _("Incident category"), "description": _("Problem description"),
                   "location": _("Report location"), "photos": _("Photos"),
                   "idempotency_key": _("Form")},
    }
