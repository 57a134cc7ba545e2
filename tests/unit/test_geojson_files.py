"""GeoJSON in and out: a malformed file or feature is refused with words that say what is wrong
and where; the demo files are what their generators write, and valid GeoJSON."""

import json
from pathlib import Path

import geojson
import pytest

from boards.demo import make_grids, make_jurisdictions
from dispatch.services.geo_import import ImportProblems, geometry_problem, read_collection

DEMO = Path(make_grids.__file__).parent
SQUARE = [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]


@pytest.mark.parametrize(("geometry", "problem"), [
    (None, "geometry must be a Polygon or MultiPolygon"),
    ({"type": "Point", "coordinates": [0, 0]}, "geometry must be a Polygon or MultiPolygon"),
    ({"type": "Polygon", "coordinates": "0 0, 1 0"}, "coordinates must be nested arrays"),
    ({"type": "Polygon", "coordinates": 7}, "coordinates must be nested arrays"),
    ({"type": "Polygon", "coordinates": [[[0, 0], [1, "0"], [1, 1], [0, 0]]]},
     "coordinates must be nested arrays"),
    ({"type": "Polygon", "coordinates": [[0, 0], [1, 0], [1, 1], [0, 0]]},
     "a Polygon's coordinates nest 3 levels deep ([[[lon, lat], ...]]), these nest 2"),
    ({"type": "MultiPolygon", "coordinates": SQUARE},
     "a MultiPolygon's coordinates nest 4 levels deep ([[[[lon, lat], ...]]]), these nest 3"),
    ({"type": "Polygon", "coordinates": [SQUARE[0], 5]},
     "each element of a polygon's coordinates must be a list"),
    ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]},
     "each linear ring must contain at least 4 positions"),
    ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]},
     "each linear ring must end where it started"),
    ({"type": "Polygon", "coordinates": [[[0], [1, 0], [1, 1], [0]]]},
     "a position must have exactly 2 or 3 values (a position is [longitude, latitude])"),
    ({"type": "Polygon", "coordinates": []}, "the geometry has no coordinates"),
    ({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]},
     "invalid polygon: Self-intersection"),
    ({"type": "MultiPolygon", "coordinates": [SQUARE, [[[5, 5], [6, 5], [6, 6]]]]},
     "each linear ring must contain at least 4 positions"),
])
def test_a_malformed_geometry_is_named(geometry, problem):
    assert geometry_problem(geometry).startswith(problem)


@pytest.mark.parametrize("geometry", [
    {"type": "Polygon", "coordinates": SQUARE},
    {"type": "MultiPolygon", "coordinates": [SQUARE, [[[5, 5], [6, 5], [6, 6], [5, 5]]]]},
    {"type": "Polygon", "coordinates": [[[106.52550012345678, 29.5745], [106.5265, 29.5745],
                                         [106.5265, 29.5755], [106.52550012345678, 29.5745]]]},
])
def test_a_good_geometry_passes(geometry):
    assert geometry_problem(geometry) is None


@pytest.mark.parametrize(("text", "problem"), [
    ('{"type": "FeatureCollection", "features": [', "not valid JSON: Expecting value at line 1"),
    ('{"type": "FeatureCollection", "features": [], "bbox": [NaN, 0, 1, 1]}',
     "not valid JSON: NaN is not a number in JSON"),
])
def test_a_file_that_is_not_json_is_refused_with_where(tmp_path, text, problem):
    path = tmp_path / "grids.geojson"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ImportProblems) as caught:
        read_collection(str(path))
    assert caught.value.problems[0].startswith(f"{path}: {problem}")


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
