"""KPIs against docs/kpi.md on a hand-worked fixture of 35 tickets.

Every expected figure below was counted by hand from the ticket list, not produced by the code;
the comment above each figure family names the tickets that make it up. Times are local
(Asia/Shanghai) and converted to UTC, as the database stores them.

Departments: M = urban_mgmt.municipal and S = urban_mgmt.sanitation (board livelihood),
P = police (board safety). Grids g1 (community c1) and g2 (community c2); tickets 15 and 18
have no grid and belong to c1. November = [2026-11-01, 2026-12-01), the week =
[2026-11-09, 2026-11-16), both local days.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dispatch.core import kpi
from dispatch.core.kpi import (
    Durations,
    EventFact,
    KpiReport,
    Period,
    Scope,
    TicketFact,
    Where,
    as_dict,
    composite_scores,
    locate,
    percentile,
)

SH = ZoneInfo("Asia/Shanghai")
M, S, P = "urban_mgmt.municipal", "urban_mgmt.sanitation", "police"
L, Y = "livelihood", "safety"
BOARD_OF = {M: L, S: L, P: Y}
COMMUNITY = {"g1": "c1", "g2": "c2"}
LEAD = object()  # an event's department defaults to the ticket's (current) lead department


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH).astimezone(UTC)


# The fixture is read as a leader reads it long after its month, every deadline passed; the
# tests of deadlines not yet passed give their own "now".
LONG_AFTER = at("2027-06-01 00:00")


def compute(tickets, scope: Scope, period: Period, now: datetime = LONG_AFTER) -> KpiReport:
    return kpi.compute(tickets, scope, period, now)


def contributions(ticket: TicketFact) -> kpi.Contributions:
    return kpi.contributions(ticket, SH)


def ev(action: str, when: str, department: object = LEAD, due: str | None = None) -> tuple:
    return action, when, department, due


def place(department: str | None, grid: str | None, board: str | None = None,
          community: str | None = None) -> Where:
    """Street s1; the board follows the department (else `board`)."""
    return Where(street="s1", community=community or COMMUNITY.get(grid), grid=grid,
                 board=BOARD_OF.get(department, board), department=department)


def ticket(id: int, board: str | None, department: str | None, grid: str | None, created: str,
           events: list[tuple] = (), *, state: str, due: str | None = None,
           closed: str | None = None, community: str | None = None) -> TicketFact:
    """A ticket with a "report" event at `created`, then `events`; each event stands where the
    ticket stood: its department's board, the ticket's grid."""
    facts = [EventFact("report", at(created), place(None, grid, None, community))]
    for action, when, dept, event_due in events:
        dept = department if dept is LEAD else dept
        facts.append(EventFact(action, at(when), place(dept, grid, board, community),
                               at(event_due) if event_due else None))
    return TicketFact(id=id, created_at=at(created), state=state,
                      where=Where("s1", community or COMMUNITY.get(grid), grid, board,
                                  department),
                      due_at=at(due) if due else None, closed_at=at(closed) if closed else None,
                      events=tuple(facts))


FIXTURE = (
    # 1 M g1: closed on time, all inside the week.
    ticket(1, L, M, "g1", "2026-11-09 09:00", [
        ev("dispatch", "2026-11-09 10:00"), ev("accept", "2026-11-09 11:00"),
        ev("resolve", "2026-11-10 10:00", due="2026-11-11 18:00"),
        ev("verify", "2026-11-10 16:00")],
        state="closed", due="2026-11-11 18:00", closed="2026-11-10 16:00"),
    # 2 M g1: resolved late and closed late, before the week.
    ticket(2, L, M, "g1", "2026-11-02 09:00", [
        ev("dispatch", "2026-11-02 10:00"), ev("accept", "2026-11-02 11:00"),
        ev("resolve", "2026-11-06 10:00", due="2026-11-05 18:00"),
        ev("verify", "2026-11-06 15:00")],
        state="closed", due="2026-11-05 18:00", closed="2026-11-06 15:00"),
    # 3 M g2: deadline in both periods, still open; an unknown action is ignored.
    ticket(3, L, M, "g2", "2026-11-10 09:00", [
        ev("dispatch", "2026-11-10 10:00"), ev("accept", "2026-11-10 14:00"),
        ev("escalate", "2026-11-13 09:00")],
        state="accepted", due="2026-11-12 18:00"),
    # 4 M g2: closed in November with its deadline after November.
    ticket(4, L, M, "g2", "2026-11-25 09:00", [
        ev("dispatch", "2026-11-25 10:00"), ev("accept", "2026-11-25 11:00"),
        ev("resolve", "2026-11-28 10:00", due="2026-12-05 18:00"),
        ev("verify", "2026-11-29 10:00")],
        state="closed", due="2026-12-05 18:00", closed="2026-11-29 10:00"),
    # 5 M g1: created and dispatched in October, deadline in October, closed in November.
    ticket(5, L, M, "g1", "2026-10-20 09:00", [
        ev("dispatch", "2026-10-20 10:00"), ev("accept", "2026-10-20 11:00"),
        ev("resolve", "2026-11-03 10:00", due="2026-10-25 18:00"),
        ev("verify", "2026-11-03 16:00")],
        state="closed", due="2026-10-25 18:00", closed="2026-11-03 16:00"),
    # 6 M g1: reworked once, closed on time, inside the week.
    ticket(6, L, M, "g1", "2026-11-09 09:00", [
        ev("dispatch", "2026-11-09 10:00"), ev("accept", "2026-11-09 11:00"),
        ev("resolve", "2026-11-10 10:00", due="2026-11-12 18:00"),
        ev("rework", "2026-11-10 15:00"),
        ev("resolve", "2026-11-11 10:00", due="2026-11-12 18:00"),
        ev("verify", "2026-11-11 16:00")],
        state="closed", due="2026-11-12 18:00", closed="2026-11-11 16:00"),
    # 7 M g2: reworked twice, closed on time, before the week.
    ticket(7, L, M, "g2", "2026-11-03 09:00", [
        ev("dispatch", "2026-11-03 10:00"), ev("accept", "2026-11-03 11:00"),
        ev("resolve", "2026-11-04 10:00", due="2026-11-06 18:00"),
        ev("rework", "2026-11-04 16:00"),
        ev("resolve", "2026-11-05 10:00", due="2026-11-06 18:00"),
        ev("rework", "2026-11-05 16:00"),
        ev("resolve", "2026-11-06 10:00", due="2026-11-06 18:00"),
        ev("verify", "2026-11-06 17:00")],
        state="closed", due="2026-11-06 18:00", closed="2026-11-06 17:00"),
    # 8 M g1: resolved on time, closed (verified) late; created the day the week ends.
    ticket(8, L, M, "g1", "2026-11-16 09:00", [
        ev("dispatch", "2026-11-16 10:00"), ev("accept", "2026-11-16 11:00"),
        ev("resolve", "2026-11-17 10:00", due="2026-11-18 18:00"),
        ev("verify", "2026-11-19 10:00")],
        state="closed", due="2026-11-18 18:00", closed="2026-11-19 10:00"),
    # 9 M g2: an extension moved the deadline (11-27) out of November; still open.
    ticket(9, L, M, "g2", "2026-11-20 09:00", [
        ev("dispatch", "2026-11-20 10:00"), ev("accept", "2026-11-20 11:00"),
        ev("request_extension", "2026-11-26 10:00"),
        ev("approve_extension", "2026-11-26 15:00")],
        state="accepted", due="2026-12-04 18:00"),
    # 10 M g1: parked, deadline in November.
    ticket(10, L, M, "g1", "2026-11-04 09:00", [
        ev("dispatch", "2026-11-04 10:00"), ev("accept", "2026-11-04 11:00"),
        ev("request_park", "2026-11-05 10:00"), ev("park", "2026-11-05 15:00")],
        state="parked", due="2026-11-20 18:00"),
    # 11 M g2: merged into another ticket inside the week (merge sets closed_at).
    ticket(11, L, M, "g2", "2026-11-11 09:00", [
        ev("dispatch", "2026-11-11 10:00"), ev("merge", "2026-11-11 14:00")],
        state="merged", due="2026-11-13 18:00", closed="2026-11-11 14:00"),
    # 12 g1: never dispatched (no board, no department, no deadline), voided in the week.
    ticket(12, None, None, "g1", "2026-11-12 09:00", [ev("void", "2026-11-12 11:00")],
           state="voided", closed="2026-11-12 11:00"),
    # 13 S g1: dispatched to M, sent back by M, re-dispatched to S, closed on time.
    ticket(13, L, S, "g1", "2026-11-10 09:00", [
        ev("dispatch", "2026-11-10 10:00", M), ev("send_back", "2026-11-10 15:00", M),
        ev("dispatch", "2026-11-11 09:00"), ev("accept", "2026-11-11 10:00"),
        ev("resolve", "2026-11-12 10:00", due="2026-11-13 18:00"),
        ev("verify", "2026-11-12 16:00")],
        state="closed", due="2026-11-13 18:00", closed="2026-11-12 16:00"),
    # 14 S g2: closed on time inside the week.
    ticket(14, L, S, "g2", "2026-11-13 09:00", [
        ev("dispatch", "2026-11-13 10:00"), ev("accept", "2026-11-13 11:00"),
        ev("resolve", "2026-11-13 15:00", due="2026-11-14 18:00"),
        ev("verify", "2026-11-14 09:00")],
        state="closed", due="2026-11-14 18:00", closed="2026-11-14 09:00"),
    # 15 S, no grid, community c1: closed late on the week's first day.
    ticket(15, L, S, None, "2026-11-05 09:00", [
        ev("dispatch", "2026-11-05 10:00"), ev("accept", "2026-11-05 11:00"),
        ev("resolve", "2026-11-09 10:00", due="2026-11-06 18:00"),
        ev("verify", "2026-11-09 16:00")],
        state="closed", due="2026-11-06 18:00", closed="2026-11-09 16:00", community="c1"),
    # 16 S g1: deadline in November, never accepted.
    ticket(16, L, S, "g1", "2026-11-22 09:00", [ev("dispatch", "2026-11-22 10:00")],
           state="dispatched", due="2026-11-24 18:00"),
    # 17 S g2: dispatched in November; resolve, rework and close all in December.
    ticket(17, L, S, "g2", "2026-11-28 09:00", [
        ev("dispatch", "2026-11-28 10:00"), ev("accept", "2026-11-28 11:00"),
        ev("resolve", "2026-12-02 10:00", due="2026-12-03 18:00"),
        ev("rework", "2026-12-02 15:00"),
        ev("resolve", "2026-12-03 10:00", due="2026-12-03 18:00"),
        ev("verify", "2026-12-03 16:00")],
        state="closed", due="2026-12-03 18:00", closed="2026-12-03 16:00"),
    # 18 S, no grid, c1: dispatched and sent back by S in October, re-dispatched to S in
    # November, closed on time.
    ticket(18, L, S, None, "2026-10-28 09:00", [
        ev("dispatch", "2026-10-28 10:00"), ev("accept", "2026-10-28 11:00"),
        ev("send_back", "2026-10-29 10:00"),
        ev("dispatch", "2026-11-02 09:00"), ev("accept", "2026-11-02 10:00"),
        ev("resolve", "2026-11-03 10:00", due="2026-11-04 18:00"),
        ev("verify", "2026-11-03 15:00")],
        state="closed", due="2026-11-04 18:00", closed="2026-11-03 15:00", community="c1"),
    # 19 g1: dispatched to S, sent back (lead cleared), voided; the stale deadline is kept.
    ticket(19, L, None, "g1", "2026-11-10 09:00", [
        ev("dispatch", "2026-11-10 10:00", S), ev("send_back", "2026-11-10 16:00", S),
        ev("void", "2026-11-11 10:00")],
        state="voided", due="2026-11-12 18:00", closed="2026-11-11 10:00"),
    # 20 S g2: parked during the week, unparked after it, closed on time in November.
    ticket(20, L, S, "g2", "2026-11-09 09:00", [
        ev("dispatch", "2026-11-09 10:00"), ev("accept", "2026-11-09 11:00"),
        ev("park", "2026-11-10 10:00"), ev("unpark", "2026-11-18 10:00"),
        ev("resolve", "2026-11-19 10:00", due="2026-11-20 18:00"),
        ev("verify", "2026-11-19 15:00")],
        state="closed", due="2026-11-20 18:00", closed="2026-11-19 15:00"),
    # 21 P g1: reported at the very start of November, closed on time.
    ticket(21, Y, P, "g1", "2026-11-01 00:00", [
        ev("dispatch", "2026-11-01 01:00"), ev("accept", "2026-11-01 02:00"),
        ev("resolve", "2026-11-01 06:00", due="2026-11-01 12:00"),
        ev("verify", "2026-11-01 08:00")],
        state="closed", due="2026-11-01 12:00", closed="2026-11-01 08:00"),
    # 22 P g2: resolved and closed late inside the week.
    ticket(22, Y, P, "g2", "2026-11-12 09:00", [
        ev("dispatch", "2026-11-12 10:00"), ev("accept", "2026-11-12 11:00"),
        ev("resolve", "2026-11-14 10:00", due="2026-11-13 18:00"),
        ev("verify", "2026-11-14 12:00")],
        state="closed", due="2026-11-13 18:00", closed="2026-11-14 12:00"),
    # 23 P g1: parked inside the week, deadline inside the week.
    ticket(23, Y, P, "g1", "2026-11-09 09:00", [
        ev("dispatch", "2026-11-09 10:00"), ev("accept", "2026-11-09 11:00"),
        ev("park", "2026-11-11 10:00")],
        state="parked", due="2026-11-13 18:00"),
    # 24 P g2: deadline exactly at the end of November: not in it.
    ticket(24, Y, P, "g2", "2026-11-27 09:00", [
        ev("dispatch", "2026-11-27 10:00"), ev("accept", "2026-11-27 11:00")],
        state="accepted", due="2026-12-01 00:00"),
    # 25 M g1: dispatched to P (safety), sent back by P, re-dispatched to M (livelihood),
    # resolved on time, not yet verified. Its board is now livelihood.
    ticket(25, L, M, "g1", "2026-11-17 09:00", [
        ev("dispatch", "2026-11-17 10:00", P), ev("send_back", "2026-11-17 12:00", P),
        ev("dispatch", "2026-11-18 09:00"), ev("accept", "2026-11-18 10:00"),
        ev("resolve", "2026-11-19 10:00", due="2026-11-20 18:00")],
        state="resolved", due="2026-11-20 18:00"),
    # 26 P g2: everything in October (an extension moved the deadline into November); open.
    ticket(26, Y, P, "g2", "2026-10-25 09:00", [
        ev("dispatch", "2026-10-25 10:00"), ev("accept", "2026-10-25 11:00"),
        ev("request_extension", "2026-10-30 10:00"),
        ev("approve_extension", "2026-10-30 12:00")],
        state="accepted", due="2026-11-03 18:00"),
    # 27 P g1: reported in November, dispatched only in December.
    ticket(27, Y, P, "g1", "2026-11-29 09:00", [ev("dispatch", "2026-12-01 09:00")],
           state="dispatched", due="2026-12-03 18:00"),
    # 28 g1: never dispatched, voided in October.
    ticket(28, None, None, "g1", "2026-10-30 09:00", [ev("void", "2026-10-30 10:00")],
           state="voided", closed="2026-10-30 10:00"),
    # 29 M g2: dispatched in October, deadline in the week, resolved and closed in December.
    ticket(29, L, M, "g2", "2026-10-29 09:00", [
        ev("dispatch", "2026-10-29 10:00"), ev("accept", "2026-10-29 11:00"),
        ev("resolve", "2026-12-02 10:00", due="2026-11-10 18:00"),
        ev("verify", "2026-12-02 15:00")],
        state="closed", due="2026-11-10 18:00", closed="2026-12-02 15:00"),
    # 30 S g1: merged in November.
    ticket(30, L, S, "g1", "2026-11-23 09:00", [
        ev("dispatch", "2026-11-23 10:00"), ev("merge", "2026-11-23 15:00")],
        state="merged", due="2026-11-25 18:00", closed="2026-11-23 15:00"),
    # 31 P g2: closed on time inside the week; dispatched 2 h after the report.
    ticket(31, Y, P, "g2", "2026-11-10 09:00", [
        ev("dispatch", "2026-11-10 11:00"), ev("accept", "2026-11-10 12:00"),
        ev("resolve", "2026-11-11 11:00", due="2026-11-12 18:00"),
        ev("verify", "2026-11-11 15:00")],
        state="closed", due="2026-11-12 18:00", closed="2026-11-11 15:00"),
    # 32 P g1: resolved and reworked inside the week, resolved again and closed after it.
    ticket(32, Y, P, "g1", "2026-11-13 09:00", [
        ev("dispatch", "2026-11-13 10:00"), ev("accept", "2026-11-13 11:00"),
        ev("resolve", "2026-11-14 10:00", due="2026-11-17 18:00"),
        ev("rework", "2026-11-15 10:00"),
        ev("resolve", "2026-11-16 10:00", due="2026-11-17 18:00"),
        ev("verify", "2026-11-16 15:00")],
        state="closed", due="2026-11-17 18:00", closed="2026-11-16 15:00"),
    # 33 S g2: extension granted, then resolved before the new deadline; not verified.
    ticket(33, L, S, "g2", "2026-11-16 09:00", [
        ev("dispatch", "2026-11-16 10:00"), ev("accept", "2026-11-16 11:00"),
        ev("request_extension", "2026-11-17 10:00"),
        ev("approve_extension", "2026-11-17 14:00"),
        ev("resolve", "2026-11-20 10:00", due="2026-11-21 18:00")],
        state="resolved", due="2026-11-21 18:00"),
    # 34 g1: reported in November, never dispatched, still open.
    ticket(34, None, None, "g1", "2026-11-20 09:00", state="reported"),
    # 35 P g2: sent back by P and re-dispatched to P: one cohort entry, two dispatch events.
    ticket(35, Y, P, "g2", "2026-11-24 09:00", [
        ev("dispatch", "2026-11-24 10:00"), ev("send_back", "2026-11-24 12:00"),
        ev("dispatch", "2026-11-24 14:00"), ev("accept", "2026-11-24 15:00"),
        ev("resolve", "2026-11-25 14:00", due="2026-11-26 18:00"),
        ev("verify", "2026-11-26 09:00")],
        state="closed", due="2026-11-26 18:00", closed="2026-11-26 09:00"),
)

NOVEMBER = Period(at("2026-11-01 00:00"), at("2026-12-01 00:00"), SH)
WEEK = Period(at("2026-11-09 00:00"), at("2026-11-16 00:00"), SH)

# Expected counts, by hand. Families: due-to-close / closed / closed on time; excluded;
# the dispatch cohort (pairs ticket×department) / resolved / resolved on time; events.
EXPECTED: dict[tuple[str, str], dict[str, int]] = {
    ("november", "all"): dict(
        # due: 1-8, 13-16, 18, 20-22, 25, 26, 29, 31-33, 35 (9, 17, 24, 27 not due in Nov)
        # closed: the due ones but 3 16 25 26 29 33; on time: 1 4 6 7 13 14 18 20 21 31 32 35
        due_to_close=23, closed=17, closed_on_time=12,
        # parked 10 23; voided 12 19 (28 voided in October); merged 11 30
        parked=2, voided=2, merged=2,
        # dispatches: M 1-4 6-11 13 25; S 13-20 30 33; P 21-25 31 32 35×2 (not 5 26 27 29)
        # resolved: M 1 2 4 6 7 8 25, S 13 14 15 18 20 33, P 21 22 31 32 35 (the second);
        # late among them: 2 15 22
        dispatched=31, resolved=18, resolved_on_time=15,
        # dispatch events: the same; send-backs 13 19 25 35 (18's is in
        # October); resolves: 1 2 4 5 6×2 7×3 8 13 14 15 18 20 21 22 25 31 32×2 33 35;
        # reworks 6 7×2 32 (17's is in December)
        dispatch_events=31, send_backs=4, resolve_events=23, reworks=4),
    ("november", f"department:{M}"): dict(
        # lead M: due 1-8 25 29; closed 1 2 4 5 6 7 8; on time 1 4 6 7
        due_to_close=10, closed=7, closed_on_time=4,
        parked=1, voided=0, merged=1,  # 10; 11
        # cohort 1-4 6-11 13 25; resolved 1 2 4 6 7 8 25 (not 13: M sent it back); late 2
        dispatched=12, resolved=7, resolved_on_time=6,
        # dispatches = cohort; send-back 13; resolves 1 2 4 5 6×2 7×3 8 25; reworks 6 7×2
        dispatch_events=12, send_backs=1, resolve_events=11, reworks=3),
    ("november", f"department:{S}"): dict(
        # lead S: due 13 14 15 16 18 20 33; closed 13 14 15 18 20; on time 13 14 18 20
        due_to_close=7, closed=5, closed_on_time=4,
        parked=0, voided=0, merged=1,  # 30 (19 has no lead department left)
        # cohort 13-20 30 33; resolved 13 14 15 18 20 33; late 15
        dispatched=10, resolved=6, resolved_on_time=5,
        # dispatches = cohort; send-back 19; resolves 13 14 15 18 20 33
        dispatch_events=10, send_backs=1, resolve_events=6, reworks=0),
    ("november", f"department:{P}"): dict(
        # lead P: due 21 22 26 31 32 35; closed 21 22 31 32 35; on time 21 31 32 35
        due_to_close=6, closed=5, closed_on_time=4,
        parked=1, voided=0, merged=0,  # 23
        # dispatches 21-25 31 32 35×2; resolved 21 22 31 32 35 (its second); late 22
        dispatched=9, resolved=5, resolved_on_time=4,
        # dispatches 21-25 31 32 35×2; send-backs 25 35; resolves 21 22 31 32×2 35; rework 32
        dispatch_events=9, send_backs=2, resolve_events=6, reworks=1),
    ("november", f"board:{L}"): dict(
        # the M and S figures together (13 counted once, under S)
        due_to_close=17, closed=12, closed_on_time=8,
        parked=1, voided=1, merged=2,  # 10; 19; 11 30
        # M's 12 + S's 10 (25's dispatch to P and P's send-back count where they happened:
        # on the safety board, though 25 is a livelihood ticket now)
        dispatched=22, resolved=13, resolved_on_time=11,
        # send-backs 13 19; resolves M 11 + S 6
        dispatch_events=22, send_backs=2, resolve_events=17, reworks=3),
    ("november", f"board:{Y}"): dict(
        # as police
        due_to_close=6, closed=5, closed_on_time=4,
        parked=1, voided=0, merged=0,  # 23
        # as police: 21-25 31 32 35×2, 25's dispatch to P included
        dispatched=9, resolved=5, resolved_on_time=4,
        # send-backs 25 35; resolves as police; rework 32
        dispatch_events=9, send_backs=2, resolve_events=6, reworks=1),
    ("november", "grid:g2"): dict(
        # g2: due 3 4 7 14 20 22 26 29 31 33 35; closed 4 7 14 20 22 31 35; late 22
        due_to_close=11, closed=7, closed_on_time=6,
        parked=0, voided=0, merged=1,  # 11
        # dispatches 3 4 7 9 11 14 17 20 22 24 31 33 35×2; resolved 4 7 14 20 22 31 33 35;
        # late 22
        dispatched=14, resolved=8, resolved_on_time=7,
        # send-back 35;
        # resolves 4 7×3 14 20 22 31 33 35; reworks 7×2
        dispatch_events=14, send_backs=1, resolve_events=10, reworks=2),
    ("november", "community:c1"): dict(
        # c1 = g1 + 15 + 18: due 1 2 5 6 8 13 15 16 18 21 25 32;
        # closed 1 2 5 6 8 13 15 18 21 32; on time 1 6 13 18 21 32
        due_to_close=12, closed=10, closed_on_time=6,
        parked=2, voided=2, merged=1,  # 10 23; 12 19; 30
        # cohort 1 2 6 8 10 13M 13S 15 16 18 19 21 23 25P 25M 30 32;
        # resolved 1 2 6 8 13S 15 18 21 25M 32; late 2 15
        dispatched=17, resolved=10, resolved_on_time=8,
        # dispatches 1 2 6 8 10 13×2 15 16 18 19 21 23 25×2 30 32; send-backs 13 19 25;
        # resolves 1 2 5 6×2 8 13 15 18 21 25 32×2; reworks 6 32
        dispatch_events=17, send_backs=3, resolve_events=13, reworks=2),
    ("week", "all"): dict(
        # due 1 3 6 13 14 15 22 29 31; closed 1 6 13 14 15 22 31; late 15 22
        due_to_close=9, closed=7, closed_on_time=5,
        parked=1, voided=2, merged=1,  # 23; 12 19; 11  (10's deadline is after the week)
        # cohort M 1 3 6 11 13, S 13 14 19 20, P 22 23 31 32;
        # resolved 1 6 13S 14 22 31 32 (32's first resolve is in the week); late 22
        dispatched=13, resolved=7, resolved_on_time=6,
        # dispatches = cohort; send-backs 13 19; resolves 1 6×2 13 14 15 22 31 32;
        # reworks 6 32
        dispatch_events=13, send_backs=2, resolve_events=9, reworks=2),
    ("week", f"department:{M}"): dict(
        # due 1 3 6 29; closed 1 6
        due_to_close=4, closed=2, closed_on_time=2,
        parked=0, voided=0, merged=1,  # 11
        # cohort 1 3 6 11 13; resolved 1 6
        dispatched=5, resolved=2, resolved_on_time=2,
        # send-back 13; resolves 1 6×2; rework 6
        dispatch_events=5, send_backs=1, resolve_events=3, reworks=1),
    ("week", f"department:{S}"): dict(
        # due 13 14 15; all closed; late 15
        due_to_close=3, closed=3, closed_on_time=2,
        parked=0, voided=0, merged=0,
        # cohort 13 14 19 20; resolved 13 14
        dispatched=4, resolved=2, resolved_on_time=2,
        # send-back 19; resolves 13 14 15
        dispatch_events=4, send_backs=1, resolve_events=3, reworks=0),
    ("week", f"department:{P}"): dict(
        # due 22 31; both closed; late 22
        due_to_close=2, closed=2, closed_on_time=1,
        parked=1, voided=0, merged=0,  # 23
        # cohort 22 23 31 32; resolved 22 31 32; late 22
        dispatched=4, resolved=3, resolved_on_time=2,
        # resolves 22 31 32; rework 32
        dispatch_events=4, send_backs=0, resolve_events=3, reworks=1),
    ("week", f"board:{L}"): dict(
        # due 1 3 6 13 14 15 29; closed 1 6 13 14 15; late 15
        due_to_close=7, closed=5, closed_on_time=4,
        parked=0, voided=1, merged=1,  # 19; 11
        # M's 5 + S's 4; resolved 1 6 13S 14
        dispatched=9, resolved=4, resolved_on_time=4,
        # send-backs 13 19; resolves 1 6×2 13 14 15; rework 6
        dispatch_events=9, send_backs=2, resolve_events=6, reworks=1),
    ("week", f"board:{Y}"): dict(
        # as police in the week
        due_to_close=2, closed=2, closed_on_time=1,
        parked=1, voided=0, merged=0,
        dispatched=4, resolved=3, resolved_on_time=2,
        dispatch_events=4, send_backs=0, resolve_events=3, reworks=1),
    ("week", "grid:g2"): dict(
        # due 3 14 22 29 31; closed 14 22 31; late 22
        due_to_close=5, closed=3, closed_on_time=2,
        parked=0, voided=0, merged=1,  # 11
        # cohort 3 11 14 20 22 31; resolved 14 22 31; late 22
        dispatched=6, resolved=3, resolved_on_time=2,
        # resolves 14 22 31
        dispatch_events=6, send_backs=0, resolve_events=3, reworks=0),
    ("week", "community:c1"): dict(
        # due 1 6 13 15; all closed; late 15
        due_to_close=4, closed=4, closed_on_time=3,
        parked=1, voided=2, merged=0,  # 23; 12 19
        # cohort 1 6 13M 13S 19 23 32; resolved 1 6 13S 32
        dispatched=7, resolved=4, resolved_on_time=4,
        # dispatches 1 6 13×2 19 23 32; send-backs 13 19; resolves 1 6×2 13 15 32;
        # reworks 6 32
        dispatch_events=7, send_backs=2, resolve_events=6, reworks=2),
}
PERIODS = {"november": NOVEMBER, "week": WEEK}
COUNT_NAMES = tuple(EXPECTED["november", "all"])


def report(period: str, scope: str) -> KpiReport:
    return compute(FIXTURE, Scope.parse(scope), PERIODS[period])


def test_fixture_is_big_enough_and_well_formed():
    assert len(FIXTURE) >= 32
    assert len({t.id for t in FIXTURE}) == len(FIXTURE)
    for t in FIXTURE:
        assert [e.at for e in t.events] == sorted(e.at for e in t.events), t.id


@pytest.mark.parametrize(("period", "scope"), list(EXPECTED), ids=lambda v: v)
def test_hand_worked_counts(period, scope):
    got = report(period, scope)
    assert {name: getattr(got, name) for name in COUNT_NAMES} == EXPECTED[period, scope]


@pytest.mark.parametrize(("period", "scope"), list(EXPECTED), ids=lambda v: v)
def test_rates_are_the_documented_ratios(period, scope):
    got = report(period, scope)
    pairs = {"closure_rate": ("closed", "due_to_close"),
             "on_time_closure_rate": ("closed_on_time", "due_to_close"),
             "handling_rate": ("resolved", "dispatched"),
             "on_time_handling_rate": ("resolved_on_time", "dispatched"),
             "rework_rate": ("reworks", "resolve_events"),
             "bounce_rate": ("send_backs", "dispatch_events")}
    for rate, (numerator, denominator) in pairs.items():
        n, d = EXPECTED[period, scope][numerator], EXPECTED[period, scope][denominator]
        assert getattr(got, rate) == (None if d == 0 else pytest.approx(n / d)), rate


def test_some_rates_written_out():
    nov = report("november", "all")
    assert nov.closure_rate == pytest.approx(17 / 23)
    assert nov.on_time_handling_rate == pytest.approx(15 / 31)
    assert nov.bounce_rate == pytest.approx(4 / 31)
    assert report("week", f"department:{S}").rework_rate == 0.0
    assert report("week", f"department:{P}").bounce_rate == 0.0


def test_departments_and_boards_add_up():
    """Every due-to-close ticket has a lead department; every dispatch has a department."""
    for period in PERIODS:
        whole = report(period, "all")
        departments = [report(period, f"department:{d}") for d in (M, S, P)]
        boards = [report(period, f"board:{b}") for b in (L, Y)]
        for name in ("due_to_close", "closed", "closed_on_time", "dispatched", "resolved",
                     "dispatch_events", "send_backs", "resolve_events", "reworks"):
            assert sum(getattr(r, name) for r in departments) == getattr(whole, name), name
            assert sum(getattr(r, name) for r in boards) == getattr(whole, name), name


def test_durations_on_the_fixture():
    week = report("week", "all")
    # to dispatch: 1 3 6 11 13 14 19 20 22 23 32 after 1 h, 31 after 2 h
    assert week.time_to_dispatch == Durations(12, 1.0, 1.0)
    # to resolve: 14 5 h; 1 6 31 32 24 h (6's second resolve is not a first); 13 25 h
    # (from the re-dispatch to S); 22 48 h; 15 96 h → ranks 4 and ceil(7.2) = 8
    assert week.time_to_resolve == Durations(8, 24.0, 96.0)
    # to close: 14 24, 31 30, 1 31, 22 51, 6 55, 13 55, 15 103 → ranks 4 and 7
    assert week.time_to_close == Durations(7, 51.0, 103.0)
    nov = report("november", "all")
    # close: 21 8, 14 24, 31 30, 1 31, 35 48, 22 51, 6 55, 13 55, 8 73, 32 78, 7 80, 4 97,
    # 2 102, 15 103, 18 150, 20 246, 5 343 → rank 9 = 73, rank ceil(15.3) = 16 = 246
    assert nov.time_to_close == Durations(17, 73.0, 246.0)
    # first dispatched in November: all cohort tickets but 18 (October): 27 tickets;
    # first resolves after a dispatch: 23 resolve events less 6's, 7's and 32's repeats (4)
    assert (nov.time_to_dispatch.count, nov.time_to_resolve.count) == (27, 19)
    # M: first dispatches 1-4 6-11 13 (25's first went to P); resolves 1 2 4 5 6 7 8 25;
    # closed 1 2 4 5 6 7 8; 5 resolved 336 h after its October dispatch
    municipal = report("november", f"department:{M}")
    assert (municipal.time_to_dispatch.count, municipal.time_to_resolve.count,
            municipal.time_to_close.count) == (11, 8, 7)
    assert municipal.time_to_resolve.p90_hours == 336.0


def test_composite_scores_by_hand():
    reports = [report("november", f"department:{d}") for d in (M, S, P)]
    scores = composite_scores(reports)
    # largest cohort: M's 12
    # M: volume 100, closure 7/10, on-time handling 6/12, rework 3/11
    # S: volume 10/12, closure 5/7, on-time handling 5/10, rework 0/6
    # P: volume 9/12, closure 5/6, on-time handling 4/9, rework 1/6
    assert scores == {
        M: pytest.approx(10 + 21 + 15 + 30 * 8 / 11),
        S: pytest.approx(100 / 12 + 30 * 5 / 7 + 15 + 30),
        P: pytest.approx(7.5 + 25 + 40 / 3 + 25),
    }
    assert scores[M] == pytest.approx(67.8182, abs=1e-4)
    assert scores[S] == pytest.approx(74.7619, abs=1e-4)
    assert scores[P] == pytest.approx(70.8333, abs=1e-4)


def test_composite_missing_rates():
    """A department that closed and resolved nothing: closure and handling count as 0, the
    missing rework rate as no rework."""
    idle = ticket(1, Y, P, "g1", "2026-11-02 09:00", [ev("dispatch", "2026-11-02 10:00")],
                  state="dispatched", due="2026-12-09 18:00")
    busy = [ticket(i, L, M, "g1", "2026-11-02 09:00", [ev("dispatch", "2026-11-02 10:00")],
                   state="dispatched", due="2026-12-09 18:00") for i in (2, 3, 4, 5)]
    reports = [compute([idle, *busy], Scope("department", d), NOVEMBER) for d in (M, P)]
    assert [(r.closure_rate, r.on_time_handling_rate, r.rework_rate) for r in reports] == [
        (None, 0.0, None), (None, 0.0, None)]
    assert composite_scores(reports) == {M: pytest.approx(10 + 30), P: pytest.approx(2.5 + 30)}
    nothing = compute([], Scope("department", S), NOVEMBER)
    assert composite_scores([nothing]) == {S: pytest.approx(30)}
    assert composite_scores([]) == {}


def test_composite_refuses_mixed_reports():
    with pytest.raises(ValueError):
        composite_scores([report("november", "all")])
    with pytest.raises(ValueError):
        composite_scores([report("november", f"department:{M}")] * 2)
    with pytest.raises(ValueError):
        composite_scores([report("november", f"department:{M}"),
                          report("week", f"department:{S}")])


def test_zero_denominators_are_none_not_zero():
    empty = compute([], Scope("all"), NOVEMBER)
    assert all(getattr(empty, name) is None for name in (
        "closure_rate", "on_time_closure_rate", "handling_rate", "on_time_handling_rate",
        "rework_rate", "bounce_rate"))
    assert empty.time_to_close == Durations(0, None, None)
    assert as_dict(empty)["closure_rate"] is None
    # the week for grid g2 has no send-backs but dispatches: 0, not None
    assert report("week", "grid:g2").bounce_rate == 0.0
    # a scope nobody is in
    assert report("november", "street:s9").handling_rate is None


def test_events_outside_the_period_are_ignored():
    october_only = [t for t in FIXTURE if t.id in (26, 28)]
    december_only = [t for t in FIXTURE if t.id == 27]
    for tickets in (october_only, december_only):
        got = compute(tickets, Scope("all"), NOVEMBER)
        assert got.dispatched == got.dispatch_events == got.send_backs == 0
        assert got.resolve_events == got.reworks == got.voided == 0
        assert got.time_to_dispatch.count == 0
    # 26 is still due in November (its deadline is), though none of its events are
    assert compute(october_only, Scope("all"), NOVEMBER).due_to_close == 1
    # more events after the period change nothing
    after = tuple(EventFact(action, at("2026-12-05 09:00"), place(M, "g1"),
                            at("2026-12-06 18:00"))
                  for action in ("dispatch", "send_back", "resolve", "rework", "park", "void"))
    later = [replace(t, events=t.events + after) for t in FIXTURE]
    for scope in ("all", f"department:{M}", "community:c1"):
        assert compute(later, Scope.parse(scope), NOVEMBER) == report("november", scope)


def test_boundaries_are_start_inclusive_end_exclusive():
    start = ticket(1, Y, P, "g1", "2026-11-01 00:00", [ev("dispatch", "2026-11-01 00:00")],
                   state="dispatched", due="2026-11-01 00:00")
    end = ticket(2, Y, P, "g1", "2026-11-30 23:00", [ev("dispatch", "2026-12-01 00:00")],
                 state="dispatched", due="2026-12-01 00:00")
    got = compute([start, end], Scope("all"), NOVEMBER)
    assert (got.due_to_close, got.dispatched, got.dispatch_events) == (1, 1, 1)
    assert got.time_to_dispatch == Durations(1, 0.0, 0.0)


def test_work_not_yet_due_does_not_count_against_the_department():
    """Dispatched at 02:43, due at noon: at 02:45 the department has nothing due to close
    (closure rate —, not 0 %); once noon has passed, the open ticket is due and not closed."""
    t = ticket(1, L, M, "g1", "2026-11-16 02:40", [ev("dispatch", "2026-11-16 02:43")],
               state="dispatched", due="2026-11-16 12:00")
    early = compute([t], Scope("department", M), NOVEMBER, now=at("2026-11-16 02:45"))
    assert (early.due_to_close, early.closure_rate, early.dispatched) == (0, None, 1)
    at_noon = compute([t], Scope("department", M), NOVEMBER, now=at("2026-11-16 12:00"))
    assert (at_noon.due_to_close, at_noon.closure_rate) == (1, 0.0)
    # a deadline on a later day of the period is not due either
    later = replace(t, due_at=at("2026-11-20 18:00"))
    assert compute([later], Scope("all"), NOVEMBER, now=at("2026-11-18 23:59")).due_to_close == 0
    # a period in the past counts every deadline it holds, whatever the hour now
    assert compute([t], Scope("all"), NOVEMBER, now=at("2026-12-01 00:30")).due_to_close == 1


def test_a_ticket_closed_before_its_deadline_counts_as_soon_as_it_is_closed():
    t = ticket(1, L, M, "g1", "2026-11-16 02:40", [
        ev("dispatch", "2026-11-16 02:43"), ev("accept", "2026-11-16 03:00"),
        ev("resolve", "2026-11-16 04:00", due="2026-11-16 12:00"),
        ev("verify", "2026-11-16 05:00")],
        state="closed", due="2026-11-16 12:00", closed="2026-11-16 05:00")
    got = compute([t], Scope("department", M), NOVEMBER, now=at("2026-11-16 05:01"))
    assert (got.due_to_close, got.closed, got.closed_on_time, got.closure_rate) == (1, 1, 1, 1.0)


def test_on_time_includes_the_deadline_itself():
    t = ticket(1, L, M, "g1", "2026-11-02 09:00", [
        ev("dispatch", "2026-11-02 10:00"), ev("accept", "2026-11-02 11:00"),
        ev("resolve", "2026-11-03 18:00", due="2026-11-03 18:00"),
        ev("verify", "2026-11-03 18:00")],
        state="closed", due="2026-11-03 18:00", closed="2026-11-03 18:00")
    got = compute([t], Scope("all"), NOVEMBER)
    assert (got.closed_on_time, got.resolved_on_time) == (1, 1)


def test_a_resolve_before_the_cohort_dispatch_does_not_handle_it():
    """M resolved in October, was asked to rework, sent it back; dispatched to M again in
    November and not resolved since: M's November cohort entry is unresolved."""
    t = ticket(1, L, M, "g1", "2026-10-20 09:00", [
        ev("dispatch", "2026-10-20 10:00"), ev("accept", "2026-10-20 11:00"),
        ev("resolve", "2026-10-21 10:00", due="2026-10-22 18:00"),
        ev("rework", "2026-10-21 15:00"), ev("send_back", "2026-10-22 10:00"),
        ev("dispatch", "2026-11-02 10:00")], state="dispatched", due="2026-11-04 18:00")
    got = compute([t], Scope("department", M), NOVEMBER)
    assert (got.dispatched, got.resolved, got.resolved_on_time) == (1, 0, 0)


def test_each_dispatch_is_handled_or_not_on_its_own():
    """Dispatched to M twice in November: two dispatches, the first resolved by M, the second
    not yet."""
    t = ticket(1, L, M, "g1", "2026-11-02 09:00", [
        ev("dispatch", "2026-11-02 10:00"), ev("accept", "2026-11-02 11:00"),
        ev("resolve", "2026-11-03 10:00", due="2026-11-04 18:00"),
        ev("rework", "2026-11-03 15:00"), ev("send_back", "2026-11-04 10:00"),
        ev("dispatch", "2026-11-05 10:00")], state="dispatched", due="2026-11-07 18:00")
    got = compute([t], Scope("department", M), NOVEMBER)
    assert (got.dispatched, got.dispatch_events, got.resolved, got.resolved_on_time) == (
        2, 2, 1, 1)


def test_handled_on_time_is_judged_on_the_first_resolve():
    """Late first resolve, rework, extension, second resolve within the extended deadline:
    handled, late (the rework shows in the rework rate)."""
    t = ticket(1, L, M, "g1", "2026-11-02 09:00", [
        ev("dispatch", "2026-11-02 10:00"), ev("accept", "2026-11-02 11:00"),
        ev("resolve", "2026-11-05 10:00", due="2026-11-04 18:00"),
        ev("rework", "2026-11-05 15:00"), ev("approve_extension", "2026-11-06 09:00"),
        ev("resolve", "2026-11-07 10:00", due="2026-11-08 18:00")],
        state="resolved", due="2026-11-08 18:00")
    got = compute([t], Scope("department", M), NOVEMBER)
    assert (got.resolved, got.resolved_on_time) == (1, 0)


def test_time_to_resolve_runs_from_the_last_dispatch():
    by_id = {t.id: t for t in FIXTURE}
    # 13: dispatched to M 11-10 10:00, sent back, to S 11-11 09:00, resolved 11-12 10:00
    assert compute([by_id[13]], Scope("all"), WEEK).time_to_resolve == Durations(1, 25.0, 25.0)
    # 35: re-dispatched 11-24 14:00, resolved 11-25 14:00 (not 28 h from the first dispatch)
    assert compute([by_id[35]], Scope("all"), NOVEMBER).time_to_resolve == Durations(
        1, 24.0, 24.0)
    # 25: first dispatch to P, so time to dispatch is P's; the resolve is M's
    police = compute([by_id[25]], Scope("department", P), NOVEMBER)
    municipal = compute([by_id[25]], Scope("department", M), NOVEMBER)
    assert (police.time_to_dispatch.count, police.time_to_resolve.count) == (1, 0)
    assert municipal.time_to_dispatch.count == 0
    assert municipal.time_to_resolve == Durations(1, 25.0, 25.0)


def test_rework_rate_can_exceed_one_across_the_period_start():
    """Literal reading: events in the period over events in the period. A resolve just before
    the period and its rework inside it make 2 reworks over 1 resolve."""
    t = ticket(1, L, M, "g1", "2026-10-30 09:00", [
        ev("dispatch", "2026-10-30 10:00"), ev("accept", "2026-10-30 11:00"),
        ev("resolve", "2026-10-31 23:00", due="2026-11-05 18:00"),
        ev("rework", "2026-11-01 01:00"),
        ev("resolve", "2026-11-01 05:00", due="2026-11-05 18:00"),
        ev("rework", "2026-11-01 06:00")], state="accepted", due="2026-11-05 18:00")
    got = compute([t], Scope("all"), NOVEMBER)
    assert (got.reworks, got.resolve_events, got.rework_rate) == (2, 1, 2.0)
    # and the in-period resolve is not a first resolve after its dispatch
    assert got.time_to_resolve.count == 0


def test_percentile_nearest_rank():
    assert percentile([], 50) is None
    assert percentile([7.0], 50) == percentile([7.0], 90) == 7.0
    assert percentile([4.0, 1.0, 3.0, 2.0], 50) == 2.0  # rank ceil(2) = 2: the lower median
    assert percentile([4.0, 1.0, 3.0, 2.0], 90) == 4.0  # rank ceil(3.6) = 4
    ten = [float(v) for v in range(10, 0, -1)]
    assert (percentile(ten, 50), percentile(ten, 90)) == (5.0, 9.0)  # ranks 5 and 9
    eleven = [float(v) for v in range(1, 12)]
    assert (percentile(eleven, 50), percentile(eleven, 90)) == (6.0, 10.0)  # 6 and ceil(9.9)


def test_durations_by_hand_on_a_small_set():
    def closed_after(i: int, hours: int) -> TicketFact:
        created = datetime(2026, 11, 2, 9, tzinfo=SH)
        done = (created + timedelta(hours=hours)).strftime("%Y-%m-%d %H:%M")
        dispatched = (created + timedelta(minutes=30 * i)).strftime("%Y-%m-%d %H:%M")
        return ticket(i, L, M, "g1", "2026-11-02 09:00", [
            ev("dispatch", dispatched), ev("resolve", done, due="2026-11-30 18:00"),
            ev("verify", done)], state="closed", due="2026-11-30 18:00", closed=done)

    got = compute([closed_after(1, 2), closed_after(2, 100), closed_after(3, 8),
                   closed_after(4, 4)], Scope("all"), NOVEMBER)
    # dispatch after 0.5 1 1.5 2 h → median rank 2 = 1, p90 rank 4 = 2
    assert got.time_to_dispatch == Durations(4, 1.0, 2.0)
    # resolve = close − dispatch: 1.5, 99, 6.5, 2 → sorted 1.5 2 6.5 99
    assert got.time_to_resolve == Durations(4, 2.0, 99.0)
    # close: 2 100 8 4 → sorted 2 4 8 100
    assert got.time_to_close == Durations(4, 4.0, 100.0)


def test_as_dict_is_json_ready():
    import json

    d = as_dict(report("november", f"department:{M}"))
    assert json.loads(json.dumps(d)) == d
    assert d["scope"] == {"kind": "department", "code": M}
    assert d["period"] == {"start": "2026-10-31T16:00:00+00:00",
                           "end": "2026-11-30T16:00:00+00:00"}
    assert d["closure_rate"] == 0.7 and d["rework_rate"] == 0.2727  # 3/11
    assert d["on_time_closure_rate"] == 0.4 and d["due_to_close"] == 10
    assert d["time_to_close"]["count"] == 7


@pytest.mark.parametrize(("text", "expected"), [
    ("all", Scope("all")),
    ("department:urban_mgmt.municipal", Scope("department", M)),
    ("board:livelihood", Scope("board", L)),
    ("grid:g1", Scope("grid", "g1")),
    ("community:c1", Scope("community", "c1")),
    ("street:s1", Scope("street", "s1")),
    ("grid:a:b", Scope("grid", "a:b")),
])
def test_scope_parse(text, expected):
    assert Scope.parse(text) == expected
    assert str(expected) == text


@pytest.mark.parametrize("text", [
    "", "department", "department:", ":x", "all:", "all:x", "team:x", "Department:x",
    " all", "board: livelihood", "board:livelihood ", None, 3])
def test_scope_parse_errors(text):
    with pytest.raises(ValueError):
        Scope.parse(text)


def test_scope_and_period_validation():
    with pytest.raises(ValueError):
        Scope("department")
    with pytest.raises(ValueError):
        Scope("all", "x")
    with pytest.raises(ValueError):
        Period(datetime(2026, 11, 1), datetime(2026, 12, 1), SH)  # naive
    with pytest.raises(ValueError):
        Period(NOVEMBER.end, NOVEMBER.start, SH)
    assert Period.days(date(2026, 11, 1), date(2026, 12, 1), SH) == NOVEMBER
    assert Period.days(date(2026, 11, 9), date(2026, 11, 16), SH) == WEEK


# --- properties on random, lifecycle-shaped ticket histories -----------------------------

NEXT = {  # action → (from states, to state); enough of the lifecycle to make histories
    "dispatch": ({"reported", "dispatched", "accepted"}, "dispatched"),
    "accept": ({"dispatched"}, "accepted"),
    "resolve": ({"accepted"}, "resolved"),
    "verify": ({"resolved"}, "closed"),
    "rework": ({"resolved"}, "accepted"),
    "send_back": ({"dispatched", "accepted"}, "reported"),
    "void": ({"reported"}, "voided"),
    "merge": ({"reported", "dispatched"}, "merged"),
    "approve_extension": ({"dispatched", "accepted"}, None),
    "park": ({"dispatched", "accepted"}, "parked"),
    "unpark": ({"parked"}, "resume"),
    "comment": ({"reported", "dispatched", "accepted", "resolved", "parked"}, None),
}
BASE = datetime(2026, 10, 20, tzinfo=UTC)


@st.composite
def histories(draw, ticket_id: int) -> TicketFact:
    created = BASE + timedelta(hours=draw(st.integers(0, 24 * 50)))
    now, state, resume = created, "reported", None
    lead = board = due = closed = None
    grid = draw(st.sampled_from(["g1", "g2"]))
    events = [EventFact("report", created, place(None, grid))]
    for _ in range(draw(st.integers(0, 12))):
        if state in ("closed", "voided", "merged"):
            break
        action = draw(st.sampled_from(sorted(a for a, (froms, _) in NEXT.items()
                                             if state in froms)))
        now += timedelta(hours=draw(st.integers(0, 120)))
        event_department, event_due = lead, None
        if action == "dispatch":
            lead = event_department = draw(st.sampled_from([M, S, P]))
            board = BOARD_OF[lead]
            due = now + timedelta(hours=draw(st.integers(1, 200)))
        elif action == "approve_extension":
            due = (due or now) + timedelta(hours=draw(st.integers(1, 100)))
        elif action == "resolve":
            event_due = due
        elif action == "send_back":
            lead = None
        elif action == "park":
            resume = state
        if action in ("verify", "void", "merge"):
            closed = now
        events.append(EventFact(action, now, place(event_department, grid, board), event_due))
        to_state = NEXT[action][1]
        if to_state == "resume":
            state = resume
        elif to_state is not None:
            state = to_state
    return TicketFact(ticket_id, created, state, Where("s1", COMMUNITY[grid], grid, board, lead),
                      due, closed, tuple(events))


ticket_sets = st.integers(0, 12).flatmap(
    lambda n: st.tuples(*[histories(i) for i in range(n)]))
scopes = st.sampled_from([Scope("all"), *(Scope("department", d) for d in (M, S, P)),
                          Scope("board", L), Scope("board", Y), Scope("grid", "g1"),
                          Scope("community", "c2")])
periods = st.sampled_from([NOVEMBER, WEEK, Period(at("2026-11-20 00:00"),
                                                  at("2026-11-21 00:00"), SH)])


def in_unit_interval(value: float | None) -> bool:
    return value is None or 0.0 <= value <= 1.0


@settings(max_examples=300, deadline=None)
@given(ticket_sets, scopes, periods)
def test_rates_and_orderings_hold_on_random_histories(tickets, scope, period):
    got = compute(tickets, scope, period)
    for rate in ("closure_rate", "on_time_closure_rate", "handling_rate",
                 "on_time_handling_rate"):
        assert in_unit_interval(getattr(got, rate)), rate
    assert got.rework_rate is None or got.rework_rate >= 0
    assert got.bounce_rate is None or got.bounce_rate >= 0
    assert 0 <= got.closed_on_time <= got.closed <= got.due_to_close
    assert 0 <= got.resolved_on_time <= got.resolved <= got.dispatched
    assert got.time_to_close.count == got.closed
    for d in (got.time_to_dispatch, got.time_to_resolve, got.time_to_close):
        assert (d.median_hours is None) == (d.count == 0)
        assert d.count == 0 or 0 <= d.median_hours <= d.p90_hours


@settings(max_examples=300, deadline=None)
@given(ticket_sets, scopes)
def test_every_rate_is_within_unit_interval_when_the_period_holds_all_events(tickets, scope):
    """Over a period that contains every event, each rework follows a counted resolve and each
    send-back a counted dispatch, so all six rates are None or in [0, 1]."""
    everything = Period.days(date(2026, 10, 1), date(2027, 12, 1), SH)
    got = compute(tickets, scope, everything)
    for rate in ("closure_rate", "on_time_closure_rate", "handling_rate",
                 "on_time_handling_rate", "rework_rate", "bounce_rate"):
        assert in_unit_interval(getattr(got, rate)), rate
    assert got.closed_on_time <= got.closed <= got.due_to_close


@settings(max_examples=200, deadline=None)
@given(ticket_sets, periods)
def test_department_cohorts_and_events_add_up_to_all(tickets, period):
    whole = compute(tickets, Scope("all"), period)
    parts = [compute(tickets, Scope("department", d), period) for d in (M, S, P)]
    for name in ("dispatched", "resolved", "resolved_on_time", "dispatch_events",
                 "resolve_events"):
        assert sum(getattr(p, name) for p in parts) == getattr(whole, name), name


def test_a_parked_ticket_with_its_clock_stopped_counts_as_parked_on_its_park_day():
    t = ticket(1, L, M, "g1", "2026-11-02 09:00", [
        ev("dispatch", "2026-11-02 10:00"), ev("accept", "2026-11-02 11:00"),
        ev("park", "2026-11-10 15:00")], state="parked")  # no deadline while parked
    assert (report_of([t], "week").parked, compute([t], Scope("all"), NOVEMBER).parked) == (1, 1)
    assert compute([t], Scope("all"), Period.days(date(2026, 11, 1), date(2026, 11, 9), SH)
                   ).parked == 0


def test_closure_figures_take_the_ticket_as_it_is_now():
    """Due in the week, voided after it: counted as voided in the week, not as due."""
    t = ticket(1, L, M, "g1", "2026-11-09 09:00", [
        ev("dispatch", "2026-11-09 10:00"), ev("void", "2026-11-20 10:00")],
        state="voided", due="2026-11-12 18:00", closed="2026-11-20 10:00")
    got = report_of([t], "week")
    assert (got.due_to_close, got.voided) == (0, 1)


def report_of(tickets, period: str, scope: str = "all") -> KpiReport:
    return compute(tickets, Scope.parse(scope), PERIODS[period])


def test_contributions_of_a_ticket_sent_back_and_redispatched():
    by_id = {t.id: t for t in FIXTURE}
    share = contributions(by_id[25])  # to P, sent back; to M, resolved on time
    assert [(e.where.department, e.where.board, e.resolve_day, e.on_time)
            for e in share.episodes] == [(P, Y, None, False), (M, L, date(2026, 11, 19), True)]
    assert share.closure.outcome == "open" and share.closure.where.department == M
    assert [t.kind for t in share.timings] == ["time_to_dispatch", "time_to_resolve"]


@given(st.lists(st.floats(0, 5000, allow_nan=False), max_size=60), st.sampled_from([1, 50, 90,
                                                                                     100]))
def test_a_percentile_found_through_buckets_is_the_exact_one(values, p):
    """What the database does: count per bucket, then read the one bucket's values."""
    from dispatch.core.kpi import bucket

    counts = Counter(bucket(v) for v in values)
    found = locate(sorted(counts.items()), p)
    if not values:
        assert found is None
        return
    key, position = found
    inside = sorted(v for v in values if bucket(v) == key)
    assert inside[position - 1] == percentile(values, p)


def test_buckets_keep_the_order():
    from dispatch.core.kpi import bucket

    hours = [0, 0.001, 0.5, 1, 1.01, 2, 24, 100, 1000, 10_000]
    assert [bucket(h) for h in hours] == sorted(bucket(h) for h in hours)
    assert bucket(-1) == 0
