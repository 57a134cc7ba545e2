"""The ticket page, the handler's console and the dispatch queue through the Flask test client:
only the actions the lifecycle allows are offered, refusals are shown on the page (never a 500),
a stale form gives the current state with a warning, and nobody sees another's tickets."""

import io
import re
from datetime import timedelta

import pytest

from dispatch.extensions import db
from dispatch.models import Photo, Ticket
from tests.conftest import PASSWORD
from tests.helpers import OUTSIDE, ApiDriver, jpeg

pytestmark = pytest.mark.parametrize("backend", ["sqlite"])

# two more points inside the demo grids, a few hundred metres from IN_GRID and each other, so
# reports there are not taken for duplicates of each other
EAST = {"lat": 29.5760, "lng": 106.5300}
FAR_EAST = {"lat": 29.5752, "lng": 106.5332}
STALE_WARNING = "他人已更改此工单，以下为其当前状态。"


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": False}


@pytest.fixture
def api(app):
    return ApiDriver(app, app.test_client())


@pytest.fixture
def as_user(app):
    """as_user("handler.municipal") → a test client signed in as that person."""

    def sign_in(username):
        client = app.test_client()
        r = client.post("/login", data={"username": username, "password": PASSWORD})
        assert r.status_code == 302, r.data
        return client

    return sign_in


def offered(page: str) -> set[str]:
    """The actions the page offers a form for."""
    return set(re.findall(r'<input type="hidden" name="action" value="(\w+)">', page))


def act(client, number, action, **fields):
    version = fields.pop("version", None)
    if version is None:
        version = version_of(client.application, number)
    return client.post(f"/tickets/{number}/act",
                       data={"action": action, "version": str(version), **fields})


def version_of(app, number) -> int:
    with app.app_context():
        return db.session.scalar(db.select(Ticket.version).where(Ticket.number == number))


def state_of(app, number) -> str:
    with app.app_context():
        return db.session.scalar(db.select(Ticket.state).where(Ticket.number == number))


def test_the_page_shows_the_ticket_and_only_the_allowed_actions(api, as_user):
    number = api.report(photos=[jpeg()]).json["number"]
    handler = as_user("handler.municipal")
    r = handler.get(f"/tickets/{number}")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert "污水井盖缺失" in page and "污水井盖" in page and "已派遣" in page
    assert "市政科" in page and "洋河路社区第1网格" in page  # lead department, grid
    assert "上报位置位于网格 洋河路社区第1网格" in page  # routing explanation in words
    assert "/static/vendor/leaflet/leaflet.js" in page and "unpkg" not in page
    assert re.search(r'/photos/\d+/thumb', page) and re.search(r'/photos/\d+/display', page)
    assert offered(page) == {"accept", "send_back", "request_extension", "request_park"}
    assert 'name="version" value="' in page

    # the reporter reads the same page but has nothing to do yet
    page = as_user("worker1").get(f"/tickets/{number}").get_data(as_text=True)
    assert offered(page) == set()
    assert "您目前无需对此工单进行操作" in page

    # a leader watches: no forms at all
    page = as_user("leader").get(f"/tickets/{number}").get_data(as_text=True)
    assert offered(page) == set()

    r = act(handler, number, "accept")
    assert r.status_code == 302 and r.location.endswith(f"/tickets/{number}")
    page = handler.get(r.location).get_data(as_text=True)
    assert "“签收”已完成" in page
    assert offered(page) == {"resolve", "send_back", "request_extension", "request_park"}
    assert 'enctype="multipart/form-data"' in page  # resolve carries photos


def test_every_input_has_a_label(api, as_user):
    number = api.report().json["number"]
    api.act("handler.municipal", number, "send_back", reason="不归我们")
    dispatcher = as_user("dispatcher")
    pages = [dispatcher.get(f"/tickets/{number}"), dispatcher.get("/dispatch")]
    api.act("dispatcher", number, "dispatch", board="livelihood",
            department="urban_mgmt.municipal")
    handler = as_user("handler.municipal")
    pages += [handler.get(f"/tickets/{number}"), handler.get("/console")]
    api.act("handler.municipal", number, "accept")
    pages.append(handler.get(f"/tickets/{number}"))
    api.act("handler.municipal", number, "resolve", note="已处理")
    pages.append(as_user("worker1").get(f"/tickets/{number}"))
    seen = 0
    for r in pages:
        assert r.status_code == 200
        page = r.get_data(as_text=True)
        fields = re.findall(r'<(?:input|select|textarea)\b(?![^>]*type="hidden")[^>]*>', page)
        seen += len(fields)
        for field in fields:
            field_id = re.search(r'\bid="([^"]+)"', field)
            assert field_id, f"a visible field without an id: {field}"
            assert f'for="{field_id.group(1)}"' in page, f"no label for {field}"
    assert seen > 10


def test_a_stale_form_shows_the_current_state_with_a_warning(api, as_user, app):
    number = api.report().json["number"]
    handler = as_user("handler.municipal")
    page = handler.get(f"/tickets/{number}").get_data(as_text=True)
    version = int(re.search(r'name="version" value="(\d+)"', page).group(1))

    assert act(handler, number, "accept", version=version).status_code == 302
    r = act(handler, number, "accept", version=version)  # the second tab, still at the old one
    assert r.status_code == 302
    r = handler.get(r.location)
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert STALE_WARNING in page and "flash-warning" in page
    assert "处置中" in page and "resolve" in offered(page)
    # a stale resolve with a photo writes nothing either
    r = handler.post(f"/tickets/{number}/act", data={
        "action": "resolve", "version": str(version), "note": "已处理",
        "photos": [(io.BytesIO(jpeg()), "after.jpg")]}, content_type="multipart/form-data")
    assert r.status_code == 302
    assert STALE_WARNING in handler.get(r.location).get_data(as_text=True)
    assert state_of(app, number) == "accepted"
    with app.app_context():
        assert db.session.query(Photo).count() == 0


def test_a_missing_reason_shows_the_form_again_with_a_message(api, as_user, app):
    number = api.report().json["number"]
    handler = as_user("handler.municipal")
    r = act(handler, number, "send_back", reason="  ")
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    # the summary names the field as the form labels it, punctuated once
    assert ("未能执行“退回（非本单位职责）”，请修改："
            "退回理由（为何不属于本部门职责）：此项必填。") in page
    assert '<details class="action" open id="do-send_back">' in page
    assert 'class="field-error"' in page
    assert state_of(app, number) == "dispatched"

    r = act(handler, number, "request_extension", amount="lots", reason="需要定制井盖")
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert "请输入 1 到 2000 之间的整数" in page
    assert "需要定制井盖" in page  # what was typed is kept

    # not possible in this state, and a made-up action: a message, never a 500
    r = act(handler, number, "resolve", note="x")
    assert r.status_code == 422 and "无法执行“处置反馈”" in r.get_data(as_text=True)
    r = act(handler, number, "explode")
    assert r.status_code == 422
    r = handler.post(f"/tickets/{number}/act", data={"action": "accept"})  # no version
    assert r.status_code == 422 and state_of(app, number) == "dispatched"


def test_a_bad_photo_is_refused_on_the_page(api, as_user, app):
    number = api.report().json["number"]
    handler = as_user("handler.municipal")
    act(handler, number, "accept")
    r = handler.post(f"/tickets/{number}/act", data={
        "action": "resolve", "version": str(version_of(app, number)), "note": "已更换",
        "photos": [(io.BytesIO(b"not a jpeg at all"), "after.jpg")]},
        content_type="multipart/form-data")
    assert r.status_code == 422
    assert "第 1 张照片无法使用" in r.get_data(as_text=True)
    assert state_of(app, number) == "accepted"

    # an empty file field (no photo chosen) is simply no photo
    r = handler.post(f"/tickets/{number}/act", data={
        "action": "resolve", "version": str(version_of(app, number)), "note": "已更换新井盖",
        "photos": [(io.BytesIO(b""), "")]}, content_type="multipart/form-data")
    assert r.status_code == 302, r.get_data(as_text=True)
    assert state_of(app, number) == "resolved"


def test_oversized_uploads_are_refused_on_the_page(api, as_user, app):
    number = api.report().json["number"]
    handler = as_user("handler.municipal")
    act(handler, number, "accept")
    big = jpeg(2000, 1500)

    def resolve():
        return handler.post(f"/tickets/{number}/act", data={
            "action": "resolve", "version": str(version_of(app, number)), "note": "已更换",
            "photos": [(io.BytesIO(big), "after.jpg")]}, content_type="multipart/form-data")

    app.config["MAX_PHOTO_BYTES"] = len(big) // 2
    r = resolve()
    assert r.status_code == 422 and "第 1 张照片超过" in r.get_data(as_text=True)
    app.config["MAX_CONTENT_LENGTH"] = len(big) // 2
    r = resolve()
    assert r.status_code == 422 and "上传内容超过" in r.get_data(as_text=True)
    assert state_of(app, number) == "accepted"


def test_the_page_speaks_english_on_request(api, as_user):
    number = api.report().json["number"]
    page = as_user("handler.municipal").get(f"/tickets/{number}?lang=en").get_data(as_text=True)
    assert "What you can do" in page and "Dispatched" in page
    assert "The reported point lies in grid" in page and "可办理操作" not in page


def test_other_departments_and_other_workers_get_404_as_for_no_such_ticket(api, as_user):
    number = api.report().json["number"]
    assert as_user("handler.sanitation").get(f"/tickets/{number}").status_code == 404
    assert act(as_user("handler.police"), number, "accept").status_code == 404
    assert as_user("worker2").get(f"/tickets/{number}").status_code == 404
    assert act(as_user("leader"), number, "accept").status_code == 403  # seen, not theirs
    assert as_user("handler.municipal").get("/tickets/2026-999999").status_code == 404
    # the bureau's handler acts for its sections
    assert "accept" in offered(as_user("handler.urban_mgmt").get(
        f"/tickets/{number}").get_data(as_text=True))
    r = as_user("worker1").get("/console")
    assert r.status_code == 403
    assert as_user("handler.municipal").get("/dispatch").status_code == 403
    anonymous = api.client
    r = anonymous.get(f"/tickets/{number}")
    assert r.status_code == 302 and "/login" in r.location


def test_the_grid_worker_verifies_only_their_own_resolved_report(api, as_user, app):
    number = api.report(photos=[jpeg()]).json["number"]
    worker = as_user("worker1")
    api.act("handler.municipal", number, "accept")
    assert offered(worker.get(f"/tickets/{number}").get_data(as_text=True)) == set()
    api.act("handler.municipal", number, "resolve", note="已更换新井盖",
            photos=[jpeg(color="green")])

    page = worker.get(f"/tickets/{number}").get_data(as_text=True)
    assert offered(page) == {"verify", "rework"}
    assert "现场核查：处置前后对比" in page and "已更换新井盖" in page
    before_after = page[page.index('class="before-after"'):page.index("部门处置反馈")]
    assert len(re.findall(r"/photos/\d+/thumb", before_after)) == 2
    assert as_user("worker2").get(f"/tickets/{number}").status_code == 404

    r = act(worker, number, "rework", note="")
    assert r.status_code == 422 and "此项必填" in r.get_data(as_text=True)
    r = act(worker, number, "rework", note="井盖仍然松动")
    assert r.status_code == 302 and state_of(app, number) == "accepted"
    api.act("handler.municipal", number, "resolve", note="已加固")
    r = act(worker, number, "verify")
    assert r.status_code == 302
    page = worker.get(r.location).get_data(as_text=True)
    assert state_of(app, number) == "closed" and "已结案" in page
    assert "井盖仍然松动" in page  # the history keeps every step


def test_the_dispatcher_routes_voids_and_merges_from_the_page(api, as_user, app):
    number = api.report(category="5001", description="路边暴露垃圾").json["number"]
    api.act("handler.sanitation", number, "send_back", reason="属于绿化带内，应由绿化科处理")
    dispatcher = as_user("dispatcher")
    page = dispatcher.get(f"/tickets/{number}").get_data(as_text=True)
    assert {"dispatch", "void", "merge"} <= offered(page)
    assert 'data-boards="livelihood"' in page  # lead options carry their boards for the filter

    r = act(dispatcher, number, "dispatch", board="economy", department="urban_mgmt.greening")
    assert r.status_code == 422
    assert "该部门不服务“经济发展”板块" in r.get_data(as_text=True)
    r = dispatcher.post(f"/tickets/{number}/act", data={
        "action": "dispatch", "version": str(api.ticket(number)["version"]),
        "board": "livelihood", "department": "urban_mgmt.greening",
        "helpers": ["urban_mgmt.sanitation"], "note": "绿化带内垃圾，绿化科牵头"})
    assert r.status_code == 302
    ticket = api.ticket(number)
    assert ticket["lead_department"] == "urban_mgmt.greening"
    assert ticket["helpers"] == ["urban_mgmt.sanitation"]
    page = dispatcher.get(f"/tickets/{number}").get_data(as_text=True)
    assert "绿化科" in page and "由派遣员人工派遣" in page

    junk = api.report(category="9999", description="测试").json["number"]
    dup = api.report(category="9999", description="同一处垃圾").json["number"]
    r = act(dispatcher, dup, "merge", into="2026-999999")
    assert r.status_code == 422 and "没有这个编号的工单" in r.get_data(as_text=True)
    assert act(dispatcher, dup, "merge", into=number).status_code == 302
    assert state_of(app, dup) == "merged"
    page = dispatcher.get(f"/tickets/{dup}").get_data(as_text=True)
    assert f'href="/tickets/{number}"' in page
    assert act(dispatcher, junk, "void", reason="测试数据").status_code == 302
    assert state_of(app, junk) == "voided"


def test_the_console_lists_counts_filters_and_sorts(api, as_user):
    first = api.report(category="0110", description="路灯不亮").json["number"]
    urgent = api.report(description="井盖缺失", location=EAST).json["number"]
    other = api.report(category="0201", description="道路破损", location=FAR_EAST,
                       username="worker2").json["number"]
    api.report(category="5001", description="暴露垃圾")  # sanitation's, not municipal's
    api.act("handler.municipal", other, "accept")
    handler = as_user("handler.municipal")

    r = handler.get("/console?sort=newest")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    rows = re.findall(r'<tr data-number="([^"]+)"', page)
    assert rows == [other, urgent, first]  # newest first
    assert re.search(r'data-state="dispatched">\s*已派遣 <span class="count">2</span>', page)
    assert re.search(r'data-state="accepted">\s*处置中 <span class="count">1</span>', page)
    assert "暴露垃圾" not in page

    page = handler.get("/console").get_data(as_text=True)  # most urgent first by default
    assert re.findall(r'<tr data-number="([^"]+)"', page)[0] == urgent  # 2 clock hours
    page = handler.get("/console?state=accepted").get_data(as_text=True)
    assert re.findall(r'<tr data-number="([^"]+)"', page) == [other]
    page = handler.get("/console?category=0110").get_data(as_text=True)
    assert re.findall(r'<tr data-number="([^"]+)"', page) == [first]
    grid = api.ticket(other)["grid"]
    page = handler.get(f"/console?grid={grid}&board=livelihood").get_data(as_text=True)
    assert re.findall(r'<tr data-number="([^"]+)"', page) == [other]
    page = handler.get("/console?state=closed&sort=bogus&page=x").get_data(as_text=True)
    assert "暂无工单" in page


def test_the_dispatch_queue_shows_what_waits_for_a_dispatcher(api, as_user):
    outside = api.report(location=OUTSIDE, description="网格外的井盖").json["number"]
    back = api.report(category="5001", description="路边暴露垃圾").json["number"]
    api.act("handler.sanitation", back, "send_back", reason="属于绿化带内，应由绿化科处理")
    asks = api.report().json["number"]
    api.act("handler.municipal", asks, "accept")
    api.act("handler.municipal", asks, "request_extension", hours=16, reason="需定制井盖")
    parked = api.report(category="0110", description="路灯不亮", location=EAST).json["number"]
    api.act("handler.municipal", parked, "request_park", reason="涉及产权纠纷")
    api.act("dispatcher", parked, "park", reason="同意挂账")

    r = as_user("dispatcher").get("/dispatch")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    waiting = page[page.index('id="waiting"'):page.index('id="requests"')]
    assert outside in waiting and back in waiting
    assert "上报位置不在任何网格内" in waiting
    assert "属于绿化带内，应由绿化科处理" in waiting and "环卫科" in waiting
    assert "退回 1 次" in waiting
    requests = page[page.index('id="requests"'):page.index('id="parked"')]
    assert asks in requests and "延长 16 小时（自然时）" in requests and "需定制井盖" in requests
    assert parked in page[page.index('id="parked"'):] and "同意挂账" in page
    assert '<span class="count" data-count="waiting">2</span>' in page

    # the request is answered on the ticket page
    page = as_user("dispatcher").get(f"/tickets/{asks}").get_data(as_text=True)
    assert {"approve_extension", "reject_extension", "park"} <= offered(page)
    assert "市政科申请延长 16 小时（自然时）：" in page
    assert "unpark" in offered(as_user("dispatcher").get(f"/tickets/{parked}")
                               .get_data(as_text=True))
    assert as_user("admin").get("/dispatch").status_code == 200


def test_the_routing_explanation_names_the_jurisdiction_and_the_suggestions(app):
    """Pure rendering of a stored explanation, in Chinese."""
    from dispatch.http.messages import routing_lines

    explanation = {"outcome": "queued", "steps": [
        {"step": "jurisdiction", "ok": True, "code": "point_in_jurisdiction",
         "params": {"name": "洋河体育公园", "kind": "park", "department": "urban_mgmt.greening"}},
        {"step": "outcome", "ok": False, "code": "nothing_decided", "params": {}}],
        "suggestions": [{"department": "urban_mgmt.municipal", "confidence": 0.82},
                        {"department": "urban_mgmt.greening", "confidence": 0.1}]}
    with app.test_request_context("/?lang=zh_CN"):
        lines = [line["text"] for line in routing_lines(explanation)]
    assert lines[0] == "上报位置位于洋河体育公园（公园），由绿化科负责。"
    assert lines[-1] == "根据以往办结工单推荐（由派遣员决定）：市政科 82%、绿化科 10%"


def submit_labels(page: str) -> dict[str, str]:
    """Each action form's submit button text, by action."""
    return {action: label.strip() for action, label in re.findall(
        r'data-action="(\w+)".*?<button type="submit"[^>]*>([^<]*)</button>', page, re.S)}


def test_action_buttons_speak_each_readers_language_whatever_page_came_first(api, as_user):
    """Jinja used to fold `"resolve"|action_label` into the compiled template: in a fresh app
    whose first ticket page was English, Chinese readers then saw "Resolve" too."""
    accepted = api.report().json["number"]
    api.act("handler.municipal", accepted, "accept")
    resolved = api.report(description="井盖松动", location=EAST).json["number"]
    api.act("handler.municipal", resolved, "accept")
    api.act("handler.municipal", resolved, "resolve", note="已加固")
    waiting = api.report(category="9999", description="不知道归谁管",
                         location=FAR_EAST).json["number"]
    handler = as_user("handler.municipal")

    english = submit_labels(handler.get(f"/tickets/{accepted}?lang=en").get_data(as_text=True))
    assert english["resolve"] == "Resolve"
    assert english["request_extension"] == "Request extension"

    chinese = submit_labels(as_user("handler.municipal").get(f"/tickets/{accepted}")
                            .get_data(as_text=True))
    assert chinese["resolve"] == "处置反馈"
    assert chinese["request_extension"] == "申请延期"
    chinese = submit_labels(as_user("worker1").get(f"/tickets/{resolved}")
                            .get_data(as_text=True))
    assert chinese["rework"] == "核查不通过，返工"
    chinese = submit_labels(as_user("dispatcher").get(f"/tickets/{waiting}")
                            .get_data(as_text=True))
    assert chinese["dispatch"] == "派遣"
    assert chinese["merge"] == "合并为重复件"
    # and English again for whoever asks for it
    english = submit_labels(handler.get(f"/tickets/{accepted}").get_data(as_text=True))
    assert english["resolve"] == "Resolve"


def test_the_sweeps_warning_and_escalation_read_as_words_in_the_history(api, as_user):
    """The deadline sweep's events are in the timeline every person reads: not `sla_warning`
    and `escalate`, but what happened, in their language."""
    import time_machine

    from dispatch import clock
    from dispatch.services import sla_sweep

    with time_machine.travel(clock.now() - timedelta(hours=3), tick=False):
        number = api.report().json["number"]  # a manhole cover: 2 clock hours
    with api.app.app_context():
        assert sla_sweep.sweep() == {"warn": 1, "escalate": 1}
    page = as_user("handler.municipal").get(f"/tickets/{number}").get_data(as_text=True)
    assert "临期预警" in page and "超期督办" in page
    assert "<strong>sla_warning" not in page and "<strong>escalate" not in page
    english = as_user("leader").get(f"/tickets/{number}?lang=en").get_data(as_text=True)
    assert "Deadline warning" in english and "Escalated to the board leader" in english


def test_the_routing_basis_names_rules_by_their_description_and_does_not_contradict_itself(
        api, as_user, demo_rules):
    """The manhole rule only adds helpers and the urgent limit; the category default decides.
    The page says which rule (in the district's words, which say why the limit is urgent), and
    then that no rule decided the department, not that no rule matched."""
    number = api.report().json["number"]
    page = as_user("dispatcher").get(f"/tickets/{number}").get_data(as_text=True)
    assert "命中规则“公用设施类井盖缺失、被盗，一律升为紧急、1小时时限" in page
    assert "没有派遣规则决定牵头部门" in page
    assert "没有命中任何派遣规则" not in page
    assert "cover-missing" not in page
