"""Personal data of a finished program is erased after its retention period, and only then."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from app import database
from app.database import utcnow
from app.models import (
    Cohort,
    Host,
    Meeting,
    MeetingRegistrant,
    Participant,
    ParticipantStatus,
    Program,
    SurveyResponse,
)
from app.services.approval import approve_cohort
from app.worker.runner import run_once


def _finish_program(app, program_id: int, cohort_id: int) -> Meeting:
    """Approve a cohort, let its meeting happen, answer its survey, and close the program."""
    with app.app_context():
        session = database.session()
        meeting = approve_cohort(session, session.get(Cohort, cohort_id), actor="test", now=utcnow())
        member = session.exec(select(Participant).order_by(Participant.id)).first()
        session.add(
            MeetingRegistrant(meeting_id=meeting.id, participant_id=member.id, join_url="https://zoom/j/1")
        )
        session.add(
            SurveyResponse(
                meeting_id=meeting.id, participant_id=member.id, response_key="k1",
                answers={"feeling": 5, "comments": "Thanks to Ana from Leeds"},
            )
        )  # fmt: skip
        program = session.get(Program, program_id)
        program.registration_open, program.retention_days = False, 30
        program.last_meeting_on = meeting.starts_at.date()
        session.commit()
        return meeting


def test_a_finished_program_is_erased_after_its_retention_period(app, program, make_cohorts):
    meeting = _finish_program(app, program.id, make_cohorts(1)[0])
    before = run_once(app, meeting.starts_at + timedelta(days=29))["retention"]
    assert not before
    with app.app_context():
        assert database.session().exec(select(Participant).where(Participant.email.is_not(None))).first()

    after = run_once(app, meeting.starts_at + timedelta(days=31))["retention"]
    assert after["participants_erased"] > 0 and after["hosts_erased"] > 0
    with app.app_context():
        session = database.session()
        people = session.exec(select(Participant).where(Participant.program_id == program.id)).all()
        assert all(p.status == ParticipantStatus.ERASED and p.email is None for p in people)
        assert all("@invalid" in host.email for host in session.exec(select(Host)))
        assert all(r.join_url is None for r in session.exec(select(MeetingRegistrant)))
        response = session.exec(select(SurveyResponse)).one()
        assert response.answers == {"feeling": 5} and response.participant_id is None
    assert not run_once(app, meeting.starts_at + timedelta(days=32))["retention"]  # nothing left to do


def test_a_program_still_open_for_registration_is_kept(app, program, make_cohorts):
    meeting = _finish_program(app, program.id, make_cohorts(1)[0])
    with app.app_context():
        session = database.session()
        session.get(Program, program.id).registration_open = True
        session.commit()
    assert not run_once(app, meeting.starts_at + timedelta(days=400))["retention"]
