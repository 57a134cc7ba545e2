"""Request and response shapes of the API; they also write the OpenAPI document."""

from marshmallow import fields, validate
from marshmallow.validate import Length, OneOf, Range

from ..core.lifecycle import ACTIONS, State
from ..core.sla import UNITS
from ..http.validation import DecimalNumber, Schema, WholeNumber

MAX_PAGE = 10_000  # a list's deepest page: an offset no database overflows on


class TokenRequestSchema(Schema):
    username = fields.String(required=True, validate=Length(1, 64))
    password = fields.String(required=True, validate=Length(1, 256), load_only=True)


class TokenSchema(Schema):
    token = fields.String()


class MeSchema(Schema):
    username = fields.String()
    display_name = fields.String()
    role = fields.String()
    department = fields.String(allow_none=True)
    street = fields.String(allow_none=True)
    board = fields.String(allow_none=True)
    grid = fields.String(allow_none=True)


class BoardSchema(Schema):
    code = fields.String()
    name_zh = fields.String()
    name_en = fields.String()


class DepartmentSchema(Schema):
    code = fields.String()
    name_zh = fields.String()
    name_en = fields.String()
    kind = fields.String()
    parent = fields.String(allow_none=True)
    boards = fields.List(fields.String())


class TimeLimitSchema(Schema):
    value = fields.Integer()
    unit = fields.String()


class CategorySchema(Schema):
    code = fields.String()
    name_zh = fields.String()
    name_en = fields.String()
    kind = fields.String()
    major_class = fields.String()
    major_class_zh = fields.String()
    board = fields.String(allow_none=True)
    department = fields.String(allow_none=True)
    time_limit = fields.Nested(TimeLimitSchema)
    urgent = fields.Boolean()
    synonyms = fields.List(fields.String(), metadata={
        "description": "Everyday words for the category (摆摊 for 占道经营) that search finds"})


class PointArgsSchema(Schema):
    lat = DecimalNumber(required=True, validate=Range(-90, 90))
    lng = DecimalNumber(required=True, validate=Range(-180, 180))


class GridSchema(Schema):
    code = fields.String()
    name_zh = fields.String()
    community = fields.Dict()
    street = fields.Dict()


class IncidentFormSchema(Schema):
    category = fields.String(required=True, validate=Length(1, 8))
    description = fields.String(required=True, validate=Length(1, 2000))
    lat = DecimalNumber(validate=Range(-90, 90), load_default=None)
    lng = DecimalNumber(validate=Range(-180, 180), load_default=None)
    coord_system = fields.String(load_default="wgs84", validate=OneOf(["wgs84", "gcj02"]),
                                 metadata={"description": "gcj02: a point picked on a Chinese "
                                                          "map SDK; stored as WGS-84"})


class IncidentFilesSchema(Schema):
    photos = fields.List(fields.Raw(metadata={"type": "string", "format": "binary"}),
                         metadata={"description": "0 to 6 JPEG, PNG or WebP photos"})


class PhotoSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    status = fields.String()
    width = fields.Integer(allow_none=True)
    height = fields.Integer(allow_none=True)
    display_url = fields.String(allow_none=True)
    thumb_url = fields.String(allow_none=True)


class EventSchema(Schema):
    id = fields.Integer()
    action = fields.String()
    actor = fields.String(allow_none=True)
    actor_role = fields.String()
    from_state = fields.String(allow_none=True)
    to_state = fields.String()
    board = fields.String(allow_none=True)
    department = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    data = fields.Dict()
    created_at = fields.DateTime()


class TicketSchema(Schema):
    number = fields.String()
    state = fields.String()
    version = fields.Integer()
    category = fields.Dict()
    description = fields.String()
    location = fields.Dict()
    grid = fields.String(allow_none=True)
    community = fields.String(allow_none=True)
    street = fields.String(allow_none=True)
    reporter = fields.String()
    board = fields.String(allow_none=True)
    lead_department = fields.String(allow_none=True)
    helpers = fields.List(fields.String())
    pending_request = fields.String(allow_none=True)
    pending_hours = fields.Integer(allow_none=True)
    extension_hours = fields.Integer()
    rework_count = fields.Integer()
    send_back_count = fields.Integer()
    merged_into = fields.String(allow_none=True)
    created_at = fields.DateTime()
    dispatched_at = fields.DateTime(allow_none=True)
    accepted_at = fields.DateTime(allow_none=True)
    resolved_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    due_at = fields.DateTime(allow_none=True)
    priority = fields.String()
    sla = fields.Dict(allow_none=True, metadata={
        "description": "due_at, share of the limit used, traffic light green/yellow/red"})
    time_limit = fields.Nested(TimeLimitSchema, allow_none=True, metadata={
        "description": "the limit in force: a routing rule's, else the category's"})
    allowed_actions = fields.List(fields.String())
    routing = fields.Dict(allow_none=True, metadata={
        "description": "outcome and steps; each step has a `code` and `params` for machines "
                       "and `text` in the asker's language, with a `summary` of them all"})


class TicketDetailSchema(TicketSchema):
    events = fields.List(fields.Nested(EventSchema))
    photos = fields.List(fields.Nested(PhotoSchema))


class TicketPageSchema(Schema):
    items = fields.List(fields.Nested(TicketSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()


class TicketListArgsSchema(Schema):
    state = fields.String(validate=OneOf([s.value for s in State]))
    board = fields.String()
    department = fields.String()
    grid = fields.String()
    reporter = fields.String()
    sort = fields.String(load_default="newest", validate=OneOf(["newest", "urgency"]), metadata={
        "description": "newest: newest first. urgency: tickets whose clock runs by deadline "
                       "(overdue first, then least time left), then the rest, oldest first."})
    page = WholeNumber(load_default=1, validate=Range(1, MAX_PAGE))
    per_page = WholeNumber(load_default=20, validate=Range(1, 100))


class ActionSchema(Schema):
    action = fields.String(required=True, validate=OneOf(ACTIONS))
    version = WholeNumber(required=True)
    note = fields.String(validate=Length(max=2000))
    reason = fields.String(validate=Length(max=2000))
    board = fields.String()
    department = fields.String()
    helpers = fields.List(fields.String())
    into = fields.String(metadata={"description": "merge: the surviving ticket's number"})
    amount = WholeNumber(metadata={"description": (
        "request_extension: how much more time, counted in the ticket's time-limit unit "
        "(`time_limit.unit` on the ticket): working days, working hours or clock hours. "
        "3 on a working_days ticket moves the deadline by 3 working days of the working "
        "calendar (weekends and holidays skipped), not by 3 × 24 hours.")})
    unit = fields.String(validate=OneOf(UNITS), metadata={"description": (
        "request_extension: the unit `amount` is counted in. Optional; if given it must be "
        "the ticket's time-limit unit (422 extension_unit_mismatch otherwise), so a client "
        "states what it means.")})
    hours = WholeNumber(metadata={"description": (
        "request_extension, older form: extra hours of the clock's own kind (working hours "
        "for working_* limits, clock hours for clock_hours). Prefer `amount`.")})


class BoardSummarySchema(Schema):
    board = fields.String(allow_none=True)
    by_state = fields.Dict(keys=fields.String(), values=fields.Integer())
    open = fields.Integer()
    overdue = fields.Integer()
    today = fields.Dict()


class StreetArgsSchema(Schema):
    street = fields.String(validate=validate.Length(equal=9))


class KpiDurationsSchema(Schema):
    count = fields.Integer()
    median_hours = fields.Float(allow_none=True)
    p90_hours = fields.Float(allow_none=True)


class KpiScopeSchema(Schema):
    kind = fields.String()
    code = fields.String(allow_none=True)


class KpiPeriodSchema(Schema):
    start = fields.DateTime(metadata={"description": "local midnight of the first day"})
    end = fields.DateTime(metadata={"description": "local midnight after the last day"})


class KpiReportSchema(Schema):
    """core.kpi.as_dict: counts, rates (0..1, null with a zero denominator), durations."""

    scope = fields.Nested(KpiScopeSchema)
    period = fields.Nested(KpiPeriodSchema)
    due_to_close = fields.Integer()
    closed = fields.Integer()
    closed_on_time = fields.Integer()
    parked = fields.Integer()
    voided = fields.Integer()
    merged = fields.Integer()
    dispatched = fields.Integer()
    resolved = fields.Integer()
    resolved_on_time = fields.Integer()
    dispatch_events = fields.Integer()
    send_backs = fields.Integer()
    resolve_events = fields.Integer()
    reworks = fields.Integer()
    closure_rate = fields.Float(allow_none=True)
    on_time_closure_rate = fields.Float(allow_none=True)
    handling_rate = fields.Float(allow_none=True)
    on_time_handling_rate = fields.Float(allow_none=True)
    rework_rate = fields.Float(allow_none=True)
    bounce_rate = fields.Float(allow_none=True)
    time_to_dispatch = fields.Nested(KpiDurationsSchema)
    time_to_resolve = fields.Nested(KpiDurationsSchema)
    time_to_close = fields.Nested(KpiDurationsSchema)


class DepartmentScoreSchema(KpiReportSchema):
    composite = fields.Float(metadata={"description": "0-100 (README: KPIs)"})


class GridFeatureSchema(Schema):
    type = fields.String(metadata={"description": "Feature"})
    id = fields.String()
    geometry = fields.Dict(metadata={"description": "a GeoJSON Polygon (WGS-84)"})
    properties = fields.Dict()


class GridCollectionSchema(Schema):
    type = fields.String(metadata={"description": "FeatureCollection"})
    features = fields.List(fields.Nested(GridFeatureSchema))
