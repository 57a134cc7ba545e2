"""The closed loop at the moments that catch a system out: just after and just before local
midnight (when the UTC date is another), at the office-hour edges, on a Saturday, on a public
holiday, the evening before a Sunday that is a make-up working day (调休), on the last day of a
month and across the new year. At each, with the clock pinned: the deadline (worked out by
hand on the calendar), the dashboard's "today", the KPI period and the deadline sweep."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from dispatch.extensions import db
from dispatch.models import Ticket
from dispatch.services import sla_sweep
from tests.conftest import PASSWORD
from tests.web.test_dashboard import kpi as dashboard_figure

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": False}


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


# moment → the street lamp's deadline (2 working days = 14 office hours, 09–12 and 14–18)
MOMENTS = {
    "00:30 on a Monday": (local(2026, 12, 7, 0, 30), local(2026, 12, 8, 18)),
    "23:59 on a Tuesday": (local(2026, 12, 8, 23, 59), local(2026, 12, 10, 18)),
    "08:59, before the office opens": (local(2026, 12, 9, 8, 59), local(2026, 12, 10, 18)),
    "18:01, after it closes": (local(2026, 12, 10, 18, 1), local(2026, 12, 14, 18)),
    "a Saturday": (local(2026, 12, 12, 10, 0), local(2026, 12, 15, 18)),
    "National Day, a public holiday": (local(2026, 10, 1, 10, 0), local(2026, 10, 9, 18)),
    "the evening before a make-up Sunday": (local(2026, 9, 19, 22, 0), local(2026, 9, 21, 18)),
    "23:59 on the last day of a month": (local(2026, 11, 30, 23, 59), local(2026, 12, 2, 18)),
}


def file_at(api, moment: datetime) -> tuple[str, str]:
    """A street lamp out (2 working days) and a broken rain-water cover (2 clock hours)."""
    lamp = api.report(category="0110", description="路灯不亮").json["number"]
    cover = api.report(category="0103", description="雨水井盖破损",
                       location={"lat": 29.5775, "lng": 106.5300}).json["number"]
    return lamp, cover


def stored(app, number: str) -> Ticket:
    with app.app_context():
        ticket = db.session.query(Ticket).filter_by(number=number).one()
        db.session.expunge(ticket)
        return ticket


@pytest.mark.parametrize("name", MOMENTS)
def test_deadlines_today_kpis_and_the_sweep_at_an_awkward_moment(api, client, name):
    moment, lamp_due = MOMENTS[name]
    with time_machine.travel(moment, tick=False) as traveller:
        lamp, cover = file_at(api, moment)
        lamp_row, cover_row = stored(api.app, lamp), stored(api.app, cover)

        # deadlines: working time on the calendar; clock hours straight through the night
        assert lamp_row.due_at.astimezone(SH) == lamp_due
        assert cover_row.due_at.astimezone(SH) == moment + timedelta(hours=2)
        assert lamp.startswith(f"{moment.year}-")

        # "today" is the local day, whatever the UTC date
        summary = api.get("leader", "/api/v1/boards/livelihood/summary").json
        assert summary["today"] == {"date": moment.date().isoformat(), "new": 2, "closed": 0}
        assert client.post("/login", data={"username": "leader.livelihood",
                                           "password": PASSWORD}).status_code == 302
        page = client.get("/dashboard/livelihood").get_data(as_text=True)
        assert dashboard_figure(page, "new-today") == 2

        # the KPI period of local days: both dispatched today, nothing due yet
        day = moment.date()
        kpi = api.get("leader", "/api/v1/kpi", query_string={
            "scope": "board:livelihood", "from": day.isoformat(),
            "to": (day + timedelta(days=1)).isoformat()}).json
        assert (kpi["dispatched"], kpi["due_to_close"], kpi["closure_rate"]) == (2, 0, None)

        # the sweep: nothing at once; the cover warned and escalated once its 2 hours pass;
        # the lamp only after its own deadline
        with api.app.app_context():
            assert sla_sweep.sweep() == {"warn": 0, "escalate": 0}
        traveller.move_to(moment + timedelta(hours=2, minutes=1))
        with api.app.app_context():
            assert sla_sweep.sweep() == {"warn": 1, "escalate": 1}
        assert api.ticket(cover)["sla"]["light"] == "red"
        assert api.ticket(lamp)["sla"]["light"] == "green"
        traveller.move_to(lamp_due + timedelta(minutes=1))
        with api.app.app_context():
            assert sla_sweep.sweep() == {"warn": 1, "escalate": 1}
        assert api.ticket(lamp)["sla"]["light"] == "red"


def test_the_ticket_year_turns_at_local_midnight_not_utc(api):
    """00:30 on New Year's Day in Chongqing is still 2026 in UTC: the number says 2027, and
    the new year's numbers start again at 1."""
    with time_machine.travel(local(2026, 12, 31, 23, 59), tick=False) as traveller:
        assert api.report().json["number"].startswith("2026-")
        traveller.move_to(local(2027, 1, 1, 0, 30))
        assert api.report(description="井盖又丢了", username="worker2").json["number"] \
            == "2027-000001"
