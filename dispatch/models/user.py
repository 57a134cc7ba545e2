"""People who sign in, each with one role and the street, board, department or grid it binds to."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from .org import Department
from .places import Grid, Street
from .types import UTCDateTime, utcnow

ROLES = ("grid_worker", "dispatcher", "handler", "leader", "admin")


class User(UserMixin, db.Model):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    display_name: Mapped[str] = mapped_column(String(64), default="")
    role: Mapped[str] = mapped_column(String(16))
    street_id: Mapped[int | None] = mapped_column(ForeignKey("streets.id"), index=True)
    board_code: Mapped[str | None] = mapped_column(ForeignKey("boards.code"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grids.id"))
    active: Mapped[bool] = mapped_column(default=True)
    # Every session, remember cookie and bearer token carries the generation it was issued in;
    # bumping it (sign out everywhere, a new password, deactivation) refuses them all.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    street: Mapped[Street | None] = relationship()
    department: Mapped[Department | None] = relationship()
    grid: Mapped[Grid | None] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login: a deactivated account cannot sign in
        return self.active

    def set_password(self, password: str) -> None:
        """A new password ends every session and token issued under the old one."""
        self.password_hash = generate_password_hash(password)
        self.end_sessions()

    def end_sessions(self) -> None:
        self.session_generation = (self.session_generation or 0) + 1

    @validates("active")
    def _deactivation_ends_sessions(self, _key, active: bool) -> bool:
        if self.active and not active:
            self.end_sessions()
        return active

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)
