"""Console routes: meetings and their messages.

The status of every meeting (its Zoom state and its emails, with a retry for what failed), and the changes a
coordinator makes after approval: reschedule a meeting, cancel a cohort, dismiss a place left open.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import select

from app import database
from app.database import utcnow
from app.messages.kinds import LABELS
from app.messages.queue import cancel_message as cancel_outbound_message
from app.messages.queue import retry_message as retry_outbound_message
from app.models import (
    Cohort,
    Host,
    Meeting,
    MeetingStatus,
    MessageStatus,
    OutboundMessage,
    Participant,
    Program,
    ZoomOperation,
    ZoomOperationKind,
    ZoomOperationStatus,
)
from app.services import meeting_changes
from app.services.meeting_changes import MeetingChangeError, open_places, plan_cancellation
from app.services.zoom_operations import retry_zoom_operation as retry_operation
from app.views.console.access import audit, blueprint, load_program, of_program, program_row
from app.views.console.formatting import in_zone

REASON_MAX_LENGTH = 500
WAITING = (ZoomOperationStatus.PENDING, ZoomOperationStatus.RUNNING)
MESSAGE_STATUSES = {
    MessageStatus.PENDING: "queued",
    MessageStatus.SENDING: "sending",
    MessageStatus.SENT: "sent",
    MessageStatus.FAILED: "failed",
    MessageStatus.CANCELLED: "cancelled",
    MessageStatus.SKIPPED: "skipped",
}
ZOOM_CALLS = {
    ZoomOperationKind.CREATE: "Create the Zoom meeting",
    ZoomOperationKind.UPDATE: "Bring the Zoom meeting up to date (time, length, host)",
    ZoomOperationKind.DELETE: "Delete the Zoom meeting",
    ZoomOperationKind.REGISTER: "Register",
    ZoomOperationKind.CANCEL_REGISTRATION: "Cancel the Zoom registration of",
}
ZOOM_CALL_STATUSES = {
    ZoomOperationStatus.PENDING: "waiting",
    ZoomOperationStatus.RUNNING: "in progress",
    ZoomOperationStatus.DONE: "done",
    ZoomOperationStatus.FAILED: "failed",
    ZoomOperationStatus.CANCELLED: "cancelled",
}
# Zoom's error codes, in words a coordinator can act on.
ZOOM_FAILURES = {
    "124": "Zoom did not accept our access token; check the Zoom credentials in the settings",
    "300": "Zoom refused the request as invalid",
    "429": "the Zoom account reached its limit of meeting changes for today",
    "1001": "the Zoom user the meetings belong to does not exist",
    "3000": "Zoom would not let us change this meeting",
    "3001": "Zoom no longer has this meeting (it was deleted there)",
    "3161": "this Zoom user is not allowed to host or schedule meetings",
}


@dataclass
class MeetingRow:
    """One meeting on the status page: its Zoom state in words and its messages counted by status."""

    meeting: Meeting
    cohort: Cohort
    state: str
    state_words: str
    failed: list[ZoomOperation] = field(default_factory=list)
    messages: Counter[str] = field(default_factory=Counter)


@blueprint.get("/programs/<slug>/meetings")
def meetings(slug: str):
    program = load_program(slug)
    session = database.session()
    now = utcnow()
    rows = _meeting_rows(program, now)
    places = open_places(session, program, now=now)
    if places:
        audit("console.viewed_meetings", program)  # the open places name the people who left
    session.commit()
    return render_template(
        "console/meetings.html",
        program=program,
        upcoming=[row for row in rows if not _over(row.meeting, now)],
        past=[row for row in rows if _over(row.meeting, now)][::-1],
        open_places=places,
        statuses=MESSAGE_STATUSES,
        describe_failure=describe_failure,
    )


@blueprint.get("/programs/<slug>/meetings/<int:meeting_id>")
def meeting(slug: str, meeting_id: int):
    program = load_program(slug)
    session = database.session()
    meeting, cohort = meeting_of(program, meeting_id)
    operations = _operations(meeting)
    state, state_words = zoom_state(meeting, [operation for operation, _ in operations])
    audit("console.viewed_meeting", program, subject=("meeting", meeting.id))
    session.commit()
    now = utcnow()
    return render_template(
        "console/meeting.html",
        program=program,
        meeting=meeting,
        cohort=cohort,
        state=state,
        state_words=state_words,
        operations=operations,
        messages=_messages(meeting),
        changeable=meeting.status == MeetingStatus.SCHEDULED and meeting.starts_at > now,
        starts_local=meeting.starts_at.astimezone(ZoneInfo(program.timezone)).strftime("%Y-%m-%dT%H:%M"),
        minimum_local=now.astimezone(ZoneInfo(program.timezone)).strftime("%Y-%m-%dT%H:%M"),
        kinds=LABELS,
        statuses=MESSAGE_STATUSES,
        calls=ZOOM_CALLS,
        call_statuses=ZOOM_CALL_STATUSES,
        describe_failure=describe_failure,
    )


@blueprint.post("/programs/<slug>/meetings/<int:meeting_id>/reschedule")
def reschedule_meeting(slug: str, meeting_id: int):
    program = load_program(slug)
    session = database.session()
    meeting, _ = meeting_of(program, meeting_id)
    try:
        starts_at = parse_local_time(request.form.get("starts_at", ""), program.timezone)
        meeting_changes.reschedule_meeting(
            session,
            meeting,
            starts_at,
            actor=current_user.email,
            coordinator_id=current_user.id,
            now=utcnow(),
        )
    except MeetingChangeError as error:
        flash(str(error), "error")
        return _back(url_for("console.meeting", slug=slug, meeting_id=meeting.id))
    session.commit()
    flash(
        f"The meeting now starts {in_zone(starts_at, program.timezone)}. Zoom is updated by the worker, the "
        "reminders follow the new time, and everyone already invited is emailed the new details.",
        "success",
    )
    return _back(url_for("console.meeting", slug=slug, meeting_id=meeting.id))


@blueprint.post("/programs/<slug>/cohorts/<int:cohort_id>/cancel")
def cancel_cohort(slug: str, cohort_id: int):
    """First POST: what cancelling will do and who is told. Second POST, with confirm=yes: do it."""
    program = load_program(slug)
    session = database.session()
    cohort = program_row(program, Cohort, cohort_id)
    now = utcnow()
    try:
        plan = plan_cancellation(session, cohort, now=now)
    except MeetingChangeError as error:
        flash(str(error), "error")
        return _back(url_for("console.cohort", slug=slug, cohort_id=cohort.id))
    reason = request.form.get("reason", "").strip()
    if request.form.get("confirm") != "yes" or len(reason) > REASON_MAX_LENGTH:
        if len(reason) > REASON_MAX_LENGTH:
            flash(
                f"Keep the reason under {REASON_MAX_LENGTH} characters; nothing was cancelled yet.", "error"
            )
        audit("console.viewed_cancellation", program, subject=("cohort", cohort.id))
        session.commit()
        return render_template(
            "console/cancel_cohort.html", program=program, plan=plan, reason=reason, next=_local_next()
        )
    meeting_changes.cancel_cohort(
        session, cohort, actor=current_user.email, coordinator_id=current_user.id, now=now, reason=reason
    )
    session.commit()
    flash(_cancelled_words(plan), "success")
    if plan.meeting is not None:
        return _back(url_for("console.meeting", slug=slug, meeting_id=plan.meeting.id))
    return _back(url_for("console.cohort", slug=slug, cohort_id=cohort.id))


@blueprint.post("/programs/<slug>/cohorts/<int:cohort_id>/open-place/dismiss")
def dismiss_open_place(slug: str, cohort_id: int):
    program = load_program(slug)
    session = database.session()
    cohort = program_row(program, Cohort, cohort_id)
    try:
        meeting_changes.dismiss_open_place(
            session, cohort, actor=current_user.email, coordinator_id=current_user.id
        )
    except MeetingChangeError as error:
        flash(str(error), "error")
    else:
        session.commit()
        flash(f"Noted: group {cohort.id} stays as it is, and the notice is gone.", "success")
    return _back(url_for("console.meetings", slug=slug))


@blueprint.post("/programs/<slug>/zoom-operations/<int:operation_id>/retry")
def retry_zoom_operation(slug: str, operation_id: int):
    program = load_program(slug)
    session = database.session()
    operation = session.get(ZoomOperation, operation_id)
    if operation is None:
        abort(404)
    meeting, _ = meeting_of(program, operation.meeting_id)
    try:
        retry_operation(session, operation)
    except ValueError as error:
        flash(str(error), "error")
    else:
        audit("zoom.call_retried", program, subject=("meeting", meeting.id), operation_id=operation.id)
        session.commit()
        flash(f"{_call_words(operation)}: it will be tried again in a moment.", "success")
    return _back(url_for("console.meeting", slug=slug, meeting_id=meeting.id))


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
    back = (
        url_for("console.meeting", slug=slug, meeting_id=message.meeting_id)
        if message.meeting_id
        else url_for("console.meetings", slug=slug)
    )
    try:
        change(session, message)
    except ValueError as error:
        flash(str(error), "error")
        return _back(back)
    audit(action, program, subject=("message", message.id), kind=message.kind)
    session.commit()
    kind = LABELS.get(message.kind, message.kind).lower()
    flash(f"The {kind} to {_recipient_name(message)} {outcome}.", "success")
    return _back(back)


def zoom_state(meeting: Meeting, operations: list[ZoomOperation]) -> tuple[str, str]:
    """The meeting's state at Zoom as a short key (for styling) and in words."""
    failed = [operation for operation in operations if operation.status == ZoomOperationStatus.FAILED]
    waiting = {operation.kind for operation in operations if operation.status in WAITING}
    if meeting.status == MeetingStatus.CANCELLED:
        if ZoomOperationKind.DELETE in waiting:
            return "cancelled", "Cancelled; being deleted from Zoom"
        return "cancelled", "Cancelled"
    if meeting.zoom_vanished_at:
        gone = f"{meeting.zoom_vanished_at:%-d %b %Y}"
        return "failed", f"Vanished on Zoom's side (deleted there on {gone}): members' links no longer work"
    if failed:
        return "failed", f"Failed: {describe_failure(failed[0])}"
    if not meeting.zoom_meeting_id:
        return "pending", "Being created"
    if ZoomOperationKind.UPDATE in waiting:
        return "pending", "Update waiting"
    return "done", "Ready"


def describe_failure(operation: ZoomOperation) -> str:
    """Why a Zoom call failed, in plain words, with Zoom's own message for the details."""
    error = operation.last_error or "no reason was recorded"
    if error.startswith("unexpected error"):
        return f"something went wrong on our side ({error.removeprefix('unexpected error: ')})"
    words = ZOOM_FAILURES.get(operation.last_error_code or "")
    return f"{words} ({error})" if words else error


def parse_local_time(value: str, zone: str) -> datetime:
    """A datetime-local field's value, read in `zone`, as UTC; refuses times the clocks skip."""
    if not value.strip():
        raise MeetingChangeError("Enter the new date and time.")
    try:
        naive = datetime.fromisoformat(value.strip()).replace(tzinfo=None)
    except ValueError:
        example = "for example 2026-03-02 15:00"
        raise MeetingChangeError(f"Enter the new time as a date and a time, {example}.") from None
    local = naive.replace(tzinfo=ZoneInfo(zone))
    if local.astimezone(UTC).astimezone(ZoneInfo(zone)).replace(tzinfo=None) != naive:
        raise MeetingChangeError(
            f"{naive:%H:%M} on {naive:%-d %b %Y} does not exist in {zone}: the clocks go forward then. "
            "Choose another time."
        )
    return local.astimezone(UTC)


def _cancelled_words(plan: meeting_changes.CancellationPlan) -> str:
    cohort = plan.cohort
    if plan.meeting is None:
        members = len(plan.members)
        return (
            f"Group {cohort.id} is dissolved; its {members} members are unplaced again. No one was emailed."
        )
    told = len(plan.told) + (plan.host is not None)
    return (
        f"Group {cohort.id} is cancelled. Its Zoom meeting is being deleted, nothing more is sent about it, "
        f"and {told} {'person gets' if told == 1 else 'people get'} a cancellation email."
    )


def _meeting_rows(program: Program, now: datetime) -> list[MeetingRow]:
    session = database.session()
    pairs = session.exec(
        select(Meeting, Cohort)
        .join(Cohort, Cohort.id == Meeting.cohort_id)
        .where(Cohort.program_id == program.id)
        .order_by(Meeting.starts_at, Meeting.id)
    ).all()
    operations: dict[int, list[ZoomOperation]] = defaultdict(list)
    for operation in session.exec(
        select(ZoomOperation)
        .join(Meeting, Meeting.id == ZoomOperation.meeting_id)
        .join(Cohort, Cohort.id == Meeting.cohort_id)
        .where(
            Cohort.program_id == program.id, ZoomOperation.status.in_((*WAITING, ZoomOperationStatus.FAILED))
        )
        .order_by(ZoomOperation.id)
    ):
        operations[operation.meeting_id].append(operation)
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    for meeting_id, status, count in session.exec(
        select(OutboundMessage.meeting_id, OutboundMessage.status, func.count(OutboundMessage.id))
        .where(OutboundMessage.program_id == program.id, OutboundMessage.meeting_id.is_not(None))
        .group_by(OutboundMessage.meeting_id, OutboundMessage.status)
    ):
        counts[meeting_id][status] = count
    rows = []
    for meeting, cohort in pairs:
        state, words = zoom_state(meeting, operations[meeting.id])
        failed = [op for op in operations[meeting.id] if op.status == ZoomOperationStatus.FAILED]
        rows.append(MeetingRow(meeting, cohort, state, words, failed, counts[meeting.id]))
    return rows


def _operations(meeting: Meeting) -> list[tuple[ZoomOperation, str | None]]:
    """The meeting's Zoom calls, each with the display name of the member it registers."""
    return list(
        database.session().exec(
            select(ZoomOperation, Participant.display_name)
            .join(Participant, Participant.id == ZoomOperation.participant_id, isouter=True)
            .where(ZoomOperation.meeting_id == meeting.id)
            .order_by(ZoomOperation.id)
        )
    )


def _call_words(operation: ZoomOperation) -> str:
    """A Zoom call in words, naming the member it is for ("Register Ana")."""
    words = ZOOM_CALLS[operation.kind]
    if operation.participant_id is None:
        return words
    return f"{words} {database.session().get(Participant, operation.participant_id).display_name}"


def _messages(meeting: Meeting) -> list[tuple[OutboundMessage, str]]:
    """The meeting's messages, each with its recipient's display name (never the address)."""
    host = aliased(Host)
    rows = database.session().exec(
        select(OutboundMessage, Participant.display_name, host.display_name)
        .join(Participant, Participant.id == OutboundMessage.participant_id, isouter=True)
        .join(host, host.id == OutboundMessage.host_id, isouter=True)
        .where(OutboundMessage.meeting_id == meeting.id)
        .order_by(OutboundMessage.send_at, OutboundMessage.id)
    )
    return [(message, _name(member, host_name)) for message, member, host_name in rows]


def _recipient_name(message: OutboundMessage) -> str:
    session = database.session()
    member = session.get(Participant, message.participant_id) if message.participant_id else None
    host = session.get(Host, message.host_id) if message.host_id else None
    return _name(member.display_name if member else None, host.display_name if host else None)


def _name(member: str | None, host: str | None) -> str:
    if member:
        return member
    return f"{host} (host)" if host else "someone"


def meeting_of(program: Program, meeting_id: int) -> tuple[Meeting, Cohort]:
    """The meeting and its cohort, or 404 when it is not this program's."""
    session = database.session()
    meeting = session.get(Meeting, meeting_id)
    cohort = session.get(Cohort, meeting.cohort_id) if meeting else None
    of_program(program, cohort)
    return meeting, cohort


def _over(meeting: Meeting, now: datetime) -> bool:
    return meeting.starts_at + timedelta(minutes=meeting.duration_minutes) <= now


def _local_next() -> str | None:
    target = request.form.get("next", "")
    parts = urlsplit(target)
    local = (
        not parts.scheme and not parts.netloc and parts.path.startswith("/console/") and "\\" not in target
    )
    return target if local else None


def _back(default: str):
    """Back where the form came from (its `next` field, when it is a console page), else to `default`."""
    return redirect(_local_next() or default)
