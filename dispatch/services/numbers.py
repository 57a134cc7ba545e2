"""Ticket numbers like 2026-000123: a per-year counter row, incremented inside the intake
transaction so a rolled-back report leaves at most a gap, never a duplicate."""

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from ..models import TicketCounter

_table = TicketCounter.__table__


def next_ticket_number(session: Session, now: datetime, zone: ZoneInfo) -> str:
    year = now.astimezone(zone).year
    bump = (update(_table).where(_table.c.year == year)
            .values(last=_table.c.last + 1).returning(_table.c.last))
    value = session.execute(bump).scalar()
    if value is None:
        session.execute(_insert_ignore(session).values(year=year, last=0))
        value = session.execute(bump).scalar_one()
    return f"{year}-{value:06d}"


def _insert_ignore(session: Session):
    """INSERT ... ON CONFLICT DO NOTHING, so two first reports of a new year cannot collide."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert
        return pg_insert(_table).on_conflict_do_nothing()
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert
        return sqlite_insert(_table).on_conflict_do_nothing()
    return insert(_table)
