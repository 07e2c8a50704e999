"""Console route: a coordinator opens a meeting as its host, above all one whose group has no host.

As for hosts, Zoom's start link is fetched fresh when the button is pressed, never stored or emailed.
"""

from __future__ import annotations

from flask import flash, redirect, url_for

from app import database
from app.services.host_meetings import StartProblem, StartRefused, zoom_start_url
from app.views.console.access import audit, blueprint, load_program, program_meeting
from app.zoom import zoom_client

WHY_NOT = {
    StartProblem.CANCELLED: "This meeting was cancelled.",
    StartProblem.NOT_READY: "The meeting is still being set up at Zoom. Try again soon.",
    StartProblem.ZOOM_DOWN: "Zoom did not answer. Try again in a minute.",
}


@blueprint.post("/programs/<slug>/meetings/<int:meeting_id>/start")
def start_meeting(slug: str, meeting_id: int):
    program = load_program(slug)
    meeting, _cohort = program_meeting(program, meeting_id)
    try:
        start_url = zoom_start_url(zoom_client(), meeting)
    except StartRefused as refused:
        flash(WHY_NOT[refused.problem], "error")
        return redirect(url_for("console.meeting", slug=slug, meeting_id=meeting.id))
    audit("console.started_meeting", program, subject=("meeting", meeting.id))
    database.session().commit()
    response = redirect(start_url, code=303)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
