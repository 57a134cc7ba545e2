"""Grid polygons as one GeoJSON FeatureCollection, for the API and the pages' maps alike."""

import geojson
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Grid


def grid_feature_collection() -> geojson.FeatureCollection:
    """Every grid, by code, as GeoJSON (a dict; coordinates at geojson's 6 decimals, ~0.1 m)."""
    rows = db.session.scalars(select(Grid).options(joinedload(Grid.community))
                              .order_by(Grid.code))
    return geojson.FeatureCollection([
        geojson.Feature(id=g.code, geometry=g.geometry,
                        properties={"code": g.code, "name_zh": g.name_zh,
                                    "community": g.community.code,
                                    "community_name_zh": g.community.name_zh,
                                    "community_name_en": g.community.name_en}) for g in rows])
