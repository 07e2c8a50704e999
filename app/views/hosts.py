"""Hosts start their meeting through a signed link to us; we fetch Zoom's short-lived start link on demand.

Zoom's start URL lets anyone holding it start the meeting as host and expires within hours, so it is
never emailed or stored: the host's link points here, and here we ask Zoom for a fresh one.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from app import database
from app.database import utcnow
from app.extensions import csrf
from app.links import LinkError, make_token, read_token
from app.models import Cohort, Host, Meeting, Program
from app.services.host_meetings import (
    MarkRefused,
    StartProblem,
    StartRefused,
    fetch_start_url,
    host_schedule,
    mark_by_host,
)
from app.services.host_pool import stop_hosting
from app.views.lookups import find_row, row_or_404
from app.views.program_scope import speak_for
from app.zoom import zoom_client
from emails.times import format_meeting_time

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
    """A host's own page: their meetings to come, each with its members and a button that starts it, and
    the meetings just past, to mark who came."""
    host = _host(token)
    program = speak_for(find_row(Program, host.program_id))
    schedule = host_schedule(database.session(), host, now=utcnow())
    start_tokens = {
        item.meeting.id: make_token("host", {"h": host.id, "m": item.meeting.id})
        for item in schedule.upcoming
    }
    locale = str(get_locale())
    when = {
        item.meeting.id: format_meeting_time(
            item.meeting.starts_at, item.meeting.ends_at, host.timezone, locale
        )
        for item in schedule.upcoming + schedule.to_mark
    }
    return render_template(
        "hosts/page.html", host=host, schedule=schedule, start_tokens=start_tokens, when=when, token=token,
        program=program,
    )  # fmt: skip


@blueprint.post("/<token>/meetings/<int:meeting_id>/attendance")
def mark(token: str, meeting_id: int):
    """The host marks who came to a meeting of theirs that is over."""
    host = _host(token)
    speak_for(find_row(Program, host.program_id))
    meeting = row_or_404(Meeting, meeting_id)
    session = database.session()
    present = {int(value) for value in request.form.getlist("present") if value.isdigit()}
    try:
        mark_by_host(session, host, meeting, present, now=utcnow())
    except MarkRefused:
        abort(403)
    session.commit()
    flash(_("Thank you. We have saved who came."))
    return redirect(url_for("hosts.page", token=token, _anchor=f"meeting-{meeting.id}"), code=303)


@blueprint.route("/<token>/unsubscribe", methods=["GET", "POST"])
@csrf.exempt  # the one-click POST of RFC 8058 comes from mail clients, not our form; the link is the proof
def unsubscribe(token: str):
    host = _host(token)
    speak_for(find_row(Program, host.program_id))
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
        program = speak_for(find_row(Program, find_row(Cohort, meeting.cohort_id).program_id))
        page = render_template("host_start.html", problem=refused.problem, contact=program.contact_email)
        return page, START_STATUSES[refused.problem]
    response = redirect(start_url, code=303)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
