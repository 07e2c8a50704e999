"""Who came to a meeting, as its host or the coordinator marks it after the meeting, starting from Zoom's
report; and the questions the survey, "sorry we missed you" and the no-show rule ask of it.

A mark outranks Zoom: once a meeting has marks, whoever is not marked present did not come, whatever Zoom
says, and whoever is marked present came (by phone, on someone else's link). Without marks, Zoom's report
stands as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, or_
from sqlmodel import Session, select

from app.models import Attendance, CohortMember, MarkedAttendance, Meeting, MeetingStatus, Participant
from app.services.audit import record_event


@dataclass(frozen=True)
class SheetRow:
    """One member on the attendance sheet: what Zoom reported, and their mark if there is one."""

    participant_id: int
    display_name: str
    zoom_joined: bool
    marked: bool | None

    @property
    def present(self) -> bool:
        """What the sheet starts from: the mark, else Zoom's report."""
        return self.zoom_joined if self.marked is None else self.marked


def may_mark(meeting: Meeting, now: datetime) -> bool:
    """Attendance is marked once the meeting is over (Zoom said it ended, or its planned end has passed)."""
    if meeting.status == MeetingStatus.CANCELLED:
        return False
    return meeting.ended_at is not None or meeting.ends_at <= now


def attendance_sheet(session: Session, meeting: Meeting) -> list[SheetRow]:
    """The group's members by display name, with what Zoom reported and how they were marked."""
    joined = exists().where(Attendance.meeting_id == meeting.id, Attendance.participant_id == Participant.id)
    rows = session.exec(
        select(Participant.id, Participant.display_name, joined, MarkedAttendance.present)
        .join(CohortMember, CohortMember.participant_id == Participant.id)
        .join(
            MarkedAttendance,
            (MarkedAttendance.participant_id == Participant.id) & (MarkedAttendance.meeting_id == meeting.id),
            isouter=True,
        )
        .where(CohortMember.cohort_id == meeting.cohort_id)
        .order_by(Participant.display_name, Participant.id)
    ).all()
    return [SheetRow(pid, name, bool(zoom), marked) for pid, name, zoom, marked in rows]


def mark_attendance(
    session: Session,
    meeting: Meeting,
    present: set[int],
    *,
    by: str,
    program_id: int,
    now: datetime,
    coordinator_id: int | None = None,
) -> list[SheetRow]:
    """Mark every member of the group present (their id in `present`) or absent; `by` is "host" or the
    coordinator's email. Ids of people outside the group are ignored. Audited with the counts, not names."""
    sheet = attendance_sheet(session, meeting)
    marks = {
        mark.participant_id: mark
        for mark in session.exec(select(MarkedAttendance).where(MarkedAttendance.meeting_id == meeting.id))
    }
    for row in sheet:
        mark = marks.get(row.participant_id) or MarkedAttendance(
            meeting_id=meeting.id, participant_id=row.participant_id, present=False, marked_by=by
        )
        mark.present, mark.marked_by, mark.marked_at = row.participant_id in present, by, now
        session.add(mark)
    came = sum(row.participant_id in present for row in sheet)
    record_event(
        session, "meeting.attendance_marked", actor=by, coordinator_id=coordinator_id, program_id=program_id,
        subject=("meeting", meeting.id), present=came, absent=len(sheet) - came,
    )  # fmt: skip
    session.flush()
    return attendance_sheet(session, meeting)


def marked(session: Session, meeting_id: int, participant_id: int) -> bool | None:
    """Whether the member was marked present, absent, or (None) the meeting has no marks."""
    if session.exec(select(MarkedAttendance.id).where(MarkedAttendance.meeting_id == meeting_id)).first():
        return (
            session.exec(
                select(MarkedAttendance.id).where(
                    MarkedAttendance.meeting_id == meeting_id,
                    MarkedAttendance.participant_id == participant_id,
                    MarkedAttendance.present,
                )
            ).first()
            is not None
        )
    return None


def held_expression():
    """SQL: the `Meeting` took place as far as we know: Zoom said it started, someone joined in Zoom, or
    someone was marked present."""
    return or_(
        Meeting.started_at.is_not(None),
        exists().where(Attendance.meeting_id == Meeting.id),
        exists().where(MarkedAttendance.meeting_id == Meeting.id, MarkedAttendance.present),
    )


def came_expression():
    """SQL: the `Participant` came to the `Meeting`: marked present, or, for a meeting without marks, seen
    by Zoom."""
    marks = exists().where(MarkedAttendance.meeting_id == Meeting.id)
    marked_present = exists().where(
        MarkedAttendance.meeting_id == Meeting.id,
        MarkedAttendance.participant_id == Participant.id,
        MarkedAttendance.present,
    )
    zoom_joined = exists().where(
        Attendance.meeting_id == Meeting.id, Attendance.participant_id == Participant.id
    )
    return or_(marked_present, ~marks & zoom_joined)


def was_held(session: Session, meeting: Meeting) -> bool:
    return (
        session.exec(select(Meeting.id).where(Meeting.id == meeting.id, held_expression())).first()
        is not None
    )


def never_started(session: Session, meeting_ids: list[int], *, now: datetime) -> set[int]:
    """Of these meetings, those whose planned end has passed with no sign they took place: the coordinator
    should mark attendance (someone may have dialled in) or cancel."""
    if not meeting_ids:
        return set()
    meetings = session.exec(
        select(Meeting).where(
            Meeting.id.in_(meeting_ids),
            Meeting.status != MeetingStatus.CANCELLED,
            Meeting.starts_at <= now,
            ~held_expression(),
        )
    ).all()
    return {meeting.id for meeting in meetings if meeting.ends_at <= now}
