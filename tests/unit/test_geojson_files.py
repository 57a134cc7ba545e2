"""GeoJSON in and out: a malformed file or feature is refused with a coded problem that says what
is wrong and where; the demo files are what their generators write, and valid GeoJSON."""

import json
from pathlib import Path

import geojson
import pytest

from boards.demo import make_grids, make_jurisdictions
from dispatch.services.geo_import import ImportProblems, geometry_problem, read_collection

DEMO = Path(make_grids.__file__).parent
SQUARE = [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]


@pytest.mark.parametrize(("geometry", "code", "params"), [
    (None, "geometry_not_an_area", {}),
    ({"type": "Point", "coordinates": [0, 0]}, "geometry_not_an_area", {}),
    ({"type": "Polygon", "coordinates": "0 0, 1 0"}, "geometry_not_nested_numbers", {}),
    ({"type": "Polygon", "coordinates": 7}, "geometry_not_nested_numbers", {}),
    ({"type": "Polygon", "coordinates": [[[0, 0], [1, "0"], [1, 1], [0, 0]]]},
     "geometry_not_nested_numbers", {}),
    ({"type": "Polygon", "coordinates": [[0, 0], [1, 0], [1, 1], [0, 0]]},
     "geometry_wrong_depth",
     {"type": "Polygon", "wanted": 3, "depth": 2, "shape": "[[[lon, lat], ...]]"}),
    ({"type": "MultiPolygon", "coordinates": SQUARE}, "geometry_wrong_depth",
     {"type": "MultiPolygon", "wanted": 4, "depth": 3, "shape": "[[[[lon, lat], ...]]]"}),
    ({"type": "Polygon", "coordinates": [SQUARE[0], 5]}, "geometry_bad_rings",
     {"reason": "each element of a polygon's coordinates must be a list"}),
    ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]}, "geometry_bad_rings",
     {"reason": "each linear ring must contain at least 4 positions"}),
    ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]},
     "geometry_bad_rings", {"reason": "each linear ring must end where it started"}),
    ({"type": "Polygon", "coordinates": [[[0], [1, 0], [1, 1], [0]]]}, "geometry_bad_position",
     {"reason": "a position must have exactly 2 or 3 values"}),
    ({"type": "Polygon", "coordinates": []}, "geometry_no_coordinates", {}),
    ({"type": "MultiPolygon", "coordinates": [SQUARE, [[[5, 5], [6, 5], [6, 6]]]]},
     "geometry_bad_rings", {"reason": "each linear ring must contain at least 4 positions"}),
])
def test_a_malformed_geometry_is_named_by_a_code(geometry, code, params):
    assert geometry_problem(geometry) == {"code": code, "params": params}


def test_a_self_intersecting_polygon_carries_what_geos_says():
    found = geometry_problem({"type": "Polygon",
                              "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]})
    assert found["code"] == "geometry_invalid_polygon"
    assert found["params"]["reason"].startswith("Self-intersection")


@pytest.mark.parametrize("geometry", [
    {"type": "Polygon", "coordinates": SQUARE},
    {"type": "MultiPolygon", "coordinates": [SQUARE, [[[5, 5], [6, 5], [6, 6], [5, 5]]]]},
    {"type": "Polygon", "coordinates": [[[106.52550012345678, 29.5745], [106.5265, 29.5745],
                                         [106.5265, 29.5755], [106.52550012345678, 29.5745]]]},
])
def test_a_good_geometry_passes(geometry):
    assert geometry_problem(geometry) is None


@pytest.mark.parametrize(("text", "code", "params"), [
    ('{"type": "FeatureCollection", "features": [', "file_not_json",
     {"line": 1, "column": 44, "reason": "Expecting value"}),
    ('{"type": "FeatureCollection", "features": [], "bbox": [NaN, 0, 1, 1]}',
     "file_json_constant", {"value": "NaN"}),
    ('{"type": "FeatureCollection", "features": [], "bbox": [Infinity, 0, 1, 1]}',
     "file_json_constant", {"value": "Infinity"}),
    ('{"type": "FeatureCollection", "features": [], "bbox": [' + "1" * 5000 + ', 0, 1, 1]}',
     "file_unreadable_json", None),
])
def test_a_file_that_is_not_json_is_refused_with_where(tmp_path, text, code, params):
    path = tmp_path / "grids.geojson"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ImportProblems) as caught:
        read_collection(str(path))
    [found] = caught.value.problems
    assert found["code"] == code and found["params"]["file"] == str(path)
    if params is not None:
        assert found["params"] == {"file": str(path), **params}


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "grids.geojson"
    path.write_bytes('{"type": "FeatureCollection", "name": "网格"}'.encode("gbk"))
    with pytest.raises(ImportProblems) as caught:
        read_collection(str(path))
    assert caught.value.problems == [{"code": "file_not_utf8", "params": {"file": str(path)}}]


def test_a_file_is_read_with_its_coordinates_as_written(tmp_path):
    path = tmp_path / "grids.geojson"
    feature = {"type": "Feature", "properties": {"code": "x"}, "geometry": {
        "type": "Polygon", "coordinates": [[[106.52550012345678, 29.5745], [106.5265, 29.5745],
                                            [106.5265, 29.5755], [106.52550012345678, 29.5745]]]}}
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    assert read_collection(str(path))["features"] == [feature]


@pytest.mark.parametrize("module", [make_grids, make_jurisdictions])
def test_the_demo_files_are_their_generators_output_and_valid_geojson(module):
    collection = module.build()
    assert isinstance(collection, geojson.FeatureCollection) and collection.is_valid
    written = Path(module.OUT).read_text(encoding="utf-8")
    assert module.OUT.startswith(str(DEMO)) and make_grids.dump(collection) == written
    parsed = geojson.loads(written)
    assert parsed.is_valid and parsed.errors() == []
    assert all(geometry_problem(f["geometry"]) is None for f in parsed["features"])
