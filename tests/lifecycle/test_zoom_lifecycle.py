"""Approving cohorts sets up their Zoom meetings through the worker, once each, whatever Zoom does."""

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from app import database
from app.database import utcnow
from app.models import Cohort, Meeting, MeetingRegistrant, ZoomOperation, ZoomOperationStatus
from app.services.approval import approve_cohort
from app.worker.runner import run_zoom_work


def _approve(app, cohort_ids):
    with app.app_context():
        session = database.session()
        for cohort_id in cohort_ids:
            approve_cohort(session, session.get(Cohort, cohort_id), actor="test", now=utcnow())
        session.commit()


def _operations(app):
    with app.app_context():
        return database.session().exec(select(ZoomOperation).order_by(ZoomOperation.id)).all()


def test_approving_fifty_cohorts_makes_fifty_meetings_with_one_token(app, zoom, make_cohorts):
    _approve(app, make_cohorts(50, size=4))
    outcome = run_zoom_work(app)
    assert outcome["done"] == 50 + 200
    assert zoom.count("token_requests") == 1
    assert zoom.count("meeting_creates") == 50
    with app.app_context():
        session = database.session()
        meetings = session.exec(select(Meeting)).all()
        assert len(meetings) == 50 and all(m.zoom_meeting_id and m.zoom_join_url for m in meetings)
        registrants = session.exec(select(MeetingRegistrant)).all()
        assert len(registrants) == 200 and len({r.join_url for r in registrants}) == 200


def test_running_the_worker_again_creates_nothing_twice(app, zoom, make_cohorts):
    _approve(app, make_cohorts(2))
    run_zoom_work(app)
    run_zoom_work(app)
    assert zoom.count("meeting_creates") == 2


def test_meeting_starts_at_the_cohort_slot_in_utc(app, zoom, make_cohorts, running_emulator):
    _approve(app, make_cohorts(1, slot=14))
    run_zoom_work(app)
    with app.app_context():
        meeting = database.session().exec(select(Meeting)).one()
    stored = running_emulator.emulator.state.get_meeting(int(meeting.zoom_meeting_id))
    assert meeting.starts_at.weekday() == 0 and meeting.starts_at.hour == 14
    assert stored["start_time"] == meeting.starts_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert stored["settings"]["waiting_room"] is True
    assert "leukaemia" not in stored["topic"].lower()


def test_a_zoom_outage_is_retried_later_and_shown_meanwhile(app, zoom, make_cohorts):
    _approve(app, make_cohorts(1, size=4))
    zoom.fail_next(500, count=3, message="internal error")
    first = run_zoom_work(app)
    assert first["retrying"] == 1
    create = _operations(app)[0]
    assert create.status == ZoomOperationStatus.PENDING and "500" in create.last_error
    assert zoom.count("meeting_creates") == 0
    later = run_zoom_work(app, now=create.next_attempt_at + timedelta(seconds=1))
    assert later["done"] == 5
    assert zoom.count("meeting_creates") == 1
    assert all(op.status == ZoomOperationStatus.DONE and op.last_error is None for op in _operations(app))


def test_a_refused_request_fails_visibly_without_retrying(app, zoom, make_cohorts):
    _approve(app, make_cohorts(1, size=4))
    zoom.fail_next(400, code=300, message="Invalid field.")
    outcome = run_zoom_work(app)
    assert outcome["failed"] == 1
    create = _operations(app)[0]
    assert create.status == ZoomOperationStatus.FAILED
    assert create.last_error_code == "300" and "Invalid field" in create.last_error


def test_the_daily_limit_defers_work_to_midnight_utc(app, zoom, make_cohorts):
    _approve(app, make_cohorts(1, size=4))
    zoom.configure(daily_limit=0)
    now = datetime.now(UTC)
    run_zoom_work(app, now=now)
    create = _operations(app)[0]
    assert create.status == ZoomOperationStatus.PENDING
    midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    assert create.next_attempt_at == midnight
    registrations = [op for op in _operations(app) if op.kind == "register"]
    assert all(op.status == ZoomOperationStatus.PENDING for op in registrations)
