"""Replacing a district's routing rules: validated whole against the database, then swapped in
one transaction, so routing never sees half a rule set. Every replace keeps the whole list as
the next version (`RoutingRuleSet`): a replace names the version it was made from and is refused
if someone replaced the rules since (409), an empty list must be confirmed (one request erased
all 43 rules once), and any earlier version comes back with one call."""

from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from ..core.errors import problem
from ..core.rules import compile_rules
from ..extensions import db
from ..models import RoutingRule, RoutingRuleSet, User
from .errors import BadInput, NotFound, StaleRuleSet
from .routing_context import current_catalog

MAX_VERSION = 2**31 - 1


def current_rules() -> list[dict]:
    return list(db.session.scalars(select(RoutingRule.document).order_by(RoutingRule.position)))


def current_version() -> int:
    """The version in force; 0 before any rules were ever loaded."""
    return db.session.scalar(select(func.max(RoutingRuleSet.version))) or 0


def current_set() -> RoutingRuleSet | None:
    return db.session.scalar(select(RoutingRuleSet).order_by(RoutingRuleSet.version.desc())
                             .limit(1))


def history() -> list[RoutingRuleSet]:
    """Every version, newest first."""
    return list(db.session.scalars(select(RoutingRuleSet)
                                   .order_by(RoutingRuleSet.version.desc())))


def rule_set(version: int) -> RoutingRuleSet:
    found = None
    if 0 < version <= MAX_VERSION:  # beyond a database integer there is no such version
        found = db.session.scalar(select(RoutingRuleSet).where(
            RoutingRuleSet.version == version))
    if found is None:
        raise NotFound("rule_set_version_not_found", version=version)
    return found


def replace_rules(documents: Any, *, expected_version: int | None = None,
                  user: User | None = None, confirm_empty: bool = False, source: str = "cli",
                  restored_from: int | None = None) -> RoutingRuleSet:
    """Raises core.rules.RuleError (with every problem) and writes nothing if any rule is bad;
    BadInput for an empty list not confirmed; StaleRuleSet if `expected_version` is given and
    is not the version in force. The same list as the one in force writes no new version."""
    compile_rules(documents, current_catalog())
    if not documents and not confirm_empty:
        raise BadInput("rules_not_changed", {"rules": [problem("empty_rule_set")]})
    try:
        latest = current_set()
        version = latest.version if latest else 0
        if expected_version is not None and expected_version != version:
            raise StaleRuleSet("stale_rule_set", current=version, sent=expected_version)
        if latest is not None and latest.documents == documents \
                and current_rules() == documents:
            db.session.rollback()
            return latest
        db.session.execute(delete(RoutingRule))
        for position, document in enumerate(documents):
            db.session.add(RoutingRule(rule_id=document["id"], position=position,
                                       document=document))
        new = RoutingRuleSet(version=version + 1, documents=documents,
                             rule_count=len(documents), source=source,
                             restored_from=restored_from,
                             created_by_id=user.id if user is not None else None)
        db.session.add(new)
        db.session.commit()
    except IntegrityError as exc:  # another replace took the same next version first
        db.session.rollback()
        raise StaleRuleSet("stale_rule_set", current=current_version(),
                           sent=expected_version) from exc
    except Exception:
        db.session.rollback()
        raise
    return new


def restore(version: int, user: User, expected_version: int | None = None) -> RoutingRuleSet:
    """Bring an earlier version back as the next one (the history only ever grows). It is
    validated against today's departments, categories and places like any replace."""
    old = rule_set(version)
    return replace_rules(list(old.documents), expected_version=expected_version, user=user,
                         confirm_empty=True, source="restore", restored_from=version)
