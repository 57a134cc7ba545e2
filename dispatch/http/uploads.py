"""Reading uploaded files with a per-file size cap, so one huge part cannot fill memory."""

from flask import current_app, request

from ..services.errors import BadInput


def read_photos(field: str = "photos") -> list[bytes]:
    limit = current_app.config["MAX_PHOTO_BYTES"]
    files = request.files.getlist(field)
    if len(files) > current_app.config["MAX_PHOTOS"]:
        raise BadInput(f"At most {current_app.config['MAX_PHOTOS']} photos.",
                       {field: [f"At most {current_app.config['MAX_PHOTOS']} photos."]})
    photos = []
    for number, storage in enumerate(files, start=1):
        data = storage.stream.read(limit + 1)
        if len(data) > limit:
            raise BadInput("Photo too large.",
                           {field: [f"Photo {number} is larger than {limit // 2**20} MB."]})
        photos.append(data)
    return photos
