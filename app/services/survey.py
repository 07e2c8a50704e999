"""The follow-up survey: finding whom a survey link was made for, keeping their answers, the "sorry we
missed you" path for people who registered but never joined, and the program's own questions.

Answers and questions are checked first, by `app.inputs.survey_answers` and `app.inputs.survey_questions`
(which also says how a program's questions are kept).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time
from enum import StrEnum
from typing import Any, NamedTuple

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.database import utcnow
from app.i18n import DEFAULT_LOCALE
from app.inputs.survey_answers import Answers
from app.inputs.survey_questions import SCALE, validate_survey_settings
from app.links import LinkError, read_token
from app.messages.queue import cancel_messages
from app.models import (
    Attendance,
    Cohort,
    CohortMember,
    Coordinator,
    Meeting,
    MeetingStatus,
    Participant,
    ParticipantStatus,
    Program,
    SurveyReceipt,
    SurveyResponse,
)
from app.services.audit import record_event
from app.services.programs import record_change
from app.services.zoom_operations import leave_zoom_meetings

# Response ids are drawn at random from here (see `_add_answers`).
_RESPONSE_IDS = (2**20, 2**31 - 1)


class SurveyState(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    ERASED = "erased"
    CANCELLED = "cancelled"


class AlreadyAnswered(Exception):
    """This participant has answered this meeting's survey already (perhaps a moment ago, in another tab)."""


class SurveyInvitation(NamedTuple):
    participant: Participant
    meeting: Meeting
    program: Program


def find_survey_invitation(session: Session, token: str) -> SurveyInvitation:
    """Whom and which meeting a survey link was made for; `LinkError` for a bad, old or foreign link."""
    payload = read_token("survey", token)
    participant = session.get(Participant, payload.get("p"))
    meeting = session.get(Meeting, payload.get("m"))
    if participant is None or meeting is None:
        raise LinkError("This link is not valid.")
    program = session.get(Program, session.get(Cohort, meeting.cohort_id).program_id)
    if participant.program_id != program.id:
        raise LinkError("This link is not valid.")
    return SurveyInvitation(participant, meeting, program)


def survey_state(session: Session, invitation: SurveyInvitation) -> SurveyState:
    if invitation.participant.status == ParticipantStatus.ERASED:
        return SurveyState.ERASED
    if invitation.meeting.status == MeetingStatus.CANCELLED:
        return SurveyState.CANCELLED
    if has_answered(session, invitation.meeting.id, invitation.participant.id):
        return SurveyState.ANSWERED
    return SurveyState.OPEN


def has_answered(session: Session, meeting_id: int, participant_id: int) -> bool:
    receipt = select(SurveyReceipt.id).where(
        SurveyReceipt.meeting_id == meeting_id, SurveyReceipt.participant_id == participant_id
    )
    return session.exec(receipt).first() is not None


def missed_meeting(session: Session, meeting: Meeting, participant_id: int) -> bool:
    """Whether this participant never joined a meeting we know was held (Zoom told us it started, or that
    someone joined). Without any attendance data (webhooks not set up) nobody counts as missing."""
    attended = select(Attendance.id).where(Attendance.meeting_id == meeting.id)
    if session.exec(attended.where(Attendance.participant_id == participant_id)).first() is not None:
        return False
    return meeting.started_at is not None or session.exec(attended).first() is not None


# Answering ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShownQuestion:
    """A question as the page asks it, in one language; `options` are (value, label, hint) for the radios."""

    key: str
    kind: str
    required: bool
    text: str
    options: tuple[tuple[str, str, str | None], ...] = ()


def questions_in(program: Program, locale: str) -> list[ShownQuestion]:
    """The program's questions worded in `locale`, each text falling back to English."""
    return [_shown(question, locale) for question in program.survey_questions]


def _shown(question: Mapping[str, Any], locale: str) -> ShownQuestion:
    kind = question["kind"]
    if kind == "scale":
        ends = {
            SCALE[0]: _words(question.get("low"), locale),
            SCALE[-1]: _words(question.get("high"), locale),
        }
        options = tuple((str(n), f"{n} – {ends[n]}" if ends.get(n) else str(n), None) for n in SCALE)
    else:
        options = tuple(
            (option["value"], _words(option["text"], locale), None) for option in question.get("options", ())
        )
    return ShownQuestion(
        question["key"], kind, bool(question.get("required")), _words(question["text"], locale), options
    )


def _words(texts: Mapping[str, str] | None, locale: str) -> str:
    texts = texts or {}
    return texts.get(locale) or texts.get(DEFAULT_LOCALE) or next(iter(texts.values()), "")


def submit_answers(
    session: Session, invitation: SurveyInvitation, answers: Answers, *, now: datetime
) -> SurveyResponse:
    """Keep the answers and a receipt that this person answered, together; `AlreadyAnswered` when a receipt
    is there already (the unique receipt settles two submissions racing each other)."""
    participant, meeting, program = invitation
    response = _add_answers(session, invitation, answers, now)
    record_event(
        session, "survey.answered", actor="participant", program_id=program.id,
        subject=("participant", participant.id), meeting_id=meeting.id,
    )  # fmt: skip
    session.flush()
    return response


def answer_day(moment: datetime) -> datetime:
    """What an answer kept without a name holds of when it was given: the day alone."""
    return datetime.combine(moment.date(), time(), moment.tzinfo)


def _add_answers(session: Session, invitation: SurveyInvitation, answers: Answers, now: datetime):
    """The response row gets a random id and an anonymous one only the day: with ids counting up, the n-th
    receipt of a meeting would point at its n-th response, and the time at its author."""
    participant, meeting, _program = invitation
    for _attempt in range(3):
        response = SurveyResponse(
            id=secrets.randbelow(_RESPONSE_IDS[1] - _RESPONSE_IDS[0]) + _RESPONSE_IDS[0],
            meeting_id=meeting.id,
            participant_id=None if answers.anonymous else participant.id,
            response_key=secrets.token_urlsafe(32),
            anonymous=answers.anonymous,
            answers=dict(answers.values),
            submitted_at=answer_day(now) if answers.anonymous else now,
        )
        try:
            with session.begin_nested():
                session.add(SurveyReceipt(meeting_id=meeting.id, participant_id=participant.id))
                session.add(response)
        except IntegrityError:
            if has_answered(session, meeting.id, participant.id):
                raise AlreadyAnswered from None
            continue  # the random id was taken: draw again
        return response
    raise RuntimeError("could not store a survey response")


# Another group, for someone who missed the meeting ---------------------------------------------------


def still_in_group(session: Session, invitation: SurveyInvitation) -> bool:
    """Whether the participant still has their place in the cohort of the meeting they missed."""
    member = select(CohortMember.id).where(
        CohortMember.participant_id == invitation.participant.id,
        CohortMember.cohort_id == invitation.meeting.cohort_id,
    )
    return session.exec(member).first() is not None


def ask_for_another_group(session: Session, invitation: SurveyInvitation) -> None:
    """Take the participant out of the cohort whose meeting they missed, so the next matching places them
    anew; what was still to come for that cohort is dropped."""
    participant, meeting, program = invitation
    session.exec(
        delete(CohortMember).where(
            CohortMember.participant_id == participant.id, CohortMember.cohort_id == meeting.cohort_id
        )
    )
    for meeting_id in session.exec(select(Meeting.id).where(Meeting.cohort_id == meeting.cohort_id)).all():
        cancel_messages(session, meeting_id=meeting_id, participant_id=participant.id)
    leave_zoom_meetings(session, meeting.cohort_id, participant.id, now=utcnow())
    participant.waitlist_reason = participant.waitlist_detail = None
    session.add(participant)
    record_event(
        session, "participant_asked_for_another_group", actor="participant", program_id=program.id,
        subject=("participant", participant.id), cohort_id=meeting.cohort_id, meeting_id=meeting.id,
    )  # fmt: skip
    session.flush()


# The program's questions, edited in the console --------------------------------------------------------


def update_survey_settings(
    session: Session, program: Program, data: Mapping[str, Any], *, by: Coordinator
) -> list[str]:
    """Apply checked survey settings; returns what changed (nothing changed: nothing is recorded)."""
    before = list(program.survey_questions)
    settings = validate_survey_settings(data, before, _answered_keys(session, program))
    changes = {
        "survey_questions": list(settings.questions),
        "survey_anonymous": settings.anonymous,
        "survey_reminder_days": settings.reminder_days,
    }
    changed = [name for name, value in changes.items() if getattr(program, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(program, name, changes[name])
    session.add(program)
    old_keys, new_keys = [q["key"] for q in before], [q["key"] for q in settings.questions]
    record_change(
        session, "program.survey_changed", program, by, subject=("program", program.id), fields=changed,
        added=[key for key in new_keys if key not in old_keys],
        removed=[key for key in old_keys if key not in new_keys],
    )  # fmt: skip
    session.flush()
    return changed


def _answered_keys(session: Session, program: Program) -> set[str]:
    """Every question key an answer of this program was ever stored under, removed questions' too."""
    stored = session.exec(
        select(SurveyResponse.answers)
        .join(Meeting, Meeting.id == SurveyResponse.meeting_id)
        .join(Cohort, Cohort.id == Meeting.cohort_id)
        .where(Cohort.program_id == program.id)
    )
    return {key for answers in stored for key in answers}
