"""The leaders' dashboards on both databases (days are bucketed in SQL): counts, ranking, trend,
grids, CSV exports and who may see them."""

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from dispatch.extensions import db
from dispatch.models import Street, Ticket
from dispatch.services import dashboards as queries
from tests.conftest import PASSWORD

pytestmark = pytest.mark.parametrize("backend", ["sqlite", "postgres"])

# points inside two other grids of the demo street, far enough apart not to look like duplicates
GRID_4_1 = {"lat": 29.57676, "lng": 106.53222}  # 500105001004001 南桥寺社区第1网格
GRID_3_1 = {"lat": 29.57859, "lng": 106.52605}  # 500105001003001 鲤鱼池社区第1网格


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": False}


def login(client, username: str) -> None:
    r = client.post("/login", data={"username": username, "password": PASSWORD})
    assert r.status_code == 302, r.data


def today() -> str:
    return datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()


def close(api, number: str, department: str = "handler.municipal") -> None:
    assert api.act(department, number, "accept").status_code == 200
    assert api.act(department, number, "resolve", note="已更换新井盖").status_code == 200
    assert api.act("worker1", number, "verify").json["state"] == "closed"


@pytest.fixture
def tickets(api):
    """A closed manhole cover (livelihood, 市政科), open garbage (livelihood, 环卫科) and an open
    traffic signal (safety, 交巡警), each in its own grid."""
    cover = api.ticket(api.report().json["number"])  # routed (after the RQ job on PostgreSQL)
    garbage = api.ticket(api.report(category="5001", description="路边暴露垃圾",
                                    location=GRID_4_1).json["number"])
    signal = api.ticket(api.report(category="0202", description="信号灯不亮",
                                   location=GRID_3_1).json["number"])
    assert (cover["board"], cover["lead_department"]) == ("livelihood", "urban_mgmt.municipal")
    assert (garbage["board"], garbage["lead_department"]) == ("livelihood",
                                                              "urban_mgmt.sanitation")
    assert signal["board"] == "safety" and signal["state"] == "dispatched"
    close(api, cover["number"])
    return {"cover": cover["number"], "garbage": garbage["number"], "signal": signal["number"]}


def kpi(html: str, name: str) -> int:
    match = re.search(rf'id="kpi-{name}"><dt>[^<]*</dt><dd class="value">(\d+)</dd>', html)
    assert match, name
    return int(match.group(1))


def cells(html: str, attribute: str, value: str) -> list[str]:
    row = re.search(rf'<tr {attribute}="{re.escape(value)}">(.*?)</tr>', html, re.S)
    assert row, value
    return [re.sub(r"<[^>]+>", "", c).strip()
            for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row.group(1), re.S)]


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.content_type == "text/csv; charset=utf-8"
    assert response.data.startswith(b"\xef\xbb\xbf")  # BOM, for Excel
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_a_board_page_counts_by_state_and_today(client, tickets):
    login(client, "leader.livelihood")
    html = client.get("/dashboard/livelihood").get_data(as_text=True)
    assert cells(html, "data-state", "closed") == ["已结案", "1"]
    assert cells(html, "data-state", "dispatched") == ["已派遣", "1"]
    assert cells(html, "data-state", "reported") == ["待派遣", "0"]
    assert (kpi(html, "new-today"), kpi(html, "closed-today")) == (2, 1)
    assert (kpi(html, "new-month"), kpi(html, "closed-month")) == (2, 1)
    assert (kpi(html, "open"), kpi(html, "overdue")) == (1, 0)

    street = client.get("/dashboard").get_data(as_text=True)  # the whole street: + safety
    assert (kpi(street, "new-today"), kpi(street, "open")) == (3, 2)
    assert cells(street, "data-state", "dispatched") == ["已派遣", "2"]
    safety = client.get("/dashboard/safety").get_data(as_text=True)
    assert (kpi(safety, "new-today"), kpi(safety, "closed-today")) == (1, 0)


def test_closing_a_ticket_shows_in_todays_closed(api, client):
    number = api.report().json["number"]
    login(client, "leader")
    html = client.get("/dashboard/livelihood").get_data(as_text=True)
    assert (kpi(html, "new-today"), kpi(html, "closed-today"), kpi(html, "open")) == (1, 0, 1)
    close(api, number)
    html = client.get("/dashboard/livelihood").get_data(as_text=True)
    assert (kpi(html, "new-today"), kpi(html, "closed-today"), kpi(html, "open")) == (1, 1, 0)


def test_overdue_counts_open_tickets_past_their_deadline(app, api, client, tickets):
    """Overdue = escalated by the deadline sweep and still being handled."""
    from dispatch.services import sla_sweep

    past = datetime.now(UTC) - timedelta(hours=1)
    with app.app_context():
        db.session.execute(update(Ticket).where(Ticket.number.in_(
            [tickets["cover"], tickets["garbage"]])).values(due_at=past, escalate_at=past))
        db.session.execute(update(Ticket).where(Ticket.number == tickets["signal"])
                           .values(due_at=past + timedelta(days=1)))
        db.session.commit()
        sla_sweep.sweep()
    login(client, "leader")
    assert kpi(client.get("/dashboard").get_data(as_text=True), "overdue") == 1  # not closed


def test_the_ranking_follows_each_departments_tickets(api, client, tickets):
    bounced = api.report(category="5001", description="绿化带内垃圾", location=GRID_3_1).json
    assert api.ticket(bounced["number"])["lead_department"] == "urban_mgmt.sanitation"
    assert api.act("handler.sanitation", bounced["number"], "send_back",
                   reason="属于绿化带").status_code == 200
    login(client, "leader.livelihood")
    html = client.get("/dashboard/livelihood").get_data(as_text=True)
    # rank, department, dispatched, resolved, sent back, closure rate, on-time handling rate,
    # composite: 市政科 10 × 1/2 (volume) + 30 + 30 + 30 (no rework); 环卫科 10 × 2/2 + 0 + 0
    # + 30, and nothing due to close in the window yet ("—", not 0 %)
    assert cells(html, "data-department", "urban_mgmt.municipal") == [
        "1", "市政科", "1", "1", "0", "100%", "100%", "95.0"]
    assert cells(html, "data-department", "urban_mgmt.sanitation") == [
        "2", "环卫科", "2", "0", "1", "—", "0%", "40.0"]
    assert "traffic_police" not in html  # a safety department, not on this board

    rows = read_csv(client.get("/dashboard/livelihood/export/ranking.csv"))
    assert rows[0] == ["排名", "部门", "部门编码", "已派遣", "已处置", "退回", "结案率",
                       "按时处置率", "综合评分"]
    assert rows[1:] == [
        ["1", "市政科", "urban_mgmt.municipal", "1", "1", "0", "100%", "100%", "95.0"],
        ["2", "环卫科", "urban_mgmt.sanitation", "2", "0", "1", "—", "0%", "40.0"]]
    street = read_csv(client.get("/dashboard/export/ranking.csv"))
    assert [r[2] for r in street[1:]] == ["urban_mgmt.municipal", "urban_mgmt.sanitation",
                                          "traffic_police"]  # 95, 40, 35 (volume 1/2)


def test_the_trend_has_thirty_days_ending_with_today(client, tickets):
    login(client, "leader.livelihood")
    rows = read_csv(client.get("/dashboard/livelihood/export/trend.csv"))
    assert rows[0] == ["日期", "新增", "已结案"]
    assert len(rows) == 31
    assert rows[-1] == [today(), "2", "1"]
    assert all(r[1:] == ["0", "0"] for r in rows[1:-1])
    html = client.get("/dashboard/livelihood").get_data(as_text=True)
    chart = html[html.index("<svg"):html.index("</svg>")]
    assert chart.count('class="point"') == 60  # 30 days × (new, closed)
    assert "<title" in chart and "<desc" in chart
    assert f"<th scope=\"row\">{today()}</th><td class=\"num\">2</td>" in html  # the table


def test_days_and_months_are_counted_in_shanghai_time(app):
    """Events either side of local midnights go into the rollups' local days; read at a fixed
    `now`. (Events cannot be rewritten, so these are recorded as they would happen.)"""
    from dispatch.models import TicketEvent
    from dispatch.services import rollups

    with app.app_context():
        street_id = db.session.query(Street.id).filter_by(code="500105001").scalar()

        def happened(action, at, board, reported=None, data=None):
            ticket = Ticket(created_at=reported or at)  # never saved: only its times are read
            event = TicketEvent(action=action, created_at=at, board_code=board,
                                street_id=street_id, data=data or {})
            rollups.record(ticket, event, None)

        cover = datetime(2026, 3, 1, 15, 30, tzinfo=UTC)     # 03-01 23:30 in Shanghai
        garbage = datetime(2026, 3, 1, 16, 30, tzinfo=UTC)   # 03-02 00:30
        signal = datetime(2026, 2, 28, 15, 59, tzinfo=UTC)   # 02-28 23:59
        for reported, board in ((cover, "livelihood"), (garbage, "livelihood"),
                                (signal, "safety")):
            happened("queue", reported + timedelta(minutes=1), board, reported,
                     {"first_routing": True})
        happened("verify", datetime(2026, 3, 1, 16, 10, tzinfo=UTC), "livelihood",
                 cover)                                         # 03-02 00:10
        db.session.commit()
        now = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)  # 03-02 12:00 in Shanghai
        trend = queries.daily_trend(None, None, now, "Asia/Shanghai")
        assert len(trend) == 30 and trend[-1]["date"] == "2026-03-02"
        assert trend[0]["date"] == "2026-02-01"
        assert trend[-3:] == [{"date": "2026-02-28", "new": 1, "closed": 0},
                              {"date": "2026-03-01", "new": 1, "closed": 0},
                              {"date": "2026-03-02", "new": 1, "closed": 1}]
        headline = queries.headline(None, None, now, "Asia/Shanghai")
        assert headline["today"] == {"date": "2026-03-02", "new": 1, "closed": 1}
        assert headline["month"] == {"start": "2026-03-01", "new": 2, "closed": 1}
        board = queries.headline(None, "livelihood", now, "Asia/Shanghai")
        assert board["month"] == {"start": "2026-03-01", "new": 2, "closed": 1}
        assert queries.department_ranking(None, None, *queries.trend_window(
            now, "Asia/Shanghai")) == []
        assert queries.daily_trend(street_id, "safety", now, "Asia/Shanghai")[-3]["new"] == 1


def test_open_tickets_per_grid(client, tickets):
    login(client, "leader")
    html = client.get("/dashboard").get_data(as_text=True)
    counts = re.search(r'data-counts="([^"]*)"', html).group(1).replace("&#34;", '"')
    assert json.loads(counts) == {"500105001004001": 1, "500105001003001": 1}
    assert cells(html, "data-grid", "500105001004001") == [
        "南桥寺社区第1网格 500105001004001", "南桥寺社区", "1"]
    assert 'data-geojson="/geo/grids.geojson"' in html
    assert "vendor/leaflet/leaflet.js" in html and "unpkg" not in html and "cdn" not in html

    rows = read_csv(client.get("/dashboard/livelihood/export/grids.csv"))
    assert rows == [["网格编码", "网格", "社区", "在办工单"],
                    ["500105001004001", "南桥寺社区第1网格", "南桥寺社区", "1"]]


def test_csv_exports_have_a_bom_the_readers_language_and_a_dated_name(client, tickets):
    login(client, "leader.livelihood")
    response = client.get("/dashboard/livelihood/export/states.csv")
    rows = read_csv(response)
    assert rows[0] == ["状态", "工单数"]
    assert ["已结案", "1"] in rows and len(rows) == 9  # header + every state
    disposition = response.headers["Content-Disposition"]
    assert disposition == (f'attachment; filename="dashboard-500105001-livelihood-states-'
                           f'{today()}.csv"')
    street = client.get("/dashboard/export/states.csv")
    assert f'dashboard-500105001-all-boards-states-{today()}.csv' in \
        street.headers["Content-Disposition"]
    assert ["已派遣", "2"] in read_csv(street)

    english = read_csv(client.get("/dashboard/livelihood/export/states.csv?lang=en"))
    assert english[0] == ["State", "Tickets"] and ["Closed", "1"] in english
    trend = read_csv(client.get("/dashboard/export/trend.csv"))
    assert trend[0] == ["Date", "New", "Closed"]  # the choice is remembered

    client.post("/logout")
    login(client, "admin")  # every street
    response = client.get("/dashboard/safety/export/grids.csv")
    assert f'dashboard-all-streets-safety-grids-{today()}.csv' in \
        response.headers["Content-Disposition"]
    assert read_csv(response)[1][0] == "500105001003001"


def test_only_leaders_dispatchers_and_admins_see_dashboards(client, tickets):
    for username in ("worker1", "handler.municipal"):
        login(client, username)
        assert client.get("/dashboard").status_code == 403
        assert client.get("/dashboard/livelihood").status_code == 403
        assert client.get("/dashboard/export/states.csv").status_code == 403
        client.post("/logout")
    assert client.get("/dashboard").status_code == 302  # signed out: to the login page
    for username in ("dispatcher", "admin", "leader.safety"):
        login(client, username)
        html = client.get("/dashboard/livelihood").get_data(as_text=True)
        assert kpi(html, "closed-today") == 1, username
        client.post("/logout")


def test_unknown_boards_and_tables_are_not_found(client):
    login(client, "leader")
    assert client.get("/dashboard/culture").status_code == 404
    assert client.get("/dashboard/culture/export/states.csv").status_code == 404
    assert client.get("/dashboard/export/people.csv").status_code == 404
    assert client.get("/dashboard/livelihood/export/people.csv").status_code == 404


def test_a_board_leader_lands_on_the_street_page_with_their_board_first(client):
    r = client.post("/login", data={"username": "leader.safety", "password": PASSWORD})
    assert r.location.endswith("/dashboard")
    html = client.get("/dashboard").get_data(as_text=True)
    tabs = re.findall(r'<li><a href="([^"]+)" class="tab([^"]*)"', html)
    assert [href for href, _ in tabs] == ["/dashboard", "/dashboard/safety", "/dashboard/party",
                                          "/dashboard/economy", "/dashboard/livelihood"]
    assert "current" in tabs[0][1] and "own" in tabs[1][1]
    assert "我的板块" in html and 'aria-current="page"' in html
    assert "观音桥街道" in html  # the street's name heads the page
    html = client.get("/dashboard/safety").get_data(as_text=True)
    assert 'href="/dashboard/safety" class="tab current own" aria-current="page"' in html
