"""API errors carry codes for machines and words for people: the same bad request asked in
English and in Chinese gives the same `code` and `error_codes`, and `message` and `errors` in
the asker's language (Accept-Language; Chinese when there is none)."""

import re

import pytest

from tests.helpers import IN_GRID

pytestmark = pytest.mark.parametrize("backend", ["sqlite"])

CJK = re.compile(r"[\u4e00-\u9fff]")
EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}


def ask(api, request, language):
    """Send one of the bad requests below with the given Accept-Language."""
    username, method, path, kwargs = request(api)
    headers = api.headers(username) if username else {}
    headers.update(language)
    return getattr(api.client, method)(path, headers=headers, **kwargs)


def malformed_action(api):
    number = api.report().json["number"]
    return "worker1", "post", f"/api/v1/tickets/{number}/actions", {
        "json": {"action": "fly", "version": "one", "colour": "red"}}


def bad_report(api):
    return "worker1", "post", "/api/v1/incidents", {
        "data": {"description": "长" * 2001, "lat": "91", "lng": str(IN_GRID["lng"])},
        "content_type": "multipart/form-data"}


def unknown_department(api):
    number = api.report().json["number"]
    version = api.ticket(number)["version"]
    return "dispatcher", "post", f"/api/v1/tickets/{number}/actions", {
        "json": {"action": "dispatch", "version": version, "board": "livelihood",
                 "department": "nobody", "helpers": ["urban_mgmt.municipal", "ghost"]}}


def wrong_role(api):
    number = api.report().json["number"]
    return "worker1", "post", f"/api/v1/tickets/{number}/actions", {
        "json": {"action": "void", "version": 2, "reason": "测试"}}


def no_token(api):
    return None, "get", "/api/v1/me", {}


def no_such_path(api):
    return "worker1", "get", "/api/v1/nothing-here", {}


def bad_rules(api):
    return "admin", "put", "/api/v1/admin/routing-rules", {"json": {"version": 0, "rules": [
        {"id": "night-gas", "when": {"hours": {"from": "22:00", "to": "22:00"}},
         "then": {"board": "party", "department": "gas"}},
        {"id": "ghost", "then": {"board": "livelihood", "department": "nobody"}}]}}


@pytest.mark.parametrize("request_", [malformed_action, bad_report, unknown_department,
                                      wrong_role, no_token, no_such_path, bad_rules])
def test_the_same_codes_in_both_languages_and_the_words_in_each(api, request_):
    english, chinese = ask(api, request_, EN), ask(api, request_, ZH)
    assert english.status_code == chinese.status_code >= 400
    assert english.json["code"] == chinese.json["code"]
    assert english.json.get("error_codes") == chinese.json.get("error_codes")
    assert not CJK.search(english.json["message"]), english.json
    assert CJK.search(chinese.json["message"]), chinese.json
    for field, words in (english.json.get("errors") or {}).items():
        assert len(words) == len(chinese.json["errors"][field])
        assert not any(CJK.search(w) for w in words if "长" not in w), words
        assert all(CJK.search(w) for w in chinese.json["errors"][field]), field
    no_header = ask(api, request_, {})
    assert no_header.json["message"] == chinese.json["message"]  # Chinese first


def test_marshmallow_problems_are_codes_with_words_in_each_language(api):
    english, chinese = ask(api, malformed_action, EN).json, ask(api, malformed_action, ZH).json
    assert english["code"] == "invalid_input" and english["status"] == 422
    codes = english["error_codes"]
    assert codes["action"][0]["code"] == "one_of"
    assert "request_extension" in codes["action"][0]["params"]["choices"]
    assert codes["version"] == [{"code": "not_an_integer", "params": {}}]
    assert codes["colour"] == [{"code": "unknown_field", "params": {}}]
    assert english["message"] == "The action has errors."
    assert chinese["message"] == "操作参数有误。"
    assert english["errors"]["version"] == ["Not a whole number."]
    assert chinese["errors"]["version"] == ["不是整数。"]
    assert english["errors"]["colour"] == ["Unknown field."]
    assert chinese["errors"]["colour"] == ["未知字段。"]
    assert chinese["errors"]["action"][0].startswith("应为以下之一：")


def test_webargs_problems_of_a_report_are_codes_too(api):
    english, chinese = ask(api, bad_report, EN).json, ask(api, bad_report, ZH).json
    codes = english["error_codes"]
    assert codes["category"] == [{"code": "required", "params": {}}]
    assert codes["description"] == [{"code": "length_between",
                                     "params": {"min": 1, "max": 2000}}]
    assert codes["lat"] == [{"code": "between", "params": {"min": -90, "max": 90}}]
    assert english["errors"]["category"] == ["This field is required."]
    assert chinese["errors"]["category"] == ["此项必填。"]
    assert english["errors"]["description"] == ["Between 1 and 2000 characters."]
    assert chinese["errors"]["description"] == ["长度应为 1 到 2000 个字符。"]
    assert chinese["errors"]["lat"] == ["应在 -90 到 90 之间。"]


def test_domain_problems_name_things_in_the_askers_language(api):
    english, chinese = ask(api, unknown_department, EN).json, ask(api, unknown_department, ZH).json
    assert english["error_codes"] == {
        "department": [{"code": "unknown_department", "params": {"code": "nobody"}}],
        "helpers": [{"code": "unknown_department", "params": {"code": "ghost"}}]}
    assert english["message"] == "Unknown board or department."
    assert chinese["message"] == "板块或部门不存在。"
    assert english["errors"]["department"] == ["Unknown department nobody."]
    assert chinese["errors"]["department"] == ["未知部门 nobody。"]

    english, chinese = ask(api, wrong_role, EN).json, ask(api, wrong_role, ZH).json
    assert english["code"] == chinese["code"] == "forbidden"
    assert english["message"] == "The role “Grid worker” may not take the action “Void”."
    assert chinese["message"] == "“网格员”角色无权执行“作废”。"


def test_a_refusal_names_the_board_by_its_name(api):
    number = api.report().json["number"]
    body = {"action": "dispatch", "version": api.ticket(number)["version"],
            "board": "livelihood", "department": "police"}
    path = f"/api/v1/tickets/{number}/actions"
    english = api.client.post(path, json=body, headers=api.headers("dispatcher", **EN)).json
    chinese = api.client.post(path, json=body, headers=api.headers("dispatcher", **ZH)).json
    assert english["code"] == chinese["code"] == "invalid_parameters"
    assert english["message"] == ("Guanyinqiao Police Station does not serve board "
                                  "Livelihood services.")
    assert chinese["message"] == "观音桥派出所不服务“民生服务”板块。"
    assert english["errors"]["department"] == ["This department does not serve board "
                                               "Livelihood services."]


def test_routing_rule_problems_are_codes_naming_rule_and_field_in_each_language(api):
    english, chinese = ask(api, bad_rules, EN), ask(api, bad_rules, ZH)
    assert english.status_code == chinese.status_code == 422
    english, chinese, default = english.json, chinese.json, ask(api, bad_rules, {}).json
    assert english["code"] == chinese["code"] == "invalid_input"
    assert english["error_codes"] == chinese["error_codes"] == default["error_codes"] == {
        "rules": [
            {"code": "rule_empty_hours",
             "params": {"rule": "night-gas", "index": 1, "field": "when.hours",
                        "value": "22:00"}},
            {"code": "rule_department_not_on_board",
             "params": {"rule": "night-gas", "index": 1, "field": "then.department",
                        "department": "gas", "board": "party"}},
            {"code": "rule_unknown_department",
             "params": {"rule": "ghost", "index": 2, "field": "then.department",
                        "value": "nobody"}}]}
    assert english["message"] == "The routing rules were not changed."
    assert english["errors"]["rules"] == [
        "Rule night-gas can never match: its hours begin and end at 22:00.",
        "Rule night-gas: Chongqing Gas Jiangbei Branch does not serve board Party building.",
        "Rule ghost: unknown department nobody in then.department."]
    assert chinese["message"] == default["message"] == "派遣规则未修改。"
    assert chinese["errors"]["rules"] == default["errors"]["rules"] == [
        "规则 night-gas 永远不会命中：hours 的起止时间都是 22:00。",
        "规则 night-gas：重庆燃气江北分公司不服务“党的建设”板块。",
        "规则 ghost：then.department 中的部门 nobody 不存在。"]


def test_api_answers_say_they_vary_by_language(api):
    number = api.report().json["number"]
    for path in (f"/api/v1/tickets/{number}", "/api/v1/tickets/2026-999999"):
        assert "Accept-Language" in api.get("admin", path).headers.get("Vary", "")

