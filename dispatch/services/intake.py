"""A grid worker's report becomes a ticket: once, however often a weak signal makes the phone
retry. The client's Idempotency-Key is unique per reporter in the database, so even two
simultaneous retries cannot both create a ticket. The key is stored with a hash of the report
(core.idempotency): a retry replays the first ticket, a different report under a used key is
refused (KeyReused, 422 idempotency_key_reused)."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import clock
from ..core import lifecycle
from ..core.coords import gcj02_to_wgs84
from ..core.errors import problem
from ..core.geo import GeometryError, check_point
from ..core.idempotency import fingerprint, same_request
from ..extensions import db
from ..models import Category, Ticket, User
from . import outbox, photo_store, policy
from .actors import actor_for
from .errors import BadInput, KeyReused
from .numbers import next_ticket_number
from .photo_intake import attach_photos, check_photos
from .tickets import apply_decision


def find_by_key(reporter: User, key: str | None) -> Ticket | None:
    if not key:
        return None
    return db.session.scalar(select(Ticket).where(Ticket.reporter_id == reporter.id,
                                                  Ticket.idempotency_key == key))


def submit_report(reporter: User, form: dict[str, Any], photos: list[bytes],
                  key: str | None) -> tuple[Ticket, bool]:
    """Create the ticket, its first event, its photos and its jobs in one transaction.

    Returns (ticket, created); created is False when `key` was seen before with this report
    (a replay). The same key with another report raises KeyReused."""
    policy.require(reporter, policy.Permission.FILE_REPORT)
    digest = fingerprint(form, photos)
    existing = find_by_key(reporter, key)
    if existing is not None:
        return _replay(existing, digest), False
    category = db.session.scalar(select(Category).where(Category.code == form["category"],
                                                        Category.active.is_(True)))
    errors: dict[str, list[dict]] = {}
    if category is None:
        errors["category"] = [problem("unknown_category", code=form["category"])]
    try:
        infos = check_photos(photos, reporter)
    except BadInput as exc:
        errors.update(exc.errors or {})
        infos = []
    lon, lat, source = _location(form, infos, errors)
    if errors:
        raise BadInput("report_refused", errors)

    now = clock.now()
    ticket = Ticket(number=next_ticket_number(db.session, now, clock.zone()),
                    category=category,
                    description=form["description"].strip(), lon=lon, lat=lat,
                    location_source=source, reporter=reporter, street_id=reporter.street_id,
                    idempotency_key=key, idempotency_hash=digest if key else None,
                    created_at=now)
    db.session.add(ticket)
    written: list[str] = []
    try:  # any flush from here on may meet a simultaneous retry's ticket (same key)
        event = apply_decision(ticket, lifecycle.open_report(), actor_for(reporter), now)
        db.session.flush()
        jobs = [outbox.record("route", f"route:{ticket.id}", ticket.id)]
        jobs += attach_photos(ticket, event, photos, infos, "report", written)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        photo_store.remove(written)
        existing = find_by_key(reporter, key)
        if existing is None:
            raise
        # a simultaneous retry with the same key won the race
        return _replay(existing, digest), False
    except Exception:
        db.session.rollback()
        photo_store.remove(written)
        raise
    outbox.publish(j.id for j in jobs)
    return ticket, True


def _replay(existing: Ticket, digest: str) -> Ticket:
    if not same_request(existing.idempotency_hash, digest):
        raise KeyReused("idempotency_key_reused",
                        {"idempotency_key": [problem("idempotency_key_reused",
                                                             number=existing.number)]},
                        number=existing.number)
    return existing


def _location(form, infos, errors) -> tuple[float, float, str]:
    """The pin if given; else GPS from the first photo that has it (a report with no pin)."""
    lat, lon = form.get("lat"), form.get("lng")
    if lat is None and lon is None:
        for info in infos:
            if info.gps is not None:
                return info.gps[0], info.gps[1], "exif"
        if "photos" not in errors:
            errors["location"] = [problem("location_required")]
        return 0.0, 0.0, ""
    if lat is None or lon is None:
        errors["lat" if lat is None else "lng"] = [problem("lat_and_lng_together")]
        return 0.0, 0.0, ""
    try:
        check_point(lon, lat)
    except GeometryError as exc:
        errors["location"] = [problem(exc.code)]
        return lon, lat, "pin"
    if form.get("coord_system") == "gcj02":
        lon, lat = gcj02_to_wgs84(lon, lat)
    return lon, lat, "pin"
