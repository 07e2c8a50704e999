"""A program run by the whole deployment at once: gunicorn with three web workers and two long-running
`flask worker` processes on one PostgreSQL database, the Zoom emulator and a real SMTP server.

People register over HTTP, some at the same moment and some several times over; they confirm through the
link in the email they received; the coordinator matches and approves with the `flask` commands. What a user
would notice is checked: one registration per person, every email the outbox counts as sent received exactly
once, one Zoom meeting per cohort and one Zoom registration per member, nothing failed.
"""

from __future__ import annotations

import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import requests
from sqlmodel import select

from app.database import utcnow
from app.messages.dispatch import WAIT_FOR_MEETING
from app.messages.kinds import MessageKind
from app.models import CohortMember, Meeting, MeetingRegistrant, MessageStatus, OutboundMessage, Participant

pytestmark = pytest.mark.postgres_only

PEOPLE = 12
REGISTERING_THRICE = 3  # of them: the same address three times at once, as a double-clicking person does
VERIFY_LINK = re.compile(r"http://\S+/verify/\S+")


def _at_once(call, arguments: list) -> list:
    with ThreadPoolExecutor(max_workers=len(arguments)) as pool:
        return list(pool.map(call, arguments))


def _verification_links(smtp, emails: list[str]) -> dict[str, str] | None:
    """The link in the newest verification email of each address, once every address has one."""
    links = {}
    for email in emails:
        received = smtp.messages(to=email)
        if not received:
            return None
        text = received[-1].get_body(preferencelist=("plain",)).get_content()
        links[email] = VERIFY_LINK.search(text).group(0)
    return links


def _confirm(link: str) -> int:
    """Follow the link and press its button, as a browser does (the page's form carries a CSRF token)."""
    with requests.Session() as browser:
        page = browser.get(link, timeout=30)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        return browser.post(link, data={"csrf_token": token}, timeout=30).status_code


def _zoom_registrations(zoom) -> Counter[str]:
    """How often each meeting's registrants were added at Zoom, by the API path that adds them."""
    return Counter(
        call["path"]
        for call in zoom.recorded_requests()["log"]
        if call["method"] == "POST" and call["path"].endswith("/registrants") and call["status"] == 201
    )


def test_a_program_run_by_many_processes_reaches_everyone_exactly_once(
    deployment, demo_program, registration, smtp, zoom, records, wait_for
):
    workers = [deployment.start_worker(), deployment.start_worker()]
    deployment.start_web(workers=3)
    api = f"{deployment.web_url}/api/v1/programs/{demo_program}/registrations"
    emails = [f"person-{number}@example.org" for number in range(PEOPLE)]
    bodies = [registration(email) for email in emails] + [
        registration(email, display_name=f"Again {time}")
        for email in emails[:REGISTERING_THRICE]
        for time in range(2)
    ]

    statuses = _at_once(lambda body: requests.post(api, json=body, timeout=30).status_code, bodies)
    assert statuses == [201] * len(bodies)
    links = wait_for(lambda: _verification_links(smtp, emails), "everyone's verification email")
    assert _at_once(_confirm, list(links.values())) == [200] * PEOPLE
    assert f"{PEOPLE} placed" in deployment.flask("match", "run", demo_program)
    deployment.flask("cohorts", "approve", demo_program, "--all")
    wait_for(lambda: not records.unfinished_work(), "the workers to carry out all that is due", timeout=60)
    assert smtp.message_ids() == records.sent_message_ids()

    # Zoom registrations and invitations that found their meeting still being created wait a while; a run as
    # if it were later stands in for that wait, once the workers have been stopped as a deployment stops them.
    assert [worker.stop() for worker in workers] == [0, 0]
    later = utcnow() + WAIT_FOR_MEETING + timedelta(minutes=1)
    deployment.run_worker_once(now=later)

    assert records.unfinished_work(by=later) == [] and records.failures() == []
    assert sorted(records.all(select(Participant.email))) == sorted(emails)
    assert smtp.message_ids() == records.sent_message_ids()
    invited = records.all(
        select(OutboundMessage.participant_id).where(
            OutboundMessage.kind == MessageKind.COHORT_INVITATION,
            OutboundMessage.status == MessageStatus.SENT,
        )
    )
    members = records.all(select(CohortMember.participant_id))
    assert sorted(invited) == sorted(members) and len(members) == PEOPLE
    meetings = records.all(select(Meeting))
    assert zoom.count("meeting_creates") == len(meetings) == len({m.zoom_meeting_id for m in meetings}) > 0
    registered = records.all(
        select(Meeting.zoom_meeting_id).join(MeetingRegistrant, MeetingRegistrant.meeting_id == Meeting.id)
    )
    assert _zoom_registrations(zoom) == Counter(
        f"/v2/meetings/{zoom_id}/registrants" for zoom_id in registered
    )
    assert len(registered) == PEOPLE
