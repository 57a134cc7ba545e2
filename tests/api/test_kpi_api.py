"""KPIs through the API: a small month of real workflow, figures worked out by hand."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.helpers import IN_GRID_2

TZ = ZoneInfo("Asia/Shanghai")


def period():
    today = datetime.now(TZ).date()
    return {"from": (today - timedelta(days=1)).isoformat(),
            "to": (today + timedelta(days=1)).isoformat()}


@pytest.fixture
def month(api):
    """Four reports: one closed (municipal), one reworked then closed (municipal), one sent back
    by sanitation and re-dispatched by the dispatcher to greening, one still open (municipal)."""
    closed = api.report(description="污水井盖缺失").json["number"]
    reworked = api.report(category="0110", description="路灯不亮", location=IN_GRID_2,
                          username="worker2").json["number"]
    bounced = api.report(category="5001", description="暴露垃圾",
                         location={"lat": 29.5760, "lng": 106.5320}).json["number"]
    api.report(category="0201", description="路面坑洼",
               location={"lat": 29.5782, "lng": 106.5310})
    for number in (closed, reworked):
        api.act("handler.municipal", number, "accept")
        api.act("handler.municipal", number, "resolve", note="已处理")
    api.act("worker2", reworked, "rework", note="还是不亮")
    api.act("handler.municipal", reworked, "resolve", note="换了灯泡")
    api.act("worker1", closed, "verify")
    api.act("worker2", reworked, "verify")
    api.act("handler.sanitation", bounced, "send_back", reason="绿化带内")
    api.act("dispatcher", bounced, "dispatch", board="livelihood",
            department="urban_mgmt.greening")
    return {"closed": closed, "reworked": reworked, "bounced": bounced}


def test_a_departments_month_in_figures(api, month):
    r = api.get("leader", "/api/v1/kpi", query_string={
        "scope": "department:urban_mgmt.municipal", **period()})
    assert r.status_code == 200, r.json
    k = r.json
    # dispatched to municipal: closed, reworked, the open road report → cohort 3
    assert k["dispatched"] == 3 and k["dispatch_events"] == 3
    # resolved by municipal: closed and reworked (twice) → 2 tickets, 3 resolve events
    assert k["resolved"] == 2 and k["resolve_events"] == 3 and k["reworks"] == 1
    assert k["handling_rate"] == pytest.approx(2 / 3, abs=1e-4)
    assert k["rework_rate"] == pytest.approx(1 / 3, abs=1e-4)
    assert k["closed"] == 2 and k["send_backs"] == 0 and k["bounce_rate"] == 0


def test_bounces_are_counted_for_the_department_that_sent_back(api, month):
    k = api.get("leader", "/api/v1/kpi", query_string={
        "scope": "department:urban_mgmt.sanitation", **period()}).json
    assert (k["dispatch_events"], k["send_backs"], k["bounce_rate"]) == (1, 1, 1.0)
    board = api.get("leader", "/api/v1/kpi", query_string={
        "scope": "board:livelihood", **period()}).json
    assert board["dispatch_events"] == 5 and board["send_backs"] == 1


def test_departments_are_ranked_by_composite_score(api, month):
    rows = api.get("leader", "/api/v1/kpi/departments", query_string=period()).json
    codes = [r["scope"]["code"] for r in rows]
    assert set(codes) == {"urban_mgmt.municipal", "urban_mgmt.sanitation",
                          "urban_mgmt.greening"}
    assert codes[0] == "urban_mgmt.municipal"
    assert all(0 <= r["composite"] <= 100 for r in rows)


@pytest.mark.parametrize("query, field", [
    ({"scope": "planet:mars", "from": "2026-11-01", "to": "2026-12-01"}, "scope"),
    ({"scope": "all", "from": "2026-12-01", "to": "2026-11-01"}, "to"),
    ({"scope": "all", "from": "yesterday", "to": "2026-11-01"}, "from"),
])
def test_bad_kpi_queries_are_refused(api, query, field):
    r = api.get("leader", "/api/v1/kpi", query_string=query)
    assert r.status_code == 422 and field in r.json["errors"]


def test_kpis_are_for_people_who_answer_for_them(api):
    q = {"from": "2026-11-01", "to": "2026-12-01"}
    assert api.get("worker1", "/api/v1/kpi", query_string=q).status_code == 403
    own = {"scope": "department:urban_mgmt.municipal", **q}
    assert api.get("handler.municipal", "/api/v1/kpi", query_string=own).status_code == 200
    other = {"scope": "department:police", **q}
    assert api.get("handler.municipal", "/api/v1/kpi", query_string=other).status_code == 403


def test_a_grid_and_a_community_through_the_api(api, month):
    ticket = api.ticket(month["closed"])
    grid = api.get("leader", "/api/v1/kpi", query_string={
        "scope": f"grid:{ticket['grid']}", **period()}).json
    assert grid["closed"] >= 1 and grid["scope"] == {"kind": "grid", "code": ticket["grid"]}


def test_unknown_places_and_other_streets_give_empty_figures_not_errors(api, month):
    for scope in ("department:no.such.unit", "street:999999999", "board:nowhere",
                  "grid:000", "community:000"):
        r = api.get("leader", "/api/v1/kpi", query_string={"scope": scope, **period()})
        assert r.status_code == 200, (scope, r.json)
        assert r.json["dispatched"] == r.json["due_to_close"] == 0
        assert r.json["closure_rate"] is None
