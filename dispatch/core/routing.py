"""Routing: a report's place, category and words → board, lead department, helpers; or the
street's dispatch queue, with the reason.

Every decision carries its explanation: which rule decided, which conditions matched (which
phrase, which polygon), which rules were tried before it, and where the category default or the
queue took over. Each step is a code with parameters (`{"step", "ok", "code", "params", ...}`);
the shell puts it into words in the reader's language. Precedence is documented in
docs/routing-rules.md and implemented only here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .geo import Place
from .rules import EMPTY, JURISDICTION_OWNER, Rule, RuleSet
from .text import normalise

MAX_SEND_BACKS = 2


@dataclass(frozen=True)
class CategoryFacts:
    code: str
    name: str
    board: str | None
    department: str | None  # default department code
    urgent: bool = False


@dataclass(frozen=True)
class Report:
    category: CategoryFacts
    description: str
    reported_at: datetime  # aware, in the district's local time zone
    priority: str | None = None  # None: urgent if the category is

    @property
    def effective_priority(self) -> str:
        return self.priority or ("urgent" if self.category.urgent else "normal")


@dataclass(frozen=True)
class RoutingDecision:
    board: str | None
    department: str | None
    helpers: tuple[str, ...]
    grid: str | None
    community: str | None
    street: str | None
    priority: str = "normal"
    time_limit: tuple[int, str] | None = None
    note: str | None = None
    decided_by: str | None = None  # a rule id, "category", or None (queue)
    steps: list[dict[str, Any]] = field(default_factory=list)

    @property
    def dispatch(self) -> bool:
        """Confident enough to dispatch without a person."""
        return bool(self.board and self.department)

    def explanation(self) -> dict[str, Any]:
        return {"level": 2, "outcome": "dispatched" if self.dispatch else "queued",
                "decided_by": self.decided_by, "steps": self.steps}


def _step(steps, step: str, ok: bool, code: str, params: dict[str, Any] | None = None,
          **data) -> None:
    """One step: its kind, whether it settled something, its message code and parameters, and
    any further data for machines (what was tried, which ids matched)."""
    steps.append({"step": step, "ok": ok, "code": code, "params": params or {}, **data})


def route(report: Report, place: Place, rules: RuleSet = EMPTY, *,
          departments: dict[str, frozenset[str]] | None = None,
          excluded: frozenset[str] = frozenset(), send_backs: int = 0) -> RoutingDecision:
    """Decide. `departments` maps active department codes to the boards they serve (None: trust
    the codes); `excluded` are departments that already sent this ticket back."""
    steps: list[dict[str, Any]] = []
    cell = place.grid
    _place_steps(steps, place)
    outcome: dict[str, Any] = {"helpers": set(), "board": None, "department": None,
                               "priority": None, "time_limit": None, "note": None,
                               "decided_by": None}
    if send_backs >= MAX_SEND_BACKS:
        _step(steps, "send_backs", False, "sent_back_too_often", {"n": send_backs},
              count=send_backs)
    elif cell is None and not place.jurisdictions:
        _step(steps, "outcome", False, "place_unknown")
    else:
        _apply_rules(report, place, rules, departments, excluded, outcome, steps)
        if outcome["department"] is None and cell is None:
            _step(steps, "category", False, "outside_grids_rule_only",
                  {"category": report.category.code}, category=report.category.code)
        elif outcome["department"] is None:
            _category_default(report.category, departments, excluded, outcome, steps)
    if outcome["department"] is None and not steps[-1]["step"] == "outcome":
        _step(steps, "outcome", False, "nothing_decided")
    helpers = tuple(sorted(outcome["helpers"] - {outcome["department"]} - excluded))
    decided = outcome["department"] is not None
    return RoutingDecision(
        board=outcome["board"] if decided else None,
        department=outcome["department"], helpers=helpers if decided else (),
        grid=cell.code if cell else None, community=cell.community_code if cell else None,
        street=cell.street_code if cell else None,
        priority=outcome["priority"] or report.effective_priority,
        time_limit=outcome["time_limit"], note=outcome["note"],
        decided_by=outcome["decided_by"], steps=steps)


def _place_steps(steps, place: Place) -> None:
    cell = place.grid
    if cell is None:
        _step(steps, "grid", False, "point_outside_grids")
    elif place.snapped_metres is not None:
        _step(steps, "grid", True, "point_snapped_to_grid",
              {"metres": round(place.snapped_metres), "grid": cell.code}, grid=cell.code,
              snapped_metres=place.snapped_metres)
    else:
        _step(steps, "grid", True, "point_in_grid", {"grid": cell.code}, grid=cell.code)
    for j in place.jurisdictions:
        _step(steps, "jurisdiction", True, "point_in_jurisdiction",
              {"name": j.name, "kind": j.kind, "department": j.department},
              jurisdiction=j.id, kind=j.kind, owner=j.department)


def _apply_rules(report, place, rules, departments, excluded, outcome, steps) -> None:
    text = normalise(report.description)
    found = rules.phrases.found_in(text) if rules.phrases.phrases else set()
    candidates = rules.candidates(report.category.code, found, place_keys(place))
    tried: list[dict[str, str]] = []
    matched_any = False
    for rule in candidates:
        matched, detail = _matches(rule, report, place, found)
        if not matched:
            tried.append({"rule": rule.id, "failed": detail})
            continue
        department = rule.then.department
        if department == JURISDICTION_OWNER:
            department = _owner(rule, place)
        if department and department in excluded:
            tried.append({"rule": rule.id, "failed": "sent_back", "department": department})
            continue
        if department and departments is not None and (
                department not in departments or rule.then.board not in departments[department]):
            tried.append({"rule": rule.id, "failed": "not_on_board", "department": department,
                          "board": rule.then.board})
            continue
        decides = department is not None and outcome["department"] is None
        if decides:
            outcome.update(board=rule.then.board, department=department, decided_by=rule.id)
        outcome["helpers"].update(rule.then.helpers)
        for key in ("priority", "time_limit", "note"):
            if outcome[key] is None and getattr(rule.then, key) is not None:
                outcome[key] = getattr(rule.then, key)
        # a rule is named to people by its description (district data, in the district's
        # words: it says why, e.g. why an urgent limit), else by its id
        params = {"rule": rule.description or rule.id, "matched": [m["value"] for m in detail]}
        if decides:
            params.update(board=rule.then.board, department=department)
        _step(steps, "rule", True, "rule_decided" if decides else "rule_added", params,
              rule=rule.id, matched=detail, tried_before=tried, decides=decides,
              board=rule.then.board, department=department, helpers=list(rule.then.helpers))
        tried = []
        matched_any = True
        if rule.stop:
            return
    if tried or not candidates:
        # after a rule that only added helpers, "no rule matched" would contradict it
        _step(steps, "rules", False, "no_rule_decided" if matched_any else "no_rule_matched",
              {"candidates": len(candidates), "rules": len(rules)}, tried=tried)


def place_keys(place: Place) -> set[str]:
    keys = {f"jurisdiction:{j.id}" for j in place.jurisdictions}
    keys |= {f"kind:{j.kind}" for j in place.jurisdictions}
    if place.grid is not None:
        keys |= {f"grid:{place.grid.code}", f"community:{place.grid.community_code}",
                 f"street:{place.grid.street_code}"}
    return keys


def _owner(rule: Rule, place: Place) -> str | None:
    wanted = rule.when
    for j in place.jurisdictions:
        if j.id in wanted.jurisdictions or j.kind in wanted.jurisdiction_kinds:
            return j.department
    return None


def _matches(rule: Rule, report: Report, place: Place, found: set[str]):
    """(True, what matched) or (False, the first condition that failed)."""
    w = rule.when
    matched: list[dict[str, str]] = []
    code = report.category.code
    if w.categories or w.classes:
        if code in w.categories:
            matched.append({"kind": "category", "value": code})
        elif code[:2] in w.classes:
            matched.append({"kind": "class", "value": code[:2]})
        else:
            return False, "category"
    if w.keywords_any:
        hits = [p for p in w.keywords_any if p in found]
        if not hits:
            return False, "keywords_any"
        matched.append({"kind": "keyword", "value": hits[0]})
    if w.keywords_all:
        if not all(p in found for p in w.keywords_all):
            return False, "keywords_all"
        matched.extend({"kind": "keyword", "value": p} for p in w.keywords_all)
    if any(p in found for p in w.keywords_none):
        return False, "keywords_none"
    cell = place.grid
    for kind, codes, value in (("street", w.streets, cell and cell.street_code),
                               ("community", w.communities, cell and cell.community_code),
                               ("grid", w.grids, cell and cell.code)):
        if codes:
            if value not in codes:
                return False, kind
            matched.append({"kind": kind, "value": value})
    if w.jurisdictions or w.jurisdiction_kinds:
        inside = [j for j in place.jurisdictions
                  if j.id in w.jurisdictions or j.kind in w.jurisdiction_kinds]
        if not inside:
            return False, "jurisdiction"
        matched.append({"kind": "jurisdiction", "value": inside[0].name, "id": inside[0].id})
    local = report.reported_at
    if w.hours:
        start, end = w.hours
        now = local.time().replace(tzinfo=None)
        inside = start <= now < end if start < end else (now >= start or now < end)
        if not inside:
            return False, "hours"
        matched.append({"kind": "hours", "value": f"{start:%H:%M}-{end:%H:%M}"})
    if w.weekdays:
        if local.isoweekday() not in w.weekdays:
            return False, "weekdays"
        matched.append({"kind": "weekday", "value": str(local.isoweekday())})
    if w.priority:
        if report.effective_priority not in w.priority:
            return False, "priority"
        matched.append({"kind": "priority", "value": report.effective_priority})
    return True, matched


def _category_default(category: CategoryFacts, departments, excluded, outcome, steps) -> None:
    board, department = category.board, category.department
    usable = bool(board and department) and department not in excluded and (
        departments is None or (department in departments and board in departments[department]))
    if outcome["board"] and outcome["board"] != board:
        usable = False
    if usable:
        outcome.update(board=board, department=department, decided_by="category")
        _step(steps, "category", True, "category_default",
              {"category": category.code, "board": board, "department": department},
              category=category.code, board=board, department=department)
    elif department and department in excluded:
        _step(steps, "category", False, "category_default_sent_back",
              {"category": category.code, "department": department}, category=category.code,
              department=department)
    else:
        _step(steps, "category", False, "category_no_default", {"category": category.code},
              category=category.code)
