"""A district's routing rules (ordered documents) and its jurisdiction polygons."""

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .org import Department
from .types import JSONType, UTCDateTime, utcnow


class RoutingRule(db.Model):
    """One rule as written in docs/routing-rules.md; `position` orders them."""

    __tablename__ = "routing_rules"
    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[str] = mapped_column(String(64), unique=True)
    position: Mapped[int]
    document: Mapped[dict[str, Any]] = mapped_column(JSONType)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class RoutingRuleSet(db.Model):
    """One version of the whole rule list, kept for ever: every replace (API, CLI, restore)
    writes the next version, so a replace can name the version it was made from (a stale one
    is refused) and any earlier version can be brought back. `routing_rules` holds the current
    version's rules, one row each, for routing to read."""

    __tablename__ = "routing_rule_sets"
    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(unique=True)  # two racing replaces: one wins
    documents: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    rule_count: Mapped[int]
    source: Mapped[str] = mapped_column(String(16))  # api, cli, restore, migration
    restored_from: Mapped[int | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    created_by = relationship("User")


class Jurisdiction(db.Model):
    """A park, river bank, road section, school zone … and the department that owns it."""

    __tablename__ = "jurisdictions"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name_zh: Mapped[str] = mapped_column(String(128))
    name_en: Mapped[str] = mapped_column(String(128), default="")
    kind: Mapped[str] = mapped_column(String(32))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    geometry: Mapped[dict[str, Any]] = mapped_column(JSONType)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    department: Mapped[Department] = relationship()
