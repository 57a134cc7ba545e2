"""Photos arriving with a report or a resolution: checked by content before anything is written,
stored privately, and handed to the photo job through the outbox."""

import hashlib

from flask import current_app

from ..core import photos as photo_core
from ..core.errors import problem
from ..extensions import db
from ..models import OutboxJob, Photo, Ticket, TicketEvent, User
from . import outbox, photo_budget, photo_store
from .errors import BadInput


def check_photos(photos: list[bytes], user: User) -> list[photo_core.PhotoInfo]:
    """Refuse the whole upload if any photo is bad: too many, too big, not an image, truncated,
    too costly to decode. The cost is judged from the headers before anything is decoded: the
    declared pixels of the request, then the person's hourly budget (429 when spent)."""
    cfg = current_app.config
    if len(photos) > cfg["MAX_PHOTOS"]:
        raise BadInput("too_many_photos", {"photos": [problem("too_many_photos",
                                                              n=cfg["MAX_PHOTOS"])]},
                       n=cfg["MAX_PHOTOS"])
    too_large = [problem("photo_too_large", n=number, mb=cfg["MAX_PHOTO_BYTES"] // 2**20)
                 for number, data in enumerate(photos, start=1)
                 if len(data) > cfg["MAX_PHOTO_BYTES"]]
    if too_large:
        raise BadInput("photos_refused", {"photos": too_large})
    headers = _read_each(photos, photo_core.peek, max_pixels=cfg["MAX_PHOTO_PIXELS"])
    photo_budget.check_request(sum(h.pixels for h in headers))
    photo_budget.spend(user.id, [h.pixels for h in headers])
    return _read_each(photos, photo_core.inspect, max_pixels=cfg["MAX_PHOTO_PIXELS"])


def _read_each(photos: list[bytes], read, **limits) -> list:
    """`read` every photo, or refuse the upload naming each one it could not read."""
    results, problems = [], []
    for number, data in enumerate(photos, start=1):
        try:
            results.append(read(data, **limits))
        except photo_core.PhotoError as exc:
            problems.append(_unusable(number, exc))
    if problems:
        raise BadInput("photos_refused", {"photos": problems})
    return results


def _unusable(number: int, exc: photo_core.PhotoError) -> dict:
    return problem("photo_unusable", n=number, why=problem(f"photo_{exc.code}", **exc.params))


def attach_photos(ticket: Ticket, event: TicketEvent | None, photos: list[bytes],
                  infos: list[photo_core.PhotoInfo], kind: str,
                  written: list[str]) -> list[OutboxJob]:
    """Store originals, add Photo rows and their processing jobs to the open transaction.

    Paths written are appended to `written` so the caller can remove them on rollback."""
    jobs = []
    for data, info in zip(photos, infos, strict=True):
        path = photo_store.save_original(ticket.number, data, info.format)
        written.append(path)
        photo = Photo(ticket=ticket, event=event, kind=kind, original_path=path,
                      byte_size=len(data), sha256=hashlib.sha256(data).hexdigest())
        db.session.add(photo)
        db.session.flush()
        jobs.append(outbox.record("photo", f"photo:{photo.id}", ticket.id,
                                  {"photo_id": photo.id}))
    return jobs
