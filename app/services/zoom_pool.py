"""A program's pool of licensed Zoom users: listing, adding, changing and removing them, and how many meetings
the pool can run at once.

A Zoom user switched off takes no new meetings and keeps those it holds; one that holds meetings still to
come cannot be removed, since Zoom cannot move a meeting to another user.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from app.inputs.zoom_users import ZoomUserInput, validate_zoom_user
from app.models import Cohort, CohortStatus, Coordinator, Meeting, MeetingStatus, Program, ZoomUser
from app.services.audit import record_event
from matching.capacity import Load
from matching.model import Settings

NOT_OVER = (MeetingStatus.SCHEDULED, MeetingStatus.STARTED)
# Time between two meetings of one Zoom user, for a conversation that runs over and the next host's arrival.
BUFFER = timedelta(minutes=15)


def hours_held(meeting_minutes: int) -> int:
    """How many hours of the week one meeting keeps its Zoom user busy, buffer included: what the matcher
    counts as a meeting's `meeting_hours` (an hour-long meeting at 14:00 also keeps 15:00 from its user)."""
    return math.ceil((meeting_minutes + BUFFER.total_seconds() / 60) / 60)


class ZoomPoolError(ValueError):
    """The pool cannot be changed as asked; the message says why."""


@dataclass(frozen=True)
class PoolRow:
    """A pool user as the console lists it."""

    zoom_user: ZoomUser
    meetings_to_come: int


def pool_users(session: Session, program: Program, *, active_only: bool = False) -> list[ZoomUser]:
    statement = select(ZoomUser).where(ZoomUser.program_id == program.id)
    if active_only:
        statement = statement.where(ZoomUser.active)
    return list(session.exec(statement.order_by(ZoomUser.id)).all())


def pool_capacity(session: Session, program: Program) -> int:
    """How many meetings the pool's users still taking meetings can run at the same time (summed in the
    database: a large program licenses thousands of users)."""
    return session.exec(
        select(func.coalesce(func.sum(ZoomUser.concurrent), 0)).where(
            ZoomUser.program_id == program.id, ZoomUser.active
        )
    ).one()


@dataclass(frozen=True)
class HourLoad:
    """One hour of the week (UTC) and how many of the program's groups meet in it, against the pool."""

    slot: int
    meetings: int
    capacity: int

    @property
    def over(self) -> bool:
        return self.meetings > self.capacity


def meetings_starting(
    session: Session, program: Program, slots: Collection[int], *, ignoring: Collection[int] = ()
) -> list[int]:
    """The starting slot of each of the program's cohorts not cancelled (but those in `ignoring`) that starts
    at one of `slots`: the meetings its Zoom users run then, counted by hour in the database."""
    counts = session.exec(
        select(Cohort.slot, func.count())
        .where(Cohort.program_id == program.id, Cohort.slot.in_(sorted(slots)))
        .where(Cohort.status != CohortStatus.CANCELLED, Cohort.id.not_in(sorted(ignoring)))
        .group_by(Cohort.slot)
    ).all()
    return [slot for slot, count in counts for _ in range(count)]


def hour_loads(session: Session, program: Program) -> list[HourLoad]:
    """Each hour in which groups of the program (proposed or approved) are meeting, counting the hours a
    meeting keeps its Zoom user busy, with what the pool can run at once. The groups are counted by hour
    in the database: a week has 168 hours however many groups there are."""
    capacity = pool_capacity(session, program)
    load = Load(Settings(max_concurrent=capacity or None, meeting_hours=hours_held(program.meeting_minutes)))
    for slot, groups in session.exec(
        select(Cohort.slot, func.count())
        .where(Cohort.program_id == program.id, Cohort.status != CohortStatus.CANCELLED)
        .group_by(Cohort.slot)
    ):
        load.add(slot, groups)
    return [HourLoad(slot, count, capacity) for slot, count in enumerate(load.meetings) if count]


def list_pool(session: Session, program: Program, *, now: datetime) -> list[PoolRow]:
    users = pool_users(session, program)
    held = meetings_to_come(session, [user.user for user in users], now=now)
    return [PoolRow(user, held.get(user.user, 0)) for user in users]


def meetings_to_come(session: Session, users: list[str], *, now: datetime) -> dict[str, int]:
    """How many meetings not yet over each of these Zoom users holds, in any program."""
    if not users:
        return {}
    rows = session.exec(
        select(Meeting.zoom_user, func.count())
        .where(Meeting.zoom_user.in_(users), Meeting.status.in_(NOT_OVER), Meeting.starts_at > now)
        .group_by(Meeting.zoom_user)
    ).all()
    return dict(rows)


def add_zoom_user(
    session: Session, program: Program, data: Mapping[str, Any], *, by: Coordinator | None
) -> ZoomUser:
    checked = validate_zoom_user(data, user_taken=lambda user: _listed(session, program, user))
    row = ZoomUser(program_id=program.id, user=checked.user, concurrent=checked.concurrent)
    session.add(row)
    session.flush()
    _record(session, "zoom_user.added", program, row, by, concurrent=row.concurrent)
    return row


def change_zoom_user(
    session: Session, row: ZoomUser, data: Mapping[str, Any], *, by: Coordinator | None
) -> list[str]:
    """Change how many meetings a pool user may run at once, or switch it off or on; what changed."""
    checked: ZoomUserInput = validate_zoom_user(data, user_taken=lambda user: False, changing=True)
    changed = [name for name in ("concurrent", "active") if getattr(row, name) != getattr(checked, name)]
    for name in changed:
        setattr(row, name, getattr(checked, name))
    if changed:
        session.add(row)
        program = session.get(Program, row.program_id)
        _record(session, "zoom_user.changed", program, row, by, fields=changed)
    session.flush()
    return changed


def remove_zoom_user(session: Session, row: ZoomUser, *, by: Coordinator | None, now: datetime) -> None:
    program = session.get(Program, row.program_id)
    held = _held_in(session, program, row.user, now)
    if held:
        raise ZoomPoolError(
            f"{row.user} holds {held} meeting{'s' if held > 1 else ''} of this program still to come, and "
            "Zoom cannot move a meeting to another user. Switch it off instead: then it takes no new ones."
        )
    _record(session, "zoom_user.removed", program, row, by)
    session.delete(row)
    session.flush()


def _held_in(session: Session, program: Program, user: str, now: datetime) -> int:
    return session.exec(
        select(func.count())
        .select_from(Meeting)
        .join(Cohort, Cohort.id == Meeting.cohort_id)
        .where(Cohort.program_id == program.id, Meeting.zoom_user == user)
        .where(Meeting.status.in_(NOT_OVER), Meeting.starts_at > now)
    ).one()


def _listed(session: Session, program: Program, user: str) -> bool:
    found = select(ZoomUser.id).where(
        ZoomUser.program_id == program.id, func.lower(ZoomUser.user) == user.lower()
    )
    return session.exec(found).first() is not None


def _record(
    session: Session, action: str, program: Program, row: ZoomUser, by: Coordinator | None, **detail: Any
) -> None:
    record_event(
        session, action, actor=by.email if by else "command line", coordinator_id=by.id if by else None,
        program_id=program.id, subject=("zoom_user", row.id), user=row.user, **detail,
    )  # fmt: skip
