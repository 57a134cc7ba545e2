"""When each background duty last ran, kept in the database so that it outlives a Redis outage
and the health check can tell a stalled deadline sweep from a quiet one."""

from datetime import datetime
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import JSONType, UTCDateTime


class Heartbeat(db.Model):
    __tablename__ = "heartbeats"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)  # e.g. "deadline_sweep"
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
