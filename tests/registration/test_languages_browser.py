"""Every patient page in every shipped language, in headless Chromium on a phone: it says its language, passes
axe-core and needs no sideways scrolling (longer French and Portuguese words, Chinese characters)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app import database
from app.i18n import SUPPORTED_LOCALES
from app.links import make_token
from app.models import Participant, Program, SeatOffer
from emails.i18n import language_tag

from .test_browser import PHONE, _serious_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]


@pytest.fixture
def visits(kit, place):
    """The path of each patient page in a language, for a member placed in a group of the demo program, which
    offers every shipped language: `?lang=` chooses the language of the pages the program speaks, the member's
    own language that of the pages their links open (so it is set to the language asked for)."""
    with kit.app.app_context():
        session = database.session()
        session.exec(select(Program)).one().languages = list(SUPPORTED_LOCALES)
        session.commit()
    member = kit.register_and_verify()
    meeting_id = place(member)
    kit.client.post(kit.api, json=kit.body(email="sol@example.org", display_name="Sol"))
    program_pages = {
        "registration form": "/p/demo",
        "check your email": "/p/demo/registered",
        "confirm the email address": kit.latest_link("verify"),
    }
    with kit.app.app_context():
        session = database.session()
        offer = SeatOffer(meeting_id=meeting_id, participant_id=member.id)
        session.add(offer)
        session.commit()
        invited = {"p": member.id, "m": meeting_id}
        member_pages = {
            "my meet-up": kit.signed_path(kit.manage, "manage", member.id),
            "meeting answer": f"/p/demo/meeting/{make_token('answer', invited)}/not_coming",
            "offered place": f"/p/demo/place/{make_token('seat', {'o': offer.id})}",
            "absence": f"/p/demo/absence/{make_token('absence', {'p': member.id})}/pause",
            "survey": f"/s/{make_token('survey', invited)}",
        }

    def in_language(language: str) -> dict[str, str]:
        with kit.app.app_context():
            session = database.session()
            session.get(Participant, member.id).locale = language
            session.commit()
        return {name: f"{path}?lang={language}" for name, path in program_pages.items()} | member_pages

    return in_language


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, bypass_csp=True)  # axe comes in as a script tag
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("language", SUPPORTED_LOCALES)
def test_every_patient_page_reads_well_on_a_phone_in_each_language(visits, server, phone, language):
    problems = {}
    for name, path in visits(language).items():
        phone.goto(server + path)
        found = _page_problems(phone, language_tag(language))
        if found:
            problems[name] = found

    assert problems == {}


def _page_problems(page, tag: str) -> list[str]:
    problems = _serious_violations(page)
    spoken = page.evaluate("document.documentElement.lang")
    if spoken != tag:
        problems.append(f"<html lang={spoken!r}>")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    if overflow > 0:
        problems.append(f"{overflow}px of sideways scrolling, by {_too_wide(page)}")
    if tag == "zh-Hans" and "PingFang SC" not in page.evaluate("getComputedStyle(document.body).fontFamily"):
        problems.append("no face with Chinese characters")
    return problems


def _too_wide(page) -> list[str]:
    """The innermost elements reaching past the screen's right edge, to find what to fix."""
    return page.evaluate(
        """[...document.querySelectorAll('body *')]
           .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth)
           .map(e => `${e.tagName.toLowerCase()} "${e.textContent.trim().slice(0, 40)}"`).slice(-3)"""
    )
