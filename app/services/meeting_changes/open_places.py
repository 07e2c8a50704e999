"""The places members leave in an approved cohort, shown to the coordinator until they backfill the cohort or
dismiss the notice."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from app.bulk import in_batches
from app.database import utcnow
from app.models import (
    AuditEvent,
    Cohort,
    CohortMember,
    CohortStatus,
    Meeting,
    MeetingStatus,
    Participant,
    Program,
)
from app.services.audit import record_event
from app.services.meeting_changes import MeetingChangeError

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
    cohorts = _approved(session, list(departures))
    meetings = _upcoming_meetings(session, list(cohorts), now)
    members = _member_counts(session, list(meetings))
    leavers = _leavers(session, [event for cohort_id in meetings for event in departures[cohort_id]])
    places = [
        _open_place(program, cohorts[cohort_id], meeting, members.get(cohort_id, 0), events, leavers)
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


def _approved(session: Session, cohort_ids: list[int]) -> dict[int, Cohort]:
    return {
        cohort.id: cohort
        for batch in in_batches(cohort_ids)
        for cohort in session.exec(
            select(Cohort).where(Cohort.id.in_(batch), Cohort.status == CohortStatus.APPROVED)
        )
    }


def _upcoming_meetings(session: Session, cohort_ids: list[int], now: datetime) -> dict[int, Meeting]:
    """Each of these cohorts' next meeting that is not over and not cancelled (as `upcoming_meeting`)."""
    upcoming: dict[int, Meeting] = {}
    for batch in in_batches(cohort_ids):
        for meeting in session.exec(
            select(Meeting)
            .where(
                Meeting.cohort_id.in_(batch),
                Meeting.status.in_((MeetingStatus.SCHEDULED, MeetingStatus.STARTED)),
            )
            .order_by(Meeting.cohort_id, Meeting.number)
        ):
            if meeting.ends_at > now:
                upcoming.setdefault(meeting.cohort_id, meeting)
    return upcoming


def _member_counts(session: Session, cohort_ids: list[int]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for batch in in_batches(cohort_ids):
        counts.update(
            session.exec(
                select(CohortMember.cohort_id, func.count())
                .where(CohortMember.cohort_id.in_(batch))
                .group_by(CohortMember.cohort_id)
            ).all()
        )
    return counts


def _leavers(session: Session, events: list[AuditEvent]) -> dict[int, Participant]:
    """The registrants these departures name, by id: those erased since are no longer there."""
    people: dict[int, Participant] = {}
    for batch in in_batches([int(event.subject_id) for event in events if event.subject_id]):
        people.update(
            (person.id, person)
            for person in session.exec(select(Participant).where(Participant.id.in_(batch)))
        )
    return people


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
