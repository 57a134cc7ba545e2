"""The ticket page shows one time limit, the one in force: a routing rule's (the demo's
manhole-cover rule sets 1 clock hour) over the category's default (2 clock hours for 0102),
and the deadline is counted from the same limit."""

import re
from datetime import datetime, timedelta

import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.parametrize("backend", ["sqlite"])


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": False}


def limit_shown(app, number: str) -> str:
    client = app.test_client()
    assert client.post("/login", data={"username": "handler.municipal",
                                       "password": PASSWORD}).status_code == 302
    page = client.get(f"/tickets/{number}").get_data(as_text=True)
    shown = re.findall(r"<dd data-time-limit>(.*?)</dd>", page, re.S)
    assert len(shown) == 1, shown
    return shown[0].strip()


@pytest.mark.usefixtures("demo_rules")
def test_the_manhole_rules_hour_is_the_limit_shown_and_counted(app, api):
    number = api.report().json["number"]  # 污水井盖缺失: rule cover-missing, 1 clock hour
    ticket = api.ticket(number)
    assert ticket["state"] == "dispatched"
    assert ticket["time_limit"] == {"value": 1, "unit": "clock_hours"}
    dispatched = datetime.fromisoformat(ticket["dispatched_at"])
    assert datetime.fromisoformat(ticket["due_at"]) - dispatched == timedelta(hours=1)

    assert limit_shown(app, number) == "1 小时（自然时）"  # not also the category's 2 hours


def test_without_a_rule_the_category_limit_is_shown_and_counted(app, api):
    number = api.report().json["number"]  # no rules loaded: category 0102, 2 clock hours
    ticket = api.ticket(number)
    assert ticket["time_limit"] == {"value": 2, "unit": "clock_hours"}
    dispatched = datetime.fromisoformat(ticket["dispatched_at"])
    assert datetime.fromisoformat(ticket["due_at"]) - dispatched == timedelta(hours=2)
    assert limit_shown(app, number) == "2 小时（自然时）"


def test_a_limit_of_one_reads_as_one_in_english(app):
    from flask_babel import force_locale

    from dispatch.core.sla import TimeLimit
    from dispatch.http.messages import time_limit_text

    with app.test_request_context():
        with force_locale("en"):
            assert time_limit_text(TimeLimit(1, "clock_hours")) == "1 hour round the clock"
            assert time_limit_text(TimeLimit(3, "working_days")) == "3 working days"
        with force_locale("zh_CN"):
            assert time_limit_text(TimeLimit(1, "clock_hours")) == "1 小时（自然时）"
