"""Alembic renders our column types as the plain types they store, so migrations never import
application code (a migration must still run after the code has moved on)."""

from .models.types import UTCDateTime


def render_item(type_, obj, autogen_context):
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False
