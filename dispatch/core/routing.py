"""First-level routing: point → grid → community → street; category → board → department.

The decision carries its own explanation, step by step, so a dispatcher can see why a ticket
went where it went (or why it waits for them) without reading code. When a step cannot decide,
the ticket waits in the street's dispatch queue instead of being guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .geo import GridCell


@dataclass(frozen=True)
class CategoryFacts:
    code: str
    name: str
    board: str | None
    department: str | None  # default department code


@dataclass(frozen=True)
class RoutingDecision:
    board: str | None
    department: str | None
    helpers: tuple[str, ...]
    grid: str | None
    community: str | None
    street: str | None
    steps: list[dict[str, Any]] = field(default_factory=list)

    @property
    def dispatch(self) -> bool:
        """Confident enough to dispatch without a person: a place and a department."""
        return bool(self.grid and self.board and self.department)

    def explanation(self) -> dict[str, Any]:
        outcome = "dispatched" if self.dispatch else "queued"
        return {"level": 1, "outcome": outcome, "steps": self.steps,
                "summary": "; ".join(s["text"] for s in self.steps)}


def route(category: CategoryFacts, cell: GridCell | None, *,
          department_active: bool = True) -> RoutingDecision:
    """Decide board and lead department from the category, and place from the grid."""
    steps: list[dict[str, Any]] = []
    if cell is None:
        steps.append({"step": "grid", "ok": False,
                      "text": "the point lies outside every grid"})
    else:
        steps.append({"step": "grid", "ok": True, "grid": cell.code,
                      "community": cell.community_code, "street": cell.street_code,
                      "text": f"the point lies in grid {cell.code}"})
    board = category.board
    department = category.department if department_active else None
    if board and department:
        steps.append({"step": "category", "ok": True, "category": category.code,
                      "board": board, "department": department,
                      "text": f"category {category.code} {category.name} → board {board}, "
                              f"department {department}"})
    else:
        missing = "board" if not board else "an active default department"
        steps.append({"step": "category", "ok": False, "category": category.code,
                      "board": board, "department": department,
                      "text": f"category {category.code} {category.name} has no {missing}"})
    decision = RoutingDecision(
        board=board, department=department, helpers=(),
        grid=cell.code if cell else None,
        community=cell.community_code if cell else None,
        street=cell.street_code if cell else None, steps=steps)
    if not decision.dispatch:
        steps.append({"step": "outcome", "ok": False,
                      "text": "waiting in the street's dispatch queue"})
    return decision
