"""core.policy without an app: every role × every permission, ticket scopes, street limits for
aggregates, KPI limits, pages. The same decisions are walked through HTTP, endpoint by
endpoint, in tests/api/test_authorization_matrix.py."""

import pytest

from dispatch.core import policy
from dispatch.core.lifecycle import Actor, Forbidden, InvalidParams, TicketFacts
from dispatch.core.policy import Page, Permission, TicketPlace
from dispatch.http import messages

STREET, OTHER_STREET = 1, 2
MUNICIPAL, SANITATION, POLICE = 10, 11, 20

WORKER = Actor(7, "grid_worker", street_id=STREET)
HANDLER = Actor(8, "handler", department_ids=frozenset({MUNICIPAL}),
                department_code="urban_mgmt.municipal")
BUREAU = Actor(9, "handler", department_ids=frozenset({1, MUNICIPAL, SANITATION}),
               department_code="urban_mgmt")
DISPATCHER = Actor(3, "dispatcher", street_id=STREET)
LEADER = Actor(4, "leader", street_id=STREET)
BOARD_LEADER = Actor(5, "leader", street_id=STREET, board_code="livelihood")
ADMIN = Actor(1, "admin")
NO_STREET_LEADER = Actor(6, "leader")
NO_STREET_DISPATCHER = Actor(12, "dispatcher")
STRANGER = Actor(13, "visitor", street_id=STREET)  # a role nobody configured

F, W, D, V, K, A = (Permission.FILE_REPORT, Permission.WORK_QUEUE, Permission.DISPATCH_QUEUE,
                    Permission.VIEW_DASHBOARD, Permission.VIEW_KPI, Permission.ADMINISTER)
GRANTED = {
    "grid_worker": (WORKER, {F}),
    "handler": (HANDLER, {W}),
    "dispatcher": (DISPATCHER, {F, D, V, K}),
    "leader": (LEADER, {V, K}),
    "board leader": (BOARD_LEADER, {V, K}),
    "admin": (ADMIN, set(Permission)),
    "unknown role": (STRANGER, set()),
}


@pytest.mark.parametrize("who", GRANTED)
@pytest.mark.parametrize("permission", list(Permission))
def test_each_role_holds_exactly_its_permissions(who, permission):
    actor, granted = GRANTED[who]
    assert policy.permits(actor, permission) == (permission in granted)
    if permission in granted:
        policy.require(actor, permission)
    else:
        with pytest.raises(Forbidden) as refused:
            policy.require(actor, permission)
        assert refused.value.status == 403


def test_a_refusal_is_a_code_with_the_role_and_has_words():
    with pytest.raises(Forbidden) as refused:
        policy.require(LEADER, Permission.FILE_REPORT)
    assert (refused.value.message, refused.value.params) == ("role_may_not_report",
                                                             {"role": "leader"})
    with pytest.raises(Forbidden) as refused:
        policy.street_limit(NO_STREET_LEADER)
    assert refused.value.message == "not_bound_to_street"
    worded = set(messages.MESSAGES)
    assert set(policy.REFUSALS.values()) | {"not_bound_to_street"} <= worded


def place(street=STREET, reporter=99, departments=(POLICE,)) -> TicketPlace:
    return TicketPlace(street_id=street, reporter_id=reporter,
                       department_ids=frozenset(departments))


@pytest.mark.parametrize("actor, ticket, seen", [
    (WORKER, place(reporter=7), True),
    (WORKER, place(reporter=8), False),  # a colleague's report in the same street
    (HANDLER, place(departments=(MUNICIPAL,)), True),
    (HANDLER, place(street=OTHER_STREET, departments=(MUNICIPAL,)), True),  # any street
    (HANDLER, place(departments=(POLICE, MUNICIPAL)), True),  # helping
    (HANDLER, place(departments=(SANITATION,)), False),
    (BUREAU, place(departments=(SANITATION,)), True),  # a bureau sees its sections'
    (HANDLER, place(departments=()), False),  # in the dispatch queue
    (DISPATCHER, place(), True),
    (DISPATCHER, place(street=OTHER_STREET), False),
    (LEADER, place(street=OTHER_STREET), False),
    (BOARD_LEADER, place(), True),  # board leaders read the whole street
    (ADMIN, place(street=None, reporter=None, departments=()), True),
    (NO_STREET_DISPATCHER, place(street=None), False),  # bound to nothing: sees nothing
    (NO_STREET_LEADER, place(street=None), False),
    (STRANGER, place(reporter=13), False),
])
def test_who_sees_which_ticket(actor, ticket, seen):
    assert policy.can_view_ticket(actor, ticket) is seen


def test_scopes_are_plain_values():
    assert policy.ticket_scope(ADMIN).everything
    assert policy.ticket_scope(DISPATCHER) == policy.TicketScope(street_id=STREET)
    assert policy.ticket_scope(HANDLER) == policy.TicketScope(department_ids=frozenset({10}))
    assert policy.ticket_scope(WORKER) == policy.TicketScope(reporter_id=7)
    for nobody in (NO_STREET_LEADER, NO_STREET_DISPATCHER, STRANGER,
                   Actor(None, "grid_worker"), Actor(14, "handler")):
        assert policy.ticket_scope(nobody).nothing, nobody


@pytest.mark.parametrize("actor, limit", [
    (ADMIN, policy.ALL_STREETS), (DISPATCHER, STREET), (LEADER, STREET),
    (BOARD_LEADER, STREET), (WORKER, Forbidden), (HANDLER, Forbidden),
    (NO_STREET_LEADER, Forbidden), (NO_STREET_DISPATCHER, Forbidden), (STRANGER, Forbidden),
])
def test_dashboards_are_cut_to_the_readers_street(actor, limit):
    if limit is Forbidden:
        with pytest.raises(Forbidden):
            policy.street_limit(actor, Permission.VIEW_DASHBOARD)
    else:
        assert policy.street_limit(actor, Permission.VIEW_DASHBOARD) == limit


@pytest.mark.parametrize("actor, kind, code, limit", [
    (ADMIN, "all", None, None),
    (LEADER, "street", "500105002", STREET),  # another street: cut to one's own (empty)
    (DISPATCHER, "department", "police", STREET),
    (HANDLER, "department", "urban_mgmt.municipal", None),  # own department, every street
    (HANDLER, "department", "police", Forbidden),
    (HANDLER, "all", None, Forbidden),
    (HANDLER, None, None, Forbidden),  # the department ranking
    (BUREAU, "department", "urban_mgmt.municipal", Forbidden),  # a section: not today
    (WORKER, "grid", "500105001001001", Forbidden),
    (NO_STREET_LEADER, "all", None, Forbidden),
])
def test_kpis_follow_the_readers_binding(actor, kind, code, limit):
    if limit is Forbidden:
        with pytest.raises(Forbidden):
            policy.kpi_street_limit(actor, kind, code)
    else:
        assert policy.kpi_street_limit(actor, kind, code) == limit


def facts(**changes) -> TicketFacts:
    values = {"id": 1, "state": "dispatched", "version": 3, "reporter_id": 7,
              "street_id": STREET, "lead_department_id": MUNICIPAL}
    values.update(changes)
    return TicketFacts(**values)


def test_ticket_actions_are_the_lifecycles():
    policy.check_action(HANDLER, facts(), "accept")
    policy.check_action(DISPATCHER, facts(), "park")
    for actor, action in ((WORKER, "accept"), (LEADER, "park"), (HANDLER, "void"),
                          (DISPATCHER, "accept")):
        with pytest.raises(Forbidden):
            policy.check_action(actor, facts(), action)
    with pytest.raises(Forbidden):  # the right role, the wrong street
        policy.check_action(DISPATCHER, facts(street_id=OTHER_STREET), "park")
    with pytest.raises(InvalidParams):
        policy.check_action(ADMIN, facts(), "fly")
    assert policy.allowed_actions(HANDLER, facts()) == [
        "accept", "send_back", "request_extension", "request_park"]
    assert policy.allowed_actions(LEADER, facts()) == []


@pytest.mark.parametrize("actor, pages, home, menu", [
    (WORKER, {Page.REPORT, Page.MY_REPORTS}, Page.REPORT, (Page.REPORT, Page.MY_REPORTS)),
    (HANDLER, {Page.CONSOLE}, Page.CONSOLE, (Page.CONSOLE,)),
    (DISPATCHER, {Page.REPORT, Page.MY_REPORTS, Page.DISPATCH_QUEUE, Page.DASHBOARD},
     Page.DISPATCH_QUEUE, (Page.DISPATCH_QUEUE, Page.DASHBOARD)),
    (LEADER, {Page.DASHBOARD}, Page.DASHBOARD, (Page.DASHBOARD,)),
    (ADMIN, set(Page), Page.DISPATCH_QUEUE, (Page.DISPATCH_QUEUE, Page.DASHBOARD)),
    (STRANGER, set(), None, ()),
])
def test_pages_home_and_menu(actor, pages, home, menu):
    assert set(policy.pages_for(actor)) == pages
    assert policy.home_page(actor) == home
    assert policy.menu_for(actor) == menu


def test_every_role_lands_on_and_is_offered_only_pages_it_may_open():
    for role, home in policy.HOME.items():
        actor = Actor(1, role, street_id=STREET)
        assert home in policy.pages_for(actor), role
        assert set(policy.menu_for(actor)) <= set(policy.pages_for(actor)), role


def test_only_a_board_leader_has_an_own_board():
    assert policy.own_board(BOARD_LEADER) == "livelihood"
    assert policy.own_board(LEADER) is None
    assert policy.own_board(Actor(2, "dispatcher", street_id=1, board_code="safety")) is None
