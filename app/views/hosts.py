"""Hosts start their meeting through a signed link to us; we fetch Zoom's short-lived start link on demand.

Zoom's start URL lets anyone holding it start the meeting as host and expires within hours, so it is
never emailed or stored: the host's link points here, and here we ask Zoom for a fresh one.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint, abort, make_response, redirect, render_template, request

from app import database
from app.database import utcnow
from app.extensions import csrf
from app.links import LinkError, make_token, read_token
from app.models import Host, Meeting, Program
from app.services.host_meetings import StartProblem, StartRefused, fetch_start_url, list_host_meetings
from app.services.host_pool import stop_hosting
from app.services.meeting_answers import member_answers
from app.views.lookups import find_row, row_or_404
from app.zoom import zoom_client

blueprint = Blueprint("hosts", __name__, url_prefix="/host")
START_STATUSES = {
    StartProblem.NOT_HOST: 403,
    StartProblem.CANCELLED: 410,
    StartProblem.NOT_READY: 503,
    StartProblem.ZOOM_DOWN: 502,
}


def _payload(token: str):
    try:
        return read_token("host", token)
    except LinkError as error:
        abort(
            make_response(
                render_template("link_problem.html", message=str(error), expired=error.expired), 400
            )
        )


def _host(token: str) -> Host:
    return row_or_404(Host, _payload(token).get("h"))


@blueprint.get("/<token>")
def page(token: str):
    """A host's own page: their groups' meetings, each with a button that starts it."""
    host = _host(token)
    zone = ZoneInfo(host.timezone)
    session = database.session()
    rows = [(meeting, meeting.starts_at.astimezone(zone), make_token("host", {"h": host.id, "m": meeting.id}),
             member_answers(session, meeting))
            for meeting in list_host_meetings(session, host)]  # fmt: skip
    program = find_row(Program, host.program_id)
    return render_template("hosts/page.html", host=host, rows=rows, token=token, program=program)


@blueprint.route("/<token>/unsubscribe", methods=["GET", "POST"])
@csrf.exempt  # the one-click POST of RFC 8058 comes from mail clients, not our form; the link is the proof
def unsubscribe(token: str):
    host = _host(token)
    if request.method == "GET":
        return render_template("hosts/unsubscribe.html", host=host, token=token)
    session = database.session()
    stop_hosting(session, host, now=utcnow())
    session.commit()
    return render_template("hosts/unsubscribed.html", host=host)


@blueprint.get("/start/<token>")
def start(token: str):
    payload = _payload(token)
    meeting = row_or_404(Meeting, payload.get("m"))
    host = find_row(Host, payload.get("h"))
    try:
        start_url = fetch_start_url(database.session(), zoom_client(), host, meeting)
    except StartRefused as refused:
        return render_template("host_start.html", problem=str(refused)), START_STATUSES[refused.problem]
    response = redirect(start_url, code=303)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
