"""Reading uploaded files with a per-file size cap, so one huge part cannot fill memory, and
only from the field they belong in: a file sent under another name (`photo` for `photos`) is
refused naming the field, never dropped without a word."""

from flask import current_app, request

from ..core.errors import problem
from ..services.errors import BadInput


def refuse_stray_files(field: str = "photos") -> None:
    stray = sorted({name for name in request.files if name != field})
    if stray:
        raise BadInput("files_in_unknown_field", {name: [problem(
            "send_files_as", field=field)] for name in stray}, field=field)


def read_photos(field: str = "photos") -> list[bytes]:
    refuse_stray_files(field)
    limit = current_app.config["MAX_PHOTO_BYTES"]
    files = request.files.getlist(field)
    if len(files) > current_app.config["MAX_PHOTOS"]:
        most = current_app.config["MAX_PHOTOS"]
        raise BadInput("too_many_photos", {field: [problem("too_many_photos", n=most)]}, n=most)
    photos = []
    for number, storage in enumerate(files, start=1):
        data = storage.stream.read(limit + 1)
        if len(data) > limit:
            raise BadInput("photos_refused", {field: [problem(
                "photo_too_large", n=number, mb=limit // 2**20)]})
        photos.append(data)
    return photos
