"""Zoom's daily limit of meeting creates and updates per user is planned for rather than hit, and when Zoom
says no for the day nothing else waits: invitations for meetings that exist still go out on time."""

from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

from sqlmodel import select

from app import database
from app.database import utcnow
from app.messages.kinds import MessageKind
from app.models import (
    Cohort,
    Meeting,
    MessageStatus,
    OutboundMessage,
    ZoomOperation,
    ZoomOperationKind,
    ZoomOperationStatus,
    ZoomUserDay,
)
from app.services.approval import approve_each_cohort
from app.services.zoom_allowance import late_creates, plan_creates
from app.worker.runner import run_due_work, run_once

from ..statements import statements_sent

USERS = ("pool-a@example.org", "pool-b@example.org")


def _approve(app, cohort_ids, now) -> None:
    with app.app_context():
        session = database.session()
        cohorts = [session.get(Cohort, cohort_id) for cohort_id in cohort_ids]
        assert approve_each_cohort(session, cohorts, actor="test", now=now).refused == []
        session.commit()


def _daily_limit(app, limit: int) -> None:
    app.config["SETTINGS"] = replace(app.config["SETTINGS"], zoom_daily_limit=limit)


def _refusals(zoom) -> int:
    return sum(1 for call in zoom.recorded_requests()["log"] if call["status"] == 429)


def _creates(app) -> list[ZoomOperation]:
    with app.app_context():
        return (
            database.session()
            .exec(
                select(ZoomOperation)
                .where(ZoomOperation.kind == ZoomOperationKind.CREATE)
                .order_by(ZoomOperation.id)
            )
            .all()
        )


def _a_week_of_cohorts(make_cohorts, count: int, *, after: int = 0) -> list[int]:
    """`count` unhosted groups two hours apart from slot `after` on, so that none overlaps another."""
    return [
        cohort for hour in range(count) for cohort in make_cohorts(1, hosted=False, slot=after + 2 * hour)
    ]


def test_creates_are_spread_over_the_days_nearest_meetings_first_and_zoom_never_says_no(
    app, program, make_cohorts, zoom, zoom_pool
):
    _daily_limit(app, 5)  # a tenth of 5 rounds to none kept for updates: 5 creates a day per user
    zoom.configure(daily_limit=5)
    cohorts = _a_week_of_cohorts(make_cohorts, 14)
    zoom_pool(dict.fromkeys(USERS, 1))
    now = utcnow()
    _approve(app, cohorts, now)

    with app.app_context():
        planned = plan_creates(database.session(), now=now, limit=5)
    per_user_and_day = Counter((plan.user, plan.creates_at.date()) for plan in planned)
    assert len(planned) == 14 and max(per_user_and_day.values()) == 5  # never more than Zoom allows
    for user in {plan.user for plan in planned}:  # each user's nearest meetings are made first
        mine = sorted((plan.meeting_starts_at, plan.creates_at) for plan in planned if plan.user == user)
        assert [creates for _, creates in mine] == sorted(creates for _, creates in mine)
    today = [plan for plan in planned if plan.creates_at <= now]
    assert 5 <= len(today) <= 10

    outcome = run_due_work(app, now)["zoom"]
    assert zoom.count("meeting_creates") == len(today) and _refusals(zoom) == 0
    assert "failed" not in outcome
    waiting = [op for op in _creates(app) if op.status == ZoomOperationStatus.PENDING]
    midnight = datetime.combine(now.date() + timedelta(days=1), time(), UTC)
    assert len(waiting) == 14 - len(today) and min(op.next_attempt_at for op in waiting) == midnight
    with app.app_context():
        used = dict(database.session().exec(select(ZoomUserDay.user, ZoomUserDay.calls)).all())
    assert used == {user: count for (user, day), count in per_user_and_day.items() if day == now.date()}


def test_a_day_of_zoom_refusals_holds_back_no_invitation_to_a_meeting_that_exists(
    app, program, make_cohorts, zoom, mailbox, zoom_pool
):
    [first] = make_cohorts(1, hosted=False, slot=2)
    zoom_pool({USERS[0]: 1})
    now = utcnow()
    _approve(app, [first], now)
    run_zoom = run_once(app, now)["zoom"]
    assert run_zoom["done"] == 1 + 4  # the meeting and its four members' registrations
    sent_before = len(mailbox.messages())

    zoom.configure(daily_limit=1)  # Zoom now says no to every create of the day
    later = _a_week_of_cohorts(make_cohorts, 29, after=4)
    zoom_pool({USERS[0]: 1})
    _approve(app, later, now)
    with app.app_context():  # the first group's reminder is due now too
        session = database.session()
        reminder = session.exec(
            select(OutboundMessage).where(OutboundMessage.kind == MessageKind.REMINDER)
        ).first()
        reminder.send_at = now
        session.commit()

    done = run_once(app, now)
    assert _refusals(zoom) == 1  # asked once, told no, and left alone until midnight
    assert "failed" not in done["zoom"] and done["mail"]["sent"] >= 1
    midnight = datetime.combine(now.date() + timedelta(days=1), time(), UTC)
    with app.app_context():
        session = database.session()
        assert session.get(OutboundMessage, reminder.id).status == MessageStatus.SENT
        assert session.exec(select(ZoomUserDay.refused_until)).one() == midnight
        waiting = session.exec(select(Meeting).where(Meeting.zoom_meeting_id.is_(None))).all()
    assert len(waiting) == len(later)
    assert len(mailbox.messages()) > sent_before
    creates = [op for op in _creates(app) if op.status == ZoomOperationStatus.PENDING]
    assert len(creates) == len(later) and {op.next_attempt_at for op in creates} == {midnight}
    told = [op.last_error for op in creates if op.last_error]  # the coordinator sees why each waits
    assert told and all("as many meeting creates and updates today as Zoom allows" in words for words in told)


def test_the_coordinator_sees_when_each_meeting_will_be_created_and_which_come_too_late(
    app, program, make_cohorts, zoom, console_client, zoom_pool
):
    _daily_limit(app, 1)  # one create a day for thirty groups meeting in two to three weeks: in trouble
    cohorts = _a_week_of_cohorts(make_cohorts, 30)
    zoom_pool({USERS[0]: 1})
    now = utcnow()
    _approve(app, cohorts, now)
    run_due_work(app, now)
    assert zoom.count("meeting_creates") == 1

    page = console_client("demo").get("/console/programs/demo/meetings").text
    assert "Meetings Zoom’s daily limit reaches too late" in page.replace("&#39;", "’").replace("'", "’")
    with app.app_context():
        late = len([plan for plan in plan_creates(database.session(), now=now, limit=1) if plan.late])
    assert late > 0 and f"{late} meetings of this program cannot be" in " ".join(page.split())
    assert "To be created on" in page and f"within the daily limit of {USERS[0]}" in page
    assert "Cannot be created at Zoom before it starts" in page


def test_the_meetings_page_names_the_same_late_meetings_as_the_workers_plan(
    app, program, make_cohorts, zoom_pool
):
    """The page works the plan out in the database; whatever the day, the limit, the calls a user made
    today, a refusal from Zoom or a create waiting to be retried, it names the meetings the plan makes
    late."""
    cohorts = _a_week_of_cohorts(make_cohorts, 24)
    zoom_pool(dict.fromkeys(USERS, 1))
    now = utcnow()
    _approve(app, cohorts, now)
    midnight = datetime.combine(now.date() + timedelta(days=1), time(), UTC)
    with app.app_context():
        session = database.session()
        session.add(ZoomUserDay(user=USERS[0], day=now.date(), calls=2))
        session.add(ZoomUserDay(user=USERS[1], day=now.date(), calls=0, refused_until=midnight))
        retried = session.exec(
            select(ZoomOperation, Meeting)
            .join(Meeting, Meeting.id == ZoomOperation.meeting_id)
            .where(ZoomOperation.kind == ZoomOperationKind.CREATE)
            .order_by(ZoomOperation.id)
        ).all()[:2]
        for (operation, meeting), hours in zip(retried, (1, -1), strict=True):  # one too late, one in time
            operation.attempts, operation.next_attempt_at = 1, meeting.starts_at + timedelta(hours=hours)
            session.add(operation)
        session.commit()

        found = set()
        for days, limit in [(0, 1), (0, 3), (0, 12), (2, 2), (6, 1), (9, 5), (20, 100)]:
            then = now + timedelta(days=days)
            planned = [plan for plan in plan_creates(session, now=then, limit=limit) if plan.late]
            assert late_creates(session, program, now=then, limit=limit) == planned
            found.add(len(planned))
    assert len(found) > 2  # a few late, many, almost all


def test_the_meetings_page_runs_as_many_statements_for_many_meetings_waiting_at_zoom_as_for_few(
    app, program, make_cohorts, zoom_pool, console_client
):
    """Whatever the number of meetings still to be created at Zoom (late or not), the page asks the
    database the same number of questions."""
    _daily_limit(app, 1)
    client = console_client("demo")
    zoom_pool(dict.fromkeys(USERS, 1))
    now = utcnow()

    def statements() -> tuple[int, bool]:
        with statements_sent(app.extensions["engine"]) as sent:
            page = client.get("/console/programs/demo/meetings").text
        return len(sent), "daily limit reaches too late" in page.replace("&#39;", "'")

    _approve(app, _a_week_of_cohorts(make_cohorts, 2), now)
    few, late = statements()
    _approve(app, _a_week_of_cohorts(make_cohorts, 30, after=5), now)
    many, late_now = statements()
    assert many == few and (late, late_now) == (False, True)
