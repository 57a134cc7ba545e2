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

from .errors import problem
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
    """Rules that cannot be loaded. `problems` lists every problem found, each a coded problem
    (core.errors.problem) whose params say where it is: `rule` (the rule's id, or #n if it has
    none), `index` (its place in the list, from 1) and, when one setting is at fault, `field`
    (such as "then.department"). The shell words them (dispatch/http/messages.py)."""

    def __init__(self, problems: list[dict[str, Any]]):
        super().__init__("Routing rules have errors: " + "; ".join(
            f"{p['code']} {p['params']}" for p in problems))
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


class _Found:
    """The problems found so far, each naming the rule being checked (see RuleError)."""

    def __init__(self):
        self.problems: list[dict[str, Any]] = []
        self.where: dict[str, Any] = {}

    def add(self, code: str, field: str | None = None, /, **params: Any) -> None:
        where = {**self.where, "field": field} if field else self.where
        self.problems.append(problem(code, **where, **params))

    def __len__(self) -> int:
        return len(self.problems)


def compile_rules(raw: list[dict[str, Any]], catalog: Catalog) -> RuleSet:
    """Check every rule against the catalog and compile them; RuleError with every problem
    found if any rule is bad."""
    found = _Found()
    if not isinstance(raw, list):
        found.add("rules_not_a_list")
        raise RuleError(found.problems)
    rules: list[Rule] = []
    seen: dict[str, int] = {}
    catch_all: str | None = None
    for index, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            found.where = {"rule": f"#{index}", "index": index}
            found.add("rule_not_a_mapping")
            continue
        rule_id = "" if item.get("id") is None else str(item["id"])
        found.where = {"rule": rule_id or f"#{index}", "index": index}
        if not _ID.match(rule_id):
            found.add("rule_bad_id", "id")
        elif rule_id in seen:
            found.add("rule_duplicate_id", "id", first=seen[rule_id])
        seen.setdefault(rule_id, index)
        before = len(found)
        when = _conditions(_mapping(item, "when", found), catalog, found)
        then = _actions(_mapping(item, "then", found), when, catalog, found)
        stop = item.get("stop", True)
        if not isinstance(stop, bool):
            found.add("rule_bad_stop", "stop")
        if catch_all is not None:
            found.add("rule_never_reached", by=catch_all)
        if len(found) == before:
            rule = Rule(rule_id, str(item.get("description", "")), index - 1, when, then,
                        bool(stop))
            rules.append(rule)
            if when.empty and rule.stop:
                catch_all = rule_id
    if found.problems:
        raise RuleError(found.problems)
    return RuleSet(tuple(rules))


def _mapping(item: dict, key: str, found: _Found) -> dict:
    value = item.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        found.add("rule_part_not_a_mapping", key)
        return {}
    return value


def _codes(value, known: frozenset[str], field: str, code: str, found: _Found):
    """A list of codes, each of which must be known (`code`: the problem of one that is not)."""
    items = _list(value, field, found)
    for item in items:
        if item not in known:
            found.add(code, field, value=item)
    return frozenset(items)


def _list(value, field: str, found: _Found) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not value:
        found.add("rule_not_a_list", field)
        return []
    return [str(v) for v in value]


def _phrases(value, field: str, found: _Found) -> tuple[str, ...]:
    items = [normalise(p) for p in _list(value, field, found)]
    if any(not p for p in items):
        found.add("rule_empty_phrase", field)
    return tuple(p for p in items if p)


def _text(value, field: str, found: _Found) -> str | None:
    if value is None or isinstance(value, str):
        return value
    found.add("rule_not_text", field)
    return None


def _conditions(when: dict, catalog: Catalog, found: _Found) -> Conditions:
    for key in sorted(map(str, set(when) - _WHEN_KEYS)):
        found.add("rule_unknown_condition", f"when.{key}")
    codes = _list(when.get("categories"), "when.categories", found)
    categories = frozenset(c for c in codes if len(c) == 4)
    classes = frozenset(c for c in codes if len(c) == 2)
    for c in codes:
        if (len(c) == 4 and c not in catalog.categories) or (
                len(c) == 2 and c not in catalog.classes) or len(c) not in (2, 4):
            found.add("rule_unknown_category", "when.categories", value=c)
    any_ = _phrases(when.get("keywords_any"), "when.keywords_any", found)
    all_ = _phrases(when.get("keywords_all"), "when.keywords_all", found)
    none = _phrases(when.get("keywords_none"), "when.keywords_none", found)
    if set(all_) & set(none):
        found.add("rule_phrases_required_and_forbidden", "when.keywords_none",
                  value=sorted(set(all_) & set(none)))
    if any_ and set(any_) <= set(none):
        found.add("rule_any_phrases_forbidden", "when.keywords_any")
    juris = _list(when.get("jurisdictions"), "when.jurisdictions", found)
    for j in juris:
        if j not in catalog.jurisdictions:
            found.add("rule_unknown_jurisdiction", "when.jurisdictions", value=j)
    kinds = _codes(when.get("jurisdiction_kinds"), frozenset(catalog.jurisdictions.values()),
                   "when.jurisdiction_kinds", "rule_unknown_jurisdiction_kind", found)
    weekdays = frozenset()
    if when.get("weekdays") is not None:
        days = when["weekdays"]
        if not isinstance(days, list) or not days or not all(
                isinstance(d, int) and 1 <= d <= 7 for d in days):
            found.add("rule_bad_weekdays", "when.weekdays")
        else:
            weekdays = frozenset(days)
    return Conditions(
        categories=categories, classes=classes, keywords_any=any_, keywords_all=all_,
        keywords_none=none,
        streets=_codes(when.get("streets"), catalog.streets, "when.streets",
                       "rule_unknown_street", found),
        communities=_codes(when.get("communities"), catalog.communities, "when.communities",
                           "rule_unknown_community", found),
        grids=_codes(when.get("grids"), catalog.grids, "when.grids", "rule_unknown_grid", found),
        jurisdictions=tuple(juris),
        jurisdiction_kinds=kinds,
        hours=_hours(when.get("hours"), found), weekdays=weekdays,
        priority=_codes(when.get("priority"), frozenset(PRIORITIES), "when.priority",
                        "rule_bad_priority", found))


def _hours(value, found: _Found) -> tuple[time, time] | None:
    if value is None:
        return None
    try:
        start, end = time.fromisoformat(value["from"]), time.fromisoformat(value["to"])
    except (TypeError, KeyError, ValueError):
        found.add("rule_bad_hours", "when.hours")
        return None
    if start == end:
        found.add("rule_empty_hours", "when.hours", value=start.isoformat("minutes"))
    return start, end


def _actions(then: dict, when: Conditions, catalog: Catalog, found: _Found) -> Actions:
    for key in sorted(map(str, set(then) - _THEN_KEYS)):
        found.add("rule_unknown_action", f"then.{key}")
    if not then:
        found.add("rule_decides_nothing", "then")
    board = _text(then.get("board"), "then.board", found)
    dept = _text(then.get("department"), "then.department", found)
    if board is not None and board not in catalog.boards:
        found.add("rule_unknown_board", "then.board", value=board)
    if dept == JURISDICTION_OWNER:
        if not (when.jurisdictions or when.jurisdiction_kinds):
            found.add("rule_owner_needs_jurisdiction", "then.department")
    elif dept is not None:
        if dept not in catalog.departments:
            found.add("rule_unknown_department", "then.department", value=dept)
        elif board is not None and board in catalog.boards \
                and board not in catalog.departments[dept]:
            found.add("rule_department_not_on_board", "then.department", department=dept,
                      board=board)
    if (then.get("department") is None) != (then.get("board") is None):
        found.add("rule_board_and_department_together",
                  "then.board" if then.get("board") is None else "then.department")
    helpers = _codes(then.get("helpers"), frozenset(catalog.departments), "then.helpers",
                     "rule_unknown_department", found)
    priority = _text(then.get("priority"), "then.priority", found)
    if priority is not None and priority not in PRIORITIES:
        found.add("rule_bad_priority", "then.priority", value=priority)
    limit = then.get("time_limit")
    time_limit = None
    if limit is not None:
        try:
            value, unit = int(limit["value"]), limit["unit"]
            if value <= 0 or unit not in TIME_UNITS:
                raise ValueError
            time_limit = (value, unit)
        except (TypeError, KeyError, ValueError):
            found.add("rule_bad_time_limit", "then.time_limit")
    return Actions(board=board, department=dept, helpers=tuple(sorted(helpers)),
                   priority=priority, time_limit=time_limit,
                   note=_text(then.get("note"), "then.note", found))
