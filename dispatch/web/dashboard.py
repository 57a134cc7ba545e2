"""The street leaders' dashboards: the whole street and one page per board, with CSV exports.

The figures come from `services.dashboards` (plain queries); this module only scopes them to
the reader (their street; admins every street), translates and renders them.
"""

import csv
import io
from types import SimpleNamespace

from flask import Response, abort, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from .. import clock
from ..services import dashboards as queries
from ..services import policy, reference
from .access import Permission, or_403, permission_required
from .blueprint import bp
from .labels import STATES, name_of
from .svg_chart import trend_svg

TABLES = ("states", "ranking", "trend", "grids")


def _street_id() -> int | None:
    """The reader's scope: admins see every street, everyone else their own (or nothing)."""
    return or_403(policy.street_limit, Permission.VIEW_DASHBOARD)


def _board(code: str | None):
    if code is None:
        return None
    board = reference.board(code)
    if board is None:
        abort(404)
    return board


def _named(row: dict, zh: str = "name_zh", en: str = "name_en") -> str:
    return name_of(SimpleNamespace(name_zh=row[zh], name_en=row.get(en) or ""))


def percent(rate: float | None) -> str:
    """"—" for a rate with nothing to divide by (docs/kpi.md), never 0 %."""
    if rate is None:
        return "—"
    return f"{rate * 100:.1f}".removesuffix(".0") + "%"


def _tabs(current: str | None, whole: str) -> list[dict]:
    """The whole street, then the boards; a board leader's own board first and marked."""
    boards = reference.boards()
    own = policy.own_board(current_user)
    boards.sort(key=lambda b: b.code != own)
    tabs = [{"code": None, "label": whole, "url": url_for("web.dashboard"), "own": False}]
    tabs += [{"code": b.code, "label": name_of(b), "own": b.code == own,
              "url": url_for("web.dashboard", board=b.code)} for b in boards]
    for tab in tabs:
        tab["current"] = tab["code"] == current
    return tabs


@bp.get("/dashboard", defaults={"board": None})
@bp.get("/dashboard/<board>")
@permission_required(Permission.VIEW_DASHBOARD)
def dashboard(board):
    street_id, board_row = _street_id(), _board(board)
    tz = clock.zone_name()
    data = queries.dashboard(street_id, board, clock.now(), tz)
    headline, trend = data["headline"], data["trend"]
    for row in data["ranking"]:
        row["name"], row["closure_pct"] = _named(row), percent(row["closure_rate"])
        row["on_time_handling_pct"] = percent(row["on_time_handling_rate"])
    for row in data["grids"]["grids"]:
        row["community"] = _named(row, "community_zh", "community_en")
    scope = name_of(current_user.street) if street_id else _("All streets")
    title = f"{scope} · {name_of(board_row)}" if board_row else scope
    chart = trend_svg(
        trend, title=_("New and closed tickets per day, last 30 days"),
        desc=_("From %(start)s to %(end)s: %(new)d new and %(closed)d closed tickets. "
               "Today: %(today_new)d new, %(today_closed)d closed. The table below gives "
               "every day's figures.",
               start=data["window"]["start"], end=data["window"]["end"],
               new=sum(d["new"] for d in trend), closed=sum(d["closed"] for d in trend),
               today_new=trend[-1]["new"], today_closed=trend[-1]["closed"]),
        labels={"new": _("New"), "closed": _("Closed")}, empty=_("No data"))
    return render_template(
        "web/dashboard.html", title=title,
        tabs=_tabs(board, _("Whole street") if street_id else _("All streets")), data=data,
        headline=headline, states=queries.state_rows(headline), chart=Markup(chart),
        grid_counts={g["code"]: g["open"] for g in data["grids"]["grids"]},
        exports={t: url_for("web.dashboard_export", board=board, table=t) for t in TABLES},
        timezone=tz)


# --- CSV ------------------------------------------------------------------------------------

def _states_table(street_id, board, now, tz):
    headline = queries.headline(street_id, board, now, tz)
    return ([_("State"), _("Tickets")],
            [[str(STATES.get(r["state"], r["state"])), r["count"]]
             for r in queries.state_rows(headline)])


def _ranking_table(street_id, board, now, tz):
    rows = queries.department_ranking(street_id, board, *queries.trend_window(now, tz))
    return ([_("Rank"), _("Department"), _("Department code"), _("Dispatched"), _("Resolved"),
             _("Sent back"), _("Closure rate"), _("On-time handling rate"),
             _("Composite score")],
            [[r["rank"], _named(r), r["code"], r["dispatched"], r["resolved"], r["sent_back"],
              percent(r["closure_rate"]), percent(r["on_time_handling_rate"]),
              f'{r["composite"]:.1f}'] for r in rows])


def _trend_table(street_id, board, now, tz):
    return ([_("Date"), _("New"), _("Closed")],
            [[d["date"], d["new"], d["closed"]]
             for d in queries.daily_trend(street_id, board, now, tz)])


def _grids_table(street_id, board, now, tz):
    result = queries.open_by_grid(street_id, board)
    rows = [[g["code"], g["name_zh"], _named(g, "community_zh", "community_en"), g["open"]]
            for g in result["grids"]]
    if result["no_grid"]:
        rows.append(["", _("Outside every grid"), "", result["no_grid"]])
    return [_("Grid code"), _("Grid"), _("Community"), _("Open tickets")], rows


EXPORTS = {"states": _states_table, "ranking": _ranking_table, "trend": _trend_table,
           "grids": _grids_table}


def _cell(value):
    """Text a spreadsheet would run as a formula is quoted (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@bp.get("/dashboard/export/<any(states, ranking, trend, grids):table>.csv",
        defaults={"board": None})
@bp.get("/dashboard/<board>/export/<any(states, ranking, trend, grids):table>.csv")
@permission_required(Permission.VIEW_DASHBOARD)
def dashboard_export(board, table):
    street_id = _street_id()
    _board(board)  # an unknown board is a 404
    now, tz = clock.now(), clock.zone_name()
    header, rows = EXPORTS[table](street_id, board, now, tz)
    buffer = io.StringIO()
    buffer.write("\ufeff")  # the BOM: Excel then reads the file as UTF-8
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([_cell(v) for v in row] for row in rows)
    scope = current_user.street.code if street_id else "all-streets"
    filename = (f"dashboard-{scope}-{board or 'all-boards'}-{table}-"
                f"{queries.local_today(now, tz).isoformat()}.csv")
    response = Response(buffer.getvalue().encode("utf-8"), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.cache_control.private = True
    response.cache_control.no_store = True
    return response
