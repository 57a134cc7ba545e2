"""Load a district's reference data (boards, departments, categories, places, grids, users) from
its data folder into the database: validated first, then upserted in one transaction.

Running it twice changes nothing the second time; a reference to something that does not exist
stops the load with a message naming it, and nothing is written.
"""

import os
from dataclasses import dataclass, field
from typing import Any

import yaml
from sqlalchemy import select

from ..core.errors import problem
from ..core.lifecycle import Role
from ..extensions import db
from ..models import Board, Category, Community, Department, District, Grid, Street, User
from .geo_import import ImportProblems, geometry_problem, read_collection

TIME_UNITS = ("clock_hours", "working_hours", "working_days")
ROLES = tuple(r.value for r in Role if r != Role.SYSTEM)


class ReferenceDataError(ValueError):
    """Reference data that cannot be loaded: `problems` lists every problem found, each a coded
    problem naming the row (`item`, its code) and what it refers to (`value`); the shell words
    them (dispatch/http/messages.py)."""

    def __init__(self, problems: list[dict[str, Any]]):
        super().__init__("Reference data has errors: " + "; ".join(
            f"{p['code']} {p['params']}" for p in problems))
        self.problems = problems


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str) -> None:
        self.created[kind] = self.created.get(kind, 0) + 1


def read_folder(folder: str) -> dict[str, Any]:
    def load(name):
        with open(os.path.join(folder, name), encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    data = {name: load(f"{name}.yaml") for name in ("boards", "departments", "categories",
                                                     "district")}
    try:
        data["grids"] = read_collection(os.path.join(folder, "grids.geojson"))
    except ImportProblems as exc:
        raise ReferenceDataError(exc.problems) from None
    return data


def validate(data: dict[str, Any]) -> None:
    """Every code unique, every reference resolvable, every polygon valid."""
    problems: list[dict[str, Any]] = []
    boards = _unique(data["boards"]["boards"], "code", "boards", problems)
    departments = _unique(data["departments"]["departments"], "code", "departments", problems)
    for d in departments.values():
        if d.get("parent") and d["parent"] not in departments:
            problems.append(problem("data_department_unknown_parent", item=d["code"],
                                    value=d["parent"]))
        for b in d.get("boards") or []:
            if b not in boards:
                problems.append(problem("data_department_unknown_board", item=d["code"],
                                        value=b))
    for c in _unique(data["categories"]["categories"], "code", "categories", problems).values():
        if c.get("board") is not None and c["board"] not in boards:
            problems.append(problem("data_category_unknown_board", item=c["code"],
                                    value=c["board"]))
        dept = c.get("department")
        if dept is not None and dept not in departments:
            problems.append(problem("data_category_unknown_department", item=c["code"],
                                    value=dept))
        elif dept and c.get("board") not in (departments[dept].get("boards") or []):
            problems.append(problem("data_category_department_not_on_board", item=c["code"],
                                    value=dept, board_code=c.get("board")))
        if (c.get("time_limit") or {}).get("unit") not in TIME_UNITS:
            problems.append(problem("data_category_bad_time_unit", item=c["code"]))
    district = data["district"]
    streets = {s["code"]: s for s in district["streets"]}
    communities = {c["code"]: c for s in district["streets"] for c in s["communities"]}
    grids = {}
    for f in data["grids"]["features"]:
        code = f["properties"]["code"]
        grids[code] = f
        if f["properties"]["community"] not in communities:
            problems.append(problem("data_grid_unknown_community", item=code,
                                    value=f["properties"]["community"]))
        wrong = geometry_problem(f.get("geometry"))
        if wrong:
            problems.append(problem("data_grid_bad_geometry", item=code, problem=wrong))
    for u in district["users"]:
        if u["role"] not in ROLES:
            problems.append(problem("data_user_unknown_role", item=u["username"],
                                    value=u["role"]))
        for key, known in (("street", streets), ("board", boards),
                           ("department", departments), ("grid", grids)):
            if u.get(key) is not None and u[key] not in known:
                problems.append(problem("data_user_unknown", item=u["username"], field=key,
                                        value=u[key]))
    if problems:
        raise ReferenceDataError(problems)


def _unique(rows, key, field, problems) -> dict[str, dict]:
    seen: dict[str, dict] = {}
    for row in rows:
        if row[key] in seen:
            problems.append(problem("data_duplicate", field=field, value=row[key]))
        seen[row[key]] = row
    return seen


def load(data: dict[str, Any], password: str) -> LoadReport:
    """Validate, upsert, commit. Existing users keep their passwords."""
    validate(data)
    report = LoadReport()
    try:
        _load(data, password, report)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return report


def _upsert(model, key: dict[str, Any], values: dict[str, Any], report: LoadReport):
    row = db.session.scalar(select(model).filter_by(**key))
    if row is None:
        row = model(**key)
        db.session.add(row)
        report.count(model.__tablename__)
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
    return row


def _load(data: dict[str, Any], password: str, report: LoadReport) -> None:
    boards = {}
    for position, b in enumerate(data["boards"]["boards"]):
        boards[b["code"]] = _upsert(Board, {"code": b["code"]}, {
            "name_zh": b["name_zh"], "name_en": b["name_en"], "position": position}, report)
    departments = {}
    for d in data["departments"]["departments"]:
        departments[d["code"]] = _upsert(Department, {"code": d["code"]}, {
            "name_zh": d["name_zh"], "name_en": d.get("name_en", ""), "kind": d["kind"],
            "boards": [boards[c] for c in d["boards"]]}, report)
    db.session.flush()
    for d in data["departments"]["departments"]:
        parent = departments.get(d.get("parent") or "")
        departments[d["code"]].parent_id = parent.id if parent else None
    for c in data["categories"]["categories"]:
        dept = departments.get(c.get("department") or "")
        _upsert(Category, {"code": c["code"]}, {
            "name_zh": c["name_zh"], "name_en": c.get("name_en", ""), "kind": c["kind"],
            "major_class_zh": c.get("major_class_zh", ""), "board_code": c.get("board"),
            "department_id": dept.id if dept else None,
            "time_limit_value": c["time_limit"]["value"],
            "time_limit_unit": c["time_limit"]["unit"], "urgent": bool(c.get("urgent")),
            "synonyms": [str(s) for s in c.get("synonyms") or []]}, report)
    place = data["district"]
    d = place["district"]
    district = _upsert(District, {"code": d["code"]},
                       {"name_zh": d["name_zh"], "name_en": d.get("name_en", "")}, report)
    db.session.flush()
    streets, communities = {}, {}
    for s in place["streets"]:
        streets[s["code"]] = street = _upsert(Street, {"code": s["code"]}, {
            "district_id": district.id, "name_zh": s["name_zh"],
            "name_en": s.get("name_en", "")}, report)
        db.session.flush()
        for c in s["communities"]:
            communities[c["code"]] = _upsert(Community, {"code": c["code"]}, {
                "street_id": street.id, "name_zh": c["name_zh"],
                "name_en": c.get("name_en", "")}, report)
    db.session.flush()
    grids = {}
    for f in data["grids"]["features"]:
        p = f["properties"]
        grids[p["code"]] = _upsert(Grid, {"code": p["code"]}, {
            "community_id": communities[p["community"]].id, "name_zh": p["name_zh"],
            "geometry": f["geometry"]}, report)
    db.session.flush()
    for u in place["users"]:
        user = db.session.scalar(select(User).where(User.username == u["username"]))
        if user is None:
            user = User(username=u["username"])
            user.set_password(password)
            db.session.add(user)
            report.count("users")
        user.display_name = u.get("display_name", "")
        user.role = u["role"]
        user.street_id = streets[u["street"]].id if u.get("street") else None
        user.board_code = u.get("board")
        user.department_id = departments[u["department"]].id if u.get("department") else None
        user.grid_id = grids[u["grid"]].id if u.get("grid") else None
