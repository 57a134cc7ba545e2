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


DECIDES = {"board": "livelihood", "department": "gas"}


@pytest.mark.parametrize("rule, code, params", [
    ({"id": "x", "then": {"board": "livelihood", "department": "nobody"}},
     "rule_unknown_department", {"field": "then.department", "value": "nobody"}),
    ({"id": "x", "then": dict(DECIDES, helpers=["gas", "ghost"])},
     "rule_unknown_department", {"field": "then.helpers", "value": "ghost"}),
    ({"id": "x", "when": {"categories": ["7777"]}, "then": DECIDES},
     "rule_unknown_category", {"field": "when.categories", "value": "7777"}),
    ({"id": "x", "when": {"jurisdictions": ["lake"]}, "then": DECIDES},
     "rule_unknown_jurisdiction", {"field": "when.jurisdictions", "value": "lake"}),
    ({"id": "x", "when": {"jurisdiction_kinds": ["lake"]}, "then": DECIDES},
     "rule_unknown_jurisdiction_kind", {"field": "when.jurisdiction_kinds", "value": "lake"}),
    ({"id": "x", "when": {"streets": ["1"]}, "then": DECIDES},
     "rule_unknown_street", {"field": "when.streets", "value": "1"}),
    ({"id": "x", "when": {"communities": ["1"]}, "then": DECIDES},
     "rule_unknown_community", {"field": "when.communities", "value": "1"}),
    ({"id": "x", "when": {"grids": ["1"]}, "then": DECIDES},
     "rule_unknown_grid", {"field": "when.grids", "value": "1"}),
    ({"id": "x", "then": {"board": "party", "department": "gas"}},
     "rule_department_not_on_board",
     {"field": "then.department", "department": "gas", "board": "party"}),
    ({"id": "x", "then": {"board": "nowhere", "department": "gas"}},
     "rule_unknown_board", {"field": "then.board", "value": "nowhere"}),
    ({"id": "x", "then": {"department": "gas"}},
     "rule_board_and_department_together", {"field": "then.board"}),
    ({"id": "x", "when": {"keywords_all": ["井盖"], "keywords_none": ["井 盖"]}, "then": DECIDES},
     "rule_phrases_required_and_forbidden", {"field": "when.keywords_none", "value": ["井盖"]}),
    ({"id": "x", "when": {"keywords_any": ["井盖"], "keywords_none": ["井盖", "演练"]},
      "then": DECIDES}, "rule_any_phrases_forbidden", {"field": "when.keywords_any"}),
    ({"id": "x", "when": {"keywords_any": ["井盖", " "]}, "then": DECIDES},
     "rule_empty_phrase", {"field": "when.keywords_any"}),
    ({"id": "x", "when": {"keywords_any": "井盖"}, "then": DECIDES},
     "rule_not_a_list", {"field": "when.keywords_any"}),
    ({"id": "x", "when": {"hours": {"from": "08:00", "to": "08:00"}}, "then": DECIDES},
     "rule_empty_hours", {"field": "when.hours", "value": "08:00"}),
    ({"id": "x", "when": {"hours": {"from": 1320, "to": "06:00"}}, "then": DECIDES},
     "rule_bad_hours", {"field": "when.hours"}),
    ({"id": "x", "when": {"weekdays": [0, 8]}, "then": DECIDES},
     "rule_bad_weekdays", {"field": "when.weekdays"}),
    ({"id": "x", "when": {"priority": ["high"]}, "then": DECIDES},
     "rule_bad_priority", {"field": "when.priority", "value": "high"}),
    ({"id": "x", "then": dict(DECIDES, priority="high")},
     "rule_bad_priority", {"field": "then.priority", "value": "high"}),
    ({"id": "x", "then": dict(DECIDES, time_limit={"value": 0, "unit": "clock_hours"})},
     "rule_bad_time_limit", {"field": "then.time_limit"}),
    ({"id": "x", "then": {"board": "livelihood", "department": "@jurisdiction"}},
     "rule_owner_needs_jurisdiction", {"field": "then.department"}),
    ({"id": "X!", "then": DECIDES}, "rule_bad_id", {"field": "id"}),
    ({"then": DECIDES}, "rule_bad_id", {"field": "id"}),
    ({"id": "x", "when": {"colour": "red"}, "then": DECIDES},
     "rule_unknown_condition", {"field": "when.colour"}),
    ({"id": "x", "then": dict(DECIDES, colour="red")},
     "rule_unknown_action", {"field": "then.colour"}),
    ({"id": "x", "when": {"categories": ["01"]}}, "rule_decides_nothing", {"field": "then"}),
    ({"id": "x", "when": "always", "then": DECIDES},
     "rule_part_not_a_mapping", {"field": "when"}),
    ({"id": "x", "then": {"board": ["livelihood"], "department": "gas"}},
     "rule_not_text", {"field": "then.board"}),
    ({"id": "x", "then": DECIDES, "stop": "yes"}, "rule_bad_stop", {"field": "stop"}),
])
def test_bad_rules_are_refused_with_a_coded_problem_naming_rule_and_field(catalog, rule, code,
                                                                          params):
    with pytest.raises(RuleError) as err:
        compile_rules([GAS, rule], catalog)
    rule_name = rule.get("id") or "#2"
    assert {"code": code, "params": {"rule": rule_name, "index": 2, **params}} in \
        err.value.problems, err.value.problems


def test_a_rule_after_an_unconditional_stop_can_never_match(catalog):
    catch_all = {"id": "all", "then": {"board": "safety", "department": "police"}}
    with pytest.raises(RuleError) as err:
        compile_rules([catch_all, dict(GAS, id="later")], catalog)
    assert err.value.problems == [{"code": "rule_never_reached",
                                   "params": {"rule": "later", "index": 2, "by": "all"}}]


def test_every_problem_is_reported_at_once(catalog):
    with pytest.raises(RuleError) as err:
        compile_rules([{"id": "a", "then": {"board": "x", "department": "y"}},
                       {"id": "a", "then": {"board": "livelihood", "department": "gas"}},
                       "not a rule"],
                      catalog)
    assert [(p["code"], p["params"]["index"]) for p in err.value.problems] == [
        ("rule_unknown_board", 1), ("rule_unknown_department", 1), ("rule_duplicate_id", 2),
        ("rule_not_a_mapping", 3)]
    assert err.value.problems[2]["params"] == {"rule": "a", "index": 2, "field": "id",
                                               "first": 1}
    assert err.value.problems[3]["params"] == {"rule": "#3", "index": 3}


def test_the_rules_must_be_a_list(catalog):
    with pytest.raises(RuleError) as err:
        compile_rules({"gas-cover": GAS}, catalog)
    assert err.value.problems == [{"code": "rules_not_a_list", "params": {}}]


def test_the_index_only_offers_rules_that_could_match(catalog):
    ruleset = rules(catalog, GAS, NIGHT_NOISE, SCHOOL_HELP)
    assert [r.id for r in ruleset.candidates("0102", {"燃气"})] == ["gas-cover", "park-helper"]
    assert [r.id for r in ruleset.candidates("5001", set())] == ["park-helper"]
