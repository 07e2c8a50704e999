"""Every shipped language is written with its own catalogue and tagged the way mail and calendar programs read
a language: BCP 47 (`pt-BR`, `zh-Hans`) in `<html lang>`, Content-Language and the calendar's LANGUAGE."""

from __future__ import annotations

import re
from email import message_from_bytes, policy

import pytest
from icalendar import Calendar

from emails.i18n import LANGUAGES
from emails.messages import compose
from emails.rendering import render

from .conftest import KINDS

MAIL_FROM = "Peer Meet-ups <meetups@example.org>"
TAGS = {"en": "en", "es": "es", "fr": "fr", "pt_BR": "pt-BR", "zh_Hans": "zh-Hans"}


def test_every_shipped_language_has_its_tag():
    assert set(TAGS) == set(LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
def test_every_message_is_tagged_with_its_language(kind, language, make_email, make_person):
    email = make_email(kind, make_person(locale=language))

    received = message_from_bytes(bytes(compose(email, mail_from=MAIL_FROM)), policy=policy.default)

    assert received["Content-Language"] == TAGS[language]
    assert f'<html lang="{TAGS[language]}">' in received.get_body(("html",)).get_content()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_calendar_texts_say_their_language(language, make_email, make_person):
    invite = make_email("cohort_invitation", make_person(locale=language)).invite
    [event] = Calendar.from_ical(invite.data).walk("VEVENT")
    [alarm] = event.walk("VALARM")

    texts = [event["SUMMARY"], event["DESCRIPTION"], alarm["DESCRIPTION"]]
    assert [text.params["LANGUAGE"] for text in texts] == [TAGS[language]] * 3


@pytest.mark.parametrize(
    ("locale", "language"),
    [
        ("es_MX", "es"),
        ("fr_CA", "fr"),
        ("pt", "pt_BR"),
        ("pt_PT", "pt_BR"),
        ("zh", "zh_Hans"),
        ("zh_CN", "zh_Hans"),
    ],
)
def test_a_regional_locale_is_written_in_the_catalogue_of_its_language(
    locale, language, make_email, make_person
):
    shipped = render("survey", make_email("survey", make_person(locale=language)).context, language)

    rendered = render("survey", make_email("survey", make_person(locale=locale)).context, locale)

    assert rendered.language == TAGS[language]
    assert rendered.subject == shipped.subject


def test_every_text_names_faces_with_chinese_characters_on_each_platform(make_email, make_person):
    html = render("reminder", make_email("reminder", make_person(locale="zh_Hans")).context, "zh_Hans").html

    stacks = re.findall(r"font-family:([^;\"]+)", html)
    assert stacks and all(
        {"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC"} <= {face.strip() for face in stack.split(",")}
        for stack in stacks
    )
