"""Likely duplicates: an open ticket of the same category class, close by, recently reported."""

import math
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from ..core.geo import metres_between
from ..core.lifecycle import OPEN_STATES
from ..extensions import db
from ..models import Category, Ticket


def find_likely_duplicate(ticket: Ticket) -> tuple[Ticket, float] | None:
    """The nearest open ticket within DUPLICATE_RADIUS_M and DUPLICATE_WINDOW_DAYS, if any.
    A bounding box in SQL narrows it down; the exact distance is measured here."""
    radius = current_app.config["DUPLICATE_RADIUS_M"]
    since = ticket.created_at - timedelta(days=current_app.config["DUPLICATE_WINDOW_DAYS"])
    dlat = radius / 110_574.0
    dlon = radius / (111_320.0 * max(math.cos(math.radians(ticket.lat)), 1e-6))
    major_class = ticket.category.code[:2]
    rows = db.session.scalars(
        select(Ticket).join(Category, Ticket.category_id == Category.id).where(
            Ticket.id != ticket.id, Ticket.state.in_(list(OPEN_STATES)),
            Ticket.created_at >= since, Ticket.created_at <= ticket.created_at,
            Category.code.like(f"{major_class}%"),
            Ticket.lat.between(ticket.lat - dlat, ticket.lat + dlat),
            Ticket.lon.between(ticket.lon - dlon, ticket.lon + dlon))).all()
    scored = sorted(((metres_between(ticket.lon, ticket.lat, t.lon, t.lat), t.id, t)
                     for t in rows), key=lambda x: x[:2])
    for metres, _, candidate in scored:
        if metres <= radius:
            return candidate, metres
    return None
