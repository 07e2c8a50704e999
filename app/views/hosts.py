"""Hosts start their meeting through a signed link to us; we fetch Zoom's short-lived start link on demand.

Zoom's start URL lets anyone holding it start the meeting as host and expires within hours, so it is
never emailed or stored: the host's link points here, and here we ask Zoom for a fresh one.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template

from app import database
from app.links import LinkError, read_token
from app.models import Cohort, Meeting, MeetingStatus
from app.zoom import zoom_client
from integrations.zoom.errors import ZoomError

blueprint = Blueprint("hosts", __name__, url_prefix="/host")


@blueprint.get("/start/<token>")
def start(token: str):
    try:
        payload = read_token("host", token)
    except LinkError as error:
        return render_template("link_problem.html", message=str(error), expired=error.expired), 400
    session = database.session()
    meeting = session.get(Meeting, payload.get("m"))
    if meeting is None or session.get(Cohort, meeting.cohort_id).host_id != payload.get("h"):
        abort(404)
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
