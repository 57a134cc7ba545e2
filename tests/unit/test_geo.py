"""Point → grid lookups against the 40 demo grids of boards/demo/grids.geojson."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from shapely.geometry import shape

from dispatch.core.geo import GeometryError, GridCell, GridIndex, check_point

GRIDS_FILE = Path(__file__).resolve().parents[2] / "boards" / "demo" / "grids.geojson"
FEATURES = json.loads(GRIDS_FILE.read_text(encoding="utf-8"))["features"]
CODES = sorted(f["properties"]["code"] for f in FEATURES)


def cell(feature: dict) -> GridCell:
    code = feature["properties"]["code"]
    return GridCell(code, feature["properties"]["community"], code[:9], feature["geometry"])


def ring(feature: dict) -> list[tuple[float, float]]:
    return [tuple(p) for p in feature["geometry"]["coordinates"][0]]


def shared_vertices() -> list[tuple[tuple[float, float], list[str]]]:
    """Every vertex that two or more grids have in common, with those grids' codes."""
    owners: dict[tuple[float, float], set[str]] = {}
    for feature in FEATURES:
        for vertex in ring(feature):
            owners.setdefault(vertex, set()).add(feature["properties"]["code"])
    return sorted((v, sorted(codes)) for v, codes in owners.items() if len(codes) > 1)


@pytest.fixture(scope="module")
def index() -> GridIndex:
    return GridIndex(cell(f) for f in FEATURES)


def test_the_demo_has_40_grids_in_one_street(index):
    assert len(FEATURES) == 40
    assert len(index) == 40
    assert {code[:9] for code in CODES} == {"500105001"}


@pytest.mark.parametrize("feature", FEATURES, ids=lambda f: f["properties"]["code"])
def test_the_centroid_of_a_grid_lies_in_that_grid(index, feature):
    centroid = shape(feature["geometry"]).centroid
    found = index.locate(centroid.x, centroid.y)
    assert found is not None
    assert found.code == feature["properties"]["code"]
    assert found.community_code == feature["properties"]["community"]
    assert found.street_code == "500105001"
    assert index.get(found.code) == found


@pytest.mark.parametrize("lon, lat", [(0.0, 0.0), (106.6, 29.6), (106.5254, 29.5770),
                                      (-122.4, 37.8)])
def test_a_point_outside_every_grid_finds_none(index, lon, lat):
    assert index.locate(lon, lat) is None


def test_an_unknown_code_is_none(index):
    assert index.get("500105001999999") is None


@pytest.mark.parametrize("vertex, owners", shared_vertices(), ids=str)
def test_a_shared_vertex_goes_to_the_lowest_code(index, vertex, owners):
    assert index.locate(*vertex).code == owners[0]


def test_a_corner_of_four_grids_always_gives_the_same_grid(index):
    corner = (106.526619, 29.576378)  # grids 001001 … 001004 meet here
    answers = {index.locate(*corner).code for _ in range(100)}
    assert answers == {"500105001001001"}


@pytest.mark.parametrize("a, b, lower", [
    ((106.526619, 29.576378), (106.526493, 29.577171), "500105001001001"),  # 001 | 002
    ((106.526619, 29.576378), (106.526526, 29.575449), "500105001001003"),  # 003 | 004
    ((106.52962, 29.579), (106.529652, 29.578161), "500105001005001"),  # 005001 | 005002
])
def test_a_point_on_a_shared_edge_goes_to_the_lower_code(index, a, b, lower):
    midpoint = ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
    owners = sorted(f["properties"]["code"] for f in FEATURES
                    if shape(f["geometry"]).intersects(shape(
                        {"type": "Point", "coordinates": midpoint})))
    assert len(owners) == 2 and owners[0] == lower  # the point really is on both grids
    assert index.locate(*midpoint).code == lower


@pytest.mark.parametrize("lon, lat", [
    pytest.param(math.nan, 29.5, id="nan-lon"),
    pytest.param(106.5, math.nan, id="nan-lat"),
    pytest.param(math.inf, 29.5, id="inf-lon"),
    pytest.param(106.5, -math.inf, id="minus-inf-lat"),
    pytest.param(106.5, 91.0, id="lat-91"),
    pytest.param(106.5, -91.0, id="lat-minus-91"),
    pytest.param(181.0, 29.5, id="lng-181"),
    pytest.param(-181.0, 29.5, id="lng-minus-181"),
    pytest.param("106.5", 29.5, id="string-lon"),
    pytest.param(106.5, "29.5", id="string-lat"),
    pytest.param(None, 29.5, id="none-lon"),
])
def test_unusable_coordinates_are_refused(index, lon, lat):
    with pytest.raises(GeometryError):
        check_point(lon, lat)
    with pytest.raises(GeometryError):
        index.locate(lon, lat)


@pytest.mark.parametrize("lon, lat", [(180, 90), (-180, -90), (0, 0), (106.53, 29.577)])
def test_coordinates_on_the_range_limits_are_usable(lon, lat):
    check_point(lon, lat)


def test_an_invalid_polygon_is_refused_naming_its_grid():
    bow_tie = {"type": "Polygon",
               "coordinates": [[[0.0, 0.0], [1.0, 1.0], [1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]]}
    good = [cell(f) for f in FEATURES[:3]]
    with pytest.raises(GeometryError, match="500105009009009"):
        GridIndex([*good, GridCell("500105009009009", "500105009009", "500105009", bow_tie)])


@pytest.mark.parametrize("lon, lat", [(True, False), (106.5, True)])
def test_booleans_are_not_coordinates(lon, lat):
    with pytest.raises(GeometryError):
        check_point(lon, lat)
