"""The host page in headless Chromium, on a phone and on a desktop, in English and Spanish: each meeting's
date, its start button and its members never overlap, nothing runs off the screen, axe-core finds no serious
problem, and the host marks who came by the labels a person (or a screen reader) finds."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import url_for

from app.database import utcnow
from app.links import make_token
from app.models import Cohort, MarkedAttendance, Meeting

from ..registration.test_browser import PHONE, _serious_violations
from .conftest import SurveyKit

pytestmark = [
    pytest.mark.browser,
    # One database is enough here: the browser checks the page, the other tests check both databases.
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]

DESKTOP = {"width": 1280, "height": 800}
START = {"en": "Start this meeting", "es": "Iniciar esta reunión"}
SAVE = {"en": "Save who came", "es": "Guardar quién asistió"}
SAVED = {"en": "Thank you. We have saved who came.", "es": "Gracias. Hemos guardado quién asistió."}
# Every pair of these in one meeting's card must not overlap: the date, the group, the button, the members.
PARTS = ".host-meeting__when, .host-meeting__group, .host-meeting__start .button, .host-members li"
OVERLAPS = """cards => cards.flatMap(card => {
  const boxes = [...card.querySelectorAll(arguments_parts)].map(part => [part.className || part.tagName,
                                                                         part.getBoundingClientRect()]);
  const hits = [];
  boxes.forEach(([a, one], i) => boxes.slice(i + 1).forEach(([b, two]) => {
    if (one.left < two.right && two.left < one.right && one.top < two.bottom && two.top < one.bottom)
      hits.push(`${a} / ${b}`);
  }));
  return hits;
})""".replace("arguments_parts", repr(PARTS))


@pytest.fixture
def host_groups(app, mailbox, make_cohorts) -> tuple[SurveyKit, SurveyKit]:
    """Two groups of the same host: one meets soon, the other met two hours ago and Zoom saw two of it."""
    soon, past = (SurveyKit(app, mailbox, cohort_id) for cohort_id in make_cohorts(2, size=4))
    past.change(Meeting, past.meeting_id, starts_at=utcnow() - timedelta(hours=2))
    past.attended(0, 1)
    return soon, past


def _host_url(kit: SurveyKit) -> str:
    host_id = kit.rows(Cohort, id=kit.meeting().cohort_id)[0].host_id
    with kit.app.test_request_context():
        return url_for("hosts.page", token=make_token("host", {"h": host_id}))


@pytest.mark.parametrize("locale", ["en", "es"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_host_page_has_no_overlaps_and_no_serious_accessibility_problems(
    host_groups, server, browser, viewport, locale
):
    soon, _ = host_groups
    context = browser.new_context(viewport=viewport, locale="en-GB", bypass_csp=True)
    page = context.new_page()
    page.goto(f"{server}{_host_url(soon)}?lang={locale}")

    start = page.get_by_role("link", name=START[locale])
    date = page.locator(".host-meeting__when").first
    assert start.is_visible() and date.is_visible()
    button, when = start.bounding_box(), date.bounding_box()
    assert button["y"] >= when["y"] + when["height"] or button["x"] >= when["x"] + when["width"]
    assert page.locator(".host-meeting").evaluate_all(OVERLAPS) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert _serious_violations(page) == []
    context.close()


@pytest.mark.parametrize("locale", ["en", "es"])
def test_the_host_marks_who_came_on_a_phone(host_groups, server, browser, locale):
    _, past = host_groups
    context = browser.new_context(viewport=PHONE, locale="en-GB", bypass_csp=True)
    page = context.new_page()
    page.goto(f"{server}{_host_url(past)}?lang={locale}")
    came_by_phone, zoom_saw = past.member(2).display_name, past.member(1).display_name
    assert page.get_by_label(zoom_saw, exact=True).is_checked()
    assert not page.get_by_label(came_by_phone, exact=True).is_checked()

    page.get_by_label(came_by_phone, exact=True).check()
    page.get_by_label(zoom_saw, exact=True).uncheck()
    page.get_by_role("button", name=SAVE[locale]).click()

    page.get_by_text(SAVED[locale]).wait_for()
    assert page.get_by_label(came_by_phone, exact=True).is_checked()
    marks = {mark.participant_id: mark.present for mark in past.rows(MarkedAttendance)}
    assert marks == dict(zip(past.members, [True, False, True, False], strict=True))
    assert _serious_violations(page) == []
    context.close()
