"""A ticket's history names other tickets (the likely duplicate routing found, the ticket it was
merged into); a reader who may not open one of them is not told its number. Grid workers see
only their own reports, so a colleague's report nearby stays anonymous to them; the dispatcher,
who decides on duplicates, sees the number."""

import json

import pytest

from tests.conftest import PASSWORD
from tests.helpers import IN_GRID

NEAR_FIRST = {"lat": IN_GRID["lat"] + 0.0001, "lng": IN_GRID["lng"]}  # ~11 m away


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": False}


def _page(app, username, path):
    client = app.test_client()
    assert client.post("/login", data={"username": username,
                                       "password": PASSWORD}).status_code == 302
    return client.get(path).get_data(as_text=True)


def test_a_worker_is_not_told_the_number_of_a_colleagues_report_theirs_duplicates(
        app, api, demo_rules):
    first = api.report("worker1", description="污水井盖缺失").json["number"]
    second = api.report("worker2", description="这里井盖没了", location=NEAR_FIRST).json
    number = second["number"]

    mine = api.ticket(number, "worker2")
    assert mine["routing"]["duplicate_of"]["number"] is None
    assert mine["routing"]["duplicate_of"]["metres"] <= 50
    assert first not in json.dumps(mine, ensure_ascii=False)  # routing, steps, events alike
    step = mine["routing"]["steps"][-1]
    assert step["code"] == "likely_duplicate_elsewhere" and first not in step["text"]
    assert first not in _page(app, "worker2", f"/tickets/{number}")

    # the dispatcher decides on duplicates and sees which one it is
    theirs = api.ticket(number, "dispatcher")
    assert theirs["routing"]["duplicate_of"]["number"] == first
    assert first in theirs["routing"]["summary"]
    assert first in _page(app, "dispatcher", f"/tickets/{number}")

    # merged: the worker learns it was merged and that the original closed, not its number
    assert api.act("dispatcher", number, "merge", into=first).status_code == 200
    api.act("handler.municipal", first, "accept")
    api.act("handler.municipal", first, "resolve", note="已更换")
    api.act("worker1", first, "verify")
    merged = api.ticket(number, "worker2")
    assert merged["state"] == "merged" and merged["merged_into"] is None
    assert merged["events"][-1]["action"] == "original_closed"
    assert merged["events"][-1]["data"] == {"original": None}
    assert first not in json.dumps(merged, ensure_ascii=False)
    assert first not in _page(app, "worker2", f"/tickets/{number}")
    assert api.ticket(number, "dispatcher")["merged_into"] == first
    # and the original's reporter is not told the merged report's number either
    assert number not in json.dumps(api.ticket(first, "worker1"), ensure_ascii=False)
