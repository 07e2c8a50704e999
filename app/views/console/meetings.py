"""Console routes: meetings and their messages.

The status of every meeting (its Zoom state, its emails and texts), one meeting's Zoom calls, emails and
texts, and a retry for what failed (or, for a message not sent yet, cancelling it).
"""

from __future__ import annotations

from flask import current_app, flash, render_template, request, url_for

from app import database
from app.database import utcnow
from app.messages.kinds import LABELS, Channel
from app.messages.queue import cancel_message as cancel_outbound_message
from app.messages.queue import retry_message as retry_outbound_message
from app.models import OutboundMessage, ZoomOperation
from app.services.debriefs import debrief_of
from app.services.hostless_meetings import hostless_meetings
from app.services.marked_attendance import never_started
from app.services.meeting_answers import member_answers
from app.services.meeting_changes.open_places import open_places
from app.services.meeting_overview import describe_meeting, name_call, name_recipient, page_meetings
from app.services.meeting_states import MESSAGE_STATUSES, STATES, ZOOM_CALL_STATUSES, describe_failure
from app.services.zoom_allowance import late_creates
from app.services.zoom_operations import retry_zoom_operation as retry_operation
from app.views.console.access import audit, blueprint, load_program, program_meeting, program_row
from app.views.console.navigation import back
from app.views.lookups import row_or_404


@blueprint.get("/programs/<slug>/meetings")
def meetings(slug: str):
    """One page of the meetings to come (or, with `when=past`, past ones), filtered by their state."""
    program = load_program(slug)
    session = database.session()
    now = utcnow()
    past = request.args.get("when") == "past"
    state = request.args.get("state") if request.args.get("state") in STATES else None
    listed = page_meetings(
        session, program, now=now, past=past, state=state,
        after=request.args.get("after"), before=request.args.get("before"),
    )  # fmt: skip
    places = open_places(session, program, now=now)
    unstarted = never_started(session, [row.meeting.id for row in listed.rows], now=now)
    daily_limit = current_app.config["SETTINGS"].zoom_daily_limit
    late = late_creates(session, program, now=now, limit=daily_limit)
    if places:
        audit("console.viewed_meetings", program)  # the open places name the people who left
    session.commit()
    return render_template(
        "console/meetings.html",
        program=program,
        listed=listed,
        past=past,
        state=state,
        states=STATES,
        query={"when": "past" if past else None, "state": state},
        open_places=places,
        never_started=unstarted,
        late_creates=late,
        hostless=hostless_meetings(session, program, now=now),
        statuses=MESSAGE_STATUSES,
        describe_failure=describe_failure,
    )


@blueprint.get("/programs/<slug>/meetings/<int:meeting_id>")
def meeting(slug: str, meeting_id: int):
    program = load_program(slug)
    session = database.session()
    meeting, cohort = program_meeting(program, meeting_id)
    now = utcnow()
    detail = describe_meeting(session, meeting, now=now)
    unstarted = bool(never_started(session, [meeting.id], now=now))
    audit("console.viewed_meeting", program, subject=("meeting", meeting.id))
    session.commit()
    return render_template(
        "console/meeting.html",
        program=program,
        meeting=meeting,
        cohort=cohort,
        state=detail.state,
        state_words=detail.state_words,
        operations=detail.calls,
        messages=detail.messages,
        changeable=detail.changeable,
        never_started=unstarted,
        answers=member_answers(session, meeting),
        debrief=debrief_of(session, meeting.id),
        now=now,
        kinds=LABELS,
        statuses=MESSAGE_STATUSES,
        call_statuses=ZOOM_CALL_STATUSES,
        describe_failure=describe_failure,
    )


@blueprint.post("/programs/<slug>/zoom-operations/<int:operation_id>/retry")
def retry_zoom_operation(slug: str, operation_id: int):
    program = load_program(slug)
    session = database.session()
    operation = row_or_404(ZoomOperation, operation_id)
    meeting, _ = program_meeting(program, operation.meeting_id)
    try:
        retry_operation(session, operation)
    except ValueError as error:
        flash(str(error), "error")
    else:
        audit("zoom.call_retried", program, subject=("meeting", meeting.id), operation_id=operation.id)
        session.commit()
        flash(f"{name_call(session, operation)}: it will be tried again in a moment.", "success")
    return back(url_for("console.meeting", slug=slug, meeting_id=meeting.id))


@blueprint.post("/programs/<slug>/messages/<int:message_id>/retry")
def retry_message(slug: str, message_id: int):
    return _change_message(slug, message_id, retry_outbound_message, "message.retried", "will be sent again")


@blueprint.post("/programs/<slug>/messages/<int:message_id>/cancel")
def cancel_message(slug: str, message_id: int):
    return _change_message(slug, message_id, cancel_outbound_message, "message.cancelled", "will not be sent")


def _change_message(slug: str, message_id: int, change, action: str, outcome: str):
    program = load_program(slug)
    session = database.session()
    message = program_row(program, OutboundMessage, message_id)
    default = (
        url_for("console.meeting", slug=slug, meeting_id=message.meeting_id)
        if message.meeting_id
        else url_for("console.meetings", slug=slug)
    )
    try:
        change(session, message)
    except ValueError as error:
        flash(str(error), "error")
        return back(default)
    audit(action, program, subject=("message", message.id), kind=message.kind)
    session.commit()
    kind = LABELS.get(message.kind, message.kind).lower()
    by_text = " (text)" if message.channel == Channel.SMS else ""
    flash(f"The {kind}{by_text} to {name_recipient(session, message)} {outcome}.", "success")
    return back(default)
