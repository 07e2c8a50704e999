"""Which Zoom user holds each meeting.

Real Zoom lets a licensed user run one meeting at a time (two on Business plans and above), so a meeting
goes to a user that, for the meeting's whole time plus `BUFFER` either side, runs fewer meetings than it may.
A host whose own Zoom user is licensed (`Host.zoom_licensed`) holds their group's meetings when free, which
saves the pool's places; otherwise a free pool user takes it (see `place_meeting` for which). A Zoom user
may be in several programs' pools: its meetings are counted across all of them, and the rows naming it are
held while one is placed, so two placements at the same moment take turns.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, select

from app.models import Cohort, Host, Meeting, Program, ZoomUser
from app.reading_zone import written
from app.services.zoom_pool import BUFFER, NOT_OVER, ZoomPoolError, meetings_to_come, pool_users

# How far around a meeting a Zoom user's other meetings are looked at: no meeting is as long.
NEARBY = timedelta(days=1)


def place_meeting(
    session: Session, program: Program, cohort: Cohort, meeting: Meeting, *, now: datetime
) -> str:
    """Give the meeting a Zoom user free for its time; which one. `ZoomPoolError` when none is.

    Of the pool's free users, the one whose other meetings come nearest (without clashing) takes it, so
    users' days fill up without gaps an hour wide that no later meeting could use; the least busy breaks
    ties."""
    host, pool = _candidates(session, program, cohort, now)
    if host is not None and _takes(session, host, 1, meeting) is not None:
        return _give(session, meeting, host)
    nearby = _nearby(session, [user for user, _ in pool], meeting)
    fits = []
    for order, (user, concurrent) in enumerate(pool):
        gap = _fits(meeting, nearby[user], concurrent)
        if gap is not None:
            fits.append((gap, order, user))
    if not fits:
        raise ZoomPoolError(_none_free(session, program, meeting))
    return _give(session, meeting, min(fits)[2])


def keep_after_move(
    session: Session, program: Program, cohort: Cohort, meeting: Meeting, *, now: datetime
) -> None:
    """After a meeting moved: its Zoom user keeps it when free at the new time. A meeting not created at Zoom
    yet is placed anew; one that exists cannot change user, so the move is refused."""
    if meeting.zoom_user is not None:
        if is_free(session, meeting.zoom_user, _concurrent(session, program, meeting.zoom_user), meeting):
            return
        if meeting.zoom_meeting_id:
            raise ZoomPoolError(
                f"{meeting.zoom_user}, the Zoom user this meeting belongs to, runs other meetings then, and "
                "Zoom cannot move a meeting to another user. Choose another time."
            )
    place_meeting(session, program, cohort, meeting, now=now)


def is_free(session: Session, user: str, concurrent: int, meeting: Meeting) -> bool:
    """Whether `user` runs fewer than `concurrent` other meetings all through `meeting` and its buffers."""
    return _takes(session, user, concurrent, meeting) is not None


def _takes(session: Session, user: str, concurrent: int, meeting: Meeting) -> timedelta | None:
    """None when `user` cannot take `meeting` (holding the rows naming it, so placements take turns); else
    how near its other meetings come (a day when it has none that day)."""
    return _fits(meeting, _nearby(session, [user], meeting)[user], concurrent)


def _nearby(session: Session, users: list[str], meeting: Meeting) -> dict[str, list[Meeting]]:
    """Each user's other meetings not over within `NEARBY` of `meeting`, in one look-up, holding the rows
    naming the users until the commit."""
    _hold(session, users)
    others = session.exec(
        select(Meeting).where(
            Meeting.zoom_user.in_(users),
            Meeting.status.in_(NOT_OVER),
            Meeting.id != meeting.id,
            Meeting.starts_at < meeting.ends_at + NEARBY,
            Meeting.starts_at > meeting.starts_at - NEARBY,
        )
    ).all()
    by_user = {user: [] for user in users}
    for other in others:
        by_user[other.zoom_user].append(other)
    return by_user


def _fits(meeting: Meeting, others: list[Meeting], concurrent: int) -> timedelta | None:
    """None when `others` leave no room for `meeting` with at most `concurrent` at once; else how near they
    come (a day when none is that day)."""
    start, end = meeting.starts_at - BUFFER, meeting.ends_at + BUFFER
    overlapping = [
        (max(o.starts_at, start), min(o.ends_at, end))
        for o in others
        if o.starts_at < end and o.ends_at > start
    ]
    if _most_at_once(overlapping) >= concurrent:
        return None
    gaps = [max(o.starts_at - meeting.ends_at, meeting.starts_at - o.ends_at, timedelta(0)) for o in others]
    return min(gaps, default=NEARBY)


def _give(session: Session, meeting: Meeting, user: str) -> str:
    meeting.zoom_user = user
    session.add(meeting)
    session.flush()
    return user


def _most_at_once(spans: list[tuple[datetime, datetime]]) -> int:
    """The largest number of these spans that run at the same moment."""
    edges = sorted([(begin, 1) for begin, _ in spans] + [(finish, -1) for _, finish in spans])
    running = most = 0
    for _, step in edges:  # at equal times an end (-1) sorts before a start: back-to-back is not at once
        running += step
        most = max(most, running)
    return most


def _candidates(
    session: Session, program: Program, cohort: Cohort, now: datetime
) -> tuple[str | None, list[tuple[str, int]]]:
    """The cohort's host's own Zoom user when it is licensed, and the pool's users still taking meetings,
    least busy first."""
    host = session.get(Host, cohort.host_id) if cohort.host_id else None
    own = host.zoom_user if host is not None and host.active and host.zoom_licensed else None
    users = pool_users(session, program, active_only=True)
    busy = meetings_to_come(session, [user.user for user in users], now=now)
    users.sort(key=lambda user: (busy.get(user.user, 0), user.id))
    return own, [(user.user, user.concurrent) for user in users]


def _concurrent(session: Session, program: Program, user: str) -> int:
    """How many meetings at once `user` may run: as the pool says, or one for a host's own Zoom user."""
    listed = session.exec(
        select(ZoomUser.concurrent).where(ZoomUser.program_id == program.id, ZoomUser.user == user)
    ).first()
    return listed or 1


def _hold(session: Session, users: list[str]) -> None:
    """Hold every pool row naming these users (in any program) until the commit: placements on them take
    turns. Rows are taken in one order, so two placements never each hold what the other waits for."""
    session.exec(
        select(ZoomUser.id).where(ZoomUser.user.in_(users)).order_by(ZoomUser.id).with_for_update()
    ).all()


def _none_free(session: Session, program: Program, meeting: Meeting) -> str:
    when = written(meeting.starts_at)
    if not pool_users(session, program, active_only=True):
        return "The program has no Zoom user to hold its meetings. Add one on the program's Zoom users page."
    return (
        f"Every Zoom user of the program runs other meetings on {when}. Add a Zoom user to the pool, or "
        "choose another time."
    )
