"""All models, imported here so Alembic and the app see one metadata."""

from .category import Category
from .heartbeat import Heartbeat
from .notification import Notification
from .org import Board, Department, department_boards
from .outbox import OutboxJob
from .places import Community, District, Grid, Street
from .rollup import (
    NO_DAY,
    DailyBoardCount,
    KpiClosure,
    KpiEpisode,
    KpiTiming,
    KpiTimingCount,
    StateCount,
)
from .routing import Jurisdiction, RoutingRule, RoutingRuleSet
from .ticket import Photo, Ticket, TicketCounter, TicketEvent, ticket_helpers
from .user import ROLES, User

__all__ = [
    "Board", "Category", "Community", "DailyBoardCount", "Department",
    "District", "Grid", "Heartbeat", "Jurisdiction", "KpiClosure", "KpiEpisode", "KpiTiming",
    "KpiTimingCount", "NO_DAY", "StateCount",
    "Notification", "OutboxJob", "Photo", "ROLES", "RoutingRule", "RoutingRuleSet", "Street",
    "Ticket",
    "TicketCounter", "TicketEvent", "User", "department_boards", "ticket_helpers",
]
