"""Erasing the personal data of finished programs once their retention period has passed.

A program is finished when registration is closed and its last meeting day (the later of its planned last
day and its last scheduled meeting) lies behind us. `retention_days` after that, every registrant and host
is erased by the same routine as "delete my data" (`app.services.erasure`; counts by condition, stage and
role stay for reports), and then what the program's meetings hold of people not linked to anyone:
anonymous free-text answers, which may name people, and attendees Zoom could not match to a registrant.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from app.models import Cohort, Host, Meeting, Participant, ParticipantStatus, Program
from app.services.audit import record_event
from app.services.erasure import (
    ERASED_HOST_NAME,
    erase_hosts,
    erase_meeting_traces,
    erase_participants,
)


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
            erased.append(_erase_program(session, program, now))
    return erased


def _erase_on(session: Session, program: Program) -> date | None:
    last_meeting = session.exec(
        select(func.max(Meeting.starts_at))
        .join(Cohort, Cohort.id == Meeting.cohort_id)
        .where(Cohort.program_id == program.id)
    ).one()
    days = [day for day in (program.last_meeting_on, last_meeting and last_meeting.date()) if day]
    return max(days) + timedelta(days=program.retention_days) if days else None


def _erase_program(session: Session, program: Program, now: datetime) -> Erasure:
    people = session.exec(
        select(Participant).where(
            Participant.program_id == program.id, Participant.status != ParticipantStatus.ERASED
        )
    ).all()
    erase_participants(session, people, actor="system", now=now)
    hosts = session.exec(
        select(Host).where(Host.program_id == program.id, Host.display_name != ERASED_HOST_NAME)
    ).all()
    erase_hosts(session, program, hosts)
    erase_meeting_traces(session, program)
    if people or hosts:
        record_event(
            session, "program.personal_data_erased", actor="system", program_id=program.id,
            participants=len(people), hosts=len(hosts),
        )  # fmt: skip
    session.flush()
    return Erasure(program.slug, len(people), len(hosts))
