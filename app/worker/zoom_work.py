"""Carrying out recorded Zoom calls: create, move, delete meetings, and register their members or cancel
the registration of members who left."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from app.claims import Queue, claim_due, still_claimed_by
from app.messages.sources import WAITING_FOR_ZOOM
from app.models import (
    Cohort,
    CohortMember,
    Condition,
    Host,
    Meeting,
    MeetingRegistrant,
    MessageStatus,
    OutboundMessage,
    Participant,
    Program,
    ZoomOperation,
    ZoomOperationKind,
    ZoomOperationStatus,
)
from app.retry import next_attempt
from app.services.access_needs import CAPTIONS, group_needs_captions, keep_phone_details
from app.services.erasure import finish_erasure
from app.services.zoom_allowance import (
    COUNTED,
    apply_plan,
    calls_left,
    count_call,
    next_midnight,
    plan_creates,
    refused_for_today,
)
from app.services.zoom_operations import has_zoom_call
from app.services.zoom_placement import place_meeting
from app.services.zoom_pool import ZoomPoolError
from integrations.zoom.client import ZoomClient
from integrations.zoom.errors import ZoomDailyLimitError, ZoomError

ZOOM_QUEUE = Queue(ZoomOperation, "next_attempt_at", ZoomOperationStatus.PENDING, ZoomOperationStatus.RUNNING)
WAIT_FOR_MEETING = timedelta(seconds=30)
DAILY_LIMIT_CODE = "daily_limit"
logger = logging.getLogger(__name__)


class _NotReady(Exception):
    """The call depends on one that has not happened yet (registering before the meeting exists, or
    cancelling a registration still being made)."""


def plan_zoom_creates(session: Session, *, now: datetime, daily_limit: int) -> None:
    """Spread the meeting creates still to make over the days Zoom's daily limit allows (see
    `app.services.zoom_allowance`)."""
    apply_plan(session, plan_creates(session, now=now, limit=daily_limit))
    session.commit()


def run_due_zoom_operations(
    session: Session,
    client: ZoomClient,
    *,
    now: datetime,
    worker: str,
    daily_limit: int,
    most: int | None = None,
    batch_size: int = 20,
) -> Counter[str]:
    """Carry out the Zoom calls due at `now`, or up to `most` of them (a turn, so other work is not kept
    waiting); returns how many ended done, retried, waiting, deferred to tomorrow or failed."""
    outcomes: Counter[str] = Counter()
    while (room := batch_size if most is None else min(most - outcomes.total(), batch_size)) > 0 and (
        claimed := claim_due(session, ZOOM_QUEUE, now=now, worker=worker, limit=room)
    ):
        for operation in still_claimed_by(session, ZOOM_QUEUE, claimed, worker):
            outcomes[_run(session, client, operation, now, daily_limit)] += 1
            session.commit()
    return outcomes


def _run(
    session: Session, client: ZoomClient, operation: ZoomOperation, now: datetime, daily_limit: int
) -> str:
    meeting = session.get(Meeting, operation.meeting_id)
    try:
        if operation.kind in COUNTED:
            user = _holder(session, meeting, now)
            if calls_left(session, user, now=now, limit=daily_limit) == 0:
                return _wait_for_tomorrow(operation, user, next_midnight(now))
            count_call(session, user, now=now)
        CALLS[operation.kind](session, client, meeting, operation)
    except _NotReady:
        operation.status = ZoomOperationStatus.PENDING
        operation.attempts -= 1
        operation.next_attempt_at = now + WAIT_FOR_MEETING
        return "waiting"
    except ZoomDailyLimitError:
        until = refused_for_today(session, meeting.zoom_user, now=now)
        return _wait_for_tomorrow(operation, meeting.zoom_user, until)
    except ZoomPoolError as error:
        operation.status, operation.last_error = ZoomOperationStatus.FAILED, str(error)[:2000]
        return "failed"
    except ZoomError as error:
        return _record_failure(operation, error, now)
    except OperationalError:
        raise  # the database's fault, not the call's: its claim runs out and it is tried again
    except Exception as error:
        # A fault in our own code or data must not stop the other calls: the coordinator sees it.
        logger.exception("Zoom operation %s failed unexpectedly", operation.id)
        operation.status, operation.last_error = (
            ZoomOperationStatus.FAILED,
            f"unexpected error: {error}"[:2000],
        )
        return "failed"
    operation.status = ZoomOperationStatus.DONE
    operation.done_at = now
    operation.last_error = operation.last_error_code = None
    if operation.kind in (ZoomOperationKind.CREATE, ZoomOperationKind.REGISTER):
        _wake_what_waited_for(session, operation, now)
    if operation.kind == ZoomOperationKind.CANCEL_REGISTRATION:
        finish_erasure(session, operation.participant_id)
    return "done"


def _wake_what_waited_for(session: Session, done: ZoomOperation, now: datetime) -> None:
    """What was told to wait for this call (a new meeting's invitations and registrations, or a member's
    invitation waiting for their own link) goes now, not minutes later: two workers often reach a meeting's
    messages before its Zoom calls are through."""
    messages = update(OutboundMessage).where(
        OutboundMessage.meeting_id == done.meeting_id,
        OutboundMessage.status == MessageStatus.PENDING,
        OutboundMessage.last_error.in_(WAITING_FOR_ZOOM),
        OutboundMessage.send_at > now,
    )
    if done.kind == ZoomOperationKind.REGISTER:
        messages = messages.where(OutboundMessage.participant_id == done.participant_id)
    session.exec(messages.values(send_at=now))
    if done.kind == ZoomOperationKind.CREATE:
        session.exec(
            update(ZoomOperation)
            .where(
                ZoomOperation.meeting_id == done.meeting_id,
                ZoomOperation.status == ZoomOperationStatus.PENDING,
            )
            .where(ZoomOperation.last_error.is_(None), ZoomOperation.next_attempt_at > now)
            .where(ZoomOperation.next_attempt_at <= now + WAIT_FOR_MEETING)
            .values(next_attempt_at=now)
        )


def _holder(session: Session, meeting: Meeting, now: datetime) -> str:
    """The Zoom user the meeting belongs to; one approved before pools existed is placed now."""
    if meeting.zoom_user is None:
        cohort = session.get(Cohort, meeting.cohort_id)
        place_meeting(session, session.get(Program, cohort.program_id), cohort, meeting, now=now)
    return meeting.zoom_user


def _wait_for_tomorrow(operation: ZoomOperation, user: str, until: datetime) -> str:
    """Not a failure: Zoom's daily limit for `user` is reached, so the call waits until 00:00 UTC."""
    operation.status = ZoomOperationStatus.PENDING
    operation.attempts -= 1
    operation.next_attempt_at = until
    operation.last_error_code = DAILY_LIMIT_CODE
    operation.last_error = (
        f"Waiting until {until:%-d %b} 00:00 UTC: {user} has made as many meeting creates and updates today "
        "as Zoom allows."
    )
    return "deferred"


def _record_failure(operation: ZoomOperation, error: ZoomError, now: datetime) -> str:
    operation.last_error = str(error)[:2000]
    operation.last_error_code = str(error.code) if error.code is not None else None
    retry_at = error.retry_at if error.retry_at else next_attempt(now, operation.attempts)
    if not (error.retryable or error.retry_at) or retry_at is None:
        operation.status = ZoomOperationStatus.FAILED
        return "failed"
    operation.status = ZoomOperationStatus.PENDING
    operation.next_attempt_at = retry_at
    return "retrying"


def _create(session: Session, client: ZoomClient, meeting: Meeting, operation: ZoomOperation) -> None:
    if meeting.zoom_meeting_id:
        return
    cohort = session.get(Cohort, meeting.cohort_id)
    program = session.get(Program, cohort.program_id)
    _captions_if_asked(session, client, meeting)
    found = None
    if operation.attempts > 1:
        # An earlier try may have created the meeting before its answer was lost: look before creating.
        found = client.find_meeting_by_key(meeting.zoom_user, operation.idempotency_key)
    created = found or client.create_meeting(
        meeting.zoom_user,
        topic=_topic(session, program, cohort, meeting),
        start_time=meeting.starts_at,
        duration=meeting.duration_minutes,
        timezone=program.timezone,
        idempotency_key=operation.idempotency_key,
        alternative_hosts=_alternative_hosts(session, program, cohort, meeting),
    )
    meeting.zoom_meeting_id = str(created.id)
    meeting.zoom_join_url = created.join_url
    meeting.zoom_passcode = created.password
    keep_phone_details(meeting, created)
    session.add(meeting)


def _captions_if_asked(session: Session, client: ZoomClient, meeting: Meeting) -> None:
    """Turn captions on at Zoom for a group where someone asked for them (a setting of the Zoom user the
    meeting belongs to, as Zoom's meetings have none of their own; turning it on again changes nothing)."""
    if group_needs_captions(session, meeting.cohort_id):
        _enable_captions(client, meeting.zoom_user)


def _enable_captions(client: ZoomClient, user: str) -> None:
    """Captions help, but a meeting is not held back for them: when Zoom refuses them for good (a setting its
    account locks, a scope our app lacks), the meeting is still made and the refusal logged. A passing fault
    is raised, so the call is tried again later."""
    try:
        client.enable_captions(user)
    except ZoomError as error:
        if error.retryable or error.retry_at:
            raise
        logger.warning("Zoom refused to turn captions on for %s: %s", user, error)


def _alternative_hosts(session: Session, program: Program, cohort: Cohort, meeting: Meeting) -> list[str]:
    """The cohort's current host may start the meeting too, where the program wants it (unless the meeting is
    their own Zoom user's already)."""
    if not (cohort.host_id and program.host_as_alternative_host):
        return []
    host_user = session.get(Host, cohort.host_id).zoom_user
    return [] if host_user == meeting.zoom_user else [host_user]


def _topic(session: Session, program: Program, cohort: Cohort, meeting: Meeting) -> str:
    """A meeting title that names the condition only where the program allows it: titles show on screens,
    so they start with the program's neutral title where it has one."""
    words = [program.neutral_title or program.name]
    if program.condition_in_title:
        words.append(session.get(Condition, cohort.condition_id).name)
    words.append(f"group {cohort.id}" + (f", meet-up {meeting.number}" if meeting.number > 1 else ""))
    return " · ".join(words)


def _update(session: Session, client: ZoomClient, meeting: Meeting, operation: ZoomOperation) -> None:
    """Send the meeting as it is now, so one update covers every change made since it was recorded."""
    zoom_id = _zoom_id(meeting)
    cohort = session.get(Cohort, meeting.cohort_id)
    program = session.get(Program, cohort.program_id)
    _captions_if_asked(session, client, meeting)
    client.update_meeting(
        zoom_id,
        start_time=meeting.starts_at,
        duration=meeting.duration_minutes,
        alternative_hosts=_alternative_hosts(session, program, cohort, meeting),
    )
    now_at_zoom = client.get_meeting(zoom_id)
    meeting.zoom_join_url = now_at_zoom.join_url
    keep_phone_details(meeting, now_at_zoom)
    session.add(meeting)


def _delete(session: Session, client: ZoomClient, meeting: Meeting, operation: ZoomOperation) -> None:
    if meeting.zoom_meeting_id:
        client.delete_meeting(int(meeting.zoom_meeting_id))
    elif has_zoom_call(
        session, meeting.id, ZoomOperationKind.CREATE, statuses=(ZoomOperationStatus.RUNNING,)
    ):
        raise _NotReady  # the meeting may exist at Zoom in a moment: delete it once we know its id


def _register(session: Session, client: ZoomClient, meeting: Meeting, operation: ZoomOperation) -> None:
    """Register a member, unless they are registered already or left the group since the call was recorded."""
    existing = _registration(session, meeting, operation.participant_id)
    if existing is not None and existing.join_url:
        return
    participant = session.get(Participant, operation.participant_id)
    if not participant.email or not _is_member(session, meeting, participant.id):
        return  # erased, or no longer in the group: nothing to register
    if _cancellation_running(session, meeting, participant.id):
        raise _NotReady  # they left and came back: register them once that cancellation is through
    zoom_id = _zoom_id(meeting)
    if CAPTIONS in participant.accessibility_needs:
        _enable_captions(client, meeting.zoom_user)  # they joined after the meeting was made
    registrant = client.register_participant(
        zoom_id, email=participant.email, first_name=participant.display_name
    )
    if _was_cancelled(session, meeting, participant.id):
        # Zoom may hand back the registration we cancelled, still cancelled: make it valid again.
        client.approve_registration(zoom_id, registrant_id=registrant.registrant_id, email=participant.email)
    row = existing or MeetingRegistrant(meeting_id=meeting.id, participant_id=participant.id)
    row.zoom_registrant_id, row.join_url = registrant.registrant_id, registrant.join_url
    session.add(row)


def _cancel_registration(
    session: Session, client: ZoomClient, meeting: Meeting, operation: ZoomOperation
) -> None:
    """Cancel the registration of a member who left, so their personal link stops working.

    Waits while their registration is still to be made; someone never registered, or back in the group
    by now, needs nothing. The registration row goes once Zoom has cancelled it (or no longer has it).
    """
    if _is_member(session, meeting, operation.participant_id):
        return
    if has_zoom_call(
        session, meeting.id, ZoomOperationKind.REGISTER, participant_id=operation.participant_id
    ):
        raise _NotReady
    registration = _registration(session, meeting, operation.participant_id)
    if registration is None:
        return
    if registration.zoom_registrant_id:
        participant = session.get(Participant, operation.participant_id)
        client.cancel_registration(
            _zoom_id(meeting), registrant_id=registration.zoom_registrant_id, email=participant.email
        )
    session.delete(registration)


def _registration(session: Session, meeting: Meeting, participant_id: int) -> MeetingRegistrant | None:
    return session.exec(
        select(MeetingRegistrant).where(
            MeetingRegistrant.meeting_id == meeting.id, MeetingRegistrant.participant_id == participant_id
        )
    ).first()


def _is_member(session: Session, meeting: Meeting, participant_id: int) -> bool:
    """Whether the participant has a place in the meeting's cohort now."""
    place = select(CohortMember.id).where(
        CohortMember.cohort_id == meeting.cohort_id, CohortMember.participant_id == participant_id
    )
    return session.exec(place).first() is not None


def _cancellation_running(session: Session, meeting: Meeting, participant_id: int) -> bool:
    running = (ZoomOperationStatus.RUNNING,)
    kind = ZoomOperationKind.CANCEL_REGISTRATION
    return has_zoom_call(session, meeting.id, kind, participant_id=participant_id, statuses=running)


def _was_cancelled(session: Session, meeting: Meeting, participant_id: int) -> bool:
    """Whether we cancelled their registration to this meeting before (they left, then came back)."""
    done = (ZoomOperationStatus.DONE,)
    kind = ZoomOperationKind.CANCEL_REGISTRATION
    return has_zoom_call(session, meeting.id, kind, participant_id=participant_id, statuses=done)


def _zoom_id(meeting: Meeting) -> int:
    if not meeting.zoom_meeting_id:
        raise _NotReady
    return int(meeting.zoom_meeting_id)


CALLS = {
    ZoomOperationKind.CREATE: _create,
    ZoomOperationKind.UPDATE: _update,
    ZoomOperationKind.DELETE: _delete,
    ZoomOperationKind.REGISTER: _register,
    ZoomOperationKind.CANCEL_REGISTRATION: _cancel_registration,
}
