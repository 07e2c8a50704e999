"""The coordinator's whole path in headless Chromium: sign in, propose, adjust, approve; then the worker
creates the Zoom meetings and sends the invitations."""

from __future__ import annotations

from email.utils import parseaddr

import pytest
from playwright.sync_api import expect
from sqlmodel import func, select

from app import database
from app.demo import seed_demo
from app.models import Cohort, CohortMember, CohortStatus, Meeting, Participant
from app.services.accounts import create_coordinator
from app.worker.runner import run_once

pytestmark = [
    pytest.mark.browser,
    # One database is enough here: the browser checks the pages, the other tests check both databases.
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]
EMAIL, PASSWORD = "coordinator@example.org", "a long enough test password"


@pytest.fixture
def page(app, desktop_page):
    with app.app_context():
        session = database.session()
        seed_demo(session, registrants=120)
        create_coordinator(session, EMAIL, PASSWORD, program_slugs=("demo",))
        session.commit()
    return desktop_page


def _count(app, statement) -> int:
    with app.app_context():
        return database.session().exec(statement).one()


def _largest_proposed(app) -> Cohort:
    with app.app_context():
        session = database.session()
        sizes = session.exec(
            select(Cohort, func.count(CohortMember.id))
            .join(CohortMember, CohortMember.cohort_id == Cohort.id)
            .where(Cohort.status == CohortStatus.PROPOSED)
            .group_by(Cohort.id)
            .order_by(func.count(CohortMember.id).desc(), Cohort.id)
        ).first()
        return sizes[0]


def test_propose_adjust_and_approve_in_the_console(app, page, server, zoom, mailbox):
    page.goto(f"{server}/console/programs/demo")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Cohorts")).to_be_visible()  # waits for the page after sign-in
    expect(page.get_by_text("Practice mode")).to_be_visible()  # the Zoom emulator is in use, and says so

    page.get_by_role("button", name="Propose cohorts").click()
    assert "Nothing has been sent" in page.locator(".flash").inner_text()

    cohort = _largest_proposed(app)
    page.get_by_role("link", name=f"Group {cohort.id}", exact=True).click()
    rows = page.locator("tbody tr")
    leaving = rows.first.locator("th").inner_text()
    rows.first.get_by_role("button", name="Move").click()
    assert f"{leaving} moved to the waitlist" in page.locator(".flash").inner_text()
    assert leaving not in page.locator("tbody").inner_text()

    page.get_by_role("button", name="Lock (keep when proposing again)").click()
    assert "Group locked" in page.locator(".flash").inner_text()

    page.get_by_role("button", name="Approve this group").click()
    if page.get_by_role("button", name="Make this change anyway").count():
        page.get_by_role("button", name="Make this change anyway").click()
    assert f"Group {cohort.id} approved" in page.locator(".flash").inner_text()

    page.get_by_role("link", name="All groups").click()
    page.get_by_role("button", name="Approve all proposed groups…").click()
    page.get_by_role("button", name="Approve").first.click()
    assert "groups approved" in page.locator(".flash").first.inner_text()

    cohorts = _count(
        app, select(func.count()).select_from(Cohort).where(Cohort.status == CohortStatus.APPROVED)
    )
    assert _count(app, select(func.count()).select_from(Meeting)) == cohorts > 1
    run_once(app)
    assert zoom.count("meeting_creates") == cohorts
    with app.app_context():
        members = (
            database.session()
            .exec(select(Participant.email).join(CohortMember, CohortMember.participant_id == Participant.id))
            .all()
        )
    invited = {parseaddr(message["To"])[1] for message in mailbox.messages()}
    assert set(members) <= invited
    leaver_email = f"{leaving}"
    assert leaver_email not in {message["To"] for message in mailbox.messages()}

    page.get_by_role("link", name="Meetings and messages").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
