"""Codes into words: the one catalogue of what the system says, for the API and the pages alike.

Why: the core and the services speak in codes with parameters (refusals, field problems,
routing steps: ARCHITECTURE.md, "Codes, not sentences"). This module is where the shell turns
them into the asker's language, so an API client and a page say the same thing, in Chinese or
English, and nothing anywhere recognises English text to translate it. Message ids are English
(translations/zh_CN/messages.po); a parameter named after a kind of thing (board, department,
grid, category, state, action, role, ...) is shown by its name in the reader's language.

A code missing from the catalogue is shown as it came (a sentence someone forgot to code stays
readable); tests/unit/test_messages.py checks that every code the code base raises is here.
"""

from dataclasses import dataclass
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..services import reference

# --- the words for the system's own codes -----------------------------------------------------

STATES = {
    "reported": _l("Awaiting dispatch"), "dispatched": _l("Dispatched"),
    "accepted": _l("In hand"), "resolved": _l("Resolved, to verify"),
    "closed": _l("Closed"), "voided": _l("Voided"), "merged": _l("Merged"),
    "parked": _l("Parked"),
}
ACTIONS = {
    "report": _l("Reported"), "dispatch": _l("Dispatch"), "queue": _l("Sent to dispatch queue"),
    "sla_warning": _l("Deadline warning: the limit is nearly used up"),
    "escalate": _l("Escalated to the board leader: past the deadline"),
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
REQUESTS = {"extension": _l("extension"), "park": _l("parking")}
JURISDICTION_KINDS = {
    "park": _l("park"), "river_bank": _l("river bank"), "road_section": _l("road section"),
    "school_zone": _l("school zone"), "industrial_estate": _l("industrial estate"),
    "market": _l("market"), "construction_site": _l("construction site"),
}
TIME_LIMITS = {"working_days": _l("%(n)s working days"),
               "working_hours": _l("%(n)s working hours"),
               "clock_hours": _l("%(n)s hours round the clock")}
TIME_LIMIT_OF_ONE = {"working_days": _l("1 working day"), "working_hours": _l("1 working hour"),
                     "clock_hours": _l("1 hour round the clock")}  # English has a singular

TIME_LEFT = {"overdue_days": _l("%(n)s days overdue"),
             "overdue_hours": _l("%(n)s h overdue"),
             "overdue_minutes": _l("%(n)s min overdue"),
             "left_working_days": _l("%(n)s working days left"),
             "left_hours": _l("%(n)s h %(m)s min left"),
             "left_whole_hours": _l("%(n)s h left"),
             "left_minutes": _l("%(n)s min left")}
TIME_UNITS = {"working_days": _l("working days"), "working_hours": _l("working hours"),
              "clock_hours": _l("clock hours")}

MESSAGES = {
    # refusals: the `message` of an error answer
    "invalid_input": _l("The request has errors."),
    "form_has_errors": _l("The form has errors."),
    "action_has_errors": _l("The action has errors."),
    "report_refused": _l("The report cannot be accepted."),
    "missing_parameters": _l("%(action)s needs more information."),
    "unknown_action": _l("Unknown action %(action)s."),
    "role_may_not": _l("The role “%(role)s” may not take the action “%(action)s”."),
    "role_may_not_report": _l("The role “%(role)s” does not file reports."),
    "not_your_jurisdiction": _l("This ticket is not in your jurisdiction."),
    "stale_version": _l("Someone else changed this ticket (it is now at version "
                        "%(current)s)."),
    "not_in_this_state": _l("%(action)s is not possible while the ticket is %(state)s."),
    "no_pending_request": _l("%(action)s is not possible: there is no pending %(request)s "
                             "request."),
    "request_pending": _l("%(action)s is not possible: a %(request)s request is already "
                          "pending."),
    "department_not_on_board": _l("%(department)s does not serve board %(board)s."),
    "extension_hours_out_of_range": _l("The extra time is out of range."),
    "extension_without_time_limit": _l("This ticket has no time limit to extend."),
    "extension_amount_missing": _l("Give the extra time as an amount in the ticket's "
                                   "time-limit unit."),
    "extension_unit_mismatch": _l("Extensions of this ticket are asked in %(unit)s."),
    "extension_unit_is": _l("This ticket's time limit counts %(unit)s."),
    "ticket_not_found": _l("There is no ticket %(number)s."),
    "unknown_board_or_department": _l("Unknown board or department."),
    "database_unavailable": _l("The service is briefly unavailable; please try again in a "
                               "moment."),
    "photo_not_found": _l("There is no such photo."),
    "photo_not_ready": _l("The photo is still being processed."),
    "photos_refused": _l("A photo was refused."),
    "wrong_credentials": _l("Wrong username or password."),
    "token_expired": _l("The sign-in has expired; sign in again."),
    "token_invalid": _l("The token is not valid; sign in again."),
    "account_inactive": _l("The account is not active."),
    "token_revoked": _l("This sign-in was ended (signed out, or the password changed); sign in "
                        "again."),
    "unknown_user": _l("There is no account named %(username)s."),
    "password_too_short": _l("The password must have at least %(n)s characters."),
    "too_many_attempts": _l("Too many sign-in attempts; wait a few minutes and try again."),
    "bearer_required": _l("Send 'Authorization: Bearer <token>' (POST /api/v1/auth/token)."),
    "bad_idempotency_key": _l("The Idempotency-Key is not valid."),
    "json_object_required": _l("Send a JSON object (or a multipart form)."),
    "control_characters": _l("The text contains invisible control characters (such as NUL, "
                             "often pasted from another app); remove them. Only tabs and line "
                             "breaks are allowed."),
    "invalid_unicode": _l("The text is not valid Unicode (a lone surrogate)."),
    "json_too_deep": _l("The JSON is nested too deeply (at most %(max)s levels)."),
    "nameless_part": _l("A part of the multipart form has no name."),
    "files_in_unknown_field": _l("Files were sent under a field that is not read; send them as "
                                 "“%(field)s”."),
    "send_files_as": _l("Not read: send the files as “%(field)s”."),
    "idempotency_key_reused": _l("This Idempotency-Key was already used for a different report "
                                 "(ticket %(number)s); a new report needs a new key."),
    "no_grid_here": _l("The point lies outside every grid."),
    "board_summary_forbidden": _l("Board summaries are for leaders, dispatchers and admins."),
    "board_not_found": _l("There is no board %(code)s."),
    "street_not_found": _l("There is no street %(code)s."),
    "kpi_forbidden": _l("KPIs are for leaders, dispatchers, admins and a handler's own "
                        "department."),
    "invalid_scope": _l("A scope is all, or kind:code with kind one of department, board, "
                        "grid, community, street."),
    "admins_only": _l("Only administrators manage routing rules."),
    "console_forbidden": _l("The department console is for handlers and admins."),
    "dispatch_queue_forbidden": _l("The dispatch queue is for dispatchers and admins."),
    "not_bound_to_street": _l("Your account is not bound to a street."),
    "rules_not_changed": _l("The routing rules were not changed."),
    "empty_rule_set": _l("An empty list would remove every routing rule; send confirm_empty: "
                         "true if that is meant."),
    "stale_rule_set": _l("Someone else replaced the routing rules (they are now at version "
                         "%(current)s); reload them and make your change again."),
    "version_required": _l("Say which version of the routing rules you replace (version, or "
                           "an If-Match header)."),
    "rule_set_version_not_found": _l("There is no version %(version)s of the routing rules."),
    # routing-rule problems (core/rules.py): `rule` is the rule's id (or #n), `field` the
    # setting at fault as written in the rules file (when.categories, then.department, ...)
    "rules_not_a_list": _l("The routing rules must be a list (rules: [...])."),
    "rule_not_a_mapping": _l("Rule %(rule)s: a rule must be a mapping (id: ..., when: ..., "
                             "then: ...)."),
    "rule_part_not_a_mapping": _l("Rule %(rule)s: %(field)s must be a mapping."),
    "rule_bad_id": _l("Rule %(rule)s: the id must be 1 to 64 lowercase letters, digits and "
                      "dashes, starting with a letter or digit."),
    "rule_duplicate_id": _l("Rule %(rule)s (no. %(index)s): the id is already used by rule "
                            "no. %(first)s."),
    "rule_bad_stop": _l("Rule %(rule)s: stop must be true or false."),
    "rule_never_reached": _l("Rule %(rule)s can never match: rule %(by)s before it has no "
                             "conditions and stops."),
    "rule_not_a_list": _l("Rule %(rule)s: %(field)s must be a non-empty list."),
    "rule_empty_phrase": _l("Rule %(rule)s: %(field)s contains an empty phrase."),
    "rule_not_text": _l("Rule %(rule)s: %(field)s must be text."),
    "rule_unknown_condition": _l("Rule %(rule)s: unknown condition %(field)s."),
    "rule_unknown_action": _l("Rule %(rule)s: unknown action %(field)s."),
    "rule_unknown_category": _l("Rule %(rule)s: unknown category or major class %(value)s in "
                                "%(field)s."),
    "rule_phrases_required_and_forbidden": _l(
        "Rule %(rule)s can never match: required (keywords_all) and also forbidden "
        "(keywords_none): %(value)s."),
    "rule_any_phrases_forbidden": _l("Rule %(rule)s can never match: every phrase of "
                                     "keywords_any is also in keywords_none."),
    "rule_unknown_jurisdiction": _l("Rule %(rule)s: unknown jurisdiction %(value)s in "
                                    "%(field)s."),
    "rule_unknown_jurisdiction_kind": _l("Rule %(rule)s: unknown jurisdiction kind %(value)s "
                                         "in %(field)s."),
    "rule_unknown_street": _l("Rule %(rule)s: unknown street %(value)s in %(field)s."),
    "rule_unknown_community": _l("Rule %(rule)s: unknown community %(value)s in %(field)s."),
    "rule_unknown_grid": _l("Rule %(rule)s: unknown grid %(value)s in %(field)s."),
    "rule_bad_weekdays": _l("Rule %(rule)s: weekdays must be a non-empty list of days from 1 "
                            "(Monday) to 7 (Sunday)."),
    "rule_bad_priority": _l("Rule %(rule)s: %(field)s must be urgent or normal, not "
                            "%(value)s."),
    "rule_bad_hours": _l("Rule %(rule)s: hours must be written {from: \"HH:MM\", to: "
                         "\"HH:MM\"}, the times in quotes."),
    "rule_empty_hours": _l("Rule %(rule)s can never match: its hours begin and end at "
                           "%(value)s."),
    "rule_decides_nothing": _l("Rule %(rule)s decides nothing: give it a then: with at least "
                               "one action."),
    "rule_unknown_board": _l("Rule %(rule)s: unknown board %(value)s in %(field)s."),
    "rule_owner_needs_jurisdiction": _l("Rule %(rule)s: department @jurisdiction needs a "
                                        "jurisdictions or jurisdiction_kinds condition."),
    "rule_unknown_department": _l("Rule %(rule)s: unknown department %(value)s in "
                                  "%(field)s."),
    "rule_department_not_on_board": _l("Rule %(rule)s: %(department)s does not serve board "
                                       "%(board)s."),
    "rule_board_and_department_together": _l("Rule %(rule)s: board and department go "
                                             "together; %(field)s is missing."),
    "rule_bad_time_limit": _l("Rule %(rule)s: time_limit must be {value: a whole number above "
                              "0, unit: clock_hours, working_hours or working_days}."),
    # importing reference data and GeoJSON (services/reference_data.py, services/geo_import.py):
    # `feature` is a feature's id (or #n), `item` the code of a row in a data file; `reason`
    # carries the words of the JSON parser, the geojson package or GEOS as they gave them
    "reference_data_refused": _l("The reference data has errors; nothing was loaded."),
    "import_refused": _l("The import was refused; nothing was written."),
    "file_not_utf8": _l("%(file)s: not UTF-8 text."),
    "file_not_json": _l("%(file)s: not valid JSON at line %(line)s, column %(column)s "
                        "(%(reason)s)."),
    "file_json_constant": _l("%(file)s: not valid JSON: %(value)s is not a number in JSON."),
    "file_unreadable_json": _l("%(file)s: not valid JSON (%(reason)s)."),
    "not_a_feature_collection": _l("The file is not a GeoJSON FeatureCollection."),
    "features_not_a_list": _l("A FeatureCollection's features must be a list."),
    "not_a_feature": _l("%(feature)s: not a GeoJSON Feature."),
    "feature_properties_not_an_object": _l("%(feature)s: properties must be an object (with "
                                           "%(key)s)."),
    "feature_bad_geometry": _l("%(feature)s: %(problem)s"),
    "feature_duplicate_id": _l("%(feature)s: the id appears twice."),
    "feature_unknown_community": _l("%(feature)s: unknown community %(value)s."),
    "feature_unknown_department": _l("%(feature)s: unknown department %(value)s."),
    "feature_kind_required": _l("%(feature)s: kind is required."),
    "grid_code_not_15_digits": _l("%(feature)s: a grid code has 15 digits."),
    "grid_overlaps": _l("%(feature)s overlaps grid %(other)s."),
    "geometry_not_an_area": _l("The geometry must be a Polygon or MultiPolygon."),
    "geometry_not_nested_numbers": _l("The coordinates must be nested arrays of numbers."),
    "geometry_no_coordinates": _l("The geometry has no coordinates."),
    "geometry_wrong_depth": _l("A %(type)s's coordinates nest %(wanted)s levels deep (%(shape)s); "
                               "these nest %(depth)s."),
    "geometry_bad_rings": _l("The polygon's rings break GeoJSON's rules: %(reason)s."),
    "geometry_bad_position": _l("A position breaks GeoJSON's rules (a position is [longitude, "
                                "latitude]): %(reason)s."),
    "geometry_invalid_polygon": _l("Invalid polygon: %(reason)s."),
    "data_duplicate": _l("%(field)s: %(value)s appears twice."),
    "data_department_unknown_parent": _l("Department %(item)s: unknown parent department "
                                         "%(value)s."),
    "data_department_unknown_board": _l("Department %(item)s: unknown board %(value)s."),
    "data_category_unknown_board": _l("Category %(item)s: unknown board %(value)s."),
    "data_category_unknown_department": _l("Category %(item)s: unknown department %(value)s."),
    "data_category_department_not_on_board": _l("Category %(item)s: department %(value)s does not "
                                                "serve board %(board_code)s."),
    "data_category_bad_time_unit": _l("Category %(item)s: time_limit.unit must be clock_hours, "
                                      "working_hours or working_days."),
    "data_grid_unknown_community": _l("Grid %(item)s: unknown community %(value)s."),
    "data_grid_bad_geometry": _l("Grid %(item)s: %(problem)s"),
    "data_user_unknown_role": _l("User %(item)s: unknown role %(value)s."),
    "data_user_unknown": _l("User %(item)s: unknown %(field)s %(value)s."),
    # errors of HTTP itself (their code is the status's slug)
    "not_found": _l("Not found."),
    "method_not_allowed": _l("This method is not allowed here."),
    "request_entity_too_large": _l("The request is too large."),
    "bad_request": _l("The request is malformed."),
    "unsupported_media_type": _l("This content type is not supported."),
    "internal_error": _l("Internal error; it has been logged."),
    # field problems: the `errors` of an answer, the marked fields of a form
    "required": _l("This field is required."),
    "not_null": _l("This field may not be empty."),
    "invalid_value": _l("Invalid value."),
    "unknown_field": _l("Unknown field."),
    "not_a_string": _l("Not valid text."),
    "not_an_integer": _l("Not a whole number."),
    "not_a_number": _l("Not a valid number."),
    "not_a_finite_number": _l("Must be a finite number."),
    "number_too_large": _l("The number is too large."),
    "not_a_boolean": _l("Not true or false."),
    "not_a_list": _l("Not a list."),
    "not_a_mapping": _l("Not an object."),
    "not_a_date": _l("Not a valid date."),
    "not_a_datetime": _l("Not a valid date and time."),
    "length_between": _l("Between %(min)s and %(max)s characters."),
    "too_short": _l("At least %(min)s characters."),
    "too_long": _l("At most %(max)s characters."),
    "length_must_be": _l("Exactly %(equal)s characters."),
    "between": _l("Must be between %(min)s and %(max)s."),
    "at_least": _l("Must be at least %(min)s."),
    "at_most": _l("Must be at most %(max)s."),
    "one_of": _l("Must be one of: %(choices)s."),
    "invalid_json": _l("Not valid JSON."),
    "printable_characters": _l("%(min)s to %(max)s printable characters."),
    "period_end_before_start": _l("'to' must be after 'from'."),
    "period_too_long": _l("At most %(days)s days."),
    "unknown_board": _l("Unknown board %(code)s."),
    "unknown_department": _l("Unknown department %(code)s."),
    "unknown_category": _l("Unknown category %(code)s."),
    "unknown_ticket": _l("There is no ticket with this number."),
    "not_on_board": _l("This department does not serve board %(board)s."),
    "lead_cannot_help": _l("Must not include the lead department."),
    "merge_into_itself": _l("A ticket cannot be merged into itself."),
    "merge_target_not_open": _l("Can only merge into an open ticket."),
    "merge_across_streets": _l("Can only merge into a ticket of the same street."),
    "whole_number_between": _l("A whole number from %(min)s to %(max)s."),
    "photos_only_with_resolve": _l("Photos can only be attached when resolving."),
    "too_many_photos": _l("At most %(n)s photos."),
    "photo_too_large": _l("Photo %(n)s is larger than %(mb)s MB."),
    "upload_too_large": _l("The upload is larger than %(mb)s MB."),
    "photo_unusable": _l("Photo %(n)s is not a usable image (%(why)s)."),
    "photo_empty": _l("the file is empty"),
    "photo_not_an_image": _l("not an image"),
    "photo_truncated": _l("incomplete or damaged"),
    "photo_unsupported_format": _l("%(format)s is not accepted; use JPEG, PNG or WebP"),
    "photo_too_many_pixels": _l("too many pixels"),
    "photos_too_many_pixels": _l(
        "Together the photos have more than %(mp)s million pixels; send fewer or smaller ones."),
    "photo_budget_exceeded": _l(
        "Too many photos this hour (at most %(count)s photos or %(mp)s million pixels); "
        "try again later."),
    "location_required": _l("Give lat and lng, or a photo that carries GPS."),
    "lat_and_lng_together": _l("Give both lat and lng."),
    "coordinates_not_numbers": _l("Coordinates must be numbers."),
    "coordinates_not_finite": _l("Coordinates must be finite numbers."),
    "coordinates_out_of_range": _l("Latitude must be within ±90 and longitude within ±180."),
    "invalid_geometry": _l("Not a usable place."),
    # routing steps (core/routing.py, services/routing.py)
    "point_outside_grids": _l("The reported point lies outside every grid."),
    "point_snapped_to_grid": _l("The reported point lies %(metres)s m outside the grids; it "
                                "is taken to the nearest grid, %(grid)s."),
    "point_in_grid": _l("The reported point lies in grid %(grid)s."),
    "point_in_jurisdiction": _l("The point lies in %(name)s (%(kind)s), which "
                                "%(department)s looks after."),
    "sent_back_too_often": _l("Sent back %(n)s times: the dispatcher decides."),
    "place_unknown": _l("The point lies outside the grids and every jurisdiction: the ticket "
                        "waits in the street's dispatch queue."),
    "outside_grids_rule_only": _l("Outside the grids only a rule may decide, not the default "
                                  "of category %(category)s."),
    "nothing_decided": _l("The ticket waits in the street's dispatch queue for a dispatcher."),
    "rule_decided": _l("Rule “%(rule)s” matched (%(matched)s): board %(board)s, lead "
                       "department %(department)s."),
    "rule_added": _l("Rule “%(rule)s” matched (%(matched)s) and adds helping departments."),
    "no_rule_matched": _l("No routing rule matched."),
    "no_rule_decided": _l("No routing rule decided the lead department."),
    "category_default": _l("Category %(category)s belongs to board %(board)s; its default "
                           "department is %(department)s."),
    "category_default_sent_back": _l("The default department of category %(category)s, "
                                     "%(department)s, already sent this ticket back."),
    "category_no_default": _l("Category %(category)s has no usable default department: a "
                              "dispatcher has to choose."),
    "likely_duplicate": _l("Probably a duplicate of %(number)s: the dispatcher decides."),
    "likely_duplicate_elsewhere": _l("Probably a duplicate of another report %(metres)s m "
                                     "away: the dispatcher decides."),
}


# --- names of things, in the reader's language ------------------------------------------------

def name_of(obj) -> str:
    """A board, department, category, community or grid in the reader's language."""
    if obj is None:
        return ""
    english = str(get_locale()) == "en" and getattr(obj, "name_en", "")
    return english or obj.name_zh


class Names:
    """Codes in stored explanations, event data and message parameters → names in the
    reader's language. The names of every board, department, category and grid (a few hundred
    short rows) are read once, the first time one is asked for: fifty explanations cost what
    one does."""

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


def _labelled(labels: dict):
    return lambda value, names: str(labels.get(value, value))


_NAMED = {
    "board": lambda v, names: names.board(v),
    "department": lambda v, names: names.department(v),
    "departments": lambda v, names: names.department(v),
    "grid": lambda v, names: names.grid(v),
    "category": lambda v, names: names.category(v),
    "kind": _labelled(JURISDICTION_KINDS), "state": _labelled(STATES),
    "unit": _labelled(TIME_UNITS), "action": _labelled(ACTIONS), "role": _labelled(ROLES),
    "request": _labelled(REQUESTS),
}


def list_separator() -> str:
    return "、" if str(get_locale()).startswith("zh") else ", "


class _Words(dict):
    def __missing__(self, key):  # a message asking for a parameter the code did not give
        return ""


# --- rendering ----------------------------------------------------------------------------------

def render(code: str | dict, params: dict[str, Any] | None = None,
           names: Names | None = None) -> str:
    """A code (or a problem {code, params}) in words, in the request's language."""
    if isinstance(code, dict):
        code, params = code.get("code", ""), code.get("params")
    template = MESSAGES.get(code)
    if template is None:
        return str(code)
    names = names or Names()
    words = _Words({key: _word(key, value, names) for key, value in (params or {}).items()})
    return str(template) % words


def _word(key: str, value: Any, names: Names) -> Any:
    if isinstance(value, dict) and "code" in value:
        return render(value, names=names)
    if isinstance(value, (list, tuple, set, frozenset)):
        return list_separator().join(str(_word(key, v, names)) for v in value)
    if value is None:
        return ""
    named = _NAMED.get(key)
    return named(value, names) if named else value


def render_errors(errors: dict[str, list] | None,
                  names: Names | None = None) -> dict[str, list[str]]:
    """Field problems → {field: [words]}."""
    names = names or Names()
    return {field: [render(p, names=names) for p in items]
            for field, items in (errors or {}).items()}


def time_limit_text(limit) -> str:
    """A time limit (value, unit) in words: "1 小时（自然时）", "3 working days"."""
    if limit.value == 1 and limit.unit in TIME_LIMIT_OF_ONE:
        return str(TIME_LIMIT_OF_ONE[limit.unit])
    return str(TIME_LIMITS.get(limit.unit, "%(n)s")) % {"n": limit.value}


def new_deadline_text(local_due, amount: int, unit: str) -> str:
    """What granting an extension does, in words: "新截止时间：12月9日 17:30（延长 3 个工作日）".
    `local_due` is on the street's wall clock; None while no clock runs (parked, undispatched)."""
    asked = amount_text(amount, unit)
    if local_due is None:
        return _("No deadline runs now (the clock starts at dispatch and stops while parked); "
                 "it will run %(amount)s longer.", amount=asked)
    when = _("%(month)s/%(day)s %(time)s", month=local_due.month, day=local_due.day,
             time=local_due.strftime("%H:%M"))
    return _("New deadline: %(when)s (extended by %(amount)s)", when=when, amount=asked)


def amount_text(amount: int, unit: str) -> str:
    """An amount of time in a time-limit unit, in words: "3 个工作日", "1 hour round the clock"."""
    return time_limit_text(_Limit(amount, unit))


@dataclass(frozen=True)
class _Limit:
    value: int
    unit: str


# --- routing explanations -----------------------------------------------------------------------

def time_left_text(left) -> str:
    """A deadline's time left (core.sla.TimeLeft) in the reader's words: "剩 1 小时 20 分"."""
    kind = "left_whole_hours" if left.kind == "left_hours" and not left.minutes else left.kind
    return str(TIME_LEFT.get(kind, "%(n)s")) % {"n": left.value, "m": left.minutes}


def step_text(step: dict, names: Names | None = None) -> str:
    """One routing step in words. Steps stored before they carried codes keep their text."""
    if "code" not in step:
        return str(step.get("text", ""))
    return render(step["code"], step.get("params"), names)


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
    lines = [{"ok": bool(step.get("ok", True)), "text": step_text(step, names)}
             for step in explanation.get("steps") or []]
    suggestions = explanation.get("suggestions") or []
    if suggestions:  # learned from past tickets; shown, never acted on automatically
        listed = list_separator().join(
            f"{names.department(s['department'])} {round(s['confidence'] * 100)}%"
            for s in suggestions)
        lines.append({"ok": True, "text": _("Suggested from tickets closed before (a dispatcher "
                                            "decides): %(list)s", list=listed)})
    if not lines and explanation.get("summary"):
        lines.append({"ok": explanation.get("outcome") == "dispatched",
                      "text": explanation["summary"]})
    return lines


def routing_summary(explanation: dict | None, names: Names | None = None) -> str:
    """The steps as one paragraph (Chinese sentences need no space between them)."""
    gap = "" if str(get_locale()).startswith("zh") else " "
    return gap.join(line["text"] for line in routing_lines(explanation, names))


def explanation_in_words(explanation: dict | None, names: Names | None = None) -> dict | None:
    """A stored explanation for the API: its codes as they are, plus each step's `text` and a
    `summary` in the asker's language."""
    if not explanation or explanation.get("by") == "dispatcher":
        return explanation
    names = names or Names()
    return {**explanation,
            "steps": [{**step, "text": step_text(step, names)}
                      for step in explanation.get("steps") or []],
            "summary": routing_summary(explanation, names)}
