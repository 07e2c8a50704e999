"""The demo's group that has already met: yesterday's meeting of host Jonah's group, with what Zoom reported
for some of its members, so a fresh checkout shows a host marking who came and answering their debrief.

The group's five members are synthetic like every demo registrant, with addresses of their own, so they
never take a place the matcher would give someone else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from app.messages.kinds import MessageKind
from app.messages.queue import queue_meeting_message
from app.models import (
    Attendance,
    Cohort,
    CohortMember,
    CohortStatus,
    Condition,
    Host,
    Meeting,
    Participant,
    ParticipantStatus,
    Program,
    Role,
    Stage,
)

PAST_HOST = "Jonah"
PAST_CONDITION = "cll"
PAST_STAGES = ("watch-and-wait", "in-treatment")
# The members by display name, and whether Zoom saw them join: the last two dialled in by phone or missed
# it, which only the host can tell.
PAST_MEMBERS = (("Alma", True), ("Bruno", True), ("Cleo", True), ("Dario", False), ("Esme", False))
PAST_HOUR_UTC = 17  # 12:00 or 13:00 in New York, within Jonah's hours


@dataclass(frozen=True)
class PastMeeting:
    host: Host
    meeting: Meeting


def seed_past_meeting(session: Session, program: Program, *, now: datetime) -> PastMeeting:
    """The group that met yesterday, with Zoom's report and the host's debrief queued; made once, found
    again when seeding runs a second time."""
    host = session.exec(
        select(Host).where(Host.program_id == program.id, Host.display_name == PAST_HOST)
    ).one()
    first = session.exec(
        select(Participant).where(Participant.program_id == program.id, Participant.email == _email(1))
    ).first()
    if first is not None:
        meeting = session.exec(
            select(Meeting)
            .join(CohortMember, CohortMember.cohort_id == Meeting.cohort_id)
            .where(CohortMember.participant_id == first.id)
        ).one()
        return PastMeeting(host, meeting)
    return PastMeeting(host, _create_past_meeting(session, program, host, now=now))


def _create_past_meeting(session: Session, program: Program, host: Host, *, now: datetime) -> Meeting:
    starts_at = (now - timedelta(days=1)).replace(hour=PAST_HOUR_UTC, minute=0, second=0, microsecond=0)
    condition = session.exec(
        select(Condition).where(Condition.program_id == program.id, Condition.code == PAST_CONDITION)
    ).one()
    stages = session.exec(
        select(Stage).where(Stage.condition_id == condition.id, Stage.code.in_(PAST_STAGES))
    ).all()
    cohort = Cohort(
        program_id=program.id, condition_id=condition.id, role=Role.PATIENT, language="en",
        slot=starts_at.weekday() * 24 + starts_at.hour, host_id=host.id, status=CohortStatus.APPROVED,
        approved_at=starts_at - timedelta(days=7),
    )  # fmt: skip
    session.add(cohort)
    session.flush()
    meeting = Meeting(
        cohort_id=cohort.id, starts_at=starts_at, duration_minutes=program.meeting_minutes,
        zoom_meeting_id="90000000001", zoom_join_url="https://zoom.example/j/90000000001",
        calendar_uid=f"demo-past-{cohort.id}@peer-meetups", started_at=starts_at + timedelta(minutes=1),
        ended_at=starts_at + timedelta(minutes=program.meeting_minutes),
    )  # fmt: skip
    session.add(meeting)
    session.flush()
    for number, (name, zoom_saw) in enumerate(PAST_MEMBERS, start=1):
        member = _member(program, condition, stages[number % len(stages)], number, name, now=now)
        session.add(member)
        session.flush()
        session.add(CohortMember(cohort_id=cohort.id, participant_id=member.id))
        if zoom_saw:
            session.add(
                Attendance(
                    meeting_id=meeting.id, participant_id=member.id, joined_at=meeting.started_at,
                    left_at=meeting.ended_at, zoom_participant_key=f"demo-past-{number}",
                )
            )  # fmt: skip
    queue_meeting_message(
        session, MessageKind.HOST_DEBRIEF, program, meeting, now=now, recipient=host.email,
        locale=program.default_locale, host_id=host.id,
        dedupe_key=f"{MessageKind.HOST_DEBRIEF}:meeting-{meeting.id}:host-{host.id}",
    )  # fmt: skip
    session.flush()
    return meeting


def _member(
    program: Program, condition: Condition, stage: Stage, number: int, name: str, *, now: datetime
) -> Participant:
    return Participant(
        program_id=program.id, email=_email(number), display_name=name, role=Role.PATIENT,
        condition_id=condition.id, stage_id=stage.id, timezone="America/New_York", languages=["en"],
        availability=[{"weekday": day, "start": "11:00", "end": "15:00"} for day in range(5)],
        accessibility_needs=["captions"] if number == 2 else [], status=ParticipantStatus.VERIFIED,
        consent_version=program.privacy_notice_version, verified_at=now - timedelta(days=30),
    )  # fmt: skip


def _email(number: int) -> str:
    return f"demo-past-member-{number}@example.org"
