"""Which Zoom user holds each meeting.

Real Zoom lets a licensed user run one meeting at a time (two on Business plans and above), so a meeting
goes to a user that, for the meeting's whole time plus `BUFFER` either side, runs fewer meetings than it may.
A host whose own Zoom user is licensed (`Host.zoom_licensed`) holds their group's meetings when free, which
saves the pool's places; otherwise a free pool user takes it (see `ZoomDiary.place` for which). A Zoom user
may be in several programs' pools: its meetings are counted across all of them, and the rows naming it are
held while one is placed, so two placements at the same moment take turns.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlmodel import Session, select

from app.models import Cohort, Host, Meeting, Program, ZoomUser
from app.reading_zone import written
from app.services.zoom_diary import ZoomDiary
from app.services.zoom_pool import BUFFER, NOT_OVER, ZoomPoolError, meetings_to_come, pool_users

# How far around a meeting a Zoom user's other meetings count as near it: no meeting is as long.
NEARBY = timedelta(days=1)


def open_diary(
    session: Session,
    program: Program,
    *,
    between: tuple[datetime, datetime],
    also: Iterable[str | None] = (),
    now: datetime,
    leaving_out: int | None = None,
) -> ZoomDiary:
    """The program's pool, and the meetings not over near `between` of its users still taking meetings and
    of the users named in `also` (hosts' own), read once; the rows naming those users are held until the
    commit, so two placements at the same moment take turns. `leaving_out` is a meeting being moved."""
    pool = pool_users(session, program, active_only=True)
    users = list(dict.fromkeys([user.user for user in pool] + [user for user in also if user]))
    _hold(session, users)
    diary = ZoomDiary(
        {user.user: user.concurrent for user in pool},
        meetings_to_come(session, users, now=now),
        buffer=BUFFER,
        nearby=NEARBY,
    )
    others = select(Meeting.zoom_user, Meeting.starts_at, Meeting.duration_minutes).where(
        Meeting.zoom_user.in_(users),
        Meeting.status.in_(NOT_OVER),
        Meeting.starts_at > between[0] - 2 * NEARBY,
        Meeting.starts_at < between[1] + NEARBY,
    )
    if leaving_out is not None:
        others = others.where(Meeting.id != leaving_out)
    for user, starts_at, minutes in session.exec(others):
        diary.add(user, starts_at, starts_at + timedelta(minutes=minutes))
    return diary


def place_meeting(
    session: Session, program: Program, cohort: Cohort, meeting: Meeting, *, now: datetime
) -> str:
    """Give the meeting a Zoom user free for its time; which one (see `ZoomDiary.place`). `ZoomPoolError`
    when none is."""
    own = _host_zoom_user(session, cohort)
    return _give(session, meeting, _diary_around(session, program, meeting, [own], now), own)


def place_in(diary: ZoomDiary, starts_at: datetime, ends_at: datetime, *, own: str | None) -> str:
    """The Zoom user the diary gives a meeting at these times; `ZoomPoolError`, saying why, when none is
    free."""
    user = diary.place(starts_at, ends_at, own=own)
    if user is None:
        raise ZoomPoolError(_none_free(diary, starts_at))
    return user


def own_zoom_user(host: Host | None) -> str | None:
    """The host's own Zoom user, when it is licensed and so can hold their group's meetings."""
    return host.zoom_user if host is not None and host.active and host.zoom_licensed else None


def keep_after_move(
    session: Session, program: Program, cohort: Cohort, meeting: Meeting, *, now: datetime
) -> None:
    """After a meeting moved: its Zoom user keeps it when free at the new time. A meeting not created at Zoom
    yet is placed anew; one that exists cannot change user, so the move is refused."""
    own = _host_zoom_user(session, cohort)
    diary = _diary_around(session, program, meeting, [own, meeting.zoom_user], now)
    if meeting.zoom_user is not None:
        concurrent = _concurrent(session, program, meeting.zoom_user)
        if diary.fits(meeting.zoom_user, concurrent, meeting.starts_at, meeting.ends_at):
            return
        if meeting.zoom_meeting_id:
            raise ZoomPoolError(
                f"{meeting.zoom_user}, the Zoom user this meeting belongs to, runs other meetings then, and "
                "Zoom cannot move a meeting to another user. Choose another time."
            )
    _give(session, meeting, diary, own)


def _host_zoom_user(session: Session, cohort: Cohort) -> str | None:
    return own_zoom_user(session.get(Host, cohort.host_id) if cohort.host_id else None)


def _diary_around(
    session: Session, program: Program, meeting: Meeting, also: list[str | None], now: datetime
) -> ZoomDiary:
    """The diary for placing this one meeting, which is left out of it (it may be moving)."""
    between = (meeting.starts_at, meeting.ends_at)
    return open_diary(session, program, between=between, also=also, now=now, leaving_out=meeting.id)


def _give(session: Session, meeting: Meeting, diary: ZoomDiary, own: str | None) -> str:
    meeting.zoom_user = place_in(diary, meeting.starts_at, meeting.ends_at, own=own)
    session.add(meeting)
    session.flush()
    return meeting.zoom_user


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


def _none_free(diary: ZoomDiary, starts_at: datetime) -> str:
    if not diary.has_pool:
        return "The program has no Zoom user to hold its meetings. Add one on the program's Zoom users page."
    when = written(starts_at)
    return (
        f"Every Zoom user of the program runs other meetings on {when}. Add a Zoom user to the pool, or "
        "choose another time."
    )
