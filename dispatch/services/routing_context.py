"""What routing needs in memory, built once per process and rebuilt when the data changes:
the spatial index of grids and jurisdictions, the compiled rules, the active departments."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..core.geo import GridCell, GridIndex
from ..core.geo import Jurisdiction as JurisdictionArea
from ..core.rules import Catalog, RuleSet, compile_rules
from ..extensions import db
from ..models import (
    Board,
    Category,
    Community,
    Department,
    Grid,
    Jurisdiction,
    RoutingRule,
    Street,
)


@dataclass(frozen=True)
class RoutingContext:
    index: GridIndex
    rules: RuleSet
    departments: dict[str, frozenset[str]]  # active department → boards it serves


_cache: dict[str, tuple[tuple, RoutingContext]] = {}


def _signature() -> tuple:
    parts = []
    for model in (Grid, Jurisdiction, RoutingRule):
        parts.extend(db.session.execute(
            select(func.count(model.id), func.max(model.updated_at))).one())
    parts.extend(db.session.execute(select(func.count(Department.id)).where(
        Department.active.is_(True))).one())
    return tuple(parts)


def current_context() -> RoutingContext:
    """Cheap signature query each call; everything is rebuilt only when something moved."""
    signature = _signature()
    key = str(db.engine.url)
    cached = _cache.get(key)
    if cached is not None and cached[0] == signature:
        return cached[1]
    grids = db.session.scalars(
        select(Grid).options(joinedload(Grid.community).joinedload(Community.street))).all()
    areas = db.session.scalars(select(Jurisdiction).options(
        joinedload(Jurisdiction.department))).all()
    index = GridIndex(
        (GridCell(g.code, g.community.code, g.community.street.code, g.geometry) for g in grids),
        (JurisdictionArea(j.code, j.name_zh, j.kind, j.department.code, j.geometry)
         for j in areas))
    catalog = current_catalog()
    documents = db.session.scalars(select(RoutingRule.document)
                                   .order_by(RoutingRule.position)).all()
    context = RoutingContext(index, compile_rules(list(documents), catalog), catalog.departments)
    _cache[key] = (signature, context)
    return context


def current_index() -> GridIndex:
    return current_context().index


def current_catalog() -> Catalog:
    """What rules may refer to, read from the database."""
    departments = db.session.scalars(select(Department).where(Department.active.is_(True))
                                     .options(joinedload(Department.boards))).unique().all()
    return Catalog(
        boards=frozenset(db.session.scalars(select(Board.code))),
        departments={d.code: d.board_codes for d in departments},
        categories=frozenset(db.session.scalars(select(Category.code).where(
            Category.active.is_(True)))),
        streets=frozenset(db.session.scalars(select(Street.code))),
        communities=frozenset(db.session.scalars(select(Community.code))),
        grids=frozenset(db.session.scalars(select(Grid.code))),
        jurisdictions={code: kind for code, kind in db.session.execute(
            select(Jurisdiction.code, Jurisdiction.kind))})
