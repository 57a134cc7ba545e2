"""Reading the district's reference data for the screens and the API: boards, departments,
categories, streets and grids. Loading it is reference_data.py; these are the reads, so the
views never query the database themselves."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ..extensions import db
from ..models import Board, Category, Community, Department, Grid, Street


@dataclass(frozen=True)
class Named:
    """A code with its names, for showing a code in the reader's language."""

    code: str
    name_zh: str
    name_en: str = ""


def boards() -> list[Board]:
    """The four boards, in their order."""
    return list(db.session.scalars(select(Board).order_by(Board.position, Board.code)))


def board(code: str) -> Board | None:
    return db.session.get(Board, code)


def active_categories() -> list[Category]:
    """Active categories by code, with their default department."""
    return list(db.session.scalars(select(Category).where(Category.active.is_(True))
                                   .options(joinedload(Category.department))
                                   .order_by(Category.code)))


def active_departments() -> list[Department]:
    """Active departments and sections by code, with their parent and the boards they serve."""
    return list(db.session.scalars(select(Department).where(Department.active.is_(True))
                                   .options(joinedload(Department.parent),
                                            selectinload(Department.boards))
                                   .order_by(Department.code)).unique())


def grid_with_places(code: str) -> Grid | None:
    """A grid with its community and street."""
    return db.session.scalar(select(Grid).where(Grid.code == code)
                             .options(joinedload(Grid.community).joinedload(Community.street)))


def street_id(code: str) -> int | None:
    return db.session.scalar(select(Street.id).where(Street.code == code))


NAMED = {"board": Board, "department": Department, "category": Category, "grid": Grid}


def names(kind: str) -> dict[str, Named]:
    """Every code of one kind ("board", "department", "category" or "grid") with its names:
    one statement, however many codes a page shows."""
    model = NAMED[kind]
    columns = [model.code, model.name_zh]
    if hasattr(model, "name_en"):
        columns.append(model.name_en)
    return {row[0]: Named(*row) for row in db.session.execute(select(*columns))}
