"""What approving a program's cohorts should leave queued, and what it did: one row per message and Zoom call,
named by what it is for, so two runs can be compared and a missing or doubled row shows by name."""

from __future__ import annotations

from collections import Counter

from sqlmodel import Session, select

from app.messages.kinds import KINDS, MEMBER_SCHEDULE, Channel, MessageKind
from app.models import (
    Cohort,
    CohortMember,
    CohortStatus,
    Host,
    Meeting,
    OutboundMessage,
    Participant,
    Program,
    ZoomOperation,
    ZoomOperationKind,
)
from app.services.text_consent import may_text


def queued(session: Session, program_id: int) -> Counter[tuple]:
    """Every message and Zoom call of the program's meetings, and every "still waiting" message, counted (a
    text as its kind followed by ":sms")."""
    messages = [
        (_by(kind, channel), *row)
        for kind, channel, *row in session.exec(
            select(OutboundMessage.kind, OutboundMessage.channel, OutboundMessage.meeting_id,
                   OutboundMessage.participant_id, OutboundMessage.host_id)
            .where(OutboundMessage.program_id == program_id)
        ).all()
    ]  # fmt: skip
    calls = session.exec(
        select(ZoomOperation.kind, ZoomOperation.meeting_id, ZoomOperation.participant_id)
        .join(Meeting, Meeting.id == ZoomOperation.meeting_id)
        .join(Cohort, Cohort.id == Meeting.cohort_id)
        .where(Cohort.program_id == program_id)
    ).all()
    return Counter(tuple(row) for row in messages) + Counter(("zoom", *row) for row in calls)


def expected(session: Session, program_id: int) -> Counter[tuple]:
    """What every approved cohort's meeting needs, once each: its Zoom meeting, each member's registration and
    messages (and texts, to those who may be texted), its host's briefing and debrief; and one "still waiting"
    message to each person the match left out."""
    rows: Counter[tuple] = Counter()
    program = session.get(Program, program_id)
    texted = [kind for kind in MEMBER_SCHEDULE if Channel.SMS in KINDS[kind].channels]
    approved = session.exec(
        select(Cohort).where(Cohort.program_id == program_id, Cohort.status == CohortStatus.APPROVED)
    ).all()
    for cohort in approved:
        [meeting] = session.exec(select(Meeting).where(Meeting.cohort_id == cohort.id)).all()
        rows[("zoom", ZoomOperationKind.CREATE, meeting.id, None)] += 1
        members = session.exec(
            select(Participant).join(CohortMember).where(CohortMember.cohort_id == cohort.id)
        ).all()
        for member in members:
            rows[("zoom", ZoomOperationKind.REGISTER, meeting.id, member.id)] += 1
            rows.update((kind, meeting.id, member.id, None) for kind in MEMBER_SCHEDULE)
            if may_text(program, member):
                rows.update((_by(kind, Channel.SMS), meeting.id, member.id, None) for kind in texted)
        host = session.get(Host, cohort.host_id) if cohort.host_id else None
        if host is not None and host.active:
            rows[(MessageKind.HOST_BRIEFING, meeting.id, None, host.id)] += 1
            rows[(MessageKind.HOST_DEBRIEF, meeting.id, None, host.id)] += 1
    waiting = session.exec(
        select(Participant.id).where(
            Participant.program_id == program_id, Participant.waitlist_reason.is_not(None)
        )
    )
    rows.update((MessageKind.WAITLISTED, None, person, None) for person in waiting)
    return rows


def _by(kind: str, channel: str) -> str:
    return kind if channel == Channel.EMAIL else f"{kind}:{channel}"
