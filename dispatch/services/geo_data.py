"""Grid polygons as one GeoJSON FeatureCollection, for the API and the pages' maps alike."""

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Grid


def grid_feature_collection() -> dict:
    rows = db.session.scalars(select(Grid).options(joinedload(Grid.community))
                              .order_by(Grid.code))
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": g.code, "geometry": g.geometry,
         "properties": {"code": g.code, "name_zh": g.name_zh, "community": g.community.code,
                        "community_name_zh": g.community.name_zh,
                        "community_name_en": g.community.name_en}} for g in rows]}
