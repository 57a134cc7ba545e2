"""Incident categories: two-level codes, each with its default board, department and time limit."""

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .org import Board, Department
from .types import JSONType


class Category(db.Model):
    __tablename__ = "categories"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(4), unique=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(128), default="")
    kind: Mapped[str] = mapped_column(String(16))
    major_class_zh: Mapped[str] = mapped_column(String(32), default="")
    board_code: Mapped[str | None] = mapped_column(ForeignKey("boards.code"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    time_limit_value: Mapped[int]
    # clock_hours | working_hours | working_days
    time_limit_unit: Mapped[str] = mapped_column(String(16))
    urgent: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    # everyday words a grid worker types for it (摆摊 for 占道经营); kept as data in the board files
    synonyms: Mapped[list[str]] = mapped_column(JSONType, default=list)
    board: Mapped[Board | None] = relationship()
    department: Mapped[Department | None] = relationship()

    @property
    def major_class(self) -> str:
        return self.code[:2]
