"""The routing engine on small, hand-made rule sets: each condition, the precedence between rules
and category defaults, send-back exclusions, unknown places, and the explanation it gives."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from dispatch.core.geo import GridCell, GridIndex, Jurisdiction
from dispatch.core.routing import CategoryFacts, Report, route
from dispatch.core.rules import Catalog, RuleError, compile_rules

ROOT = Path(__file__).resolve().parents[2]
TZ = ZoneInfo("Asia/Shanghai")
TUESDAY_10 = datetime(2026, 11, 24, 10, 0, tzinfo=TZ)
SATURDAY_23 = datetime(2026, 11, 28, 23, 0, tzinfo=TZ)
IN_GRID_1 = (106.5260, 29.5767)  # inside 500105001001001
SEWER = CategoryFacts("0102", "污水井盖", "livelihood", "urban_mgmt.municipal", urgent=True)
GARBAGE = CategoryFacts("5001", "暴露垃圾", "livelihood", "urban_mgmt.sanitation")
OTHER = CategoryFacts("9999", "其他事项", None, None)
PARK = {"type": "Polygon", "coordinates": [[[106.5255, 29.5760], [106.5275, 29.5760],
                                            [106.5275, 29.5775], [106.5255, 29.5775],
                                            [106.5255, 29.5760]]]}
DEPARTMENTS = {
    "urban_mgmt.municipal": frozenset({"livelihood", "safety"}),
    "urban_mgmt.sanitation": frozenset({"livelihood"}),
    "urban_mgmt.greening": frozenset({"livelihood"}),
    "urban_mgmt.enforcement": frozenset({"livelihood", "economy", "safety"}),
    "gas": frozenset({"livelihood", "safety"}),
    "police": frozenset({"safety"}),
    "traffic_police": frozenset({"safety"}),
    "justice": frozenset({"safety"}),
}


@pytest.fixture(scope="module")
def index() -> GridIndex:
    features = json.loads((ROOT / "boards/demo/grids.geojson").read_text("utf-8"))["features"]
    return GridIndex(
        (GridCell(f["properties"]["code"], f["properties"]["community"],
                  f["properties"]["code"][:9], f["geometry"]) for f in features),
        [Jurisdiction("park-test", "测试公园", "park", "urban_mgmt.greening", PARK)])


@pytest.fixture(scope="module")
def catalog(index) -> Catalog:
    return Catalog(boards=frozenset({"party", "economy", "livelihood", "safety"}),
                   departments=DEPARTMENTS, categories=frozenset({"0102", "0106", "5001", "9999",
                                                                  "0401"}),
                   streets=frozenset({"500105001"}),
                   communities=frozenset(c.community_code for c in index.cells),
                   grids=frozenset(c.code for c in index.cells),
                   jurisdictions={"park-test": "park"})


def rules(catalog, *raw):
    return compile_rules(list(raw), catalog)


def decide(index, ruleset, category=SEWER, text="井盖缺失", at=TUESDAY_10, point=IN_GRID_1,
           **kwargs):
    return route(Report(category, text, at), index.place(*point), ruleset,
                 departments=DEPARTMENTS, **kwargs)


def codes(decision) -> list[str]:
    """The explanation's steps as their codes (the words are the shell's business)."""
    return [step["code"] for step in decision.explanation()["steps"]]


GAS = {"id": "gas-cover", "description": "燃气井盖归燃气公司",
       "when": {"categories": ["01"], "keywords_any": ["燃气", "煤气"],
                "keywords_none": ["演练"]},
       "then": {"board": "livelihood", "department": "gas",
                "helpers": ["urban_mgmt.municipal"], "priority": "urgent",
                "time_limit": {"value": 1, "unit": "clock_hours"}}}
NIGHT_NOISE = {"id": "night-noise", "description": "夜间噪音找派出所",
               "when": {"keywords_all": ["噪音"], "hours": {"from": "22:00", "to": "06:00"}},
               "then": {"board": "safety", "department": "police"}}
SCHOOL_HELP = {"id": "park-helper", "description": "公园内加绿化科协助",
               "when": {"jurisdiction_kinds": ["park"]},
               "then": {"helpers": ["urban_mgmt.greening"], "note": "公园范围"}, "stop": False}
PARK_OWNER = {"id": "park-owner", "description": "公园绿化归公园管理单位",
              "when": {"categories": ["04"], "jurisdictions": ["park-test"]},
              "then": {"board": "livelihood", "department": "@jurisdiction"}}


def test_a_keyword_rule_decides_and_says_which_phrase_matched(index, catalog):
    decision = decide(index, rules(catalog, GAS), text="燃气井盖松动，有异味")
    assert (decision.board, decision.department) == ("livelihood", "gas")
    assert decision.helpers == ("urban_mgmt.municipal",)
    assert decision.priority == "urgent" and decision.time_limit == (1, "clock_hours")
    assert decision.decided_by == "gas-cover"
    step = next(s for s in decision.explanation()["steps"] if s["step"] == "rule")
    assert {"kind": "keyword", "value": "燃气"} in step["matched"]
    assert {"kind": "class", "value": "01"} in step["matched"]


def test_full_width_and_spaced_text_still_matches(index, catalog):
    decision = decide(index, rules(catalog, GAS), text="煤 气 井盖")
    assert decision.department == "gas"


def test_a_negative_keyword_stops_a_rule_and_the_category_default_takes_over(index, catalog):
    decision = decide(index, rules(catalog, GAS), text="燃气演练中井盖打开")
    assert decision.department == "urban_mgmt.municipal"
    assert decision.decided_by == "category"
    tried = next(s for s in decision.steps if s["step"] == "rules")["tried"]
    assert tried == [{"rule": "gas-cover", "failed": "keywords_none"}]


@pytest.mark.parametrize("at, expected", [
    (SATURDAY_23, "police"),
    (datetime(2026, 11, 28, 5, 59, tzinfo=TZ), "police"),
    (datetime(2026, 11, 28, 6, 0, tzinfo=TZ), None),
    (TUESDAY_10, None),
])
def test_hours_may_wrap_midnight(index, catalog, at, expected):
    decision = decide(index, rules(catalog, NIGHT_NOISE), category=OTHER, text="楼上噪音扰民",
                      at=at)
    assert decision.department == expected


def test_a_contributing_rule_adds_helpers_and_the_next_rule_decides(index, catalog):
    ruleset = rules(catalog, SCHOOL_HELP, PARK_OWNER)
    leaf = CategoryFacts("0401", "行道树", "livelihood", "urban_mgmt.municipal")
    decision = decide(index, ruleset, category=leaf, text="树枝折断", point=(106.5265, 29.5768))
    assert decision.department == "urban_mgmt.greening"  # the park's owner
    assert decision.decided_by == "park-owner"
    assert decision.note == "公园范围"
    assert decision.helpers == ()  # the lead is not also a helper
    kinds = [s["step"] for s in decision.steps]
    assert kinds[:3] == ["grid", "jurisdiction", "rule"] and kinds.count("rule") == 2


def test_the_first_matching_rule_wins(index, catalog):
    first = dict(GAS, id="first", then={"board": "safety", "department": "police"})
    decision = decide(index, rules(catalog, first, GAS), text="燃气井盖")
    assert decision.department == "police" and decision.decided_by == "first"


def test_a_department_that_sent_it_back_is_never_chosen_again(index, catalog):
    decision = decide(index, rules(catalog, GAS), text="燃气井盖", excluded=frozenset({"gas"}))
    assert decision.department == "urban_mgmt.municipal"
    tried = next(s for s in decision.steps if s["step"] == "rules")["tried"]
    assert tried == [{"rule": "gas-cover", "failed": "sent_back", "department": "gas"}]
    both = decide(index, rules(catalog, GAS), text="燃气井盖",
                  excluded=frozenset({"gas", "urban_mgmt.municipal"}))
    assert both.department is None and not both.dispatch
    assert codes(both)[-2:] == ["category_default_sent_back", "nothing_decided"]
    assert both.steps[-2]["params"] == {"category": "0102",
                                        "department": "urban_mgmt.municipal"}


def test_after_two_send_backs_the_dispatcher_decides(index, catalog):
    decision = decide(index, rules(catalog, GAS), text="燃气井盖", send_backs=2)
    assert not decision.dispatch
    assert codes(decision)[-2:] == ["sent_back_too_often", "nothing_decided"]
    assert decision.steps[-2]["params"] == {"n": 2}


def test_a_point_just_outside_the_grids_is_taken_to_the_nearest(index, catalog):
    south_west = (106.5255, 29.5745 - 0.0005)  # ~55 m south of the block's corner
    decision = decide(index, rules(catalog), point=south_west)
    assert decision.dispatch and decision.grid is not None
    step = decision.steps[0]
    assert step["step"] == "grid" and 40 < step["snapped_metres"] < 70


def test_a_point_far_from_every_grid_waits_for_the_dispatcher(index, catalog):
    decision = decide(index, rules(catalog), point=(106.60, 29.60))
    assert not decision.dispatch and decision.grid is None
    assert decision.explanation()["outcome"] == "queued"
    assert codes(decision) == ["point_outside_grids", "place_unknown"]


def test_the_general_category_is_routed_by_words_alone_or_queued(index, catalog):
    noise = rules(catalog, NIGHT_NOISE)
    assert decide(index, noise, category=OTHER, text="夜里噪音", at=SATURDAY_23).dispatch
    queued = decide(index, noise, category=OTHER, text="不知道归谁管")
    assert not queued.dispatch
    assert queued.steps[-1]["code"] == "nothing_decided"


@pytest.mark.parametrize("rule, problem", [
    ({"id": "x", "then": {"board": "livelihood", "department": "nobody"}},
     "unknown department nobody"),
    ({"id": "x", "when": {"categories": ["7777"]},
      "then": {"board": "livelihood", "department": "gas"}}, "unknown category or class 7777"),
    ({"id": "x", "when": {"jurisdictions": ["lake"]},
      "then": {"board": "livelihood", "department": "gas"}}, "unknown jurisdiction lake"),
    ({"id": "x", "then": {"board": "party", "department": "gas"}},
     "gas does not serve board party"),
    ({"id": "x", "when": {"keywords_all": ["井盖"], "keywords_none": ["井盖"]},
      "then": {"board": "livelihood", "department": "gas"}}, "can never match"),
    ({"id": "x", "when": {"hours": {"from": "08:00", "to": "08:00"}},
      "then": {"board": "livelihood", "department": "gas"}}, "can never match"),
    ({"id": "x", "when": {"weekdays": [0, 8]},
      "then": {"board": "livelihood", "department": "gas"}}, "weekdays"),
    ({"id": "x", "then": {"board": "livelihood", "department": "@jurisdiction"}},
     "needs a jurisdiction condition"),
    ({"id": "X!", "then": {"board": "livelihood", "department": "gas"}}, "id must be"),
    ({"id": "x", "when": {"colour": "red"}, "then": {"board": "livelihood",
                                                     "department": "gas"}},
     "unknown condition colour"),
])
def test_bad_rules_are_refused_with_a_message_naming_the_problem(catalog, rule, problem):
    with pytest.raises(RuleError) as err:
        compile_rules([rule], catalog)
    assert problem in str(err.value)


def test_a_rule_after_an_unconditional_stop_can_never_match(catalog):
    catch_all = {"id": "all", "then": {"board": "safety", "department": "police"}}
    with pytest.raises(RuleError, match="rule later: can never match: rule all"):
        compile_rules([catch_all, dict(GAS, id="later")], catalog)


def test_every_problem_is_reported_at_once(catalog):
    with pytest.raises(RuleError) as err:
        compile_rules([{"id": "a", "then": {"board": "x", "department": "y"}},
                       {"id": "a", "then": {"board": "livelihood", "department": "gas"}}],
                      catalog)
    assert len(err.value.problems) >= 3


def test_the_index_only_offers_rules_that_could_match(catalog):
    ruleset = rules(catalog, GAS, NIGHT_NOISE, SCHOOL_HELP)
    assert [r.id for r in ruleset.candidates("0102", {"燃气"})] == ["gas-cover", "park-helper"]
    assert [r.id for r in ruleset.candidates("5001", set())] == ["park-helper"]
