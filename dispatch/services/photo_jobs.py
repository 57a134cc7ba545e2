"""The photo job: turn a private original into the display copy and thumbnail people see."""

from .. import clock
from ..core import photos as photo_core
from ..extensions import db
from ..models import OutboxJob, Photo
from . import photo_store
from .outbox import handles


@handles("photo")
def photo_job(row: OutboxJob) -> None:
    process_photo(db.session.get(Photo, row.payload["photo_id"]))


def process_photo(photo: Photo) -> None:
    """Idempotent: a photo already processed is left alone. A photo that cannot be decoded is
    marked failed with the reason (it was checked at upload, so this means a damaged file)."""
    if photo is None or photo.status == "ready":
        return
    try:
        result = photo_core.process(photo_store.read(photo.original_path))
    except photo_core.PhotoError as exc:
        photo.status, photo.error = "failed", str(exc)
        return
    photo.display_path = photo_store.save_rendition(photo.id, "display.jpg", result.display.data)
    photo.thumb_path = photo_store.save_rendition(photo.id, "thumb.jpg", result.thumbnail.data)
    photo.width, photo.height = result.display.width, result.display.height
    photo.status, photo.processed_at, photo.error = "ready", clock.now(), None
