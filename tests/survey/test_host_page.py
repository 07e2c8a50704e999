"""What the host page tells a host about their members: names, languages, the needs they ticked and their
answers; never an email address, a phone number or the free-text note (members are not asked whether it may
be shared with the host)."""

from __future__ import annotations

import html

import pytest
from flask import url_for

from app.links import make_token
from app.models import Cohort, Meeting, MeetingStatus, Participant

NOTE = "Please do not mention my surgery"
SHOWN = {
    "en": ("Speaks: English, Español", "Would help: Captions (subtitles), Joins by phone", "No answer yet"),
    "es": (
        "Habla: English, Español",
        "Le ayudaría: Subtítulos, Se conecta por teléfono",
        "Aún sin respuesta",
    ),
}


@pytest.mark.parametrize("locale", ["en", "es"])
def test_the_host_sees_languages_and_ticked_needs_but_no_contact_details_or_note(survey, locale):
    survey.change(
        Participant, survey.members[0], languages=["en", "es"], accessibility_needs=["captions", "phone"],
        accessibility_note=NOTE, phone="+15005550006",
    )  # fmt: skip
    host_id = survey.rows(Cohort, id=survey.meeting().cohort_id)[0].host_id
    with survey.app.test_request_context():
        url = url_for("hosts.page", token=make_token("host", {"h": host_id}), lang=locale)

    page = html.unescape(survey.client.get(url).text)

    assert all(words in page for words in SHOWN[locale])
    assert NOTE not in page and "+15005550006" not in page and "5550006" not in page
    assert not any(survey.member(number).email in page for number in range(4))
    assert "@" not in page.replace(survey.program().contact_email, "")


@pytest.mark.parametrize(
    ("locale", "words"), [("en", "This meeting was cancelled."), ("es", "Esta reunión se canceló.")]
)
def test_a_start_link_that_cannot_start_says_why_in_the_host_s_language(survey, locale, words):
    survey.change(Meeting, survey.meeting_id, status=MeetingStatus.CANCELLED)
    host_id = survey.rows(Cohort, id=survey.meeting().cohort_id)[0].host_id
    with survey.app.test_request_context():
        payload = {"h": host_id, "m": survey.meeting_id}
        url = url_for("hosts.start", token=make_token("host", payload), lang=locale)

    refused = survey.client.get(url)

    assert refused.status_code == 410 and words in refused.text


@pytest.mark.parametrize(
    ("locale", "question", "goodbye"),
    [
        ("en", "Stop hosting?", "You will get no more hosting emails"),
        ("es", "¿Dejar de ser anfitrión?", "No recibirá más correos de anfitrión"),
    ],
)
def test_a_host_stops_hosting_in_their_language(survey, locale, question, goodbye):
    host_id = survey.rows(Cohort, id=survey.meeting().cohort_id)[0].host_id
    with survey.app.test_request_context():
        url = url_for("hosts.unsubscribe", token=make_token("host", {"h": host_id}), lang=locale)

    asked = html.unescape(survey.client.get(url).text)
    told = html.unescape(survey.client.post(url).text)

    assert question in asked and f'<html lang="{locale}">' in asked
    assert goodbye in told
