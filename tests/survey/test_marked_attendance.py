"""Attendance that is true: after a meeting its host (from the host page) and the coordinator (from the
console) mark who came, starting from what Zoom reported; the survey and "sorry we missed you" follow the
marks, and a meeting that never started thanks no one and is flagged to the coordinator.

Through the survey fixtures: the Zoom emulator over HTTP, a real SMTP server and the worker."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import url_for

from app.database import utcnow
from app.links import make_token
from app.messages.kinds import MessageKind
from app.models import AuditEvent, Cohort, Host, MarkedAttendance, Meeting, MessageStatus

from .conftest import CSRF

SURVEY = "How was your conversation?"
MISSED_YOU = "We missed you at the meet-up"
CHECKED = re.compile(r'name="present" value="(\d+)" checked')
WORDS = {
    "en": ("Who came?", "Thank you. We have saved who came."),
    "es": ("¿Quién asistió?", "Gracias. Hemos guardado quién asistió."),
}


def _held_two_hours_ago(survey) -> None:
    """The meeting lies in the past (its messages keep the times they were queued for)."""
    survey.change(Meeting, survey.meeting_id, starts_at=utcnow() - timedelta(hours=2))


def _host_page(survey) -> str:
    host_id = survey.rows(Cohort, id=survey.meeting().cohort_id)[0].host_id
    with survey.app.test_request_context():
        return url_for("hosts.page", token=make_token("host", {"h": host_id}))


def _received(survey, subject: str) -> list[int]:
    return [len(survey.emails_to(number, subject)) for number in range(4)]


@pytest.mark.parametrize("locale", ["en", "es"])
def test_the_host_marks_who_came_and_the_survey_follows_the_marks(survey, locale):
    survey_time = survey.survey_time()
    _held_two_hours_ago(survey)
    survey.attended(1, 2, 3)  # Zoom saw 1, 2 and 3; 0 dialled in by phone, and Zoom's 3 was not her
    page_url = _host_page(survey)

    page = survey.client.get(f"{page_url}?lang={locale}")
    heading, thanks = WORDS[locale]
    assert page.status_code == 200 and heading in page.text
    assert sorted(map(int, CHECKED.findall(page.text))) == sorted(survey.members[1:])
    present = [survey.members[0], survey.members[1], survey.members[2]]
    answer = survey.client.post(
        f"{page_url}/meetings/{survey.meeting_id}/attendance",
        data={"csrf_token": CSRF.search(page.text).group(1), "present": present},
        follow_redirects=True,
    )

    assert answer.status_code == 200 and thanks in answer.text
    assert sorted(map(int, CHECKED.findall(answer.text))) == sorted(present)
    [event] = survey.rows(AuditEvent, action="meeting.attendance_marked")
    assert (event.actor, event.detail) == ("host", {"present": 3, "absent": 1})
    survey.run_worker(survey_time)
    assert _received(survey, SURVEY) == [1, 1, 1, 0]
    assert _received(survey, MISSED_YOU) == [0, 0, 0, 1]


def test_only_the_meeting_s_host_marks_it_once_it_is_over_and_with_the_form_s_token(survey):
    page_url = _host_page(survey)
    assert "Who came?" not in survey.client.get(page_url).text  # the meeting is still to come
    _held_two_hours_ago(survey)
    page = survey.client.get(page_url).text
    token = CSRF.search(page).group(1)
    other = next(host.id for host in survey.rows(Host) if host.id != survey.rows(Cohort)[0].host_id)
    with survey.app.test_request_context():
        other_page = url_for("hosts.page", token=make_token("host", {"h": other}))

    without_token = survey.client.post(f"{page_url}/meetings/{survey.meeting_id}/attendance", data={})
    not_theirs = survey.client.post(
        f"{other_page}/meetings/{survey.meeting_id}/attendance", data={"csrf_token": token}
    )

    assert (without_token.status_code, not_theirs.status_code) == (400, 403)
    assert survey.rows(MarkedAttendance) == []


def test_a_meeting_that_never_started_thanks_no_one_and_is_flagged(survey, console_client):
    survey_time = survey.survey_time()
    _held_two_hours_ago(survey)
    coordinator = console_client(admin=True)
    slug = survey.program().slug

    listed = coordinator.get(f"/console/programs/{slug}/meetings?when=past").text
    meeting = coordinator.get(f"/console/programs/{slug}/meetings/{survey.meeting_id}").text
    attendance = coordinator.get(f"/console/programs/{slug}/meetings/{survey.meeting_id}/attendance").text
    survey.run_worker(survey_time)

    assert "Never started" in listed and f"/meetings/{survey.meeting_id}/attendance" in listed
    assert "Never started" in meeting and "Never started" in attendance
    assert _received(survey, SURVEY) == _received(survey, MISSED_YOU) == [0, 0, 0, 0]
    surveys = survey.messages(MessageKind.SURVEY)
    assert len(surveys) == 4 and all(message.status != MessageStatus.SENT for message in surveys)
    assert all("never started" in message.last_error for message in surveys)


def test_the_coordinator_marks_who_came_and_the_flag_goes(survey, console_client):
    survey_time = survey.survey_time()
    _held_two_hours_ago(survey)
    coordinator = console_client(admin=True)
    slug = survey.program().slug
    attendance_url = f"/console/programs/{slug}/meetings/{survey.meeting_id}/attendance"
    page = coordinator.get(attendance_url).text
    assert CHECKED.findall(page) == []  # Zoom saw no one

    saved = coordinator.post(
        attendance_url,
        data={"csrf_token": CSRF.search(page).group(1), "present": survey.members[:2]},
        follow_redirects=True,
    )

    assert "Saved: 2 of 4 members came." in saved.text and "Never started" not in saved.text
    assert "Never started" not in coordinator.get(f"/console/programs/{slug}/meetings?when=past").text
    [event] = survey.rows(AuditEvent, action="meeting.attendance_marked")
    assert event.coordinator_id is not None and event.detail == {"present": 2, "absent": 2}
    survey.run_worker(survey_time)
    assert _received(survey, SURVEY) == [1, 1, 0, 0]
    assert _received(survey, MISSED_YOU) == [0, 0, 1, 1]
