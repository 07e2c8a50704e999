"""Answering the follow-up survey through the link in its email: once, optionally anonymously, in the
member's language; and the program's questions as a coordinator edits them."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from datetime import time as clock
from html import unescape
from html.parser import HTMLParser

import pytest
from sqlmodel import select

from app import database
from app.inputs.survey_answers import Answers
from app.links import LIFETIMES, make_token
from app.models import (
    AuditEvent,
    Meeting,
    MeetingStatus,
    Participant,
    Program,
    SurveyReceipt,
    SurveyResponse,
)
from app.services.selfservice import erase_participant
from app.services.survey.answering import AlreadyAnswered, submit_answers
from app.services.survey.invitations import find_survey_invitation

from .conftest import CSRF, FULL_ANSWERS


@pytest.fixture
def link(survey) -> str:
    """Member 0's survey link, taken from the survey email they were sent after the meeting they came to."""
    survey.surveys_sent()
    return survey.survey_link(0)


def test_a_member_answers_from_the_survey_email_and_only_once(survey, link):
    page = survey.client.get(link)
    assert page.status_code == 200
    assert "How did the conversation feel for you?" in page.text
    assert "1 – Not good at all" in page.text and "5 – Very good" in page.text
    assert "Keep my answers anonymous" in page.text

    answered = survey.post(link, FULL_ANSWERS)

    assert answered.status_code == 200 and "Your answers are saved." in answered.text
    [response] = survey.rows(SurveyResponse)
    assert response.meeting_id == survey.meeting_id and response.participant_id == survey.members[0]
    assert not response.anonymous and len(response.response_key) >= 32
    assert response.answers == {
        "feeling": 4, "less_alone": "a_little", "host_helped": "yes", "meet_again": "yes",
        "comments": "It helped to hear from others.\nThank you.",
    }  # fmt: skip
    [receipt] = survey.rows(SurveyReceipt)
    assert receipt.participant_id == survey.members[0]
    [event] = survey.rows(AuditEvent, action="survey.answered")
    assert event.subject_id == str(survey.members[0]) and event.detail == {"meeting_id": survey.meeting_id}

    again = survey.client.get(link)
    assert "You have already answered — thank you" in again.text and "<form" not in again.text
    second_tab = {**FULL_ANSWERS, "csrf_token": CSRF.search(page.text).group(1)}  # the form, still open
    assert "already answered" in survey.client.post(link, data=second_tab).text
    assert len(survey.rows(SurveyResponse)) == 1


def test_an_anonymous_answer_keeps_no_name_and_only_the_day(survey, link):
    survey.post(link, {**FULL_ANSWERS, "anonymous": "yes"})

    [response] = survey.rows(SurveyResponse)
    assert response.anonymous and response.participant_id is None
    assert response.submitted_at.time() == clock(0, 0)
    assert response.answers["feeling"] == 4
    assert [receipt.participant_id for receipt in survey.rows(SurveyReceipt)] == [survey.members[0]]


def test_a_program_whose_survey_is_anonymous_says_so_and_keeps_no_name(survey, link):
    survey.change(Program, survey.program().id, survey_anonymous=True)

    page = survey.client.get(link).text
    survey.post(link, FULL_ANSWERS)

    assert "All answers to this survey are anonymous" in page and "Keep my answers anonymous" not in page
    [response] = survey.rows(SurveyResponse)
    assert response.anonymous and response.participant_id is None


def test_missing_required_answers_are_shown_by_their_questions_and_nothing_is_lost(survey, link):
    answered = survey.post(link, {"answer-feeling": "5", "answer-comments": "Kind people."})

    assert answered.status_code == 422
    page = answered.text
    assert 'class="error-summary"' in page and page.count("Please choose an answer.") == 2 * 3
    assert 'href="#field-answer-less_alone"' in page
    assert 'id="field-answer-feeling-5" name="answer-feeling" value="5" checked' in page  # kept
    assert ">Kind people.</textarea>" in page
    assert survey.rows(SurveyResponse) == [] and survey.rows(SurveyReceipt) == []


@pytest.mark.parametrize(
    ("answers", "problem"),
    [
        ({"answer-feeling": "9"}, "Please choose an answer."),
        ({"answer-meet_again": "perhaps"}, "Please choose an answer."),
        ({"answer-comments": "x" * 2001}, "Please keep this to 2000 characters or fewer."),
    ],
)
def test_answers_outside_the_questions_are_refused(survey, link, answers, problem):
    answered = survey.post(link, {**FULL_ANSWERS, **answers})

    assert answered.status_code == 422 and problem in answered.text
    assert survey.rows(SurveyResponse) == []


def test_the_page_speaks_the_members_language(survey):
    survey.change(Participant, survey.members[0], locale="es")
    survey.surveys_sent()
    [email] = survey.emails_to(0, "¿Qué tal fue su conversación?")

    page = survey.client.get(survey.link_in(email), headers={"Accept-Language": "en"}).text

    assert '<html lang="es">' in page
    assert "¿Cómo se sintió en la conversación?" in page and "1 – Nada bien" in page
    assert "Que mis respuestas sean anónimas" in page and "Send my answers" not in page


@pytest.mark.parametrize(
    ("locale", "tag", "question", "lowest"),
    [
        ("fr", "fr", "Comment avez-vous vécu la conversation\u00a0?", "1 – Pas bien du tout"),
        ("pt_BR", "pt-BR", "Como você se sentiu na conversa?", "1 – Nada bem"),
        ("zh_Hans", "zh-Hans", "您觉得这次交流怎么样？", "1 – 一点也不好"),
    ],
)
def test_the_default_questions_are_asked_in_each_shipped_language(survey, locale, tag, question, lowest):
    survey.change(Participant, survey.members[0], locale=locale)
    survey.surveys_sent()
    email = survey.emails_to(0)[-1]  # the survey, the last to go

    page = unescape(survey.client.get(survey.link_in(email), headers={"Accept-Language": "en"}).text)

    assert f'<html lang="{tag}">' in page
    assert question in page and lowest in page and "How did the conversation feel for you?" not in page


def _signed_long_ago(app, purpose: str, payload: dict) -> str:
    real_time = time.time
    time.time = lambda: real_time() - LIFETIMES[purpose].total_seconds() - 60
    try:
        with app.app_context():
            return make_token(purpose, payload)
    finally:
        time.time = real_time


@pytest.mark.parametrize(
    ("make_link", "status", "words"),
    [
        (lambda app, token, payload: f"/s/{token[:-3]}abc", 400, "This link does not work"),
        (lambda app, token, payload: f"/s/{token}x", 400, "This link does not work"),
        (lambda app, token, payload: f"/s/{_made(app, 'manage', payload)}", 400, "This link does not work"),
        (lambda app, token, payload: f"/s/{_signed_long_ago(app, 'survey', payload)}", 410, "has expired"),
        (
            lambda app, token, payload: f"/s/{_made(app, 'survey', {**payload, 'm': 999})}",
            400,
            "does not work",
        ),
    ],
    ids=["tampered", "cut-short", "another-purpose", "expired", "unknown-meeting"],
)
def test_a_link_that_is_not_a_valid_survey_link_is_refused_kindly(survey, link, make_link, status, words):
    payload = {"p": survey.members[0], "m": survey.meeting_id}

    answered = survey.client.get(make_link(survey.app, link.removeprefix("/s/"), payload))

    assert answered.status_code == status and words in answered.text
    assert "Traceback" not in answered.text and "<form" not in answered.text


def _made(app, purpose: str, payload: dict) -> str:
    with app.app_context():
        return make_token(purpose, payload)


def test_a_post_without_the_form_s_token_is_refused(survey, link):
    answered = survey.client.post(link, data=FULL_ANSWERS)

    assert answered.status_code == 400
    assert survey.rows(SurveyResponse) == []


def test_an_erased_member_or_a_cancelled_meeting_gets_a_clear_page(survey, link):
    survey.change(Meeting, survey.meeting_id, status=MeetingStatus.CANCELLED)
    cancelled = survey.client.get(link)
    assert cancelled.status_code == 200 and "This meet-up was cancelled" in cancelled.text

    survey.change(Meeting, survey.meeting_id, status=MeetingStatus.ENDED)
    with survey.app.app_context():
        session = database.session()
        erase_participant(session, session.get(Participant, survey.members[0]))
        session.commit()
    erased = survey.client.get(link)
    assert erased.status_code == 200 and "Your information is deleted" in erased.text
    assert survey.rows(SurveyResponse) == []


def test_two_submissions_racing_keep_one_answer(survey, link):
    token = link.removeprefix("/s/")
    answers = Answers({"feeling": 3}, anonymous=False)
    with survey.app.test_request_context():
        session = database.session()
        invitation = find_survey_invitation(session, token)
        submit_answers(session, invitation, answers, now=datetime.now(UTC))
        # The second submission got past the page's check before the first was saved: the receipt stops it.
        with pytest.raises(AlreadyAnswered):
            submit_answers(session, invitation, answers, now=datetime.now(UTC))
        session.commit()
    assert len(survey.rows(SurveyResponse)) == len(survey.rows(SurveyReceipt)) == 1


# The program's questions, in the console ------------------------------------------------------------


class FormFields(HTMLParser):
    """What a browser sends from a page's forms: every field's value, boxes only when ticked."""

    def __init__(self, html: str):
        super().__init__()
        self.fields: dict[str, str] = {}
        self._textarea: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "textarea":
            self._textarea = attributes["name"]
            self.fields[self._textarea] = ""
        elif tag == "input" and attributes.get("name"):
            ticked = attributes.get("type") not in ("checkbox", "radio") or "checked" in attributes
            if ticked:
                self.fields[attributes["name"]] = attributes.get("value", "")

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None


EDITOR = "/console/programs/demo/survey"


@pytest.fixture
def editor(program, console_client):
    return console_client("demo")


def _save(editor, **changes):
    fields = FormFields(editor.get(EDITOR).text).fields
    for name, value in changes.items():
        if value is None:
            fields.pop(name, None)
        else:
            fields[name] = value
    return editor.post(EDITOR, data=fields)


def offered(texts: dict[str, str]) -> dict[str, str]:
    """A question's texts in the languages the program offers (English and Spanish): the editor shows boxes
    for those alone, and leaves the texts of other languages as they are."""
    return {language: text for language, text in texts.items() if language in ("en", "es")}


def _questions(app) -> list[dict]:
    with app.app_context():
        return database.session().exec(select(Program)).one().survey_questions


def test_a_coordinator_rewords_reorders_removes_and_adds_questions(app, editor):
    saved = _save(
        editor,
        **{
            "q-feeling-text-en": "How was it for you?",
            **{f"q-feeling-text-{locale}": "" for locale in ("es", "fr", "pt_BR", "zh_Hans")},
            "q-feeling-high-en": "Wonderful", "q-less_alone-option-a_little-en": "Somewhat",
            "q-comments-position": "1",
            "q-comments-required": "yes", "q-host_helped-remove": "yes", "new-kind": "scale",
            "new-text-en": "Would you recommend the meet-ups?", "new-low-en": "Not at all",
            "new-high-en": "Certainly", "new-required": "yes", "survey_anonymous": "yes",
            "survey_reminder_days": "5",
        },
    )  # fmt: skip

    assert saved.status_code == 303
    assert "Survey saved." in editor.get(saved.headers["Location"]).text
    questions = _questions(app)
    assert [q["key"] for q in questions] == [
        "comments", "feeling", "less_alone", "meet_again", "would-you-recommend-the-meet-ups",
    ]  # fmt: skip
    comments, feeling, less_alone, _meet_again, added = questions
    assert comments["required"] is True
    assert offered(feeling["text"]) == {"en": "How was it for you?"} and feeling["high"]["en"] == "Wonderful"
    assert less_alone["options"][1] == {
        "value": "a_little",
        "text": {"en": "Somewhat", "es": "Un poco", "fr": "Un peu", "pt_BR": "Um pouco", "zh_Hans": "有一点"},
    }
    assert added == {
        "key": "would-you-recommend-the-meet-ups", "kind": "scale", "required": True,
        "text": {"en": "Would you recommend the meet-ups?"}, "low": {"en": "Not at all"},
        "high": {"en": "Certainly"},
    }  # fmt: skip
    with app.app_context():
        program = database.session().exec(select(Program)).one()
        assert program.survey_anonymous and program.survey_reminder_days == 5
        [event] = database.session().exec(
            select(AuditEvent).where(AuditEvent.action == "program.survey_changed")
        )
    assert event.detail["removed"] == ["host_helped"]
    assert event.detail["added"] == ["would-you-recommend-the-meet-ups"]


def test_mistakes_in_the_editor_are_shown_by_their_fields_and_nothing_is_lost(app, editor):
    before = _questions(app)

    saved = _save(
        editor,
        **{
            "q-feeling-text-en": "", "q-less_alone-text-en": "Less lonely now?",
            "q-meet_again-position": "first",
            "new-kind": "choice", "new-text-en": "Was the time right?", "new-options-en": "Yes",
            "survey_reminder_days": "40",
        },
    )  # fmt: skip

    assert saved.status_code == 422
    page = saved.text
    assert "Please check these answers" in page
    for message, field in [
        ("Write the question in English.", "q-feeling-text-en"),
        ("Enter a whole number from 1 to 99.", "q-meet_again-position"),
        ("Write from 2 to 8 answers in English, one per line.", "new-options-en"),
        ("Enter a whole number from 1 to 14.", "survey_reminder_days"),
    ]:
        assert message in page and f'href="#field-{field}"' in page
    assert 'value="Less lonely now?"' in page and 'value="Was the time right?"' in page  # kept
    assert _questions(app) == before


def test_a_new_choice_question_gets_a_key_of_its_own_and_is_asked_in_both_languages(app, editor, survey):
    new_question = {
        "new-kind": "choice", "new-text-en": "Was the time right?", "new-text-es": "¿Fue buena la hora?",
        "new-options-en": "Yes\nToo early\nToo late",
        "new-options-es": "Sí\nDemasiado pronto\nDemasiado tarde",
    }  # fmt: skip
    assert _save(editor, **new_question).status_code == 303
    assert _save(editor, **{**new_question, "new-options-es": ""}).status_code == 303

    first, second = _questions(app)[-2:]
    assert (first["key"], second["key"]) == ("was-the-time-right", "was-the-time-right-2")
    assert [option["value"] for option in first["options"]] == ["yes", "too-early", "too-late"]
    assert second["options"][1]["text"] == {"en": "Too early"}
    survey.change(Participant, survey.members[0], locale="es")
    survey.surveys_sent()
    [email] = survey.emails_to(0, "¿Qué tal fue su conversación?")
    page = survey.client.get(survey.link_in(email)).text
    assert page.count("¿Fue buena la hora?") == 2 and "Demasiado pronto" in page
    assert "Too early" in page  # the second question's answers have no Spanish: the English shows


def test_the_last_question_cannot_be_removed(app, editor):
    removals = {f"q-{question['key']}-remove": "yes" for question in _questions(app)}

    saved = _save(editor, **removals)

    assert saved.status_code == 422 and "Keep at least one question" in saved.text
    assert len(_questions(app)) == 5


def test_the_editor_is_for_the_program_s_coordinators_and_needs_the_form_s_token(app, editor, console_client):
    stranger = console_client()
    assert stranger.get(EDITOR).status_code == 404
    fields = FormFields(editor.get(EDITOR).text).fields
    del fields["csrf_token"]
    assert editor.post(EDITOR, data={**fields, "survey_reminder_days": "9"}).status_code == 400
    with app.app_context():
        assert database.session().exec(select(Program)).one().survey_reminder_days == 3
