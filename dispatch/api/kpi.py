"""KPIs for any period and scope, computed by core.kpi with the rules of docs/kpi.md."""

from datetime import timedelta

from flask import g
from flask_smorest import Blueprint
from marshmallow import ValidationError, fields, validates_schema

from ..core import kpi
from ..core.errors import problem
from ..http.validation import Coded, Schema
from ..services import kpi as kpi_service
from ..services import policy
from ..services.errors import BadInput
from .auth import BEARER, auth_required
from .docs import errors
from .schemas import DepartmentScoreSchema, KpiReportSchema

blp = Blueprint("kpi", __name__, description="KPIs (docs/kpi.md)")
MAX_DAYS = 366


class PeriodArgs(Schema):
    start = fields.Date(data_key="from", required=True,
                        metadata={"description": "first local day (Asia/Shanghai)"})
    end = fields.Date(data_key="to", required=True, metadata={"description": "day after last"})

    @validates_schema
    def ordered(self, data, **kwargs):
        if data["end"] <= data["start"]:
            raise ValidationError(Coded("period_end_before_start"), "to")
        if data["end"] - data["start"] > timedelta(days=MAX_DAYS):
            raise ValidationError(Coded("period_too_long", days=MAX_DAYS), "to")


class KpiArgs(PeriodArgs):
    scope = fields.String(load_default="all", metadata={
        "description": "all, department:<code>, board:<code>, grid:<code>, community:<code> "
                       "or street:<code>"})


class DepartmentArgs(PeriodArgs):
    board = fields.String()


def _street_limit(scope: kpi.Scope | None) -> int | None:
    """Admins see everything; leaders and dispatchers their street; handlers their own
    department's figures only (core.policy.kpi_street_limit)."""
    return policy.kpi_street_limit(g.user, scope)


def _period(args) -> kpi.Period:
    return kpi_service.period_of(args["start"], args["end"])


@blp.get("/kpi")
@errors(blp, 401, 403, 422)
@blp.arguments(KpiArgs, location="query")
@blp.alt_response(200, success=True, schema=KpiReportSchema, description="The KPIs.")
@blp.doc(security=BEARER)
@auth_required
def kpi_report(args):
    """Closure, on-time closure, handling, on-time handling, rework and bounce rates, with
    counts and median / 90th-percentile durations, for one scope and period."""
    try:
        scope = kpi.Scope.parse(args["scope"])
    except ValueError as exc:
        raise BadInput("invalid_scope", {"scope": [problem("invalid_scope")]}) from exc
    return kpi_service.report(scope, _period(args), _street_limit(scope))


@blp.get("/kpi/departments")
@errors(blp, 401, 403, 422)
@blp.arguments(DepartmentArgs, location="query")
@blp.alt_response(200, success=True, schema=DepartmentScoreSchema(many=True),
                  description="Every department's KPIs and composite score, best first.")
@blp.doc(security=BEARER)
@auth_required
def department_ranking(args):
    """Every department's KPIs and composite score (10 % volume, 30 % closure, 30 % on-time
    handling, 30 % no rework), best first."""
    return kpi_service.department_scores(_period(args), args.get("board"), _street_limit(None))


