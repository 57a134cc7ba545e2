"""The routing engine inside the system: the demo district's rules and jurisdictions loaded the
way an operator loads them, reports routed by the job, send-backs re-routed, duplicates caught,
suggestions offered, rules edited through the admin API without ever half-loading."""

import json

import pytest
import yaml

from boards import DEMO_FOLDER
from dispatch.core.coords import wgs84_to_gcj02
from dispatch.extensions import db
from dispatch.models import RoutingRule, Ticket
from dispatch.services import geo_import
from tests.helpers import IN_GRID, IN_GRID_2

NEAR_FIRST = {"lat": IN_GRID["lat"] + 0.0001, "lng": IN_GRID["lng"]}  # ~11 m away




def last_explanation(api, number):
    events = api.ticket(number)["events"]
    return next(e for e in reversed(events) if e["action"] in ("dispatch", "queue"))["data"][
        "explanation"]


def test_a_septic_tank_goes_to_sanitation_with_greening_and_municipal_helping(api, demo_rules):
    r = api.report(category="9999", description="小区化粪池满了需要清掏，要过绿化带还要占半边路")
    ticket = api.ticket(r.json["number"])
    assert ticket["state"] == "dispatched", ticket["routing"]
    assert ticket["lead_department"] == "urban_mgmt.sanitation"
    assert set(ticket["helpers"]) >= {"urban_mgmt.greening", "urban_mgmt.municipal"}
    explanation = last_explanation(api, ticket["number"])
    rule_step = next(s for s in explanation["steps"] if s["step"] == "rule" and s["decides"])
    assert {"kind": "keyword", "value": "化粪池"} in rule_step["matched"]


def test_a_send_back_is_re_routed_without_the_department_and_twice_goes_to_the_dispatcher(
        api, demo_rules):
    number = api.report(category="5203", description="楼顶在搭违章建筑").json["number"]
    first = api.ticket(number)["lead_department"]
    assert first is not None
    api.act(f"handler.{first.split('.')[-1]}", number, "send_back", reason="不归我们管")
    second = api.ticket(number)
    if second["state"] == "dispatched":  # the engine found someone else
        assert second["lead_department"] != first
        api.act(f"handler.{second['lead_department'].split('.')[-1]}", number, "send_back",
                reason="也不归我们")
    ticket = api.ticket(number)
    assert ticket["state"] == "reported" and ticket["lead_department"] is None
    codes = {step["code"] for step in last_explanation(api, number)["steps"]}
    assert codes & {"sent_back_too_often", "category_default_sent_back"}


def test_a_report_near_an_open_one_of_the_same_kind_waits_as_a_likely_duplicate(api, demo_rules):
    first = api.report(description="污水井盖缺失").json["number"]
    second = api.report(username="worker2", description="这里井盖没了", location=NEAR_FIRST)
    ticket = api.ticket(second.json["number"])
    assert ticket["state"] == "reported"
    explanation = last_explanation(api, ticket["number"])
    assert explanation["duplicate_of"]["number"] == first
    assert explanation["duplicate_of"]["metres"] <= 50
    assert api.act("dispatcher", ticket["number"], "merge", into=first).status_code == 200
    # the original is handled and closed: the merged report's reporter hears it
    api.act("handler.municipal", first, "accept")
    api.act("handler.municipal", first, "resolve", note="已更换")
    api.act("worker1", first, "verify")
    merged = api.ticket(ticket["number"], "dispatcher")
    assert merged["events"][-1]["action"] == "original_closed"
    assert merged["events"][-1]["data"] == {"original": first}
    # worker2 hears it too, without the number of worker1's report (test_other_tickets_numbers)
    assert api.ticket(ticket["number"], "worker2")["events"][-1]["action"] == "original_closed"


def test_a_far_report_is_not_a_duplicate(api, demo_rules):
    api.report(description="污水井盖缺失")
    other = api.report(username="worker2", description="井盖缺失", location=IN_GRID_2).json
    assert api.ticket(other["number"])["state"] == "dispatched"


def test_queued_reports_carry_learned_suggestions(api, demo_rules):
    for _ in range(3):  # history: sewer covers closed by the municipal section
        number = api.report(description="污水井盖破损", location=IN_GRID_2,
                            username="worker2").json["number"]
        api.act("handler.municipal", number, "accept")
        api.act("handler.municipal", number, "resolve", note="已修复")
        api.act("worker2", number, "verify")
    unclassified = api.report(category="9999", description="井盖破损不知道归谁").json["number"]
    explanation = last_explanation(api, unclassified)
    assert explanation["outcome"] == "queued"
    suggestions = explanation["suggestions"]
    assert suggestions[0]["department"] == "urban_mgmt.municipal"
    assert 0 < suggestions[0]["confidence"] <= 1


def test_a_point_picked_on_a_chinese_map_is_stored_in_wgs84(api):
    glon, glat = wgs84_to_gcj02(IN_GRID["lng"], IN_GRID["lat"])
    r = api.report(location={"lat": glat, "lng": glon}, coord_system="gcj02")
    assert r.status_code == 201, r.json
    assert r.json["location"]["lat"] == pytest.approx(IN_GRID["lat"], abs=1e-6)
    assert r.json["location"]["lng"] == pytest.approx(IN_GRID["lng"], abs=1e-6)
    assert api.ticket(r.json["number"])["grid"] == "500105001001001"


def test_admins_replace_rules_whole_or_not_at_all(api, demo_rules):
    in_force = api.get("admin", "/api/v1/admin/routing-rules").json
    before, version = in_force["rules"], in_force["version"]
    assert len(before) >= 30
    bad = before + [{"id": "broken", "then": {"board": "livelihood", "department": "nobody"}}]
    r = api.client.put("/api/v1/admin/routing-rules", json={"rules": bad, "version": version},
                       headers=api.headers("admin"))
    assert r.status_code == 422
    assert r.json["error_codes"]["rules"] == [{"code": "rule_unknown_department", "params": {
        "rule": "broken", "index": len(bad), "field": "then.department", "value": "nobody"}}]
    assert api.get("admin", "/api/v1/admin/routing-rules").json["rules"] == before
    r = api.client.put("/api/v1/admin/routing-rules", json={"rules": before[:5],
                                                            "version": version},
                       headers=api.headers("admin"))
    assert r.status_code == 200 and len(r.json["rules"]) == 5
    r = api.client.put("/api/v1/admin/routing-rules", json={"rules": before},
                       headers=api.headers("dispatcher"))
    assert r.status_code == 403


def test_imports_report_every_bad_feature_and_write_nothing(app):
    bow_tie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    open_ring = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}
    square = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}
    grids = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "500105001001901", "community":
                                           "500105001001"}, "geometry": bow_tie},
        {"type": "Feature", "properties": {"code": "500105001001902", "community":
                                           "500105001001"}, "geometry": open_ring},
        {"type": "Feature", "properties": {"code": "500105001001903", "community":
                                           "500105001001"}, "geometry": square},
        {"type": "Feature", "properties": {"code": "500105001001904", "community":
                                           "500105001001"}, "geometry": square},
        {"type": "Feature", "properties": {"code": "500105001001905", "community": "nowhere"},
         "geometry": {"type": "Polygon", "coordinates": [[[5, 5], [6, 5], [6, 6], [5, 5]]]}},
    ]}
    with app.app_context():
        count = db.session.query(Ticket).count()
        with pytest.raises(geo_import.ImportProblems) as err:
            geo_import.import_grids(grids)
        problems = err.value.problems
        assert [(p["code"], p["params"]["feature"]) for p in problems] == [
            ("feature_bad_geometry", "500105001001901"),
            ("feature_bad_geometry", "500105001001902"),
            ("grid_overlaps", "500105001001903"),
            ("feature_unknown_community", "500105001001905")]
        assert problems[0]["params"]["problem"]["code"] == "geometry_invalid_polygon"
        assert problems[1]["params"]["problem"] == {
            "code": "geometry_bad_rings",
            "params": {"reason": "each linear ring must end where it started"}}
        assert problems[2]["params"]["other"] == "500105001001904"
        assert problems[3]["params"]["value"] == "nowhere"
        from dispatch.models import Grid
        assert db.session.query(Grid).filter(Grid.code.like("5001050010019%")).count() == 0
        assert db.session.query(Ticket).count() == count


def test_the_cli_refuses_malformed_geojson_saying_what_and_where(app, tmp_path):
    runner = app.test_cli_runner()
    truncated = tmp_path / "truncated.geojson"
    truncated.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    result = runner.invoke(args=["import-grids", str(truncated)])  # Chinese unless asked
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output == (f"Error: 导入被拒绝，未写入任何内容。\n  {truncated}：第 1 行第 44 列"
                             "不是有效的 JSON（Expecting value）。\n")
    result = runner.invoke(args=["import-grids", "--lang", "en", str(truncated)])
    assert f"{truncated}: not valid JSON at line 1, column 44 (Expecting value)" in result.output
    malformed = tmp_path / "grids.geojson"
    malformed.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "500105001001901", "community":
                                           "500105001001"},
         "geometry": {"type": "Polygon", "coordinates": [[0, 0], [1, 0], [1, 1], [0, 0]]}},
        {"type": "Feature", "properties": {"code": "500105001001902", "community":
                                           "500105001001"},
         "geometry": {"type": "Polygon", "coordinates": [[[0], [1, 0], [1, 1], [0]]]}},
        {"type": "Feature", "properties": {"code": "500105001001903", "community":
                                           "500105001001"},
         "geometry": {"type": "Polygon", "coordinates": []}},
        ["not", "a", "feature"],
    ]}), encoding="utf-8")
    result = runner.invoke(args=["import-grids", "--lang", "en", str(malformed)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.splitlines()[-5:] == [  # after the progress bar's label
        "Error: The import was refused; nothing was written.",
        "  500105001001901: A Polygon's coordinates nest 3 levels deep ([[[lon, lat], ...]]); "
        "these nest 2.",
        "  500105001001902: A position breaks GeoJSON's rules (a position is [longitude, "
        "latitude]): a position must have exactly 2 or 3 values.",
        "  500105001001903: The geometry has no coordinates.",
        "  #4: not a GeoJSON Feature."]
    result = runner.invoke(args=["import-grids", str(malformed)])
    assert result.output.splitlines()[-4:] == [
        "  500105001001901：Polygon 的坐标应嵌套 3 层（[[[lon, lat], ...]]），这里嵌套了 2 层。",
        "  500105001001902：坐标点不符合 GeoJSON 规定（坐标点写作 [经度, 纬度]）：a position must "
        "have exactly 2 or 3 values。",
        "  500105001001903：几何图形没有坐标。",
        "  #4：不是 GeoJSON 要素（Feature）。"]
    from dispatch.models import Grid
    with app.app_context():
        assert db.session.query(Grid).filter(Grid.code.like("5001050010019%")).count() == 0


def test_the_cli_loads_rules_and_refuses_a_broken_file(app, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import-jurisdictions",
                                 f"{DEMO_FOLDER}/jurisdictions.geojson"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["load-rules", f"{DEMO_FOLDER}/rules.yaml"])
    assert result.exit_code == 0 and "Loaded" in result.output, result.output
    with open(f"{DEMO_FOLDER}/rules.yaml", encoding="utf-8") as fh:
        rules = yaml.safe_load(fh)["rules"]
    with app.app_context():
        loaded = [r.document for r in db.session.query(RoutingRule).order_by(
            RoutingRule.position)]
    assert loaded == rules
    broken = tmp_path / "rules.yaml"
    broken.write_text(yaml.safe_dump({"rules": rules[:3] + [{"id": "x", "then": {
        "board": "livelihood", "department": "gas"}, "when": {"jurisdictions": ["lake"]}}]},
        allow_unicode=True), encoding="utf-8")

    result = runner.invoke(args=["load-rules", str(broken)])  # Chinese unless asked
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output == ("Error: 派遣规则未修改。\n"
                             "  规则 x：when.jurisdictions 中的管辖区域 lake 不存在。\n")
    result = runner.invoke(args=["load-rules", "--lang", "en", str(broken)])
    assert result.exit_code == 1
    assert result.output == ("Error: The routing rules were not changed.\n"
                             "  Rule x: unknown jurisdiction lake in when.jurisdictions.\n")

    no_list = tmp_path / "empty.yaml"
    no_list.write_text("# rules: to come\n", encoding="utf-8")
    result = runner.invoke(args=["load-rules", "--lang", "en", str(no_list)])
    assert result.exit_code == 1 and "must be a list (rules: [...])" in result.output
    with app.app_context():  # nothing written: the rules loaded before are all still there
        assert [r.document for r in db.session.query(RoutingRule).order_by(
            RoutingRule.position)] == rules
