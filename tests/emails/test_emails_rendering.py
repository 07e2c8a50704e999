"""Every kind of message, in every language, reads right and links right."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
from jinja2 import UndefinedError

from emails import messages
from emails.context import Links, WaitlistReason
from emails.rendering import render
from emails.samples import sample_email

from .conftest import ANSWERS, KINDS, LOCALES

LEFTOVER_MARKUP = re.compile(r"%\(\w+\)s|\{\{|\}\}|\{%|%\}|\{#|#\}")


class Hrefs(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.hrefs.extend(value for name, value in attrs if name == "href")


def test_every_kind_has_a_message_function():
    assert len(KINDS) == 21
    assert all(callable(getattr(messages, kind)) for kind in KINDS)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("kind", KINDS)
def test_every_message_renders_completely(kind, locale, make_email, make_person):
    email = make_email(kind, make_person(locale=locale))

    rendered = render(email.kind, email.context, locale)

    for part in (rendered.subject, rendered.preview, rendered.text, rendered.html):
        assert part.strip()
        assert not LEFTOVER_MARKUP.search(part), part
    assert rendered.language == locale
    assert f'<html lang="{locale}">' in rendered.html
    assert rendered.preview in rendered.html  # the inbox preheader


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("kind", KINDS)
def test_subject_and_preview_never_name_the_condition(kind, locale, make_email, make_person, condition):
    email = make_email(kind, make_person(locale=locale))

    rendered = render(email.kind, email.context, locale)

    for glimpse in (rendered.subject, rendered.preview):
        assert condition.lower() not in glimpse.lower()
        assert "leukaemia" not in glimpse.lower()


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("kind", KINDS)
def test_every_link_is_absolute_and_the_footer_offers_manage_and_unsubscribe(
    kind, locale, make_email, make_person, links
):
    email = make_email(kind, make_person(locale=locale))

    rendered = render(email.kind, email.context, locale)

    hrefs = Hrefs(rendered.html).hrefs
    assert hrefs and all(re.match(r"https?://[^/\s]+/", href) for href in hrefs)
    assert {links.manage_url, links.unsubscribe_url} <= set(hrefs)
    assert links.manage_url in rendered.text and links.unsubscribe_url in rendered.text


@pytest.mark.parametrize("kind", KINDS)
def test_spanish_reads_differently_from_english(kind, make_email, make_person):
    english = render(kind, make_email(kind, make_person(locale="en")).context, "en")
    spanish = render(kind, make_email(kind, make_person(locale="es")).context, "es")

    assert spanish.subject != english.subject
    assert "Hola" in spanish.text and "Hello" not in spanish.text


def test_times_are_written_in_the_recipients_zone_and_language(make_email, make_person):
    # 13:00 UTC on Tuesday 3 March 2026 is 14:00 in Madrid and 08:00 in New York.
    madrid = render("reminder", make_email("reminder", make_person(locale="es")).context, "es")
    new_york = make_person(timezone="America/New_York", locale="en_US")
    american = render("reminder", make_email("reminder", new_york).context, "en_US")

    assert "martes, 3 de marzo de 2026, 14:00–15:00 (hora de Europa central, Europe/Madrid)" in madrid.text
    assert "Tuesday, March 3, 2026, 8:00\u2009–\u20099:00\u202fAM (Eastern Time, America/New_York)" in (
        american.text
    )


def test_a_display_name_is_escaped_in_html_and_left_alone_in_text(make_email, make_person):
    hostile = make_person(display_name="<script>alert(1)</script>")

    rendered = render("preparation_tips", make_email("preparation_tips", hostile).context, "en")

    assert "<script>" not in rendered.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered.html
    assert "Hello <script>alert(1)</script>," in rendered.text
    assert "&lt;" not in rendered.text and "&amp;" not in rendered.text


def test_host_briefing_lists_members_without_their_addresses(make_email, make_person):
    email = make_email("host_briefing", make_person(display_name="Hana", email="hana@example.net"))

    rendered = render(email.kind, email.context, "en")

    for part in (rendered.text, rendered.html):
        assert "Carl" in part and "Dee" in part
        assert "Speaks: English, Spanish" in part
        assert "Their time: Tuesday 8:00\u202fAM (Eastern Time)" in part
        assert "Their time: Tuesday 10:00\u202fPM (Japan Time)" in part
        assert "@" not in part.replace("hello@example.org", "")  # no member's address
        assert "https://meetups.example.org/host/cohorts/17/start" in part
        assert "zoom.example.com/s/" not in part  # never Zoom's own start link


@pytest.mark.parametrize("reason", list(WaitlistReason))
@pytest.mark.parametrize("locale", LOCALES)
def test_each_waitlist_reason_is_explained_in_its_own_words(reason, locale, program, links, make_person):
    explanations = {
        other: render(
            "waitlisted",
            messages.waitlisted(
                program=program, recipient=make_person(locale=locale), links=links, reason=other
            ).context,
            locale,
        ).text
        for other in WaitlistReason
    }

    others = [text for other, text in explanations.items() if other != reason]
    assert explanations[reason] not in others
    assert reason.value not in explanations[reason]  # the code itself never shows


def test_an_unknown_waitlist_reason_is_refused(program, links, make_person):
    with pytest.raises(ValueError):
        messages.waitlisted(program=program, recipient=make_person(), links=links, reason="bad_luck")


@pytest.mark.parametrize(
    ("locale", "others", "expected"),
    [
        ("en", 1, "with one other person affected by"),
        ("en", 5, "with 5 other people affected by"),
        ("es", 1, "con otra persona afectada por"),
        ("es", 5, "con otras 5 personas afectadas por"),
    ],
)
def test_invitation_counts_the_other_members(
    locale, others, expected, program, links, make_person, make_meeting
):
    email = messages.cohort_invitation(
        program=program,
        recipient=make_person(locale=locale),
        links=links,
        meeting=make_meeting(),
        condition="CLL",
        others=others,
        host_name=None,
        answers=ANSWERS,
    )

    assert expected in render(email.kind, email.context, locale).text


def test_a_relative_link_is_refused_by_the_renderer(make_email, make_person):
    context = {**make_email("survey", make_person()).context, "survey_url": "/survey/1"}

    with pytest.raises(ValueError, match="absolute"):
        render("survey", context, "en")


@pytest.mark.parametrize("url", ["/verify?token=1", "verify", "javascript:alert(1)", "https:///nohost"])
def test_a_relative_or_non_web_link_is_refused_when_the_message_is_built(url, program, links, make_person):
    with pytest.raises(ValueError, match="absolute"):
        messages.survey(program=program, recipient=make_person(), links=links, survey_url=url)


def test_a_missing_variable_fails_instead_of_rendering_blank(make_email, make_person):
    context = dict(make_email("survey", make_person()).context)
    del context["survey_url"]

    with pytest.raises(UndefinedError):
        render("survey", context, "en")


@pytest.mark.parametrize("locale", ["de", "zh_Hant", "zh_TW"])
def test_a_language_without_a_catalogue_is_refused(locale, make_email, make_person):
    with pytest.raises(ValueError, match=locale):
        render("survey", make_email("survey", make_person()).context, locale)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize(
    ("kind", "link", "button"),
    [
        ("survey_reminder", "survey_url", {"en": "Answer the survey", "es": "Responder a la encuesta"}),
        ("missed_you", "another_group_url", {"en": "Find me another group", "es": "Buscarme otro grupo"}),
    ],
)
def test_the_survey_follow_ups_carry_their_one_link(kind, link, button, locale, make_email, make_person):
    email = make_email(kind, make_person(locale=locale))

    rendered = render(email.kind, email.context, locale)

    url = email.context[link]
    assert url in Hrefs(rendered.html).hrefs and f"{button[locale]}: {url}" in rendered.text
    assert email.invite is None  # nothing for the calendar


def test_the_missed_you_message_asks_nothing_about_the_meeting(make_email, make_person):
    rendered = render("missed_you", make_email("missed_you", make_person()).context, "en")

    assert "survey" not in rendered.text.lower() and "Things come up, and that is fine." in rendered.text


@pytest.mark.parametrize(
    ("locale", "subject", "named"),
    [
        ("en", "Please confirm the changes to your answers", ["your stage", "the times you can meet"]),
        (
            "es",
            "Confirme los cambios en sus respuestas, por favor",
            ["su etapa", "los horarios en que puede"],
        ),
    ],
)
def test_a_known_address_is_told_which_answers_would_change(
    locale, subject, named, program, links, make_person
):
    email = messages.verify_email(
        program=program, recipient=make_person(locale=locale), links=links, changes=["stage", "availability"],
        verify_url="https://meetups.example.org/r/verify?token=v3r1fy",
        expires_at_utc=datetime(2026, 3, 4, 9, 30, tzinfo=UTC),
    )  # fmt: skip

    rendered = render(email.kind, email.context, locale)

    assert rendered.subject == subject
    for part in (rendered.text, rendered.html):
        assert all(answer in part for answer in named)
        assert "your languages" not in part and "sus idiomas" not in part
        assert "https://meetups.example.org/r/verify?token=v3r1fy" in part


@pytest.mark.parametrize(
    ("locale", "host_words", "member_words"),
    [
        ("en", "because you host conversations for", "because you registered with"),
        ("es", "porque es anfitrión o anfitriona de conversaciones de", "porque se inscribió en"),
    ],
)
def test_a_host_s_footer_says_they_get_it_as_a_host(locale, host_words, member_words, make_person, links):
    host_links = Links(links.manage_url, links.unsubscribe_url, to_host=True)
    email = sample_email("host_briefing", make_person(locale=locale), links=host_links)

    rendered = render(email.kind, email.context, locale)

    for body in (rendered.text, rendered.html):
        flat = " ".join(body.split())
        assert host_words in flat and member_words not in flat
        assert host_links.manage_url in body and host_links.unsubscribe_url in body
