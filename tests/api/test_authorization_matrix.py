"""Who may see and do what, walked over HTTP: every API endpoint and every page × every kind of
person × in and out of their scope, each with the status code it must answer.

Why a table: the decisions live in one policy (dispatch/core/policy.py), but each endpoint has
to ask it; a view that forgets shows up here as a wrong code. `test_every_route_is_in_the_table`
walks `app.url_map` and fails for a route the table does not cover, so a new endpoint cannot
slip in untested.

The world, built once per database (SQLite and PostgreSQL, jobs inline): the demo district plus
a second street (500105002, one community, one grid, a grid worker, a dispatcher and a leader of
its own) and two accounts bound to no street. Three reports, each with a photo:
- own: worker1's, street 1, dispatched to 市政科 (urban_mgmt.municipal, board livelihood);
- other_worker: worker2's, street 1, dispatched to 交巡警 (traffic_police, board safety);
- other_street: the second street's worker's, dispatched to 市政科.
So a grid worker's own report vs a colleague's, a handler's department vs another, a street vs
the second street, a board leader's board vs another. Ticket actions are sent with a stale
version: whoever may act gets 409 (the check after role and jurisdiction), whoever sees the
ticket but may not act 403, and nothing changes. A ticket or photo a person may not see answers
404, exactly as one that does not exist (no oracle for the numbers in use elsewhere).
"""

import copy
import io
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from boards import DEMO_FOLDER
from dispatch.extensions import db
from dispatch.services import reference_data
from tests.conftest import PASSWORD, create_pg_database, drop_pg_database, make_app, pg_url
from tests.helpers import IN_GRID, IN_GRID_2, OUTSIDE, ApiDriver, jpeg

ANON = "anonymous"
ROLES = ("grid_worker", "handler", "dispatcher", "leader", "board_leader", "admin")
EVERYONE = (*ROLES, ANON)
USERS = {"grid_worker": "worker1", "handler": "handler.municipal", "dispatcher": "dispatcher",
         "leader": "leader", "board_leader": "leader.livelihood", "admin": "admin"}

OWN, OTHER_WORKER, OTHER_STREET = "own", "other_worker", "other_street"
TARGETS = (OWN, OTHER_WORKER, OTHER_STREET)
# which of the three reports each person may open (and so sees in lists, photos included)
SEES = {"grid_worker": {OWN}, "handler": {OWN, OTHER_STREET},
        "dispatcher": {OWN, OTHER_WORKER}, "leader": {OWN, OTHER_WORKER},
        "board_leader": {OWN, OTHER_WORKER}, "admin": set(TARGETS)}
# on which of them each may take their role's action (lifecycle: role and jurisdiction)
ACTS = {"grid_worker": {OWN}, "handler": {OWN, OTHER_STREET},
        "dispatcher": {OWN, OTHER_WORKER}, "leader": set(), "board_leader": set(),
        "admin": set(TARGETS)}
ROLE_ACTION = {"grid_worker": "verify", "handler": "accept", "dispatcher": "park",
               "leader": "park", "board_leader": "park", "admin": "park"}
WRONG_ACTION = {"grid_worker": "dispatch", "handler": "void", "dispatcher": "accept",
                "leader": "verify", "board_leader": "verify", "admin": "accept"}

FILE_REPORTS = {"grid_worker", "dispatcher", "admin"}
READ_DASHBOARDS = {"dispatcher", "leader", "board_leader", "admin"}
WORK_QUEUE = {"handler", "admin"}
DISPATCH_QUEUE = {"dispatcher", "admin"}

LOGIN = "login"  # a 302 to the sign-in page
REDIRECT = "redirect"  # a 302 anywhere else

STREET_2 = "500105002"
STREET_2_POINT = {"lat": 29.5750, "lng": 106.5405}
ELSEWHERE = {"lat": 29.57676, "lng": 106.53222}  # grid 500105001004001, for new reports
TABLES = ("states", "ranking", "trend", "grids")


# --- the expectations ----------------------------------------------------------------------

def only(allowed, ok, anon, no=403) -> dict[str, Any]:
    return {**{r: ok if r in allowed else no for r in ROLES}, ANON: anon}


def everyone(ok, anon) -> dict[str, Any]:
    return only(ROLES, ok, anon)


def by_target(relation, target, ok, anon, no=404) -> dict[str, Any]:
    return {**{r: ok if target in relation[r] else no for r in ROLES}, ANON: anon}


def acting(target, ok, anon) -> dict[str, Any]:
    """Who may act: `ok`; who sees the ticket but may not act: 403; who does not see it: 404."""
    return {**{r: ok if target in ACTS[r] else 403 if target in SEES[r] else 404
               for r in ROLES}, ANON: anon}


@dataclass(frozen=True)
class Case:
    method: str
    rule: str  # the url_map rule this case exercises
    path: str  # formatted with World.refs
    scope: str  # what is in or out of whose scope here, for the reader of a failure
    expect: dict[str, Any]
    query: dict | None = None
    json: Any = None  # a dict, or role -> dict
    send: Any = None  # (world, role, path) -> response, for requests of their own kind

    @property
    def id(self) -> str:
        return f"{self.method} {self.path} [{self.scope}]"


def stale(action_of):
    return lambda role: {"action": action_of.get(role, "park"), "version": 0, "reason": "x"}


def _api_cases() -> list[Case]:
    v1 = "/api/v1"
    tickets_rule = f"{v1}/tickets/<number>"
    photo_rule = f"{v1}/photos/<int:photo_id>/<any(display, thumb):rendition>"
    kpi = {"from": "{start}", "to": "{end}"}
    cases = [
        Case("POST", f"{v1}/auth/token", f"{v1}/auth/token", "own password",
             everyone(200, 401), send=_token),
        Case("GET", f"{v1}/openapi.json", f"{v1}/openapi.json", "public",
             everyone(200, 200)),
        Case("GET", f"{v1}/me", f"{v1}/me", "-", everyone(200, 401)),
        Case("GET", f"{v1}/notifications", f"{v1}/notifications", "own",
             everyone(200, 401)),
        Case("GET", f"{v1}/categories", f"{v1}/categories", "-", everyone(200, 401)),
        Case("GET", f"{v1}/boards", f"{v1}/boards", "-", everyone(200, 401)),
        Case("GET", f"{v1}/departments", f"{v1}/departments", "-", everyone(200, 401)),
        Case("GET", f"{v1}/grids.geojson", f"{v1}/grids.geojson", "-", everyone(200, 401)),
        Case("GET", f"{v1}/grids", f"{v1}/grids", "own street", everyone(200, 401),
             query=IN_GRID),
        Case("GET", f"{v1}/grids", f"{v1}/grids", "other street", everyone(200, 401),
             query=STREET_2_POINT),
        Case("POST", f"{v1}/incidents", f"{v1}/incidents", "-",
             only(FILE_REPORTS, 201, 401), send=_incident),
        Case("GET", f"{v1}/tickets", f"{v1}/tickets", "own scope (see the list test)",
             everyone(200, 401)),
        Case("GET", tickets_rule, f"{v1}/tickets/2026-999999", "no such ticket",
             everyone(404, 401)),
        Case("POST", f"{tickets_rule}/actions", f"{v1}/tickets/2026-999999/actions",
             "no such ticket", everyone(404, 401), json=stale(ROLE_ACTION)),
        Case("POST", f"{tickets_rule}/actions", f"{v1}/tickets/{{{OWN}}}/actions",
             "own ticket, an action not the role's", everyone(403, 401),
             json=stale(WRONG_ACTION)),
        Case("GET", photo_rule, f"{v1}/photos/{{photo_{OWN}}}/thumb", OWN,
             by_target(SEES, OWN, 200, 401)),
        Case("GET", photo_rule, f"{v1}/photos/999999/display", "no such photo",
             everyone(404, 401)),
        Case("GET", f"{v1}/kpi/departments", f"{v1}/kpi/departments", "own street",
             only(READ_DASHBOARDS, 200, 401), query=kpi),
        Case("GET", f"{v1}/admin/routing-rules", f"{v1}/admin/routing-rules", "-",
             only({"admin"}, 200, 401)),
        Case("PUT", f"{v1}/admin/routing-rules", f"{v1}/admin/routing-rules", "stale version",
             only({"admin"}, 409, 401), json={"rules": [], "version": 999,
                                              "confirm_empty": True}),
        Case("GET", f"{v1}/admin/routing-rules/versions", f"{v1}/admin/routing-rules/versions",
             "-", only({"admin"}, 200, 401)),
        Case("GET", f"{v1}/admin/routing-rules/versions/<int:version>",
             f"{v1}/admin/routing-rules/versions/999", "no such version",
             only({"admin"}, 404, 401)),
        Case("POST", f"{v1}/admin/routing-rules/versions/<int:version>/restore",
             f"{v1}/admin/routing-rules/versions/999/restore", "no such version",
             only({"admin"}, 404, 401)),
    ]
    for target in TARGETS:
        cases += [
            Case("GET", tickets_rule, f"{v1}/tickets/{{{target}}}", target,
                 by_target(SEES, target, 200, 401)),
            Case("POST", f"{tickets_rule}/actions", f"{v1}/tickets/{{{target}}}/actions",
                 f"{target}, the role's action", acting(target, 409, 401),
                 json=stale(ROLE_ACTION)),
            Case("GET", photo_rule, f"{v1}/photos/{{photo_{target}}}/display", target,
                 by_target(SEES, target, 200, 401)),
        ]
    summary = f"{v1}/boards/<code>/summary"
    for board, scope in (("livelihood", "own board"), ("safety", "other board")):
        cases.append(Case("GET", summary, f"{v1}/boards/{board}/summary", scope,
                          only(READ_DASHBOARDS, 200, 401)))
    cases += [
        Case("GET", summary, f"{v1}/boards/livelihood/summary", "other street asked for",
             only(READ_DASHBOARDS, 200, 401), query={"street": STREET_2}),
        Case("GET", summary, f"{v1}/boards/culture/summary", "no such board",
             only(READ_DASHBOARDS, 404, 401)),
    ]
    for scope, label, handler in (
            ("all", "everything", 403),
            ("department:urban_mgmt.municipal", "own department", 200),
            ("department:traffic_police", "other department", 403),
            ("street:500105001", "own street", 403),
            (f"street:{STREET_2}", "other street (cut to one's own)", 403),
            ("board:livelihood", "own board", 403),
            ("board:safety", "other board", 403),
            ("grid:500105001001001", "a grid of one's street", 403)):
        expect = only(READ_DASHBOARDS, 200, 401)
        expect["handler"] = handler
        cases.append(Case("GET", f"{v1}/kpi", f"{v1}/kpi", label, expect,
                          query={"scope": scope, **kpi}))
    return cases


def _page_cases() -> list[Case]:
    ticket_rule = "/tickets/<number>"
    photo_rule = "/photos/<int:photo_id>/<any(display, thumb):rendition>"
    cases = [
        Case("GET", "/", "/", "home page", everyone(REDIRECT, LOGIN)),
        Case("GET", "/login", "/login", "public", everyone(200, 200)),
        Case("POST", "/login", "/login", "own password", everyone(REDIRECT, 401),
             send=_login),
        Case("POST", "/logout", "/logout", "-", everyone(LOGIN, LOGIN), send=_logout),
        Case("GET", "/healthz", "/healthz", "public", everyone(200, 200), send=_healthz),
        Case("GET", "/static/<path:filename>", "/static/css/app.css", "public",
             everyone(200, 200)),
        Case("GET", "/geo/grids.geojson", "/geo/grids.geojson", "-", everyone(200, LOGIN)),
        Case("GET", "/m/", "/m/", "-", only(FILE_REPORTS, 200, LOGIN)),
        Case("POST", "/m/report", "/m/report", "-", only(FILE_REPORTS, REDIRECT, LOGIN),
             send=_page_report),
        Case("GET", "/m/reports", "/m/reports", "own reports", only(FILE_REPORTS, 200, LOGIN)),
        Case("GET", "/m/done/<number>", "/m/done/2026-999999", "no such ticket",
             only(FILE_REPORTS, 404, LOGIN)),
        Case("GET", "/console", "/console", "own department",
             only(WORK_QUEUE, 200, LOGIN)),
        Case("GET", "/dispatch", "/dispatch", "own street", only(DISPATCH_QUEUE, 200, LOGIN)),
        Case("GET", "/dashboard", "/dashboard", "own street",
             only(READ_DASHBOARDS, 200, LOGIN)),
        Case("GET", "/dashboard/<board>", "/dashboard/culture", "no such board",
             only(READ_DASHBOARDS, 404, LOGIN)),
        Case("GET", "/dashboard/<board>/export/<any(states, ranking, trend, grids):table>.csv",
             "/dashboard/culture/export/states.csv", "no such board",
             only(READ_DASHBOARDS, 404, LOGIN)),
        Case("GET", ticket_rule, "/tickets/2026-999999", "no such ticket",
             everyone(404, LOGIN)),
        Case("POST", f"{ticket_rule}/act", "/tickets/2026-999999/act", "no such ticket",
             everyone(404, LOGIN), json=stale(ROLE_ACTION)),
        Case("POST", f"{ticket_rule}/act", f"/tickets/{{{OWN}}}/act",
             "own ticket, an action not the role's", everyone(403, LOGIN),
             json=stale(WRONG_ACTION)),
        Case("GET", photo_rule, f"/photos/{{photo_{OWN}}}/thumb", OWN,
             by_target(SEES, OWN, 200, LOGIN)),
        Case("GET", photo_rule, "/photos/999999/thumb", "no such photo",
             everyone(404, LOGIN)),
        Case("GET", f"{ticket_rule}/extension-preview",
             "/tickets/2026-999999/extension-preview", "no such ticket", everyone(404, LOGIN),
             query={"amount": "1"}),
    ]
    for board, scope in (("livelihood", "own board"), ("safety", "other board")):
        cases.append(Case("GET", "/dashboard/<board>", f"/dashboard/{board}", scope,
                          only(READ_DASHBOARDS, 200, LOGIN)))
    for table in TABLES:
        cases.append(Case(
            "GET", "/dashboard/export/<any(states, ranking, trend, grids):table>.csv",
            f"/dashboard/export/{table}.csv", "own street", only(READ_DASHBOARDS, 200, LOGIN)))
        cases.append(Case(
            "GET", "/dashboard/<board>/export/<any(states, ranking, trend, grids):table>.csv",
            f"/dashboard/livelihood/export/{table}.csv", "own board",
            only(READ_DASHBOARDS, 200, LOGIN)))
    for target in TARGETS:  # the deadline an extension would give: whoever sees the ticket
        cases.append(Case("GET", f"{ticket_rule}/extension-preview",
                          f"/tickets/{{{target}}}/extension-preview", target,
                          by_target(SEES, target, 200, LOGIN), query={"amount": "1"}))
    for target in TARGETS:
        done = by_target(SEES, target, 200, LOGIN)
        done.update({r: 403 for r in ROLES if r not in FILE_REPORTS})
        cases += [
            Case("GET", ticket_rule, f"/tickets/{{{target}}}", target,
                 by_target(SEES, target, 200, LOGIN)),
            Case("POST", f"{ticket_rule}/act", f"/tickets/{{{target}}}/act",
                 f"{target}, the role's action", acting(target, REDIRECT, LOGIN),
                 json=stale(ROLE_ACTION)),
            Case("GET", photo_rule, f"/photos/{{photo_{target}}}/display", target,
                 by_target(SEES, target, 200, LOGIN)),
            Case("GET", "/m/done/<number>", f"/m/done/{{{target}}}", target, done),
        ]
    return cases


# --- requests of their own kind ---------------------------------------------------------------

def _token(world, role, path):
    username = USERS.get(role, "worker1")
    password = PASSWORD if role != ANON else "wrong"
    return world.client.post(path, json={"username": username, "password": password})


def _incident(world, role, path):
    headers = {"Idempotency-Key": uuid.uuid4().hex, **world.bearer(role)}
    data = {"category": "5001", "description": "路边暴露垃圾", **ELSEWHERE}
    return world.client.post(path, data={k: str(v) for k, v in data.items()},
                             content_type="multipart/form-data", headers=headers)


def _login(world, role, path):
    username = USERS.get(role, "worker1")
    password = PASSWORD if role != ANON else "wrong"
    return world.app.test_client().post(path, data={"username": username,
                                                    "password": password})


def _healthz(world, role, path):
    """Public; healthy once a deadline sweep has run (tests/integration/test_health.py)."""
    from dispatch.services import sla_sweep

    with world.app.app_context():
        sla_sweep.sweep()
    return world.page(role).get(path)


def _logout(world, role, path):
    client = world.app.test_client()
    if role != ANON:
        r = client.post("/login", data={"username": USERS[role], "password": PASSWORD})
        assert r.status_code == 302
    response = client.post(path)
    world.forget(role)  # signing out ends every session and token of the person
    return response


def _page_report(world, role, path):
    data = {"category": "5001", "description": "路边暴露垃圾",
            "lat": str(ELSEWHERE["lat"]), "lng": str(ELSEWHERE["lng"]),
            "idempotency_key": uuid.uuid4().hex}
    return world.page(role).post(path, data=data)


# --- the world --------------------------------------------------------------------------------

@dataclass
class World:
    app: Any
    api: ApiDriver
    refs: dict[str, Any] = field(default_factory=dict)
    clients: dict[str, Any] = field(default_factory=dict)

    @property
    def client(self):
        return self.api.client

    def bearer(self, role: str) -> dict:
        return {} if role == ANON else self.api.headers(USERS[role])

    def forget(self, role: str) -> None:
        """Sign in again next time: the role's sessions and tokens were ended."""
        self.clients.pop(role, None)
        if role != ANON:
            self.api.forget(USERS[role])

    def page(self, role: str):
        """A test client signed in as the role (signed out for ANON)."""
        if role == ANON:
            return self.app.test_client()
        if role not in self.clients:
            client = self.app.test_client()
            r = client.post("/login", data={"username": USERS[role], "password": PASSWORD})
            assert r.status_code == 302, r.data
            self.clients[role] = client
        return self.clients[role]


def _with_second_street(data: dict) -> dict:
    """The demo district plus street 500105002 with one grid, its own grid worker, dispatcher
    and leader, and a leader and a dispatcher bound to no street."""
    data = copy.deepcopy(data)
    data["district"]["streets"].append({
        "code": STREET_2, "name_zh": "测试街道", "name_en": "Test Street",
        "communities": [{"code": f"{STREET_2}001", "name_zh": "测试社区"}]})
    grid = f"{STREET_2}001001"
    data["grids"]["features"].append({
        "type": "Feature",
        "properties": {"code": grid, "name_zh": "测试社区第1网格", "community": f"{STREET_2}001"},
        "geometry": {"type": "Polygon", "coordinates": [[
            [106.5400, 29.5745], [106.5410, 29.5745], [106.5410, 29.5755],
            [106.5400, 29.5755], [106.5400, 29.5745]]]}})
    data["district"]["users"] += [
        {"username": "worker.s2", "role": "grid_worker", "street": STREET_2, "grid": grid},
        {"username": "dispatcher.s2", "role": "dispatcher", "street": STREET_2},
        {"username": "leader.s2", "role": "leader", "street": STREET_2},
        {"username": "leader.nostreet", "role": "leader"},
        {"username": "dispatcher.nostreet", "role": "dispatcher"},
    ]
    return data


def _report(api: ApiDriver, username: str, photo_color: str, **fields) -> dict:
    r = api.report(username, photos=[jpeg(color=photo_color)], **fields)
    assert r.status_code == 201, r.json
    return api.ticket(r.json["number"])


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def world(request, tmp_path_factory):
    pg_name = None
    if request.param == "postgres":
        pg_name = create_pg_database()
        url = pg_url(pg_name)
    else:
        url = "sqlite:///" + str(tmp_path_factory.mktemp("matrix-db") / "matrix.db")
    app = make_app(url, tmp_path_factory.mktemp("matrix-uploads"), None,
                   WTF_CSRF_ENABLED=False)
    try:
        with app.app_context():
            reference_data.load(_with_second_street(
                reference_data.read_folder(DEMO_FOLDER)), PASSWORD)
        api = ApiDriver(app, app.test_client())
        own = _report(api, "worker1", "red")
        other_worker = _report(api, "worker2", "blue", category="0202",
                               description="信号灯不亮", location=IN_GRID_2)
        other_street = _report(api, "worker.s2", "green", location=STREET_2_POINT)
        no_street = api.report("admin", location=OUTSIDE).json  # no street, no grid
        assert (own["street"], own["lead_department"], own["board"]) == (
            "500105001", "urban_mgmt.municipal", "livelihood")
        assert (other_worker["street"], other_worker["lead_department"],
                other_worker["board"]) == ("500105001", "traffic_police", "safety")
        assert (other_street["street"], other_street["lead_department"]) == (
            STREET_2, "urban_mgmt.municipal")
        assert no_street["state"] == "reported" and no_street["street"] is None
        today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
        refs = {"start": (today - timedelta(days=30)).isoformat(),
                "end": (today + timedelta(days=2)).isoformat(),
                "no_street": no_street["number"]}
        for name, ticket in ((OWN, own), (OTHER_WORKER, other_worker),
                             (OTHER_STREET, other_street)):
            refs[name] = ticket["number"]
            assert ticket["state"] == "dispatched" and ticket["photos"][0]["status"] == "ready"
            refs[f"photo_{name}"] = ticket["photos"][0]["id"]
        yield World(app, api, refs)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if pg_name:
            drop_pg_database(pg_name)


def _code(response):
    if response.status_code == 302:
        return LOGIN if "/login" in response.headers["Location"] else REDIRECT
    return response.status_code


def _fill(value, refs):
    if isinstance(value, str):
        return value.format(**refs)
    if isinstance(value, dict):
        return {k: _fill(v, refs) for k, v in value.items()}
    return value


def call(world: World, case: Case, role: str):
    path = case.path.format(**world.refs)
    if case.send is not None:
        response = case.send(world, role, path)
    else:
        body = case.json(role) if callable(case.json) else case.json
        query = _fill(case.query, world.refs)
        if path.startswith("/api/"):
            response = world.client.open(path, method=case.method, query_string=query,
                                         json=body, headers=world.bearer(role))
        else:
            client = world.page(role)
            if body is not None:
                response = client.open(path, method=case.method,
                                       data={k: str(v) for k, v in body.items()})
            else:
                response = client.open(path, method=case.method, query_string=query)
    code = _code(response)
    response.close()  # a file sent (photo, stylesheet) is closed with its response
    return code


API_CASES = _api_cases()
PAGE_CASES = _page_cases()
CASES = API_CASES + PAGE_CASES


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_the_status_code_of_every_endpoint_for_every_role(world, case):
    got = {role: call(world, case, role) for role in EVERYONE}
    assert got == case.expect, case.id


def test_every_route_is_in_the_table(world):
    covered = {(c.method, c.rule) for c in CASES}
    routes = {(method, rule.rule) for rule in world.app.url_map.iter_rules()
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes - covered == set(), "routes missing from the authorization matrix"
    assert covered - routes == set(), "cases for routes that do not exist"
    api_routes = {r for r in routes if r[1].startswith("/api/")}
    print(f"\nauthorization matrix: {len(api_routes)} API routes and "
          f"{len(routes) - len(api_routes)} page routes; {len(API_CASES)} API and "
          f"{len(PAGE_CASES)} page cases × {len(EVERYONE)} roles = "
          f"{len(CASES) * len(EVERYONE)} checks per database")


# --- what the status codes alone do not show ----------------------------------------------------

def test_lists_hold_exactly_the_tickets_each_role_may_open(world):
    refs = world.refs
    for role in ROLES:
        r = world.client.get("/api/v1/tickets", query_string={"per_page": 100},
                             headers=world.bearer(role))
        numbers = {t["number"] for t in r.json["items"]}
        assert {t for t in TARGETS if refs[t] in numbers} == SEES[role], role
    for role in WORK_QUEUE:
        html = world.page(role).get("/console?state=all").get_data(as_text=True)
        assert {t for t in TARGETS if refs[t] in html} == SEES[role], role
    html = world.page("grid_worker").get("/m/reports").get_data(as_text=True)
    assert {t for t in TARGETS if refs[t] in html} == {OWN}


def _get(world, username, path, **query):
    return world.client.get(path, query_string=query, headers=world.api.headers(username))


def test_aggregates_stay_in_the_readers_street(world):
    """The second street's report (the only ticket there) counts for its own leader and
    dispatcher and for admins, never for the first street's people, whatever they ask for."""
    summary = "/api/v1/boards/livelihood/summary"
    assert _get(world, "leader.s2", summary).json["open"] == 1
    assert _get(world, "dispatcher.s2", summary).json["by_state"]["dispatched"] == 1
    assert _get(world, "admin", summary, street=STREET_2).json["open"] == 1
    own = _get(world, "leader", summary).json
    assert _get(world, "leader", summary, street=STREET_2).json == own  # own street anyway
    period = {"from": world.refs["start"], "to": world.refs["end"]}
    for username, expected in (("leader", 0), ("leader.livelihood", 0), ("dispatcher", 0),
                               ("leader.s2", 1), ("admin", 1)):
        k = _get(world, username, "/api/v1/kpi", scope=f"street:{STREET_2}", **period).json
        assert k["dispatch_events"] == expected, username
    k = _get(world, "handler.municipal", "/api/v1/kpi",
             scope="department:urban_mgmt.municipal", **period).json
    assert k["dispatch_events"] >= 2  # a department's figures span the streets it serves
    html = world.page("leader").get("/dashboard").get_data(as_text=True)
    assert "测试街道" not in html and "观音桥街道" in html


# --- holes closed by the policy (each of these failed before it) ------------------------------

def test_an_account_bound_to_no_street_sees_no_ticket_and_no_figures(world):
    """A dispatcher or leader with no street used to read every street's board summaries and
    KPIs, and to see (and queue) every ticket without a street."""
    number = world.refs["no_street"]
    period = {"from": world.refs["start"], "to": world.refs["end"]}
    for username in ("dispatcher.nostreet", "leader.nostreet"):
        assert _get(world, username, "/api/v1/tickets").json["total"] == 0, username
        assert _get(world, username, f"/api/v1/tickets/{number}").status_code == 404
        assert _get(world, username, "/api/v1/boards/livelihood/summary").status_code == 403
        assert _get(world, username, "/api/v1/kpi", scope="all", **period).status_code == 403
        assert _get(world, username, "/api/v1/kpi/departments", **period).status_code == 403
    client = world.app.test_client()
    client.post("/login", data={"username": "dispatcher.nostreet", "password": PASSWORD})
    queue = client.get("/dispatch")
    assert queue.status_code == 200 and number not in queue.get_data(as_text=True)
    assert client.get(f"/tickets/{number}").status_code == 404
    assert client.get("/dashboard").status_code == 403
    assert _get(world, "admin", f"/api/v1/tickets/{number}").status_code == 200


@pytest.mark.parametrize("username, target, body, expect", [
    ("worker2", OWN, {"action": "merge", "into": "2026-424242"}, (404, "not_found")),
    ("handler.police", OWN, {"action": "dispatch", "board": "nowhere", "department": "x"},
     (404, "not_found")),
    ("dispatcher", OTHER_STREET, {"action": "dispatch", "board": "livelihood",
                                  "department": "nobody"}, (404, "not_found")),
    ("dispatcher", OTHER_STREET, {"action": "merge", "into": "2026-424242"},
     (404, "not_found")),
    ("leader", OWN, {"action": "merge", "into": "2026-424242"}, (403, "forbidden")),
    ("handler.municipal", OWN, {"action": "dispatch", "board": "nowhere", "department": "x"},
     (403, "forbidden")),
], ids=["worker-merge", "other-department-dispatch", "other-street-dispatch",
        "other-street-merge", "leader-merge", "handler-dispatch"])
def test_who_may_not_act_hears_404_or_403_before_anything_about_the_parameters(
        world, username, target, body, expect):
    """Visibility, role and jurisdiction come first (README: 404 → 403 → 409 → 422); a refused
    person used to get 422 with the unknown department, board or ticket named. Who cannot see
    the ticket hears 404, who sees it but may not act 403."""
    number = world.refs[target]
    r = world.client.post(f"/api/v1/tickets/{number}/actions", json={**body, "version": 1},
                          headers=world.api.headers(username))
    assert (r.status_code, r.json["code"]) == expect, r.json


def test_photos_with_the_wrong_action_are_refused_before_they_are_read(world):
    number = world.refs[OWN]
    for username, expect in (("handler.police", (404, "not_found")),
                             ("leader", (403, "forbidden"))):
        r = world.client.post(f"/api/v1/tickets/{number}/actions", data={
            "action": "accept", "version": "1", "photos": [(io.BytesIO(jpeg()), "a.jpg")]},
            content_type="multipart/form-data", headers=world.api.headers(username))
        assert (r.status_code, r.json["code"]) == expect, r.json


def test_anonymous_clients_get_401_before_any_argument_is_read(world):
    """Without a token, every endpoint but the public ones answers 401, even with no query,
    no form and no body: nothing an anonymous client sends is parsed or validated (it used to
    get 422 with the fields it had missed, its upload spooled first)."""
    public = {"/api/v1/auth/token", "/api/v1/openapi.json"}
    values = {"<number>": world.refs[OWN], "<int:photo_id>": "1", "<code>": "livelihood",
              "<int:version>": "1",
              "<any(display, thumb):rendition>": "thumb"}
    checked = 0
    for rule in world.app.url_map.iter_rules():
        if not rule.rule.startswith("/api/") or rule.rule in public:
            continue
        path = rule.rule
        for placeholder, value in values.items():
            path = path.replace(placeholder, value)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            r = world.client.open(path, method=method)
            assert (r.status_code, r.json["code"]) == (401, "unauthorized"), (method, path)
            checked += 1
    assert checked >= 16


# --- no oracle across jurisdictions (issue 10, point 10) ---------------------------------------

def test_what_one_may_not_see_answers_exactly_as_what_does_not_exist(world):
    """Ticket numbers and photo ids of other jurisdictions used to answer 403 where unknown
    ones answered 404, so anyone could probe which numbers were in use elsewhere."""
    refs = world.refs
    for username, target in (("worker1", OTHER_WORKER), ("handler.municipal", OTHER_WORKER),
                             ("dispatcher", OTHER_STREET), ("leader", OTHER_STREET)):
        headers = world.api.headers(username)
        for path, unknown in (
                (f"/api/v1/tickets/{refs[target]}", "/api/v1/tickets/2026-999999"),
                (f"/api/v1/photos/{refs[f'photo_{target}']}/thumb",
                 "/api/v1/photos/999999/thumb")):
            seen, missing = (world.client.get(p, headers=headers) for p in (path, unknown))
            assert (seen.status_code, seen.json["code"]) == (404, "not_found"), path
            assert seen.json["message"] == missing.json["message"].replace(
                "2026-999999", refs[target]), path
        act = {"action": ROLE_ACTION["dispatcher"], "version": 1, "reason": "x"}
        seen = world.client.post(f"/api/v1/tickets/{refs[target]}/actions", json=act,
                                 headers=headers)
        missing = world.client.post("/api/v1/tickets/2026-999999/actions", json=act,
                                    headers=headers)
        assert (seen.status_code, seen.json["code"]) == (missing.status_code,
                                                          missing.json["code"]) == (
            404, "not_found")


def test_a_merge_into_a_ticket_one_may_not_see_is_refused_as_into_an_unknown_one(world):
    """The dispatcher merging into another street's ticket used to hear "merge across streets"
    (or the other ticket's state), telling them the number exists and where."""
    own = world.refs[OWN]
    version = world.api.ticket(own)["version"]

    def merge(into):
        r = world.client.post(f"/api/v1/tickets/{own}/actions",
                              json={"action": "merge", "into": into, "version": version},
                              headers=world.api.headers("dispatcher"))
        body = json.loads(json.dumps(r.json).replace(into, "<number>"))
        return r.status_code, body

    seen = merge(world.refs[OTHER_STREET])
    assert seen == merge("2026-999999")
    assert seen[0] == 422 and seen[1]["error_codes"]["into"][0]["code"] == "unknown_ticket"
    assert world.api.ticket(own)["version"] == version  # nothing changed
