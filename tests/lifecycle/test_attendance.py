"""Attendance from Zoom's webhooks, as the coordinator sees it on the meeting's attendance page.

A group is approved and the worker creates its meeting and registrations in the Zoom emulator; the emulator
then delivers signed notifications over HTTP to the app's `/webhooks/zoom`, as Zoom does. The races Zoom
allows (a rejoin before the leave before it, a leave before its join) are delivered signed by the test.
"""

from __future__ import annotations

import json
import re
import time
from datetime import datetime, timedelta

import pytest
from sqlmodel import select

from app import database
from app.database import utcnow
from app.models import Attendance, AuditEvent, Cohort, Meeting, MeetingRegistrant, Participant
from app.services.approval import approve_cohort
from app.worker.runner import run_once
from integrations.zoom.emulator_events import deliver
from integrations.zoom.models import format_zoom_time
from integrations.zoom.webhooks import sign

from .conftest import WEBHOOK_SECRET

JOINED, LEFT = "meeting.participant_joined", "meeting.participant_left"


class LiveMeeting:
    """A meeting in the emulator with its members registered, and ways to have Zoom tell the app about it."""

    def __init__(self, app, zoom, server, meeting: Meeting, members: list[tuple[str, str, str]]):
        self.app, self.zoom, self.server = app, zoom, server
        self.meeting_id, self.zoom_id = meeting.id, int(meeting.zoom_meeting_id)
        self.members = members  # (display name, Zoom registrant id, email), by name

    def member(self, index: int) -> dict[str, str]:
        """A member as Zoom names them when they use their personal link."""
        return {"registrant_id": self.members[index][1]}

    def send(self, event: str, who: dict | None = None, at: datetime | None = None) -> dict:
        """The emulator sends `event` (about `who`, joining or leaving `at`); the body it delivered."""
        participant = dict(who or {})
        if at is not None:
            participant["join_time" if event == JOINED else "leave_time"] = format_zoom_time(at)
        sent = self.zoom.send_event(self.zoom_id, event, participant or None)
        assert sent["status"] == 204, sent
        return sent["body"]

    def redeliver(self, body: dict) -> None:
        """Zoom delivering the very same notification again (it retries when unsure we got it)."""
        assert deliver(f"{self.server}/webhooks/zoom", WEBHOOK_SECRET, body, utcnow()) == 204

    def post(self, client, event: str, who: dict, at: datetime) -> None:
        """A notification signed and posted by the test, to control the order deliveries arrive in."""
        body = {
            "event": event,
            "event_ts": int(at.timestamp() * 1000),
            "payload": {
                "account_id": "acc",
                "object": {
                    "id": str(self.zoom_id),
                    "participant": {
                        "user_name": "Someone",
                        **who,
                        ("join_time" if event == JOINED else "leave_time"): format_zoom_time(at),
                    },
                },
            },
        }
        raw, stamp = json.dumps(body).encode(), int(time.time())
        headers = {"x-zm-request-timestamp": str(stamp), "x-zm-signature": sign(WEBHOOK_SECRET, stamp, raw)}
        assert client.post("/webhooks/zoom", data=raw, headers=headers).status_code == 204

    @property
    def page_url(self) -> str:
        return f"/console/programs/demo/meetings/{self.meeting_id}/attendance"


@pytest.fixture
def live(app, make_cohorts, zoom, server) -> LiveMeeting:
    [cohort_id] = make_cohorts(1, size=3)
    with app.app_context():
        session = database.session()
        meeting = approve_cohort(session, session.get(Cohort, cohort_id), actor="test", now=utcnow())
        session.commit()
    run_once(app)  # the worker creates the meeting in the emulator and registers the members
    with app.app_context():
        session = database.session()
        meeting = session.get(Meeting, meeting.id)
        members = session.exec(
            select(Participant.display_name, MeetingRegistrant.zoom_registrant_id, Participant.email)
            .join(MeetingRegistrant, MeetingRegistrant.participant_id == Participant.id)
            .where(MeetingRegistrant.meeting_id == meeting.id)
            .order_by(Participant.display_name)
        ).all()
    assert meeting.zoom_meeting_id and len(members) == 3 and all(registrant for _, registrant, _ in members)
    zoom.configure(webhook_url=f"{server}/webhooks/zoom")
    return LiveMeeting(app, zoom, server, meeting, [tuple(member) for member in members])


@pytest.fixture
def coordinator(app, console_client):
    return console_client("demo")


def _rows(page: str) -> dict[str, list[str]]:
    """The attendance table: each name with its first join, last leave and minutes, as shown."""
    body = re.search(r"<tbody>(.*?)</tbody>", page, re.S).group(1)
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = [
            re.sub(r"\s+", " ", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        rows[cells[0]] = cells[1:]
    return rows


def _never_joined(page: str) -> list[str]:
    section = page.split("Registered but never joined", 1)[1]
    return re.findall(r"<li>(.*?)</li>", section)


def _stretch_count(app) -> int:
    with app.app_context():
        return len(database.session().exec(select(Attendance)).all())


def test_joins_leaves_and_rejoins_from_zoom_add_up_on_the_attendance_page(app, live, coordinator):
    start = utcnow().replace(microsecond=0) - timedelta(minutes=60)
    [first, second, third] = [name for name, *_ in live.members]
    live.send("meeting.started")
    live.send(JOINED, live.member(0), start)
    live.send(LEFT, live.member(0), start + timedelta(minutes=20))
    live.send(JOINED, live.member(0), start + timedelta(minutes=25))  # back after a dropped connection
    live.send(LEFT, live.member(0), start + timedelta(minutes=55))
    joined = live.send(JOINED, live.member(1), start + timedelta(minutes=5))
    live.redeliver(joined)  # the same delivery twice
    live.send(JOINED, live.member(1), start + timedelta(minutes=5))  # the same join, told again
    stranger = {"user_id": "16778240", "user_name": "Guest", "email": "someone.else@example.net"}
    live.send(JOINED, stranger, start + timedelta(minutes=10))
    live.send(LEFT, stranger, start + timedelta(minutes=40))

    while_running = coordinator.get(live.page_url).text
    assert _rows(while_running)[second][1] == "still in the meeting"

    live.send("meeting.ended")  # closes the second member's stretch, still open
    page = coordinator.get(live.page_url)
    assert page.status_code == 200
    rows = _rows(page.text)
    assert list(rows) == [first, second, "Unknown participant 1"]
    assert rows[first][2] == "50"  # 20 + 30 minutes
    assert rows[second][1] != "still in the meeting" and rows[second][2] == "55"
    assert rows["Unknown participant 1"][2] == "30"
    assert "someone.else@example.net" not in page.text and "Guest" not in page.text
    assert _never_joined(page.text) == [third]
    assert "2 of 3 (67%) registered in Zoom" in page.text
    assert "Zoom has not said it started" not in page.text and "Zoom has not said it ended" not in page.text
    assert _stretch_count(app) == 4
    with app.app_context():
        audits = (
            database.session().exec(select(AuditEvent).where(AuditEvent.action.like("%attendance"))).all()
        )
    assert {(a.action, a.subject_id) for a in audits} == {("console.viewed_attendance", str(live.meeting_id))}


def test_deliveries_out_of_order_still_add_up(app, live, client, coordinator):
    start = utcnow().replace(microsecond=0) - timedelta(minutes=60)
    first, second = live.member(0), live.member(1)
    # The rejoin arrives before the leave that came before it.
    live.post(client, JOINED, first, start)
    live.post(client, JOINED, first, start + timedelta(minutes=25))
    live.post(client, LEFT, first, start + timedelta(minutes=55))
    live.post(client, LEFT, first, start + timedelta(minutes=20))
    # A leave arrives before its join.
    live.post(client, LEFT, second, start + timedelta(minutes=30))
    live.post(client, JOINED, second, start + timedelta(minutes=10))
    live.post(client, LEFT, second, start + timedelta(minutes=30))  # and once more, late
    rows = _rows(coordinator.get(live.page_url).text)
    assert rows[live.members[0][0]][2] == "50"
    assert rows[live.members[1][0]][2] == "20"
    assert _stretch_count(app) == 3


def test_a_meeting_no_one_joined_yet(live, coordinator):
    page = coordinator.get(live.page_url).text
    assert "No one has joined yet." in page and "Zoom has not said it started" in page
    assert _never_joined(page) == [name for name, *_ in live.members]
    assert "0 of 3 (0%) registered in Zoom" in page


def test_a_member_in_twice_at_once_is_counted_once(live, client, coordinator):
    """Their personal link on the computer, and the phone joining by their email: overlapping stretches."""
    start = utcnow().replace(microsecond=0) - timedelta(minutes=60)
    name, _, email = live.members[0]
    phone = {"user_id": "16779264", "email": email}
    live.post(client, JOINED, live.member(0), start)
    live.post(client, JOINED, phone, start + timedelta(minutes=10))
    live.post(client, LEFT, live.member(0), start + timedelta(minutes=30))
    live.post(client, LEFT, phone, start + timedelta(minutes=40))
    rows = _rows(coordinator.get(live.page_url).text)
    assert list(rows) == [name]
    assert rows[name][2] == "40"
