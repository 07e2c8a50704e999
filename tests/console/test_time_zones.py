"""Coordinators read every console time in their own time zone, with its abbreviation and the UTC time on
hover; they choose the zone on their account page, or their browser's is taken when they first sign in."""

from __future__ import annotations

from datetime import UTC, datetime
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from app import database
from app.models import Coordinator, Meeting
from app.reading_zone import written
from app.services.accounts import create_coordinator

from .test_hosts import make_group

ZONE_PAGE = "/console/account/time-zone"
KOLKATA, MADRID = ZoneInfo("Asia/Kolkata"), ZoneInfo("Europe/Madrid")


class Times(HTMLParser):
    """Every `<time>` element of a page: its `datetime` and `title` attributes and its text."""

    def __init__(self, page: str):
        super().__init__()
        self.found: list[tuple[dict[str, str], str]] = []
        self._open: dict[str, str] | None = None
        self._text = ""
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        if tag == "time":
            self._open, self._text = dict(attrs), ""

    def handle_endtag(self, tag):
        if tag == "time" and self._open is not None:
            self.found.append((self._open, self._text))
            self._open = None

    def handle_data(self, data):
        if self._open is not None:
            self._text += data


def shown_in(page: str, zone: ZoneInfo) -> list[datetime]:
    """The moments of the page's times, each checked to be written in `zone` with the UTC time on hover."""
    moments = []
    for attributes, text in Times(page).found:
        moment = datetime.strptime(attributes["datetime"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        assert attributes["title"] == f"{moment:%a %-d %b %Y, %H:%M} UTC"
        local = moment.astimezone(zone)
        assert text == f"{local:%a %-d %b %Y, %H:%M} {local:%Z}"
        moments.append(moment)
    return moments


def zone_of(app, email: str) -> str | None:
    with app.app_context():
        return database.session().exec(select(Coordinator).where(Coordinator.email == email)).one().timezone


def meeting_of(app, cohort_id: int) -> Meeting:
    with app.app_context():
        return database.session().exec(select(Meeting).where(Meeting.cohort_id == cohort_id)).one()


def test_program_pages_show_each_time_in_the_coordinator_s_zone_with_utc_on_hover(app, demo, console_client):
    group = make_group(app, demo, "Jonah", slot=14, approve=True)
    coordinator = console_client("demo")
    assert coordinator.post(ZONE_PAGE, data={"timezone": "Asia/Kolkata"}).status_code == 303
    meeting = meeting_of(app, group)
    starts = meeting.starts_at

    for page in (
        "/console/programs/demo/meetings",
        f"/console/programs/demo/meetings/{meeting.id}",
        "/console/programs/demo/activity",
    ):
        moments = shown_in(coordinator.get(page).text, KOLKATA)
        assert moments, page
        if "activity" not in page:
            assert starts in moments, page
    cohort_page = coordinator.get(f"/console/programs/demo/cohorts/{group}").text
    local = starts.astimezone(KOLKATA)
    assert f">{local:%a %-d %b %Y, %H:%M} IST</time>" in cohort_page
    assert "Times in Asia/Kolkata" in cohort_page  # the zone named in the header, with a link to change it


def test_a_coordinator_without_a_zone_reads_a_program_in_its_zone_and_the_rest_in_utc(
    app, demo, console_client
):
    group = make_group(app, demo, "Jonah", slot=14, approve=True)
    admin = console_client(admin=True)
    meetings = admin.get("/console/programs/demo/meetings").text
    assert meeting_of(app, group).starts_at in shown_in(meetings, MADRID)
    assert shown_in(admin.get("/console/accounts").text, ZoneInfo("UTC"))  # the admin's two-factor date
    assert "You have not chosen a time zone yet" in admin.get(ZONE_PAGE).text


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("Mars/Olympus_Mons", "“Mars/Olympus_Mons” is not a time zone we know."),
        ("", "Enter a time zone, such as Europe/Madrid."),
        ("europe/madrid", "is not a time zone we know"),
    ],
)
def test_the_time_zone_page_refuses_a_zone_it_does_not_know_and_keeps_the_one_chosen(
    app, demo, console_client, typed, words
):
    coordinator = console_client("demo", email="kim@example.org")
    saved = coordinator.post(ZONE_PAGE, data={"timezone": "America/Chicago"}, follow_redirects=True)
    assert "Times in the console are now shown in America/Chicago." in saved.text
    assert "<option selected>America/Chicago</option>" in saved.text

    refused = coordinator.post(ZONE_PAGE, data={"timezone": typed})

    assert refused.status_code == 422
    assert words in refused.text and 'aria-invalid="true"' in refused.text
    assert zone_of(app, "kim@example.org") == "America/Chicago"


def test_signing_in_takes_the_browser_s_zone_only_for_an_account_without_one(app, demo, client):
    with app.app_context():
        session = database.session()
        for email in ("kim@example.org", "lou@example.org"):
            create_coordinator(session, email, "a long enough password", program_slugs=("demo",))
        session.commit()

    def sign_in(email: str, reported: str) -> None:
        form = {"email": email, "password": "a long enough password", "browser_zone": reported}
        assert client.post("/console/login", data=form).status_code == 303
        client.post("/console/logout")

    sign_in("kim@example.org", "America/Chicago")
    assert zone_of(app, "kim@example.org") == "America/Chicago"
    sign_in("kim@example.org", "Europe/Paris")  # a zone once set stays until the coordinator changes it
    assert zone_of(app, "kim@example.org") == "America/Chicago"
    sign_in("lou@example.org", "<script>")
    assert zone_of(app, "lou@example.org") is None
    login_page = client.get("/console/login").text
    assert 'name="browser_zone"' in login_page and "time_zone.js" in login_page


def test_the_coordinator_s_zone_words_times_for_their_request_only(app, demo, console_client):
    """Services word times in the zone the console names for the request; the worker, answering no one, keeps
    UTC in the same thread afterwards."""
    coordinator = console_client("demo")
    assert coordinator.post(ZONE_PAGE, data={"timezone": "Asia/Kolkata"}).status_code == 303
    assert coordinator.get("/console/programs/demo").status_code == 200

    assert written(datetime(2026, 3, 3, 13, tzinfo=UTC)) == "Tue 3 Mar 2026, 13:00 UTC"
