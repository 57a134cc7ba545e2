"""The ticket lifecycle checked against the spec table, written out here independently of
`lifecycle.TRANSITIONS`: every (action, state) pair, every (action, role) pair, jurisdiction,
the order of the checks, the effects of each action, and a random-walk property."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dispatch.core import lifecycle
from dispatch.core.lifecycle import (
    Actor,
    Decision,
    DepartmentRef,
    Forbidden,
    InvalidParams,
    LifecycleError,
    NotAllowed,
    Stale,
    TicketFacts,
    allowed_actions,
    decide,
)

NOW = datetime(2024, 5, 6, 9, 30, tzinfo=UTC)
STREET = 5
OTHER_STREET = 6
REPORTER = 11
LEAD_DEPT = 7
VERSION = 3

STATES = ("reported", "dispatched", "accepted", "resolved", "closed", "voided", "merged",
          "parked")
FINAL = {"closed", "voided", "merged"}
ROLES = ("grid_worker", "dispatcher", "handler", "leader", "admin", "system")
UNCHANGED = object()  # result state: the ticket keeps its state
RESUME = object()  # result state: the state the ticket was parked from


@dataclass(frozen=True)
class Spec:
    from_states: frozenset[str]
    roles: frozenset[str]
    required: tuple[str, ...]
    result: object  # a state name, UNCHANGED or RESUME


def spec(from_states: str, roles: str, required: str, result: object) -> Spec:
    return Spec(frozenset(from_states.split()), frozenset(roles.split()),
                tuple(required.split()), result)


# The spec, transcribed by hand. Do not derive it from the code.
SPEC: dict[str, Spec] = {
    "dispatch": spec("reported dispatched accepted", "dispatcher admin system",
                     "board department", "dispatched"),
    "queue": spec("reported", "system", "reason", UNCHANGED),
    "accept": spec("dispatched", "handler", "", "accepted"),
    "resolve": spec("accepted", "handler", "note", "resolved"),
    "verify": spec("resolved", "grid_worker dispatcher admin", "", "closed"),
    "rework": spec("resolved", "grid_worker dispatcher admin", "note", "accepted"),
    "send_back": spec("dispatched accepted", "handler", "reason", "reported"),
    "void": spec("reported", "dispatcher admin", "reason", "voided"),
    "merge": spec("reported dispatched", "dispatcher admin", "into", "merged"),
    "request_extension": spec("dispatched accepted", "handler", "hours reason", UNCHANGED),
    "approve_extension": spec("dispatched accepted", "dispatcher admin", "", UNCHANGED),
    "reject_extension": spec("dispatched accepted", "dispatcher admin", "reason", UNCHANGED),
    "request_park": spec("dispatched accepted", "handler", "reason", UNCHANGED),
    "park": spec("dispatched accepted", "dispatcher admin", "reason", "parked"),
    "reject_park": spec("dispatched accepted", "dispatcher admin", "reason", UNCHANGED),
    "unpark": spec("parked", "dispatcher admin", "", RESUME),
}
ACTIONS = tuple(SPEC)

MUNICIPAL = DepartmentRef(LEAD_DEPT, "urban_mgmt.municipal", frozenset({"livelihood"}))
WATER = DepartmentRef(8, "water", frozenset({"livelihood"}))
GREENING = DepartmentRef(9, "greening", frozenset({"environment"}))

# What a ticket needs before an action is even possible (besides its state).
PRECONDITIONS: dict[str, dict] = {
    "approve_extension": {"pending_request": "extension", "pending_hours": 8},
    "reject_extension": {"pending_request": "extension", "pending_hours": 8},
    "reject_park": {"pending_request": "park"},
    "unpark": {"resume_state": "accepted"},
}


def ticket(state: str = "dispatched", **fields) -> TicketFacts:
    base = dict(id=1, state=state, version=VERSION, reporter_id=REPORTER, street_id=STREET,
                lead_department_id=LEAD_DEPT)
    return TicketFacts(**{**base, **fields})


def ticket_for(action: str, state: str, **fields) -> TicketFacts:
    return ticket(state, **{**PRECONDITIONS.get(action, {}), **fields})


def other_open_ticket(**fields) -> TicketFacts:
    return TicketFacts(**{**dict(id=2, state="dispatched", version=1, reporter_id=12,
                                 street_id=STREET), **fields})


def valid_params(action: str) -> dict:
    return {
        "dispatch": {"board": "livelihood", "department": MUNICIPAL},
        "queue": {"reason": "no default department"},
        "accept": {},
        "resolve": {"note": "cover replaced"},
        "verify": {},
        "rework": {"note": "cover still loose"},
        "send_back": {"reason": "not our section"},
        "void": {"reason": "duplicate photo"},
        "merge": {"into": other_open_ticket()},
        "request_extension": {"hours": 8, "reason": "waiting for parts"},
        "approve_extension": {},
        "reject_extension": {"reason": "parts are in stock"},
        "request_park": {"reason": "needs a district decision"},
        "park": {"reason": "needs a district decision"},
        "reject_park": {"reason": "handle it now"},
        "unpark": {},
    }[action]


def actor(role: str) -> Actor:
    """Someone of `role` in whose jurisdiction `ticket()` lies."""
    return {
        "grid_worker": Actor(REPORTER, "grid_worker"),
        "dispatcher": Actor(21, "dispatcher", street_id=STREET),
        "handler": Actor(31, "handler", department_ids=frozenset({LEAD_DEPT, 71})),
        "leader": Actor(41, "leader", street_id=STREET, department_ids=frozenset({LEAD_DEPT})),
        "admin": Actor(51, "admin"),
        "system": Actor(None, "system"),
    }[role]


def allowed_actor(action: str) -> Actor:
    return actor(min(SPEC[action].roles))


def expected_state(action: str, t: TicketFacts) -> str:
    result = SPEC[action].result
    if result is UNCHANGED:
        return t.state
    if result is RESUME:
        return t.resume_state
    return result


def act(t: TicketFacts, role_or_actor, action: str, params: dict | None = None, *,
        version: int | None = VERSION) -> Decision:
    who = actor(role_or_actor) if isinstance(role_or_actor, str) else role_or_actor
    return decide(t, who, action, valid_params(action) if params is None else params,
                  version=version, now=NOW)


def apply(t: TicketFacts, decision: Decision) -> TicketFacts:
    """What a service does with a decision: copy the ticket's own fields, bump the version."""
    names = {f.name for f in dataclasses.fields(TicketFacts)}
    changes = {k: v for k, v in decision.changes.items() if k in names}
    return replace(t, **changes, version=t.version + 1)


def without(params: dict, name: str) -> dict:
    return {k: v for k, v in params.items() if k != name}


# --- 1. every (action, state) pair -------------------------------------------------------------

@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", ACTIONS)
def test_action_is_allowed_exactly_from_the_states_in_the_spec(action, state):
    t = ticket_for(action, state)
    if state in SPEC[action].from_states:
        decision = act(t, allowed_actor(action), action)
        assert isinstance(decision, Decision)
        assert decision.action == action
        assert decision.from_state == state
        assert decision.to_state == expected_state(action, t)
        if decision.to_state != state:
            assert decision.changes["state"] == decision.to_state
        else:
            assert "state" not in decision.changes
    else:
        with pytest.raises(NotAllowed) as caught:
            act(t, allowed_actor(action), action)
        assert caught.value.status == 422


def test_the_spec_table_covers_the_whole_lifecycle():
    """The pairs above are only every pair if the code has no action, state or role the spec
    lacks; and each of the code's rules says what the spec says."""
    assert set(ACTIONS) == set(lifecycle.ACTIONS)
    assert set(STATES) == {s.value for s in lifecycle.State}
    assert set(ROLES) == {r.value for r in lifecycle.Role}
    results = {None: UNCHANGED, lifecycle.RESUME: RESUME}
    for action, rule in lifecycle.TRANSITIONS.items():
        assert Spec(rule.from_states, rule.roles, rule.required,
                    results.get(rule.to_state, rule.to_state)) == SPEC[action], action


# --- 2. every (action, role) pair --------------------------------------------------------------

@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS)
def test_only_the_roles_in_the_spec_may_take_an_action(action, role):
    t = ticket_for(action, sorted(SPEC[action].from_states)[0])
    if role in SPEC[action].roles:
        assert act(t, role, action).to_state == expected_state(action, t)
    else:
        with pytest.raises(Forbidden) as caught:
            act(t, role, action)
        assert caught.value.status == 403


@pytest.mark.parametrize("state", STATES)
def test_a_leader_only_watches(state):
    t = ticket(state, pending_request="extension", pending_hours=8, resume_state="accepted")
    assert allowed_actions(t, actor("leader")) == []
    for action in ACTIONS:
        with pytest.raises(Forbidden):
            act(t, "leader", action)


# --- 3. jurisdiction ---------------------------------------------------------------------------

@pytest.mark.parametrize("who, t, action, allowed", [
    pytest.param(Actor(21, "dispatcher", street_id=STREET), ticket("reported"), "void", True,
                 id="dispatcher-own-street"),
    pytest.param(Actor(22, "dispatcher", street_id=OTHER_STREET), ticket("reported"), "void",
                 False, id="dispatcher-other-street"),
    pytest.param(Actor(23, "dispatcher"), ticket("reported", street_id=None), "void", False,
                 id="dispatcher-without-street"),
    pytest.param(Actor(31, "handler", department_ids=frozenset({LEAD_DEPT})),
                 ticket("dispatched"), "accept", True, id="handler-lead-department"),
    pytest.param(Actor(32, "handler", department_ids=frozenset({71, LEAD_DEPT})),
                 ticket("dispatched"), "accept", True, id="handler-section-of-lead"),
    pytest.param(Actor(33, "handler", department_ids=frozenset({8})), ticket("dispatched"),
                 "accept", False, id="handler-other-department"),
    pytest.param(Actor(34, "handler", department_ids=frozenset({LEAD_DEPT})),
                 ticket("dispatched", lead_department_id=None), "accept", False,
                 id="handler-ticket-without-department"),
    pytest.param(Actor(REPORTER, "grid_worker"), ticket("resolved"), "verify", True,
                 id="grid-worker-own-report"),
    pytest.param(Actor(12, "grid_worker"), ticket("resolved"), "verify", False,
                 id="grid-worker-other-report"),
    pytest.param(Actor(None, "grid_worker"), ticket("resolved", reporter_id=None), "verify",
                 False, id="grid-worker-anonymous"),
    pytest.param(Actor(51, "admin"), ticket("reported", street_id=OTHER_STREET), "void", True,
                 id="admin-anywhere"),
    pytest.param(Actor(None, "system"), ticket("reported", street_id=None), "queue", True,
                 id="system-anywhere"),
])
def test_jurisdiction(who, t, action, allowed):
    if allowed:
        assert act(t, who, action).action == action
        assert action in allowed_actions(t, who)
    else:
        with pytest.raises(Forbidden) as caught:
            act(t, who, action)
        assert caught.value.status == 403
        assert action not in allowed_actions(t, who)


# --- 3. the order of the checks ----------------------------------------------------------------

@pytest.mark.parametrize("t, role, action, params, version, error, status", [
    pytest.param(ticket("closed"), "leader", "fly", {}, VERSION - 1, InvalidParams, 422,
                 id="unknown-action-first"),
    pytest.param(ticket("dispatched"), "grid_worker", "accept", {}, VERSION - 1, Forbidden, 403,
                 id="wrong-role-before-stale"),
    pytest.param(ticket("dispatched", lead_department_id=8), "handler", "accept", {},
                 VERSION - 1, Forbidden, 403, id="out-of-jurisdiction-before-stale"),
    pytest.param(ticket("closed"), "grid_worker", "accept", {}, VERSION + 1, Forbidden, 403,
                 id="wrong-role-before-stale-and-wrong-state"),
    pytest.param(ticket("closed"), "dispatcher", "void", {"reason": "x"}, VERSION - 1, Stale,
                 409, id="stale-before-wrong-state"),
    pytest.param(ticket("reported"), "dispatcher", "void", {}, VERSION - 1, Stale, 409,
                 id="stale-before-missing-params"),
    pytest.param(ticket("closed"), "dispatcher", "void", {}, VERSION, NotAllowed, 422,
                 id="wrong-state-before-missing-params"),
    pytest.param(ticket("accepted"), "admin", "reject_extension", {}, VERSION, NotAllowed, 422,
                 id="missing-pending-before-missing-params"),
    pytest.param(ticket("accepted"), "dispatcher", "approve_extension", {}, VERSION, NotAllowed,
                 422, id="no-pending-extension"),
    pytest.param(ticket("accepted", pending_request="extension", pending_hours=8), "dispatcher",
                 "reject_park", {"reason": "x"}, VERSION, NotAllowed, 422,
                 id="pending-is-not-a-park"),
    pytest.param(ticket("accepted", pending_request="park"), "handler", "request_extension",
                 {"hours": 8, "reason": "x"}, VERSION, NotAllowed, 422,
                 id="extension-while-park-pending"),
    pytest.param(ticket("accepted", pending_request="extension", pending_hours=8), "handler",
                 "request_park", {"reason": "x"}, VERSION, NotAllowed, 422,
                 id="park-while-extension-pending"),
    pytest.param(ticket("accepted", pending_request="extension", pending_hours=8), "handler",
                 "request_extension", {"hours": 8, "reason": "x"}, VERSION, NotAllowed, 422,
                 id="extension-while-extension-pending"),
])
def test_checks_run_in_the_documented_order(t, role, action, params, version, error, status):
    with pytest.raises(error) as caught:
        act(t, role, action, params, version=version)
    assert type(caught.value) is error
    assert caught.value.status == status


def test_an_unknown_action_names_the_action_field():
    with pytest.raises(InvalidParams) as caught:
        act(ticket(), "admin", "teleport", {})
    assert "action" in caught.value.errors


@pytest.mark.parametrize("version", [None, VERSION])
def test_the_current_version_or_none_is_not_stale(version):
    assert act(ticket("dispatched"), "handler", "accept", version=version).to_state == "accepted"


@pytest.mark.parametrize("action, name", [
    (action, name) for action in ACTIONS for name in SPEC[action].required
])
@pytest.mark.parametrize("blank", ["absent", None, ""])
def test_a_missing_parameter_is_named(action, name, blank):
    t = ticket_for(action, sorted(SPEC[action].from_states)[0])
    params = without(valid_params(action), name)
    if blank != "absent":
        params[name] = blank
    with pytest.raises(InvalidParams) as caught:
        act(t, allowed_actor(action), action, params)
    assert caught.value.status == 422
    assert name in caught.value.errors


def test_error_classes_carry_their_http_status():
    assert (Forbidden.status, Stale.status, NotAllowed.status, InvalidParams.status) == (
        403, 409, 422, 422)
    assert all(issubclass(e, LifecycleError)
               for e in (Forbidden, Stale, NotAllowed, InvalidParams))


# --- 4. effects --------------------------------------------------------------------------------

@pytest.mark.parametrize("state", ["reported", "dispatched", "accepted"])
def test_dispatch_records_board_department_and_helpers(state):
    t = ticket(state, lead_department_id=None if state == "reported" else 99)
    decision = act(t, "dispatcher", "dispatch",
                   {"board": "livelihood", "department": MUNICIPAL,
                    "helpers": [GREENING, WATER, WATER]})
    assert decision.to_state == "dispatched"
    assert decision.changes["board_code"] == "livelihood"
    assert decision.changes["lead_department_id"] == LEAD_DEPT
    assert decision.changes["helper_ids"] == [WATER.id, GREENING.id]
    assert decision.changes["dispatched_at"] == NOW
    assert decision.data["department"] == "urban_mgmt.municipal"


def test_dispatch_without_helpers_leaves_none():
    decision = act(ticket("reported"), "system", "dispatch", version=None)
    assert decision.changes["helper_ids"] == []


def test_dispatch_refuses_a_department_that_does_not_serve_the_board():
    with pytest.raises(InvalidParams) as caught:
        act(ticket("reported"), "dispatcher", "dispatch",
            {"board": "livelihood", "department": GREENING})
    assert "department" in caught.value.errors


def test_dispatch_refuses_the_lead_department_as_helper():
    with pytest.raises(InvalidParams) as caught:
        act(ticket("reported"), "dispatcher", "dispatch",
            {"board": "livelihood", "department": MUNICIPAL, "helpers": [WATER, MUNICIPAL]})
    assert "helpers" in caught.value.errors


@pytest.mark.parametrize("state", ["dispatched", "accepted"])
def test_send_back_returns_the_ticket_to_the_dispatcher(state):
    t = ticket(state, send_back_count=2)
    decision = act(t, "handler", "send_back")
    assert decision.to_state == "reported"
    assert decision.changes["lead_department_id"] is None
    assert decision.changes["helper_ids"] == []
    assert decision.changes["send_back_count"] == 3
    assert decision.data["department_id"] == LEAD_DEPT
    assert decision.note == "not our section"
    after = apply(t, decision)
    with pytest.raises(Forbidden):  # no longer the handler's ticket
        act(after, "handler", "accept", version=after.version)


def test_rework_counts_and_reopens():
    decision = act(ticket("resolved", rework_count=1), "grid_worker", "rework")
    assert decision.to_state == "accepted"
    assert decision.changes["rework_count"] == 2
    assert decision.note == "cover still loose"


def test_an_approved_extension_adds_the_pending_hours():
    t = ticket("accepted", pending_request="extension", pending_hours=8, extension_hours=10)
    decision = act(t, "dispatcher", "approve_extension")
    assert decision.to_state == "accepted"
    after = apply(t, decision)
    assert after.extension_hours == 18
    assert after.pending_request is None
    assert after.pending_hours is None


def test_a_rejected_extension_clears_the_request():
    t = ticket("dispatched", pending_request="extension", pending_hours=8, extension_hours=10)
    after = apply(t, act(t, "admin", "reject_extension"))
    assert (after.state, after.pending_request, after.extension_hours) == ("dispatched", None, 10)


def test_extension_request_then_approval():
    t = ticket("accepted")
    t = apply(t, act(t, "handler", "request_extension", {"hours": 24, "reason": "parts"}))
    assert (t.pending_request, t.pending_hours) == ("extension", 24)
    t = apply(t, act(t, "dispatcher", "approve_extension", {}, version=t.version))
    assert (t.state, t.pending_request, t.extension_hours) == ("accepted", None, 24)


@pytest.mark.parametrize("hours", [1, 8, 2000])
def test_extension_hours_in_range_are_accepted(hours):
    decision = act(ticket("accepted"), "handler", "request_extension",
                   {"hours": hours, "reason": "parts"})
    assert decision.changes["pending_hours"] == hours
    assert decision.changes["pending_request"] == "extension"


@pytest.mark.parametrize("hours", [0, -1, 2001, "8", True, 8.0])
def test_extension_hours_must_be_a_whole_number_from_1_to_2000(hours):
    with pytest.raises(InvalidParams) as caught:
        act(ticket("accepted"), "handler", "request_extension",
            {"hours": hours, "reason": "parts"})
    assert "hours" in caught.value.errors


def test_park_request_then_rejection():
    t = ticket("dispatched")
    t = apply(t, act(t, "handler", "request_park"))
    assert t.pending_request == "park"
    t = apply(t, act(t, "dispatcher", "reject_park", version=t.version))
    assert (t.state, t.pending_request) == ("dispatched", None)


@pytest.mark.parametrize("state", ["dispatched", "accepted"])
def test_park_and_unpark_round_trip(state):
    t = ticket(state, pending_request="park")
    parked = apply(t, act(t, "dispatcher", "park"))
    assert parked.state == "parked"
    assert parked.resume_state == state
    assert parked.pending_request is None
    resumed = apply(parked, act(parked, "admin", "unpark", version=parked.version))
    assert resumed.state == state
    assert resumed.resume_state is None


def test_merge_into_another_open_ticket_of_the_street():
    decision = act(ticket("reported"), "dispatcher", "merge", {"into": other_open_ticket()})
    assert decision.to_state == "merged"
    assert decision.changes["merged_into_id"] == 2


@pytest.mark.parametrize("target", [
    pytest.param(other_open_ticket(id=1), id="itself"),
    pytest.param(other_open_ticket(state="closed"), id="closed"),
    pytest.param(other_open_ticket(state="voided"), id="voided"),
    pytest.param(other_open_ticket(state="merged"), id="merged"),
    pytest.param(other_open_ticket(street_id=OTHER_STREET), id="other-street"),
])
def test_merge_refuses_a_bad_target(target):
    with pytest.raises(InvalidParams) as caught:
        act(ticket("reported"), "admin", "merge", {"into": target})
    assert "into" in caught.value.errors


def test_a_handler_sees_the_buttons_of_a_dispatched_ticket():
    t = ticket("dispatched")
    assert sorted(allowed_actions(t, actor("handler"))) == sorted(
        ["accept", "send_back", "request_extension", "request_park"])


def test_a_leader_sees_no_buttons():
    assert allowed_actions(ticket("dispatched"), actor("leader")) == []


# --- 5. a random walk never escapes the lifecycle ----------------------------------------------

@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(ROLES), st.sampled_from(ACTIONS)), max_size=40))
def test_random_walks_stay_inside_the_lifecycle(steps):
    t = ticket("reported", lead_department_id=None)
    for role, action in steps:
        before = t
        try:
            decision = act(t, role, action, version=t.version)
        except LifecycleError:
            continue
        t = apply(t, decision)
        assert t.state in STATES
        assert decision.to_state == t.state
        if before.state in FINAL:
            pytest.fail(f"{action} changed a {before.state} ticket")
        assert t.send_back_count >= before.send_back_count
        assert t.extension_hours >= before.extension_hours


# --- gaps found while writing this table; each test failed before its fix -----------------

def _working(**overrides):
    base = dict(id=1, state="accepted", version=3, reporter_id=10, street_id=1,
                lead_department_id=7, pending_request="extension", pending_hours=8)
    base.update(overrides)
    return TicketFacts(**base)


@pytest.mark.parametrize("actor, action, params", [
    (Actor(user_id=20, role="dispatcher", street_id=1), "dispatch",
     {"board": "livelihood", "department": DepartmentRef(7, "urban_mgmt.municipal",
                                                         frozenset({"livelihood"}))}),
    (Actor(user_id=30, role="handler", department_ids=frozenset({7})), "send_back",
     {"reason": "不是我们的"}),
    (Actor(user_id=30, role="handler", department_ids=frozenset({7})), "resolve",
     {"note": "已处理"}),
])
def test_clearing_a_pending_request_also_clears_its_hours(actor, action, params):
    decision = decide(_working(), actor, action, params, version=3, now=NOW)
    assert decision.changes["pending_request"] is None
    assert decision.changes["pending_hours"] is None


def test_unpark_without_a_remembered_state_resumes_as_dispatched():
    parked = _working(state="parked", resume_state=None, pending_request=None,
                      pending_hours=None)
    decision = decide(parked, Actor(user_id=20, role="dispatcher", street_id=1), "unpark", {},
                      version=3, now=NOW)
    assert decision.to_state == "dispatched"


@pytest.mark.parametrize("blank", ["   ", "\n\t"])
def test_a_blank_reason_counts_as_missing(blank):
    handler = Actor(user_id=30, role="handler", department_ids=frozenset({7}))
    with pytest.raises(InvalidParams) as err:
        decide(_working(pending_request=None), handler, "send_back", {"reason": blank},
               version=3, now=NOW)
    assert "reason" in err.value.errors
