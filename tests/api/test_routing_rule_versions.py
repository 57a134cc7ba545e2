"""Routing rules are replaced as versions (issue 10, point 12): one PUT with `{"rules": []}` used
to erase all 43 rules at once, with no way back. Now a replace names the version it was made
from, an empty list must be confirmed, every version stays in the history, and rolling back is
one call."""

import yaml

from boards import DEMO_FOLDER
from dispatch.extensions import db
from dispatch.models import RoutingRule

RULES = "/api/v1/admin/routing-rules"


def _put(api, body, username="admin", **headers):
    return api.client.put(RULES, json=body, headers=api.headers(username, **headers))


def test_an_empty_list_erases_nothing_unless_confirmed(api, demo_rules):
    in_force = api.get("admin", RULES).json
    assert len(in_force["rules"]) == 43

    r = _put(api, {"rules": [], "version": in_force["version"]})
    assert r.status_code == 422
    assert r.json["error_codes"]["rules"] == [{"code": "empty_rule_set", "params": {}}]
    assert api.count(RoutingRule) == 43

    r = _put(api, {"rules": []})  # nor without saying which version it replaces
    assert (r.status_code, r.json["code"]) == (428, "version_required")
    assert api.count(RoutingRule) == 43

    r = _put(api, {"rules": [], "version": in_force["version"], "confirm_empty": True})
    assert r.status_code == 200 and r.json["rules"] == []
    assert r.json["version"] == in_force["version"] + 1
    assert api.count(RoutingRule) == 0


def test_a_replace_made_from_an_old_version_is_refused(api, demo_rules):
    first = api.get("admin", RULES)
    version = first.json["version"]
    assert first.headers["ETag"] == f'"{version}"'
    rules = first.json["rules"]

    r = _put(api, {"rules": rules[:40], "version": version})  # one admin's change
    assert r.status_code == 200 and r.json["version"] == version + 1
    r = _put(api, {"rules": rules[:30], "version": version})  # another's, from the old list
    assert (r.status_code, r.json["code"]) == (409, "stale_rule_set")
    assert r.json["message"] == (f"派遣规则已被他人替换（当前为第 {version + 1} 版）；"
                                 "请重新读取后再修改。")
    r = _put(api, {"rules": rules[:30]}, **{"If-Match": f'"{version}"'})  # If-Match alike
    assert (r.status_code, r.json["code"]) == (409, "stale_rule_set")
    assert api.count(RoutingRule) == 40
    r = _put(api, {"rules": rules[:30]}, **{"If-Match": f'"{version + 1}"'})
    assert r.status_code == 200 and len(r.json["rules"]) == 30


def test_every_version_is_kept_and_rolling_back_is_one_call(api, demo_rules):
    start = api.get("admin", RULES).json
    rules, version = start["rules"], start["version"]
    assert _put(api, {"rules": [], "version": version, "confirm_empty": True}).status_code == 200

    history = api.get("admin", f"{RULES}/versions").json
    assert [(h["version"], h["number_of_rules"], h["created_by"]) for h in history[:2]] == [
        (version + 1, 0, "admin"), (version, 43, None)]  # the demo's rules came from the CLI
    assert api.get("admin", f"{RULES}/versions/{version}").json["rules"] == rules

    r = api.client.post(f"{RULES}/versions/{version}/restore", headers=api.headers("admin"))
    assert r.status_code == 200, r.json
    assert r.json["version"] == version + 2 and r.json["rules"] == rules
    assert api.count(RoutingRule) == 43
    latest = api.get("admin", f"{RULES}/versions").json[0]
    assert (latest["source"], latest["restored_from"]) == ("restore", version)
    # routing uses the restored rules at once
    number = api.report().json["number"]
    assert api.ticket(number)["lead_department"] == "urban_mgmt.municipal"


def test_the_cli_keeps_versions_and_loading_the_same_file_again_is_no_new_one(app, api,
                                                                               tmp_path):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["import-jurisdictions",
                               f"{DEMO_FOLDER}/jurisdictions.geojson"]).exit_code == 0
    for _ in range(2):  # `make run` seeds the demo at every start
        result = runner.invoke(args=["load-rules", f"{DEMO_FOLDER}/rules.yaml"])
        assert result.exit_code == 0 and "Loaded 43 routing rules" in result.output
    history = api.get("admin", f"{RULES}/versions").json
    assert [(h["number_of_rules"], h["source"]) for h in history] == [(43, "cli")]

    empty = tmp_path / "rules.yaml"
    empty.write_text(yaml.safe_dump({"rules": []}), encoding="utf-8")
    result = runner.invoke(args=["load-rules", "--lang", "en", str(empty)])
    assert result.exit_code == 1 and "confirm_empty" in result.output
    assert api.count(RoutingRule) == 43
    result = runner.invoke(args=["load-rules", "--confirm-empty", str(empty)])
    assert result.exit_code == 0, result.output
    assert api.count(RoutingRule) == 0
    with app.app_context():
        db.session.query(RoutingRule).delete()
        db.session.commit()
