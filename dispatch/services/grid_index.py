"""One grid index per process, rebuilt only when the grid table changes."""

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..core.geo import GridCell, GridIndex
from ..extensions import db
from ..models import Community, Grid

_cache: dict[str, tuple[tuple, GridIndex]] = {}


def current_index() -> GridIndex:
    """Cheap signature query each call; the STRtree is rebuilt when count or last update moves."""
    signature = tuple(db.session.execute(
        select(func.count(Grid.id), func.max(Grid.updated_at))).one())
    key = str(db.engine.url)
    cached = _cache.get(key)
    if cached is not None and cached[0] == signature:
        return cached[1]
    grids = db.session.scalars(
        select(Grid).options(joinedload(Grid.community).joinedload(Community.street))).all()
    index = GridIndex(GridCell(g.code, g.community.code, g.community.street.code, g.geometry)
                      for g in grids)
    _cache[key] = (signature, index)
    return index
