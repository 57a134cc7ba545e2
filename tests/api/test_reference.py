"""What a client reads before filing: who am I, boards, departments, categories, grids."""

import geojson
import pytest

from dispatch.core.lifecycle import ACTIONS
from tests.helpers import IN_GRID, OUTSIDE

pytestmark = pytest.mark.parametrize("backend", ["sqlite"])


@pytest.mark.parametrize("username, expected", [
    ("worker1", {"role": "grid_worker", "street": "500105001", "grid": "500105001001001"}),
    ("handler.sanitation", {"role": "handler", "department": "urban_mgmt.sanitation"}),
    ("leader.safety", {"role": "leader", "street": "500105001", "board": "safety"}),
    ("dispatcher", {"role": "dispatcher", "street": "500105001"}),
    ("admin", {"role": "admin"}),
])
def test_me_tells_the_role_and_what_it_is_bound_to(api, backend, username, expected):
    me = api.get(username, "/api/v1/me").json
    assert me["username"] == username
    assert expected.items() <= me.items()


def test_the_demo_district_has_four_boards_and_departments_and_categories_for_each(api, backend):
    boards = api.get("worker1", "/api/v1/boards").json
    assert [b["code"] for b in boards] == ["party", "economy", "livelihood", "safety"]
    assert boards[2]["name_zh"] == "民生服务"

    departments = {d["code"]: d for d in api.get("worker1", "/api/v1/departments").json}
    assert len(departments) >= 15
    sections = {c for c, d in departments.items() if d["parent"] == "urban_mgmt"}
    assert {"urban_mgmt.sanitation", "urban_mgmt.greening", "urban_mgmt.municipal"} <= sections

    categories = api.get("worker1", "/api/v1/categories").json
    assert len(categories) >= 40
    for board in ("party", "economy", "livelihood", "safety"):
        assert sum(c["board"] == board for c in categories) >= 8
    cover = next(c for c in categories if c["code"] == "0102")
    assert cover["urgent"] and cover["time_limit"]["unit"] == "clock_hours"
    assert cover["major_class"] == "01"
    other = next(c for c in categories if c["code"] == "9999")
    assert other["board"] is None and other["department"] is None


def test_categories_carry_the_everyday_words_a_worker_searches_by(api, backend):
    categories = {c["code"]: c for c in api.get("worker1", "/api/v1/categories").json}
    assert "摆摊" in categories["5301"]["synonyms"]
    assert "着火" in categories["5401"]["synonyms"]
    assert all(c["synonyms"] for c in categories.values())


def test_a_point_is_placed_in_its_grid(api, backend):
    r = api.get("worker1", "/api/v1/grids", query_string=IN_GRID)
    assert r.status_code == 200
    assert r.json["code"] == "500105001001001"
    assert r.json["community"]["name_zh"] == "洋河路社区"
    assert r.json["street"]["code"] == "500105001"
    outside = api.get("worker1", "/api/v1/grids", query_string=OUTSIDE)
    assert outside.status_code == 404 and outside.json["message"]
    bad = api.get("worker1", "/api/v1/grids", query_string={"lat": "nan", "lng": 1})
    assert bad.status_code == 422 and "lat" in bad.json["errors"]


def test_the_grids_come_as_geojson_for_the_map(api, backend):
    response = api.get("worker1", "/api/v1/grids.geojson")
    assert geojson.loads(response.get_data(as_text=True)).is_valid
    collection = response.json
    assert collection["type"] == "FeatureCollection"
    assert len(collection["features"]) == 40
    feature = collection["features"][0]
    assert feature["geometry"]["type"] == "Polygon"
    assert len(feature["properties"]["code"]) == 15


def test_the_openapi_document_describes_the_api(client, backend):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["info"]["title"] == "dispatch"
    for path in ("/api/v1/auth/token", "/api/v1/me", "/api/v1/incidents", "/api/v1/tickets",
                 "/api/v1/tickets/{number}", "/api/v1/tickets/{number}/actions",
                 "/api/v1/boards/{code}/summary", "/api/v1/grids", "/api/v1/grids.geojson",
                 "/api/v1/categories", "/api/v1/departments", "/api/v1/boards"):
        assert path in spec["paths"], path
    assert "bearerAuth" in spec["components"]["securitySchemes"]
    action_enum = spec["components"]["schemas"]["Action"]["properties"]["action"]["enum"]
    assert tuple(action_enum) == ACTIONS


def test_board_summaries_are_for_leaders_dispatchers_and_admins(api, backend):
    api.report()
    summary = api.get("leader", "/api/v1/boards/livelihood/summary").json
    assert summary["by_state"]["dispatched"] == 1 and summary["open"] == 1
    assert summary["today"]["new"] == 1 and summary["overdue"] == 0
    assert api.get("admin", "/api/v1/boards/livelihood/summary?street=500105001").json[
        "open"] == 1
    assert api.get("worker1", "/api/v1/boards/livelihood/summary").status_code == 403
    assert api.get("leader", "/api/v1/boards/nothing/summary").status_code == 404
