"""One setting, DISPATCH_TIMEZONE, reaches every rule and page: a district that ran on Tokyo's
wall clock would get its office hours, deadlines, "today", KPI days, ticket-number year and
page times all from it (the Chinese holidays stay, they are the calendar's data)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.conftest import PASSWORD

TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.fixture
def app_config():
    return {"TIMEZONE": "Asia/Tokyo", "WTF_CSRF_ENABLED": False}


def test_every_local_day_and_hour_follows_the_setting(api, client):
    # 00:30 on Monday in Tokyo is still Sunday 23:30 in Shanghai and 15:30 UTC
    moment = datetime(2026, 12, 7, 0, 30, tzinfo=TOKYO)
    with time_machine.travel(moment, tick=False):
        number = api.report(category="0110", description="路灯不亮").json["number"]
        ticket = api.ticket(number)
        # 2 working days on Tokyo's office hours: Monday and Tuesday, 09:00–18:00 there
        assert datetime.fromisoformat(ticket["due_at"]) == datetime(2026, 12, 8, 18,
                                                                    tzinfo=TOKYO)
        summary = api.get("leader", "/api/v1/boards/livelihood/summary").json
        assert summary["today"]["date"] == "2026-12-07" and summary["today"]["new"] == 1
        kpi = api.get("leader", "/api/v1/kpi", query_string={
            "scope": "board:livelihood", "from": "2026-12-07", "to": "2026-12-08"}).json
        assert kpi["dispatched"] == 1
        assert kpi["period"]["start"] == "2026-12-07T00:00:00+09:00"
        assert client.post("/login", data={"username": "worker1",
                                           "password": PASSWORD}).status_code == 302
        page = client.get(f"/tickets/{number}").get_data(as_text=True)
        assert "2026-12-07 00:30" in page and "2026-12-06 23:30" not in page
    new_year = datetime(2027, 1, 1, 0, 30, tzinfo=TOKYO)  # 2026-12-31 23:30 in Shanghai
    with time_machine.travel(new_year, tick=False):
        assert api.report(description="井盖又丢了", username="worker2").json[
            "number"].startswith("2027-")
