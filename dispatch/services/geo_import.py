"""Importing grids and jurisdictions from GeoJSON: every feature checked (closed rings, valid
polygons, known references, grids not overlapping beyond a tolerance), every bad one reported by
its id, and the whole file written in one transaction or not at all."""

from collections.abc import Callable
from typing import Any

from shapely import STRtree
from shapely.geometry import shape
from shapely.validation import explain_validity
from sqlalchemy import select

from ..extensions import db
from ..models import Community, Department, Grid, Jurisdiction

OVERLAP_TOLERANCE = 0.01  # share of the smaller polygon's area
Progress = Callable[[int, int], None]


class ImportProblems(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("Import refused:\n  " + "\n  ".join(problems))
        self.problems = problems


def _rings_closed(geometry: dict) -> bool:
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [
        geometry["coordinates"]]
    return all(ring and ring[0] == ring[-1] and len(ring) >= 4
               for polygon in polygons for ring in polygon)


def _check_features(collection: dict, id_key: str, problems: list[str]):
    shapes: dict[str, Any] = {}
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        problems.append("not a GeoJSON FeatureCollection")
        return shapes
    for number, feature in enumerate(collection.get("features") or [], start=1):
        props = feature.get("properties") or {}
        fid = str(props.get(id_key) or f"#{number}")
        geometry = feature.get("geometry") or {}
        if geometry.get("type") not in ("Polygon", "MultiPolygon"):
            problems.append(f"{fid}: geometry must be a Polygon or MultiPolygon")
            continue
        if not _rings_closed(geometry):
            problems.append(f"{fid}: a ring is not closed (first point must equal last)")
            continue
        geom = shape(geometry)
        if not geom.is_valid:
            problems.append(f"{fid}: invalid polygon: {explain_validity(geom)}")
            continue
        if fid in shapes:
            problems.append(f"{fid}: duplicate id")
        shapes[fid] = (geom, feature)
    return shapes


def import_grids(collection: dict, progress: Progress | None = None) -> int:
    problems: list[str] = []
    shapes = _check_features(collection, "code", problems)
    communities = dict(db.session.execute(select(Community.code, Community.id)).all())
    codes = list(shapes)
    tree = STRtree([shapes[c][0] for c in codes]) if codes else None
    for code in codes:
        geom, feature = shapes[code]
        if len(code) != 15 or not code.isdigit():
            problems.append(f"{code}: grid codes have 15 digits")
        if feature["properties"].get("community") not in communities:
            problems.append(f"{code}: unknown community {feature['properties'].get('community')}")
        for j in tree.query(geom, predicate="intersects"):
            other = codes[int(j)]
            if other <= code:
                continue
            overlap = geom.intersection(shapes[other][0]).area
            if overlap > OVERLAP_TOLERANCE * min(geom.area, shapes[other][0].area):
                problems.append(f"{code}: overlaps grid {other}")
    if problems:
        raise ImportProblems(problems)
    return _write(codes, lambda code: _grid_row(code, shapes[code][1], communities), progress)


def _grid_row(code, feature, communities) -> None:
    row = db.session.scalar(select(Grid).where(Grid.code == code)) or Grid(code=code)
    row.community_id = communities[feature["properties"]["community"]]
    row.name_zh = feature["properties"].get("name_zh") or code
    row.geometry = feature["geometry"]
    db.session.add(row)


def import_jurisdictions(collection: dict, progress: Progress | None = None) -> int:
    problems: list[str] = []
    shapes = _check_features(collection, "id", problems)
    departments = dict(db.session.execute(select(Department.code, Department.id)).all())
    for fid, (_, feature) in shapes.items():
        props = feature["properties"]
        if props.get("department") not in departments:
            problems.append(f"{fid}: unknown department {props.get('department')}")
        if not props.get("kind"):
            problems.append(f"{fid}: kind is required")
    if problems:
        raise ImportProblems(problems)

    def write(fid):
        props = shapes[fid][1]["properties"]
        row = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == fid)) or \
            Jurisdiction(code=fid)
        row.name_zh, row.name_en = props.get("name_zh") or fid, props.get("name_en") or ""
        row.kind, row.department_id = props["kind"], departments[props["department"]]
        row.geometry = shapes[fid][1]["geometry"]
        db.session.add(row)
    return _write(list(shapes), write, progress)


def _write(keys: list[str], write: Callable[[str], None], progress: Progress | None) -> int:
    try:
        for done, key in enumerate(keys, start=1):
            write(key)
            if progress and (done % 500 == 0 or done == len(keys)):
                progress(done, len(keys))
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return len(keys)
