"""Administration: the district's routing rules, read and replaced as one ordered list."""

from flask import g
from flask_smorest import Blueprint
from marshmallow import fields

from ..core.rules import RuleError
from ..http.validation import Schema
from ..services import policy
from ..services.errors import BadInput
from ..services.rules_admin import current_rules, replace_rules
from .auth import BEARER, auth_required

blp = Blueprint("admin", __name__, description="Administration (admins only)")


class RulesSchema(Schema):
    rules = fields.List(fields.Dict(), required=True,
                        metadata={"description": "ordered rules, as in docs/routing-rules.md"})


def _admin_only():
    policy.require(g.user, policy.Permission.ADMINISTER)


@blp.get("/admin/routing-rules")
@blp.response(200, RulesSchema)
@blp.doc(security=BEARER)
@auth_required
def get_rules():
    """The routing rules, in the order they are tried."""
    _admin_only()
    return {"rules": current_rules()}


@blp.put("/admin/routing-rules")
@blp.arguments(RulesSchema)
@blp.response(200, RulesSchema)
@blp.doc(security=BEARER)
@auth_required
def put_rules(body):
    """Replace every rule at once; any bad rule refuses the whole list (422, each problem)."""
    _admin_only()
    try:
        replace_rules(body["rules"])
    except RuleError as exc:
        # each problem is coded and names its rule and field (core/rules.py)
        raise BadInput("rules_not_changed", {"rules": exc.problems}) from exc
    return {"rules": current_rules()}
