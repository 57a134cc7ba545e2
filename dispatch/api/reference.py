"""Reference data a client needs to file and route: categories, boards, departments, grids."""

from flask_smorest import Blueprint

from ..services import reference
from ..services.errors import NotFound
from ..services.geo_data import grid_feature_collection
from ..services.routing_context import current_index
from .auth import BEARER, auth_required
from .docs import errors
from .schemas import (
    BoardSchema,
    CategorySchema,
    DepartmentSchema,
    GridCollectionSchema,
    GridSchema,
    PointArgsSchema,
)

blp = Blueprint("reference", __name__, description="Boards, departments, categories, grids")


@blp.get("/categories")
@errors(blp, 401)
@blp.response(200, CategorySchema(many=True))
@blp.doc(security=BEARER)
@auth_required
def categories():
    """Active categories with their default board, department and time limit."""
    rows = reference.active_categories()
    return [{"code": c.code, "name_zh": c.name_zh, "name_en": c.name_en, "kind": c.kind,
             "major_class": c.major_class, "major_class_zh": c.major_class_zh,
             "board": c.board_code, "department": c.department.code if c.department else None,
             "time_limit": {"value": c.time_limit_value, "unit": c.time_limit_unit},
             "urgent": c.urgent, "synonyms": list(c.synonyms or [])} for c in rows]


@blp.get("/boards")
@errors(blp, 401)
@blp.response(200, BoardSchema(many=True))
@blp.doc(security=BEARER)
@auth_required
def boards():
    """The four boards."""
    return reference.boards()


@blp.get("/departments")
@errors(blp, 401)
@blp.response(200, DepartmentSchema(many=True))
@blp.doc(security=BEARER)
@auth_required
def departments():
    """Active departments and sections, with the boards each serves."""
    rows = reference.active_departments()
    return [{"code": d.code, "name_zh": d.name_zh, "name_en": d.name_en, "kind": d.kind,
             "parent": d.parent.code if d.parent else None,
             "boards": [b.code for b in d.boards]} for d in rows]


@blp.get("/grids")
@errors(blp, 401, 404, 422)
@blp.arguments(PointArgsSchema, location="query")
@blp.response(200, GridSchema)
@blp.doc(security=BEARER)
@auth_required
def grid_at(args):
    """The grid that holds a point (WGS-84), with its community and street."""
    cell = current_index().locate(args["lng"], args["lat"])
    if cell is None:
        raise NotFound("no_grid_here")
    grid = reference.grid_with_places(cell.code)
    community = grid.community
    return {"code": grid.code, "name_zh": grid.name_zh,
            "community": {"code": community.code, "name_zh": community.name_zh},
            "street": {"code": community.street.code, "name_zh": community.street.name_zh}}


@blp.get("/grids.geojson")
@errors(blp, 401)
@blp.alt_response(200, success=True, schema=GridCollectionSchema,
                  description="A GeoJSON FeatureCollection of every grid.")
@blp.doc(security=BEARER)
@auth_required
def grids_geojson():
    """Every grid as a GeoJSON FeatureCollection (for the map)."""
    return grid_feature_collection()
