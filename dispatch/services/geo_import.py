"""Importing grids and jurisdictions from GeoJSON: the file read as strict JSON, every feature
checked (GeoJSON's structure by the `geojson` package, then valid polygons, known references,
grids not overlapping beyond a tolerance), every bad one reported by its id as a coded problem
(the shell words it), and the whole file written in one transaction or not at all."""

import json
from collections.abc import Callable
from typing import Any

import geojson
from geojson.geometry import check_line_string
from shapely import STRtree
from shapely.geometry import shape
from shapely.validation import explain_validity
from sqlalchemy import select

from ..core.errors import problem
from ..extensions import db
from ..models import Community, Department, Grid, Jurisdiction

OVERLAP_TOLERANCE = 0.01  # share of the smaller polygon's area
Progress = Callable[[int, int], None]
_AREAS = {"Polygon": geojson.Polygon, "MultiPolygon": geojson.MultiPolygon}


class ImportProblems(ValueError):
    """A refused import: `problems` lists every problem found, each a coded problem whose params
    name the file or the feature (its id, or #n); the shell words them (http/messages.py)."""

    def __init__(self, problems: list[dict[str, Any]]):
        super().__init__("Import refused: " + "; ".join(
            f"{p['code']} {p['params']}" for p in problems))
        self.problems = problems


class _Constant(ValueError):
    pass


def _no_constant(name: str):
    raise _Constant(name)


def read_collection(path: str) -> dict:
    """A GeoJSON file's content as plain dicts (coordinates untouched); ImportProblems saying
    where if it is not UTF-8 JSON."""
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh, parse_constant=_no_constant)
    except UnicodeDecodeError:
        raise ImportProblems([problem("file_not_utf8", file=path)]) from None
    except json.JSONDecodeError as exc:  # `reason` is the JSON parser's own (English) words
        raise ImportProblems([problem("file_not_json", file=path, line=exc.lineno,
                                      column=exc.colno, reason=exc.msg)]) from None
    except _Constant as exc:  # NaN, Infinity
        raise ImportProblems([problem("file_json_constant", file=path,
                                      value=exc.args[0])]) from None
    except ValueError as exc:  # a number too long to read, ...
        raise ImportProblems([problem("file_unreadable_json", file=path,
                                      reason=str(exc))]) from None


def geometry_problem(geometry: Any) -> dict[str, Any] | None:
    """What is wrong with an area's GeoJSON geometry, as a coded problem (None: nothing): the
    structure by GeoJSON's rules (positions, rings of at least 4 positions ending where they
    started), then the polygon itself (self-intersections, empty). Where the `geojson` package
    or GEOS finds the fault, their own (English) words come along as `reason`."""
    if not isinstance(geometry, dict) or geometry.get("type") not in _AREAS:
        return problem("geometry_not_an_area")
    try:  # precision: validate the coordinates as written, not rounded to geojson's 6 places
        area = _AREAS[geometry["type"]](geometry.get("coordinates"), precision=15)
    except (TypeError, ValueError):
        return problem("geometry_not_nested_numbers")
    if not area["coordinates"]:
        return problem("geometry_no_coordinates")
    depth, first, wanted = 0, area["coordinates"], 3 if geometry["type"] == "Polygon" else 4
    while isinstance(first, list) and first:
        depth, first = depth + 1, first[0]
    if depth != wanted:
        brackets = "[" * (wanted - 1) + "[lon, lat], ...]" + "]" * (wanted - 2)
        return problem("geometry_wrong_depth", type=geometry["type"], wanted=wanted,
                       depth=depth, shape=brackets)
    errors = area.errors()  # the polygons and their rings
    if isinstance(errors, list):  # MultiPolygon: one message per bad polygon
        errors = errors[0] if errors else None
    if errors:
        return problem("geometry_bad_rings", reason=errors[0].lower() + errors[1:])
    polygons = area["coordinates"] if geometry["type"] == "MultiPolygon" else [
        area["coordinates"]]
    for ring in (ring for polygon in polygons for ring in polygon):
        error = check_line_string(ring)  # in rings that passed, only positions can be wrong
        if error:
            return problem("geometry_bad_position", reason=error)
    geom = shape(geometry)
    if not geom.is_valid:
        return problem("geometry_invalid_polygon", reason=explain_validity(geom))
    return None


def _check_features(collection: Any, id_key: str, problems: list[dict[str, Any]]):
    shapes: dict[str, Any] = {}
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        problems.append(problem("not_a_feature_collection"))
        return shapes
    features = collection.get("features")
    if not isinstance(features, list):
        problems.append(problem("features_not_a_list"))
        return shapes
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            problems.append(problem("not_a_feature", feature=f"#{number}"))
            continue
        props = feature.get("properties")
        if not isinstance(props, dict):
            problems.append(problem("feature_properties_not_an_object", feature=f"#{number}",
                                    key=id_key))
            continue
        fid = str(props.get(id_key) or f"#{number}")
        wrong = geometry_problem(feature.get("geometry"))
        if wrong:
            problems.append(problem("feature_bad_geometry", feature=fid, problem=wrong))
            continue
        if fid in shapes:
            problems.append(problem("feature_duplicate_id", feature=fid))
        shapes[fid] = (shape(feature["geometry"]), feature)
    return shapes


def import_grids(collection: dict, progress: Progress | None = None) -> int:
    problems: list[dict[str, Any]] = []
    shapes = _check_features(collection, "code", problems)
    communities = dict(db.session.execute(select(Community.code, Community.id)).all())
    codes = list(shapes)
    tree = STRtree([shapes[c][0] for c in codes]) if codes else None
    for code in codes:
        geom, feature = shapes[code]
        if len(code) != 15 or not code.isdigit():
            problems.append(problem("grid_code_not_15_digits", feature=code))
        if feature["properties"].get("community") not in communities:
            problems.append(problem("feature_unknown_community", feature=code,
                                    value=str(feature["properties"].get("community"))))
        for j in tree.query(geom, predicate="intersects"):
            other = codes[int(j)]
            if other <= code:
                continue
            overlap = geom.intersection(shapes[other][0]).area
            if overlap > OVERLAP_TOLERANCE * min(geom.area, shapes[other][0].area):
                problems.append(problem("grid_overlaps", feature=code, other=other))
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
    problems: list[dict[str, Any]] = []
    shapes = _check_features(collection, "id", problems)
    departments = dict(db.session.execute(select(Department.code, Department.id)).all())
    for fid, (_, feature) in shapes.items():
        props = feature["properties"]
        if props.get("department") not in departments:
            problems.append(problem("feature_unknown_department", feature=fid,
                                    value=str(props.get("department"))))
        if not props.get("kind"):
            problems.append(problem("feature_kind_required", feature=fid))
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
