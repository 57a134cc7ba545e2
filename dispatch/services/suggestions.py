"""Suggestions for the dispatcher, learned from tickets closed without a send-back.

The model is rebuilt per process when the number of such tickets changes, from the most recent
ones, so it follows how the district actually works; once the history is large, at most every
few minutes, because one more ticket barely moves it."""

import time

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from ..core import suggest
from ..extensions import db
from ..models import Category, Community, Department, Grid, Ticket
from .send_backs import excluded_departments

TRAINING_LIMIT = 50_000
REFRESH_SECONDS = 300
CHEAP_TO_REBUILD = 5_000
_cache: dict[str, tuple[int, float, suggest.Model]] = {}


def _model() -> suggest.Model:
    count = db.session.scalar(select(func.count(Ticket.id)).where(
        Ticket.state == "closed", Ticket.send_back_count == 0,
        Ticket.lead_department_id.is_not(None)))
    key = str(db.engine.url)
    cached = _cache.get(key)
    if cached and (cached[0] == count or (
            count >= CHEAP_TO_REBUILD and time.monotonic() - cached[1] < REFRESH_SECONDS)):
        return cached[2]
    lead = aliased(Department)
    rows = db.session.execute(
        select(Category.code, Ticket.description, Grid.code, Community.code, lead.code)
        .join(Category, Ticket.category_id == Category.id)
        .join(lead, Ticket.lead_department_id == lead.id)
        .outerjoin(Grid, Ticket.grid_id == Grid.id)
        .outerjoin(Community, Ticket.community_id == Community.id)
        .where(Ticket.state == "closed", Ticket.send_back_count == 0)
        .order_by(Ticket.closed_at.desc()).limit(TRAINING_LIMIT)).all()
    model = suggest.train((suggest.features(c, d, g, m), dept) for c, d, g, m, dept in rows)
    _cache[key] = (count, time.monotonic(), model)
    return model


def suggest_departments(ticket: Ticket, grid: str | None = None, community: str | None = None,
                        k: int = 3) -> list[dict]:
    feats = suggest.features(ticket.category.code, ticket.description, grid, community)
    ranked = suggest.suggest(_model(), feats, k, exclude=excluded_departments(ticket))
    return [{"department": code, "confidence": confidence} for code, confidence in ranked]
