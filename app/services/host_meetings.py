"""A host's own meetings, as the page behind their signed link lists them, and starting one.

Zoom's start URL lets anyone holding it start the meeting as host and expires within hours, so it is never
emailed or stored: it is fetched from Zoom when the host presses start.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from sqlmodel import Session, select

from app.models import (
    Answer,
    Cohort,
    CohortMember,
    CohortStatus,
    Host,
    Meeting,
    MeetingStatus,
    Participant,
)
from app.services.access_needs import CAPTIONS
from app.services.host_pool import may_start
from app.services.marked_attendance import SheetRow, attendance_sheet, mark_attendance, may_mark
from app.services.meeting_answers import member_answers
from integrations.zoom.client import ZoomClient
from integrations.zoom.errors import ZoomError

logger = logging.getLogger(__name__)
# How long after a meeting its host may still mark who came (the coordinator may at any time).
MARK_WITHIN = timedelta(days=14)


class StartProblem(StrEnum):
    NOT_HOST = "not_host"
    CANCELLED = "cancelled"
    NOT_READY = "not_ready"
    ZOOM_DOWN = "zoom_down"


class StartRefused(Exception):
    """The meeting cannot be started through this link now; the host page says why, in the host's words."""

    def __init__(self, problem: StartProblem):
        super().__init__(problem.value)
        self.problem = problem


def list_host_meetings(session: Session, host: Host) -> list[Meeting]:
    """The meetings of the approved groups the host leads that are not cancelled, soonest first; none for a
    host who stopped."""
    if not host.active:
        return []
    return list(
        session.exec(
            select(Meeting)
            .join(Cohort, Cohort.id == Meeting.cohort_id)
            .where(Cohort.host_id == host.id, Cohort.status == CohortStatus.APPROVED)
            .where(Meeting.status != MeetingStatus.CANCELLED)
            .order_by(Meeting.starts_at)
        ).all()
    )


def fetch_start_url(session: Session, zoom: ZoomClient, host: Host | None, meeting: Meeting) -> str:
    """Zoom's start link for the meeting, fresh, when `host` may start it now; `StartRefused` otherwise."""
    if not may_start(session, host, meeting):
        raise StartRefused(StartProblem.NOT_HOST)
    return zoom_start_url(zoom, meeting)


def zoom_start_url(zoom: ZoomClient, meeting: Meeting) -> str:
    """Zoom's start link for the meeting, fresh, for whoever may start it (its host, or a coordinator of its
    program); `StartRefused` when the meeting is cancelled, not made yet, or Zoom does not answer."""
    if meeting.status == MeetingStatus.CANCELLED:
        raise StartRefused(StartProblem.CANCELLED)
    if not meeting.zoom_meeting_id:
        raise StartRefused(StartProblem.NOT_READY)
    try:
        return zoom.get_meeting(int(meeting.zoom_meeting_id)).start_url
    except ZoomError:
        logger.exception("could not fetch a start link for meeting %s", meeting.id)
        raise StartRefused(StartProblem.ZOOM_DOWN) from None


@dataclass(frozen=True)
class HostMember:
    """A member as their host sees them: never an email address or phone number. Of what would make taking
    part easier, only the needs ticked on the form are shown, never the free-text note: members are not asked
    whether that note may be shared with the host."""

    participant_id: int
    display_name: str
    languages: list[str]
    needs: list[str]
    answer: Answer | None


@dataclass(frozen=True)
class HostMeeting:
    meeting: Meeting
    members: list[HostMember]
    sheet: list[SheetRow]  # who came, for a meeting that is over; empty for one to come

    @property
    def captions(self) -> bool:
        """Whether a member asked for captions (they are turned on at Zoom, and the host should say so)."""
        return any(CAPTIONS in member.needs for member in self.members)


@dataclass(frozen=True)
class HostSchedule:
    upcoming: list[HostMeeting]  # soonest first, including one under way
    to_mark: list[HostMeeting]  # over within `MARK_WITHIN`, latest first


class MarkRefused(Exception):
    """The host may not mark this meeting's attendance (not theirs, not over yet, or too long ago)."""


def host_schedule(session: Session, host: Host, *, now: datetime) -> HostSchedule:
    """The host's meetings to come, with their members and answers, and the recent ones to mark."""
    meetings = list_host_meetings(session, host)
    members = _members(session, {meeting.cohort_id for meeting in meetings})
    upcoming, to_mark = [], []
    for meeting in meetings:
        if not may_mark(meeting, now):
            answers = {row.participant_id: row.answer for row in member_answers(session, meeting)}
            group = [
                replace(member, answer=answers.get(member.participant_id))
                for member in members[meeting.cohort_id]
            ]
            upcoming.append(HostMeeting(meeting, group, []))
        elif meeting.starts_at >= now - MARK_WITHIN:
            to_mark.append(
                HostMeeting(meeting, members[meeting.cohort_id], attendance_sheet(session, meeting))
            )
    return HostSchedule(upcoming, to_mark[::-1])


def mark_by_host(session: Session, host: Host, meeting: Meeting, present: set[int], *, now: datetime) -> None:
    """The host marks who came to a meeting of theirs that is over; `MarkRefused` otherwise."""
    if not (
        may_start(session, host, meeting)
        and may_mark(meeting, now)
        and meeting.starts_at >= now - MARK_WITHIN
    ):
        raise MarkRefused(meeting.id)
    mark_attendance(session, meeting, present, by="host", program_id=host.program_id, now=now)


def _members(session: Session, cohort_ids: set[int]) -> dict[int, list[HostMember]]:
    rows = session.exec(
        select(CohortMember.cohort_id, Participant.id, Participant.display_name, Participant.languages,
               Participant.accessibility_needs)
        .join(Participant, Participant.id == CohortMember.participant_id)
        .where(CohortMember.cohort_id.in_(list(cohort_ids)))
        .order_by(Participant.display_name, Participant.id)
    ).all()  # fmt: skip
    members: dict[int, list[HostMember]] = {cohort_id: [] for cohort_id in cohort_ids}
    for cohort_id, participant_id, name, languages, needs in rows:
        members[cohort_id].append(HostMember(participant_id, name, list(languages), list(needs), None))
    return members
