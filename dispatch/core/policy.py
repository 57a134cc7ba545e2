"""Who may see and do what, decided in one place.

The API, the pages and the services ask this module instead of comparing role strings, so a
rule changes once and a list never shows what the detail page would refuse:

- `permits` / `require`: the flat capabilities of a role (`Permission`): file a report, work a
  department's queue, run the street's dispatch queue, read dashboards, read KPIs, administer;
- `ticket_scope`: which tickets a person may see, as plain values (`TicketScope`) that
  `services.policy` turns into SQL and `can_view_ticket` checks one ticket against;
- `street_limit` / `kpi_street_limit`: the street an aggregate (dashboard, board summary, KPI)
  is cut to, or a refusal;
- `check_action` / `allowed_actions`: ticket actions, delegated to `core.lifecycle`, whose state
  table already says who may take which action on which ticket;
- `pages_for` / `home_page` / `menu_for` / `own_board`: which screens a person may open, lands
  on and sees in the top bar.

Pure, like the rest of `core`: no Flask, no database. It takes an `Actor` (who, and the street,
board or department the role binds them to) and plain values, and answers allow / deny
(`Forbidden`, 403) or a scope. Every refusal is a `core.lifecycle.Forbidden` carrying a message
code (worded in dispatch/http/messages.py), never a sentence.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from . import lifecycle
from .lifecycle import Actor, Forbidden, Role, TicketFacts

__all__ = ["ALL_STREETS", "Actor", "Forbidden", "Page", "Permission", "TicketPlace",
           "TicketScope", "allowed_actions", "can_view_ticket", "check_action", "home_page",
           "kpi_street_limit", "menu_for", "own_board", "pages_for", "permits", "require",
           "street_limit", "ticket_scope"]


class Permission(StrEnum):
    FILE_REPORT = "file_report"  # POST /incidents; the phone pages under /m/
    WORK_QUEUE = "work_queue"  # /console: a department's queue (admins: every ticket)
    DISPATCH_QUEUE = "dispatch_queue"  # /dispatch: the street's dispatch queue
    VIEW_DASHBOARD = "view_dashboard"  # /dashboard..., GET /boards/<code>/summary
    VIEW_KPI = "view_kpi"  # /kpi, /kpi/departments (handlers: see kpi_street_limit)
    ADMINISTER = "administer"  # /admin/...


GRANTS: dict[str, frozenset[Permission]] = {
    Role.GRID_WORKER: frozenset({Permission.FILE_REPORT}),
    Role.DISPATCHER: frozenset({Permission.FILE_REPORT, Permission.DISPATCH_QUEUE,
                                Permission.VIEW_DASHBOARD, Permission.VIEW_KPI}),
    Role.HANDLER: frozenset({Permission.WORK_QUEUE}),
    Role.LEADER: frozenset({Permission.VIEW_DASHBOARD, Permission.VIEW_KPI}),
    Role.ADMIN: frozenset(Permission),
}

# the message code of each refusal (its words: dispatch/http/messages.py); `role` its parameter
REFUSALS: dict[Permission, str] = {
    Permission.FILE_REPORT: "role_may_not_report",
    Permission.WORK_QUEUE: "console_forbidden",
    Permission.DISPATCH_QUEUE: "dispatch_queue_forbidden",
    Permission.VIEW_DASHBOARD: "board_summary_forbidden",
    Permission.VIEW_KPI: "kpi_forbidden",
    Permission.ADMINISTER: "admins_only",
}

EVERY_STREET_ROLES = frozenset({Role.ADMIN})  # aggregates over every street
ALL_STREETS = None  # a street limit meaning "no limit"


def permits(actor: Actor, permission: Permission) -> bool:
    return permission in GRANTS.get(actor.role, frozenset())


def require(actor: Actor, permission: Permission) -> None:
    """Nothing if the actor's role holds the permission; Forbidden (403) if not."""
    if not permits(actor, permission):
        raise Forbidden(REFUSALS[permission], role=actor.role)


# --- tickets ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class TicketPlace:
    """Where a ticket stands, as far as seeing it goes."""

    street_id: int | None
    reporter_id: int | None
    department_ids: frozenset[int]  # the lead department and the helping ones


@dataclass(frozen=True)
class TicketScope:
    """The tickets a person may see: every ticket, or those matching any of the given bindings
    (a street's, a set of departments' as lead or helper, one reporter's). Empty: none."""

    everything: bool = False
    street_id: int | None = None
    department_ids: frozenset[int] = frozenset()
    reporter_id: int | None = None

    @property
    def nothing(self) -> bool:
        return not (self.everything or self.street_id is not None or self.department_ids
                    or self.reporter_id is not None)

    def admits(self, place: TicketPlace) -> bool:
        if self.everything:
            return True
        return ((self.street_id is not None and place.street_id == self.street_id)
                or bool(self.department_ids & place.department_ids)
                or (self.reporter_id is not None and place.reporter_id == self.reporter_id))


NOTHING = TicketScope()


def ticket_scope(actor: Actor) -> TicketScope:
    """Admins (and system jobs) see every ticket; dispatchers and leaders, board leaders too,
    their street's; handlers their departments' (lead or helping, a bureau's with its
    sections'); grid workers their own reports. Someone bound to nothing sees nothing."""
    match actor.role:
        case Role.ADMIN | Role.SYSTEM:
            return TicketScope(everything=True)
        case Role.DISPATCHER | Role.LEADER:
            return TicketScope(street_id=actor.street_id)
        case Role.HANDLER:
            return TicketScope(department_ids=actor.department_ids)
        case Role.GRID_WORKER:
            return TicketScope(reporter_id=actor.user_id)
    return NOTHING


def can_view_ticket(actor: Actor, place: TicketPlace) -> bool:
    return ticket_scope(actor).admits(place)


def check_action(actor: Actor, ticket: TicketFacts, action: str) -> None:
    """May the actor take `action` on this ticket at all? Unknown action 422, wrong role or
    outside their jurisdiction 403, by core.lifecycle's table (state and version come later,
    in lifecycle.decide)."""
    lifecycle.authorize(ticket, actor, action)


def allowed_actions(actor: Actor, ticket: TicketFacts) -> list[str]:
    """The actions the actor may take on the ticket now (the buttons a screen shows)."""
    return lifecycle.allowed_actions(ticket, actor)


# --- aggregates: dashboards, board summaries, KPIs -------------------------------------------

def street_limit(actor: Actor, permission: Permission = Permission.VIEW_DASHBOARD) -> int | None:
    """The street whose figures the actor reads: ALL_STREETS for admins, their own street for
    everyone else the permission is granted to. Refused (403) without the permission, or when
    bound to no street (such an account would otherwise read every street's figures)."""
    require(actor, permission)
    if actor.role in EVERY_STREET_ROLES:
        return ALL_STREETS
    if actor.street_id is None:
        raise Forbidden("not_bound_to_street")
    return actor.street_id


def kpi_street_limit(actor: Actor, scope_kind: str | None, scope_code: str | None) -> int | None:
    """KPIs: a handler reads their own department's figures (over every street); leaders,
    dispatchers and admins as `street_limit` says; anyone else is refused. `scope_kind` is None
    for the department ranking, which no handler reads."""
    if (actor.role == Role.HANDLER and scope_kind == "department"
            and actor.department_code is not None and scope_code == actor.department_code):
        return ALL_STREETS
    return street_limit(actor, Permission.VIEW_KPI)


def own_board(actor: Actor) -> str | None:
    """A board leader's board (shown first on the dashboards); None for everyone else."""
    return actor.board_code if actor.role == Role.LEADER else None


# --- pages -----------------------------------------------------------------------------------

class Page(StrEnum):
    REPORT = "report"  # /m/: file a report
    MY_REPORTS = "my_reports"  # /m/reports
    CONSOLE = "console"  # /console
    DISPATCH_QUEUE = "dispatch_queue"  # /dispatch
    DASHBOARD = "dashboard"  # /dashboard, /dashboard/<board>, CSV exports


PAGE_NEEDS: dict[Page, Permission] = {
    Page.REPORT: Permission.FILE_REPORT,
    Page.MY_REPORTS: Permission.FILE_REPORT,
    Page.CONSOLE: Permission.WORK_QUEUE,
    Page.DISPATCH_QUEUE: Permission.DISPATCH_QUEUE,
    Page.DASHBOARD: Permission.VIEW_DASHBOARD,
}

HOME: dict[str, Page] = {
    Role.GRID_WORKER: Page.REPORT, Role.HANDLER: Page.CONSOLE,
    Role.DISPATCHER: Page.DISPATCH_QUEUE, Role.LEADER: Page.DASHBOARD,
    Role.ADMIN: Page.DISPATCH_QUEUE,
}

# The top bar shows each role its daily work, not every page it may open (an admin may file a
# report or open the console, but works from the dispatch queue).
MENU: dict[str, tuple[Page, ...]] = {
    Role.GRID_WORKER: (Page.REPORT, Page.MY_REPORTS),
    Role.HANDLER: (Page.CONSOLE,),
    Role.DISPATCHER: (Page.DISPATCH_QUEUE, Page.DASHBOARD),
    Role.LEADER: (Page.DASHBOARD,),
    Role.ADMIN: (Page.DISPATCH_QUEUE, Page.DASHBOARD),
}


def pages_for(actor: Actor) -> tuple[Page, ...]:
    """Every page of the role's own (the ticket pages are for everyone, scoped by ticket)."""
    return tuple(page for page, permission in PAGE_NEEDS.items() if permits(actor, permission))


def home_page(actor: Actor) -> Page | None:
    return HOME.get(actor.role)


def menu_for(actor: Actor) -> tuple[Page, ...]:
    return MENU.get(actor.role, ())
