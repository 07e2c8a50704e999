"""Who attended a program's meetings: each meeting's people present and absent, and counts over many.

Read-only queries shaped for the console's pages, its CSV export and the program report.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from app.models import ERASED_REGISTRANT_KEY, Attendance, Meeting, MeetingRegistrant, Participant

UNKNOWN_PERSON = "Unknown participant"
ERASED_PERSON = "Erased registrant"


@dataclass(frozen=True)
class Presence:
    """One person's time in a meeting, every stretch of theirs taken together."""

    name: str
    known: bool
    first_join: datetime
    last_leave: datetime | None  # None while they are still in the meeting
    minutes: int


@dataclass(frozen=True)
class MeetingAttendance:
    present: list[Presence]
    absent: list[str]  # registered in Zoom, never joined
    registered: int

    @property
    def attended(self) -> int:
        """How many of those registered joined."""
        return self.registered - len(self.absent)


def meeting_attendance(session: Session, meeting: Meeting, *, now: datetime) -> MeetingAttendance:
    """Who came (people Zoom could not match to a registrant as "Unknown participant N"), and who did not."""
    stretches = session.exec(
        select(Attendance).where(Attendance.meeting_id == meeting.id).order_by(Attendance.joined_at)
    ).all()
    registered = dict(
        session.exec(
            select(MeetingRegistrant.participant_id, Participant.display_name)
            .join(Participant, Participant.id == MeetingRegistrant.participant_id)
            .where(MeetingRegistrant.meeting_id == meeting.id)
        ).all()
    )
    names = _names(session, {s.participant_id for s in stretches if s.participant_id} - registered.keys())
    names.update(registered)
    people: dict[int | str, list[Attendance]] = defaultdict(list)
    for stretch in stretches:
        people[stretch.participant_id or f"zoom:{stretch.zoom_participant_key}"].append(stretch)
    present, unnamed = [], Counter()
    for who, theirs in people.items():
        if isinstance(who, int):
            present.append(_presence(names[who], True, theirs, meeting, now))
            continue
        # An erased registrant still counts as registered and present, under no name.
        erased = _erased_registrant(theirs[0])
        label = ERASED_PERSON if erased else UNKNOWN_PERSON
        unnamed[label] += 1
        present.append(_presence(f"{label} {unnamed[label]}", erased, theirs, meeting, now))
    present.sort(key=lambda presence: (not presence.known, presence.name.casefold()))
    absent = sorted((name for who, name in registered.items() if who not in people), key=str.casefold)
    return MeetingAttendance(present, absent, len(registered) + unnamed[ERASED_PERSON])


def _erased_registrant(stretch: Attendance) -> bool:
    return stretch.zoom_participant_key.startswith(ERASED_REGISTRANT_KEY)


def _presence(
    name: str, known: bool, stretches: list[Attendance], meeting: Meeting, now: datetime
) -> Presence:
    spans = sorted((s.joined_at, _end(s, meeting, now)) for s in stretches)
    still_in = any(s.left_at is None for s in stretches)
    return Presence(
        name=name,
        known=known,
        first_join=spans[0][0],
        last_leave=None if still_in else max(s.left_at for s in stretches),
        minutes=_minutes(spans),
    )


def _end(stretch: Attendance, meeting: Meeting, now: datetime) -> datetime:
    """Where a stretch ends: its leave; while open, the meeting's end, or now while the meeting goes on."""
    if stretch.left_at is not None:
        return stretch.left_at
    if meeting.ended_at is not None and meeting.ended_at >= stretch.joined_at:
        return meeting.ended_at
    return max(now, stretch.joined_at)


def _minutes(spans: list[tuple[datetime, datetime]]) -> int:
    """Whole minutes covered by `spans` (sorted by start), counting time where they overlap once."""
    seconds, reach = 0.0, None
    for start, end in spans:
        start = max(start, reach) if reach else start
        if end > start:
            seconds += (end - start).total_seconds()
            reach = end
    return round(seconds / 60)


def _names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(
        session.exec(
            select(Participant.id, Participant.display_name).where(Participant.id.in_(list(ids)))
        ).all()
    )
