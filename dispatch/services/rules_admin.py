"""Replacing a district's routing rules: validated whole against the database, then swapped in
one transaction, so routing never sees half a rule set."""

from sqlalchemy import delete, select

from ..core.rules import compile_rules
from ..extensions import db
from ..models import RoutingRule
from .routing_context import current_catalog


def current_rules() -> list[dict]:
    return list(db.session.scalars(select(RoutingRule.document).order_by(RoutingRule.position)))


def replace_rules(documents: list[dict]) -> int:
    """Raises core.rules.RuleError (with every problem) and writes nothing if any rule is bad."""
    compile_rules(documents, current_catalog())
    try:
        db.session.execute(delete(RoutingRule))
        for position, document in enumerate(documents):
            db.session.add(RoutingRule(rule_id=document["id"], position=position,
                                       document=document))
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return len(documents)
