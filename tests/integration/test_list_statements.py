"""A list costs a fixed number of SQL statements, however many tickets it shows: the API's
ticket list, the handler's console and the dispatch queue each send as many statements for one
ticket as for fifty (no query per ticket for its category, grid, department, reporter, events,
nor per code named in a routing explanation).

The tickets differ in category, grid, department, reporter and in why they wait for a
dispatcher, so a lazy load per ticket would show (a lazy load of something already in the
session would not)."""

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from dispatch.extensions import db
from tests.conftest import PASSWORD
from tests.helpers import IN_GRID, IN_GRID_2, ApiDriver

pytestmark = pytest.mark.parametrize("backend", ["sqlite", "postgres"])

GRIDS = [IN_GRID, IN_GRID_2, {"lat": 29.57676, "lng": 106.53222},
         {"lat": 29.57859, "lng": 106.52605}]
ROUTED = ["0102", "5001", "0202", "0301", "0401", "0501", "5101", "5302", "0104", "0110",
          "5202"]
ONLY_ONCE = "5401"  # one ticket of this category: the console's one-row list
WAITING = ["0201", "0302", "5002", "5201", "0203", "0402", "5301", "0101"]
NO_DEPARTMENT = "9999"  # 其他事项: in a grid, yet a dispatcher has to route it
SENT_BACK = {"0102": "handler.municipal", "5001": "handler.sanitation"}
REPORTERS = ["worker1", "worker2", "worker3", "worker4"]


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": False}


@contextmanager
def statements(app):
    """The SQL statements sent while the block runs."""
    sent: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        sent.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", count)


def report(api: ApiDriver, n: int, category: str, location: dict) -> None:
    r = api.client.post(
        "/api/v1/incidents", content_type="multipart/form-data",
        data={"category": category, "description": f"第{n}件：路口有问题需要处理",
              "lat": str(location["lat"]), "lng": str(location["lng"])},
        headers=api.headers(REPORTERS[n % len(REPORTERS)], **{"Idempotency-Key": f"k-{n}"}))
    assert r.status_code == 201, r.json


def outside(n: int) -> dict:
    """Points outside every grid, a little apart: the street's dispatcher has to route them."""
    return {"lat": 29.60 + n * 0.001, "lng": 106.60 + n * 0.001}


def counted(app, client, path: str, **kwargs) -> int:
    with statements(app) as sent:
        r = client.get(path, **kwargs)
        assert r.status_code == 200, r.data[:500]
    return len(sent)


def test_one_ticket_or_fifty_cost_the_same_statements(app, api, client):
    for username in ("admin", *REPORTERS):
        api.headers(username)  # tokens first: signing in is not part of any list
    r = client.post("/login", data={"username": "admin", "password": PASSWORD})
    assert r.status_code == 302

    report(api, 0, NO_DEPARTMENT, GRIDS[0])
    api.drain()
    assert client.get("/dispatch").get_data(as_text=True).count('<tr data-number="') == 1
    queue_of_one = counted(app, client, "/dispatch")

    for n in range(1, 30):
        report(api, n, WAITING[n % len(WAITING)], outside(n))
    for n in range(30, 38):
        report(api, n, NO_DEPARTMENT, GRIDS[n % len(GRIDS)])
    for n in range(38, 50):
        category = ONLY_ONCE if n == 49 else ROUTED[n % len(ROUTED)]
        report(api, n, category, GRIDS[n % len(GRIDS)])
    api.drain()
    tickets = api.get("admin", "/api/v1/tickets?per_page=50").json
    for ticket in tickets["items"]:
        if ticket["category"]["code"] in SENT_BACK:  # back to the dispatcher, with a reason
            assert api.act(SENT_BACK[ticket["category"]["code"]], ticket["number"],
                           "send_back", reason="不属于本部门").status_code == 200
    page = client.get("/dispatch").get_data(as_text=True)
    assert page.count('<tr data-number="') == 40  # every waiting ticket, duplicates too
    assert page.count('class="sent-back"') == 2
    queue_of_many = counted(app, client, "/dispatch")

    tickets = api.get("admin", "/api/v1/tickets?per_page=50").json
    assert len(tickets["items"]) == 50
    assert len({t["lead_department"] for t in tickets["items"]}) >= 5
    assert len({t["grid"] for t in tickets["items"]}) >= 4
    headers = api.headers("admin")
    api_one = counted(app, client, "/api/v1/tickets?per_page=1", headers=headers)
    api_fifty = counted(app, client, "/api/v1/tickets?per_page=50", headers=headers)
    api_urgent = counted(app, client, "/api/v1/tickets?per_page=50&sort=urgency",
                         headers=headers)

    assert client.get(f"/console?state=all&category={ONLY_ONCE}").get_data(
        as_text=True).count('<tr data-number="') == 1
    assert client.get("/console?state=all").get_data(as_text=True).count(
        '<tr data-number="') == 50
    console_one = counted(app, client, f"/console?state=all&category={ONLY_ONCE}")
    console_fifty = counted(app, client, "/console?state=all")

    print(f"\nstatements for 1 / 50 tickets ({app.config['SQLALCHEMY_DATABASE_URI'][:10]}): "
          f"API {api_one} / {api_fifty}, console {console_one} / {console_fifty}, "
          f"dispatch queue {queue_of_one} / {queue_of_many}")
    assert api_one == api_fifty == api_urgent
    assert console_one == console_fifty
    assert queue_of_one == queue_of_many
