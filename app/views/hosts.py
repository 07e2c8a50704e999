"""Hosts start their meeting through a signed link to us; we fetch Zoom's short-lived start link on demand.

Zoom's start URL lets anyone holding it start the meeting as host and expires within hours, so it is
never emailed or stored: the host's link points here, and here we ask Zoom for a fresh one.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, make_response, redirect, render_template, request
from sqlmodel import select

from app import database
from app.database import utcnow
from app.extensions import csrf
from app.links import LinkError, make_token, read_token
from app.models import Cohort, CohortStatus, Host, Meeting, MeetingStatus, Program
from app.services.audit import record_event
from app.services.host_pool import may_start, stop_hosting
from app.zoom import zoom_client
from integrations.zoom.errors import ZoomError

blueprint = Blueprint("hosts", __name__, url_prefix="/host")


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
    host = database.session().get(Host, _payload(token).get("h"))
    if host is None:
        abort(404)
    return host


@blueprint.get("/<token>")
def page(token: str):
    """A host's own page: their groups' meetings, each with a button that starts it."""
    host = _host(token)
    if not host.active:
        return render_template("hosts/page.html", host=host, rows=[], token=token, program=_program(host))
    meetings = (
        database.session()
        .exec(
            select(Meeting)
            .join(Cohort, Cohort.id == Meeting.cohort_id)
            .where(Cohort.host_id == host.id, Cohort.status == CohortStatus.APPROVED)
            .where(Meeting.status != MeetingStatus.CANCELLED)
            .order_by(Meeting.starts_at)
        )
        .all()
    )
    zone = ZoneInfo(host.timezone)
    rows = [(meeting, meeting.starts_at.astimezone(zone), make_token("host", {"h": host.id, "m": meeting.id}))
            for meeting in meetings]  # fmt: skip
    return render_template("hosts/page.html", host=host, rows=rows, token=token, program=_program(host))


def _program(host: Host) -> Program:
    return database.session().get(Program, host.program_id)


@blueprint.route("/<token>/unsubscribe", methods=["GET", "POST"])
@csrf.exempt  # the one-click POST of RFC 8058 comes from mail clients, not our form; the link is the proof
def unsubscribe(token: str):
    host = _host(token)
    if request.method == "GET":
        return render_template("hosts/unsubscribe.html", host=host, token=token)
    session = database.session()
    released = stop_hosting(session, host, now=utcnow())
    record_event(
        session, "host.unsubscribed", actor="host", program_id=host.program_id, subject=("host", host.id),
        groups_released=[row.cohort.id for row in released],
    )  # fmt: skip
    session.commit()
    return render_template("hosts/unsubscribed.html", host=host)


@blueprint.get("/start/<token>")
def start(token: str):
    payload = _payload(token)
    session = database.session()
    meeting = session.get(Meeting, payload.get("m"))
    if meeting is None:
        abort(404)
    host = session.get(Host, payload.get("h"))
    if not may_start(session, host, meeting):
        contact = session.get(Program, session.get(Cohort, meeting.cohort_id).program_id).contact_email
        problem = (
            "You no longer host this group, so this link cannot start its meeting. If you think this is a "
            f"mistake, please write to the program's coordinator at {contact}."
        )
        return render_template("host_start.html", problem=problem), 403
    if meeting.status == MeetingStatus.CANCELLED:
        return render_template("host_start.html", problem="This meeting was cancelled."), 410
    if not meeting.zoom_meeting_id:
        return render_template(
            "host_start.html", problem="The meeting is still being set up. Try again soon."
        ), 503
    try:
        start_url = zoom_client().get_meeting(int(meeting.zoom_meeting_id)).start_url
    except ZoomError:
        current_app.logger.exception("could not fetch a start link for meeting %s", meeting.id)
        return render_template("host_start.html", problem="Zoom did not answer. Please try again."), 502
    response = redirect(start_url, code=303)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
