"""First-level routing: a category and the grid a point falls in decide where a ticket goes,
and the decision explains itself."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dispatch.core.geo import GridCell, GridIndex
from dispatch.core.routing import CategoryFacts, route

GRIDS_FILE = Path(__file__).resolve().parents[2] / "boards" / "demo" / "grids.geojson"
STREET = "500105001"
SEWER_COVER = CategoryFacts("0102", "Sewer manhole cover", "livelihood", "urban_mgmt.municipal")
GENERAL = CategoryFacts("9999", "Other matters", None, None)
NO_BOARD = CategoryFacts("0901", "Orphan", None, "urban_mgmt.municipal")
IN_GRID_1 = (106.5260, 29.5767)  # inside 500105001001001


@pytest.fixture(scope="module")
def index() -> GridIndex:
    features = json.loads(GRIDS_FILE.read_text(encoding="utf-8"))["features"]
    return GridIndex(
        GridCell(f["properties"]["code"], f["properties"]["community"],
                 f["properties"]["code"][:9], f["geometry"])
        for f in features)


@pytest.fixture(scope="module")
def grid_1(index) -> GridCell:
    found = index.locate(*IN_GRID_1)
    assert found is not None and found.code == "500105001001001"
    return found


def test_a_categorised_report_in_a_grid_is_dispatched(grid_1):
    decision = route(SEWER_COVER, grid_1)
    assert decision.dispatch is True
    assert (decision.board, decision.department) == ("livelihood", "urban_mgmt.municipal")
    assert (decision.grid, decision.community, decision.street) == (
        "500105001001001", "500105001001", STREET)
    assert decision.helpers == ()
    explanation = decision.explanation()
    assert explanation["outcome"] == "dispatched"
    assert explanation["level"] == 1
    assert "500105001001001" in explanation["summary"]
    assert "0102" in explanation["summary"]
    assert all(step["ok"] for step in explanation["steps"])


def test_the_general_category_waits_in_the_dispatch_queue(grid_1):
    decision = route(GENERAL, grid_1)
    assert decision.dispatch is False
    assert (decision.board, decision.department) == (None, None)
    assert decision.grid == "500105001001001"  # the place is still known
    explanation = decision.explanation()
    assert explanation["outcome"] == "queued"
    assert "9999" in explanation["summary"]
    last = explanation["steps"][-1]
    assert last["ok"] is False
    assert "dispatch queue" in last["text"]


def test_a_category_without_board_is_queued(grid_1):
    explanation = route(NO_BOARD, grid_1).explanation()
    assert explanation["outcome"] == "queued"
    assert "no board" in explanation["summary"]


def test_a_point_outside_every_grid_is_queued(index):
    cell = index.locate(106.60, 29.60)
    assert cell is None
    decision = route(SEWER_COVER, cell)
    assert decision.dispatch is False
    assert (decision.grid, decision.community, decision.street) == (None, None, None)
    explanation = decision.explanation()
    assert explanation["outcome"] == "queued"
    assert "outside every grid" in explanation["summary"]
    assert "dispatch queue" in explanation["steps"][-1]["text"]


def test_an_inactive_default_department_is_queued(grid_1):
    decision = route(SEWER_COVER, grid_1, department_active=False)
    assert decision.dispatch is False
    assert decision.department is None
    explanation = decision.explanation()
    assert explanation["outcome"] == "queued"
    assert "active default department" in explanation["summary"]


@pytest.mark.parametrize("category", [SEWER_COVER, GENERAL, NO_BOARD], ids=lambda c: c.code)
@pytest.mark.parametrize("active", [True, False])
def test_the_same_input_gives_the_same_decision(grid_1, category, active):
    first = route(category, grid_1, department_active=active)
    assert all(route(category, grid_1, department_active=active) == first for _ in range(20))
    assert route(category, grid_1, department_active=active).explanation() == \
        first.explanation()


@settings(max_examples=300, deadline=None)
@given(lon=st.floats(106.5255, 106.5340), lat=st.floats(29.5745, 29.5790),
       category=st.sampled_from([SEWER_COVER, GENERAL, NO_BOARD]), active=st.booleans())
def test_routing_inside_the_demo_area_is_deterministic(index, lon, lat, category, active):
    cell = index.locate(lon, lat)
    decision = route(category, cell, department_active=active)
    assert index.locate(lon, lat) == cell
    assert route(category, index.locate(lon, lat), department_active=active) == decision
    assert decision.dispatch == (cell is not None and category is SEWER_COVER and active)
    if cell is not None:
        assert decision.grid == cell.code
        assert decision.grid.startswith(STREET)
        assert decision.street == STREET
    else:
        assert decision.grid is None
