"""Map data and photos for the pages (session cookie), from the same services as the API."""

from flask import abort, jsonify, send_file
from flask_login import current_user, login_required

from ..core.errors import DomainError
from ..http.security import private_photo
from ..services.geo_data import grid_feature_collection
from ..services.tickets import photo_file
from .blueprint import bp


@bp.get("/geo/grids.geojson")
@login_required
def grids_geojson():
    response = jsonify(grid_feature_collection())
    response.cache_control.max_age = 600
    response.cache_control.private = True
    return response


@bp.get("/photos/<int:photo_id>/<any(display, thumb):rendition>")
@login_required
def photo(photo_id, rendition):
    try:
        path = photo_file(current_user, photo_id, rendition)
    except DomainError as exc:
        abort(exc.status)
    return private_photo(send_file(path, mimetype="image/jpeg"))
