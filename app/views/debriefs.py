"""A host's debrief after each meeting (the link in the `host_debrief` email), and the page where a host
raises a concern at any time (linked from their host page). Both follow the host's signed link."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint, g, render_template, request
from werkzeug.datastructures import MultiDict

from app import database
from app.database import utcnow
from app.forms.concerns import concern_data, debrief_data
from app.inputs.concerns import read_concern, read_debrief
from app.inputs.fields import InvalidInput
from app.links import make_token
from app.models import Host, Meeting, Program, Reporter
from app.services.concerns import group_members, hosted_members, raise_concern
from app.services.debriefs import DebriefState, debrief_state, meetings_to_debrief, record_debrief
from app.views.lookups import find_row, row_or_404, signed_payload

blueprint = Blueprint("debriefs", __name__, url_prefix="/host")
# The debrief page's answer, instead of its form, when it takes none.
CLOSED_STATUSES = {DebriefState.ANSWERED: 200, DebriefState.NOT_YET: 200, DebriefState.NOT_THEIRS: 403}


@blueprint.route("/debrief/<token>", methods=["GET", "POST"])
def debrief(token: str):
    payload = signed_payload("host", token)
    host, meeting = row_or_404(Host, payload.get("h")), row_or_404(Meeting, payload.get("m"))
    _speak_as_emails(host)
    session = database.session()
    state = debrief_state(session, host, meeting, now=utcnow())
    if state in CLOSED_STATUSES:
        return render_template("hosts/debrief_closed.html", host=host, state=state), CLOSED_STATUSES[state]
    members = group_members(session, meeting.cohort_id)
    if request.method == "GET":
        return _debrief_form(host, meeting, members, MultiDict(), {})
    try:
        answers = read_debrief(debrief_data(request.form), [member_id for member_id, _ in members])
    except InvalidInput as invalid:
        return _debrief_form(host, meeting, members, request.form, invalid.errors), 422
    record_debrief(session, host, meeting, answers, now=utcnow())
    session.commit()
    return render_template("hosts/debrief_closed.html", host=host, state="thanked")


@blueprint.route("/concern/<token>", methods=["GET", "POST"])
def concern(token: str):
    """A concern from the host, about their groups in general or one member of them."""
    host = row_or_404(Host, signed_payload("host", token).get("h"))
    program = _speak_as_emails(host)
    session = database.session()
    members = hosted_members(session, host)
    if request.method == "GET":
        return _concern_form(host, token, members, MultiDict(), {})
    try:
        written = read_concern(concern_data(request.form), [member_id for member_id, _ in members])
    except InvalidInput as invalid:
        return _concern_form(host, token, members, request.form, invalid.errors), 422
    raise_concern(
        session, program, written, reporter=Reporter.HOST, by_id=host.id, meeting_id=None, now=utcnow()
    )
    session.commit()
    return render_template("concerns/sent.html", program=program)


def _speak_as_emails(host: Host) -> Program:
    """The page speaks the language of the host's emails, unless their browser asks for another."""
    program = find_row(Program, host.program_id)
    g.page_locale = program.default_locale
    return program


def _debrief_form(host, meeting, members, form, errors):
    return render_template(
        "hosts/debrief.html", host=host, meeting=meeting, members=members, form=form, errors=errors
    )


def _concern_form(host, token, members, form, errors):
    zone = ZoneInfo(host.timezone)
    to_debrief = [
        (meeting.starts_at.astimezone(zone), make_token("host", {"h": host.id, "m": meeting.id}))
        for meeting in meetings_to_debrief(database.session(), host, now=utcnow())
    ]
    return render_template(
        "hosts/concern.html", host=host, token=token, members=members, form=form, errors=errors,
        to_debrief=to_debrief,
    )  # fmt: skip
