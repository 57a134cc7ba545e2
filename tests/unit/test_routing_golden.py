"""The demo district's rules route realistic reports where a dispatcher would: a golden table
worked out by hand from boards/demo/rules.yaml, plus properties that must hold for any input."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from dispatch.core.geo import GridCell, GridIndex, Jurisdiction
from dispatch.core.routing import CategoryFacts, Report, route
from dispatch.core.rules import Catalog, compile_rules

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "boards" / "demo"
TZ = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 11, 23, tzinfo=TZ)
BOARDS = {"party", "economy", "livelihood", "safety"}


def _load(name):
    text = (DEMO / name).read_text("utf-8")
    return json.loads(text) if name.endswith(".geojson") else yaml.safe_load(text)


CATEGORIES = {c["code"]: c for c in _load("categories.yaml")["categories"]}
DEPARTMENTS = {d["code"]: frozenset(d["boards"]) for d in _load("departments.yaml")["departments"]}
GRIDS = _load("grids.geojson")["features"]
AREAS = _load("jurisdictions.geojson")["features"]
CASES = yaml.safe_load((Path(__file__).parent / "routing_golden.yaml").read_text("utf-8"))["cases"]


@pytest.fixture(scope="module")
def engine():
    index = GridIndex(
        (GridCell(f["properties"]["code"], f["properties"]["community"],
                  f["properties"]["code"][:9], f["geometry"]) for f in GRIDS),
        (Jurisdiction(f["properties"]["id"], f["properties"]["name_zh"], f["properties"]["kind"],
                      f["properties"]["department"], f["geometry"]) for f in AREAS))
    catalog = Catalog(
        boards=frozenset(BOARDS), departments=DEPARTMENTS, categories=frozenset(CATEGORIES),
        streets=frozenset({"500105001"}),
        communities=frozenset(f["properties"]["community"] for f in GRIDS),
        grids=frozenset(f["properties"]["code"] for f in GRIDS),
        jurisdictions={f["properties"]["id"]: f["properties"]["kind"] for f in AREAS})
    return index, compile_rules(_load("rules.yaml")["rules"], catalog)


def facts(code: str) -> CategoryFacts:
    c = CATEGORIES[code]
    return CategoryFacts(code, c["name_zh"], c["board"], c["department"], c["urgent"])


def decide(engine, case, excluded=frozenset()):
    index, rules = engine
    hour, minute = map(int, case["hour"].split(":"))
    at = MONDAY + timedelta(days=case["weekday"] - 1, hours=hour, minutes=minute)
    report = Report(facts(case["category"]), case["description"], at, case.get("priority"))
    return route(report, index.place(case["lon"], case["lat"]), rules, departments=DEPARTMENTS,
                 excluded=excluded)


def test_the_golden_table_is_large_and_covers_every_board():
    assert len(CASES) >= 80
    boards = {c["expected"]["board"] for c in CASES if c["expected"] != "queue"}
    assert boards == BOARDS
    assert any(c["expected"] == "queue" for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_golden_report_goes_where_a_dispatcher_would_send_it(engine, case):
    decision = decide(engine, case)
    summary = [(s["code"], s["params"]) for s in decision.explanation()["steps"]]
    if case["expected"] == "queue":
        assert not decision.dispatch, summary
        return
    expected = case["expected"]
    assert (decision.board, decision.department) == (expected["board"],
                                                     expected["department"]), summary
    assert set(decision.helpers) == set(expected.get("helpers") or []), summary


@settings(max_examples=200, deadline=None)
@given(case=st.sampled_from(CASES), lon=st.floats(106.520, 106.540),
       lat=st.floats(29.572, 29.582), category=st.sampled_from(sorted(CATEGORIES)))
def test_every_decision_names_one_of_the_four_boards_or_the_queue(engine, case, lon, lat,
                                                                  category):
    varied = dict(case, lon=lon, lat=lat, category=category)
    decision = decide(engine, varied)
    if decision.dispatch:
        assert decision.board in BOARDS
        assert decision.board in DEPARTMENTS[decision.department]
    else:
        assert decision.board is None and decision.department is None
    assert decision == decide(engine, varied)  # the same input, the same decision


@settings(max_examples=200, deadline=None)
@given(case=st.sampled_from([c for c in CASES if c["expected"] != "queue"]),
       extra=st.sets(st.sampled_from(sorted(DEPARTMENTS)), max_size=3))
def test_a_department_that_sent_a_ticket_back_is_never_chosen_again(engine, case, extra):
    first = decide(engine, case)
    refused = frozenset({first.department, *extra})
    again = decide(engine, case, excluded=refused)
    assert again.department not in refused
    assert not (set(again.helpers) & refused)
