"""The registration form in headless Chromium on a phone-sized screen, with and without JavaScript,
filled in by its labels as a person (or a screen reader) finds them, and scanned with axe-core."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from app import database
from app.database import utcnow
from app.links import make_token
from app.models import Cohort, Meeting, Program

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
PHONE = {"width": 390, "height": 844}

pytestmark = [
    pytest.mark.browser,
    # One database is enough here: the browser checks the pages, the other tests check both databases.
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]


@pytest.fixture
def phone(browser):
    """A phone-sized page with JavaScript, in Mexico City's time zone (so the time-zone guess shows)."""
    # axe is injected as a script tag, which our Content-Security-Policy rightly refuses on real visits.
    context = browser.new_context(
        viewport=PHONE, timezone_id="America/Mexico_City", locale="en-GB", bypass_csp=True
    )
    yield context.new_page()
    context.close()


def re_exact(name: str) -> re.Pattern:
    return re.compile(f"^{re.escape(name)}$")


def _serious_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    results = page.evaluate(
        "axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']})"
    )
    return [
        f"{violation['id']}: {violation['help']} ({len(violation['nodes'])}×)"
        for violation in results["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def _fill_in(page) -> None:
    page.get_by_label("Email address").fill("sol@example.org")
    page.get_by_label("The name others will see").fill("Sol")
    page.get_by_label("I live with the condition").check()
    page.get_by_label("Chronic lymphocytic leukaemia (CLL)").check()
    page.get_by_role(
        "group", name="Which stage describes you best? (Chronic lymphocytic leukaemia (CLL))"
    ).get_by_label("In treatment").check()
    page.get_by_role("group", name="Tuesday").get_by_label("Evening").check()
    page.get_by_role("group", name="Saturday").get_by_label("Morning").check()
    page.get_by_label("Español").check()
    page.get_by_label("Captions (subtitles)").check()
    page.get_by_label("I have read how my information is used").check()


def test_a_person_signs_up_on_a_phone(kit, server, phone):
    phone.goto(f"{server}/p/demo")
    assert phone.get_by_label("Your time zone").input_value() == "America/Mexico_City"  # guessed
    _fill_in(phone)
    phone.get_by_role("button", name="Sign up").click()
    phone.get_by_role("heading", name="Check your email").wait_for()
    [participant] = kit.participants()
    assert participant.timezone == "America/Mexico_City"
    assert participant.availability == [
        {"weekday": 1, "start": "17:00", "end": "21:00"},
        {"weekday": 5, "start": "09:00", "end": "12:00"},
    ]
    # English was ticked already, as the page's language; Español was added.
    assert participant.languages == ["en", "es"] and participant.accessibility_needs == ["captions"]


def test_only_the_chosen_conditions_stages_are_offered(server, phone):
    phone.goto(f"{server}/p/demo")
    stages = phone.get_by_role("group", name="Which stage describes you best?")
    assert stages.count() == 0  # nothing to choose before the condition is known
    phone.get_by_label("Lung cancer").check()
    visible = phone.get_by_role("group", name="Which stage describes you best?")
    assert visible.count() == 1
    assert "(Lung cancer)" in visible.locator("legend").inner_text()
    assert visible.get_by_label("Advanced (IV)").is_visible()


def test_the_condition_question_asks_a_caregiver_about_the_person_they_care_for(server, phone):
    phone.goto(f"{server}/p/demo")
    group = phone.get_by_role(
        "group", name=re_exact("Which condition do you, or the person you care for, live with?")
    )
    expect(group).to_have_count(1)
    phone.get_by_label("I care for someone who does").check()
    expect(
        phone.get_by_role("group", name=re_exact("Which condition does the person you care for live with?"))
    ).to_have_count(1)
    phone.get_by_label("I live with the condition").check()
    expect(phone.get_by_role("group", name=re_exact("Which condition do you live with?"))).to_have_count(1)


def test_mistakes_are_summarised_focused_and_linked_to_their_fields(server, phone):
    phone.goto(f"{server}/p/demo")
    phone.get_by_label("Email address").fill("sol@")
    phone.get_by_role("button", name="Sign up").click()
    summary = phone.get_by_role("alert")
    summary.wait_for()
    # The script moves the focus once the page has loaded, which may be just after the summary shows.
    phone.wait_for_function("document.activeElement.getAttribute('role') === 'alert'", timeout=5000)
    summary.get_by_role("link", name="Enter an email address like name@example.com.").click()
    email = phone.get_by_label("Email address")
    assert email.evaluate("element => element === document.activeElement")
    assert email.input_value() == "sol@"  # kept
    assert email.get_attribute("aria-invalid") == "true"


def test_the_form_works_without_javascript(kit, server, browser):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{server}/p/demo")
    page.get_by_label("Your time zone").select_option("Europe/Madrid")
    _fill_in(page)
    page.get_by_role("button", name="Sign up").click()
    page.get_by_role("heading", name="Check your email").wait_for()
    context.close()
    assert kit.participants()[0].timezone == "Europe/Madrid"


def test_the_whole_form_is_usable_with_the_keyboard(server, phone):
    phone.goto(f"{server}/p/demo")
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.textContent") == "Skip to content"
    for _ in range(60):
        phone.keyboard.press("Tab")
        if phone.evaluate("document.activeElement.type") == "submit":
            break
    assert phone.evaluate("document.activeElement.textContent") == "Sign up"
    outline = phone.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # the focus can be seen


@pytest.mark.parametrize(
    "path", ["/p/demo", "/p/demo?lang=es", "/p/demo/new-link", "/p/demo/manage/broken-link"]
)
def test_pages_have_no_serious_accessibility_problems(server, phone, path):
    phone.goto(f"{server}{path}")
    assert _serious_violations(phone) == []


def test_the_error_state_and_the_manage_page_have_no_serious_accessibility_problems(kit, server, phone):
    phone.goto(f"{server}/p/demo")
    phone.get_by_role("button", name="Sign up").click()
    phone.get_by_role("alert").wait_for()
    assert _serious_violations(phone) == []
    participant = kit.register_and_verify()
    phone.goto(server + kit.signed_path(kit.manage, "manage", participant.id))
    assert _serious_violations(phone) == []


def test_text_zoomed_to_200_percent_still_fits_the_screen(server, browser):
    """WCAG 1.4.4/1.4.10: at 200% zoom on a phone nothing needs sideways scrolling."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1)
    page = context.new_page()
    page.goto(f"{server}/p/demo")
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    context.close()
    assert overflow <= 0, json.dumps({"overflow_px": overflow})


def test_my_meetup_reads_on_a_phone_without_sideways_scrolling(kit, place, server, phone):
    participant = kit.register_and_verify()
    place(participant)
    manage = server + kit.signed_path(kit.manage, "manage", participant.id)
    phone.goto(manage)
    assert phone.get_by_role("heading", name="My meet-up").is_visible()
    assert phone.get_by_role("link", name="Join the meeting").is_visible()
    with phone.expect_download() as download:
        phone.get_by_role("link", name="Add to my calendar").click()
    assert download.value.suggested_filename.endswith(".ics")
    phone.get_by_role("button", name="Yes, I'll be there").click()
    phone.get_by_role("heading", name="Thank you for letting us know").wait_for()
    phone.goto(manage)
    assert phone.get_by_text("You told us: I'll be there.").is_visible()
    overflow = phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    assert _serious_violations(phone) == []


def test_who_joins_by_phone_reads_and_taps_the_number_to_call_on_a_phone(kit, place, server, phone):
    caller = kit.register_and_verify(accessibility_needs=["phone"])
    place(caller)
    phone.goto(server + kit.signed_path(kit.manage, "manage", caller.id))
    assert phone.get_by_role("heading", name="Joining by phone").is_visible()
    number = phone.get_by_role("link", name="+1 646 555 0123")
    assert number.is_visible() and number.get_attribute("href") == "tel:+16465550123"
    overflow = phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    assert _serious_violations(phone) == []


def test_a_person_gives_a_mobile_number_and_asks_for_texts_on_a_phone(kit, server, phone):
    phone.goto(f"{server}/p/demo")
    number = phone.get_by_label("Mobile number (optional)")
    # A phone offers its dialling keypad and the number it knows for a field like this.
    assert (number.get_attribute("type"), number.get_attribute("inputmode")) == ("tel", "tel")
    assert number.get_attribute("autocomplete") == "tel"
    _fill_in(phone)
    number.fill("(201) 555-0123")
    texts = phone.get_by_label("Send me text reminders")
    assert not texts.is_checked()  # texts only when asked for
    texts.check()
    assert phone.get_by_text("Texts never say what condition you live with.").is_visible()
    phone.get_by_role("button", name="Sign up").click()
    phone.get_by_role("heading", name="Check your email").wait_for()
    [participant] = kit.participants()
    assert participant.phone == "+12015550123" and participant.sms_consent_at is not None


def test_a_landline_is_explained_at_its_field_and_every_answer_is_kept(kit, server, phone):
    with kit.app.app_context():
        session = database.session()
        session.exec(select(Program)).one().country = "ES"
        session.commit()
    phone.goto(f"{server}/p/demo")
    _fill_in(phone)
    phone.get_by_label("Mobile number (optional)").fill("912 34 56 78")
    phone.get_by_label("Send me text reminders").check()
    phone.get_by_role("button", name="Sign up").click()
    summary = phone.get_by_role("alert")
    expect(summary).to_be_visible()
    summary.get_by_role("link", name="This looks like a landline number. Texts need a mobile number.").click()
    number = phone.get_by_label("Mobile number (optional)")
    assert number.evaluate("element => element === document.activeElement")
    assert number.input_value() == "912 34 56 78" and number.get_attribute("aria-invalid") == "true"
    assert phone.get_by_label("Send me text reminders").is_checked()
    assert phone.get_by_label("Email address").input_value() == "sol@example.org"
    assert phone.get_by_role("group", name="Tuesday").get_by_label("Evening").is_checked()
    assert kit.participants() == []
    assert _serious_violations(phone) == []


def test_a_person_removes_their_number_from_their_page_on_a_phone(kit, server, phone):
    participant = kit.register_and_verify(phone="+12015550123", sms_consent=True)
    phone.goto(server + kit.signed_path(kit.manage, "manage", participant.id))
    expect(phone.get_by_text("We text reminders to +1 201-555-0123.")).to_be_visible()
    assert _serious_violations(phone) == []
    phone.get_by_role("button", name="Remove my number and stop all texts").click()
    expect(phone.get_by_text("You have not given a mobile number, so we do not text you.")).to_be_visible()
    after = kit.participant(participant.id)
    assert (after.phone, after.sms_consent_at) == (None, None)


def test_the_concern_and_debrief_forms_have_no_serious_accessibility_problems(kit, place, server, phone):
    participant = kit.register_and_verify()
    meeting_id = place(participant)
    phone.goto(server + kit.signed_path(kit.manage, "manage", participant.id))
    phone.get_by_role("link", name="Something worried you? Tell the coordinators privately").click()
    phone.get_by_role("button", name="Send to the coordinators").click()
    phone.get_by_role("alert").wait_for()  # nothing written: the problem is shown and linked
    assert _serious_violations(phone) == []

    with kit.app.app_context():
        session = database.session()
        meeting = session.get(Meeting, meeting_id)
        meeting.starts_at = utcnow() - timedelta(hours=3)  # it has ended
        host_id = session.get(Cohort, meeting.cohort_id).host_id
        session.commit()
    with kit.app.test_request_context():
        token = make_token("host", {"h": host_id, "m": meeting_id})
    phone.goto(f"{server}/host/debrief/{token}")
    phone.get_by_label("It was difficult").check()
    assert _serious_violations(phone) == []
