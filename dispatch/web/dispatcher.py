"""The street's dispatch queue: what routing could not decide, what departments sent back,
requests waiting for an answer, parked tickets. The dispatcher acts on the ticket page."""

from flask import render_template
from flask_login import current_user

from ..http.messages import Names, routing_summary
from ..services import queues
from ..services.history import routing_explanation
from .access import Permission, permission_required
from .blueprint import bp
from .labels import local_time


@bp.get("/dispatch")
@permission_required(Permission.DISPATCH_QUEUE)
def dispatch_queue():
    queue = queues.dispatch_queue(current_user)
    names = Names()
    routing = {}
    for ticket in queue.waiting:
        routing[ticket.id] = routing_summary(routing_explanation(ticket), names)
    return render_template("web/dispatch_queue.html", queue=queue, routing=routing,
                           local_time=local_time, names=names)
