"""After the meeting, through a real SMTP server: the survey, its one reminder to those who have not answered,
and "sorry we missed you" with a way into another group for those who registered but never joined."""

from __future__ import annotations

from app.messages.kinds import MessageKind
from app.models import (
    AuditEvent,
    CohortMember,
    Meeting,
    MessageStatus,
    OutboundMessage,
    Participant,
    SurveyResponse,
)

from .conftest import FULL_ANSWERS

SURVEY = "How was your conversation?"
REMINDER = "A gentle reminder: how was your conversation?"
MISSED_YOU = "We missed you at the meet-up"
NOT_SENT = (MessageStatus.CANCELLED, MessageStatus.SKIPPED)


def test_everyone_who_came_gets_the_survey_and_non_answerers_one_reminder(survey):
    survey.surveys_sent()
    assert [len(survey.emails_to(number, SURVEY)) for number in range(4)] == [1, 1, 1, 1]
    survey.post(survey.survey_link(0), FULL_ANSWERS)

    survey.run_worker(survey.reminder_time())

    assert [len(survey.emails_to(number, REMINDER)) for number in range(4)] == [0, 1, 1, 1]
    answered, *others = survey.messages(MessageKind.SURVEY_REMINDER)
    assert answered.participant_id == survey.members[0] and answered.status in NOT_SENT
    assert "answered" in answered.last_error
    assert {message.status for message in others} == {MessageStatus.SENT}
    [reminder] = survey.emails_to(1, REMINDER)
    page = survey.client.get(survey.link_in(reminder))
    assert page.status_code == 200 and "How did the conversation feel for you?" in page.text


def test_a_member_who_never_joined_is_told_sorry_we_missed_you_instead_of_the_survey(survey):
    survey.attended(1, 2, 3)

    survey.run_worker(survey.survey_time())
    survey.run_worker(survey.reminder_time())

    assert survey.emails_to(0, SURVEY) == [] and survey.emails_to(0, REMINDER) == []
    [missed] = survey.emails_to(0, MISSED_YOU)
    text = missed.get_body(preferencelist=("plain",)).get_content()
    assert "Find me another group" in text and survey.link_in(missed).endswith("/another-group")
    assert [len(survey.emails_to(number, SURVEY)) for number in (1, 2, 3)] == [1, 1, 1]
    assert [len(survey.emails_to(number, REMINDER)) for number in (1, 2, 3)] == [1, 1, 1]
    missed_reminder = survey.messages(MessageKind.SURVEY_REMINDER)[0]
    assert missed_reminder.status in NOT_SENT and "did not join" in missed_reminder.last_error


def test_a_meeting_that_zoom_says_started_counts_those_without_attendance_as_missing(survey):
    survey.change(Meeting, survey.meeting_id, started_at=survey.meeting().starts_at)
    survey.run_worker(survey.survey_time())

    assert [len(survey.emails_to(number, MISSED_YOU)) for number in range(4)] == [1, 1, 1, 1]


def test_a_member_who_missed_the_meeting_can_ask_for_another_group(survey):
    survey.attended(1, 2, 3)
    survey.run_worker(survey.survey_time())
    survey.change(Participant, survey.members[0], waitlist_reason="no_common_time")
    link = survey.link_in(survey.emails_to(0, MISSED_YOU)[0])

    page = survey.client.get(link)
    assert "Would you like a place in another group?" in page.text
    done = survey.post(link, {})

    assert done.status_code == 200 and "We will look for a place for you in another group" in done.text
    assert survey.rows(CohortMember, participant_id=survey.members[0]) == []
    assert len(survey.rows(CohortMember)) == 3
    assert survey.member(0).waitlist_reason is None
    assert survey.rows(OutboundMessage, participant_id=survey.members[0], status=MessageStatus.PENDING) == []
    assert survey.messages(MessageKind.SURVEY_REMINDER)[0].status == MessageStatus.CANCELLED
    [event] = survey.rows(AuditEvent, action="participant_asked_for_another_group")
    assert event.subject_id == str(survey.members[0]) and event.actor == "participant"
    again = survey.client.get(link)
    assert "You are no longer in that group" in again.text and "<form" not in again.text
    assert survey.rows(SurveyResponse) == []
