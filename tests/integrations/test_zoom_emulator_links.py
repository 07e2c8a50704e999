"""Start and join links: a host runs as many meetings at once as their Zoom plan allows, as on Zoom."""

from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
import requests

from integrations.zoom.webhooks import SIGNATURE_HEADER, TIMESTAMP_HEADER, parse_event, verify_signature

from ..conftest import free_port

HOST_BUSY = "The host has another meeting in progress."


class _PageText(HTMLParser):
    """The title, heading and paragraph texts of a page, and every element's tag, read by the standard
    library's parser rather than by the code that wrote the page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append(tag)

    def handle_data(self, data) -> None:
        if data.strip():
            self.texts.append(data.strip())


def open_link(url: str) -> tuple[int, _PageText]:
    response = requests.get(url, timeout=5)
    assert response.headers["Content-Type"].startswith("text/html")
    page = _PageText()
    page.feed(response.text)
    return response.status_code, page


def test_a_pro_host_starts_a_second_meeting_only_once_the_first_has_ended(
    zoom, create_meeting, stored_meeting
):
    first, second = create_meeting(), create_meeting()

    assert open_link(first.start_url)[0] == 200
    status, page = open_link(second.start_url)
    assert status == 409
    assert HOST_BUSY in page.texts
    assert stored_meeting(second.id)["status"] == "waiting"

    zoom.end_meeting(first.id)
    assert open_link(second.start_url)[0] == 200
    assert stored_meeting(second.id)["status"] == "started"


def test_a_business_host_runs_two_meetings_at_once_but_not_three(zoom, host, create_meeting):
    zoom.declare_user(host, concurrent=2)
    meetings = [create_meeting() for _ in range(3)]

    statuses = [open_link(meeting.start_url)[0] for meeting in meetings]

    assert statuses == [200, 200, 409]


def test_another_host_is_not_held_back(create_meeting, client):
    open_link(create_meeting().start_url)
    other = client.create_meeting(
        "other-host@example.org",
        topic="Another group",
        start_time=datetime(2031, 5, 6, 17, 30, tzinfo=UTC),
        duration=60,
        timezone="UTC",
        idempotency_key="other",
    )

    assert open_link(other.start_url)[0] == 200


def test_opening_the_start_link_again_keeps_the_meeting_going(create_meeting):
    meeting = create_meeting()
    assert [open_link(meeting.start_url)[0] for _ in range(2)] == [200, 200]


def test_starting_and_ending_send_signed_webhooks(zoom, create_meeting, webhook_receiver):
    url, received = webhook_receiver
    zoom.configure(webhook_url=url)
    meeting = create_meeting()

    open_link(meeting.start_url)
    assert zoom.end_meeting(meeting.id) == 204

    events = []
    for delivery in received:
        verify_signature(
            "webhook-secret-test",
            delivery.headers[TIMESTAMP_HEADER],
            delivery.get_data(),
            delivery.headers[SIGNATURE_HEADER],
            now=datetime.now(UTC),
        )
        event = parse_event(delivery.get_data())
        events.append((event.event, event.meeting_id))
    assert events == [("meeting.started", str(meeting.id)), ("meeting.ended", str(meeting.id))]


def test_the_start_page_opens_when_the_webhook_receiver_is_down(zoom, create_meeting, stored_meeting):
    zoom.configure(webhook_url=f"http://127.0.0.1:{free_port()}/webhooks/zoom")  # nothing listens there
    meeting = create_meeting()

    status, page = open_link(meeting.start_url)

    assert status == 200 and "This meeting has started." in page.texts
    assert stored_meeting(meeting.id)["status"] == "started"


def test_a_refused_start_sends_no_webhook(zoom, create_meeting, webhook_receiver):
    url, received = webhook_receiver
    first, second = create_meeting(), create_meeting()
    open_link(first.start_url)
    zoom.configure(webhook_url=url)

    open_link(second.start_url)

    assert received == []


def test_join_link_shows_the_topic_and_whether_the_meeting_has_started(create_meeting):
    meeting = create_meeting(topic="Peer <b>meet-up</b> & friends")

    status, before = open_link(meeting.join_url)
    open_link(meeting.start_url)
    _, after = open_link(meeting.join_url)

    assert status == 200
    assert "Peer <b>meet-up</b> & friends" in before.texts
    assert "b" not in before.tags and "script" not in before.tags
    assert "Waiting for the host to start this meeting." in before.texts
    assert "This meeting has started." in after.texts


def test_a_registrants_link_joins_until_the_registration_is_cancelled(client, create_meeting):
    meeting = create_meeting()
    registrant = client.register_participant(meeting.id, email="ana@example.org", first_name="Ana")

    assert open_link(registrant.join_url)[0] == 200
    client.cancel_registration(meeting.id, registrant_id=registrant.registrant_id)
    assert open_link(registrant.join_url)[0] == 404


@pytest.mark.parametrize("link", ["start_url", "join_url"])
def test_a_link_with_a_wrong_key_or_meeting_is_refused(create_meeting, stored_meeting, link):
    meeting = create_meeting()
    url = getattr(meeting, link)
    tampered = [url[:-3] + "abc", url.replace(str(meeting.id), str(meeting.id + 1)), url.split("?")[0]]

    statuses = [open_link(each)[0] for each in tampered]

    assert statuses == [404, 404, 404]
    assert stored_meeting(meeting.id)["status"] == "waiting"
