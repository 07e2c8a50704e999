"""Erasing a person: what "delete my data" does, and what the retention purge does to everyone in a program.

One routine for both. Afterwards no row holds the person's personal data or leads back to them:

- Their registrant row keeps only what anonymous counts need: the program, condition, stage and role, and
  the week they registered in (for registrations per week); every other column goes back to its empty
  value, so a column added later is erased too unless it is named here as kept.
- Their group place is given up; messages still to come are cancelled, and their registrations to meetings
  still to come are cancelled at Zoom. Those Zoom calls, and the registrations they cancel, are the one
  thing that keeps its link to the person a little longer: until the worker has made the call
  (`finish_erasure`).
- Messages already sent keep no address, context (names, links) or error text, and no longer say whom they
  went to. A survey that went as "sorry we missed you" gets a kind of its own first, so response rates still
  count only people who were asked.
- Texts they sent us keep only what they meant (a STOP, a "can't come"), not their number or words; their
  own number, consent to texts and STOP go with the rest of their row.
- Survey answers given under their name are kept as anonymous ones: free text is dropped, only the day of
  answering is kept; the receipt that they answered goes.
- Their time in meetings stays under a random key, so attendance still adds up; Zoom's ids and addresses
  for them are dropped with their registration rows.
- The audit log no longer names them, and other registrants' avoid requests no longer point at them; nor
  do concerns and host debriefs (`app.services.concern_erasure`).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic_core import PydanticUndefined
from sqlalchemy import ColumnElement, String, and_, cast, delete, or_, true, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, SQLModel, select

from app.bulk import in_batches
from app.messages.kinds import MessageKind
from app.messages.queue import cancel_messages
from app.models import (
    ERASED_GUEST_KEY,
    ERASED_REGISTRANT_KEY,
    Attendance,
    AuditEvent,
    Cohort,
    Host,
    Meeting,
    MeetingRegistrant,
    MessageStatus,
    OutboundMessage,
    Participant,
    ParticipantStatus,
    Program,
    SurveyReceipt,
    SurveyResponse,
    TextReply,
    ZoomOperation,
)
from app.models.meeting_tally import recount_meetings, went_as_missed_you
from app.services.audit import NAMING_TEXTS, PARTICIPANT_LISTS, record_event
from app.services.concern_erasure import forget_concern_words, forget_member_in_concerns
from app.services.leaving import release_place
from app.services.survey.answering import answer_day
from app.services.zoom_operations import OPEN_STATUSES

ERASED_NAME = "Deleted"
ERASED_HOST_NAME = "Former host"
ERASED_MENTION = "someone since erased"  # in place of their name, in texts the audit log keeps
# What an erased row keeps: ids, and what anonymous counts are made of. Everything else is emptied.
KEPT = {
    Participant: frozenset({"id", "program_id", "role", "condition_id", "stage_id"}),
    Host: frozenset({"id", "program_id", "max_cohorts"}),
}
# Rows looked up with IN (...) at a time, well within every database's limit on parameters.
CHUNK = 500


def erase_participants(session: Session, people: Sequence[Participant], *, actor: str, now: datetime) -> None:
    """Erase these registrants (see the module docstring), all of one program; adds and flushes."""
    if not people:
        return
    program = session.get(Program, people[0].program_id)
    for person in people:
        cohort_id = release_place(session, person, now=now)
        record_event(
            session, "participant_erased", actor=actor, program_id=program.id, subject=("participant", ""),
            **({"cohort_id": cohort_id} if cohort_id is not None else {}),
        )  # fmt: skip
    ids = [person.id for person in people]
    for chunk in in_batches(ids, CHUNK):
        # Messages first: whether a survey went as "sorry we missed you" is told by their attendance.
        _forget_messages(session, chunk)
        _forget_attendance(session, chunk)
        _forget_survey_answers(session, program, chunk)
        _forget_zoom_calls(session, chunk)
        _forget_text_replies(session, program, chunk)
    _forget_in_audit_log(session, program, people)
    forget_member_in_concerns(session, program, ids, _names_of(people), ERASED_MENTION)
    _forget_avoid_requests(session, program, set(ids))
    zone = ZoneInfo(program.timezone)
    for person in people:
        _empty(person, zone, display_name=ERASED_NAME, timezone="UTC", consent_version="",
               status=ParticipantStatus.ERASED, erased_at=_week_start(now, zone))  # fmt: skip
        session.add(person)
    session.flush()


def erase_hosts(session: Session, program: Program, hosts: Sequence[Host]) -> None:
    """Erase these hosts of `program`: a host row keeps only how many groups it could lead, so the groups
    it led still count as hosted; nothing more is sent to them."""
    zone = ZoneInfo(program.timezone)
    for host in hosts:
        cancel_messages(session, host_id=host.id)
        session.exec(
            update(OutboundMessage)
            .where(OutboundMessage.host_id == host.id)
            .values(recipient=None, context={}, last_error=None)
        )
        if host.zoom_licensed:  # their own Zoom user held meetings: those no longer name it
            _forget_zoom_user(session, program, host.zoom_user)
        _empty(host, zone, display_name=ERASED_HOST_NAME, email=f"erased-host-{host.id}@invalid",
               zoom_user="", timezone="UTC", zoom_licensed=False, active=False)  # fmt: skip
        session.add(host)
    session.flush()


def _forget_zoom_user(session: Session, program: Program, zoom_user: str) -> None:
    held = select(Cohort.id).where(Cohort.program_id == program.id)
    session.exec(
        update(Meeting)
        .where(Meeting.cohort_id.in_(held), Meeting.zoom_user == zoom_user)
        .values(zoom_user=None)
    )


def erase_meeting_traces(session: Session, program: Program) -> None:
    """For the retention purge, once every registrant of the program is erased: what its meetings still
    hold of people not linked to anyone. Free-text answers given anonymously (words may name people), the
    names, addresses and Zoom ids of attendees Zoom could not match to a registrant, whatever a Zoom call
    Zoom refused still kept of an erased person (their meetings are over), and the numbers and words of
    texts from numbers no registrant had."""
    meetings = (
        select(Meeting.id).join(Cohort, Cohort.id == Meeting.cohort_id).where(Cohort.program_id == program.id)
    )
    for response in session.exec(select(SurveyResponse).where(SurveyResponse.meeting_id.in_(meetings))):
        _keep_anonymously(response, program)
        session.add(response)
    strangers = select(Attendance).where(
        Attendance.meeting_id.in_(meetings),
        ~Attendance.zoom_participant_key.startswith(ERASED_REGISTRANT_KEY),
        ~Attendance.zoom_participant_key.startswith(ERASED_GUEST_KEY),
    )
    _rekey(
        session, session.exec(strangers).all(), lambda stretch: stretch.zoom_participant_key, ERASED_GUEST_KEY
    )
    erased = select(Participant.id).where(
        Participant.program_id == program.id, Participant.status == ParticipantStatus.ERASED
    )
    _forget_zoom_calls(session, erased, spare_open=False)
    session.exec(_forgotten_replies(TextReply.program_id == program.id))
    forget_concern_words(session, program)
    session.flush()


def finish_erasure(session: Session, participant_id: int | None) -> None:
    """After a Zoom call for this participant was made: if they were erased meanwhile and nothing more is
    to be done at Zoom for them, their Zoom calls and registrations stop naming them too."""
    participant = session.get(Participant, participant_id) if participant_id is not None else None
    if participant is not None and participant.status == ParticipantStatus.ERASED:
        _forget_zoom_calls(session, [participant.id])


# The person's rows ----------------------------------------------------------------------------------------


def _forget_attendance(session: Session, ids: list[int]) -> None:
    """Their stretches in meetings, found by their id or by the Zoom registration or address they joined
    with, under a random key per meeting."""
    owners: dict[str, int] = dict(
        session.exec(
            select(MeetingRegistrant.zoom_registrant_id, MeetingRegistrant.participant_id).where(
                MeetingRegistrant.participant_id.in_(ids), MeetingRegistrant.zoom_registrant_id.is_not(None)
            )
        ).all()
    )
    owners.update(
        (email.lower(), person)
        for person, email in session.exec(
            select(Participant.id, Participant.email).where(
                Participant.id.in_(ids), Participant.email.is_not(None)
            )
        )
    )
    stretches = session.exec(
        select(Attendance).where(
            or_(
                Attendance.participant_id.in_(ids),
                Attendance.participant_id.is_(None) & Attendance.zoom_participant_key.in_(list(owners)),
            )
        )
    ).all()
    _rekey(
        session,
        stretches,
        lambda stretch: stretch.participant_id or owners[stretch.zoom_participant_key],
        ERASED_REGISTRANT_KEY,
    )


def _rekey(session: Session, stretches: Iterable[Attendance], whose, prefix: str) -> None:
    """Each person's stretches in a meeting (`whose` tells them apart) under one new random key."""
    keys: dict[tuple[int, Any], str] = {}
    for stretch in stretches:
        key = keys.setdefault((stretch.meeting_id, whose(stretch)), prefix + secrets.token_urlsafe(16))
        stretch.participant_id, stretch.zoom_participant_key = None, key
        session.add(stretch)


def _forget_messages(session: Session, ids: list[int]) -> None:
    mine = OutboundMessage.participant_id.in_(ids)
    surveyed = select(OutboundMessage.meeting_id).where(mine, OutboundMessage.kind == MessageKind.SURVEY)
    meetings = set(session.exec(surveyed.where(OutboundMessage.meeting_id.is_not(None))))
    session.exec(
        update(OutboundMessage)
        .where(mine, OutboundMessage.kind == MessageKind.SURVEY, OutboundMessage.status == MessageStatus.SENT)
        .where(went_as_missed_you())
        .values(kind=MessageKind.MISSED_YOU)
    )
    session.exec(
        update(OutboundMessage)
        .where(mine)
        .values(
            participant_id=None, recipient=None, context={}, last_error=None,
            dedupe_key="erased:" + cast(OutboundMessage.id, String),
        )
    )  # fmt: skip
    recount_meetings(session.connection(), meetings)


def _forget_text_replies(session: Session, program: Program, ids: list[int]) -> None:
    """Texts they sent: those we knew were theirs, and those from their number we could not place (in this
    program, or in none)."""
    phones = select(Participant.phone).where(Participant.id.in_(ids), Participant.phone.is_not(None))
    from_them = TextReply.from_number.in_(phones) & or_(
        TextReply.program_id == program.id, TextReply.program_id.is_(None)
    )
    session.exec(_forgotten_replies(or_(TextReply.participant_id.in_(ids), from_them)))


def _forgotten_replies(which: ColumnElement[bool]):
    return update(TextReply).where(which).values(participant_id=None, from_number=None, body="")


def _forget_survey_answers(session: Session, program: Program, ids: list[int]) -> None:
    session.exec(delete(SurveyReceipt).where(SurveyReceipt.participant_id.in_(ids)))
    for response in session.exec(select(SurveyResponse).where(SurveyResponse.participant_id.in_(ids))):
        _keep_anonymously(response, program)
        session.add(response)


def _keep_anonymously(response: SurveyResponse, program: Program) -> None:
    """An answer as if it had been given anonymously, without words: only answers picked from a list stay
    (anything else, even to a question since removed, may be words)."""
    picked = {question["key"] for question in program.survey_questions if question.get("kind") != "text"}
    response.answers = {key: value for key, value in response.answers.items() if key in picked}
    response.participant_id, response.anonymous = None, True
    response.submitted_at = answer_day(response.submitted_at)


def _forget_zoom_calls(session: Session, people, *, spare_open: bool = True) -> None:
    """The Zoom calls and registrations of `people` (ids, or a query of them) stop naming them; with
    `spare_open`, not in a meeting where a call for them is still open (a cancellation of their
    registration): that call needs the registration's Zoom id, and its link goes once it is made
    (`finish_erasure`), or with the program's retention purge."""

    def spared(meeting_id, participant_id) -> ColumnElement[bool]:
        if not spare_open:
            return true()
        open_call = aliased(ZoomOperation)
        call = select(open_call.id).where(
            open_call.meeting_id == meeting_id,
            open_call.participant_id == participant_id,
            open_call.status.in_(OPEN_STATUSES),
        )
        return ~call.exists()

    registrations = MeetingRegistrant.participant_id.in_(people)
    forgotten = and_(registrations, spared(MeetingRegistrant.meeting_id, MeetingRegistrant.participant_id))
    meetings = set(session.exec(select(MeetingRegistrant.meeting_id).where(forgotten)))
    session.exec(delete(MeetingRegistrant).where(forgotten))
    recount_meetings(session.connection(), meetings)
    session.exec(update(MeetingRegistrant).where(registrations).values(join_url=None))
    session.exec(
        update(ZoomOperation)
        .where(
            ZoomOperation.participant_id.in_(people),
            spared(ZoomOperation.meeting_id, ZoomOperation.participant_id),
        )
        .values(
            participant_id=None, idempotency_key="erased:" + cast(ZoomOperation.id, String),
            last_error=None, last_error_code=None,
        )
    )  # fmt: skip


def _forget_in_audit_log(session: Session, program: Program, people: Sequence[Participant]) -> None:
    """Events about them no longer name them, by id or by name (in what the log keeps of warnings and
    reasons, where someone else of the same name loses theirs too)."""
    ids = [person.id for person in people]
    for chunk in in_batches(ids, CHUNK):
        session.exec(
            update(AuditEvent)
            .where(AuditEvent.subject_type == "participant")
            .where(AuditEvent.subject_id.in_([str(person_id) for person_id in chunk]))
            .values(subject_id="")
        )
    gone, names = set(ids), _names_of(people)
    for event in session.exec(select(AuditEvent).where(AuditEvent.program_id == program.id)):
        detail = dict(event.detail)
        for key in PARTICIPANT_LISTS:
            if isinstance(detail.get(key), list):
                detail[key] = [person for person in detail[key] if person not in gone]
        for key in NAMING_TEXTS:
            if isinstance(detail.get(key), str):
                detail[key] = names.sub(ERASED_MENTION, detail[key])
            elif isinstance(detail.get(key), list):
                detail[key] = [names.sub(ERASED_MENTION, words) if isinstance(words, str) else words
                               for words in detail[key]]  # fmt: skip
        if detail != event.detail:
            event.detail = detail
            session.add(event)


def _names_of(people: Sequence[Participant]) -> re.Pattern[str]:
    """Their display names as whole words, longest first; a pattern that finds nothing when none is left."""
    names = sorted({person.display_name for person in people if person.display_name != ERASED_NAME}, key=len)
    if not names:
        return re.compile(r"(?!)")
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(name) for name in reversed(names)) + r")(?!\w)")


def _forget_avoid_requests(session: Session, program: Program, ids: set[int]) -> None:
    """Others asked not to be grouped with them: with them gone, those requests name no one."""
    for person_id, avoid in session.exec(
        select(Participant.id, Participant.avoid).where(Participant.program_id == program.id)
    ).all():
        if ids.intersection(avoid):
            session.exec(
                update(Participant)
                .where(Participant.id == person_id)
                .values(avoid=[other for other in avoid if other not in ids])
            )


# Rows themselves ----------------------------------------------------------------------------------------


def _empty(row: SQLModel, zone: ZoneInfo, **values: Any) -> None:
    """Every column of `row` not kept (see `KEPT`) to `values`, else to its empty value: None where it may
    be, the model's default otherwise; a time that may not be empty keeps its week only."""
    model = type(row)
    for column in model.__table__.columns:
        name = column.key
        if name in KEPT[model]:
            continue
        if name in values:
            value = values[name]
        elif column.nullable:
            value = None
        elif isinstance(current := getattr(row, name), datetime):
            value = _week_start(current, zone)
        else:
            value = model.model_fields[name].get_default(call_default_factory=True)
            if value is PydanticUndefined:
                raise ValueError(
                    f"erasure does not know what {model.__name__}.{name} should hold once erased"
                )
        setattr(row, name, value)


def _week_start(moment: datetime, zone: ZoneInfo) -> datetime:
    """Monday 00:00 of the moment's week in `zone` (the program's, which reports count weeks in), in UTC."""
    day = moment.astimezone(zone).date()
    return datetime.combine(day - timedelta(days=day.weekday()), time(), zone).astimezone(UTC)
