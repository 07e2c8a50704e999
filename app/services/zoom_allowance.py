"""Zoom's daily limit, planned for rather than hit.

Zoom lets each user create or update at most 100 meetings a UTC day (`ZOOM_DAILY_LIMIT`; it answers 429 after
that until 00:00 UTC). The meeting creates still to make are therefore spread over the days before their
meetings, each Zoom user's nearest meetings first, leaving a tenth of each day for updates (a moved meeting
must reach Zoom at once). The worker writes the plan into each create's due time, counts every create and
update it makes, never calls a user whose day is used up, and after Zoom's own daily 429 leaves that user
alone until midnight. The console reads the same plan: when each meeting will be created, and which cannot
be before they start.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple

from sqlalchemy import Integer, and_, case, cast, func, literal, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.epoch import DAY_SECONDS, epoch_seconds
from app.models import (
    Cohort,
    Meeting,
    MeetingStatus,
    Program,
    ZoomOperation,
    ZoomOperationKind,
    ZoomOperationStatus,
    ZoomUserDay,
)

COUNTED = (ZoomOperationKind.CREATE, ZoomOperationKind.UPDATE)


@dataclass(frozen=True)
class PlannedCreate:
    operation_id: int
    meeting_id: int
    user: str
    meeting_starts_at: datetime
    creates_at: datetime  # when the worker will create it at Zoom (a moment past: as soon as it can)

    @property
    def late(self) -> bool:
        """Zoom's daily limit lets it be created only after its meeting has begun."""
        return self.creates_at >= self.meeting_starts_at


def next_midnight(now: datetime) -> datetime:
    return datetime.combine(now.date() + timedelta(days=1), time(), UTC)


def calls_left(session: Session, user: str, *, now: datetime, limit: int) -> int:
    """How many more creates and updates `user` may make today (none after Zoom refused one)."""
    return _left(session.get(ZoomUserDay, (user, now.date())), now=now, limit=limit)


def _calls_left_by_user(session: Session, users: list[str], *, now: datetime, limit: int) -> dict[str, int]:
    """`calls_left` for many users, read in one statement."""
    days = session.exec(select(ZoomUserDay).where(ZoomUserDay.day == now.date(), ZoomUserDay.user.in_(users)))
    found = {day.user: day for day in days}
    return {user: _left(found.get(user), now=now, limit=limit) for user in users}


def _left(day: ZoomUserDay | None, *, now: datetime, limit: int) -> int:
    if day is None:
        return limit
    if day.refused_until is not None and day.refused_until > now:
        return 0
    return max(limit - day.calls, 0)


def count_call(session: Session, user: str, *, now: datetime) -> ZoomUserDay:
    """One more create or update made under `user` today; two workers counting at once both count. The
    day's row, as it now stands."""
    for _attempt in range(2):
        day = session.get(ZoomUserDay, (user, now.date()), with_for_update=True)
        if day is not None:
            day.calls += 1
            session.add(day)
            session.flush()
            return day
        day = ZoomUserDay(user=user, day=now.date(), calls=1)
        try:
            with session.begin_nested():
                session.add(day)
            return day
        except IntegrityError:
            continue  # another worker made today's row a moment ago: count on it
    raise RuntimeError(f"could not count a Zoom call of {user}")


def refused_for_today(session: Session, user: str, *, now: datetime) -> datetime:
    """Zoom said `user` reached its daily limit: leave it alone until 00:00 UTC, which is returned."""
    until = next_midnight(now)
    day = count_call(session, user, now=now)
    day.refused_until = until
    session.add(day)
    session.flush()
    return until


def plan_creates(session: Session, *, now: datetime, limit: int) -> list[PlannedCreate]:
    """When each meeting create still to make will be made, within each user's daily limit."""
    by_user: dict[str, list[_Pending]] = defaultdict(list)
    for pending in _pending_creates(session):
        by_user[pending.user].append(pending)
    planned = []
    left_today = _calls_left_by_user(session, list(by_user), now=now, limit=limit)
    for user, creates in by_user.items():
        creates.sort(key=lambda pending: (pending.starts_at, pending.operation_id))  # nearest meeting first
        days = creation_days(len(creates), left_today=left_today[user], limit=limit)
        for pending, day in zip(creates, days, strict=True):
            creates_at = pending.retry_at or _start_of(now.date() + timedelta(days=day))
            planned.append(
                PlannedCreate(pending.operation_id, pending.meeting_id, user, pending.starts_at, creates_at)
            )
    return sorted(planned, key=lambda plan: (plan.meeting_starts_at, plan.operation_id))


def creation_days(creates: int, *, left_today: int, limit: int) -> list[int]:
    """For `creates` meetings of one Zoom user, in the order they are to be made, the day (0 = today) each
    is made on: what is left of today, then `limit` a day, less the calls kept for updates."""
    per_day = limit - _reserve(limit)
    today = max(left_today - _reserve(limit), 0)
    return [0 if number < today else 1 + (number - today) // per_day for number in range(creates)]


def late_creates(session: Session, program: Program, *, now: datetime, limit: int) -> list[PlannedCreate]:
    """The program's meetings that Zoom's daily limits let be created only after they have begun: the plan
    of `plan_creates`, worked out in the database so that only the late ones are read (the meetings page
    shows them; a program of 100,000 has thousands of creates waiting)."""
    plan = _plan_query(now=now, limit=limit).subquery()
    creates_at_day = (
        epoch_seconds(plan.c.starts_at) <= _start_of(now.date()).timestamp() + plan.c.day * DAY_SECONDS
    )
    rows = session.execute(
        select(plan)
        .where(plan.c.program_id == program.id)
        .where(
            or_(
                and_(plan.c.attempts > 0, plan.c.next_attempt_at >= plan.c.starts_at),
                and_(plan.c.attempts == 0, creates_at_day),
            )
        )
        .order_by(plan.c.starts_at, plan.c.operation_id)
    ).all()
    return [
        PlannedCreate(
            row.operation_id, row.meeting_id, row.user, row.starts_at,
            row.next_attempt_at if row.attempts else _start_of(now.date() + timedelta(days=row.day)),
        )
        for row in rows
    ]  # fmt: skip


def _plan_query(*, now: datetime, limit: int):
    """Every create still to make (of any program: they share the Zoom users), with its meeting's program
    and the day (0 = today) `creation_days` gives it: its place in its user's queue, nearest meeting
    first, against what is left of today (`calls_left`, less the calls kept for updates), then `limit` a
    day."""
    place = (
        func.row_number().over(partition_by=Meeting.zoom_user, order_by=(Meeting.starts_at, ZoomOperation.id))
        - 1
    )
    calls = ZoomUserDay.calls
    left = case(
        (ZoomUserDay.user.is_(None), limit),
        (ZoomUserDay.refused_until > now, 0),
        (calls >= limit, 0),
        else_=limit - calls,
    )
    reserve, per_day = _reserve(limit), limit - _reserve(limit)
    today = case((left > reserve, left - reserve), else_=0)
    day = case((place < today, 0), else_=1 + (place - today) // literal(per_day, Integer))
    return (
        _pending_query()
        .add_columns(Cohort.program_id, cast(day, Integer).label("day"))
        .join(Cohort, Cohort.id == Meeting.cohort_id)
        .outerjoin(ZoomUserDay, and_(ZoomUserDay.user == Meeting.zoom_user, ZoomUserDay.day == now.date()))
    )


def apply_plan(session: Session, planned: list[PlannedCreate]) -> None:
    """Give each planned create its due time; a retry after a failure keeps its own."""
    by_time: dict[datetime, list[int]] = defaultdict(list)
    for plan in planned:
        by_time[plan.creates_at].append(plan.operation_id)
    for due, ids in by_time.items():
        session.exec(
            update(ZoomOperation)
            .where(ZoomOperation.id.in_(ids), ZoomOperation.attempts == 0)
            .where(ZoomOperation.status == ZoomOperationStatus.PENDING, ZoomOperation.next_attempt_at != due)
            .values(next_attempt_at=due)
        )
    session.flush()


class _Pending(NamedTuple):
    """A create still to make; `retry_at` is set when it failed once and waits to be tried again."""

    operation_id: int
    meeting_id: int
    user: str
    starts_at: datetime
    retry_at: datetime | None


def _pending_query():
    """The creates still to make, of meetings not cancelled that have a Zoom user."""
    return (
        select(
            ZoomOperation.id.label("operation_id"), Meeting.id.label("meeting_id"),
            Meeting.zoom_user.label("user"), Meeting.starts_at.label("starts_at"),
            ZoomOperation.attempts.label("attempts"), ZoomOperation.next_attempt_at.label("next_attempt_at"),
        )
        .join(Meeting, Meeting.id == ZoomOperation.meeting_id)
        .where(ZoomOperation.kind == ZoomOperationKind.CREATE)
        .where(ZoomOperation.status == ZoomOperationStatus.PENDING, Meeting.zoom_user.is_not(None))
        .where(Meeting.status != MeetingStatus.CANCELLED)
    )  # fmt: skip


def _pending_creates(session: Session) -> list[_Pending]:
    rows = session.exec(_pending_query()).all()
    return [
        _Pending(op, meeting, user, starts, due if attempts else None)
        for op, meeting, user, starts, attempts, due in rows
    ]


def _reserve(limit: int) -> int:
    """Calls a day kept for updates, which cannot wait for tomorrow."""
    return limit // 10


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)
