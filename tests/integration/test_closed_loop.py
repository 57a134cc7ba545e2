"""The closed loop end to end through the API: on SQLite with inline jobs, and on PostgreSQL
with jobs through RQ on the real Redis."""

from dispatch.models import OutboxJob, Ticket, TicketEvent
from tests.helpers import IN_GRID_2, OUTSIDE, jpeg


def actions_of(ticket: dict) -> list[str]:
    return [e["action"] for e in ticket["events"]]


def test_report_with_photos_goes_from_intake_to_closed(api):
    r = api.report(photos=[jpeg(3000, 1500), jpeg(640, 480, "blue")], key="phone-1")
    assert r.status_code == 201, r.json
    number = r.json["number"]
    assert number.endswith("-000001")

    ticket = api.ticket(number)
    assert ticket["state"] == "dispatched"
    assert (ticket["board"], ticket["lead_department"]) == ("livelihood", "urban_mgmt.municipal")
    assert ticket["grid"] == "500105001001001"
    assert ticket["community"] == "500105001001" and ticket["street"] == "500105001"
    assert ticket["routing"]["outcome"] == "dispatched"
    assert ticket["routing"]["steps"][0]["code"] == "point_in_grid"
    assert "500105001001001" in ticket["routing"]["summary"]  # in words, in Chinese
    assert ticket["routing"]["steps"][0]["text"].startswith("上报位置位于网格")
    photos = ticket["photos"]
    assert [p["status"] for p in photos] == ["ready", "ready"]
    assert max(photos[0]["width"], photos[0]["height"]) == 2048
    display = api.get("worker1", photos[0]["display_url"])
    assert display.status_code == 200 and display.mimetype == "image/jpeg"
    assert b"Exif" not in display.data
    display.close()

    assert api.act("handler.municipal", number, "accept").status_code == 200
    r = api.act("handler.municipal", number, "resolve", note="已更换新井盖",
                photos=[jpeg(1024, 768, "green")])
    assert r.status_code == 200, r.json
    assert r.json["state"] == "resolved"
    after = [p for p in api.ticket(number)["photos"] if p["kind"] == "resolution"]
    assert len(after) == 1 and after[0]["status"] == "ready"

    r = api.act("worker1", number, "verify", note="现场核查已修复")
    assert r.status_code == 200, r.json
    ticket = api.ticket(number)
    assert ticket["state"] == "closed" and ticket["closed_at"]
    assert actions_of(ticket) == ["report", "dispatch", "accept", "resolve", "verify"]
    assert [e["to_state"] for e in ticket["events"]] == [
        "reported", "dispatched", "accepted", "resolved", "closed"]
    assert ticket["events"][1]["actor_role"] == "system"

    summary = api.get("leader.livelihood", "/api/v1/boards/livelihood/summary").json
    assert summary["by_state"]["closed"] == 1
    assert summary["today"] == {"date": summary["today"]["date"], "new": 1, "closed": 1}
    assert api.count(OutboxJob) == 4  # route + 2 report photos + 1 resolution photo
    with api.app.app_context():
        assert {j.state for j in OutboxJob.query.all()} == {"done"}


def test_failed_verification_sends_it_back_to_the_same_department_for_rework(api):
    number = api.report().json["number"]
    api.act("handler.municipal", number, "accept")
    api.act("handler.municipal", number, "resolve", note="已处理")

    r = api.act("worker1", number, "rework", note="井盖仍然松动")
    assert r.status_code == 200, r.json
    assert r.json["state"] == "accepted"
    assert r.json["lead_department"] == "urban_mgmt.municipal"
    assert r.json["rework_count"] == 1
    assert "resolve" in api.ticket(number, "handler.municipal")["allowed_actions"]

    api.act("handler.municipal", number, "resolve", note="已加固")
    assert api.act("worker1", number, "verify").json["state"] == "closed"


def test_send_back_goes_to_the_dispatcher_who_re_routes_it(api):
    number = api.report(category="5001", description="路边暴露垃圾").json["number"]
    assert api.ticket(number)["lead_department"] == "urban_mgmt.sanitation"

    r = api.act("handler.sanitation", number, "send_back", reason="属于绿化带内，应由绿化科处理")
    assert r.status_code == 200, r.json
    assert r.json["state"] == "reported" and r.json["lead_department"] is None
    assert r.json["send_back_count"] == 1

    # the engine re-routed it without sanitation: nothing else fits, so it waits for a person
    queue = api.get("dispatcher", "/api/v1/tickets?state=reported").json
    assert [t["number"] for t in queue["items"]] == [number]
    requeued = api.ticket(number)["events"][-1]
    assert requeued["action"] == "queue"
    assert {"step": "category", "ok": False, "code": "category_default_sent_back",
            "params": {"category": "5001", "department": "urban_mgmt.sanitation"},
            "category": "5001", "department": "urban_mgmt.sanitation"} in requeued["data"][
        "explanation"]["steps"]
    r = api.act("dispatcher", number, "dispatch", board="livelihood",
                department="urban_mgmt.greening", helpers=["urban_mgmt.sanitation"],
                note="绿化带内垃圾，绿化科牵头，环卫科协助")
    assert r.status_code == 200, r.json
    assert r.json["lead_department"] == "urban_mgmt.greening"
    assert r.json["helpers"] == ["urban_mgmt.sanitation"]
    # the helping section still sees the ticket, but only the lead acts on it
    helper_view = api.ticket(number, "handler.sanitation")
    assert helper_view["allowed_actions"] == []
    assert api.act("handler.greening", number, "accept").status_code == 200
    events = api.ticket(number)["events"]
    assert [e["action"] for e in events] == ["report", "dispatch", "send_back", "queue",
                                              "dispatch", "accept"]
    assert events[2]["department"] == "urban_mgmt.sanitation"
    assert events[2]["note"] == "属于绿化带内，应由绿化科处理"


def test_reports_routing_cannot_decide_wait_in_the_street_queue(api):
    other = api.report(category="9999", description="不知道归谁管的问题").json["number"]
    outside = api.report(location=OUTSIDE, description="网格外的井盖").json["number"]
    for number, reason in ((other, "category_no_default"), (outside, "point_outside_grids")):
        ticket = api.ticket(number)
        assert ticket["state"] == "reported"
        assert ticket["routing"]["outcome"] == "queued"
        assert reason in [step["code"] for step in ticket["routing"]["steps"]]
        assert ticket["street"] == "500105001"  # the reporter's street holds it
    queue = api.get("dispatcher", "/api/v1/tickets?state=reported").json
    assert {t["number"] for t in queue["items"]} == {other, outside}


def test_the_same_idempotency_key_five_times_gives_one_ticket(api):
    statuses, numbers = [], set()
    for _ in range(5):
        r = api.report(key="4f1c-weak-signal", photos=[jpeg()])
        statuses.append(r.status_code)
        numbers.add(r.json["number"])
    assert statuses == [201, 200, 200, 200, 200]
    assert len(numbers) == 1
    assert api.count(Ticket) == 1
    assert api.count(OutboxJob) == 2
    # the key is the reporter's: another worker's same key is another report
    assert api.report(username="worker2", key="4f1c-weak-signal").status_code == 201


def test_extension_and_park_need_a_dispatchers_approval(api):
    number = api.report().json["number"]
    api.act("handler.municipal", number, "accept")
    r = api.act("handler.municipal", number, "request_extension", hours=16, reason="需定制井盖")
    assert r.json["pending_request"] == "extension" and r.json["pending_hours"] == 16
    assert api.act("handler.municipal", number, "approve_extension").status_code == 403
    r = api.act("dispatcher", number, "approve_extension")
    assert r.status_code == 200 and r.json["extension_hours"] == 16
    assert r.json["pending_request"] is None

    api.act("handler.municipal", number, "request_park", reason="涉及产权纠纷，暂无法处置")
    r = api.act("dispatcher", number, "park", reason="同意挂账")
    assert r.json["state"] == "parked"
    assert api.act("handler.municipal", number, "resolve", note="x").status_code == 422
    r = api.act("dispatcher", number, "unpark")
    assert r.json["state"] == "accepted"


def test_dispatcher_voids_invalid_reports_and_merges_duplicates(api):
    first = api.report().json["number"]
    dup = api.report(category="9999", description="同一个井盖").json["number"]
    junk = api.report(category="9999", description="测试").json["number"]

    r = api.act("dispatcher", junk, "void", reason="测试数据")
    assert r.status_code == 200 and r.json["state"] == "voided"
    r = api.act("dispatcher", dup, "merge", into=first)
    assert r.status_code == 200, r.json
    assert r.json["state"] == "merged" and r.json["merged_into"] == first
    assert "merged_in" in actions_of(api.ticket(first))
    r = api.act("dispatcher", junk, "merge", into=first)
    assert r.status_code == 422


def test_refusals_say_why_with_the_right_status(api):
    number = api.report().json["number"]
    version = api.ticket(number)["version"]

    r = api.act("worker1", number, "accept")
    assert (r.status_code, r.json["code"]) == (403, "forbidden")
    r = api.act("handler.sanitation", number, "accept")  # not theirs to see: as if none
    assert (r.status_code, r.json["message"]) == (404, f"没有编号为 {number} 的工单。")
    r = api.act("handler.municipal", number, "resolve", note="x")
    assert (r.status_code, r.json["code"]) == (422, "transition_not_allowed")
    r = api.act("handler.municipal", number, "send_back")
    assert r.status_code == 422 and "reason" in r.json["errors"]

    assert api.act("handler.municipal", number, "accept", version=version).status_code == 200
    r = api.act("handler.municipal", number, "resolve", version=version, note="x")
    assert (r.status_code, r.json["code"]) == (409, "stale_version")
    assert r.json["ticket"]["state"] == "accepted"
    assert r.json["ticket"]["version"] == version + 1
    with api.app.app_context():
        assert TicketEvent.query.count() == 3  # report, dispatch, accept: nothing from refusals


def test_people_see_only_their_own_tickets(api):
    number = api.report().json["number"]
    api.report(username="worker2", description="另一个网格的报告", location=IN_GRID_2)
    mine = api.get("worker1", "/api/v1/tickets").json
    assert [t["number"] for t in mine["items"]] == [number]
    assert api.get("worker2", f"/api/v1/tickets/{number}").status_code == 404
    assert api.get("handler.police", f"/api/v1/tickets/{number}").status_code == 404
    assert api.get("handler.municipal", "/api/v1/tickets").json["total"] == 2
    assert api.get("dispatcher", "/api/v1/tickets").json["total"] == 2
    filtered = api.get("admin", "/api/v1/tickets?department=urban_mgmt.municipal&grid="
                                "500105001001001&reporter=worker1&board=livelihood").json
    assert [t["number"] for t in filtered["items"]] == [number]
