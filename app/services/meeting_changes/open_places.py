"""The places members leave in an approved cohort, shown to the coordinator until they backfill the cohort or
dismiss the notice."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from app.database import utcnow
from app.models import AuditEvent, Cohort, CohortStatus, Meeting, Participant, Program
from app.services.audit import record_event
from app.services.meeting_changes import MeetingChangeError
from app.services.meeting_changes.lookups import upcoming_meeting
from app.services.meeting_setup import cohort_members

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
    cohort or dismisses the notice; soonest meeting first."""
    now = now or utcnow()
    places = []
    for cohort_id, events in _unhandled_departures(session, program).items():
        cohort = session.get(Cohort, cohort_id)
        meeting = upcoming_meeting(session, cohort, now) if cohort.status == CohortStatus.APPROVED else None
        if meeting is not None:
            places.append(_open_place(session, program, cohort, meeting, events))
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
    session: Session, program: Program, cohort: Cohort, meeting: Meeting, events: list[AuditEvent]
) -> OpenPlace:
    members_now = len(cohort_members(session, cohort))
    left = [_leaver(session, event) for event in events]
    return OpenPlace(
        cohort=cohort,
        meeting=meeting,
        left=left,
        members_now=members_now,
        places_open=min(len(left), max(program.max_size - members_now, 0)),
    )


def _leaver(session: Session, event: AuditEvent) -> Leaver:
    """Who left, as their departure was recorded; the log no longer names someone erased since."""
    person = session.get(Participant, int(event.subject_id)) if event.subject_id else None
    if person is None:
        return Leaver(name="", left_at=event.at, erased=True)
    return Leaver(name=person.display_name, left_at=event.at, erased=event.action == "participant_erased")
