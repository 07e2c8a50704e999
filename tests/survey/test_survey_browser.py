"""Answering the survey on a phone-sized screen in headless Chromium, from the link in the survey email, by
the labels a person (or a screen reader) finds, and scanned with axe-core."""

from __future__ import annotations

import pytest

from app.models import SurveyResponse

from ..registration.test_browser import PHONE, _serious_violations

pytestmark = [
    pytest.mark.browser,
    # One database is enough here: the browser checks the page, the other tests check both databases.
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]


@pytest.fixture
def phone(browser):
    # CSP allows no inline script; axe-core is injected by the test, as the page itself never would.
    context = browser.new_context(viewport=PHONE, locale="en-GB", bypass_csp=True)
    yield context.new_page()
    context.close()


def _choose(page, question: str, answer: str) -> None:
    page.get_by_role("group", name=question).get_by_label(answer, exact=True).check()


def test_a_member_answers_the_survey_on_a_phone(survey, server, phone):
    survey.surveys_sent()
    phone.goto(server + survey.survey_link(0))
    assert _serious_violations(phone) == []
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # nothing off-screen

    phone.get_by_role("button", name="Send my answers").click()  # too soon: nothing chosen yet
    summary = phone.get_by_role("alert")
    summary.wait_for()
    assert summary.evaluate("element => element === document.activeElement")
    assert _serious_violations(phone) == []

    _choose(phone, "How did the conversation feel for you?", "4")
    _choose(phone, "Do you feel less alone after talking with the group?", "A little")
    _choose(phone, "Did the host help the conversation?", "Yes")
    _choose(phone, "Would you like to meet again with the same group in about a month?", "Yes")
    phone.get_by_label("Is there anything else you would like to tell us? (optional)").fill("Thank you all.")
    phone.get_by_label("Keep my answers anonymous").check()
    phone.get_by_role("button", name="Send my answers").click()

    phone.get_by_role("heading", name="Thank you").wait_for()
    [response] = survey.rows(SurveyResponse)
    assert response.anonymous and response.participant_id is None
    assert response.answers == {
        "feeling": 4, "less_alone": "a_little", "host_helped": "yes", "meet_again": "yes",
        "comments": "Thank you all.",
    }  # fmt: skip


def test_the_scale_is_easy_to_tap(survey, server, phone):
    survey.surveys_sent()
    phone.goto(server + survey.survey_link(0))

    scale = phone.get_by_role("group", name="How did the conversation feel for you?")
    radios = scale.get_by_role("radio").all()
    assert len(radios) == 5
    for radio in radios:
        box = radio.bounding_box()
        assert box["width"] >= 24 and box["height"] >= 24  # WCAG 2.5.8's smallest target, and more
    scale.get_by_text("5 – Very good").click()  # the words choose it too
    assert scale.get_by_label("5 – Very good").is_checked()
