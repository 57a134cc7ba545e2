"""The handler's console: the department's tickets, filtered, counted and sorted."""

from flask import render_template, request
from flask_login import current_user

from ..core.lifecycle import OPEN_STATES
from ..http.validation import whole_number
from ..services import queues, reference
from ..services.actors import actor_for
from .access import Permission, permission_required
from .blueprint import bp
from .labels import local_time

PER_PAGE = 50
MAX_PAGE = 10_000  # beyond, an offset some database overflows on


def _page_number() -> int:
    """The page asked for, clamped to 1..MAX_PAGE; anything not a page number is page 1."""
    try:
        return min(max(1, whole_number(request.args.get("page", "1"))), MAX_PAGE)
    except ValueError:
        return 1
    except OverflowError:
        return MAX_PAGE


@bp.get("/console")
@permission_required(Permission.WORK_QUEUE)
def console():
    args = request.args
    state = args.get("state", "open")
    if state not in ("open", "all", *queues.STATE_ORDER):
        state = "open"
    sort = args.get("sort", "urgency")
    filters = queues.ConsoleFilters(
        state=state, board=args.get("board", ""), category=args.get("category", ""),
        grid=args.get("grid", ""), sort=sort if sort in queues.SORTS else "urgency")
    stmt, counts = queues.console_query(current_user, filters)
    page = _page_number()
    rows, total = queues.page_of(stmt, page, PER_PAGE)

    categories, grids = queues.console_choices(current_user)
    boards = reference.boards()
    own = actor_for(current_user).department_ids
    return render_template(
        "web/console.html", rows=rows, total=total, page=page, per_page=PER_PAGE,
        filters=filters, counts=counts, open_count=sum(counts[s] for s in OPEN_STATES),
        all_count=sum(counts.values()), boards=boards, categories=categories, grids=grids,
        states=queues.STATE_ORDER, local_time=local_time,
        helping=lambda t: t.lead_department_id not in own,
        query=lambda **changes: _query(filters, **changes),
        department=current_user.department)


def _query(filters: queues.ConsoleFilters, **changes) -> dict:
    """URL arguments for the console with some filters changed (empty ones left out)."""
    args = {"state": filters.state, "board": filters.board, "category": filters.category,
            "grid": filters.grid, "sort": filters.sort}
    args.update(changes)
    return {k: v for k, v in args.items() if v and not (k == "sort" and v == "urgency")}
