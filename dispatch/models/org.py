"""The four boards and the departments that do the work: bureaus, sections, street offices."""

from sqlalchemy import Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db

department_boards = Table(
    "department_boards",
    db.metadata,
    Column("department_id", ForeignKey("departments.id"), primary_key=True),
    Column("board_code", ForeignKey("boards.code"), primary_key=True),
)


class Board(db.Model):
    __tablename__ = "boards"
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(32))
    name_en: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(default=0)


class Department(db.Model):
    __tablename__ = "departments"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(128), default="")
    kind: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    parent: Mapped["Department | None"] = relationship(remote_side=[id], back_populates="sections")
    sections: Mapped[list["Department"]] = relationship(back_populates="parent")
    boards: Mapped[list[Board]] = relationship(secondary=department_boards, order_by=Board.position)

    @property
    def board_codes(self) -> frozenset[str]:
        return frozenset(b.code for b in self.boards)
