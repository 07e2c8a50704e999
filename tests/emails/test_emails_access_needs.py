"""Emails shaped by what their reader asked for: the phone details for someone who joins by phone, a note on
captions for the host, larger type for someone who asked for large text."""

from __future__ import annotations

from dataclasses import replace

import pytest

from emails.context import DialIn
from emails.rendering import render
from emails.samples import DIAL_IN

from .conftest import KINDS, LOCALES
from .wire import body_font_size


def _rendered(make_email, make_person, kind: str, locale: str = "en", **changes):
    email = make_email(kind, make_person(locale=locale))
    return render(kind, {**email.context, **changes}, locale)


@pytest.mark.parametrize("kind", ["cohort_invitation", "reminder"])
def test_the_phone_details_are_given_only_to_who_joins_by_phone(kind, make_email, make_person):
    by_phone = _rendered(make_email, make_person, kind)
    by_video = _rendered(make_email, make_person, kind, dial_in=None)

    for body in (by_phone.text, by_phone.html):
        assert "Number to call: +34 910 000 123" in body
        assert "Meeting ID: 812 3456 7890" in body and "Phone passcode: 482913" in body
    assert "Joining by phone" not in by_video.text + by_video.html


def test_a_meeting_without_a_phone_passcode_asks_for_the_meeting_id_alone(make_email, make_person):
    rendered = _rendered(make_email, make_person, "reminder", dial_in=replace(DIAL_IN, passcode=None))
    assert "key in the meeting ID followed by #." in rendered.text
    assert "passcode" not in rendered.text.split("Joining by phone")[1].split("The link opens Zoom")[0]


@pytest.mark.parametrize(("meeting_id", "passcode"), [("812 3456 7890", "482913"), ("81234567890", "tea42")])
def test_phone_details_that_a_phone_cannot_key_in_are_refused(meeting_id, passcode):
    with pytest.raises(ValueError, match="digits only"):
        DialIn(number="+1 646 555 0123", meeting_id=meeting_id, passcode=passcode)


@pytest.mark.parametrize("locale", LOCALES)
def test_the_host_hears_of_captions_only_when_a_member_asked_for_them(locale, make_email, make_person):
    note = {"en": "asked for captions", "es": "pidió subtítulos"}[locale]
    asked = _rendered(make_email, make_person, "host_briefing", locale)
    not_asked = _rendered(make_email, make_person, "host_briefing", locale, captions=False)
    assert note in asked.text and note in asked.html
    assert note not in not_asked.text + not_asked.html


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_of_email_is_in_larger_type_for_who_asked(kind, make_email, make_person):
    larger = render(kind, make_email(kind, replace(make_person(), large_text=True)).context, "en")
    usual = render(kind, make_email(kind, make_person()).context, "en")
    assert body_font_size(larger.html) == 24 and body_font_size(usual.html) == 19
