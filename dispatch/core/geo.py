"""Where a point is: its grid (and so community and street) and the jurisdictions it lies in.

Grids and jurisdiction polygons share one in-memory STRtree per process, because a lookup runs
for every report; the database keeps GeoJSON and the index is rebuilt when either set changes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from shapely import STRtree
from shapely.geometry import Point, shape
from shapely.ops import nearest_points
from shapely.validation import explain_validity

SNAP_METRES = 200.0
_M_PER_DEG_LAT = 110_574.0
_M_PER_DEG_LON_EQUATOR = 111_320.0


class GeometryError(ValueError):
    """A coordinate or polygon that cannot be used: .code says which kind of problem (for the
    shell to word), str(e) the details (for logs and the import commands)."""

    def __init__(self, message: str, code: str = "invalid_geometry"):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class GridCell:
    code: str
    community_code: str
    street_code: str
    geometry: dict[str, Any]  # GeoJSON geometry, WGS-84 lon/lat


@dataclass(frozen=True)
class Jurisdiction:
    id: str
    name: str
    kind: str
    department: str
    geometry: dict[str, Any]


@dataclass(frozen=True)
class Place:
    """The answer to "where is this report": its grid (None: outside every grid by more than
    the snapping distance), how far it was snapped, and the jurisdictions that contain it."""

    grid: GridCell | None
    snapped_metres: float | None = None
    jurisdictions: tuple[Jurisdiction, ...] = ()


def check_point(lon: float, lat: float) -> None:
    """Refuse NaN, infinities, booleans and out-of-range coordinates before the index."""
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (lon, lat)):
        raise GeometryError("Coordinates must be numbers.", "coordinates_not_numbers")
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise GeometryError("Coordinates must be finite numbers.", "coordinates_not_finite")
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise GeometryError("Latitude must be within ±90 and longitude within ±180.",
                            "coordinates_out_of_range")


def metres_between(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Haversine distance on a sphere: ample at street scale."""
    r = 6_371_008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def _valid_shape(geometry: dict[str, Any], label: str):
    try:
        geom = shape(geometry)
    except Exception as exc:  # shapely raises several types for malformed GeoJSON
        raise GeometryError(f"{label}: not a GeoJSON geometry ({exc})") from exc
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        raise GeometryError(f"{label}: expected a Polygon, got {geom.geom_type}")
    if not geom.is_valid:
        raise GeometryError(f"{label}: {explain_validity(geom)}")
    return geom


class GridIndex:
    """Point → grid and jurisdictions. On a shared boundary the lowest grid code wins, always."""

    def __init__(self, cells: Iterable[GridCell], jurisdictions: Iterable[Jurisdiction] = ()):
        self.cells: list[GridCell] = sorted(cells, key=lambda c: c.code)
        self.jurisdictions: list[Jurisdiction] = sorted(jurisdictions, key=lambda j: j.id)
        shapes = [_valid_shape(c.geometry, f"Grid {c.code}") for c in self.cells]
        shapes += [_valid_shape(j.geometry, f"Jurisdiction {j.id}") for j in self.jurisdictions]
        self._shapes = shapes
        self._n = len(self.cells)
        self._tree = STRtree(shapes)
        self._grid_tree = STRtree(shapes[: self._n]) if self._n else None
        self._by_code = {c.code: c for c in self.cells}

    def __len__(self) -> int:
        return len(self.cells)

    def locate(self, lon: float, lat: float) -> GridCell | None:
        """The grid containing the point (no snapping)."""
        return self.place(lon, lat, snap_metres=0).grid

    def place(self, lon: float, lat: float, snap_metres: float = SNAP_METRES) -> Place:
        check_point(lon, lat)
        point = Point(lon, lat)
        hits = sorted(int(i) for i in self._tree.query(point, predicate="intersects"))
        grids = [i for i in hits if i < self._n]
        found = tuple(self.jurisdictions[i - self._n] for i in hits if i >= self._n)
        if grids:
            return Place(self.cells[grids[0]], None, found)
        cell, distance = self._nearest(point, snap_metres)
        return Place(cell, distance, found)

    def _nearest(self, point: Point, snap_metres: float) -> tuple[GridCell | None, float | None]:
        if not snap_metres or self._grid_tree is None:
            return None, None
        lat_scale = _M_PER_DEG_LAT
        lon_scale = _M_PER_DEG_LON_EQUATOR * max(math.cos(math.radians(point.y)), 1e-6)
        reach = snap_metres / min(lat_scale, lon_scale)
        candidates = self._grid_tree.query(point.buffer(reach), predicate="intersects")
        best: tuple[float, str] | None = None
        for i in candidates:
            near = nearest_points(self._shapes[int(i)], point)[0]
            metres = metres_between(point.x, point.y, near.x, near.y)
            key = (round(metres, 3), self.cells[int(i)].code)
            if metres <= snap_metres and (best is None or key < best):
                best = key
        if best is None:
            return None, None
        return self._by_code[best[1]], best[0]

    def get(self, code: str) -> GridCell | None:
        return self._by_code.get(code)
