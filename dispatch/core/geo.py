"""Which grid holds a point, answered from an in-memory spatial index.

Grids are indexed once per process (shapely STRtree) because a lookup runs for every report; the
database keeps GeoJSON and the index is rebuilt when the grid set changes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from shapely import STRtree
from shapely.geometry import Point, shape
from shapely.validation import explain_validity


class GeometryError(ValueError):
    """A coordinate or polygon that cannot be used."""


@dataclass(frozen=True)
class GridCell:
    code: str
    community_code: str
    street_code: str
    geometry: dict[str, Any]  # GeoJSON geometry, WGS-84 lon/lat


def check_point(lon: float, lat: float) -> None:
    """Refuse NaN, infinities and out-of-range coordinates before they reach the index."""
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (lon, lat)):
        raise GeometryError("Coordinates must be numbers.")
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise GeometryError("Coordinates must be finite numbers.")
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise GeometryError("Latitude must be within ±90 and longitude within ±180.")


class GridIndex:
    """Point → grid code. A point on a shared boundary goes to the lowest code, always."""

    def __init__(self, cells: Iterable[GridCell]):
        self.cells: list[GridCell] = sorted(cells, key=lambda c: c.code)
        shapes = []
        for cell in self.cells:
            geom = shape(cell.geometry)
            if not geom.is_valid:
                raise GeometryError(f"Grid {cell.code}: {explain_validity(geom)}")
            shapes.append(geom)
        self._shapes = shapes
        self._tree = STRtree(shapes)
        self._by_code = {c.code: c for c in self.cells}

    def __len__(self) -> int:
        return len(self.cells)

    def locate(self, lon: float, lat: float) -> GridCell | None:
        check_point(lon, lat)
        hits = self._tree.query(Point(lon, lat), predicate="intersects")
        if len(hits) == 0:
            return None
        return self.cells[int(min(hits))]  # cells are sorted by code

    def get(self, code: str) -> GridCell | None:
        return self._by_code.get(code)
