"""The authorization policy (`core.policy`) applied to signed-in users and the database.

Views pass the user they have (`g.user`, `current_user`); this module makes the `Actor` and asks
the core. The one thing the core cannot do is SQL: `ticket_filter` turns a `TicketScope` into a
WHERE clause, so lists (`services.tickets.visible_to`) and single tickets (`can_view_ticket`)
follow the same scope.
"""

from sqlalchemy import ColumnElement, false, or_, select, true

from ..core import kpi
from ..core import policy as core
from ..core.policy import Page, Permission, TicketPlace, TicketScope
from ..models import Ticket, User, ticket_helpers
from .actors import actor_for

__all__ = ["Page", "Permission", "can_view_ticket", "home_page", "kpi_street_limit",
           "menu_for", "own_board", "pages_for", "permits", "require", "street_limit",
           "ticket_filter", "ticket_place", "ticket_scope"]


def permits(user: User, permission: Permission) -> bool:
    return core.permits(actor_for(user), permission)


def require(user: User, permission: Permission) -> None:
    """Forbidden (403) unless the user's role holds the permission."""
    core.require(actor_for(user), permission)


def ticket_filter(scope: TicketScope) -> ColumnElement[bool]:
    """The scope as a condition on `Ticket` (any binding matches; none: no ticket)."""
    if scope.everything:
        return true()
    conditions = []
    if scope.street_id is not None:
        conditions.append(Ticket.street_id == scope.street_id)
    if scope.department_ids:
        helping = select(ticket_helpers.c.ticket_id).where(
            ticket_helpers.c.department_id.in_(scope.department_ids))
        conditions.append(or_(Ticket.lead_department_id.in_(scope.department_ids),
                              Ticket.id.in_(helping)))
    if scope.reporter_id is not None:
        conditions.append(Ticket.reporter_id == scope.reporter_id)
    return or_(*conditions) if conditions else false()


def ticket_scope(user: User) -> TicketScope:
    return core.ticket_scope(actor_for(user))


def ticket_place(ticket: Ticket) -> TicketPlace:
    departments = {h.id for h in ticket.helpers}
    if ticket.lead_department_id is not None:
        departments.add(ticket.lead_department_id)
    return TicketPlace(street_id=ticket.street_id, reporter_id=ticket.reporter_id,
                       department_ids=frozenset(departments))


def can_view_ticket(user: User, ticket: Ticket) -> bool:
    scope = ticket_scope(user)
    if scope.everything or scope.nothing:
        return scope.everything
    return scope.admits(ticket_place(ticket))


def street_limit(user: User, permission: Permission = Permission.VIEW_DASHBOARD) -> int | None:
    """The street a dashboard or board summary is cut to (None: every street), or Forbidden."""
    return core.street_limit(actor_for(user), permission)


def kpi_street_limit(user: User, scope: kpi.Scope | None) -> int | None:
    """The street a KPI request is cut to (None: no limit), or Forbidden."""
    return core.kpi_street_limit(actor_for(user), scope.kind if scope else None,
                                 scope.code if scope else None)


def own_board(user: User) -> str | None:
    return core.own_board(actor_for(user))


def pages_for(user: User) -> tuple[Page, ...]:
    return core.pages_for(actor_for(user))


def home_page(user: User) -> Page | None:
    return core.home_page(actor_for(user))


def menu_for(user: User) -> tuple[Page, ...]:
    return core.menu_for(actor_for(user))
