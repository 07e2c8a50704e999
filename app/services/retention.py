"""Erasing the personal data of finished programs once their retention period has passed.

A program is finished when registration is closed and its last meeting day (the later of its planned last
day and its last scheduled meeting) lies behind us. `retention_days` after that, every registrant is erased
as if they had asked (counts by condition, stage and role stay for reports), hosts lose their names and
addresses, and free-text survey answers, which may name people, are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, update
from sqlmodel import Session, select

from app.models import (
    Cohort,
    Host,
    Meeting,
    MeetingRegistrant,
    OutboundMessage,
    Participant,
    ParticipantStatus,
    Program,
    SurveyResponse,
)
from app.services.audit import record_event
from app.services.selfservice import erase_participant

ERASED_HOST_NAME = "Former host"


@dataclass(frozen=True)
class Erasure:
    program: str
    participants: int
    hosts: int


def erase_expired_programs(session: Session, *, now: datetime) -> list[Erasure]:
    """Erase what every program past its retention period still holds; safe to run again and again."""
    erased = []
    for program in session.exec(select(Program).where(Program.registration_open.is_(False))).all():
        erase_on = _erase_on(session, program)
        if erase_on is not None and erase_on <= now.date():
            erased.append(_erase_program(session, program))
    return erased


def _erase_on(session: Session, program: Program) -> date | None:
    last_meeting = session.exec(
        select(func.max(Meeting.starts_at))
        .join(Cohort, Cohort.id == Meeting.cohort_id)
        .where(Cohort.program_id == program.id)
    ).one()
    days = [day for day in (program.last_meeting_on, last_meeting and last_meeting.date()) if day]
    return max(days) + timedelta(days=program.retention_days) if days else None


def _erase_program(session: Session, program: Program) -> Erasure:
    people = session.exec(
        select(Participant).where(
            Participant.program_id == program.id, Participant.status != ParticipantStatus.ERASED
        )
    ).all()
    for person in people:
        erase_participant(session, person)
    hosts = session.exec(
        select(Host).where(Host.program_id == program.id, Host.display_name != ERASED_HOST_NAME)
    ).all()
    for host in hosts:
        _erase_host(session, host)
    _forget_meeting_traces(session, program)
    if people or hosts:
        record_event(
            session, "program.personal_data_erased", actor="system", program_id=program.id,
            participants=len(people), hosts=len(hosts),
        )  # fmt: skip
    session.flush()
    return Erasure(program.slug, len(people), len(hosts))


def _erase_host(session: Session, host: Host) -> None:
    host.display_name = ERASED_HOST_NAME
    host.email = f"erased-host-{host.id}@invalid"
    host.zoom_user = ""
    host.availability = []
    host.active = False
    session.add(host)
    session.exec(update(OutboundMessage).where(OutboundMessage.host_id == host.id).values(recipient=None))


def _forget_meeting_traces(session: Session, program: Program) -> None:
    """Personal join links, and survey answers in people's own words."""
    meetings = (
        select(Meeting.id).join(Cohort, Cohort.id == Meeting.cohort_id).where(Cohort.program_id == program.id)
    )
    session.exec(
        update(MeetingRegistrant).where(MeetingRegistrant.meeting_id.in_(meetings)).values(join_url=None)
    )
    # Only answers picked from a list are kept; anything else, even of a question since removed, may be words.
    picked = {question["key"] for question in program.survey_questions if question.get("kind") != "text"}
    for response in session.exec(select(SurveyResponse).where(SurveyResponse.meeting_id.in_(meetings))):
        kept = {key: value for key, value in response.answers.items() if key in picked}
        if kept != response.answers or response.participant_id is not None:
            response.answers, response.participant_id = kept, None
            session.add(response)
