"""Importing grids and jurisdictions from GeoJSON: the file read as strict JSON, every feature
checked (GeoJSON's structure by the `geojson` package, then valid polygons, known references,
grids not overlapping beyond a tolerance), every bad one reported by its id, and the whole file
written in one transaction or not at all."""

import json
from collections.abc import Callable
from typing import Any

import geojson
from geojson.geometry import check_line_string
from shapely import STRtree
from shapely.geometry import shape
from shapely.validation import explain_validity
from sqlalchemy import select

from ..extensions import db
from ..models import Community, Department, Grid, Jurisdiction

OVERLAP_TOLERANCE = 0.01  # share of the smaller polygon's area
Progress = Callable[[int, int], None]
_AREAS = {"Polygon": geojson.Polygon, "MultiPolygon": geojson.MultiPolygon}


class ImportProblems(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("Import refused:\n  " + "\n  ".join(problems))
        self.problems = problems


def _no_constant(name: str):
    raise ValueError(f"{name} is not a number in JSON")


def read_collection(path: str) -> dict:
    """A GeoJSON file's content as plain dicts (coordinates untouched); ImportProblems saying
    where if it is not UTF-8 JSON."""
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh, parse_constant=_no_constant)
    except UnicodeDecodeError:
        raise ImportProblems([f"{path}: not UTF-8 text"]) from None
    except json.JSONDecodeError as exc:
        raise ImportProblems([f"{path}: not valid JSON: {exc.msg} at line {exc.lineno}, "
                              f"column {exc.colno}"]) from None
    except ValueError as exc:  # NaN, Infinity
        raise ImportProblems([f"{path}: not valid JSON: {exc}"]) from None


def geometry_problem(geometry: Any) -> str | None:
    """What is wrong with an area's GeoJSON geometry, in words (None: nothing): the structure
    by GeoJSON's rules (positions, rings of at least 4 positions ending where they started),
    then the polygon itself (self-intersections, empty)."""
    if not isinstance(geometry, dict) or geometry.get("type") not in _AREAS:
        return "geometry must be a Polygon or MultiPolygon"
    try:  # precision: validate the coordinates as written, not rounded to geojson's 6 places
        area = _AREAS[geometry["type"]](geometry.get("coordinates"), precision=15)
    except (TypeError, ValueError):
        return "coordinates must be nested arrays of numbers"
    if not area["coordinates"]:
        return "the geometry has no coordinates"
    depth, first, wanted = 0, area["coordinates"], 3 if geometry["type"] == "Polygon" else 4
    while isinstance(first, list) and first:
        depth, first = depth + 1, first[0]
    if depth != wanted:
        brackets = "[" * (wanted - 1) + "[lon, lat], ...]" + "]" * (wanted - 2)
        return (f"a {geometry['type']}'s coordinates nest {wanted} levels deep ({brackets}), "
                f"these nest {depth}")
    errors = area.errors()
    if isinstance(errors, list):  # MultiPolygon: one message per bad polygon
        errors = errors[0] if errors else None
    if errors:
        return errors[0].lower() + errors[1:]
    polygons = area["coordinates"] if geometry["type"] == "MultiPolygon" else [
        area["coordinates"]]
    for ring in (ring for polygon in polygons for ring in polygon):
        error = check_line_string(ring)
        if error:
            return f"{error} (a position is [longitude, latitude])"
    geom = shape(geometry)
    if not geom.is_valid:
        return f"invalid polygon: {explain_validity(geom)}"
    return None


def _check_features(collection: Any, id_key: str, problems: list[str]):
    shapes: dict[str, Any] = {}
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        problems.append("not a GeoJSON FeatureCollection")
        return shapes
    features = collection.get("features")
    if not isinstance(features, list):
        problems.append("a FeatureCollection's features must be a list")
        return shapes
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            problems.append(f"#{number}: not a GeoJSON Feature")
            continue
        props = feature.get("properties")
        if not isinstance(props, dict):
            problems.append(f"#{number}: properties must be an object (with {id_key})")
            continue
        fid = str(props.get(id_key) or f"#{number}")
        problem = geometry_problem(feature.get("geometry"))
        if problem:
            problems.append(f"{fid}: {problem}")
            continue
        if fid in shapes:
            problems.append(f"{fid}: duplicate id")
        shapes[fid] = (shape(feature["geometry"]), feature)
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
