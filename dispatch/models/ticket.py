"""The ticket aggregate: the ticket, its append-only events and its photos.

A ticket's `version` is SQLAlchemy's version counter: every UPDATE is guarded by the version the
session read, so two concurrent writers cannot both win even if both passed the API's check.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .category import Category
from .org import Department
from .places import Community, Grid, Street
from .types import JSONType, UTCDateTime, utcnow
from .user import User

ticket_helpers = Table(
    "ticket_helpers",
    db.metadata,
    Column("ticket_id", ForeignKey("tickets.id"), primary_key=True),
    Column("department_id", ForeignKey("departments.id"), primary_key=True),
)


class TicketCounter(db.Model):
    """Per-year sequence behind numbers like 2026-000123, portable across SQLite and PostgreSQL."""

    __tablename__ = "ticket_counters"
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(default=0)


class Ticket(db.Model):
    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("reporter_id", "idempotency_key", name="uq_tickets_reporter_idem"),
        Index("ix_tickets_street_state", "street_id", "state"),
        Index("ix_tickets_department_state", "lead_department_id", "state"),
        Index("ix_tickets_board_state", "board_code", "state"),
        Index("ix_tickets_due_at", "due_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)
    state: Mapped[str] = mapped_column(String(16))
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    description: Mapped[str] = mapped_column(Text)
    lon: Mapped[float]
    lat: Mapped[float]
    location_source: Mapped[str] = mapped_column(String(8), default="pin")  # pin | exif
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grids.id"), index=True)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"))
    street_id: Mapped[int | None] = mapped_column(ForeignKey("streets.id"))
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(100))
    # sha256 of the report as first sent with that key (core.idempotency.fingerprint)
    idempotency_hash: Mapped[str | None] = mapped_column(String(64))
    board_code: Mapped[str | None] = mapped_column(ForeignKey("boards.code"))
    lead_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    # a likely duplicate found at intake, for the dispatcher to merge (or not)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    priority: Mapped[str] = mapped_column(String(8), default="normal",
                                          server_default="normal")  # urgent | normal
    # the limit routing decided when a rule overrides the category's
    time_limit_value: Mapped[int | None]
    time_limit_unit: Mapped[str | None] = mapped_column(String(16))
    pending_request: Mapped[str | None] = mapped_column(String(16))
    pending_hours: Mapped[int | None]
    extension_hours: Mapped[int] = mapped_column(default=0)
    resume_state: Mapped[str | None] = mapped_column(String(16))
    rework_count: Mapped[int] = mapped_column(default=0)
    send_back_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    routed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # the sweep's to-do list: set while a warning / escalation is still to come, cleared once
    # done (or when the clock stops), so the indexes hold only pending work
    warn_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    escalate_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    category: Mapped[Category] = relationship()
    grid: Mapped[Grid | None] = relationship()
    community: Mapped[Community | None] = relationship()
    street: Mapped[Street | None] = relationship()
    reporter: Mapped[User] = relationship()
    lead_department: Mapped[Department | None] = relationship()
    helpers: Mapped[list[Department]] = relationship(secondary=ticket_helpers,
                                                     order_by=Department.code)
    merged_into: Mapped["Ticket | None"] = relationship(remote_side=[id],
                                                        foreign_keys=[merged_into_id])
    duplicate_of: Mapped["Ticket | None"] = relationship(remote_side=[id],
                                                         foreign_keys=[duplicate_of_id])
    events: Mapped[list["TicketEvent"]] = relationship(back_populates="ticket",
                                                       order_by="TicketEvent.id")
    photos: Mapped[list["Photo"]] = relationship(back_populates="ticket", order_by="Photo.id")

    def latest_event(self, *actions: str) -> "TicketEvent | None":
        """The latest of its events that is one of `actions` (e.g. its last extension request)."""
        return next((e for e in reversed(self.events) if e.action in actions), None)


class TicketEvent(db.Model):
    """One line of a ticket's history. Never updated, never deleted (enforced below)."""

    __tablename__ = "ticket_events"
    # a department's events in a period (KPIs)
    __table_args__ = (Index("ix_ticket_events_department_created", "department_id",
                            "created_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    action: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_role: Mapped[str] = mapped_column(String(16))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    board_code: Mapped[str | None] = mapped_column(String(16))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    # where the ticket stood when this happened (its street and grid), for the rollups
    street_id: Mapped[int | None] = mapped_column(ForeignKey("streets.id"))
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grids.id"))
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    ticket: Mapped[Ticket] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
    department: Mapped[Department | None] = relationship()


@event.listens_for(TicketEvent, "before_update")
@event.listens_for(TicketEvent, "before_delete")
def _events_are_append_only(mapper, connection, target):
    raise RuntimeError("ticket events are append-only")


class Photo(db.Model):
    """An uploaded photo. The original is kept private; only the processed renditions are served."""

    __tablename__ = "photos"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("ticket_events.id"))
    kind: Mapped[str] = mapped_column(String(16), default="report")  # report | resolution
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|ready|failed
    original_path: Mapped[str] = mapped_column(String(255))
    display_path: Mapped[str | None] = mapped_column(String(255))
    thumb_path: Mapped[str | None] = mapped_column(String(255))
    width: Mapped[int | None]
    height: Mapped[int | None]
    byte_size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ticket: Mapped[Ticket] = relationship(back_populates="photos")
    event: Mapped[TicketEvent | None] = relationship()
