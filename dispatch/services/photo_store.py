"""Where photo files live: originals are private, renditions are what anyone is ever served.

Paths stored in the database are relative to UPLOAD_FOLDER so the folder can move.
"""

import os
import uuid

from flask import current_app

EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


def absolute(relative: str) -> str:
    return os.path.join(current_app.config["UPLOAD_FOLDER"], relative)


def _write(relative: str, data: bytes) -> str:
    path = absolute(relative)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = f"{path}.part"
    with open(tmp, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)  # never a half-written file under the final name
    return relative


def save_original(ticket_number: str, data: bytes, image_format: str) -> str:
    year = ticket_number.split("-", 1)[0]
    name = f"{uuid.uuid4().hex}.{EXTENSIONS.get(image_format, 'bin')}"
    return _write(os.path.join("originals", year, ticket_number, name), data)


def save_rendition(photo_id: int, name: str, data: bytes) -> str:
    return _write(os.path.join("photos", str(photo_id // 1000), str(photo_id), name), data)


def read(relative: str) -> bytes:
    with open(absolute(relative), "rb") as fh:
        return fh.read()


def remove(paths: list[str]) -> None:
    """Undo files written for a transaction that did not commit."""
    for relative in paths:
        try:
            os.remove(absolute(relative))
        except FileNotFoundError:
            pass
