"""Administration: the district's routing rules, read and replaced as one ordered list, each
replace kept as a version that can be listed and restored."""

from flask import g, request
from flask_smorest import Blueprint
from marshmallow import fields

from ..core.errors import problem
from ..core.rules import RuleError
from ..http.validation import Schema
from ..services import policy
from ..services.errors import BadInput, RuleSetVersionRequired
from ..services.rules_admin import (
    current_rules,
    current_set,
    history,
    replace_rules,
    restore,
    rule_set,
)
from .auth import BEARER, auth_required
from .docs import errors

blp = Blueprint("admin", __name__, description="Administration (admins only)")

RULES = {"description": "ordered rules, as in docs/routing-rules.md"}


class RuleSetSchema(Schema):
    version = fields.Integer(metadata={
        "description": "the version in force (also the ETag); 0 before any rules were loaded"})
    rules = fields.List(fields.Dict(), metadata=RULES)
    created_at = fields.DateTime(allow_none=True)
    created_by = fields.String(allow_none=True)


class ReplaceRulesSchema(Schema):
    rules = fields.List(fields.Dict(), required=True, metadata=RULES)
    version = fields.Integer(strict=True, metadata={
        "description": "the version this list was made from (or send If-Match); a replace "
                       "that names neither is refused with 428, a stale one with 409"})
    confirm_empty = fields.Boolean(load_default=False, metadata={
        "description": "true to really remove every rule (an empty list is refused without)"})


class RuleSetVersionSchema(Schema):
    version = fields.Integer()
    number_of_rules = fields.Integer()
    source = fields.String(metadata={"description": "api, cli, restore or migration"})
    restored_from = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    created_by = fields.String(allow_none=True)


class RuleSetDetailSchema(RuleSetVersionSchema):
    rules = fields.List(fields.Dict(), metadata=RULES)


def _admin_only():
    policy.require(g.user, policy.Permission.ADMINISTER)


def _if_match() -> int | None:
    """The version an If-Match header names ("3", W/"3" or 3); None without one."""
    raw = (request.headers.get("If-Match") or "").strip()
    if not raw:
        return None
    value = raw.removeprefix("W/").strip('"')
    if not value.isdigit() or len(value) > 9:
        raise BadInput("invalid_input", {"If-Match": [problem("not_an_integer")]})
    return int(value)


def _version_json(row) -> dict:
    return {"version": row.version, "number_of_rules": row.rule_count, "source": row.source,
            "restored_from": row.restored_from, "created_at": row.created_at,
            "created_by": row.created_by.username if row.created_by else None}


def _in_force():
    latest = current_set()
    body = {"version": latest.version if latest else 0, "rules": current_rules(),
            "created_at": latest.created_at if latest else None,
            "created_by": latest.created_by.username if latest and latest.created_by else None}
    return body, 200, {"ETag": f'"{body["version"]}"'}


@blp.get("/admin/routing-rules")
@errors(blp, 401, 403)
@blp.response(200, RuleSetSchema, headers={"ETag": {
    "description": "the version in force, for If-Match", "schema": {"type": "string"}}})
@blp.doc(security=BEARER)
@auth_required
def get_rules():
    """The routing rules in force, in the order they are tried, and their version."""
    _admin_only()
    return _in_force()


@blp.put("/admin/routing-rules")
@errors(blp, 401, 403, 409, 422, 428)
@blp.arguments(ReplaceRulesSchema)
@blp.response(200, RuleSetSchema)
@blp.doc(security=BEARER, parameters=[{
    "in": "header", "name": "If-Match", "required": False, "schema": {"type": "string"},
    "description": "the version replaced (the ETag of GET), instead of `version`"}])
@auth_required
def put_rules(body):
    """Replace every rule at once, as a new version: say which version you replace (`version`
    or If-Match; 428 without, 409 if someone replaced them since); any bad rule refuses the
    whole list (422, each problem); an empty list needs `confirm_empty: true`."""
    _admin_only()
    expected = body.get("version")
    if expected is None:
        expected = _if_match()
    if expected is None:
        raise RuleSetVersionRequired("version_required")
    try:
        replace_rules(body["rules"], expected_version=expected, user=g.user,
                      confirm_empty=body["confirm_empty"], source="api")
    except RuleError as exc:
        # each problem is coded and names its rule and field (core/rules.py)
        raise BadInput("rules_not_changed", {"rules": exc.problems}) from exc
    return _in_force()


@blp.get("/admin/routing-rules/versions")
@errors(blp, 401, 403)
@blp.response(200, RuleSetVersionSchema(many=True))
@blp.doc(security=BEARER)
@auth_required
def rule_versions():
    """Every version of the routing rules, newest first: who replaced them, when, how."""
    _admin_only()
    return [_version_json(row) for row in history()]


@blp.get("/admin/routing-rules/versions/<int:version>")
@errors(blp, 401, 403, 404)
@blp.response(200, RuleSetDetailSchema)
@blp.doc(security=BEARER)
@auth_required
def rule_version(version):
    """One version of the routing rules, with its rules."""
    _admin_only()
    row = rule_set(version)
    return {**_version_json(row), "rules": row.documents}


@blp.post("/admin/routing-rules/versions/<int:version>/restore")
@errors(blp, 401, 403, 404, 409, 422)
@blp.response(200, RuleSetSchema)
@blp.doc(security=BEARER, parameters=[{
    "in": "header", "name": "If-Match", "required": False, "schema": {"type": "string"},
    "description": "optional: restore only if this is still the version in force (else 409)"}])
@auth_required
def restore_version(version):
    """Roll back: an earlier version becomes the next version, in force at once (checked
    against today's departments, categories and places like any replace)."""
    _admin_only()
    try:
        restore(version, g.user, expected_version=_if_match())
    except RuleError as exc:
        raise BadInput("rules_not_changed", {"rules": exc.problems}) from exc
    return _in_force()
