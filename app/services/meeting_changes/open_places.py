"""The places members leave in an approved cohort, shown to the coordinator until they backfill the cohort or
dismiss the notice."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from app.bulk import rows_keyed_by
from app.database import utcnow
from app.models import (
    AuditEvent,
    Cohort,
    CohortStatus,
    Meeting,
    Participant,
    Program,
)
from app.services.audit import record_event
from app.services.meeting_changes import MeetingChangeError
from app.services.meeting_changes.lookups import upcoming_meetings_of
from app.services.meeting_setup import member_counts

LEFT_ACTIONS = ("participant_withdrew", "participant_erased")
# A withdrawal counts as handled once the coordinator backfilled the cohort or dismissed the notice.
BACKFILLED = "cohort.backfilled"
DISMISSED = "cohort.open_place_dismissed"


@dataclass(frozen=True)
class Leaver:
    name: str
    left_at: datetime
    erased: bool

    @property
    def description(self) -> str:
        return "someone who asked to be deleted" if self.erased else self.name


@dataclass(frozen=True)
class OpenPlace:
    """An approved cohort with a meeting still to come that members left since it was last looked after."""

    cohort: Cohort
    meeting: Meeting
    left: list[Leaver]
    members_now: int
    places_open: int

    @property
    def summary(self) -> str:
        who = ", ".join(leaver.description for leaver in self.left)
        places = "1 place is" if self.places_open == 1 else f"{self.places_open} places are"
        return f"Group {self.cohort.id}: {who} left. {places} open; {self.members_now} members remain."


def open_places(session: Session, program: Program, *, now: datetime | None = None) -> list[OpenPlace]:
    """Approved cohorts with a meeting to come that members left, until the coordinator backfills the
    cohort or dismisses the notice; soonest meeting first. The cohorts, their meetings, their members and
    those who left are each read in one statement, however many places are open."""
    now = now or utcnow()
    departures = _unhandled_departures(session, program)
    cohorts = rows_keyed_by(session, Cohort.id, list(departures))
    approved = [cohort_id for cohort_id, cohort in cohorts.items() if cohort.status == CohortStatus.APPROVED]
    meetings = {
        cohort_id: upcoming[0] for cohort_id, upcoming in upcoming_meetings_of(session, approved, now).items()
    }
    members = member_counts(session, list(meetings))
    named = [
        int(event.subject_id) for cohort_id in meetings for event in departures[cohort_id] if event.subject_id
    ]
    leavers = rows_keyed_by(session, Participant.id, named)
    places = [
        _open_place(program, cohorts[cohort_id], meeting, members[cohort_id], events, leavers)
        for cohort_id, events in departures.items()
        if (meeting := meetings.get(cohort_id)) is not None
    ]
    return sorted(places, key=lambda place: place.meeting.starts_at)


def dismiss_open_place(
    session: Session, cohort: Cohort, *, actor: str, coordinator_id: int | None = None
) -> None:
    """The coordinator saw who left and keeps the cohort as it is."""
    program = session.get(Program, cohort.program_id)
    if cohort.id not in _unhandled_departures(session, program):
        raise MeetingChangeError(f"No one has left group {cohort.id} since it was last looked at.")
    record_event(
        session, DISMISSED, actor=actor, coordinator_id=coordinator_id, program_id=program.id,
        subject=("cohort", cohort.id),
    )  # fmt: skip
    session.flush()


def _unhandled_departures(session: Session, program: Program) -> dict[int, list[AuditEvent]]:
    """Each cohort's departures (withdrawals, erasures) since it was last backfilled or dismissed."""
    events = session.exec(
        select(AuditEvent)
        .where(
            AuditEvent.program_id == program.id,
            AuditEvent.action.in_((*LEFT_ACTIONS, BACKFILLED, DISMISSED)),
        )
        .order_by(AuditEvent.id)
    ).all()
    departures: dict[int, list[AuditEvent]] = defaultdict(list)
    for event in events:
        if event.action in LEFT_ACTIONS and event.detail.get("cohort_id"):
            departures[int(event.detail["cohort_id"])].append(event)
        elif event.action in (BACKFILLED, DISMISSED) and event.subject_type == "cohort":
            departures.pop(int(event.subject_id), None)
    return departures


def _open_place(
    program: Program,
    cohort: Cohort,
    meeting: Meeting,
    members_now: int,
    events: list[AuditEvent],
    people: dict[int, Participant],
) -> OpenPlace:
    left = [_leaver(event, people) for event in events]
    return OpenPlace(
        cohort=cohort,
        meeting=meeting,
        left=left,
        members_now=members_now,
        places_open=min(len(left), max(program.max_size - members_now, 0)),
    )


def _leaver(event: AuditEvent, people: dict[int, Participant]) -> Leaver:
    """Who left, as their departure was recorded; the log no longer names someone erased since."""
    person = people.get(int(event.subject_id)) if event.subject_id else None
    if person is None:
        return Leaver(name="", left_at=event.at, erased=True)
    return Leaver(name=person.display_name, left_at=event.at, erased=event.action == "participant_erased")
