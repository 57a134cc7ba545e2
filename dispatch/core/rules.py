"""Routing rules as data: parsed, validated against what the district knows, and indexed.

A district edits its rules; a mistake must never half-load or silently never fire, so every
problem is collected and reported at once. The index narrows thousands of rules down to the few
whose category and phrases could possibly match a report (docs/routing-rules.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import time
from typing import Any

from .text import PhraseIndex, normalise

JURISDICTION_OWNER = "@jurisdiction"
PRIORITIES = ("urgent", "normal")
TIME_UNITS = ("clock_hours", "working_hours", "working_days")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_WHEN_KEYS = {"categories", "keywords_any", "keywords_all", "keywords_none", "streets",
              "communities", "grids", "jurisdictions", "jurisdiction_kinds", "hours",
              "weekdays", "priority"}
_THEN_KEYS = {"board", "department", "helpers", "priority", "time_limit", "note"}


class RuleError(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("Routing rules have errors:\n  " + "\n  ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Catalog:
    """What the district knows, to check rules against."""

    boards: frozenset[str]
    departments: dict[str, frozenset[str]]  # code → boards it serves
    categories: frozenset[str]
    streets: frozenset[str] = frozenset()
    communities: frozenset[str] = frozenset()
    grids: frozenset[str] = frozenset()
    jurisdictions: dict[str, str] = field(default_factory=dict)  # id → kind

    @property
    def classes(self) -> frozenset[str]:
        return frozenset(c[:2] for c in self.categories)


@dataclass(frozen=True)
class Conditions:
    categories: frozenset[str] = frozenset()
    classes: frozenset[str] = frozenset()
    keywords_any: tuple[str, ...] = ()
    keywords_all: tuple[str, ...] = ()
    keywords_none: tuple[str, ...] = ()
    streets: frozenset[str] = frozenset()
    communities: frozenset[str] = frozenset()
    grids: frozenset[str] = frozenset()
    jurisdictions: tuple[str, ...] = ()
    jurisdiction_kinds: frozenset[str] = frozenset()
    hours: tuple[time, time] | None = None
    weekdays: frozenset[int] = frozenset()
    priority: frozenset[str] = frozenset()

    @property
    def empty(self) -> bool:
        return self == Conditions()


@dataclass(frozen=True)
class Actions:
    board: str | None = None
    department: str | None = None
    helpers: tuple[str, ...] = ()
    priority: str | None = None
    time_limit: tuple[int, str] | None = None
    note: str | None = None


@dataclass(frozen=True)
class Rule:
    id: str
    description: str
    position: int
    when: Conditions
    then: Actions
    stop: bool = True


class RuleSet:
    """The compiled rules and the indexes that find a report's candidate rules quickly."""

    def __init__(self, rules: tuple[Rule, ...]):
        self.rules = rules
        self.phrases = PhraseIndex(p for r in rules for p in (
            *r.when.keywords_any, *r.when.keywords_all, *r.when.keywords_none))
        self._any_category: set[int] = set()
        self._by_category: dict[str, set[int]] = {}
        self._any_phrase: set[int] = set()
        self._by_phrase: dict[str, set[int]] = {}
        self._any_place: set[int] = set()
        self._by_place: dict[str, set[int]] = {}
        for i, rule in enumerate(rules):
            keys = place_keys_of(rule.when)
            if not keys:
                self._any_place.add(i)
            for key in keys:
                self._by_place.setdefault(key, set()).add(i)
            w = rule.when
            if not (w.categories or w.classes):
                self._any_category.add(i)
            for key in (*w.categories, *(f"class:{c}" for c in w.classes)):
                self._by_category.setdefault(key, set()).add(i)
            positive = (*w.keywords_any, *w.keywords_all)
            if not positive:
                self._any_phrase.add(i)
            for phrase in positive:
                self._by_phrase.setdefault(phrase, set()).add(i)

    def __len__(self) -> int:
        return len(self.rules)

    def candidates(self, category: str, found: set[str],
                   place: set[str] | None = None) -> list[Rule]:
        """Rules whose category, some positive phrase and place condition could hold, in rule
        order. `place` holds keys like "grid:…", "community:…", "street:…", "jurisdiction:…",
        "kind:…" (None: do not narrow by place)."""
        by_category = (self._any_category | self._by_category.get(category, set())
                       | self._by_category.get(f"class:{category[:2]}", set()))
        by_phrase = set(self._any_phrase)
        for phrase in found:
            by_phrase |= self._by_phrase.get(phrase, set())
        chosen = by_category & by_phrase
        if place is not None:
            by_place = set(self._any_place)
            for key in place:
                by_place |= self._by_place.get(key, set())
            chosen &= by_place
        return [self.rules[i] for i in sorted(chosen)]


def place_keys_of(when: Conditions) -> list[str]:
    """The keys a rule is indexed under: one place condition suffices (all must hold anyway)."""
    for prefix, values in (("grid", when.grids), ("community", when.communities),
                           ("street", when.streets)):
        if values:
            return [f"{prefix}:{v}" for v in values]
    if when.jurisdictions or when.jurisdiction_kinds:
        return ([f"jurisdiction:{j}" for j in when.jurisdictions]
                + [f"kind:{k}" for k in when.jurisdiction_kinds])
    return []


EMPTY = RuleSet(())


def compile_rules(raw: list[dict[str, Any]], catalog: Catalog) -> RuleSet:
    problems: list[str] = []
    rules: list[Rule] = []
    seen: set[str] = set()
    catch_all: str | None = None
    for position, item in enumerate(raw or []):
        if not isinstance(item, dict):
            problems.append(f"rule {position + 1}: must be a mapping")
            continue
        rule_id = str(item.get("id", ""))
        label = f"rule {rule_id or position + 1}"
        if not _ID.match(rule_id):
            problems.append(f"{label}: id must be lowercase letters, digits and dashes")
        elif rule_id in seen:
            problems.append(f"{label}: duplicate id")
        seen.add(rule_id)
        before = len(problems)
        when = _conditions(item.get("when") or {}, catalog, label, problems)
        then = _actions(item.get("then") or {}, when, catalog, label, problems)
        stop = item.get("stop", True)
        if not isinstance(stop, bool):
            problems.append(f"{label}: stop must be true or false")
        if catch_all is not None:
            problems.append(f"{label}: can never match: rule {catch_all} before it has no "
                            "conditions and stops")
        if len(problems) == before:
            rule = Rule(rule_id, str(item.get("description", "")), position, when, then,
                        bool(stop))
            rules.append(rule)
            if when.empty and rule.stop:
                catch_all = rule_id
    if problems:
        raise RuleError(problems)
    return RuleSet(tuple(rules))


def _codes(value, known: frozenset[str], what: str, label: str, problems: list[str]):
    items = _list(value, what, label, problems)
    for item in items:
        if item not in known:
            problems.append(f"{label}: unknown {what} {item}")
    return frozenset(items)


def _list(value, what: str, label: str, problems: list[str]) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not value:
        problems.append(f"{label}: {what} must be a non-empty list")
        return []
    return [str(v) for v in value]


def _phrases(value, what: str, label: str, problems: list[str]) -> tuple[str, ...]:
    items = [normalise(p) for p in _list(value, what, label, problems)]
    if any(not p for p in items):
        problems.append(f"{label}: {what} has an empty phrase")
    return tuple(p for p in items if p)


def _conditions(when: dict, catalog: Catalog, label: str, problems: list[str]) -> Conditions:
    for key in set(when) - _WHEN_KEYS:
        problems.append(f"{label}: unknown condition {key}")
    codes = _list(when.get("categories"), "categories", label, problems)
    categories = frozenset(c for c in codes if len(c) == 4)
    classes = frozenset(c for c in codes if len(c) == 2)
    for c in codes:
        if (len(c) == 4 and c not in catalog.categories) or (
                len(c) == 2 and c not in catalog.classes) or len(c) not in (2, 4):
            problems.append(f"{label}: unknown category or class {c}")
    any_ = _phrases(when.get("keywords_any"), "keywords_any", label, problems)
    all_ = _phrases(when.get("keywords_all"), "keywords_all", label, problems)
    none = _phrases(when.get("keywords_none"), "keywords_none", label, problems)
    if set(all_) & set(none):
        problems.append(f"{label}: can never match: {sorted(set(all_) & set(none))} both "
                        "required and forbidden")
    if any_ and set(any_) <= set(none):
        problems.append(f"{label}: can never match: every keywords_any phrase is forbidden")
    juris = _list(when.get("jurisdictions"), "jurisdictions", label, problems)
    for j in juris:
        if j not in catalog.jurisdictions:
            problems.append(f"{label}: unknown jurisdiction {j}")
    kinds = _codes(when.get("jurisdiction_kinds"), frozenset(catalog.jurisdictions.values()),
                   "jurisdiction kind", label, problems)
    weekdays = frozenset()
    if when.get("weekdays") is not None:
        days = when["weekdays"]
        if not isinstance(days, list) or not days or not all(
                isinstance(d, int) and 1 <= d <= 7 for d in days):
            problems.append(f"{label}: weekdays must be a non-empty list of 1 (Mon) … 7 (Sun)")
        else:
            weekdays = frozenset(days)
    return Conditions(
        categories=categories, classes=classes, keywords_any=any_, keywords_all=all_,
        keywords_none=none,
        streets=_codes(when.get("streets"), catalog.streets, "street", label, problems),
        communities=_codes(when.get("communities"), catalog.communities, "community", label,
                           problems),
        grids=_codes(when.get("grids"), catalog.grids, "grid", label, problems),
        jurisdictions=tuple(juris), jurisdiction_kinds=kinds,
        hours=_hours(when.get("hours"), label, problems), weekdays=weekdays,
        priority=_codes(when.get("priority"), frozenset(PRIORITIES), "priority", label,
                        problems))


def _hours(value, label: str, problems: list[str]) -> tuple[time, time] | None:
    if value is None:
        return None
    try:
        start, end = time.fromisoformat(value["from"]), time.fromisoformat(value["to"])
    except (TypeError, KeyError, ValueError):
        problems.append(f"{label}: hours must be {{from: 'HH:MM', to: 'HH:MM'}}")
        return None
    if start == end:
        problems.append(f"{label}: can never match: hours from and to are equal")
    return start, end


def _actions(then: dict, when: Conditions, catalog: Catalog, label: str,
             problems: list[str]) -> Actions:
    for key in set(then) - _THEN_KEYS:
        problems.append(f"{label}: unknown action {key}")
    if not then:
        problems.append(f"{label}: a rule must decide or add something (then: …)")
    board, dept = then.get("board"), then.get("department")
    if board is not None and board not in catalog.boards:
        problems.append(f"{label}: unknown board {board}")
    if dept == JURISDICTION_OWNER:
        if not (when.jurisdictions or when.jurisdiction_kinds):
            problems.append(f"{label}: department {JURISDICTION_OWNER} needs a jurisdiction "
                            "condition")
    elif dept is not None:
        if dept not in catalog.departments:
            problems.append(f"{label}: unknown department {dept}")
        elif board is not None and board not in catalog.departments[dept]:
            problems.append(f"{label}: department {dept} does not serve board {board}")
    if (dept is None) != (board is None):
        problems.append(f"{label}: board and department go together")
    helpers = _codes(then.get("helpers"), frozenset(catalog.departments), "department", label,
                     problems)
    priority = then.get("priority")
    if priority is not None and priority not in PRIORITIES:
        problems.append(f"{label}: priority must be one of {PRIORITIES}")
    limit = then.get("time_limit")
    time_limit = None
    if limit is not None:
        try:
            value, unit = int(limit["value"]), limit["unit"]
            if value <= 0 or unit not in TIME_UNITS:
                raise ValueError
            time_limit = (value, unit)
        except (TypeError, KeyError, ValueError):
            problems.append(f"{label}: time_limit must be {{value: N > 0, unit: {TIME_UNITS}}}")
    return Actions(board=board, department=dept, helpers=tuple(sorted(helpers)),
                   priority=priority, time_limit=time_limit, note=then.get("note"))
