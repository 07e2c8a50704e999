"""Meeting again: whether a group wants to, and its next meet-up (or a series of them) with the same people.

A later meet-up is set up exactly like the first one (see `app.services.approval.set_up_meeting`): its own
calendar UID, its own Zoom meeting and registrations, the invitation, tips, reminder and survey for every
member, and the host's briefing. Times follow the program's clock: the same weekday and local hour, so a
daylight-saving change moves the hour in UTC rather than on people's calendars.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, select

from app.database import utcnow
from app.models import (
    Cohort,
    CohortStatus,
    Meeting,
    MeetingStatus,
    Program,
    SurveyResponse,
)
from app.reading_zone import written
from app.services.audit import record_event
from app.services.locks import hold
from app.services.meeting_setup import cohort_members, member_counts, set_up_meeting
from app.services.zoom_pool import ZoomPoolError

MEET_AGAIN = "meet_again"  # the survey question whose answers tell whether a group wants to meet again
DEFAULT_WEEKS = 4
MAX_SERIES = 12
MAX_WEEKS_APART = 12
# In a series, each meet-up's invitation goes out this long after the one before ended: one at a time.
INVITE_AFTER = timedelta(days=1)


class FollowUpError(ValueError):
    """The next meet-up cannot be scheduled as asked; the message says why in plain words."""


@dataclass(frozen=True)
class MeetAgainInterest:
    """What the group said about meeting again after its latest meet-up; counts only, never names."""

    meeting: Meeting | None  # the latest meet-up that has taken place, if any
    members: int
    answered: int = 0
    yes: int = 0
    maybe: int = 0
    no: int = 0

    @property
    def wanted(self) -> bool:
        """More than half of the group as it is now said yes."""
        return self.members > 0 and self.yes * 2 > self.members

    @property
    def summary(self) -> str:
        """E.g. "5 of 6 answered; 4 want to meet again, 1 maybe"."""
        if not self.answered:
            return f"No one has answered the survey yet ({_people(self.members, 'member')})."
        words = [f"{self.yes} {'wants' if self.yes == 1 else 'want'} to meet again"]
        if self.maybe:
            words.append(f"{self.maybe} maybe")
        if self.no:
            words.append(f"{self.no} would rather not")
        return f"{self.answered} of {self.members} answered; {', '.join(words)}"


@dataclass(frozen=True)
class MeetAgainPanel:
    """What the cohort page shows about meeting again."""

    meetings: list[tuple[Meeting, str]]  # every meet-up of the group, each with its state in words
    interest: MeetAgainInterest
    next_start: datetime | None  # the proposed time of the next meet-up, when one can be scheduled now
    now: datetime


def meet_again_interest(
    session: Session, cohort: Cohort, *, now: datetime | None = None
) -> MeetAgainInterest:
    return _interests(session, [cohort], now or utcnow())[cohort.id]


def cohorts_wanting_to_meet_again(
    session: Session, program: Program, *, now: datetime | None = None
) -> list[int]:
    """Approved cohorts whose latest meet-up is over, with nothing scheduled after it, and most of whose
    members want to meet again: the ones waiting for the coordinator. Four queries, however many cohorts."""
    cohorts = session.exec(
        select(Cohort)
        .where(Cohort.program_id == program.id, Cohort.status == CohortStatus.APPROVED)
        .order_by(Cohort.id)
    ).all()
    interests = _interests(session, cohorts, now or utcnow())
    return [cohort_id for cohort_id, interest in interests.items() if interest.wanted]


def meet_again_panel(session: Session, cohort: Cohort, *, now: datetime) -> MeetAgainPanel:
    program = session.get(Program, cohort.program_id)
    meetings = _meetings(session, cohort)
    latest = _latest(meetings)
    schedulable = cohort.status == CohortStatus.APPROVED and latest is not None and _over(latest, now)
    return MeetAgainPanel(
        meetings=[(meeting, _state(meeting, now)) for meeting in meetings],
        interest=meet_again_interest(session, cohort, now=now),
        next_start=next_start(program, latest) if schedulable else None,
        now=now,
    )


def next_start(program: Program, after: Meeting, *, weeks: int = DEFAULT_WEEKS) -> datetime:
    """`weeks` weeks after a meet-up, on the same weekday at the same local time in the program's zone (in
    UTC). A local time the clocks skip that day comes out an hour later, as zoneinfo reads it."""
    zone = ZoneInfo(program.timezone)
    local = after.starts_at.astimezone(zone).replace(tzinfo=None) + timedelta(weeks=weeks)
    return local.replace(tzinfo=zone).astimezone(UTC)


def schedule_next_meeting(
    session: Session,
    cohort: Cohort,
    *,
    starts_at: datetime | None = None,
    actor: str,
    coordinator_id: int | None = None,
    now: datetime,
) -> Meeting:
    """The group's next meet-up, by default four weeks after its latest one; see the module docstring."""
    program, latest = _check_schedulable(session, cohort, now)
    starts_at = starts_at.astimezone(UTC) if starts_at else next_start(program, latest)
    [meeting] = _add_meetings(
        session, program, cohort, [starts_at], actor=actor, coordinator_id=coordinator_id, now=now
    )
    return meeting


def schedule_series(
    session: Session,
    cohort: Cohort,
    *,
    count: int,
    every_weeks: int = DEFAULT_WEEKS,
    actor: str,
    coordinator_id: int | None = None,
    now: datetime,
) -> list[Meeting]:
    """`count` further meet-ups, `every_weeks` weeks apart from the latest one, each with its own calendar
    entry. Each member is invited to a meet-up the day after the one before it, not to all of them at once."""
    if not 1 <= count <= MAX_SERIES:
        raise FollowUpError(f"A series has between 1 and {MAX_SERIES} meet-ups.")
    if not 1 <= every_weeks <= MAX_WEEKS_APART:
        raise FollowUpError(f"Meet-ups in a series are between 1 and {MAX_WEEKS_APART} weeks apart.")
    program, latest = _check_schedulable(session, cohort, now)
    starts = [next_start(program, latest, weeks=every_weeks * step) for step in range(1, count + 1)]
    return _add_meetings(
        session, program, cohort, starts, actor=actor, coordinator_id=coordinator_id, now=now,
        series={"count": count, "every_weeks": every_weeks},
    )  # fmt: skip


def _check_schedulable(session: Session, cohort: Cohort, now: datetime) -> tuple[Program, Meeting]:
    """The program and the group's latest meet-up, once the group may be given another one."""
    hold(session, cohort)  # two coordinators at once schedule one meet-up, not two
    if cohort.status != CohortStatus.APPROVED:
        raise FollowUpError(f"Group {cohort.id} is {cohort.status}: only an approved group can meet again.")
    latest = _latest(_meetings(session, cohort))
    if latest is None:
        raise FollowUpError(f"Group {cohort.id} has no meet-up yet to follow.")
    if not _over(latest, now):
        raise FollowUpError(
            f"Group {cohort.id} already has meet-up {latest.number} to come, on "
            f"{latest.starts_at:%-d %b %Y}. Schedule the next one after it has taken place."
        )
    return session.get(Program, cohort.program_id), latest


def _add_meetings(
    session: Session,
    program: Program,
    cohort: Cohort,
    starts: list[datetime],
    *,
    actor: str,
    coordinator_id: int | None,
    now: datetime,
    series: dict | None = None,
) -> list[Meeting]:
    if starts[0] <= now:
        raise FollowUpError(f"{written(starts[0])} has already passed. Choose a time to come.")
    members = cohort_members(session, cohort)
    if not members:
        raise FollowUpError(f"Group {cohort.id} has no members left to invite.")
    number = session.exec(select(func.max(Meeting.number)).where(Meeting.cohort_id == cohort.id)).one()
    meetings, invite_at = [], now
    for step, starts_at in enumerate(starts, start=1):
        try:
            meeting = set_up_meeting(
                session, program, cohort, members, number=number + step, starts_at=starts_at,
                invite_at=invite_at,
            )  # fmt: skip
        except ZoomPoolError as error:
            raise FollowUpError(
                f"Meet-up {number + step} cannot be on {starts_at:%-d %b %Y}: {error}"
            ) from None
        record_event(
            session, "cohort.next_meeting_scheduled", actor=actor, coordinator_id=coordinator_id,
            program_id=program.id, subject=("cohort", cohort.id), meeting_id=meeting.id,
            number=meeting.number, starts_at=starts_at.isoformat(), members=len(members),
            **({"series": series} if series else {}),
        )  # fmt: skip
        meetings.append(meeting)
        invite_at = meeting.ends_at + INVITE_AFTER
    return meetings


def _interests(session: Session, cohorts: list[Cohort], now: datetime) -> dict[int, MeetAgainInterest]:
    """Each cohort's interest in meeting again after its latest meet-up that is over, in three queries.

    A cohort whose latest meet-up is still to come has nothing to decide yet, so it counts no answers."""
    ids = [cohort.id for cohort in cohorts]
    latest: dict[int, Meeting] = {}
    for meeting in session.exec(
        select(Meeting)
        .where(Meeting.cohort_id.in_(ids), Meeting.status != MeetingStatus.CANCELLED)
        .order_by(Meeting.number)
    ):
        latest[meeting.cohort_id] = meeting
    held = {cohort_id: meeting for cohort_id, meeting in latest.items() if _over(meeting, now)}
    members = member_counts(session, ids)
    answers = _answers(session, [meeting.id for meeting in held.values()])
    interests = {}
    for cohort_id in ids:
        meeting = held.get(cohort_id)
        said = answers[meeting.id] if meeting else Counter()
        interests[cohort_id] = MeetAgainInterest(
            meeting=meeting, members=members[cohort_id], answered=said.total(),
            yes=said["yes"], maybe=said["maybe"], no=said["no"],
        )  # fmt: skip
    return interests


def _answers(session: Session, meeting_ids: list[int]) -> dict[int, Counter[str | None]]:
    """Per meeting, how many responses gave each answer to `meet_again` (None: it was left out). Anonymous
    responses count like the others: they carry the meeting, not the person."""
    answer = SurveyResponse.answers[MEET_AGAIN].as_string()
    counts: dict[int, Counter[str | None]] = defaultdict(Counter)
    for meeting_id, value, count in session.exec(
        select(SurveyResponse.meeting_id, answer, func.count())
        .where(SurveyResponse.meeting_id.in_(meeting_ids))
        .group_by(SurveyResponse.meeting_id, answer)
    ):
        counts[meeting_id][value] = count
    return counts


def _meetings(session: Session, cohort: Cohort) -> list[Meeting]:
    return list(session.exec(select(Meeting).where(Meeting.cohort_id == cohort.id).order_by(Meeting.number)))


def _latest(meetings: list[Meeting]) -> Meeting | None:
    """The latest meet-up that is not cancelled."""
    return next((m for m in reversed(meetings) if m.status != MeetingStatus.CANCELLED), None)


def _over(meeting: Meeting, now: datetime) -> bool:
    """Zoom said it ended, or its time has passed (Zoom's word may never come)."""
    return meeting.status == MeetingStatus.ENDED or meeting.ends_at <= now


def _state(meeting: Meeting, now: datetime) -> str:
    if meeting.status == MeetingStatus.CANCELLED:
        return "Cancelled"
    if meeting.status == MeetingStatus.ENDED:
        return "Held"
    if meeting.status == MeetingStatus.STARTED:
        return "Under way"
    return "Its time has passed" if _over(meeting, now) else "To come"


def _people(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
